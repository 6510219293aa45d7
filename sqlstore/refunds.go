package sqlstore

import (
	"context"
	"database/sql"

	"finapp"
)

const refundColumns = `r.id, r.payment_id, r.organization_id, r.amount, r.currency, r.method, r.reference, r.reason, r.created_by,
	r.created_at, r.reversed_at, r.reversed_by, r.reversal_reason`

func scanRefund(s scanner) (*finapp.Refund, error) {
	var r finapp.Refund
	var org, reversed sql.NullString
	var created string
	err := s.Scan(&r.ID, &r.PaymentID, &org, &r.Amount, &r.Currency, &r.Method, &r.Reference, &r.Reason, &r.CreatedBy,
		&created, &reversed, &r.ReversedBy, &r.ReversalReason)
	r.OrganizationID, r.CreatedAt, r.ReversedAt = org.String, parseTS(created), parseTSPtr(reversed)
	return &r, err
}

// Refund implements finapp.Tx.
func (tx *Tx) Refund(ctx context.Context, id string) (*finapp.Refund, error) {
	r, err := scanRefund(tx.queryRow(ctx, `SELECT `+refundColumns+` FROM refunds r WHERE r.workspace_id = ? AND r.id = ?`+tx.forUpdate("r"), tx.ws, id))
	return r, notFound(err, "refund", id)
}

// OrganizationRefunds implements finapp.Tx.
func (tx *Tx) OrganizationRefunds(ctx context.Context, orgID string) ([]*finapp.Refund, error) {
	rows, err := tx.query(ctx, `SELECT `+refundColumns+` FROM refunds r WHERE r.workspace_id = ? AND r.organization_id = ? ORDER BY r.id`, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRefund)
}

// CreateRefund implements finapp.Tx.
func (tx *Tx) CreateRefund(ctx context.Context, r *finapp.Refund) error {
	_, err := tx.exec(ctx, `INSERT INTO refunds (workspace_id, id, payment_id, organization_id, amount, currency, method, reference, reason,
		created_by, created_at, reversed_at, reversed_by, reversal_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, r.ID, r.PaymentID, nullable(r.OrganizationID), r.Amount, r.Currency, r.Method, r.Reference, r.Reason, r.CreatedBy,
		ts(r.CreatedAt), tsPtr(r.ReversedAt), r.ReversedBy, r.ReversalReason)
	return err
}

// UpdateRefund implements finapp.Tx.
func (tx *Tx) UpdateRefund(ctx context.Context, r *finapp.Refund) error {
	_, err := tx.exec(ctx, `UPDATE refunds SET reversed_at = ?, reversed_by = ?, reversal_reason = ? WHERE workspace_id = ? AND id = ?`,
		tsPtr(r.ReversedAt), r.ReversedBy, r.ReversalReason, tx.ws, r.ID)
	return err
}

// ListRefunds implements finapp.Tx, newest first.
func (tx *Tx) ListRefunds(ctx context.Context, f finapp.RefundFilter) ([]*finapp.Refund, string, error) {
	var w where
	w.add(`r.workspace_id = ?`, tx.ws)
	if f.PaymentID != "" {
		w.add(`r.payment_id = ?`, f.PaymentID)
	}
	if f.Cursor != "" {
		w.add(`r.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+refundColumns+` FROM refunds r`+w.sql()+` ORDER BY r.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanRefund)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(r *finapp.Refund) string { return r.ID })
}

// RefundPage implements finapp.ReplayTx.
func (tx *Tx) RefundPage(ctx context.Context, afterID string, limit int) ([]*finapp.Refund, error) {
	rows, err := tx.query(ctx, `SELECT `+refundColumns+` FROM refunds r WHERE r.workspace_id = ? AND r.id > ? ORDER BY r.id LIMIT ?`, tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanRefund)
}
