-- +goose Up
-- Withdrawals of a customer's prepaid credit (SPEC §6.3): never deleted; a reversal marks one.
CREATE TABLE withdrawals (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    method          TEXT NOT NULL,
    reference       TEXT NOT NULL,
    reason          TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    reversed_at     TEXT,
    reversed_by     TEXT NOT NULL DEFAULT '',
    reversal_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX withdrawals_list ON withdrawals (workspace_id, id);
CREATE INDEX withdrawals_organization ON withdrawals (workspace_id, organization_id, id);
-- The automatic top-up invoices issued, one per customer and business day at most: the key is
-- what makes it so when servers decide at the same instant.
CREATE TABLE auto_top_ups (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    day             TEXT NOT NULL,
    invoice_id      TEXT NOT NULL,
    PRIMARY KEY (workspace_id, organization_id, day)
);

-- +goose Down
DROP TABLE auto_top_ups;
DROP TABLE withdrawals;
