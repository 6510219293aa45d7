-- +goose Up
-- Books kept by a finapp from before 2026-12-02 have audit trails without the events of
-- allocations and top-ups, so that verify cannot replay them into the books they hold: each
-- such workspace is noted here, with the last audit event of its incomplete trail, and verify
-- checks its chain and every other invariant but does not replay it (docs/operations.md).
CREATE TABLE replay_baselines (
    workspace_id TEXT PRIMARY KEY REFERENCES workspaces(id),
    through_seq  BIGINT NOT NULL,
    noted_at     TEXT NOT NULL
);
INSERT INTO replay_baselines (workspace_id, through_seq, noted_at)
SELECT w.id, COALESCE((SELECT MAX(e.seq) FROM audit_events e WHERE e.workspace_id = w.id), 0), to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
FROM workspaces w
WHERE EXISTS (SELECT 1 FROM allocations a WHERE a.workspace_id = w.id
              AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.workspace_id = w.id AND e.entity_id = a.id))
   OR EXISTS (SELECT 1 FROM top_ups t WHERE t.workspace_id = w.id
              AND NOT EXISTS (SELECT 1 FROM audit_events e WHERE e.workspace_id = w.id AND e.entity_id = t.id));

-- +goose Down
DROP TABLE replay_baselines;
