-- +goose Up
-- The billing system's id for an invoice or a customer (unique in the workspace when set) and its
-- free-form notes, stored as JSON text with sorted keys.
ALTER TABLE invoices ADD COLUMN external_id TEXT;
ALTER TABLE invoices ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX invoices_external_id ON invoices (workspace_id, external_id) WHERE external_id IS NOT NULL;
ALTER TABLE organizations ADD COLUMN external_id TEXT;
ALTER TABLE organizations ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX organizations_external_id ON organizations (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX organizations_external_id;
ALTER TABLE organizations DROP COLUMN metadata;
ALTER TABLE organizations DROP COLUMN external_id;
DROP INDEX invoices_external_id;
ALTER TABLE invoices DROP COLUMN metadata;
ALTER TABLE invoices DROP COLUMN external_id;
