package sqlstore

import (
	"context"
	"time"

	"finapp"
	"finapp/money"
)

// ReminderLevels implements finapp.Tx.
func (tx *Tx) ReminderLevels(ctx context.Context) ([]int, error) {
	var s string
	if err := tx.queryRow(ctx, `SELECT reminder_levels FROM workspaces WHERE id = ?`, tx.ws).Scan(&s); err != nil {
		return nil, notFound(err, "workspace", tx.ws)
	}
	return finapp.ParseReminderLevels(s)
}

// SetReminderLevels implements finapp.Tx.
func (tx *Tx) SetReminderLevels(ctx context.Context, levels []int) error {
	_, err := tx.exec(ctx, `UPDATE workspaces SET reminder_levels = ? WHERE id = ?`, finapp.FormatReminderLevels(levels), tx.ws)
	return err
}

// withLastLevel scans invoiceColumns followed by the highest reminder level reached.
type withLastLevel struct {
	s     scanner
	level *int
}

func (w withLastLevel) Scan(dest ...any) error { return w.s.Scan(append(dest, w.level)...) }

// OverdueInvoices implements finapp.Tx.
func (tx *Tx) OverdueInvoices(ctx context.Context, today string, levels []int) ([]finapp.OverdueInvoice, error) {
	day, err := time.Parse("2006-01-02", today)
	if err != nil {
		return nil, err
	}
	cutoff := day.AddDate(0, 0, -levels[0]).Format("2006-01-02")
	rows, err := tx.query(ctx, `SELECT `+invoiceColumns+`, COALESCE(rl.level, 0)`+invoiceFrom+`
		LEFT JOIN (SELECT invoice_id, MAX(level) AS level FROM invoice_reminders WHERE workspace_id = ? GROUP BY invoice_id) rl
		  ON rl.invoice_id = i.id
		WHERE i.workspace_id = ? AND i.status IN ('unpaid', 'partially_paid') AND i.due_on <= ? AND COALESCE(rl.level, 0) < ?
		ORDER BY i.id`, tx.ws, tx.ws, cutoff, levels[len(levels)-1])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []finapp.OverdueInvoice
	for rows.Next() {
		var o finapp.OverdueInvoice
		if o.Invoice, err = scanInvoice(withLastLevel{rows, &o.LastLevel}); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// CreateReminder implements finapp.Tx.
func (tx *Tx) CreateReminder(ctx context.Context, r *finapp.Reminder) error {
	_, err := tx.exec(ctx, `INSERT INTO invoice_reminders (workspace_id, id, invoice_id, level, due_on, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		tx.ws, r.ID, r.InvoiceID, r.Level, r.DueOn, ts(r.CreatedAt))
	return err
}

// reminderRow scans a reminder's own columns followed by its invoice's.
type reminderRow struct {
	s scanner
	r *finapp.Reminder
	c *string
}

func (w reminderRow) Scan(dest ...any) error {
	return w.s.Scan(append([]any{&w.r.ID, &w.r.InvoiceID, &w.r.Level, &w.r.DueOn, w.c}, dest...)...)
}

// ListReminders implements finapp.Tx, newest first.
func (tx *Tx) ListReminders(ctx context.Context, f finapp.ReminderFilter) ([]*finapp.Reminder, string, error) {
	var w where
	w.add(`r.workspace_id = ?`, tx.ws)
	if f.DueOn != "" {
		w.add(`r.due_on = ?`, f.DueOn)
	}
	if f.Cursor != "" {
		w.add(`r.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT r.id, r.invoice_id, r.level, r.due_on, r.created_at, `+invoiceColumns+`
		FROM invoice_reminders r JOIN invoices i ON i.id = r.invoice_id JOIN organizations o ON o.id = i.organization_id`+
		w.sql()+` ORDER BY r.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	var list []*finapp.Reminder
	for rows.Next() {
		r := &finapp.Reminder{}
		var created string
		if r.Invoice, err = scanInvoice(reminderRow{rows, r, &created}); err != nil {
			return nil, "", err
		}
		r.CreatedAt = parseTS(created)
		list = append(list, r)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(r *finapp.Reminder) string { return r.ID })
}

// Settings implements finapp.Tx.
func (tx *Tx) Settings(ctx context.Context) (finapp.Settings, error) {
	var st finapp.Settings
	err := tx.queryRow(ctx, `SELECT time_zone, base_currency, fiscal_year_start FROM workspaces WHERE id = ?`, tx.ws).
		Scan(&st.TimeZone, &st.BaseCurrency, &st.FiscalYearStart)
	return st, notFound(err, "workspace", tx.ws)
}

// SetSettings implements finapp.Tx.
func (tx *Tx) SetSettings(ctx context.Context, st finapp.Settings) error {
	_, err := tx.exec(ctx, `UPDATE workspaces SET time_zone = ?, base_currency = ?, fiscal_year_start = ? WHERE id = ?`,
		st.TimeZone, st.BaseCurrency, st.FiscalYearStart, tx.ws)
	return err
}

// Tolerances implements finapp.Tx.
func (tx *Tx) Tolerances(ctx context.Context) (map[money.Currency]money.Amount, error) {
	rows, err := tx.query(ctx, `SELECT currency, amount FROM write_off_tolerances WHERE workspace_id = ?`, tx.ws)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	m := map[money.Currency]money.Amount{}
	for rows.Next() {
		var c money.Currency
		var a int64
		if err := rows.Scan(&c, &a); err != nil {
			return nil, err
		}
		m[c] = money.Amount(a)
	}
	return m, rows.Err()
}

// SetTolerances implements finapp.Tx.
func (tx *Tx) SetTolerances(ctx context.Context, m map[money.Currency]money.Amount) error {
	if _, err := tx.exec(ctx, `DELETE FROM write_off_tolerances WHERE workspace_id = ?`, tx.ws); err != nil {
		return err
	}
	for c, a := range m {
		if _, err := tx.exec(ctx, `INSERT INTO write_off_tolerances (workspace_id, currency, amount) VALUES (?, ?, ?)`, tx.ws, c, int64(a)); err != nil {
			return err
		}
	}
	return nil
}

// SetTolerance implements finapp.Tx: one row, inserted or replaced, so that setting one
// currency never reads and rewrites the others.
func (tx *Tx) SetTolerance(ctx context.Context, c money.Currency, a money.Amount) error {
	_, err := tx.exec(ctx, `INSERT INTO write_off_tolerances (workspace_id, currency, amount) VALUES (?, ?, ?)
		ON CONFLICT (workspace_id, currency) DO UPDATE SET amount = excluded.amount`, tx.ws, c, int64(a))
	return err
}

// LockDate implements finapp.Tx. In a write transaction on PostgreSQL the workspace's row is
// share-locked until the transaction ends: a close of the period (an UPDATE of the row) waits
// for every change that read the old lock date, so none can post into a period closed under it.
func (tx *Tx) LockDate(ctx context.Context) (string, error) {
	q := `SELECT lock_date FROM workspaces WHERE id = ?`
	if tx.write && tx.db.dialect.RowLocks {
		q += ` FOR SHARE`
	}
	var d string
	err := tx.queryRow(ctx, q, tx.ws).Scan(&d)
	return d, notFound(err, "workspace", tx.ws)
}

// SetLockDate implements finapp.Tx.
func (tx *Tx) SetLockDate(ctx context.Context, date string) error {
	_, err := tx.exec(ctx, `UPDATE workspaces SET lock_date = ? WHERE id = ?`, date, tx.ws)
	return err
}
