package sqlstore

import (
	"context"
	"strings"

	"finapp"
)

// where collects the conditions of a list query, each with its bound arguments: values are never
// spliced into SQL text.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// likePattern makes a case-insensitive substring pattern with LIKE's wildcards escaped.
func likePattern(q string) string {
	r := strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)
	return "%" + r.Replace(q) + "%"
}

// page trims a list fetched with limit+1 rows and returns the cursor of the next page, if any.
func page[T any](list []T, limit int, key func(T) string) ([]T, string, error) {
	if len(list) > limit {
		return list[:limit], key(list[limit-1]), nil
	}
	return list, "", nil
}

// ListOrganizations implements finapp.Tx, newest first.
func (tx *Tx) ListOrganizations(ctx context.Context, f finapp.OrganizationFilter) ([]*finapp.Organization, string, error) {
	var w where
	w.add(`o.workspace_id = ?`, tx.ws)
	if f.Q != "" {
		w.add(`o.name`+tx.like(), likePattern(f.Q))
	}
	if f.ExternalID != "" {
		w.add(`o.external_id = ?`, f.ExternalID)
	}
	if f.Cursor != "" {
		w.add(`o.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+organizationColumns+` FROM organizations o`+w.sql()+` ORDER BY o.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanOrganization)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(o *finapp.Organization) string { return o.ID })
}

// ListInvoices implements finapp.Tx, newest first: by id, or, when the search bounds the issue
// date, by issue date and then id, so that a page of a date range reads its own rows from
// invoices_issued_list instead of sorting the whole range. The cursor is the page's last id either
// way. A q is answered as search.go says.
func (tx *Tx) ListInvoices(ctx context.Context, f finapp.InvoiceFilter) ([]*finapp.Invoice, string, error) {
	var w where
	w.add(`i.workspace_id = ?`, tx.ws)
	if f.OrganizationID != "" {
		w.add(`i.organization_id = ?`, f.OrganizationID)
	}
	if f.Number != "" {
		w.add(`i.number = ?`, f.Number)
	}
	if f.ExternalID != "" {
		w.add(`i.external_id = ?`, f.ExternalID)
	}
	if f.IssuedFrom != "" {
		w.add(`i.issued_on >= ?`, f.IssuedFrom)
	}
	if f.IssuedTo != "" {
		w.add(`i.issued_on <= ?`, f.IssuedTo)
	}
	switch f.Status {
	case "":
	case "overdue":
		w.add(`i.status IN ('unpaid', 'partially_paid') AND i.due_on < ?`, f.Today)
	default:
		w.add(`i.status = ?`, f.Status)
	}
	if f.Kind != "" {
		w.add(`i.kind = ?`, f.Kind)
	}
	order := ` ORDER BY i.id DESC`
	byIssue := f.IssuedFrom != "" || f.IssuedTo != ""
	if byIssue {
		order = ` ORDER BY i.issued_on DESC, i.id DESC`
	}
	if f.Cursor != "" {
		if byIssue {
			// The rows after the cursor's invoice in (issued_on, id) order. An issue date never
			// changes, so the cursor's own is looked up rather than carried in the cursor.
			w.add(`(i.issued_on, i.id) < ((SELECT c.issued_on FROM invoices c WHERE c.workspace_id = ? AND c.id = ?), ?)`, tx.ws, f.Cursor, f.Cursor)
		} else {
			w.add(`i.id < ?`, f.Cursor)
		}
	}
	var list []*finapp.Invoice
	var err error
	if f.Q == "" {
		list, err = tx.invoices(ctx, `SELECT `+invoiceColumns+invoiceFrom+w.sql()+order+` LIMIT ?`, append(w.args, f.Limit+1)...)
	} else {
		list, err = tx.searchInvoices(ctx, f, w, order)
	}
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(i *finapp.Invoice) string { return i.ID })
}

// invoices runs a query that selects invoiceColumns.
func (tx *Tx) invoices(ctx context.Context, query string, args ...any) ([]*finapp.Invoice, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanInvoice)
}

// paymentStatusSQL is the SQL form of finapp.Payment.Status, for filtering.
var paymentStatusSQL = map[string]string{
	finapp.PaymentUnassigned:         `p.organization_id IS NULL`,
	finapp.PaymentUnallocated:        `p.organization_id IS NOT NULL AND p.allocated + p.topped_up + p.refunded = 0`,
	finapp.PaymentPartiallyAllocated: `p.organization_id IS NOT NULL AND p.allocated + p.topped_up + p.refunded > 0 AND p.allocated + p.topped_up + p.refunded < p.amount`,
	finapp.PaymentFullyAllocated:     `p.organization_id IS NOT NULL AND p.allocated + p.topped_up + p.refunded = p.amount`,
}

// ListPayments implements finapp.Tx, newest first.
func (tx *Tx) ListPayments(ctx context.Context, f finapp.PaymentFilter) ([]*finapp.Payment, string, error) {
	var w where
	w.add(`p.workspace_id = ?`, tx.ws)
	if !f.IncludeDeleted {
		w.add(`p.deleted_at IS NULL`)
	}
	if cond, ok := paymentStatusSQL[f.Status]; ok {
		w.add(cond)
	}
	if f.OrganizationID != "" {
		w.add(`p.organization_id = ?`, f.OrganizationID)
	}
	if f.Method != "" {
		w.add(`p.method = ?`, f.Method)
	}
	if f.ExternalID != "" {
		w.add(`p.external_id = ?`, f.ExternalID)
	}
	if f.ReceivedFrom != "" {
		w.add(`p.received_on >= ?`, f.ReceivedFrom)
	}
	if f.ReceivedTo != "" {
		w.add(`p.received_on <= ?`, f.ReceivedTo)
	}
	if f.Q != "" {
		p := likePattern(f.Q)
		w.add(`(p.reference`+tx.like()+` OR p.remark`+tx.like()+` OR p.invoice_hint`+tx.like()+` OR o.name`+tx.like()+`)`, p, p, p, p)
	}
	if f.Cursor != "" {
		w.add(`p.id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+paymentColumns+paymentFrom+w.sql()+` ORDER BY p.id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanPayment)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(p *finapp.Payment) string { return p.ID })
}
