-- +goose NO TRANSACTION
-- +goose Up
-- Credit notes (SPEC §6.2): issued to an organization (revenue → credit_note:<org>), optionally
-- citing the invoice they correct; used by applications: to an invoice (→ receivable), refunded
-- (→ cash) or moved into prepaid credit (→ credit). applied, refunded and to_credit are the sums
-- of the active applications of each kind, kept in step with them by the service.
-- invoices.amount_credited is added with a constant default (no rewrite) and its CHECK added NOT
-- VALID, then validated, which reads the table without stopping writes; each statement commits
-- on its own and can run again.
CREATE TABLE IF NOT EXISTS credit_notes (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    invoice_id      TEXT REFERENCES invoices(id),
    currency        TEXT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    applied         BIGINT NOT NULL DEFAULT 0 CHECK (applied >= 0),
    refunded        BIGINT NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    to_credit       BIGINT NOT NULL DEFAULT 0 CHECK (to_credit >= 0),
    reason          TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'applied', 'void')),
    voided_at       TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    CHECK (applied + refunded + to_credit <= amount)
);
CREATE UNIQUE INDEX IF NOT EXISTS credit_notes_number ON credit_notes (workspace_id, number);
CREATE INDEX IF NOT EXISTS credit_notes_list ON credit_notes (workspace_id, id);
CREATE INDEX IF NOT EXISTS credit_notes_organization ON credit_notes (workspace_id, organization_id, id);
CREATE INDEX IF NOT EXISTS credit_notes_invoice ON credit_notes (invoice_id);
CREATE TABLE IF NOT EXISTS credit_note_applications (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    id             TEXT PRIMARY KEY,
    credit_note_id TEXT NOT NULL REFERENCES credit_notes(id),
    kind           TEXT NOT NULL CHECK (kind IN ('invoice', 'refund', 'prepaid_credit')),
    invoice_id     TEXT REFERENCES invoices(id),
    amount         BIGINT NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    method         TEXT NOT NULL DEFAULT '',
    reference      TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    released_at    TEXT,
    released_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS credit_note_applications_note ON credit_note_applications (credit_note_id);
CREATE INDEX IF NOT EXISTS credit_note_applications_invoice ON credit_note_applications (invoice_id);
CREATE INDEX IF NOT EXISTS credit_note_applications_list ON credit_note_applications (workspace_id, id);
CREATE INDEX IF NOT EXISTS credit_note_applications_created ON credit_note_applications (workspace_id, created_at, invoice_id, amount, released_at) WHERE kind = 'invoice' AND released_at IS NULL;
CREATE INDEX IF NOT EXISTS credit_note_applications_released ON credit_note_applications (workspace_id, released_at, created_at, invoice_id, amount) WHERE kind = 'invoice' AND released_at IS NOT NULL;
CREATE TABLE IF NOT EXISTS credit_note_sequences (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    last         BIGINT NOT NULL
);
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS amount_credited BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_amount_credited_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_amount_credited_check CHECK (amount_credited >= 0 AND amount_adjusted + amount_credited <= amount_settled) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_amount_credited_check;

-- +goose Down
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_amount_credited_check;
ALTER TABLE invoices DROP COLUMN IF EXISTS amount_credited;
DROP TABLE IF EXISTS credit_note_sequences;
DROP TABLE IF EXISTS credit_note_applications;
DROP TABLE IF EXISTS credit_notes;
