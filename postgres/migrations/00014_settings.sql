-- +goose Up
-- A workspace's settings: the time zone its business days are in, its base currency and the
-- first day (MM-DD) of its fiscal year.
ALTER TABLE workspaces ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE workspaces ADD COLUMN base_currency TEXT NOT NULL DEFAULT '';
ALTER TABLE workspaces ADD COLUMN fiscal_year_start TEXT NOT NULL DEFAULT '01-01';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN fiscal_year_start;
ALTER TABLE workspaces DROP COLUMN base_currency;
ALTER TABLE workspaces DROP COLUMN time_zone;
