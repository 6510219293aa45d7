-- +goose Up
-- A login attempt is stored as a failure before its password is checked, and marked ok by its id
-- once the password matched (docs/security.md, Login throttling). Older attempts have no id.
ALTER TABLE login_attempts ADD COLUMN id TEXT;
CREATE INDEX login_attempts_id ON login_attempts (id);

-- +goose Down
DROP INDEX login_attempts_id;
ALTER TABLE login_attempts DROP COLUMN id;
