-- +goose Up
-- Each customer's prepaid credit balance per currency, kept as its journal lines are appended
-- (issue 16): a reservation reads one row instead of summing every line the customer's credit
-- account ever had, which grows with each capture. Summed in two parts like every other sum
-- (sqlstore/sums.go), so that no number of lines overflows it. The journal stays the record:
-- `finapp verify` checks each row against the sum of its lines. Only credit accounts: a running
-- balance of a shared account (revenue, cash) would make every write wait on one row.
CREATE TABLE IF NOT EXISTS credit_balances (
    workspace_id TEXT NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    hi           BIGINT NOT NULL,
    lo           BIGINT NOT NULL,
    PRIMARY KEY (workspace_id, account, currency)
);
-- +goose StatementBegin
CREATE OR REPLACE FUNCTION journal_lines_credit_balance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO credit_balances (workspace_id, account, currency, hi, lo)
        VALUES (NEW.workspace_id, NEW.account, NEW.currency, NEW.amount / 4294967296, NEW.amount % 4294967296)
        ON CONFLICT (workspace_id, account, currency)
        DO UPDATE SET hi = credit_balances.hi + excluded.hi, lo = credit_balances.lo + excluded.lo;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
-- The trigger and the backfill in one transaction (goose's), appends waiting on the SHARE lock for
-- the backfill (a sum over the credit accounts' lines by index): no line counted twice or missed.
LOCK TABLE journal_lines IN SHARE MODE;
DELETE FROM credit_balances;
INSERT INTO credit_balances (workspace_id, account, currency, hi, lo)
    SELECT workspace_id, account, currency, SUM(amount / 4294967296), SUM(amount % 4294967296)
    FROM journal_lines WHERE account LIKE 'credit:%' GROUP BY workspace_id, account, currency;
DROP TRIGGER IF EXISTS journal_lines_credit_balance ON journal_lines;
CREATE TRIGGER journal_lines_credit_balance AFTER INSERT ON journal_lines
    FOR EACH ROW WHEN (NEW.account LIKE 'credit:%') EXECUTE FUNCTION journal_lines_credit_balance();

-- +goose Down
DROP TRIGGER IF EXISTS journal_lines_credit_balance ON journal_lines;
DROP FUNCTION IF EXISTS journal_lines_credit_balance();
DROP TABLE IF EXISTS credit_balances;
