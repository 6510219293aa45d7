-- +goose NO TRANSACTION
-- +goose Up
-- The billing system's id for an invoice or a customer (unique in the workspace when set) and its
-- free-form notes, stored as JSON text with sorted keys. The columns are added without a rewrite
-- (nullable, constant default) and the indexes built CONCURRENTLY, so that writes go on while a
-- big table is indexed (docs/architecture.md, "Migrations that do not stop writes").
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS external_id TEXT;
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS invoices_external_id ON invoices (workspace_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS external_id TEXT;
ALTER TABLE organizations ADD COLUMN IF NOT EXISTS metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS organizations_external_id ON organizations (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX IF EXISTS organizations_external_id;
ALTER TABLE organizations DROP COLUMN IF EXISTS metadata;
ALTER TABLE organizations DROP COLUMN IF EXISTS external_id;
DROP INDEX IF EXISTS invoices_external_id;
ALTER TABLE invoices DROP COLUMN IF EXISTS metadata;
ALTER TABLE invoices DROP COLUMN IF EXISTS external_id;
