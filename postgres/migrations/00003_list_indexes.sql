-- +goose Up
-- Extending a workspace's audit chain reads its last event (ORDER BY seq DESC LIMIT 1) on every
-- write; without this index SQLite sorted the whole trail each time (docs/benchmarks.md §1).
CREATE INDEX audit_events_chain ON audit_events (workspace_id, seq);

-- Lists are newest first by id within a workspace: with these, a page reads its 50 rows instead of
-- sorting the workspace (100,000 payments: 66 ms a page before, see docs/benchmarks.md).
CREATE INDEX payments_list ON payments (workspace_id, id);
CREATE INDEX invoices_list ON invoices (workspace_id, id);
CREATE INDEX organizations_list ON organizations (workspace_id, id);
CREATE INDEX payments_org_list ON payments (workspace_id, organization_id, id);
CREATE INDEX invoices_org_list ON invoices (workspace_id, organization_id, id);

-- +goose Down
DROP INDEX invoices_org_list;
DROP INDEX payments_org_list;
DROP INDEX organizations_list;
DROP INDEX invoices_list;
DROP INDEX payments_list;
DROP INDEX audit_events_chain;
