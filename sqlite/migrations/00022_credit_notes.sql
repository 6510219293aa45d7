-- +goose Up
-- Credit notes (SPEC §6.2): issued to an organization (revenue → credit_note:<org>), optionally
-- citing the invoice they correct; used by applications: to an invoice (→ receivable), refunded
-- (→ cash) or moved into prepaid credit (→ credit). applied, refunded and to_credit are the sums
-- of the active applications of each kind, kept in step with them by the service.
CREATE TABLE credit_notes (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    invoice_id      TEXT REFERENCES invoices(id),
    currency        TEXT NOT NULL,
    amount          INTEGER NOT NULL CHECK (amount > 0),
    applied         INTEGER NOT NULL DEFAULT 0 CHECK (applied >= 0),
    refunded        INTEGER NOT NULL DEFAULT 0 CHECK (refunded >= 0),
    to_credit       INTEGER NOT NULL DEFAULT 0 CHECK (to_credit >= 0),
    reason          TEXT NOT NULL,
    issued_on       TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('open', 'applied', 'void')),
    voided_at       TEXT,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    version         INTEGER NOT NULL,
    CHECK (applied + refunded + to_credit <= amount)
);
CREATE UNIQUE INDEX credit_notes_number ON credit_notes (workspace_id, number);
CREATE INDEX credit_notes_list ON credit_notes (workspace_id, id);
CREATE INDEX credit_notes_organization ON credit_notes (workspace_id, organization_id, id);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);
CREATE TABLE credit_note_applications (
    workspace_id   TEXT NOT NULL REFERENCES workspaces(id),
    id             TEXT PRIMARY KEY,
    credit_note_id TEXT NOT NULL REFERENCES credit_notes(id),
    kind           TEXT NOT NULL CHECK (kind IN ('invoice', 'refund', 'prepaid_credit')),
    invoice_id     TEXT REFERENCES invoices(id),
    amount         INTEGER NOT NULL CHECK (amount > 0),
    currency       TEXT NOT NULL,
    method         TEXT NOT NULL DEFAULT '',
    reference      TEXT NOT NULL DEFAULT '',
    reason         TEXT NOT NULL DEFAULT '',
    created_by     TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    released_at    TEXT,
    released_by    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX credit_note_applications_note ON credit_note_applications (credit_note_id);
CREATE INDEX credit_note_applications_invoice ON credit_note_applications (invoice_id);
CREATE INDEX credit_note_applications_list ON credit_note_applications (workspace_id, id);
-- The aging report's changes since a past day (sqlstore/report.go).
CREATE INDEX credit_note_applications_created ON credit_note_applications (workspace_id, created_at, invoice_id, amount, released_at) WHERE kind = 'invoice' AND released_at IS NULL;
CREATE INDEX credit_note_applications_released ON credit_note_applications (workspace_id, released_at, created_at, invoice_id, amount) WHERE kind = 'invoice' AND released_at IS NOT NULL;
-- The last automatic credit note number of each workspace (CN-000001, …).
CREATE TABLE credit_note_sequences (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    last         INTEGER NOT NULL
);
-- What credit notes applied to an invoice: part of amount_settled, like amount_adjusted.
ALTER TABLE invoices ADD COLUMN amount_credited INTEGER NOT NULL DEFAULT 0 CHECK (amount_credited >= 0 AND amount_adjusted + amount_credited <= amount_settled);

-- +goose Down
ALTER TABLE invoices DROP COLUMN amount_credited;
DROP TABLE credit_note_sequences;
DROP TABLE credit_note_applications;
DROP TABLE credit_notes;
