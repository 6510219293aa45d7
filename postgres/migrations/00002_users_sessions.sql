-- +goose Up
CREATE TABLE users (
    workspace_id  TEXT NOT NULL REFERENCES workspaces(id),
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'finance', 'viewer')),
    password_hash TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled_at   TEXT
);
CREATE INDEX users_workspace ON users (workspace_id);

CREATE TABLE sessions (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users(id),
    hash         TEXT NOT NULL UNIQUE,
    address      TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE login_attempts (
    email   TEXT NOT NULL,
    address TEXT NOT NULL,
    ok      BIGINT NOT NULL,
    at      TEXT NOT NULL
);
CREATE INDEX login_attempts_email ON login_attempts (email, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE UNIQUE INDEX workspaces_name ON workspaces (name);
CREATE INDEX tokens_workspace ON tokens (workspace_id);

-- Where a change came from (the client's address), for the audit trail.
ALTER TABLE audit_events ADD COLUMN source TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE audit_events DROP COLUMN source;
DROP INDEX tokens_workspace;
DROP INDEX workspaces_name;
DROP TABLE login_attempts;
DROP TABLE sessions;
DROP TABLE users;
