package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"finapp"
	"finapp/money"
)

// scanner is what *sql.Row and *sql.Rows have in common.
type scanner interface{ Scan(dest ...any) error }

const organizationColumns = `o.id, o.name, o.billing_currency, o.status, o.created_at, o.version, o.external_id, o.metadata`

func scanOrganization(s scanner) (*finapp.Organization, error) {
	var o finapp.Organization
	var created, metadata string
	var external sql.NullString
	if err := s.Scan(&o.ID, &o.Name, &o.BillingCurrency, &o.Status, &created, &o.Version, &external, &metadata); err != nil {
		return nil, err
	}
	o.CreatedAt, o.ExternalID = parseTS(created), external.String
	var err error
	if o.Metadata, err = finapp.ParseMetadata(metadata); err != nil {
		return nil, err
	}
	return &o, nil
}

// externalID is how an external id is stored: NULL for none, so that the unique index leaves
// records without one alone.
func externalID(id string) any {
	if id == "" {
		return nil
	}
	return id
}

// duplicateExternalID names a unique violation of an external id, which the index's name says.
func (tx *Tx) duplicateExternalID(err error, what, id string) error {
	if err != nil && tx.db.dialect.IsUniqueViolation(err) && strings.Contains(err.Error(), "external_id") {
		return &finapp.Error{Code: finapp.EDuplicate, Field: "external_id", Message: what + " external id " + id + " is already taken"}
	}
	return err
}

// Organization implements finapp.Tx.
func (tx *Tx) Organization(ctx context.Context, id string) (*finapp.Organization, error) {
	o, err := scanOrganization(tx.queryRow(ctx,
		`SELECT `+organizationColumns+` FROM organizations o WHERE o.workspace_id = ? AND o.id = ?`, tx.ws, id))
	return o, notFound(err, "organization", id)
}

// OrganizationByExternalID implements finapp.Tx.
func (tx *Tx) OrganizationByExternalID(ctx context.Context, externalID string) (*finapp.Organization, error) {
	o, err := scanOrganization(tx.queryRow(ctx,
		`SELECT `+organizationColumns+` FROM organizations o WHERE o.workspace_id = ? AND o.external_id = ?`, tx.ws, externalID))
	return o, notFound(err, "organization with external id", externalID)
}

// CreateOrganization implements finapp.Tx.
func (tx *Tx) CreateOrganization(ctx context.Context, o *finapp.Organization) error {
	_, err := tx.exec(ctx, `INSERT INTO organizations (workspace_id, id, name, billing_currency, status, created_at, version, external_id, metadata)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, tx.ws, o.ID, o.Name, o.BillingCurrency, o.Status, ts(o.CreatedAt), o.Version,
		externalID(o.ExternalID), o.Metadata.String())
	return tx.duplicateExternalID(err, "organization", o.ExternalID)
}

// invoiceColumns: amount_settled is what is paid, adjusted or credited (what the reports and the
// table's checks need); the money paid is it less amount_adjusted and amount_credited.
const invoiceColumns = `i.id, i.number, i.organization_id, i.kind, i.currency, i.total, i.amount_settled, i.amount_adjusted, i.amount_credited, i.issued_on, i.due_on,
	i.status, i.provisioned_at, i.voided_at, i.created_at, i.version, i.external_id, i.metadata, o.name`

const invoiceFrom = ` FROM invoices i JOIN organizations o ON o.id = i.organization_id `

func scanInvoice(s scanner) (*finapp.Invoice, error) {
	var i finapp.Invoice
	var provisioned, voided, external sql.NullString
	var created, metadata string
	var settled int64
	err := s.Scan(&i.ID, &i.Number, &i.OrganizationID, &i.Kind, &i.Currency, &i.Total, &settled, &i.AmountAdjusted, &i.AmountCredited, &i.IssuedOn, &i.DueOn,
		&i.Status, &provisioned, &voided, &created, &i.Version, &external, &metadata, &i.OrganizationName)
	if err != nil {
		return nil, err
	}
	i.AmountPaid = money.Amount(settled) - i.AmountAdjusted - i.AmountCredited
	i.ProvisionedAt, i.VoidedAt, i.CreatedAt, i.ExternalID = parseTSPtr(provisioned), parseTSPtr(voided), parseTS(created), external.String
	if i.Metadata, err = finapp.ParseMetadata(metadata); err != nil {
		return nil, err
	}
	return &i, nil
}

// Invoice implements finapp.Tx.
func (tx *Tx) Invoice(ctx context.Context, id string) (*finapp.Invoice, error) {
	i, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.id = ?`+tx.forUpdate("i"), tx.ws, id))
	return i, notFound(err, "invoice", id)
}

// Invoices implements finapp.Tx.
func (tx *Tx) Invoices(ctx context.Context, ids []string) ([]*finapp.Invoice, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(ids)+1)
	args = append(args, tx.ws)
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.id IN (`+valueRows(len(ids), "?")+`) ORDER BY i.id`+
		tx.forUpdate("i"), args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvoice)
}

// InvoiceByExternalID implements finapp.Tx.
func (tx *Tx) InvoiceByExternalID(ctx context.Context, externalID string) (*finapp.Invoice, error) {
	i, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.external_id = ?`+tx.forUpdate("i"), tx.ws, externalID))
	return i, notFound(err, "invoice with external id", externalID)
}

// InvoiceByNumber implements finapp.Tx.
func (tx *Tx) InvoiceByNumber(ctx context.Context, number string) (*finapp.Invoice, error) {
	i, err := scanInvoice(tx.queryRow(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.number = ?`+tx.forUpdate("i"), tx.ws, number))
	return i, notFound(err, "invoice", number)
}

// OpenInvoices implements finapp.Tx.
func (tx *Tx) OpenInvoices(ctx context.Context, orgID, currency string) ([]*finapp.Invoice, error) {
	rows, err := tx.query(ctx, `SELECT `+invoiceColumns+invoiceFrom+`
		WHERE i.workspace_id = ? AND i.organization_id = ? AND i.currency = ? AND i.status IN ('unpaid', 'partially_paid')
		ORDER BY i.id`+tx.forUpdate("i"), tx.ws, orgID, currency)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvoice)
}

// CreateInvoice implements finapp.Tx.
func (tx *Tx) CreateInvoice(ctx context.Context, i *finapp.Invoice) error {
	_, err := tx.exec(ctx, `INSERT INTO invoices (workspace_id, id, number, organization_id, kind, currency, total, amount_settled, amount_adjusted,
		issued_on, due_on, status, provisioned_at, voided_at, created_at, version, external_id, metadata)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, i.ID, i.Number, i.OrganizationID, i.Kind, i.Currency, i.Total, i.Settled(), i.AmountAdjusted, i.IssuedOn, i.DueOn, i.Status,
		tsPtr(i.ProvisionedAt), tsPtr(i.VoidedAt), ts(i.CreatedAt), i.Version, externalID(i.ExternalID), i.Metadata.String())
	if err = tx.duplicateExternalID(err, "invoice", i.ExternalID); err != nil && tx.db.dialect.IsUniqueViolation(err) {
		return &finapp.Error{Code: finapp.EDuplicate, Field: "number", Message: "invoice number " + i.Number + " is already taken"}
	}
	if err != nil {
		return err
	}
	return tx.indexInvoiceNumbers(ctx, []*finapp.Invoice{i})
}

// UpdateInvoice implements finapp.Tx.
func (tx *Tx) UpdateInvoice(ctx context.Context, i *finapp.Invoice) error {
	_, err := tx.exec(ctx, `UPDATE invoices SET amount_settled = ?, amount_adjusted = ?, amount_credited = ?, status = ?, provisioned_at = ?, voided_at = ?, version = ?,
		number = ?, kind = ?, total = ?, issued_on = ?, due_on = ?, external_id = ?, metadata = ?
		WHERE workspace_id = ? AND id = ?`, i.Settled(), i.AmountAdjusted, i.AmountCredited, i.Status, tsPtr(i.ProvisionedAt), tsPtr(i.VoidedAt), i.Version,
		i.Number, i.Kind, i.Total, i.IssuedOn, i.DueOn, externalID(i.ExternalID), i.Metadata.String(), tx.ws, i.ID)
	if err = tx.duplicateExternalID(err, "invoice", i.ExternalID); err != nil && tx.db.dialect.IsUniqueViolation(err) {
		return &finapp.Error{Code: finapp.EDuplicate, Field: "number", Message: "invoice number " + i.Number + " is already taken"}
	}
	return err
}

const paymentColumns = `p.id, p.organization_id, p.amount, p.currency, p.received_on, p.method, p.reference, p.invoice_hint, p.remark,
	p.allocated, p.topped_up, p.refunded, p.version, p.assignment_changes, p.created_by, p.created_at, p.updated_at, p.deleted_at,
	p.external_id, p.metadata, o.name`

const paymentFrom = ` FROM payments p LEFT JOIN organizations o ON o.id = p.organization_id `

func scanPayment(s scanner) (*finapp.Payment, error) {
	var p finapp.Payment
	var org, orgName, deleted, external sql.NullString
	var created, updated, metadata string
	err := s.Scan(&p.ID, &org, &p.Amount, &p.Currency, &p.ReceivedOn, &p.Method, &p.Reference, &p.InvoiceHint, &p.Remark,
		&p.Allocated, &p.ToppedUp, &p.Refunded, &p.Version, &p.AssignmentChanges, &p.CreatedBy, &created, &updated, &deleted, &external, &metadata, &orgName)
	if err != nil {
		return nil, err
	}
	if p.Metadata, err = finapp.ParseMetadata(metadata); err != nil {
		return nil, err
	}
	p.OrganizationID, p.OrganizationName, p.ExternalID = org.String, orgName.String, external.String
	p.CreatedAt, p.UpdatedAt, p.DeletedAt = parseTS(created), parseTS(updated), parseTSPtr(deleted)
	return &p, nil
}

// Payment implements finapp.Tx.
func (tx *Tx) Payment(ctx context.Context, id string) (*finapp.Payment, error) {
	p, err := scanPayment(tx.queryRow(ctx, `SELECT `+paymentColumns+paymentFrom+`WHERE p.workspace_id = ? AND p.id = ?`+tx.forUpdate("p"), tx.ws, id))
	return p, notFound(err, "payment", id)
}

// CreatePayment implements finapp.Tx.
func (tx *Tx) CreatePayment(ctx context.Context, p *finapp.Payment) error {
	_, err := tx.exec(ctx, `INSERT INTO payments (workspace_id, id, organization_id, amount, currency, received_on, method,
		reference, invoice_hint, remark, allocated, topped_up, version, assignment_changes, created_by, created_at, updated_at, deleted_at,
		external_id, metadata)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, p.ID, nullable(p.OrganizationID), p.Amount, p.Currency, p.ReceivedOn, p.Method, p.Reference, p.InvoiceHint, p.Remark,
		p.Allocated, p.ToppedUp, p.Version, p.AssignmentChanges, p.CreatedBy, ts(p.CreatedAt), ts(p.UpdatedAt), tsPtr(p.DeletedAt),
		externalID(p.ExternalID), p.Metadata.String())
	return tx.duplicateExternalID(err, "payment", p.ExternalID)
}

// UpdatePayment implements finapp.Tx.
func (tx *Tx) UpdatePayment(ctx context.Context, p *finapp.Payment) error {
	_, err := tx.exec(ctx, `UPDATE payments SET organization_id = ?, amount = ?, currency = ?, received_on = ?, method = ?,
		reference = ?, invoice_hint = ?, remark = ?, allocated = ?, topped_up = ?, refunded = ?, version = ?, assignment_changes = ?,
		updated_at = ?, deleted_at = ?, metadata = ? WHERE workspace_id = ? AND id = ?`,
		nullable(p.OrganizationID), p.Amount, p.Currency, p.ReceivedOn, p.Method, p.Reference, p.InvoiceHint, p.Remark,
		p.Allocated, p.ToppedUp, p.Refunded, p.Version, p.AssignmentChanges, ts(p.UpdatedAt), tsPtr(p.DeletedAt), p.Metadata.String(), tx.ws, p.ID)
	return err
}

// allocationColumns: amount and currency are what the invoice received; paid_amount and
// paid_currency what the payment gave, when it was converted at rate (NULL otherwise).
const allocationColumns = `a.id, a.payment_id, a.invoice_id, a.kind, a.reason, a.with_allocation_id, a.amount, a.currency, a.paid_amount, a.paid_currency, a.rate, a.created_by, a.created_at, a.released_at, a.released_by, i.number, i.status`

const allocationFrom = ` FROM allocations a JOIN invoices i ON i.id = a.invoice_id `

func scanAllocation(s scanner) (*finapp.Allocation, error) {
	var a finapp.Allocation
	var created string
	var released sql.NullString
	var paid sql.NullInt64
	var paidCurrency sql.NullString
	if err := s.Scan(&a.ID, &a.PaymentID, &a.InvoiceID, &a.Kind, &a.Reason, &a.MoneyAllocationID, &a.InvoiceAmount, &a.InvoiceCurrency, &paid, &paidCurrency, &a.Rate,
		&a.CreatedBy, &created, &released, &a.ReleasedBy, &a.InvoiceNumber, &a.InvoiceStatus); err != nil {
		return nil, err
	}
	a.Amount, a.Currency = a.InvoiceAmount, a.InvoiceCurrency
	if paid.Valid {
		a.Amount, a.Currency = money.Amount(paid.Int64), money.Currency(paidCurrency.String)
	}
	a.CreatedAt, a.ReleasedAt = parseTS(created), parseTSPtr(released)
	return &a, nil
}

// Allocation implements finapp.Tx.
func (tx *Tx) Allocation(ctx context.Context, id string) (*finapp.Allocation, error) {
	a, err := scanAllocation(tx.queryRow(ctx, `SELECT `+allocationColumns+allocationFrom+`WHERE a.workspace_id = ? AND a.id = ?`+tx.forUpdate("a"), tx.ws, id))
	return a, notFound(err, "allocation", id)
}

// PaymentAllocations implements finapp.Tx.
func (tx *Tx) PaymentAllocations(ctx context.Context, paymentID string) ([]*finapp.Allocation, error) {
	rows, err := tx.query(ctx, `SELECT `+allocationColumns+allocationFrom+`WHERE a.workspace_id = ? AND a.payment_id = ? ORDER BY a.id`, tx.ws, paymentID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAllocation)
}

// InvoiceAllocations implements finapp.Tx.
func (tx *Tx) InvoiceAllocations(ctx context.Context, invoiceID string) ([]*finapp.Allocation, error) {
	rows, err := tx.query(ctx, `SELECT `+allocationColumns+allocationFrom+`WHERE a.workspace_id = ? AND a.invoice_id = ? ORDER BY a.id`, tx.ws, invoiceID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAllocation)
}

// ListAllocations implements finapp.Tx. Each page is read in order from the index on
// (payment_id, id) or (invoice_id, id), so a page costs the same however long the history.
func (tx *Tx) ListAllocations(ctx context.Context, f finapp.AllocationFilter) ([]*finapp.Allocation, string, error) {
	var w where
	w.add(`a.workspace_id = ?`, tx.ws)
	if f.PaymentID != "" {
		w.add(`a.payment_id = ?`, f.PaymentID)
	} else {
		w.add(`a.invoice_id = ?`, f.InvoiceID)
	}
	if f.Cursor != "" {
		w.add(`a.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+allocationColumns+allocationFrom+strings.TrimPrefix(w.sql(), " ")+` ORDER BY a.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanAllocation)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(a *finapp.Allocation) string { return a.ID })
}

// OrganizationAllocations implements finapp.Tx.
func (tx *Tx) OrganizationAllocations(ctx context.Context, orgID string) ([]*finapp.Allocation, error) {
	rows, err := tx.query(ctx, `SELECT `+allocationColumns+allocationFrom+`WHERE a.workspace_id = ? AND i.workspace_id = ? AND i.organization_id = ? ORDER BY a.id`, tx.ws, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAllocation)
}

// CreateAllocations implements finapp.Tx, as many rows per statement as fit.
func (tx *Tx) CreateAllocations(ctx context.Context, as []*finapp.Allocation) error {
	return tx.insertRows(ctx, "allocations", `workspace_id, id, payment_id, invoice_id, kind, reason, with_allocation_id, amount, currency,
		paid_amount, paid_currency, rate, created_by, created_at, released_at, released_by`, len(as), func(i int, args []any) []any {
		a := as[i]
		var paid, paidCurrency any // NULL unless converted
		if a.Rate != "" {
			paid, paidCurrency = int64(a.Amount), string(a.Currency)
		}
		return append(args, tx.ws, a.ID, a.PaymentID, a.InvoiceID, a.Kind, a.Reason, a.MoneyAllocationID,
			a.InvoiceAmount, a.InvoiceCurrency, paid, paidCurrency, a.Rate, a.CreatedBy, ts(a.CreatedAt), tsPtr(a.ReleasedAt), a.ReleasedBy)
	})
}

// UpdateAllocation implements finapp.Tx (allocations change only by being released).
func (tx *Tx) UpdateAllocation(ctx context.Context, a *finapp.Allocation) error {
	_, err := tx.exec(ctx, `UPDATE allocations SET released_at = ?, released_by = ? WHERE workspace_id = ? AND id = ?`,
		tsPtr(a.ReleasedAt), a.ReleasedBy, tx.ws, a.ID)
	return err
}

// ListTopUps implements finapp.Tx, read in order from the index on (payment_id, id).
func (tx *Tx) ListTopUps(ctx context.Context, f finapp.TopUpFilter) ([]*finapp.TopUp, string, error) {
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	w.add(`payment_id = ?`, f.PaymentID)
	if f.Cursor != "" {
		w.add(`id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+topUpColumns+` FROM top_ups`+w.sql()+` ORDER BY id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanTopUp)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(t *finapp.TopUp) string { return t.ID })
}

// OrganizationTopUps implements finapp.Tx.
func (tx *Tx) OrganizationTopUps(ctx context.Context, orgID string) ([]*finapp.TopUp, error) {
	// Through the organization's payments, which are indexed by organization (top-ups are not):
	// a top-up's payment stays with the organization for good (SPEC §3).
	rows, err := tx.query(ctx, `SELECT `+topUpColumnsT+` FROM payments p JOIN top_ups t ON t.payment_id = p.id
		WHERE p.workspace_id = ? AND p.organization_id = ? AND t.workspace_id = ? AND t.organization_id = ? ORDER BY t.id`, tx.ws, orgID, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanTopUp)
}

const topUpColumns = `id, payment_id, organization_id, amount, currency, created_by, created_at`

// topUpColumnsT are topUpColumns of the table named t.
const topUpColumnsT = `t.id, t.payment_id, t.organization_id, t.amount, t.currency, t.created_by, t.created_at`

func scanTopUp(s scanner) (*finapp.TopUp, error) {
	var t finapp.TopUp
	var created string
	err := s.Scan(&t.ID, &t.PaymentID, &t.OrganizationID, &t.Amount, &t.Currency, &t.CreatedBy, &created)
	t.CreatedAt = parseTS(created)
	return &t, err
}

// CreateTopUp implements finapp.Tx.
func (tx *Tx) CreateTopUp(ctx context.Context, t *finapp.TopUp) error {
	_, err := tx.exec(ctx, `INSERT INTO top_ups (workspace_id, id, payment_id, organization_id, amount, currency, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, tx.ws, t.ID, t.PaymentID, t.OrganizationID, t.Amount, t.Currency, t.CreatedBy, ts(t.CreatedAt))
	return err
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(scanner) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
