-- +goose Up
-- Each outbox event has its position in its workspace's feed, from 1 without gaps, in the order
-- the transactions that wrote them committed (finapp numbers them under the workspace's audit
-- chain lock): a consumer that has seen through N asks for what comes after N and misses
-- nothing. The unique index refuses two events at one position.
ALTER TABLE events ADD COLUMN sequence INTEGER NOT NULL DEFAULT 0;
UPDATE events SET sequence = r.n
FROM (SELECT seq, row_number() OVER (PARTITION BY workspace_id ORDER BY seq) AS n FROM events) AS r
WHERE r.seq = events.seq;
CREATE UNIQUE INDEX events_sequence ON events (workspace_id, sequence);
CREATE INDEX events_type ON events (workspace_id, type, sequence);

-- +goose Down
DROP INDEX events_type;
DROP INDEX events_sequence;
ALTER TABLE events DROP COLUMN sequence;
