-- +goose Up
-- Reservations of a customer's usable credit (SPEC §6.3). amount is held while the reservation
-- is open and not expired; captured is what a capture charged (credit → revenue).
CREATE TABLE IF NOT EXISTS reservations (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    captured        BIGINT NOT NULL CHECK (captured >= 0 AND captured <= amount),
    status          TEXT NOT NULL CHECK (status IN ('open', 'captured', 'released', 'expired')),
    reference       TEXT NOT NULL,
    expires_at      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    closed_at       TEXT,
    version         INTEGER NOT NULL,
    CHECK ((status = 'captured') = (captured > 0)),
    CHECK ((status = 'open') = (closed_at IS NULL))
);
-- What a customer has reserved: only its open reservations, however many it ever made.
CREATE INDEX IF NOT EXISTS reservations_open ON reservations (workspace_id, organization_id, currency, expires_at) WHERE status = 'open';
CREATE INDEX IF NOT EXISTS reservations_org_list ON reservations (workspace_id, organization_id, id);

-- +goose Down
DROP TABLE IF EXISTS reservations;
