-- +goose Up
-- The time a sealer linked an audit event into the chain (issue 12; docs/security.md). SQLite's
-- one writer links each event in its own transaction, so the column stays empty here; it exists
-- so that both engines read the trail alike.
ALTER TABLE audit_events ADD COLUMN sealed_at TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_events DROP COLUMN sealed_at;
