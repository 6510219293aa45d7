package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// BankAccountByNumber implements finapp.Tx.
func (tx *Tx) BankAccountByNumber(ctx context.Context, account string, cur money.Currency) (*finapp.BankAccount, error) {
	var a finapp.BankAccount
	var created string
	err := tx.queryRow(ctx, `SELECT id, account, currency, cash_account, created_at FROM bank_accounts
		WHERE workspace_id = ? AND account = ? AND currency = ?`, tx.ws, account, cur).
		Scan(&a.ID, &a.Account, &a.Currency, &a.CashAccount, &created)
	a.CreatedAt = parseTS(created)
	return &a, notFound(err, "bank account", account+" "+string(cur))
}

// CreateBankAccount implements finapp.Tx.
func (tx *Tx) CreateBankAccount(ctx context.Context, a *finapp.BankAccount) error {
	_, err := tx.exec(ctx, `INSERT INTO bank_accounts (workspace_id, id, account, currency, cash_account, created_at)
		VALUES (?, ?, ?, ?, ?, ?)`, tx.ws, a.ID, a.Account, a.Currency, a.CashAccount, ts(a.CreatedAt))
	return err
}

// ListBankAccounts implements finapp.Tx.
func (tx *Tx) ListBankAccounts(ctx context.Context) ([]*finapp.BankAccount, error) {
	rows, err := tx.query(ctx, `SELECT id, account, currency, cash_account, created_at FROM bank_accounts
		WHERE workspace_id = ? ORDER BY account, currency`, tx.ws)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (*finapp.BankAccount, error) {
		var a finapp.BankAccount
		var created string
		err := s.Scan(&a.ID, &a.Account, &a.Currency, &a.CashAccount, &created)
		a.CreatedAt = parseTS(created)
		return &a, err
	})
}

const bankStatementColumns = `s.id, s.bank_account_id, a.account, a.currency, s.format, s.file_digest, s.bank_id, s.sequence,
	s.has_balances, s.opening, s.opening_date, s.closing, s.closing_date, s.entries, s.created, s.skipped, s.imported_by,
	s.imported_at`

func scanBankStatement(s scanner) (*finapp.BankStatementRecord, error) {
	var r finapp.BankStatementRecord
	var balances int
	var opening, closing, imported string
	err := s.Scan(&r.ID, &r.BankAccountID, &r.Account, &r.Currency, &r.Format, &r.FileDigest, &r.BankID, &r.Sequence,
		&balances, &opening, &r.OpeningDate, &closing, &r.ClosingDate, &r.Entries, &r.Created, &r.Skipped, &r.ImportedBy, &imported)
	if err != nil {
		return nil, err
	}
	r.HasBalances, r.ImportedAt = balances == 1, parseTS(imported)
	if r.Opening, err = money.ParseSum(opening, r.Currency); err != nil {
		return nil, err
	}
	r.Closing, err = money.ParseSum(closing, r.Currency)
	return &r, err
}

// BankFileStatements implements finapp.Tx.
func (tx *Tx) BankFileStatements(ctx context.Context, digest string) ([]*finapp.BankStatementRecord, error) {
	rows, err := tx.query(ctx, `SELECT `+bankStatementColumns+` FROM bank_statements s
		JOIN bank_accounts a ON a.id = s.bank_account_id WHERE s.workspace_id = ? AND s.file_digest = ? ORDER BY s.id`, tx.ws, digest)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanBankStatement)
}

// CreateBankStatement implements finapp.Tx.
func (tx *Tx) CreateBankStatement(ctx context.Context, r *finapp.BankStatementRecord) error {
	_, err := tx.exec(ctx, `INSERT INTO bank_statements (workspace_id, id, bank_account_id, format, file_digest, bank_id, sequence,
		has_balances, opening, opening_date, closing, closing_date, entries, created, skipped, imported_by, imported_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, r.ID, r.BankAccountID, r.Format, r.FileDigest, r.BankID, r.Sequence, boolInt(r.HasBalances),
		r.Opening.Format(r.Currency), r.OpeningDate, r.Closing.Format(r.Currency), r.ClosingDate, r.Entries, r.Created, r.Skipped,
		r.ImportedBy, ts(r.ImportedAt))
	return err
}

// CompleteBankStatement implements finapp.Tx.
func (tx *Tx) CompleteBankStatement(ctx context.Context, r *finapp.BankStatementRecord) error {
	_, err := tx.exec(ctx, `UPDATE bank_statements SET file_digest = ?, entries = ?, created = ?, skipped = ?, bank_id = ?, sequence = ?,
		has_balances = ?, opening = ?, opening_date = ?, closing = ?, closing_date = ? WHERE workspace_id = ? AND id = ?`,
		r.FileDigest, r.Entries, r.Created, r.Skipped, r.BankID, r.Sequence, boolInt(r.HasBalances), r.Opening.Format(r.Currency),
		r.OpeningDate, r.Closing.Format(r.Currency), r.ClosingDate, tx.ws, r.ID)
	return err
}

// BankStatement implements finapp.Tx.
func (tx *Tx) BankStatement(ctx context.Context, id string) (*finapp.BankStatementRecord, error) {
	r, err := scanBankStatement(tx.queryRow(ctx, `SELECT `+bankStatementColumns+` FROM bank_statements s
		JOIN bank_accounts a ON a.id = s.bank_account_id WHERE s.workspace_id = ? AND s.id = ?`, tx.ws, id))
	return r, notFound(err, "bank statement", id)
}

// ListBankStatements implements finapp.Tx, newest first.
func (tx *Tx) ListBankStatements(ctx context.Context, f finapp.BankStatementFilter) ([]*finapp.BankStatementRecord, string, error) {
	var wh where
	wh.add(`s.workspace_id = ?`, tx.ws)
	if f.BankAccountID != "" {
		wh.add(`s.bank_account_id = ?`, f.BankAccountID)
	}
	if f.Cursor != "" {
		wh.add(`s.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+bankStatementColumns+` FROM bank_statements s JOIN bank_accounts a ON a.id = s.bank_account_id`+
		wh.sql()+` ORDER BY s.id DESC LIMIT ?`, append(wh.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanBankStatement)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(r *finapp.BankStatementRecord) string { return r.ID })
}

// BankLineKeys implements finapp.Tx.
func (tx *Tx) BankLineKeys(ctx context.Context, accountID string, keys []string) (map[string]string, error) {
	have := map[string]string{}
	if len(keys) == 0 {
		return have, nil
	}
	args := make([]any, 0, len(keys)+2)
	args = append(args, tx.ws, accountID)
	for _, k := range keys {
		args = append(args, k)
	}
	rows, err := tx.query(ctx, `SELECT key, statement_id FROM bank_lines WHERE workspace_id = ? AND bank_account_id = ? AND key IN (`+
		placeholders(len(keys))+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, st string
		if err := rows.Scan(&k, &st); err != nil {
			return nil, err
		}
		have[k] = st
	}
	return have, rows.Err()
}

const bankLineInsertColumns = `workspace_id, id, bank_account_id, statement_id, key, status, amount, currency, credit, reversal,
	entry_status, booking_date, value_date, bank_reference, batch, entry_reference, end_to_end_id, transaction_id,
	counterparty_name, counterparty_iban, remittance_text, structured_reference, document_numbers, additional_info,
	transaction_code, charges, payment_id, match_kind, ignore_reason, created_at`

// bankLineFields is how many columns a bank line is written in.
const bankLineFields = 30

// CreateBankLines implements finapp.Tx, in one statement: a line whose key the account has
// already is left out by the unique index itself (ON CONFLICT DO NOTHING), which also keeps the
// cost of a chunk from growing with the lines of the transaction before it.
func (tx *Tx) CreateBankLines(ctx context.Context, lines []*finapp.BankLine) (map[string]bool, error) {
	created := make(map[string]bool, len(lines))
	if len(lines) == 0 {
		return created, nil
	}
	if tx.db.dialect.ArrayParams {
		return tx.createBankLineArrays(ctx, lines)
	}
	row := "(" + placeholders(bankLineFields) + ")"
	var b strings.Builder
	args := make([]any, 0, len(lines)*bankLineFields)
	for i, l := range lines {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(row)
		args = append(args, tx.ws, l.ID, l.BankAccountID, l.StatementID, l.Key, l.Status, int64(l.Amount), l.Currency,
			boolInt(l.Credit), boolInt(l.Reversal), l.EntryStatus, l.BookingDate, l.ValueDate, l.BankReference, l.Batch,
			l.EntryReference, l.EndToEndID, l.TransactionID, l.CounterpartyName, l.CounterpartyIBAN, l.RemittanceText,
			l.StructuredReference, strings.Join(l.DocumentNumbers, "\n"), l.AdditionalInfo, l.TransactionCode, int64(l.Charges),
			l.PaymentID, l.MatchKind, l.IgnoreReason, ts(l.CreatedAt))
	}
	return tx.createdKeys(ctx, `INSERT INTO bank_lines (`+bankLineInsertColumns+`) VALUES `+b.String()+
		` ON CONFLICT (workspace_id, bank_account_id, key) DO NOTHING RETURNING key`, args, len(lines))
}

// bankLineArrays is CreateBankLines' row of arrays, one per column but the workspace, in the
// order of bankLineInsertColumns.
const bankLineArrays = `CAST(? AS text), * FROM unnest(CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
	CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS integer[]), CAST(? AS integer[]),
	CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
	CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]),
	CAST(? AS text[]), CAST(? AS text[]), CAST(? AS text[]), CAST(? AS bigint[]), CAST(? AS text[]), CAST(? AS text[]),
	CAST(? AS text[]), CAST(? AS text[]))`

// createBankLineArrays is CreateBankLines with each column sent as one array (ArrayParams).
func (tx *Tx) createBankLineArrays(ctx context.Context, lines []*finapp.BankLine) (map[string]bool, error) {
	n := len(lines)
	text := func(f func(l *finapp.BankLine) string) []string {
		out := make([]string, n)
		for i, l := range lines {
			out[i] = f(l)
		}
		return out
	}
	whole := func(f func(l *finapp.BankLine) int64) []int64 {
		out := make([]int64, n)
		for i, l := range lines {
			out[i] = f(l)
		}
		return out
	}
	args := []any{tx.ws,
		text(func(l *finapp.BankLine) string { return l.ID }),
		text(func(l *finapp.BankLine) string { return l.BankAccountID }),
		text(func(l *finapp.BankLine) string { return l.StatementID }),
		text(func(l *finapp.BankLine) string { return l.Key }),
		text(func(l *finapp.BankLine) string { return l.Status }),
		whole(func(l *finapp.BankLine) int64 { return int64(l.Amount) }),
		text(func(l *finapp.BankLine) string { return string(l.Currency) }),
		whole(func(l *finapp.BankLine) int64 { return int64(boolInt(l.Credit)) }),
		whole(func(l *finapp.BankLine) int64 { return int64(boolInt(l.Reversal)) }),
		text(func(l *finapp.BankLine) string { return l.EntryStatus }),
		text(func(l *finapp.BankLine) string { return l.BookingDate }),
		text(func(l *finapp.BankLine) string { return l.ValueDate }),
		text(func(l *finapp.BankLine) string { return l.BankReference }),
		text(func(l *finapp.BankLine) string { return l.Batch }),
		text(func(l *finapp.BankLine) string { return l.EntryReference }),
		text(func(l *finapp.BankLine) string { return l.EndToEndID }),
		text(func(l *finapp.BankLine) string { return l.TransactionID }),
		text(func(l *finapp.BankLine) string { return l.CounterpartyName }),
		text(func(l *finapp.BankLine) string { return l.CounterpartyIBAN }),
		text(func(l *finapp.BankLine) string { return l.RemittanceText }),
		text(func(l *finapp.BankLine) string { return l.StructuredReference }),
		text(func(l *finapp.BankLine) string { return strings.Join(l.DocumentNumbers, "\n") }),
		text(func(l *finapp.BankLine) string { return l.AdditionalInfo }),
		text(func(l *finapp.BankLine) string { return l.TransactionCode }),
		whole(func(l *finapp.BankLine) int64 { return int64(l.Charges) }),
		text(func(l *finapp.BankLine) string { return l.PaymentID }),
		text(func(l *finapp.BankLine) string { return l.MatchKind }),
		text(func(l *finapp.BankLine) string { return l.IgnoreReason }),
		text(func(l *finapp.BankLine) string { return ts(l.CreatedAt) }),
	}
	return tx.createdKeys(ctx, `INSERT INTO bank_lines (`+bankLineInsertColumns+`) SELECT `+bankLineArrays+
		` ON CONFLICT (workspace_id, bank_account_id, key) DO NOTHING RETURNING key`, args, n)
}

// createdKeys runs an INSERT … RETURNING key and collects the keys it created.
func (tx *Tx) createdKeys(ctx context.Context, query string, args []any, n int) (map[string]bool, error) {
	created := make(map[string]bool, n)
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		created[k] = true
	}
	return created, rows.Err()
}

// SplitBankBatches implements finapp.Tx.
func (tx *Tx) SplitBankBatches(ctx context.Context, accountID string) (int, error) {
	res, err := tx.exec(ctx, `UPDATE bank_lines SET status = 'split' WHERE workspace_id = ? AND bank_account_id = ? AND status = 'unmatched'
		AND key IN (SELECT 'ref:' || d.batch FROM bank_lines d WHERE d.workspace_id = ? AND d.bank_account_id = ? AND d.batch <> '')`,
		tx.ws, accountID, tx.ws, accountID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

const bankLineColumns = `l.id, l.bank_account_id, l.statement_id, l.key, l.status, l.amount, l.currency, l.credit, l.reversal,
	l.entry_status, l.booking_date, l.value_date, l.bank_reference, l.batch, l.entry_reference, l.end_to_end_id, l.transaction_id,
	l.counterparty_name, l.counterparty_iban, l.remittance_text, l.structured_reference, l.document_numbers, l.additional_info,
	l.transaction_code, l.charges, l.payment_id, l.match_kind, l.ignore_reason, l.created_at`

func scanBankLine(s scanner) (*finapp.BankLine, error) {
	var l finapp.BankLine
	var amount, charges int64
	var credit, reversal int
	var docs, created string
	err := s.Scan(&l.ID, &l.BankAccountID, &l.StatementID, &l.Key, &l.Status, &amount, &l.Currency, &credit, &reversal,
		&l.EntryStatus, &l.BookingDate, &l.ValueDate, &l.BankReference, &l.Batch, &l.EntryReference, &l.EndToEndID, &l.TransactionID,
		&l.CounterpartyName, &l.CounterpartyIBAN, &l.RemittanceText, &l.StructuredReference, &docs, &l.AdditionalInfo,
		&l.TransactionCode, &charges, &l.PaymentID, &l.MatchKind, &l.IgnoreReason, &created)
	l.Amount, l.Charges, l.Credit, l.Reversal, l.CreatedAt = money.Amount(amount), money.Amount(charges), credit == 1, reversal == 1, parseTS(created)
	if docs != "" {
		l.DocumentNumbers = strings.Split(docs, "\n")
	}
	return &l, err
}

// BankLine implements finapp.Tx.
func (tx *Tx) BankLine(ctx context.Context, id string) (*finapp.BankLine, error) {
	l, err := scanBankLine(tx.queryRow(ctx, `SELECT `+bankLineColumns+` FROM bank_lines l WHERE l.workspace_id = ? AND l.id = ?`+
		tx.forUpdate("l"), tx.ws, id))
	return l, notFound(err, "bank line", id)
}

// ListBankLines implements finapp.Tx, newest first.
func (tx *Tx) ListBankLines(ctx context.Context, f finapp.BankLineFilter) ([]*finapp.BankLine, string, error) {
	var wh where
	wh.add(`l.workspace_id = ?`, tx.ws)
	if f.Status != "" {
		wh.add(`l.status = ?`, f.Status)
	}
	if f.BankAccountID != "" {
		wh.add(`l.bank_account_id = ?`, f.BankAccountID)
	}
	if f.StatementID != "" {
		wh.add(`l.statement_id = ?`, f.StatementID)
	}
	if f.Cursor != "" {
		wh.add(`l.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+bankLineColumns+` FROM bank_lines l`+wh.sql()+` ORDER BY l.id DESC LIMIT ?`,
		append(wh.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanBankLine)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(l *finapp.BankLine) string { return l.ID })
}

// placeholders is n bound parameters, comma-separated.
func placeholders(n int) string { return strings.TrimSuffix(strings.Repeat("?, ", n), ", ") }

func scanBankCSVTemplate(s scanner) (*finapp.BankCSVTemplate, error) {
	var spec string
	if err := s.Scan(&spec); err != nil {
		return nil, err
	}
	var t finapp.BankCSVTemplate
	err := json.Unmarshal([]byte(spec), &t)
	return &t, err
}

// BankCSVTemplate implements finapp.Tx.
func (tx *Tx) BankCSVTemplate(ctx context.Context, id string) (*finapp.BankCSVTemplate, error) {
	t, err := scanBankCSVTemplate(tx.queryRow(ctx, `SELECT spec FROM bank_csv_templates WHERE workspace_id = ? AND id = ?`, tx.ws, id))
	return t, notFound(err, "bank CSV template", id)
}

// BankCSVTemplateByName implements finapp.Tx.
func (tx *Tx) BankCSVTemplateByName(ctx context.Context, name string) (*finapp.BankCSVTemplate, error) {
	t, err := scanBankCSVTemplate(tx.queryRow(ctx, `SELECT spec FROM bank_csv_templates WHERE workspace_id = ? AND name = ?`, tx.ws, name))
	return t, notFound(err, "bank CSV template", name)
}

// ListBankCSVTemplates implements finapp.Tx.
func (tx *Tx) ListBankCSVTemplates(ctx context.Context) ([]*finapp.BankCSVTemplate, error) {
	rows, err := tx.query(ctx, `SELECT spec FROM bank_csv_templates WHERE workspace_id = ? ORDER BY name`, tx.ws)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanBankCSVTemplate)
}

// CreateBankCSVTemplate implements finapp.Tx: the template is kept as its JSON.
func (tx *Tx) CreateBankCSVTemplate(ctx context.Context, t *finapp.BankCSVTemplate, at time.Time) error {
	spec, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO bank_csv_templates (workspace_id, id, name, spec, created_at) VALUES (?, ?, ?, ?, ?)`,
		tx.ws, t.ID, t.Name, string(spec), ts(at))
	return err
}

// UpdateBankCSVTemplate implements finapp.Tx.
func (tx *Tx) UpdateBankCSVTemplate(ctx context.Context, t *finapp.BankCSVTemplate) error {
	spec, err := json.Marshal(t)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE bank_csv_templates SET name = ?, spec = ? WHERE workspace_id = ? AND id = ?`, t.Name, string(spec), tx.ws, t.ID)
	return err
}

// DeleteBankCSVTemplate implements finapp.Tx.
func (tx *Tx) DeleteBankCSVTemplate(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `DELETE FROM bank_csv_templates WHERE workspace_id = ? AND id = ?`, tx.ws, id)
	return err
}

// rfBodyOf is the body of an invoice's creditor reference in SQL, as the invoices_rf index has
// it: the number without the separators finapp.CreditorReference leaves out, in capitals.
const rfBodyOf = `upper(replace(replace(replace(replace(replace(replace(replace(
    number, '-', ''), '/', ''), ' ', ''), '.', ''), '_', ''), '#', ''), ':', ''))`

// InvoiceIDsByRFBody implements finapp.Tx.
func (tx *Tx) InvoiceIDsByRFBody(ctx context.Context, bodies []string) (map[string][]string, error) {
	found := map[string][]string{}
	err := inChunks(bodies, func(marks string, args []any) error {
		// No ORDER BY: SQLite would rather walk every invoice in id order than sort a few
		// (the ids are sorted below).
		rows, err := tx.query(ctx, `SELECT `+rfBodyOf+`, id FROM invoices WHERE workspace_id = ? AND `+rfBodyOf+` IN (`+marks+`)`,
			append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var body, id string
			if err := rows.Scan(&body, &id); err != nil {
				return err
			}
			found[body] = append(found[body], id)
		}
		return rows.Err()
	})
	for _, ids := range found {
		slices.Sort(ids)
	}
	return found, err
}

// UpdateBankLine implements finapp.Tx: what people decided about it.
func (tx *Tx) UpdateBankLine(ctx context.Context, l *finapp.BankLine) error {
	_, err := tx.exec(ctx, `UPDATE bank_lines SET status = ?, payment_id = ?, match_kind = ?, ignore_reason = ? WHERE workspace_id = ? AND id = ?`,
		l.Status, l.PaymentID, l.MatchKind, l.IgnoreReason, tx.ws, l.ID)
	return err
}

func scanMatchingRule(s scanner) (*finapp.MatchingRule, error) {
	var spec, created string
	var hits int64
	if err := s.Scan(&spec, &hits, &created); err != nil {
		return nil, err
	}
	var r finapp.MatchingRule
	err := json.Unmarshal([]byte(spec), &r)
	r.Hits, r.CreatedAt = hits, parseTS(created)
	return &r, err
}

// MatchingRules implements finapp.Tx.
func (tx *Tx) MatchingRules(ctx context.Context) ([]*finapp.MatchingRule, error) {
	rows, err := tx.query(ctx, `SELECT spec, hits, created_at FROM matching_rules WHERE workspace_id = ? ORDER BY priority, id`, tx.ws)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanMatchingRule)
}

// MatchingRule implements finapp.Tx.
func (tx *Tx) MatchingRule(ctx context.Context, id string) (*finapp.MatchingRule, error) {
	r, err := scanMatchingRule(tx.queryRow(ctx, `SELECT spec, hits, created_at FROM matching_rules WHERE workspace_id = ? AND id = ?`, tx.ws, id))
	return r, notFound(err, "matching rule", id)
}

// CreateMatchingRule implements finapp.Tx: the rule is kept as its JSON.
func (tx *Tx) CreateMatchingRule(ctx context.Context, r *finapp.MatchingRule) error {
	spec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO matching_rules (workspace_id, id, name, priority, spec, hits, created_at) VALUES (?, ?, ?, ?, ?, 0, ?)`,
		tx.ws, r.ID, r.Name, r.Priority, string(spec), ts(r.CreatedAt))
	return err
}

// UpdateMatchingRule implements finapp.Tx.
func (tx *Tx) UpdateMatchingRule(ctx context.Context, r *finapp.MatchingRule) error {
	spec, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE matching_rules SET name = ?, priority = ?, spec = ? WHERE workspace_id = ? AND id = ?`,
		r.Name, r.Priority, string(spec), tx.ws, r.ID)
	return err
}

// DeleteMatchingRule implements finapp.Tx.
func (tx *Tx) DeleteMatchingRule(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `DELETE FROM matching_rules WHERE workspace_id = ? AND id = ?`, tx.ws, id)
	return err
}

// AddMatchingRuleHit implements finapp.Tx.
func (tx *Tx) AddMatchingRuleHit(ctx context.Context, id string) error {
	_, err := tx.exec(ctx, `UPDATE matching_rules SET hits = hits + 1 WHERE workspace_id = ? AND id = ?`, tx.ws, id)
	return err
}

// ReversibleLines implements finapp.Tx.
func (tx *Tx) ReversibleLines(ctx context.Context, accountID string, cur money.Currency, amount money.Amount, credit bool,
	onOrBefore string) ([]*finapp.BankLine, error) {
	rows, err := tx.query(ctx, `SELECT `+bankLineColumns+` FROM bank_lines l WHERE l.workspace_id = ? AND l.bank_account_id = ?
		AND l.status = 'matched' AND l.credit = ? AND l.currency = ? AND l.amount = ? AND l.booking_date <= ?
		ORDER BY l.booking_date DESC, l.id DESC LIMIT 20`, tx.ws, accountID, boolInt(credit), cur, int64(amount), onOrBefore)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanBankLine)
}
