-- +goose NO TRANSACTION
-- +goose Up
-- The billing or payment system's id for a payment (unique in the workspace when set) and its
-- notes, as on invoices and organizations (00012): no rewrite, the index built CONCURRENTLY.
ALTER TABLE payments ADD COLUMN IF NOT EXISTS external_id TEXT;
ALTER TABLE payments ADD COLUMN IF NOT EXISTS metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS payments_external_id ON payments (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS payments_external_id;
ALTER TABLE payments DROP COLUMN IF EXISTS metadata;
ALTER TABLE payments DROP COLUMN IF EXISTS external_id;
