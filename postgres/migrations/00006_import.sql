-- +goose Up
-- Payment files imported with `finapp import payments` (docs/import.md). A file is known by the
-- SHA-256 of its bytes, once per workspace: importing it again records nothing twice. `done`
-- counts the payments recorded so far and moves in the same transaction as each chunk of them,
-- so an interrupted import resumes exactly where it stopped.
CREATE TABLE imports (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    digest       TEXT NOT NULL,
    name         TEXT NOT NULL,
    lines        INTEGER NOT NULL CHECK (lines > 0),
    done         INTEGER NOT NULL CHECK (done BETWEEN 0 AND lines),
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    completed_at TEXT,
    UNIQUE (workspace_id, digest)
);

-- +goose Down
DROP TABLE imports;
