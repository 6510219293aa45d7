-- +goose Up
-- Refunds of a payment's unapplied money (SPEC §6.2): unapplied:<org> → cash:<method>. A refund
-- is never deleted; a reversal (the money came back) is a counter-entry and sets reversed_at.
CREATE TABLE refunds (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments(id),
    organization_id TEXT,
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
CREATE INDEX refunds_payment ON refunds (payment_id);
CREATE INDEX refunds_list ON refunds (workspace_id, id);
CREATE INDEX refunds_organization ON refunds (workspace_id, organization_id, id);
ALTER TABLE payments ADD COLUMN refunded INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0);

-- +goose Down
ALTER TABLE payments DROP COLUMN refunded;
DROP TABLE refunds;
