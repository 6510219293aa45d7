-- +goose Up
-- The billing or payment system's id for a payment (unique in the workspace when set) and its
-- notes, as on invoices and organizations (00012).
ALTER TABLE payments ADD COLUMN external_id TEXT;
ALTER TABLE payments ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
CREATE UNIQUE INDEX payments_external_id ON payments (workspace_id, external_id) WHERE external_id IS NOT NULL;

-- +goose Down
DROP INDEX payments_external_id;
ALTER TABLE payments DROP COLUMN metadata;
ALTER TABLE payments DROP COLUMN external_id;
