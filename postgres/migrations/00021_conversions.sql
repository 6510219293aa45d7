-- +goose NO TRANSACTION
-- +goose Up
-- Money applied to an invoice in another currency (SPEC §6.2). amount and currency stay what the
-- invoice received, which is what every invoice-side sum (aging, amounts due as of a day) reads;
-- paid_amount and paid_currency are what the payment gave, and rate the rate it was converted at.
-- All three are NULL or '' when nothing was converted: the payment gave amount itself. Nullable
-- columns and a constant default rewrite no row; the CHECK is added NOT VALID, then validated.
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS paid_amount BIGINT;
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS paid_currency TEXT;
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS rate TEXT NOT NULL DEFAULT '';
ALTER TABLE allocations DROP CONSTRAINT IF EXISTS allocations_paid_amount_check;
ALTER TABLE allocations ADD CONSTRAINT allocations_paid_amount_check CHECK (paid_amount > 0) NOT VALID;
ALTER TABLE allocations VALIDATE CONSTRAINT allocations_paid_amount_check;

-- +goose Down
ALTER TABLE allocations DROP CONSTRAINT IF EXISTS allocations_paid_amount_check;
ALTER TABLE allocations DROP COLUMN IF EXISTS rate;
ALTER TABLE allocations DROP COLUMN IF EXISTS paid_currency;
ALTER TABLE allocations DROP COLUMN IF EXISTS paid_amount;
