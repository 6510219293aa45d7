-- +goose Up
-- Webhook endpoints, the deliveries of events to them, and the log of every attempt (SPEC §6.5).
-- Times are fixed-width RFC 3339 text in UTC, as everywhere, so that they compare as text.
CREATE TABLE webhook_endpoints (
    workspace_id          TEXT NOT NULL REFERENCES workspaces(id),
    id                    TEXT PRIMARY KEY,
    url                   TEXT NOT NULL,
    description           TEXT NOT NULL,
    events                TEXT NOT NULL, -- JSON array of event types, or ["*"]
    secret                TEXT NOT NULL,
    previous_secret       TEXT NOT NULL,
    previous_secret_until TEXT,
    enabled               INTEGER NOT NULL CHECK (enabled IN (0, 1)),
    disabled_reason       TEXT NOT NULL,
    failing_since         TEXT,
    cursor                INTEGER NOT NULL CHECK (cursor >= 0),
    created_at            TEXT NOT NULL,
    updated_at            TEXT NOT NULL,
    deleted_at            TEXT,
    version               INTEGER NOT NULL
);
CREATE INDEX webhook_endpoints_workspace ON webhook_endpoints (workspace_id, id);

CREATE TABLE webhook_deliveries (
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    id               TEXT PRIMARY KEY,
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id         TEXT NOT NULL REFERENCES events(id),
    event_sequence   INTEGER NOT NULL,
    event_type       TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    first_attempt_at TEXT,
    lease_owner      TEXT NOT NULL,
    lease_until      TEXT,
    last_status      INTEGER NOT NULL,
    last_error       TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    delivered_at     TEXT
);
-- The dispatcher's question: what is due now, in event order.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (workspace_id, next_attempt_at, event_sequence) WHERE status = 'pending';

CREATE TABLE webhook_attempts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries(id),
    endpoint_id  TEXT NOT NULL REFERENCES webhook_endpoints(id),
    event_id     TEXT NOT NULL,
    event_type   TEXT NOT NULL,
    at           TEXT NOT NULL,
    status       INTEGER NOT NULL,
    duration_ms  INTEGER NOT NULL,
    snippet      TEXT NOT NULL,
    error        TEXT NOT NULL
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (workspace_id, endpoint_id, id);

-- +goose Down
DROP TABLE webhook_attempts;
DROP TABLE webhook_deliveries;
DROP TABLE webhook_endpoints;
