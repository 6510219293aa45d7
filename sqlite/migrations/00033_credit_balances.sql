-- +goose Up
-- Each customer's prepaid credit balance per currency, kept as its journal lines are appended
-- (issue 16): a reservation reads one row instead of summing every line the customer's credit
-- account ever had, which grows with each capture. Summed in two parts like every other sum
-- (sqlstore/sums.go), so that no number of lines overflows it. The journal stays the record:
-- `finapp verify` checks each row against the sum of its lines.
CREATE TABLE credit_balances (
    workspace_id TEXT NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    hi           INTEGER NOT NULL,
    lo           INTEGER NOT NULL,
    PRIMARY KEY (workspace_id, account, currency)
) WITHOUT ROWID;
INSERT INTO credit_balances (workspace_id, account, currency, hi, lo)
    SELECT workspace_id, account, currency, SUM(amount / 4294967296), SUM(amount % 4294967296)
    FROM journal_lines WHERE account LIKE 'credit:%' GROUP BY workspace_id, account, currency;
-- +goose StatementBegin
CREATE TRIGGER journal_lines_credit_balance AFTER INSERT ON journal_lines WHEN NEW.account LIKE 'credit:%'
BEGIN
    INSERT INTO credit_balances (workspace_id, account, currency, hi, lo)
        VALUES (NEW.workspace_id, NEW.account, NEW.currency, NEW.amount / 4294967296, NEW.amount % 4294967296)
        ON CONFLICT (workspace_id, account, currency) DO UPDATE SET hi = hi + excluded.hi, lo = lo + excluded.lo;
END;
-- +goose StatementEnd

-- +goose Down
DROP TRIGGER journal_lines_credit_balance;
DROP TABLE credit_balances;
