package conformance

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"sort"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// books is everything finapp shows about the workspace at one moment, read through the Service's
// queries only (never through the store directly), so that what is checked is what users see.
// Light books hold what the payment and invoice lists show and the journal; full books
// (full == true) add every payment's and invoice's allocations and top-ups, read one entity at a
// time, and the organizations with their balances.
type books struct {
	full      bool
	payments  map[string]*finapp.PaymentDetail // deleted ones too
	invoices  map[string]*finapp.InvoiceDetail
	orgs      map[string]*finapp.OrganizationDetail // full books only
	credit    map[string][]finapp.CreditFigure      // by organization, as a reservation reads it; full books only
	balances  []finapp.AccountBalance
	journal   []*finapp.JournalEntry
	refunds   []*finapp.Refund           // every refund, reversed ones too
	refunded  map[string]money.Sum       // by payment: its refunds not reversed
	notes     []*finapp.CreditNoteDetail // every credit note with its applications, void ones too
	captured  []*finapp.Reservation      // every captured reservation
	withdrawn []*finapp.Withdrawal       // every withdrawal, reversed ones too
	today     string
}

// account names one ledger account in one currency.
type account struct {
	name string
	cur  money.Currency
}

func (a account) String() string { return a.name + " " + string(a.cur) }

// loadBooks reads the whole workspace, in full or light. It assumes no writer runs meanwhile.
func loadBooks(ctx context.Context, svc *finapp.Service, full bool) (*books, error) {
	b := &books{full: full, payments: map[string]*finapp.PaymentDetail{}, invoices: map[string]*finapp.InvoiceDetail{},
		orgs: map[string]*finapp.OrganizationDetail{}, credit: map[string][]finapp.CreditFigure{}, refunded: map[string]money.Sum{}, today: svc.Today(ctx)}
	for cursor := ""; ; {
		list, next, err := svc.ListPayments(ctx, finapp.PaymentFilter{IncludeDeleted: true, Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing payments: %w", err)
		}
		for _, p := range list {
			b.payments[p.ID] = &finapp.PaymentDetail{Payment: p}
			if !full {
				continue
			}
			d, err := svc.GetPayment(ctx, p.ID)
			if err != nil {
				return nil, fmt.Errorf("getting listed payment %s: %w", p.ID, err)
			}
			if !samePayment(d.Payment, p) {
				return nil, fmt.Errorf("payment %s is listed as %+v but read as %+v", p.ID, *p, *d.Payment)
			}
			if err := wholePaymentHistory(ctx, svc, d); err != nil {
				return nil, err
			}
			b.payments[p.ID] = d
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListInvoices(ctx, finapp.InvoiceFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing invoices: %w", err)
		}
		for _, inv := range list {
			b.invoices[inv.ID] = &finapp.InvoiceDetail{Invoice: inv}
			if !full {
				continue
			}
			d, err := svc.GetInvoice(ctx, inv.ID)
			if err != nil {
				return nil, fmt.Errorf("getting listed invoice %s: %w", inv.ID, err)
			}
			if !sameInvoice(d.Invoice, inv) {
				return nil, fmt.Errorf("invoice %s is listed as %+v but read as %+v", inv.ID, *inv, *d.Invoice)
			}
			all, err := pageHistory(func(cursor string) ([]*finapp.Allocation, string, error) {
				return svc.ListAllocations(ctx, finapp.AllocationFilter{InvoiceID: inv.ID, Cursor: cursor, Limit: finapp.MaxPageSize})
			})
			if err != nil {
				return nil, fmt.Errorf("paging invoice %s's allocations: %w", inv.ID, err)
			}
			if d.Allocations, err = detailTail("invoice "+inv.ID+"'s allocations", d.Allocations, d.AllocationsMore, all); err != nil {
				return nil, err
			}
			b.invoices[inv.ID] = d
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListRefunds(ctx, finapp.RefundFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing refunds: %w", err)
		}
		b.refunds = append(b.refunds, list...)
		for _, r := range list {
			if r.ReversedAt == nil {
				b.refunded[r.PaymentID] = b.refunded[r.PaymentID].Add(r.Amount)
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListCreditNotes(ctx, finapp.CreditNoteFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing credit notes: %w", err)
		}
		for _, n := range list {
			d, err := svc.GetCreditNote(ctx, n.ID)
			if err != nil {
				return nil, fmt.Errorf("getting listed credit note %s: %w", n.ID, err)
			}
			if !sameCreditNote(d.CreditNote, n) {
				return nil, fmt.Errorf("credit note %s is listed as %+v but read as %+v", n.ID, *n, *d.CreditNote)
			}
			all, err := pageHistory(func(cursor string) ([]*finapp.CreditNoteApplication, string, error) {
				return svc.ListCreditNoteApplications(ctx, finapp.CreditNoteApplicationFilter{CreditNoteID: n.ID, Cursor: cursor, Limit: finapp.MaxPageSize})
			})
			if err != nil {
				return nil, fmt.Errorf("paging credit note %s's applications: %w", n.ID, err)
			}
			if d.Applications, err = detailTail("credit note "+n.ID+"'s applications", d.Applications, d.ApplicationsMore, all); err != nil {
				return nil, err
			}
			b.notes = append(b.notes, d)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListReservations(ctx, finapp.ReservationFilter{Status: finapp.ReservationCaptured, Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing reservations: %w", err)
		}
		b.captured = append(b.captured, list...)
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListWithdrawals(ctx, finapp.WithdrawalFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing withdrawals: %w", err)
		}
		b.withdrawn = append(b.withdrawn, list...)
		if cursor = next; cursor == "" {
			break
		}
	}
	for cursor := ""; full; {
		list, next, err := svc.ListOrganizations(ctx, finapp.OrganizationFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, fmt.Errorf("listing organizations: %w", err)
		}
		for _, o := range list {
			d, err := svc.GetOrganization(ctx, o.ID)
			if err != nil {
				return nil, fmt.Errorf("getting listed organization %s: %w", o.ID, err)
			}
			if d.Name != o.Name || d.BillingCurrency != o.BillingCurrency || !maps.Equal(d.Outstanding, o.Outstanding) ||
				!maps.Equal(d.Unapplied, o.Unapplied) || !maps.Equal(d.Credit, o.Credit) || !maps.Equal(d.CreditNotes, o.CreditNotes) {
				return nil, fmt.Errorf("organization %s is listed as %+v but read as %+v", o.ID, *o, *d)
			}
			b.orgs[o.ID] = d
			if b.credit[o.ID], err = svc.Credit(ctx, o.ID); err != nil {
				return nil, fmt.Errorf("reading the credit of %s: %w", o.ID, err)
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	var err error
	if b.balances, err = svc.AccountBalances(ctx); err != nil {
		return nil, fmt.Errorf("account balances: %w", err)
	}
	if b.journal, err = svc.Journal(ctx); err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return b, nil
}

// samePayment compares the stored fields of two reads of one payment.
func samePayment(a, b *finapp.Payment) bool {
	return a.ID == b.ID && a.OrganizationID == b.OrganizationID && a.Amount == b.Amount && a.Currency == b.Currency &&
		a.ReceivedOn == b.ReceivedOn && a.Method == b.Method && a.Reference == b.Reference && a.InvoiceHint == b.InvoiceHint &&
		a.Remark == b.Remark && a.Allocated == b.Allocated && a.ToppedUp == b.ToppedUp && a.Refunded == b.Refunded && a.Version == b.Version &&
		a.AssignmentChanges == b.AssignmentChanges && a.CreatedBy == b.CreatedBy && a.CreatedAt.Equal(b.CreatedAt) &&
		a.UpdatedAt.Equal(b.UpdatedAt) && timesEqual(a.DeletedAt, b.DeletedAt) && a.OrganizationName == b.OrganizationName &&
		a.ExternalID == b.ExternalID && maps.Equal(a.Metadata, b.Metadata)
}

// sameInvoice compares the stored fields of two reads of one invoice.
func sameInvoice(a, b *finapp.Invoice) bool {
	return a.ID == b.ID && a.Number == b.Number && a.OrganizationID == b.OrganizationID && a.Kind == b.Kind &&
		a.Currency == b.Currency && a.Total == b.Total && a.AmountPaid == b.AmountPaid && a.AmountAdjusted == b.AmountAdjusted &&
		a.AmountCredited == b.AmountCredited && a.IssuedOn == b.IssuedOn &&
		a.DueOn == b.DueOn && a.Status == b.Status && a.Version == b.Version &&
		timesEqual(a.ProvisionedAt, b.ProvisionedAt) && timesEqual(a.VoidedAt, b.VoidedAt)
}

// sameCreditNote compares the stored fields of two reads of one credit note.
func sameCreditNote(a, b *finapp.CreditNote) bool {
	x, y := *a, *b
	x.VoidedAt, y.VoidedAt, x.CreatedAt, y.CreatedAt = nil, nil, time.Time{}, time.Time{}
	return x == y && timesEqual(a.VoidedAt, b.VoidedAt) && a.CreatedAt.Equal(b.CreatedAt)
}

func timesEqual(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// sortedKeys returns a map's keys in order, so that failure messages come out the same every run.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// paymentStatus derives a payment's status from its amounts (SPEC §2), independently of
// finapp.Payment.Status.
func paymentStatus(p *finapp.Payment) string {
	applied := p.Allocated + p.ToppedUp + p.Refunded
	switch {
	case p.OrganizationID == "":
		return finapp.PaymentUnassigned
	case applied == 0:
		return finapp.PaymentUnallocated
	case applied < p.Amount:
		return finapp.PaymentPartiallyAllocated
	}
	return finapp.PaymentFullyAllocated
}

// invoiceStatus is the status an invoice's amounts call for (SPEC §2); void and provisioned are
// states the amounts alone cannot tell, so they are taken as stored and checked separately.
func invoiceStatus(inv *finapp.Invoice) string {
	switch {
	case inv.Status == finapp.InvoiceVoid || inv.Status == finapp.InvoiceProvisioned:
		return inv.Status
	case inv.Settled() == 0:
		return finapp.InvoiceUnpaid
	case inv.Settled() < inv.Total:
		return finapp.InvoicePartiallyPaid
	case inv.Kind == finapp.KindProforma || inv.Kind == finapp.KindTopUp:
		return finapp.InvoiceProvisioned // a fully paid proforma or top-up invoice is provisioned
	}
	return finapp.InvoicePaid
}

// expectedLedger is what every ledger account must hold given the entities alone (SPEC §2, the
// double-entry table), as net debit − credit per account and currency:
//
//	cash:<method>        + amounts of live payments received by that method
//	unapplied:<org>      − unallocated money of the organization's live payments
//	unapplied:unassigned − unallocated money of unassigned live payments
//	receivable:<org>     + amounts due on the organization's invoices (void ones owe nothing)
//	revenue              − totals of standard invoices and money paid on provisioned proforma invoices
//	deferred_revenue     − what proforma invoices not yet provisioned ask for less their adjustments
//	topup_clearing       − what top-up invoices not yet provisioned ask for less their adjustments
//	credit:<org>         − the organization's top-ups and money paid on its provisioned top-up invoices
//	expense:<kind>       + active adjustments of that kind on standard invoices (light books: all
//	                       kinds together as expense:*, for the lists do not tell the kinds)
//	conversion:<P>-<I>   − in P what active converted allocations took from payments, + in I what
//	                       they gave invoices (light books: per currency, all pairs together as
//	                       conversion:*, which is what invoices received less what payments gave)
//	cash:<method>        − refunds not reversed, paid back by that method, and credit notes' refunds
//	revenue              + credit notes not void
//	credit_note:<org>    − what the organization's credit notes (not void) have left
//	receivable:<org>       (less what credit notes applied to its invoices)
//	credit:<org>           (less what credit notes moved into it)
//	credit:<org>         + captured reservations and withdrawals not reversed; revenue − the
//	                       captures; cash:<method> − the withdrawals paid out by that method
func (b *books) expectedLedger() map[account]money.Sum {
	want := map[account]money.Sum{}
	add := func(k account, a money.Amount) { want[k] = want[k].Add(a) }
	for _, r := range b.refunds {
		if r.ReversedAt == nil {
			add(account{finapp.CashAccount(r.Method), r.Currency}, -r.Amount)
		}
	}
	for _, n := range b.notes {
		if n.Status == finapp.CreditNoteVoid {
			continue
		}
		add(account{finapp.AccountRevenue, n.Currency}, n.Amount)
		add(account{finapp.CreditNoteAccount(n.OrganizationID), n.Currency}, -n.Remaining())
		add(account{finapp.CreditAccount(n.OrganizationID), n.Currency}, -n.ToCredit)
		for _, a := range n.Applications {
			if a.Kind == finapp.ApplicationRefund {
				add(account{finapp.CashAccount(a.Method), a.Currency}, -a.Amount)
			}
		}
	}
	for _, r := range b.captured { // a capture charges credit to revenue
		add(account{finapp.CreditAccount(r.OrganizationID), r.Currency}, r.Captured)
		add(account{finapp.AccountRevenue, r.Currency}, -r.Captured)
	}
	for _, w := range b.withdrawn { // a withdrawal pays credit out; its reversal brings it back
		if w.ReversedAt == nil {
			add(account{finapp.CreditAccount(w.OrganizationID), w.Currency}, w.Amount)
			add(account{finapp.CashAccount(w.Method), w.Currency}, -w.Amount)
		}
	}
	for _, id := range sortedKeys(b.payments) {
		p := b.payments[id]
		// A top-up credits the organization the payment belongs to (a payment that topped up
		// can no longer be unassigned or deleted; check verifies each top-up's organization).
		add(account{finapp.CreditAccount(p.OrganizationID), p.Currency}, -p.ToppedUp)
		if p.DeletedAt != nil {
			continue
		}
		add(account{finapp.CashAccount(p.Method), p.Currency}, p.Amount)
		add(account{finapp.UnappliedAccount(p.OrganizationID), p.Currency}, -p.Unallocated())
		if !b.full {
			add(account{lightConversions, p.Currency}, -p.Allocated)
		}
		for _, a := range p.Allocations {
			if a.ReleasedAt == nil && !a.IsAdjustment() && a.Rate != "" {
				conversion := finapp.ConversionAccount(a.Currency, a.InvoiceCurrency)
				add(account{conversion, a.Currency}, -a.Amount)
				add(account{conversion, a.InvoiceCurrency}, a.InvoiceAmount)
			}
		}
	}
	for _, id := range sortedKeys(b.invoices) {
		inv := b.invoices[id]
		if inv.Status == finapp.InvoiceVoid {
			continue
		}
		add(account{finapp.ReceivableAccount(inv.OrganizationID), inv.Currency}, inv.Total-inv.Settled())
		if !b.full {
			add(account{lightConversions, inv.Currency}, inv.AmountPaid)
		}
		provisioned := inv.Status == finapp.InvoiceProvisioned
		switch {
		case inv.Kind == finapp.KindStandard:
			add(account{finapp.AccountRevenue, inv.Currency}, -inv.Total)
			if !b.full {
				add(account{lightExpenses, inv.Currency}, inv.AmountAdjusted)
			}
			for _, a := range inv.Allocations {
				if a.ReleasedAt == nil && a.IsAdjustment() {
					add(account{finapp.ExpenseAccount(a.Kind), a.Currency}, a.Amount)
				}
			}
		case inv.Kind == finapp.KindProforma && provisioned:
			add(account{finapp.AccountRevenue, inv.Currency}, -inv.AmountPaid)
		case inv.Kind == finapp.KindProforma:
			add(account{finapp.AccountDeferredRevenue, inv.Currency}, -(inv.Total - inv.AmountAdjusted))
		case inv.Kind == finapp.KindTopUp && provisioned:
			add(account{finapp.CreditAccount(inv.OrganizationID), inv.Currency}, -inv.AmountPaid)
		default:
			add(account{finapp.AccountTopUpClearing, inv.Currency}, -(inv.Total - inv.AmountAdjusted))
		}
	}
	return want
}

// lightExpenses and lightConversions are every expense account, and every conversion account of
// a currency, together, as light books expect them.
const (
	lightExpenses    = "expense:*"
	lightConversions = "conversion:*"
)

// foldExpenses returns balances with every expense account summed into lightExpenses and every
// conversion account into lightConversions, for comparing with light books' expectations.
func foldExpenses(balances map[account]money.Sum) map[account]money.Sum {
	out := map[account]money.Sum{}
	for k, v := range balances {
		switch {
		case strings.HasPrefix(k.name, "expense:"):
			k.name = lightExpenses
		case strings.HasPrefix(k.name, "conversion:"):
			k.name = lightConversions
		}
		if out[k] = out[k].Plus(v); out[k].IsZero() {
			delete(out, k)
		}
	}
	return out
}

// ledger returns the balances AccountBalances reported, as a map without zero balances.
func (b *books) ledger() map[account]money.Sum {
	got := map[account]money.Sum{}
	for _, r := range b.balances {
		if !r.Balance.IsZero() {
			got[account{r.Account, r.Currency}] = r.Balance
		}
	}
	return got
}

// diffLedgers lists every account whose balance differs between want and got (zero = absent).
func diffLedgers(wantName string, want map[account]money.Sum, gotName string, got map[account]money.Sum) []string {
	keys := map[account]bool{}
	for k := range want {
		keys[k] = true
	}
	for k := range got {
		keys[k] = true
	}
	sorted := make([]account, 0, len(keys))
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Slice(sorted, func(i, j int) bool { return sorted[i].String() < sorted[j].String() })
	var out []string
	for _, k := range sorted {
		if want[k] != got[k] {
			out = append(out, fmt.Sprintf("account %s: %s says %s, %s says %s", k.name, wantName, fmtSum(want[k], k.cur), gotName, fmtSum(got[k], k.cur)))
		}
	}
	return out
}

// check returns every invariant the books break, as sentences; none means consistent.
func (b *books) check() []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }

	// Allocations as the invoices list them, to compare with the payments' lists (full books only;
	// light books have no allocations or top-ups, so those checks pass trivially).
	byInvoice := map[string]*finapp.Allocation{}
	for _, id := range sortedKeys(b.invoices) {
		for _, a := range b.invoices[id].Allocations {
			if a.InvoiceID != id {
				fail("invoice %s lists allocation %s of invoice %s", id, a.ID, a.InvoiceID)
			}
			byInvoice[a.ID] = a
		}
	}

	// Payments.
	seenAllocations := 0
	for _, id := range sortedKeys(b.payments) {
		p := b.payments[id]
		cur := p.Currency
		if p.Amount <= 0 || p.Allocated < 0 || p.ToppedUp < 0 || p.Refunded < 0 {
			fail("payment %s has amount %d, allocated %d, topped up %d, refunded %d: amounts must be positive, the others not negative",
				id, p.Amount, p.Allocated, p.ToppedUp, p.Refunded)
		}
		if p.Allocated+p.ToppedUp+p.Refunded > p.Amount {
			fail("payment %s applies %s (allocated %s + topped up %s + refunded %s), more than its amount %s", id,
				fmtAmount(p.Allocated+p.ToppedUp+p.Refunded, cur), fmtAmount(p.Allocated, cur), fmtAmount(p.ToppedUp, cur),
				fmtAmount(p.Refunded, cur), fmtAmount(p.Amount, cur))
		}
		if got := b.refunded[id]; got != money.SumOf(p.Refunded) {
			fail("payment %s says refunded %s, but its refunds not reversed sum to %s", id, fmtAmount(p.Refunded, cur), fmtSum(got, cur))
		}
		var active money.Sum // a Sum: on a damaged database nothing bounds what the allocations add up to
		for _, a := range p.Allocations {
			seenAllocations++
			if a.PaymentID != id {
				fail("payment %s lists allocation %s of payment %s", id, a.ID, a.PaymentID)
			}
			if a.Amount <= 0 {
				fail("allocation %s of payment %s is %s; it must be positive", a.ID, id, fmtAmount(a.Amount, a.Currency))
			}
			// A released allocation stays in history in the currency it was made in, even if the
			// payment's currency was corrected since; an active one is in the payment's currency.
			if a.ReleasedAt == nil && a.IsAdjustment() {
				if inv := b.invoices[a.InvoiceID]; inv == nil || inv.OrganizationID != p.OrganizationID || inv.Currency != a.Currency {
					fail("active adjustment %s of payment %s (organization %q) names invoice %s, not one of its organization's in %s", a.ID, id, p.OrganizationID, a.InvoiceID, a.Currency)
				}
			} else if a.ReleasedAt == nil {
				if a.Currency != cur {
					fail("active allocation %s of payment %s is %s, not in the payment's currency %s", a.ID, id, fmtAmount(a.Amount, a.Currency), cur)
				}
				active = active.Add(a.Amount)
				inv := b.invoices[a.InvoiceID]
				switch {
				case inv == nil:
					fail("active allocation %s of payment %s names invoice %s, which is not listed", a.ID, id, a.InvoiceID)
				case inv.OrganizationID != p.OrganizationID || inv.Currency != a.InvoiceCurrency || (a.Rate == "" && inv.Currency != cur):
					fail("active allocation %s puts payment %s (organization %q, %s) on invoice %s (organization %q, %s) receiving %s at rate %q", a.ID, id,
						p.OrganizationID, cur, inv.Number, inv.OrganizationID, inv.Currency, fmtAmount(a.InvoiceAmount, a.InvoiceCurrency), a.Rate)
				}
			}
			other := byInvoice[a.ID]
			switch {
			case other == nil:
				fail("allocation %s of payment %s is missing from invoice %s's allocations", a.ID, id, a.InvoiceID)
			case other.PaymentID != a.PaymentID || other.Amount != a.Amount || (other.ReleasedAt == nil) != (a.ReleasedAt == nil):
				fail("allocation %s reads differently through its payment (%+v) and its invoice (%+v)", a.ID, *a, *other)
			}
		}
		if b.full && active != money.SumOf(p.Allocated) {
			fail("payment %s says allocated %s, but its active allocations sum to %s", id, fmtAmount(p.Allocated, cur), fmtSum(active, cur))
		}
		var topped money.Sum
		for _, t := range p.TopUps {
			topped = topped.Add(t.Amount)
			if t.PaymentID != id || t.Amount <= 0 || t.Currency != cur || t.OrganizationID != p.OrganizationID {
				fail("top-up %s (%+v) does not match payment %s (organization %q, %s)", t.ID, *t, id, p.OrganizationID, cur)
			}
		}
		if b.full && topped != money.SumOf(p.ToppedUp) {
			fail("payment %s says topped up %s, but its top-ups sum to %s", id, fmtAmount(p.ToppedUp, cur), fmtSum(topped, cur))
		}
		if got, want := p.Status(), paymentStatus(p.Payment); got != want {
			fail("payment %s has status %s, but its amounts make it %s", id, got, want)
		}
		if p.AssignmentChanges < 0 || p.AssignmentChanges > finapp.MaxAssignmentChanges {
			fail("payment %s has %d assignment changes; at most %d are allowed", id, p.AssignmentChanges, finapp.MaxAssignmentChanges)
		}
		if p.OrganizationID == "" && (p.Allocated != 0 || p.ToppedUp != 0) {
			fail("unassigned payment %s has allocated %s and topped up %s", id, fmtAmount(p.Allocated, cur), fmtAmount(p.ToppedUp, cur))
		}
		if b.full && p.OrganizationID != "" && b.orgs[p.OrganizationID] == nil {
			fail("payment %s is assigned to organization %s, which is not listed", id, p.OrganizationID)
		}
		if p.DeletedAt != nil && (p.Allocated != 0 || p.ToppedUp != 0) {
			fail("deleted payment %s still has allocated %s and topped up %s", id, fmtAmount(p.Allocated, cur), fmtAmount(p.ToppedUp, cur))
		}
	}
	if seenAllocations != len(byInvoice) {
		fail("payments list %d allocations but invoices list %d", seenAllocations, len(byInvoice))
	}

	credited := b.checkCreditNotes(fail)

	// Invoices.
	for _, id := range sortedKeys(b.invoices) {
		inv := b.invoices[id]
		cur := inv.Currency
		if inv.Total <= 0 || inv.AmountPaid < 0 || inv.AmountAdjusted < 0 || inv.AmountCredited < 0 ||
			money.SumOf(inv.AmountPaid).Add(inv.AmountAdjusted).Add(inv.AmountCredited).Cmp(money.SumOf(inv.Total)) > 0 {
			fail("invoice %s has amount paid %s, adjusted %s and credited %s of total %s; each must be at least zero and together at most the total", inv.Number,
				fmtAmount(inv.AmountPaid, cur), fmtAmount(inv.AmountAdjusted, cur), fmtAmount(inv.AmountCredited, cur), fmtAmount(inv.Total, cur))
		}
		if got := credited[id]; got != money.SumOf(inv.AmountCredited) {
			fail("invoice %s says amount credited %s, but the credit notes' active applications to it sum to %s", inv.Number,
				fmtAmount(inv.AmountCredited, cur), fmtSum(got, cur))
		}
		var active, adjusted money.Sum
		for _, a := range inv.Allocations {
			switch {
			case a.ReleasedAt != nil:
			case a.IsAdjustment():
				adjusted = adjusted.Add(a.InvoiceAmount)
			default:
				active = active.Add(a.InvoiceAmount)
			}
		}
		if b.full && active != money.SumOf(inv.AmountPaid) {
			fail("invoice %s says amount paid %s, but its active allocations sum to %s", inv.Number, fmtAmount(inv.AmountPaid, cur), fmtSum(active, cur))
		}
		if b.full && adjusted != money.SumOf(inv.AmountAdjusted) {
			fail("invoice %s says amount adjusted %s, but its active adjustments sum to %s", inv.Number, fmtAmount(inv.AmountAdjusted, cur), fmtSum(adjusted, cur))
		}
		if want := invoiceStatus(inv.Invoice); inv.Status != want {
			fail("invoice %s (%s) has status %s, but paid %s of %s makes it %s", inv.Number, inv.Kind, inv.Status, fmtAmount(inv.AmountPaid, cur), fmtAmount(inv.Total, cur), want)
		}
		switch inv.Status {
		case finapp.InvoiceVoid:
			if inv.Settled() != 0 || inv.VoidedAt == nil || inv.ProvisionedAt != nil {
				fail("void invoice %s has paid %s, voided_at %v, provisioned_at %v", inv.Number, fmtAmount(inv.AmountPaid, cur), inv.VoidedAt, inv.ProvisionedAt)
			}
		case finapp.InvoiceProvisioned:
			if inv.Kind == finapp.KindStandard || inv.AmountPaid+inv.AmountAdjusted != inv.Total || inv.ProvisionedAt == nil {
				fail("provisioned %s invoice %s has paid %s of %s, provisioned_at %v", inv.Kind, inv.Number, fmtAmount(inv.AmountPaid, cur), fmtAmount(inv.Total, cur), inv.ProvisionedAt)
			}
		default:
			if inv.ProvisionedAt != nil || inv.VoidedAt != nil {
				fail("invoice %s is %s but has provisioned_at %v, voided_at %v", inv.Number, inv.Status, inv.ProvisionedAt, inv.VoidedAt)
			}
		}
		if b.full && b.orgs[inv.OrganizationID] == nil {
			fail("invoice %s belongs to organization %s, which is not listed", inv.Number, inv.OrganizationID)
		}
		if got, want := inv.Overdue(b.today), inv.DueOn < b.today && inv.AmountDue() > 0; got != want {
			fail("invoice %s overdue flag is %v, want %v", inv.Number, got, want)
		}
	}

	// The journal: every entry balances, the balances are the sum of the entries, and each
	// currency's accounts sum to zero.
	fromEntries := map[account]money.Sum{}
	provisionedEntries, issuedEntries, voidedEntries := map[string]int{}, map[string]int{}, map[string]int{}
	entryIDs := map[string]bool{}
	for _, e := range b.journal {
		if len(e.Lines) == 0 {
			fail("journal entry %s (%s) has no lines", e.ID, e.Operation)
		}
		if err := e.Balanced(); err != nil {
			fail("journal entry %s: %v", e.ID, err)
		}
		if entryIDs[e.ID] {
			fail("journal entry %s appears twice", e.ID)
		}
		entryIDs[e.ID] = true
		for _, l := range e.Lines {
			k := account{l.Account, l.Currency}
			fromEntries[k] = fromEntries[k].Add(l.Amount)
		}
		switch e.Operation {
		case "invoice.provisioned":
			provisionedEntries[e.EntityID]++
		case "invoice.issued":
			issuedEntries[e.EntityID]++
		case "invoice.voided":
			voidedEntries[e.EntityID]++
		}
	}
	for k, v := range fromEntries {
		if v.IsZero() {
			delete(fromEntries, k)
		}
	}
	got := b.ledger()
	bad = append(bad, diffLedgers("the journal's entries", fromEntries, "AccountBalances", got)...)
	perCurrency := map[money.Currency]money.Sum{}
	for k, v := range got {
		perCurrency[k.cur] = perCurrency[k.cur].Plus(v)
	}
	for _, c := range slices.Sorted(maps.Keys(perCurrency)) {
		if !perCurrency[c].IsZero() {
			fail("the %s accounts sum to %s, not zero: the journal does not balance", c, fmtSum(perCurrency[c], c))
		}
	}
	if b.full {
		bad = append(bad, diffLedgers("the entities", b.expectedLedger(), "the journal", got)...)
	} else {
		bad = append(bad, diffLedgers("the entities", foldExpenses(b.expectedLedger()), "the journal", foldExpenses(got))...)
	}
	for _, id := range sortedKeys(b.invoices) {
		inv := b.invoices[id]
		want := 0
		if inv.Status == finapp.InvoiceProvisioned && inv.AmountPaid > 0 { // it provisions what money paid: nothing, if adjustments settled it all
			want = 1
		}
		if n := provisionedEntries[id]; n != want {
			fail("invoice %s (%s, %s) has %d invoice.provisioned journal entries, want %d", inv.Number, inv.Kind, inv.Status, n, want)
		}
		if n := issuedEntries[id]; n != 1 {
			fail("invoice %s has %d invoice.issued journal entries, want 1", inv.Number, n)
		}
		want = 0
		if inv.Status == finapp.InvoiceVoid {
			want = 1
		}
		if n := voidedEntries[id]; n != want {
			fail("invoice %s (%s) has %d invoice.voided journal entries, want %d", inv.Number, inv.Status, n, want)
		}
	}

	// What settled each organization's invoices or money other than by allocation.
	differences := map[string]finapp.Differences{}
	for _, id := range sortedKeys(b.invoices) {
		inv := b.invoices[id]
		for _, a := range inv.Allocations {
			if a.ReleasedAt == nil && a.IsAdjustment() {
				if differences[inv.OrganizationID] == nil {
					differences[inv.OrganizationID] = finapp.Differences{}
				}
				differences[inv.OrganizationID].Add(a.Kind, a.Currency, money.SumOf(a.Amount))
			}
		}
	}
	for _, r := range b.refunds {
		if r.ReversedAt == nil && r.OrganizationID != "" {
			if differences[r.OrganizationID] == nil {
				differences[r.OrganizationID] = finapp.Differences{}
			}
			differences[r.OrganizationID].Add(finapp.DifferenceRefunded, r.Currency, money.SumOf(r.Amount))
		}
	}
	for _, n := range b.notes {
		if differences[n.OrganizationID] == nil {
			differences[n.OrganizationID] = finapp.Differences{}
		}
		if n.Status != finapp.CreditNoteVoid {
			differences[n.OrganizationID].Add(finapp.DifferenceCredited, n.Currency, money.SumOf(n.Amount))
		}
		for _, a := range n.Applications {
			if a.Kind == finapp.ApplicationRefund {
				differences[n.OrganizationID].Add(finapp.DifferenceRefunded, a.Currency, money.SumOf(a.Amount))
			}
		}
	}
	for _, id := range sortedKeys(b.orgs) {
		got, want := b.orgs[id].Differences, differences[id]
		for _, kind := range append(slices.Clone(finapp.AdjustmentKinds), finapp.DifferenceRefunded, finapp.DifferenceCredited) {
			if !maps.Equal(got[kind], want[kind]) {
				fail("organization %s shows %s %v, but its invoices' adjustments and its refunds make it %v", b.orgs[id].Name, kind, got[kind], want[kind])
			}
		}
	}

	// Each organization's figures, as GetOrganization shows them, against its entities.
	want := b.expectedLedger()
	for _, id := range sortedKeys(b.orgs) {
		o := b.orgs[id]
		for _, c := range currencies {
			figures := []struct {
				name string
				got  money.Sum
				want money.Sum
			}{
				{"outstanding (receivable)", o.Outstanding[c], want[account{finapp.ReceivableAccount(id), c}]},
				{"unapplied", o.Unapplied[c], want[account{finapp.UnappliedAccount(id), c}].Neg()},
				{"credit balance", o.Credit[c], want[account{finapp.CreditAccount(id), c}].Neg()},
				{"credit notes remaining", o.CreditNotes[c], want[account{finapp.CreditNoteAccount(id), c}].Neg()},
			}
			for _, f := range figures {
				if f.got != f.want {
					fail("organization %s shows %s %s, but its invoices, payments and top-ups make it %s", o.Name, f.name, fmtSum(f.got, c), fmtSum(f.want, c))
				}
			}
		}
		// The running credit balance a reservation decides on is its journal lines' sum.
		for _, f := range b.credit[id] {
			if want := o.Credit[f.Currency]; f.Balance != want {
				fail("organization %s has a running credit balance of %s, its journal lines %s", o.Name,
					fmtSum(f.Balance, f.Currency), fmtSum(want, f.Currency))
			}
		}
		// Reserved is the sum of the open reservations by construction (there is no counter to
		// drift); what must hold is that nothing overdrew the customer.
		for c, u := range o.UsableCredit {
			if u.Sign() < 0 {
				fail("organization %s has usable credit %s: its reservations and balance exceed its credit limit", o.Name, fmtSum(u, c))
			}
		}
	}
	return bad
}

// checkFilters compares what the list filters return with what each entity's fields say: the
// engine implements the status filters in its own query language, so they are checked here.
func checkFilters(ctx context.Context, svc *finapp.Service, b *books) ([]string, error) {
	var bad []string
	for _, status := range []string{finapp.PaymentUnassigned, finapp.PaymentUnallocated, finapp.PaymentPartiallyAllocated, finapp.PaymentFullyAllocated} {
		got := map[string]bool{}
		for cursor := ""; ; {
			list, next, err := svc.ListPayments(ctx, finapp.PaymentFilter{Status: status, Cursor: cursor, Limit: 7})
			if err != nil {
				return nil, err
			}
			for _, p := range list {
				got[p.ID] = true
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		wantTotals := map[money.Currency]finapp.ListTotal{}
		for _, id := range sortedKeys(b.payments) {
			p := b.payments[id]
			want := p.DeletedAt == nil && paymentStatus(p.Payment) == status
			if got[id] != want {
				bad = append(bad, fmt.Sprintf("ListPayments(status=%s) includes payment %s: %v, want %v (status %s, deleted %v)", status, id, got[id], want, paymentStatus(p.Payment), p.DeletedAt != nil))
			}
			if want {
				t := wantTotals[p.Currency]
				t.Currency, t.Count, t.Amount = p.Currency, t.Count+1, t.Amount.Add(p.Amount)
				wantTotals[p.Currency] = t
			}
		}
		totals, err := svc.PaymentTotals(ctx, finapp.PaymentFilter{Status: status})
		if err != nil {
			return nil, err
		}
		if g, w := fmt.Sprint(totals.Currencies), fmt.Sprint(sortedTotals(wantTotals)); !totalsAgree(totals, wantTotals) {
			bad = append(bad, fmt.Sprintf("PaymentTotals(status=%s) is %s, but the payments it selects add up to %s", status, g, w))
		}
	}
	for _, status := range finapp.InvoiceFilterStatuses {
		got := map[string]bool{}
		for cursor := ""; ; {
			list, next, err := svc.ListInvoices(ctx, finapp.InvoiceFilter{Status: status, Cursor: cursor, Limit: 7})
			if err != nil {
				return nil, err
			}
			for _, inv := range list {
				got[inv.ID] = true
			}
			if cursor = next; cursor == "" {
				break
			}
		}
		wantTotals := map[money.Currency]finapp.ListTotal{}
		for _, id := range sortedKeys(b.invoices) {
			inv := b.invoices[id]
			want := inv.Status == status
			if status == finapp.InvoiceOverdue {
				want = inv.Overdue(b.today)
			}
			if got[id] != want {
				bad = append(bad, fmt.Sprintf("ListInvoices(status=%s) includes invoice %s: %v, want %v (status %s, due %s)", status, inv.Number, got[id], want, inv.Status, inv.DueOn))
			}
			if want {
				t := wantTotals[inv.Currency]
				t.Currency, t.Count, t.Amount, t.Due = inv.Currency, t.Count+1, t.Amount.Add(inv.Total), t.Due.Add(inv.AmountDue())
				wantTotals[inv.Currency] = t
			}
		}
		totals, err := svc.InvoiceTotals(ctx, finapp.InvoiceFilter{Status: status})
		if err != nil {
			return nil, err
		}
		if g, w := fmt.Sprint(totals.Currencies), fmt.Sprint(sortedTotals(wantTotals)); !totalsAgree(totals, wantTotals) {
			bad = append(bad, fmt.Sprintf("InvoiceTotals(status=%s) is %s, but the invoices it selects add up to %s", status, g, w))
		}
	}
	return bad, nil
}

// checkCreditNotes checks every credit note against its applications and the invoices they name,
// and returns what the active applications credited each invoice.
func (b *books) checkCreditNotes(fail func(string, ...any)) map[string]money.Sum {
	credited := map[string]money.Sum{}
	for _, n := range b.notes {
		cur := n.Currency
		var sums [3]money.Sum // applied, refunded, moved into credit
		for _, a := range n.Applications {
			if a.CreditNoteID != n.ID || a.Amount <= 0 || a.Currency != cur {
				fail("application %s (%+v) does not match credit note %s (%s)", a.ID, *a, n.Number, cur)
			}
			switch {
			case a.Kind == finapp.ApplicationRefund:
				sums[1] = sums[1].Add(a.Amount)
			case a.Kind == finapp.ApplicationCredit:
				sums[2] = sums[2].Add(a.Amount)
			case a.ReleasedAt == nil:
				sums[0] = sums[0].Add(a.Amount)
				credited[a.InvoiceID] = credited[a.InvoiceID].Add(a.Amount)
				inv := b.invoices[a.InvoiceID]
				if inv == nil || inv.OrganizationID != n.OrganizationID || inv.Currency != cur || inv.Kind != finapp.KindStandard || inv.Status == finapp.InvoiceVoid {
					fail("active application %s of credit note %s names invoice %s, not a live standard invoice of its organization in %s", a.ID, n.Number, a.InvoiceID, cur)
				}
			}
		}
		if sums[0] != money.SumOf(n.Applied) || sums[1] != money.SumOf(n.Refunded) || sums[2] != money.SumOf(n.ToCredit) {
			fail("credit note %s says applied %s, refunded %s, to credit %s, but its applications sum to %s, %s, %s", n.Number,
				fmtAmount(n.Applied, cur), fmtAmount(n.Refunded, cur), fmtAmount(n.ToCredit, cur), fmtSum(sums[0], cur), fmtSum(sums[1], cur), fmtSum(sums[2], cur))
		}
		if n.Amount <= 0 || n.Applied < 0 || n.Refunded < 0 || n.ToCredit < 0 || n.Applied+n.Refunded+n.ToCredit > n.Amount {
			fail("credit note %s uses %s of %s", n.Number, fmtAmount(n.Applied+n.Refunded+n.ToCredit, cur), fmtAmount(n.Amount, cur))
		}
		want := finapp.CreditNoteOpen
		switch {
		case n.VoidedAt != nil:
			want = finapp.CreditNoteVoid
			if n.Applied+n.Refunded+n.ToCredit != 0 {
				fail("void credit note %s was used", n.Number)
			}
		case n.Remaining() == 0:
			want = finapp.CreditNoteApplied
		}
		if n.Status != want {
			fail("credit note %s has status %s, but its amounts make it %s", n.Number, n.Status, want)
		}
	}
	return credited
}

// totalsAgree reports whether a list's totals are the records' own: their sums when there are at
// most finapp.TotalsCap of them, and only the word that there are more otherwise.
func totalsAgree(got finapp.ListTotals, want map[money.Currency]finapp.ListTotal) bool {
	var n int64
	for _, t := range want {
		n += t.Count
	}
	if n > finapp.TotalsCap {
		return got.Capped && len(got.Currencies) == 0
	}
	return !got.Capped && fmt.Sprint(got.Currencies) == fmt.Sprint(sortedTotals(want))
}

// sortedTotals lists totals by currency, as the store returns them.
func sortedTotals(m map[money.Currency]finapp.ListTotal) []finapp.ListTotal {
	out := make([]finapp.ListTotal, 0, len(m))
	for _, c := range slices.Sorted(maps.Keys(m)) {
		out = append(out, m[c])
	}
	return out
}

// wholePaymentHistory replaces the bounded histories of d (the latest finapp.DetailHistoryLimit
// of each) by the whole of them, paged through their lists, after checking that the detail held
// exactly the latest ones, oldest first, and said so when there were more.
func wholePaymentHistory(ctx context.Context, svc *finapp.Service, d *finapp.PaymentDetail) error {
	id := d.ID
	allocations, err := pageHistory(func(cursor string) ([]*finapp.Allocation, string, error) {
		return svc.ListAllocations(ctx, finapp.AllocationFilter{PaymentID: id, Cursor: cursor, Limit: finapp.MaxPageSize})
	})
	if err != nil {
		return fmt.Errorf("paging payment %s's allocations: %w", id, err)
	}
	topUps, err := pageHistory(func(cursor string) ([]*finapp.TopUp, string, error) {
		return svc.ListTopUps(ctx, finapp.TopUpFilter{PaymentID: id, Cursor: cursor, Limit: finapp.MaxPageSize})
	})
	if err != nil {
		return fmt.Errorf("paging payment %s's top-ups: %w", id, err)
	}
	refunds, err := pageHistory(func(cursor string) ([]*finapp.Refund, string, error) {
		return svc.ListRefunds(ctx, finapp.RefundFilter{PaymentID: id, Cursor: cursor, Limit: finapp.MaxPageSize})
	})
	if err != nil {
		return fmt.Errorf("paging payment %s's refunds: %w", id, err)
	}
	if d.Allocations, err = detailTail("payment "+id+"'s allocations", d.Allocations, d.AllocationsMore, allocations); err != nil {
		return err
	}
	if d.TopUps, err = detailTail("payment "+id+"'s top-ups", d.TopUps, d.TopUpsMore, topUps); err != nil {
		return err
	}
	d.Refunds, err = detailTail("payment "+id+"'s refunds", d.Refunds, d.RefundsMore, refunds)
	return err
}

// pageHistory follows a history's cursor to its end and returns it oldest first.
func pageHistory[T any](list func(cursor string) ([]T, string, error)) ([]T, error) {
	var all []T
	for cursor, pages := "", 0; ; pages++ {
		if pages > 10_000 {
			return nil, fmt.Errorf("no last page after %d pages", pages)
		}
		page, next, err := list(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, page...)
		if cursor = next; cursor == "" {
			break
		}
	}
	slices.Reverse(all)
	return all, nil
}

// detailTail checks that a detail view's history is the latest finapp.DetailHistoryLimit of
// all, oldest first, flagged when older ones exist, and returns all.
func detailTail[T any](what string, detail []T, more bool, all []T) ([]T, error) {
	want := all[max(0, len(all)-finapp.DetailHistoryLimit):]
	if len(detail) != len(want) || more != (len(all) > len(want)) {
		return nil, fmt.Errorf("%s: the detail holds %d (more: %v) of %d", what, len(detail), more, len(all))
	}
	for i := range want {
		if !reflect.DeepEqual(detail[i], want[i]) {
			return nil, fmt.Errorf("%s: the detail's entry %d is %+v, its list's %+v", what, i, detail[i], want[i])
		}
	}
	return all, nil
}
