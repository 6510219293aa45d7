-- +goose Up
-- Adjustment lines (SPEC §6.2): an allocation of kind write_off, bank_fee or discount settles part
-- of an invoice without money, for a reason. invoices.amount_paid becomes amount_settled (money
-- and adjustments: what the reports and the table's check count against the total), and
-- amount_adjusted says how much of it was not money.
ALTER TABLE invoices RENAME COLUMN amount_paid TO amount_settled;
ALTER TABLE invoices ADD COLUMN amount_adjusted INTEGER NOT NULL DEFAULT 0 CHECK (amount_adjusted >= 0 AND amount_adjusted <= amount_settled);
ALTER TABLE allocations ADD COLUMN kind TEXT NOT NULL DEFAULT 'payment';
ALTER TABLE allocations ADD COLUMN reason TEXT NOT NULL DEFAULT '';
-- An adjustment made with money for the same invoice names that money's allocation: releasing
-- the money releases it. '' for money and for an adjustment made alone.
ALTER TABLE allocations ADD COLUMN with_allocation_id TEXT NOT NULL DEFAULT '';
-- The largest write-off an invoice in the currency may carry; a currency not here tolerates none.
CREATE TABLE write_off_tolerances (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    currency     TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount >= 0),
    PRIMARY KEY (workspace_id, currency)
);

-- +goose Down
DROP TABLE write_off_tolerances;
ALTER TABLE allocations DROP COLUMN with_allocation_id;
ALTER TABLE allocations DROP COLUMN reason;
ALTER TABLE allocations DROP COLUMN kind;
ALTER TABLE invoices DROP COLUMN amount_adjusted;
ALTER TABLE invoices RENAME COLUMN amount_settled TO amount_paid;
