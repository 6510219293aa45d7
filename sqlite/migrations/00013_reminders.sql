-- +goose Up
-- Payment reminders (SPEC §6.6): the workspace's levels, in days overdue, and the reminder each
-- overdue invoice has reached, one row per level, so that a level is due once.
ALTER TABLE workspaces ADD COLUMN reminder_levels TEXT NOT NULL DEFAULT '7,14,30';
CREATE TABLE invoice_reminders (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    id           TEXT PRIMARY KEY,
    invoice_id   TEXT NOT NULL REFERENCES invoices(id),
    level        INTEGER NOT NULL CHECK (level > 0),
    due_on       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    UNIQUE (workspace_id, invoice_id, level)
);
CREATE INDEX invoice_reminders_due ON invoice_reminders (workspace_id, due_on, id);

-- +goose Down
DROP TABLE invoice_reminders;
ALTER TABLE workspaces DROP COLUMN reminder_levels;
