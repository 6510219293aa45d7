-- +goose Up
-- Money applied to an invoice in another currency (SPEC §6.2). amount and currency stay what the
-- invoice received, which is what every invoice-side sum (aging, amounts due as of a day) reads;
-- paid_amount and paid_currency are what the payment gave, and rate the rate it was converted at.
-- All three are NULL or '' when nothing was converted: the payment gave amount itself.
ALTER TABLE allocations ADD COLUMN paid_amount INTEGER CHECK (paid_amount > 0);
ALTER TABLE allocations ADD COLUMN paid_currency TEXT;
ALTER TABLE allocations ADD COLUMN rate TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE allocations DROP COLUMN rate;
ALTER TABLE allocations DROP COLUMN paid_currency;
ALTER TABLE allocations DROP COLUMN paid_amount;
