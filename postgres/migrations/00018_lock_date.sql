-- +goose Up
-- The workspace's lock date (period close): nothing may post with a business date on or before
-- it. '' is none.
ALTER TABLE workspaces ADD COLUMN lock_date TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE workspaces DROP COLUMN lock_date;
