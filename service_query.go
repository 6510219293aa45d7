package finapp

import (
	"context"
	"strings"
	"time"

	"finapp/money"
)

// MaxPageSize bounds every list; DefaultPageSize is used when the caller names none.
const (
	DefaultPageSize = 50
	MaxPageSize     = 500
)

func pageSize(n int) (int, error) {
	switch {
	case n == 0:
		return DefaultPageSize, nil
	case n < 0 || n > MaxPageSize:
		return 0, Invalid("limit", "must be between 1 and %d", MaxPageSize)
	}
	return n, nil
}

// GetPayment returns a payment (deleted ones too, for auditors) with the latest
// DetailHistoryLimit of its allocations, top-ups and refunds each, oldest first.
func (s *Service) GetPayment(ctx context.Context, id string) (*PaymentDetail, error) {
	var d PaymentDetail
	err := s.read(ctx, func(tx Tx) error {
		var err error
		if d.Payment, err = tx.Payment(ctx, id); err != nil {
			return err
		}
		if d.Allocations, d.AllocationsMore, err = recentHistory(tx.ListAllocations(ctx, AllocationFilter{PaymentID: id, Limit: DetailHistoryLimit})); err != nil {
			return err
		}
		if d.TopUps, d.TopUpsMore, err = recentHistory(tx.ListTopUps(ctx, TopUpFilter{PaymentID: id, Limit: DetailHistoryLimit})); err != nil {
			return err
		}
		d.Refunds, d.RefundsMore, err = recentHistory(tx.ListRefunds(ctx, RefundFilter{PaymentID: id, Limit: DetailHistoryLimit}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

var paymentStatuses = []string{PaymentUnassigned, PaymentUnallocated, PaymentPartiallyAllocated, PaymentFullyAllocated}

// ListPayments lists payments, newest first. Errors: EInvalid.
func (s *Service) ListPayments(ctx context.Context, f PaymentFilter) (list []*Payment, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixPayment); err != nil {
		return nil, "", err
	}
	if err := f.Sort.check(PaymentSortKeys); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !contains(paymentStatuses, f.Status) {
		return nil, "", Invalid("status", "must be one of %s", strings.Join(paymentStatuses, ", "))
	}
	if f.Method != "" {
		if _, err := parseMethod(f.Method); err != nil {
			return nil, "", err
		}
	}
	if err := checkDates(&f.ReceivedFrom, &f.ReceivedTo, "received_from", "received_to"); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListPayments(ctx, f)
		return err
	})
	return list, next, err
}

// PaymentTotals adds up, per currency, the payments f selects, when they are at most TotalsCap.
// Errors: EInvalid.
func (s *Service) PaymentTotals(ctx context.Context, f PaymentFilter) (ListTotals, error) {
	f.Cursor, f.Limit = "", 1
	if _, _, err := s.ListPayments(ctx, f); err != nil { // the same checks, and a cheap query
		return ListTotals{}, err
	}
	var t []ListTotal
	err := s.read(ctx, func(tx Tx) (err error) { t, err = tx.PaymentTotals(ctx, f, TotalsCap+1); return err })
	return capped(t), err
}

// InvoiceTotals adds up, per currency, the invoices f selects and what they have due, when they
// are at most TotalsCap. Errors: EInvalid.
func (s *Service) InvoiceTotals(ctx context.Context, f InvoiceFilter) (ListTotals, error) {
	f.Cursor, f.Limit = "", 1
	if _, _, err := s.ListInvoices(ctx, f); err != nil {
		return ListTotals{}, err
	}
	f.Today = s.today(ctx)
	var t []ListTotal
	err := s.read(ctx, func(tx Tx) (err error) { t, err = tx.InvoiceTotals(ctx, f, TotalsCap+1); return err })
	return capped(t), err
}

// ListInvoices searches invoices, newest first. Errors: EInvalid.
func (s *Service) ListInvoices(ctx context.Context, f InvoiceFilter) (list []*Invoice, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixInvoice); err != nil {
		return nil, "", err
	}
	if err := f.Sort.check(InvoiceSortKeys); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !contains(InvoiceFilterStatuses, f.Status) {
		return nil, "", Invalid("status", "must be one of %s", strings.Join(InvoiceFilterStatuses, ", "))
	}
	if f.Kind != "" && !contains([]string{KindStandard, KindProforma, KindTopUp}, f.Kind) {
		return nil, "", Invalid("kind", "must be one of standard, proforma, top_up")
	}
	if err := checkDates(&f.IssuedFrom, &f.IssuedTo, "issued_from", "issued_to"); err != nil {
		return nil, "", err
	}
	f.Today = s.today(ctx)
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListInvoices(ctx, f)
		return err
	})
	return list, next, err
}

// InvoiceDetail is an invoice with the allocations that paid it.
type InvoiceDetail struct {
	*Invoice
	Allocations     []*Allocation // the latest DetailHistoryLimit, oldest first
	AllocationsMore bool          // older ones exist: ListAllocations pages them
}

// GetInvoice returns an invoice with the latest DetailHistoryLimit of its allocations (released
// ones too), oldest first.
func (s *Service) GetInvoice(ctx context.Context, id string) (*InvoiceDetail, error) {
	var d InvoiceDetail
	err := s.read(ctx, func(tx Tx) error {
		var err error
		if d.Invoice, err = tx.Invoice(ctx, id); err != nil {
			return err
		}
		d.Allocations, d.AllocationsMore, err = recentHistory(tx.ListAllocations(ctx, AllocationFilter{InvoiceID: id, Limit: DetailHistoryLimit}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// Today is the service's current date (YYYY-MM-DD), for the derived overdue flag.

// OrganizationDetail is an organization with its balances from the journal and, read one at a
// time (GetOrganization), what each way of settling a difference did (nil in lists).
type OrganizationDetail struct {
	*Organization
	Balances
	Differences Differences
}

// DifferenceRefunded is the Differences key of money paid back by refund.
const DifferenceRefunded = "refunded"

// DifferenceCredited is the Differences key of credit notes issued (and not void).
const DifferenceCredited = "credited"

// Differences are what settled a customer's invoices or money other than by allocation, by way
// (AdjustmentKinds: written off, bank fees, discounts; DifferenceRefunded) and currency: the
// adjustments still standing and the refunds not reversed.
type Differences map[string]map[money.Currency]money.Sum

// Add counts s of currency cur under kind.
func (d Differences) Add(kind string, cur money.Currency, s money.Sum) {
	if d[kind] == nil {
		d[kind] = map[money.Currency]money.Sum{}
	}
	d[kind][cur] = d[kind][cur].Plus(s)
}

// GetOrganization returns an organization with its journal balances.
func (s *Service) GetOrganization(ctx context.Context, id string) (*OrganizationDetail, error) {
	var d OrganizationDetail
	err := s.read(ctx, func(tx Tx) error {
		var err error
		if d.Organization, err = tx.Organization(ctx, id); err != nil {
			return err
		}
		all, err := balances(ctx, tx, s.Now().UTC(), id)
		if err != nil {
			return err
		}
		d.Balances = all[id]
		d.Differences, err = tx.OrganizationDifferences(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// OrganizationNames names the organizations of those ids that exist, in one read (a page that
// shows many customers, such as the Reconcile queue, needs their names, not their figures).
func (s *Service) OrganizationNames(ctx context.Context, ids []string) (map[string]string, error) {
	names := make(map[string]string, len(ids))
	if len(ids) == 0 {
		return names, nil
	}
	err := s.read(ctx, func(tx Tx) error {
		clear(names) // the store may run this again
		found, err := tx.OrganizationsByID(ctx, ids)
		for id, o := range found {
			names[id] = o.Name
		}
		return err
	})
	return names, err
}

// balances reads organizations' figures from their journal accounts, all in one query.
// Receivable is a debit balance; unapplied money and credit are credit balances, shown positive.
func balances(ctx context.Context, tx Tx, now time.Time, orgIDs ...string) (map[string]Balances, error) {
	out := map[string]Balances{}
	owner := map[string]string{} // account → organization
	var accounts []string
	for _, id := range orgIDs {
		out[id] = Balances{Outstanding: map[money.Currency]money.Sum{}, Unapplied: map[money.Currency]money.Sum{}, Credit: map[money.Currency]money.Sum{},
			CreditNotes: map[money.Currency]money.Sum{}}
		for _, a := range []string{ReceivableAccount(id), UnappliedAccount(id), CreditAccount(id), CreditNoteAccount(id)} {
			owner[a] = id
			accounts = append(accounts, a)
		}
	}
	if len(accounts) == 0 {
		return out, nil
	}
	rows, err := tx.AccountBalances(ctx, accounts)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		id := owner[r.Account]
		switch b := out[id]; r.Account {
		case ReceivableAccount(id):
			b.Outstanding[r.Currency] = r.Balance
		case UnappliedAccount(id):
			b.Unapplied[r.Currency] = r.Balance.Neg()
		case CreditAccount(id):
			b.Credit[r.Currency] = r.Balance.Neg()
		case CreditNoteAccount(id):
			b.CreditNotes[r.Currency] = r.Balance.Neg()
		}
	}
	reserved, limits, err := tx.CreditHeld(ctx, orgIDs, now)
	if err != nil {
		return nil, err
	}
	for id, b := range out {
		b.UsableCredit = map[money.Currency]money.Sum{}
		for _, f := range creditFigures(b.Credit, reserved[id], limits[id]) {
			b.UsableCredit[f.Currency] = f.Usable
		}
		out[id] = b
	}
	return out, nil
}

// ListOrganizations lists organizations by name match, newest first, with balances.
func (s *Service) ListOrganizations(ctx context.Context, f OrganizationFilter) (list []*OrganizationDetail, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixOrganization); err != nil {
		return nil, "", err
	}
	if err := f.Sort.check(OrganizationSortKeys); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		orgs, n, err := tx.ListOrganizations(ctx, f)
		if err != nil {
			return err
		}
		next = n
		ids := make([]string, len(orgs))
		for i, o := range orgs {
			ids[i] = o.ID
		}
		all, err := balances(ctx, tx, s.Now().UTC(), ids...)
		if err != nil {
			return err
		}
		for _, o := range orgs {
			list = append(list, &OrganizationDetail{Organization: o, Balances: all[o.ID]})
		}
		return nil
	})
	return list, next, err
}

// ListAudit lists audit events, newest first.
func (s *Service) ListAudit(ctx context.Context, f AuditFilter) (list []*AuditEvent, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixAudit); err != nil {
		return nil, "", err
	}
	if err := s.sealPending(ctx); err != nil { // every listed event carries its link
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListAudit(ctx, f)
		return err
	})
	return list, next, err
}

// Journal returns every journal entry of the workspace in posting order.
func (s *Service) Journal(ctx context.Context) (list []*JournalEntry, err error) {
	err = s.read(ctx, func(tx Tx) error {
		list, err = tx.Journal(ctx, JournalFilter{})
		return err
	})
	return list, err
}

// AccountBalances returns the net balance of every account per currency, from the journal.
func (s *Service) AccountBalances(ctx context.Context) (list []AccountBalance, err error) {
	err = s.read(ctx, func(tx Tx) error {
		list, err = tx.AccountBalances(ctx, nil)
		return err
	})
	return list, err
}

func checkDates(from, to *string, fromField, toField string) error {
	var err error
	if *from != "" {
		if *from, err = ParseDate(fromField, *from); err != nil {
			return err
		}
	}
	if *to != "" {
		if *to, err = ParseDate(toField, *to); err != nil {
			return err
		}
	}
	if *from != "" && *to != "" && *to < *from {
		return Invalid(toField, "is before %s", fromField)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
