-- +goose Up
-- Every row carries workspace_id from the start: each query is scoped by it in the store.
CREATE TABLE workspaces (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
INSERT INTO workspaces (id, name, created_at) VALUES ('ws_default', 'Default', '2026-01-01T00:00:00Z');

CREATE TABLE tokens (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    name         TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'viewer')),
    hash         TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT,
    revoked_at   TEXT
);

CREATE TABLE organizations (
    workspace_id     TEXT NOT NULL REFERENCES workspaces(id),
    id               TEXT PRIMARY KEY,
    name             TEXT NOT NULL,
    billing_currency TEXT NOT NULL,
    status           TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    version          BIGINT NOT NULL
);
CREATE INDEX organizations_name ON organizations (workspace_id, name);

CREATE TABLE invoices (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    number          TEXT NOT NULL,
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    kind            TEXT NOT NULL CHECK (kind IN ('standard', 'proforma', 'top_up')),
    currency        TEXT NOT NULL,
    total           BIGINT NOT NULL CHECK (total > 0),
    amount_paid     BIGINT NOT NULL CHECK (amount_paid >= 0 AND amount_paid <= total),
    issued_on       TEXT NOT NULL,
    due_on          TEXT NOT NULL,
    status          TEXT NOT NULL,
    provisioned_at  TEXT,
    voided_at       TEXT,
    created_at      TEXT NOT NULL,
    version         BIGINT NOT NULL,
    UNIQUE (workspace_id, number)
);
CREATE INDEX invoices_org ON invoices (workspace_id, organization_id, due_on, issued_on, number);
CREATE INDEX invoices_issued ON invoices (workspace_id, issued_on);

CREATE TABLE payments (
    workspace_id       TEXT NOT NULL REFERENCES workspaces(id),
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT REFERENCES organizations(id),
    amount             BIGINT NOT NULL CHECK (amount > 0),
    currency           TEXT NOT NULL,
    received_on        TEXT NOT NULL,
    method             TEXT NOT NULL,
    reference          TEXT NOT NULL,
    invoice_hint       TEXT NOT NULL,
    remark             TEXT NOT NULL,
    allocated          BIGINT NOT NULL CHECK (allocated >= 0),
    topped_up          BIGINT NOT NULL CHECK (topped_up >= 0),
    version            BIGINT NOT NULL,
    assignment_changes BIGINT NOT NULL CHECK (assignment_changes BETWEEN 0 AND 5),
    created_by         TEXT NOT NULL,
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    deleted_at         TEXT,
    CHECK (allocated + topped_up <= amount)
);
CREATE INDEX payments_org ON payments (workspace_id, organization_id);
CREATE INDEX payments_received ON payments (workspace_id, received_on);

CREATE TABLE allocations (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    payment_id   TEXT NOT NULL REFERENCES payments(id),
    invoice_id   TEXT NOT NULL REFERENCES invoices(id),
    amount       BIGINT NOT NULL CHECK (amount > 0),
    currency     TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    released_at  TEXT,
    released_by  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX allocations_payment ON allocations (payment_id);
CREATE INDEX allocations_invoice ON allocations (invoice_id);

CREATE TABLE top_ups (
    workspace_id    TEXT NOT NULL REFERENCES workspaces(id),
    id              TEXT PRIMARY KEY,
    payment_id      TEXT NOT NULL REFERENCES payments(id),
    organization_id TEXT NOT NULL REFERENCES organizations(id),
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX top_ups_payment ON top_ups (payment_id);

CREATE TABLE journal_entries (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    at           TEXT NOT NULL,
    operation    TEXT NOT NULL,
    entity_id    TEXT NOT NULL
);

CREATE TABLE journal_lines (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    entry_seq    BIGINT NOT NULL REFERENCES journal_entries(seq),
    line_no      BIGINT NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount <> 0), -- debit > 0, credit < 0
    PRIMARY KEY (entry_seq, line_no)
);
CREATE INDEX journal_lines_account ON journal_lines (workspace_id, account, currency);

CREATE TABLE audit_events (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    action       TEXT NOT NULL,
    entity       TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    before       TEXT NOT NULL,
    after        TEXT NOT NULL,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE INDEX audit_events_entity ON audit_events (workspace_id, entity_id);

-- The audit trail is append-only: the database itself refuses edits and deletions.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();

-- Transactional outbox (SPEC §6): delivery comes with the webhooks feature.
CREATE TABLE events (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    type         TEXT NOT NULL,
    entity_id    TEXT NOT NULL,
    payload      TEXT NOT NULL,
    at           TEXT NOT NULL,
    delivered_at TEXT
);

CREATE TABLE idempotency_keys (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    key          TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    status       BIGINT NOT NULL, -- 0 while the first request is in flight
    header       TEXT NOT NULL,
    body         BYTEA,
    created_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE events;
DROP TABLE audit_events;
DROP FUNCTION audit_events_append_only;
DROP TABLE journal_lines;
DROP TABLE journal_entries;
DROP TABLE top_ups;
DROP TABLE allocations;
DROP TABLE payments;
DROP TABLE invoices;
DROP TABLE organizations;
DROP TABLE tokens;
DROP TABLE workspaces;
