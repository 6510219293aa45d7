-- +goose NO TRANSACTION
-- +goose Up
-- The payments list sorts by received date, newest first, on the pages (issue 13): this index
-- reads a page of it in order, ties broken by id, without sorting the workspace's payments. Built
-- CONCURRENTLY, so that writes go on while it is (docs/architecture.md).
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_received_list ON payments (workspace_id, received_on, id);

-- +goose Down
DROP INDEX CONCURRENTLY IF EXISTS payments_received_list;
