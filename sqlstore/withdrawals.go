package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"finapp"
	"finapp/money"
)

const withdrawalColumns = `w.id, w.organization_id, w.amount, w.currency, w.method, w.reference, w.reason, w.created_by,
	w.created_at, w.reversed_at, w.reversed_by, w.reversal_reason`

func scanWithdrawal(s scanner) (*finapp.Withdrawal, error) {
	var w finapp.Withdrawal
	var reversed sql.NullString
	var created string
	var amount int64
	err := s.Scan(&w.ID, &w.OrganizationID, &amount, &w.Currency, &w.Method, &w.Reference, &w.Reason, &w.CreatedBy,
		&created, &reversed, &w.ReversedBy, &w.ReversalReason)
	w.Amount, w.CreatedAt, w.ReversedAt = money.Amount(amount), parseTS(created), parseTSPtr(reversed)
	return &w, err
}

// Withdrawal implements finapp.Tx.
func (tx *Tx) Withdrawal(ctx context.Context, id string) (*finapp.Withdrawal, error) {
	w, err := scanWithdrawal(tx.queryRow(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals w WHERE w.workspace_id = ? AND w.id = ?`+
		tx.forUpdate("w"), tx.ws, id))
	return w, notFound(err, "withdrawal", id)
}

// CreateWithdrawal implements finapp.Tx.
func (tx *Tx) CreateWithdrawal(ctx context.Context, w *finapp.Withdrawal) error {
	_, err := tx.exec(ctx, `INSERT INTO withdrawals (workspace_id, id, organization_id, amount, currency, method, reference, reason,
		created_by, created_at, reversed_at, reversed_by, reversal_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, w.ID, w.OrganizationID, int64(w.Amount), w.Currency, w.Method, w.Reference, w.Reason, w.CreatedBy,
		ts(w.CreatedAt), tsPtr(w.ReversedAt), w.ReversedBy, w.ReversalReason)
	return err
}

// UpdateWithdrawal implements finapp.Tx.
func (tx *Tx) UpdateWithdrawal(ctx context.Context, w *finapp.Withdrawal) error {
	_, err := tx.exec(ctx, `UPDATE withdrawals SET reversed_at = ?, reversed_by = ?, reversal_reason = ? WHERE workspace_id = ? AND id = ?`,
		tsPtr(w.ReversedAt), w.ReversedBy, w.ReversalReason, tx.ws, w.ID)
	return err
}

// ListWithdrawals implements finapp.Tx, newest first.
func (tx *Tx) ListWithdrawals(ctx context.Context, f finapp.WithdrawalFilter) ([]*finapp.Withdrawal, string, error) {
	var wh where
	wh.add(`w.workspace_id = ?`, tx.ws)
	if f.OrganizationID != "" {
		wh.add(`w.organization_id = ?`, f.OrganizationID)
	}
	if f.Cursor != "" {
		wh.add(`w.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+withdrawalColumns+` FROM withdrawals w`+wh.sql()+` ORDER BY w.id DESC LIMIT ?`,
		append(wh.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanWithdrawal)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(w *finapp.Withdrawal) string { return w.ID })
}

// AutoTopUpSettings implements finapp.Tx.
func (tx *Tx) AutoTopUpSettings(ctx context.Context, orgID string) (finapp.AutoTopUp, error) {
	var a finapp.AutoTopUp
	var enabled int
	var threshold, amount int64
	err := tx.queryRow(ctx, `SELECT auto_top_up, auto_top_up_currency, auto_top_up_threshold, auto_top_up_amount
		FROM credit_settings WHERE workspace_id = ? AND organization_id = ?`, tx.ws, orgID).
		Scan(&enabled, &a.Currency, &threshold, &amount)
	if errors.Is(err, sql.ErrNoRows) {
		return a, nil
	}
	a.Enabled, a.Threshold, a.Amount = enabled == 1, money.Amount(threshold), money.Amount(amount)
	return a, err
}

// AutoTopUpPending implements finapp.Tx.
func (tx *Tx) AutoTopUpPending(ctx context.Context, orgID string) (bool, error) {
	var one int
	err := tx.queryRow(ctx, `SELECT 1 FROM auto_top_ups a JOIN invoices i ON i.workspace_id = a.workspace_id AND i.id = a.invoice_id
		WHERE a.workspace_id = ? AND a.organization_id = ? AND i.status IN ('unpaid', 'partially_paid') LIMIT 1`, tx.ws, orgID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	return err == nil, err
}

// ClaimAutoTopUp implements finapp.Tx.
func (tx *Tx) ClaimAutoTopUp(ctx context.Context, orgID, day, invoiceID string) (bool, error) {
	res, err := tx.exec(ctx, `INSERT INTO auto_top_ups (workspace_id, organization_id, day, invoice_id) VALUES (?, ?, ?, ?)
		ON CONFLICT (workspace_id, organization_id, day) DO NOTHING`, tx.ws, orgID, day, invoiceID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
