-- +goose NO TRANSACTION
-- +goose Up
-- Refunds of a payment's unapplied money (SPEC §6.2): unapplied:<org> → cash:<method>. A refund
-- is never deleted; a reversal (the money came back) is a counter-entry and sets reversed_at.
-- payments.refunded is added with a constant default (no rewrite) and its CHECK added NOT VALID,
-- then validated, which reads the table without stopping writes (docs/architecture.md,
-- "Migrations that do not stop writes"); each statement commits on its own, so every one can
-- run again.
CREATE TABLE IF NOT EXISTS refunds (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments(id),
    organization_id TEXT,
    amount          BIGINT NOT NULL CHECK (amount > 0),
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
CREATE INDEX IF NOT EXISTS refunds_payment ON refunds (payment_id);
CREATE INDEX IF NOT EXISTS refunds_list ON refunds (workspace_id, id);
CREATE INDEX IF NOT EXISTS refunds_organization ON refunds (workspace_id, organization_id, id);
ALTER TABLE payments ADD COLUMN IF NOT EXISTS refunded BIGINT NOT NULL DEFAULT 0;
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_refunded_check;
ALTER TABLE payments ADD CONSTRAINT payments_refunded_check CHECK (refunded >= 0) NOT VALID;
ALTER TABLE payments VALIDATE CONSTRAINT payments_refunded_check;

-- +goose Down
ALTER TABLE payments DROP CONSTRAINT IF EXISTS payments_refunded_check;
ALTER TABLE payments DROP COLUMN IF EXISTS refunded;
DROP TABLE IF EXISTS refunds;
