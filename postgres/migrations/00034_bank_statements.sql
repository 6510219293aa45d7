-- +goose Up
-- Bank statements and their lines (SPEC §6.4). A line is kept once per bank account and key (the
-- bank's reference, or a digest of what the entry says): the unique index is what makes an
-- overlapping statement create nothing twice.
CREATE TABLE IF NOT EXISTS bank_accounts (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    cash_account TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, account, currency)
);
CREATE TABLE IF NOT EXISTS bank_statements (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    bank_account_id TEXT NOT NULL REFERENCES bank_accounts(id),
    format          TEXT NOT NULL,
    file_digest     TEXT NOT NULL,
    bank_id         TEXT NOT NULL,
    sequence        TEXT NOT NULL,
    has_balances    INTEGER NOT NULL,
    opening         TEXT NOT NULL, -- a decimal string: a balance is a sum, of any size
    opening_date    TEXT NOT NULL,
    closing         TEXT NOT NULL,
    closing_date    TEXT NOT NULL,
    entries         INTEGER NOT NULL,
    created         INTEGER NOT NULL,
    skipped         INTEGER NOT NULL,
    imported_by     TEXT NOT NULL,
    imported_at     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bank_statements_list ON bank_statements (workspace_id, id);
CREATE INDEX IF NOT EXISTS bank_statements_file ON bank_statements (workspace_id, file_digest);
CREATE TABLE IF NOT EXISTS bank_lines (
    workspace_id         TEXT NOT NULL REFERENCES workspaces(id),
    id                   TEXT PRIMARY KEY,
    bank_account_id      TEXT NOT NULL REFERENCES bank_accounts(id),
    statement_id         TEXT NOT NULL REFERENCES bank_statements(id),
    key                  TEXT NOT NULL,
    status               TEXT NOT NULL,
    amount               BIGINT NOT NULL CHECK (amount >= 0),
    currency             TEXT NOT NULL,
    credit               INTEGER NOT NULL,
    reversal             INTEGER NOT NULL,
    entry_status         TEXT NOT NULL,
    booking_date         TEXT NOT NULL,
    value_date           TEXT NOT NULL,
    bank_reference       TEXT NOT NULL,
    batch                TEXT NOT NULL,
    entry_reference      TEXT NOT NULL,
    end_to_end_id        TEXT NOT NULL,
    transaction_id       TEXT NOT NULL,
    counterparty_name    TEXT NOT NULL,
    counterparty_iban    TEXT NOT NULL,
    remittance_text      TEXT NOT NULL,
    structured_reference TEXT NOT NULL,
    document_numbers     TEXT NOT NULL,
    additional_info      TEXT NOT NULL,
    transaction_code     TEXT NOT NULL,
    charges              BIGINT NOT NULL CHECK (charges >= 0),
    payment_id           TEXT NOT NULL DEFAULT '',
    match_kind           TEXT NOT NULL DEFAULT '', -- recorded (applying made the payment) or linked
    ignore_reason        TEXT NOT NULL DEFAULT '',
    created_at           TEXT NOT NULL,
    UNIQUE (workspace_id, bank_account_id, key)
);
CREATE INDEX IF NOT EXISTS bank_lines_list ON bank_lines (workspace_id, id);
CREATE INDEX IF NOT EXISTS bank_lines_status ON bank_lines (workspace_id, status, id);
CREATE INDEX IF NOT EXISTS bank_lines_batch ON bank_lines (workspace_id, bank_account_id, batch) WHERE batch <> '';
-- The customer an IBAN paid for before: the latest matched line from it.
CREATE INDEX IF NOT EXISTS bank_lines_iban ON bank_lines (workspace_id, counterparty_iban, id) WHERE status = 'matched';
-- Invoices by the body of their ISO 11649 creditor reference: the number without separators, in
-- capitals (finapp.CreditorReference); the expression is sqlstore's rfBodyOf.
CREATE INDEX IF NOT EXISTS invoices_rf ON invoices (workspace_id, upper(replace(replace(replace(replace(replace(replace(replace(
    number, '-', ''), '/', ''), ' ', ''), '.', ''), '_', ''), '#', ''), ':', '')));
-- How each bank writes its CSV statements: the template as JSON, read and checked by the books.
CREATE TABLE IF NOT EXISTS bank_csv_templates (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    spec         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);
-- Matching rules (docs/reconciliation.md): conditions and action as JSON, read and checked by the
-- books; hits count the lines applied by a rule's proposal.
CREATE TABLE IF NOT EXISTS matching_rules (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    priority     INTEGER NOT NULL,
    spec         TEXT NOT NULL,
    hits         BIGINT NOT NULL DEFAULT 0,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, name)
);

-- +goose Down
DROP TABLE IF EXISTS matching_rules;
DROP INDEX IF EXISTS invoices_rf;
DROP TABLE IF EXISTS bank_csv_templates;
DROP TABLE IF EXISTS bank_lines;
DROP TABLE IF EXISTS bank_statements;
DROP TABLE IF EXISTS bank_accounts;
