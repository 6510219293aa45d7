-- +goose Up
-- Journal lines are stored in their primary key's order, (entry_seq, line_no), with no rowid:
-- a line was a row in the table and an entry in the primary key's index, two B-trees to write
-- for each of the two or more lines of every entry. They are narrow and only ever read by entry
-- or through journal_lines_account, so one B-tree serves (docs/benchmarks.md, run Q).
CREATE TABLE journal_lines_by_entry (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    entry_seq    INTEGER NOT NULL REFERENCES journal_entries(seq),
    line_no      INTEGER NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount <> 0), -- debit > 0, credit < 0
    PRIMARY KEY (entry_seq, line_no)
) WITHOUT ROWID;
INSERT INTO journal_lines_by_entry (workspace_id, entry_seq, line_no, account, currency, amount)
    SELECT workspace_id, entry_seq, line_no, account, currency, amount FROM journal_lines ORDER BY entry_seq, line_no;
DROP TABLE journal_lines;
ALTER TABLE journal_lines_by_entry RENAME TO journal_lines;
CREATE INDEX journal_lines_account ON journal_lines (workspace_id, account, currency);

-- +goose Down
CREATE TABLE journal_lines_with_rowid (
    workspace_id TEXT NOT NULL REFERENCES workspaces(id),
    entry_seq    INTEGER NOT NULL REFERENCES journal_entries(seq),
    line_no      INTEGER NOT NULL,
    account      TEXT NOT NULL,
    currency     TEXT NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount <> 0), -- debit > 0, credit < 0
    PRIMARY KEY (entry_seq, line_no)
);
INSERT INTO journal_lines_with_rowid (workspace_id, entry_seq, line_no, account, currency, amount)
    SELECT workspace_id, entry_seq, line_no, account, currency, amount FROM journal_lines ORDER BY entry_seq, line_no;
DROP TABLE journal_lines;
ALTER TABLE journal_lines_with_rowid RENAME TO journal_lines;
CREATE INDEX journal_lines_account ON journal_lines (workspace_id, account, currency);
