-- +goose Up
-- Each audit event records its position in its workspace's hash chain, written by finapp from
-- the chain head it extends. The chain's order was the row's seq, which a multi-row INSERT
-- numbers in VALUES order only by accident: neither engine promises it. The unique index also
-- refuses a fork (two events claiming the same position).
ALTER TABLE audit_events ADD COLUMN chain_no INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER audit_events_no_update;
UPDATE audit_events SET chain_no = r.n
FROM (SELECT seq, row_number() OVER (PARTITION BY workspace_id ORDER BY seq) AS n FROM audit_events) AS r
WHERE r.seq = audit_events.seq;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
-- +goose StatementEnd
CREATE UNIQUE INDEX audit_events_chain_no ON audit_events (workspace_id, chain_no);

-- +goose Down
DROP INDEX audit_events_chain_no;
DROP TRIGGER audit_events_no_update;
ALTER TABLE audit_events DROP COLUMN chain_no;
-- +goose StatementBegin
CREATE TRIGGER audit_events_no_update BEFORE UPDATE ON audit_events
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;
-- +goose StatementEnd
