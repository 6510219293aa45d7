package sqlstore

import (
	"context"

	"finapp"
)

// DuesAsOf implements finapp.Tx. Timestamps are compared as text, which sorts like time.
func (tx *Tx) DuesAsOf(ctx context.Context, asOf string) ([]finapp.DueAsOf, error) {
	cutoff := nextDay(asOf)
	rows, err := tx.query(ctx, `
		SELECT id, organization_id, name, currency, due_on, due FROM (
		  SELECT i.id, i.organization_id, o.name, i.currency, i.due_on,
		         i.total - COALESCE((SELECT CAST(SUM(a.amount) AS BIGINT) FROM allocations a
		                             WHERE a.invoice_id = i.id AND a.created_at < ?
		                               AND (a.released_at IS NULL OR a.released_at >= ?)), 0) AS due
		  FROM invoices i JOIN organizations o ON o.id = i.organization_id
		  WHERE i.workspace_id = ? AND i.issued_on <= ? AND (i.voided_at IS NULL OR i.voided_at >= ?)
		) dues WHERE due > 0
		ORDER BY id`, cutoff, cutoff, tx.ws, asOf, cutoff)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (finapp.DueAsOf, error) {
		var d finapp.DueAsOf
		err := s.Scan(&d.InvoiceID, &d.OrganizationID, &d.OrganizationName, &d.Currency, &d.DueOn, &d.Due)
		return d, err
	})
}

// receiptKeys is the SQL group key of each grouping the service allows.
var receiptKeys = map[string]string{"day": "received_on", "month": "substr(received_on, 1, 7)", "method": "method"}

// Receipts implements finapp.Tx.
func (tx *Tx) Receipts(ctx context.Context, from, to, groupBy string) ([]finapp.ReceiptGroup, error) {
	key, ok := receiptKeys[groupBy]
	if !ok {
		return nil, finapp.Invalid("group_by", "must be day, month or method")
	}
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	w.add(`deleted_at IS NULL`)
	if from != "" {
		w.add(`received_on >= ?`, from)
	}
	if to != "" {
		w.add(`received_on <= ?`, to)
	}
	rows, err := tx.query(ctx, `SELECT `+key+` AS k, currency, CAST(SUM(amount) AS BIGINT), COUNT(*) FROM payments`+w.sql()+
		` GROUP BY k, currency ORDER BY k, currency`, w.args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (finapp.ReceiptGroup, error) {
		var g finapp.ReceiptGroup
		err := s.Scan(&g.Key, &g.Currency, &g.Amount, &g.Count)
		return g, err
	})
}
