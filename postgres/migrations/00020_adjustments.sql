-- +goose NO TRANSACTION
-- +goose Up
-- Adjustment lines (SPEC §6.2): an allocation of kind write_off, bank_fee or discount settles part
-- of an invoice without money, for a reason. invoices.amount_paid becomes amount_settled (money
-- and adjustments: what the reports and the table's check count against the total), and
-- amount_adjusted says how much of it was not money. The rename and the columns with constant
-- defaults change no row; the CHECK is added NOT VALID and validated on its own, which reads the
-- table without stopping writes. Each statement commits on its own and can run again.
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM information_schema.columns
               WHERE table_schema = current_schema() AND table_name = 'invoices' AND column_name = 'amount_paid') THEN
        ALTER TABLE invoices RENAME COLUMN amount_paid TO amount_settled;
    END IF;
END
$$;
-- +goose StatementEnd
ALTER TABLE invoices ADD COLUMN IF NOT EXISTS amount_adjusted BIGINT NOT NULL DEFAULT 0;
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_amount_adjusted_check;
ALTER TABLE invoices ADD CONSTRAINT invoices_amount_adjusted_check CHECK (amount_adjusted >= 0 AND amount_adjusted <= amount_settled) NOT VALID;
ALTER TABLE invoices VALIDATE CONSTRAINT invoices_amount_adjusted_check;
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS kind TEXT NOT NULL DEFAULT 'payment';
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS reason TEXT NOT NULL DEFAULT '';
-- An adjustment made with money for the same invoice names that money's allocation: releasing
-- the money releases it. '' for money and for an adjustment made alone.
ALTER TABLE allocations ADD COLUMN IF NOT EXISTS with_allocation_id TEXT NOT NULL DEFAULT '';
-- The largest write-off an invoice in the currency may carry; a currency not here tolerates none.
CREATE TABLE IF NOT EXISTS write_off_tolerances (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    currency     TEXT NOT NULL,
    amount       BIGINT NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (workspace_id, currency)
);

-- +goose Down
DROP TABLE IF EXISTS write_off_tolerances;
ALTER TABLE allocations DROP COLUMN IF EXISTS with_allocation_id;
ALTER TABLE allocations DROP COLUMN IF EXISTS reason;
ALTER TABLE allocations DROP COLUMN IF EXISTS kind;
ALTER TABLE invoices DROP CONSTRAINT IF EXISTS invoices_amount_adjusted_check;
ALTER TABLE invoices DROP COLUMN IF EXISTS amount_adjusted;
ALTER TABLE invoices RENAME COLUMN amount_settled TO amount_paid;
