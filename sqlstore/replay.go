package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"finapp"
)

// The pages finapp.Replay reads: every row of a workspace in a stable order, a page at a time, so
// that verifying a large workspace holds one page of rows at once.

// AuditPage implements finapp.ReplayTx.
func (tx *Tx) AuditPage(ctx context.Context, afterSeq int64, limit int) ([]*finapp.AuditEvent, error) {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
		tx.ws, afterSeq, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAudit)
}

// JournalPage implements finapp.ReplayTx. An entry whose lines are gone comes back with none.
func (tx *Tx) JournalPage(ctx context.Context, afterSeq int64, limit int) ([]*finapp.JournalEntry, int64, error) {
	rows, err := tx.query(ctx, `SELECT seq, id, at, operation, entity_id FROM journal_entries
		WHERE workspace_id = ? AND seq > ? ORDER BY seq LIMIT ?`, tx.ws, afterSeq, limit)
	if err != nil {
		return nil, afterSeq, err
	}
	bySeq := map[int64]*finapp.JournalEntry{}
	var seqs []int64
	list, err := collect(rows, func(s scanner) (*finapp.JournalEntry, error) {
		var e finapp.JournalEntry
		var seq int64
		var at string
		err := s.Scan(&seq, &e.ID, &at, &e.Operation, &e.EntityID)
		e.At = parseTS(at)
		bySeq[seq] = &e
		seqs = append(seqs, seq)
		return &e, err
	})
	if err != nil || len(list) == 0 {
		return list, afterSeq, err
	}
	first, last := seqs[0], seqs[len(seqs)-1]
	// By the primary key alone: with workspace_id in the condition SQLite picked the account index
	// and read the workspace's every line for each page. Lines of another workspace's entries in
	// the range are left out below.
	rows, err = tx.query(ctx, `SELECT entry_seq, account, currency, amount FROM journal_lines
		WHERE entry_seq BETWEEN ? AND ? ORDER BY entry_seq, line_no`, first, last)
	if err != nil {
		return nil, afterSeq, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var l finapp.JournalLine
		if err := rows.Scan(&seq, &l.Account, &l.Currency, &l.Amount); err != nil {
			return nil, afterSeq, err
		}
		if e := bySeq[seq]; e != nil {
			e.Lines = append(e.Lines, l)
		}
	}
	return list, last, rows.Err()
}

// OrganizationPage implements finapp.ReplayTx.
func (tx *Tx) OrganizationPage(ctx context.Context, afterID string, limit int) ([]*finapp.Organization, error) {
	rows, err := tx.query(ctx, `SELECT `+organizationColumns+` FROM organizations o WHERE o.workspace_id = ? AND o.id > ? ORDER BY o.id LIMIT ?`,
		tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanOrganization)
}

// InvoicePage implements finapp.ReplayTx.
func (tx *Tx) InvoicePage(ctx context.Context, afterID string, limit int) ([]*finapp.Invoice, error) {
	rows, err := tx.query(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.id > ? ORDER BY i.id LIMIT ?`,
		tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvoice)
}

// PaymentPage implements finapp.ReplayTx.
func (tx *Tx) PaymentPage(ctx context.Context, afterID string, limit int) ([]*finapp.Payment, error) {
	rows, err := tx.query(ctx, `SELECT `+paymentColumns+paymentFrom+`WHERE p.workspace_id = ? AND p.id > ? ORDER BY p.id LIMIT ?`,
		tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPayment)
}

// AllocationPage implements finapp.ReplayTx.
func (tx *Tx) AllocationPage(ctx context.Context, afterID string, limit int) ([]*finapp.Allocation, error) {
	rows, err := tx.query(ctx, `SELECT `+allocationColumns+allocationFrom+`WHERE a.workspace_id = ? AND a.id > ? ORDER BY a.id LIMIT ?`,
		tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAllocation)
}

// TopUpPage implements finapp.ReplayTx.
func (tx *Tx) TopUpPage(ctx context.Context, afterID string, limit int) ([]*finapp.TopUp, error) {
	rows, err := tx.query(ctx, `SELECT `+topUpColumns+` FROM top_ups WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?`, tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTopUp)
}

// ImportPage implements finapp.ReplayTx.
func (tx *Tx) ImportPage(ctx context.Context, afterID string, limit int) ([]*finapp.Import, error) {
	rows, err := tx.query(ctx, `SELECT `+importColumns+` FROM imports WHERE workspace_id = ? AND id > ? ORDER BY id LIMIT ?`,
		tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanImport)
}

// ReplayBaseline implements finapp.ReplayTx.
func (tx *Tx) ReplayBaseline(ctx context.Context) (int64, bool, error) {
	var seq int64
	err := tx.queryRow(ctx, `SELECT through_seq FROM replay_baselines WHERE workspace_id = ?`, tx.ws).Scan(&seq)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, false, nil
	}
	return seq, err == nil, err
}
