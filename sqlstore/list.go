package sqlstore

import (
	"context"
	"strings"

	"finapp"
	"finapp/money"
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

// sortedBy orders a list query of table (aliased alias) by s, whose keys columns maps to columns
// (SortCreated is the id), and adds to w the condition for the rows after cursor in that order:
// the key of the cursor's row is read back from it, so the cursor stays a plain id. A key's ties
// are broken by id in the same direction.
func (tx *Tx) sortedBy(w *where, table, alias string, s finapp.ListSort, columns map[string]string, cursor string) string {
	dir, cmp := " DESC", " < "
	if s.Asc {
		dir, cmp = " ASC", " > "
	}
	col := columns[s.Key]
	if col == "" { // SortCreated, or the zero sort
		if cursor != "" {
			w.add(alias+`.id`+cmp+`?`, cursor)
		}
		return ` ORDER BY ` + alias + `.id` + dir
	}
	if cursor != "" {
		w.add(`(`+alias+`.`+col+`, `+alias+`.id)`+cmp+`((SELECT c.`+col+` FROM `+table+` c WHERE c.workspace_id = ? AND c.id = ?), ?)`, tx.ws, cursor, cursor)
	}
	return ` ORDER BY ` + alias + `.` + col + dir + `, ` + alias + `.id` + dir
}

var (
	paymentSortColumns      = map[string]string{"received_on": "received_on", "amount": "amount"}
	invoiceSortColumns      = map[string]string{"issued_on": "issued_on", "due_on": "due_on", "total": "total", "number": "number"}
	organizationSortColumns = map[string]string{"name": "name"}
)

// ListOrganizations implements finapp.Tx, newest first unless sorted otherwise.
func (tx *Tx) ListOrganizations(ctx context.Context, f finapp.OrganizationFilter) ([]*finapp.Organization, string, error) {
	var w where
	w.add(`o.workspace_id = ?`, tx.ws)
	if f.Q != "" {
		w.add(`o.name`+tx.like(), likePattern(f.Q))
	}
	if f.ExternalID != "" {
		w.add(`o.external_id = ?`, f.ExternalID)
	}
	order := tx.sortedBy(&w, "organizations", "o", f.Sort, organizationSortColumns, f.Cursor)
	rows, err := tx.query(ctx, `SELECT `+organizationColumns+` FROM organizations o`+w.sql()+order+` LIMIT ?`, append(w.args, f.Limit+1)...)
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
	w := tx.invoiceWhere(f)
	sort := f.Sort
	if sort.Key == "" && (f.IssuedFrom != "" || f.IssuedTo != "") {
		sort.Key = "issued_on" // newest first, from invoices_issued_list
	}
	order := tx.sortedBy(&w, "invoices", "i", sort, invoiceSortColumns, f.Cursor)
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
	w := tx.paymentWhere(f)
	order := tx.sortedBy(&w, "payments", "p", f.Sort, paymentSortColumns, f.Cursor)
	rows, err := tx.query(ctx, `SELECT `+paymentColumns+paymentFrom+w.sql()+order+` LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanPayment)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(p *finapp.Payment) string { return p.ID })
}

// paymentWhere is the condition of a payment list for f, but for the cursor.
func (tx *Tx) paymentWhere(f finapp.PaymentFilter) where {
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
	return w
}

// PaymentTotals implements finapp.Tx: per currency, how many of the first limit payments f
// selects there are and their sum, in two parts (sums.go) so that no count of them overflows.
func (tx *Tx) PaymentTotals(ctx context.Context, f finapp.PaymentFilter, limit int) ([]finapp.ListTotal, error) {
	w := tx.paymentWhere(f)
	from := ` FROM payments p `
	if f.Q != "" { // only a search reads the customer's name
		from = paymentFrom
	}
	return tx.totals(ctx, `SELECT currency, COUNT(*), CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT), 0, 0
		FROM (SELECT p.currency, p.amount`+from+w.sql()+` LIMIT ?) t GROUP BY currency ORDER BY currency`, append(w.args, limit)...)
}

// InvoiceTotals implements finapp.Tx: per currency, how many of the first limit invoices f
// selects there are, their totals and what they have due (void ones: nothing).
func (tx *Tx) InvoiceTotals(ctx context.Context, f finapp.InvoiceFilter, limit int) ([]finapp.ListTotal, error) {
	w := tx.invoiceWhere(f)
	from := ` FROM invoices i `
	if f.Q != "" { // only a search reads the customer's name
		p := likePattern(f.Q)
		w.add(`(o.name`+tx.like()+` OR i.number`+tx.like()+`)`, p, p)
		from = invoiceFrom
	}
	return tx.totals(ctx, `SELECT currency, COUNT(*), CAST(SUM(total / 4294967296) AS BIGINT), CAST(SUM(total % 4294967296) AS BIGINT),
		CAST(SUM(due / 4294967296) AS BIGINT), CAST(SUM(due % 4294967296) AS BIGINT)
		FROM (SELECT i.currency, i.total, CASE WHEN i.voided_at IS NULL THEN i.total - i.amount_settled ELSE 0 END AS due`+from+w.sql()+` LIMIT ?) t
		GROUP BY currency ORDER BY currency`, append(w.args, limit)...)
}

func (tx *Tx) totals(ctx context.Context, query string, args ...any) ([]finapp.ListTotal, error) {
	rows, err := tx.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []finapp.ListTotal
	for rows.Next() {
		var t finapp.ListTotal
		var hi, lo, dueHi, dueLo int64
		if err := rows.Scan(&t.Currency, &t.Count, &hi, &lo, &dueHi, &dueLo); err != nil {
			return nil, err
		}
		t.Amount, t.Due = money.SumParts(hi, lo), money.SumParts(dueHi, dueLo)
		out = append(out, t)
	}
	return out, rows.Err()
}

// invoiceWhere is the condition of an invoice list for f, but for q and the cursor.
func (tx *Tx) invoiceWhere(f finapp.InvoiceFilter) where {
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
	return w
}
