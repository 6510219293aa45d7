-- +goose Up
-- Reports over a million invoices and payments (docs/benchmarks.md §7), answered from indexes
-- instead of a pass over every row (sqlstore/report.go says which query uses which).

-- Aging now: only invoices with money due today are read (most invoices are paid or void), in
-- organization order and without touching the table. The WHERE is repeated word for word in
-- the query: that is how SQLite and PostgreSQL know the partial index applies. voided_at, always
-- null here, is a column too: without it SQLite read every row of the table as well.
CREATE INDEX invoices_open_aging ON invoices (workspace_id, organization_id, currency, due_on, issued_on, total, amount_paid, voided_at)
    WHERE voided_at IS NULL AND amount_paid < total;

-- Aging as of a past date starts from today's amounts and undoes what changed since: the
-- allocations made (and still active) or released since then, and the invoices voided since.
-- released_at (always null in the first) and id are there so that SQLite reads the indexes alone.
CREATE INDEX allocations_active_created ON allocations (workspace_id, created_at, invoice_id, amount, released_at)
    WHERE released_at IS NULL;
CREATE INDEX allocations_released ON allocations (workspace_id, released_at, created_at, invoice_id, amount)
    WHERE released_at IS NOT NULL;
CREATE INDEX invoices_voided ON invoices (workspace_id, voided_at, id)
    WHERE voided_at IS NOT NULL;

-- Receipts: live payments by day, currency and method, read from the index alone (deleted_at,
-- always null here, for SQLite's sake as above) and already in the order the report groups them.
CREATE INDEX payments_receipts ON payments (workspace_id, received_on, currency, method, amount, deleted_at)
    WHERE deleted_at IS NULL;

-- +goose Down
DROP INDEX payments_receipts;
DROP INDEX invoices_voided;
DROP INDEX allocations_released;
DROP INDEX allocations_active_created;
DROP INDEX invoices_open_aging;
