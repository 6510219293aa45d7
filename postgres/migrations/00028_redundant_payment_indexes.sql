-- +goose NO TRANSACTION
-- +goose Up
-- payments_org and payments_received are prefixes of payments_org_list and
-- payments_received_list (each with the id after): every query either served is served as well
-- by the longer one, and each recorded payment wrote two index entries for nothing. (The number
-- follows SQLite's migrations; 00026 and 00027 are SQLite's own.)
DROP INDEX CONCURRENTLY IF EXISTS payments_org;
DROP INDEX CONCURRENTLY IF EXISTS payments_received;

-- +goose Down
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_org ON payments (workspace_id, organization_id);
CREATE INDEX CONCURRENTLY IF NOT EXISTS payments_received ON payments (workspace_id, received_on);
