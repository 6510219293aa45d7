package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"finapp"
	"finapp/money"
)

const creditNoteColumns = `n.id, n.number, n.organization_id, n.invoice_id, n.currency, n.amount, n.applied, n.refunded, n.to_credit, n.reason,
	n.issued_on, n.status, n.voided_at, n.created_by, n.created_at, n.version, COALESCE(i.number, '')`

const creditNoteFrom = ` FROM credit_notes n LEFT JOIN invoices i ON i.id = n.invoice_id `

func scanCreditNote(s scanner) (*finapp.CreditNote, error) {
	var n finapp.CreditNote
	var invoice, voided sql.NullString
	var created string
	err := s.Scan(&n.ID, &n.Number, &n.OrganizationID, &invoice, &n.Currency, &n.Amount, &n.Applied, &n.Refunded, &n.ToCredit, &n.Reason,
		&n.IssuedOn, &n.Status, &voided, &n.CreatedBy, &created, &n.Version, &n.InvoiceNumber)
	n.InvoiceID, n.VoidedAt, n.CreatedAt = invoice.String, parseTSPtr(voided), parseTS(created)
	return &n, err
}

// CreditNote implements finapp.Tx.
func (tx *Tx) CreditNote(ctx context.Context, id string) (*finapp.CreditNote, error) {
	n, err := scanCreditNote(tx.queryRow(ctx, `SELECT `+creditNoteColumns+creditNoteFrom+`WHERE n.workspace_id = ? AND n.id = ?`+tx.forUpdate("n"), tx.ws, id))
	return n, notFound(err, "credit note", id)
}

// NextCreditNoteSeq implements finapp.Tx. The sequence row is locked until the transaction ends,
// so that concurrent issuers take numbers in turn.
func (tx *Tx) NextCreditNoteSeq(ctx context.Context) (int64, error) {
	var seq int64
	err := tx.queryRow(ctx, `INSERT INTO credit_note_sequences (workspace_id, last) VALUES (?, 1)
		ON CONFLICT (workspace_id) DO UPDATE SET last = credit_note_sequences.last + 1 RETURNING last`, tx.ws).Scan(&seq)
	return seq, err
}

// CreditNoteNumberTaken implements finapp.Tx.
func (tx *Tx) CreditNoteNumberTaken(ctx context.Context, number string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM credit_notes WHERE workspace_id = ? AND number = ?`, tx.ws, number).Scan(&n)
	return n > 0, err
}

// CitedCredit implements finapp.Tx.
func (tx *Tx) CitedCredit(ctx context.Context, invoiceID string) (money.Amount, error) {
	var sum int64
	err := tx.queryRow(ctx, `SELECT COALESCE(SUM(amount), 0) FROM credit_notes WHERE workspace_id = ? AND invoice_id = ? AND status <> 'void'`,
		tx.ws, invoiceID).Scan(&sum)
	return money.Amount(sum), err
}

// CreateCreditNote implements finapp.Tx.
func (tx *Tx) CreateCreditNote(ctx context.Context, n *finapp.CreditNote) error {
	_, err := tx.exec(ctx, `INSERT INTO credit_notes (workspace_id, id, number, organization_id, invoice_id, currency, amount, applied, refunded,
		to_credit, reason, issued_on, status, voided_at, created_by, created_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, n.ID, n.Number, n.OrganizationID, nullable(n.InvoiceID), n.Currency, n.Amount, n.Applied, n.Refunded, n.ToCredit, n.Reason,
		n.IssuedOn, n.Status, tsPtr(n.VoidedAt), n.CreatedBy, ts(n.CreatedAt), n.Version)
	if err != nil && tx.db.dialect.IsUniqueViolation(err) {
		return &finapp.Error{Code: finapp.EDuplicate, Field: "number", Message: "credit note number " + n.Number + " is already taken"}
	}
	return err
}

// UpdateCreditNote implements finapp.Tx.
func (tx *Tx) UpdateCreditNote(ctx context.Context, n *finapp.CreditNote) error {
	_, err := tx.exec(ctx, `UPDATE credit_notes SET applied = ?, refunded = ?, to_credit = ?, status = ?, voided_at = ?, version = ?
		WHERE workspace_id = ? AND id = ?`, n.Applied, n.Refunded, n.ToCredit, n.Status, tsPtr(n.VoidedAt), n.Version, tx.ws, n.ID)
	return err
}

// ListCreditNotes implements finapp.Tx, newest first.
func (tx *Tx) ListCreditNotes(ctx context.Context, f finapp.CreditNoteFilter) ([]*finapp.CreditNote, string, error) {
	var w where
	w.add(`n.workspace_id = ?`, tx.ws)
	if f.OrganizationID != "" {
		w.add(`n.organization_id = ?`, f.OrganizationID)
	}
	if f.Status != "" {
		w.add(`n.status = ?`, f.Status)
	}
	if f.Cursor != "" {
		w.add(`n.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+creditNoteColumns+creditNoteFrom+w.sql()+` ORDER BY n.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanCreditNote)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(n *finapp.CreditNote) string { return n.ID })
}

// OrganizationCreditNotes implements finapp.Tx.
func (tx *Tx) OrganizationCreditNotes(ctx context.Context, orgID string) ([]*finapp.CreditNote, error) {
	rows, err := tx.query(ctx, `SELECT `+creditNoteColumns+creditNoteFrom+`WHERE n.workspace_id = ? AND n.organization_id = ? ORDER BY n.id`, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCreditNote)
}

// CreditNotePage implements finapp.ReplayTx.
func (tx *Tx) CreditNotePage(ctx context.Context, afterID string, limit int) ([]*finapp.CreditNote, error) {
	rows, err := tx.query(ctx, `SELECT `+creditNoteColumns+creditNoteFrom+`WHERE n.workspace_id = ? AND n.id > ? ORDER BY n.id LIMIT ?`, tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCreditNote)
}

const applicationColumns = `a.id, a.credit_note_id, a.kind, a.invoice_id, a.amount, a.currency, a.method, a.reference, a.reason, a.created_by,
	a.created_at, a.released_at, a.released_by, COALESCE(i.number, '')`

const applicationFrom = ` FROM credit_note_applications a LEFT JOIN invoices i ON i.id = a.invoice_id `

func scanApplication(s scanner) (*finapp.CreditNoteApplication, error) {
	var a finapp.CreditNoteApplication
	var invoice, released sql.NullString
	var created string
	err := s.Scan(&a.ID, &a.CreditNoteID, &a.Kind, &invoice, &a.Amount, &a.Currency, &a.Method, &a.Reference, &a.Reason, &a.CreatedBy,
		&created, &released, &a.ReleasedBy, &a.InvoiceNumber)
	a.InvoiceID, a.CreatedAt, a.ReleasedAt = invoice.String, parseTS(created), parseTSPtr(released)
	return &a, err
}

// CreditNoteApplication implements finapp.Tx.
func (tx *Tx) CreditNoteApplication(ctx context.Context, id string) (*finapp.CreditNoteApplication, error) {
	a, err := scanApplication(tx.queryRow(ctx, `SELECT `+applicationColumns+applicationFrom+`WHERE a.workspace_id = ? AND a.id = ?`+tx.forUpdate("a"), tx.ws, id))
	return a, notFound(err, "credit note application", id)
}

// ListCreditNoteApplications implements finapp.Tx, read in order from the index on
// (credit_note_id, id).
func (tx *Tx) ListCreditNoteApplications(ctx context.Context, f finapp.CreditNoteApplicationFilter) ([]*finapp.CreditNoteApplication, string, error) {
	var w where
	w.add(`a.workspace_id = ?`, tx.ws)
	w.add(`a.credit_note_id = ?`, f.CreditNoteID)
	if f.Cursor != "" {
		w.add(`a.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+applicationColumns+applicationFrom+strings.TrimPrefix(w.sql(), " ")+` ORDER BY a.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanApplication)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(a *finapp.CreditNoteApplication) string { return a.ID })
}

// InvoiceCreditNoteApplications implements finapp.Tx.
func (tx *Tx) InvoiceCreditNoteApplications(ctx context.Context, invoiceID string) ([]*finapp.CreditNoteApplication, error) {
	rows, err := tx.query(ctx, `SELECT `+applicationColumns+applicationFrom+`WHERE a.workspace_id = ? AND a.invoice_id = ? ORDER BY a.id`, tx.ws, invoiceID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanApplication)
}

// OrganizationCreditNoteApplications implements finapp.Tx.
func (tx *Tx) OrganizationCreditNoteApplications(ctx context.Context, orgID string) ([]*finapp.CreditNoteApplication, error) {
	rows, err := tx.query(ctx, `SELECT `+applicationColumns+applicationFrom+`JOIN credit_notes n ON n.id = a.credit_note_id
		WHERE a.workspace_id = ? AND n.workspace_id = ? AND n.organization_id = ? ORDER BY a.id`, tx.ws, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanApplication)
}

// CreateCreditNoteApplication implements finapp.Tx.
func (tx *Tx) CreateCreditNoteApplication(ctx context.Context, a *finapp.CreditNoteApplication) error {
	_, err := tx.exec(ctx, `INSERT INTO credit_note_applications (workspace_id, id, credit_note_id, kind, invoice_id, amount, currency, method,
		reference, reason, created_by, created_at, released_at, released_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, a.ID, a.CreditNoteID, a.Kind, nullable(a.InvoiceID), a.Amount, a.Currency, a.Method, a.Reference, a.Reason, a.CreatedBy,
		ts(a.CreatedAt), tsPtr(a.ReleasedAt), a.ReleasedBy)
	return err
}

// UpdateCreditNoteApplication implements finapp.Tx (applications change only by being released).
func (tx *Tx) UpdateCreditNoteApplication(ctx context.Context, a *finapp.CreditNoteApplication) error {
	_, err := tx.exec(ctx, `UPDATE credit_note_applications SET released_at = ?, released_by = ? WHERE workspace_id = ? AND id = ?`,
		tsPtr(a.ReleasedAt), a.ReleasedBy, tx.ws, a.ID)
	return err
}

// CreditNoteApplicationPage implements finapp.ReplayTx.
func (tx *Tx) CreditNoteApplicationPage(ctx context.Context, afterID string, limit int) ([]*finapp.CreditNoteApplication, error) {
	rows, err := tx.query(ctx, `SELECT `+applicationColumns+applicationFrom+`WHERE a.workspace_id = ? AND a.id > ? ORDER BY a.id LIMIT ?`, tx.ws, afterID, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanApplication)
}
