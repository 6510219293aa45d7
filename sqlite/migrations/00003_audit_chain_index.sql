-- +goose Up
-- Extending a workspace's audit chain reads its last event (ORDER BY seq DESC LIMIT 1) on every
-- write; without this index SQLite sorted the whole trail each time (docs/benchmarks.md §1).
CREATE INDEX audit_events_chain ON audit_events (workspace_id, seq);

-- +goose Down
DROP INDEX audit_events_chain;
