-- +goose Up
-- What an import's lines hold: payments (the only kind before), invoices or organizations.
ALTER TABLE imports ADD COLUMN kind TEXT NOT NULL DEFAULT 'payments';

-- +goose Down
ALTER TABLE imports DROP COLUMN kind;
