-- +goose Up
-- Matching a bank line to a payment recorded by hand (finapp's recordedPaymentProposals): the
-- live payments of one amount received within a few days, and whether a bank line links each.
-- Without them every line read every payment of its week, and every bank line for each of those.
CREATE INDEX IF NOT EXISTS payments_amount ON payments (workspace_id, amount, received_on) WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS bank_lines_payment ON bank_lines (workspace_id, payment_id) WHERE payment_id <> '';

-- +goose Down
DROP INDEX IF EXISTS bank_lines_payment;
DROP INDEX IF EXISTS payments_amount;
