package conformance

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// scenario drives random use cases of the Payment tab against one store, one step at a time. After
// every step it reads the books back (light: lists, balances, journal) and checks every invariant
// they allow, that a refused request wrote nothing and that a done one did what it said; finish
// checks the full books once more. The choices come from draw, so the same scenario runs under
// rapid (which shrinks a failure to a short one) or under a seeded pseudo-random source.
type scenario struct {
	t    tb
	draw func(label string, lo, hi int) int
	ctx  context.Context
	svc  *finapp.Service

	orgs    []*finapp.Organization    // in the order they were created
	books   *books                    // the state after the last step
	focus   string                    // the payment the last step worked on
	stick   bool                      // pick the focus payment every time
	locked  map[string]lockedInvoice  // provisioned invoices, as first seen provisioned
	numbers int                       // the last invoice number handed out
	history []string                  // what each step did, for failure messages
	ops     []func(*scenario) outcome // the operations, each as often as its weight
}

// lockedInvoice remembers a provisioned invoice: it must stay provisioned, with the same
// provisioning time, and the allocations that paid it must stay (SPEC §3).
type lockedInvoice struct {
	at          time.Time
	allocations []string
}

// outcome is what one step did. When the use case refused, err is its error and allowed lists the
// refusals SPEC §3 gives for the situation; when it succeeded, post lists what it failed to do.
type outcome struct {
	desc    string
	err     error
	allowed []string
	post    func(before, after *books) []string
}

func newScenario(t tb, draw func(string, int, int) int, ctx context.Context, svc *finapp.Service) *scenario {
	s := &scenario{t: t, draw: draw, ctx: ctx, svc: svc, locked: map[string]lockedInvoice{}}
	weights := []struct {
		n  int
		op func(*scenario) outcome
	}{
		{1, (*scenario).createOrganization},
		{3, (*scenario).createInvoice},
		{3, (*scenario).recordPayment},
		{2, (*scenario).assign},
		{1, (*scenario).unassign},
		{4, (*scenario).allocate},
		{2, (*scenario).allocateAuto},
		{2, (*scenario).release},
		{2, (*scenario).topUp},
		{1, (*scenario).refund},
		{1, (*scenario).reverseRefund},
		{2, (*scenario).edit},
		{1, (*scenario).deletePayment},
		{1, (*scenario).voidInvoice},
		{2, (*scenario).issueCreditNote},
		{2, (*scenario).applyCreditNote},
		{1, (*scenario).releaseCreditNoteApplication},
		{1, (*scenario).useCreditNote},
		{1, (*scenario).voidCreditNote},
	}
	for _, w := range weights {
		for range w.n {
			s.ops = append(s.ops, w.op)
		}
	}
	for cursor := ""; ; {
		list, next, err := svc.ListOrganizations(ctx, finapp.OrganizationFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			t.Fatalf("listing organizations: %v", err)
		}
		for _, o := range list {
			s.orgs = append(s.orgs, o.Organization)
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	sort.Slice(s.orgs, func(i, j int) bool { return s.orgs[i].ID < s.orgs[j].ID })
	// Write-offs of up to 500 minor units per invoice pass; larger ones are refused over_tolerance.
	admin := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "conformance", Role: finapp.RoleAdmin})
	if _, err := svc.SetTolerances(admin, []finapp.ToleranceInput{{Currency: string(sgd), Amount: "5.00"}, {Currency: string(jpy), Amount: "500"}}); err != nil {
		t.Fatalf("setting the tolerances: %v", err)
	}
	s.books = s.load(false)
	return s
}

// load reads the books, light or full, failing the test if they cannot be read.
func (s *scenario) load(full bool) *books {
	s.t.Helper()
	b, err := loadBooks(s.ctx, s.svc, full)
	if err != nil {
		s.t.Fatalf("reading the books after %d steps: %v (%s)\n%s", len(s.history), err, finapp.ErrorCode(err), s.trail())
	}
	return b
}

func (s *scenario) trail() string {
	return "steps so far:\n  " + strings.Join(s.history, "\n  ")
}

// run takes n random steps.
func (s *scenario) run(n int) {
	s.t.Helper()
	for range n {
		// One draw past the weighted operations is a burst of assignment changes.
		if i := s.draw("operation", 0, len(s.ops)); i < len(s.ops) {
			s.step(s.ops[i])
		} else {
			s.churn()
		}
	}
}

// churn changes one payment's assignment several times in a row, so that payments reach the
// limit of five changes (SPEC §1) and try a sixth, which random single steps rarely do.
func (s *scenario) churn() {
	s.t.Helper()
	if len(s.books.payments) == 0 {
		s.step((*scenario).recordPayment)
		return
	}
	s.stick = true
	defer func() { s.stick = false }()
	for range s.draw("assignment changes in a row", 2, 7) {
		if s.chance("unassign rather than assign", 2) {
			s.step((*scenario).unassign)
		} else {
			s.step((*scenario).assign)
		}
	}
}

// step runs one operation and checks the books it leaves.
func (s *scenario) step(op func(*scenario) outcome) {
	s.t.Helper()
	before := s.books
	o := op(s)
	line := fmt.Sprintf("%d. %s", len(s.history)+1, o.desc)
	if o.err != nil {
		line += fmt.Sprintf(" -> refused %s: %v", finapp.ErrorCode(o.err), o.err)
	} else {
		line += " -> done"
	}
	s.history = append(s.history, line)
	after := s.load(false)
	bad := after.check()
	bad = append(bad, s.checkHistory(before, after)...)
	if o.err != nil {
		code := finapp.ErrorCode(o.err)
		if !slices.Contains(o.allowed, code) || !slices.Contains(specRefusals, code) {
			bad = append(bad, fmt.Sprintf("the refusal %s (%v) is not one SPEC §3 gives for this request (expected one of %v)", code, o.err, o.allowed))
		}
		bad = append(bad, unchanged(before, after)...)
	} else if o.post != nil {
		bad = append(bad, o.post(before, after)...)
	}
	if len(bad) > 0 {
		s.t.Fatalf("after step %q the books are wrong:\n  %s\n%s", line, strings.Join(bad, "\n  "), s.trail())
	}
	s.books = after
}

// finish checks what is too slow to check after every step: the full books, with every
// payment's and invoice's allocations and top-ups, the engine's list filters and its aging report.
func (s *scenario) finish() {
	s.t.Helper()
	b := s.load(true)
	bad := b.check()
	if len(b.orgs) != len(s.orgs) {
		bad = append(bad, fmt.Sprintf("%d organizations were created but %d are listed", len(s.orgs), len(b.orgs)))
	}
	for _, o := range s.orgs {
		if got := b.orgs[o.ID]; got == nil || got.Name != o.Name || got.BillingCurrency != o.BillingCurrency {
			bad = append(bad, fmt.Sprintf("organization %s was created as %s in %s but reads as %+v", o.ID, o.Name, o.BillingCurrency, got))
		}
	}
	bad = append(bad, s.checkHistory(s.books, b)...)
	more, err := checkFilters(s.ctx, s.svc, b)
	if err != nil {
		s.t.Fatalf("listing by status: %v\n%s", err, s.trail())
	}
	bad = append(bad, more...)
	if more, err = checkAging(s.ctx, s.svc, b); err != nil {
		s.t.Fatalf("%v\n%s", err, s.trail())
	}
	bad = append(bad, more...)
	if more, err = replayed(s.ctx, s.svc); err != nil {
		s.t.Fatalf("replaying the audit trail: %v\n%s", err, s.trail())
	}
	if bad = append(bad, more...); len(bad) > 0 {
		s.t.Fatalf("at the end the books are wrong:\n  %s\n%s", strings.Join(bad, "\n  "), s.trail())
	}
	s.books = b
}

// checkHistory checks what must hold between any two moments: acknowledged writes are never lost,
// the journal only grows, and provisioning and voiding are for ever.
func (s *scenario) checkHistory(before, after *books) []string {
	var bad []string
	fail := func(format string, args ...any) { bad = append(bad, fmt.Sprintf(format, args...)) }
	for _, id := range sortedKeys(before.payments) {
		p, q := before.payments[id], after.payments[id]
		switch {
		case q == nil:
			fail("payment %s disappeared", id)
			continue
		case q.Version < p.Version || q.AssignmentChanges < p.AssignmentChanges:
			fail("payment %s went back from version %d, %d assignment changes to version %d, %d changes", id, p.Version, p.AssignmentChanges, q.Version, q.AssignmentChanges)
		case p.DeletedAt != nil && q.DeletedAt == nil:
			fail("deleted payment %s came back", id)
		case len(q.Allocations) < len(p.Allocations) || len(q.TopUps) < len(p.TopUps):
			fail("payment %s lost allocations or top-ups from its history", id)
		}
		for i, a := range p.Allocations {
			if i < len(q.Allocations) && a.ReleasedAt != nil && q.Allocations[i].ReleasedAt == nil {
				fail("released allocation %s became active again", a.ID)
			}
		}
	}
	for _, id := range sortedKeys(before.invoices) {
		inv, now := before.invoices[id], after.invoices[id]
		switch {
		case now == nil:
			fail("invoice %s disappeared", inv.Number)
		case inv.Status == finapp.InvoiceVoid && now.Status != finapp.InvoiceVoid:
			fail("void invoice %s became %s", inv.Number, now.Status)
		}
	}
	if len(after.journal) < len(before.journal) {
		fail("the journal shrank from %d to %d entries", len(before.journal), len(after.journal))
	} else {
		for i, e := range before.journal {
			if after.journal[i].ID != e.ID || len(after.journal[i].Lines) != len(e.Lines) {
				fail("journal entry %d changed from %s to %s: the journal is append-only", i, e.ID, after.journal[i].ID)
				break
			}
		}
	}
	// Provisioned invoices stay provisioned, and the allocations that paid them stay.
	for _, id := range sortedKeys(after.invoices) {
		inv := after.invoices[id]
		if l, ok := s.locked[id]; ok {
			if inv.Status != finapp.InvoiceProvisioned || inv.ProvisionedAt == nil || !inv.ProvisionedAt.Equal(l.at) {
				fail("provisioned invoice %s is now %s (provisioned_at %v, was %v)", inv.Number, inv.Status, inv.ProvisionedAt, l.at)
			}
			if after.full {
				active := map[string]bool{}
				for _, a := range inv.Allocations {
					active[a.ID] = a.ReleasedAt == nil
				}
				for _, id := range l.allocations {
					if !active[id] {
						fail("allocation %s that paid provisioned invoice %s was released or lost", id, inv.Number)
					}
				}
			}
		} else if inv.Status == finapp.InvoiceProvisioned && inv.ProvisionedAt != nil {
			l := lockedInvoice{at: *inv.ProvisionedAt}
			allocations := inv.Allocations
			if !after.full {
				all, err := pageHistory(func(cursor string) ([]*finapp.Allocation, string, error) {
					return s.svc.ListAllocations(s.ctx, finapp.AllocationFilter{InvoiceID: id, Cursor: cursor, Limit: finapp.MaxPageSize})
				})
				if err != nil {
					fail("reading provisioned invoice %s's allocations: %v", inv.Number, err)
					continue
				}
				allocations = all
			}
			for _, a := range allocations {
				if a.ReleasedAt == nil {
					l.allocations = append(l.allocations, a.ID)
				}
			}
			s.locked[id] = l
		}
	}
	return bad
}

// unchanged checks that a refused request wrote nothing: all or nothing (SPEC §3).
func unchanged(before, after *books) []string {
	var bad []string
	fail := func(format string, args ...any) {
		bad = append(bad, "a refused request changed the books: "+fmt.Sprintf(format, args...))
	}
	if len(after.journal) != len(before.journal) {
		fail("the journal went from %d to %d entries", len(before.journal), len(after.journal))
	}
	if len(after.payments) != len(before.payments) || len(after.invoices) != len(before.invoices) {
		fail("%d payments and %d invoices became %d and %d", len(before.payments), len(before.invoices), len(after.payments), len(after.invoices))
	}
	for _, id := range sortedKeys(before.payments) {
		p, q := before.payments[id], after.payments[id]
		if q == nil {
			continue
		}
		if !samePayment(p.Payment, q.Payment) || len(p.Allocations) != len(q.Allocations) || len(p.TopUps) != len(q.TopUps) {
			fail("payment %s went from %+v to %+v", id, *p.Payment, *q.Payment)
			continue
		}
		for i := range p.Allocations {
			if (p.Allocations[i].ReleasedAt == nil) != (q.Allocations[i].ReleasedAt == nil) {
				fail("allocation %s was released or restored", p.Allocations[i].ID)
			}
		}
	}
	for _, id := range sortedKeys(before.invoices) {
		if q := after.invoices[id]; q != nil && !sameInvoice(before.invoices[id].Invoice, q.Invoice) {
			fail("invoice %s went from %+v to %+v", id, *before.invoices[id].Invoice, *q.Invoice)
		}
	}
	if len(after.notes) != len(before.notes) {
		fail("%d credit notes became %d", len(before.notes), len(after.notes))
	} else {
		for i, n := range before.notes {
			q := after.notes[i]
			if q.ID != n.ID || q.Version != n.Version || q.Status != n.Status || q.Remaining() != n.Remaining() || len(q.Applications) != len(n.Applications) {
				fail("credit note %s went from %+v to %+v", n.ID, *n.CreditNote, *q.CreditNote)
			}
		}
	}
	return bad
}

// --- choosing ---

func (s *scenario) orgIDs() []string {
	ids := make([]string, len(s.orgs))
	for i, o := range s.orgs {
		ids[i] = o.ID
	}
	return ids
}
func (s *scenario) invoiceIDs() []string { return sortedKeys(s.books.invoices) }
func (s *scenario) paymentIDs() []string { return sortedKeys(s.books.payments) }

// pick draws one of ids (ids sort by creation time, so a choice is reproducible).
func (s *scenario) pick(label string, ids []string) string { return ids[s.draw(label, 0, len(ids)-1)] }

// pickPayment draws a payment, half the time the one the last step worked on, so that one
// payment lives through long histories (e.g. all five assignment changes and the sixth).
func (s *scenario) pickPayment(label string) string {
	if _, ok := s.books.payments[s.focus]; ok && (s.stick || s.chance(label+": the payment last worked on", 2)) {
		return s.focus
	}
	s.focus = s.pick(label, s.paymentIDs())
	return s.focus
}

// chance is true one time in n.
func (s *scenario) chance(label string, n int) bool { return s.draw(label, 0, n-1) == 0 }

// amount draws a positive amount of up to 100,000 minor units: 1,000.00 SGD or 100,000 JPY.
func (s *scenario) amount(label string) money.Amount {
	return money.Amount(s.draw(label, 1, 100_000))
}

// upTo draws an amount between 1 and max (1 when max is below 1).
func (s *scenario) upTo(label string, max money.Amount) money.Amount {
	if max <= 1 {
		return 1
	}
	return money.Amount(s.draw(label, 1, int(max)))
}

func other(c money.Currency) money.Currency {
	if c == sgd {
		return jpy
	}
	return sgd
}

var methods = []string{"bank_transfer", "cash", "paypal", "cheque"}

// conversionRates are the rates the scenarios convert at, from each currency into the other:
// round ones, ones that need rounding half away from zero, and ones that make small amounts
// round to nothing.
var conversionRates = map[money.Currency][]string{
	sgd: {"110", "110.55", "0.005"},
	jpy: {"0.0091", "0.01", "0.000001"},
}

// invoicesOf lists the ids of an organization's invoices in a currency.
func (s *scenario) invoicesOf(orgID string, cur money.Currency) []string {
	var ids []string
	for _, id := range s.invoiceIDs() {
		if inv := s.books.invoices[id]; inv.OrganizationID == orgID && inv.Currency == cur {
			ids = append(ids, id)
		}
	}
	return ids
}

// allocatingOrganization chooses the organization_id of an allocation request for p and returns
// it with the organization the payment will belong to if the request succeeds.
func (s *scenario) allocatingOrganization(p *finapp.Payment) (named, target string) {
	if p.OrganizationID == "" {
		if s.chance("allocate an unassigned payment without naming an organization", 6) {
			return "", ""
		}
		named = s.pick("organization to assign and allocate to", s.orgIDs())
		return named, named
	}
	switch s.draw("name an organization with the allocation", 0, 4) {
	case 0:
		named = s.pick("organization named with the allocation", s.orgIDs())
	case 1:
		named = p.OrganizationID
	}
	return named, p.OrganizationID
}

// must collects the failures of a post-condition.
type must []string

func (m *must) check(ok bool, format string, args ...any) {
	if !ok {
		*m = append(*m, fmt.Sprintf(format, args...))
	}
}

// --- operations ---

func (s *scenario) createOrganization() outcome {
	if len(s.orgs) >= 3 {
		return s.recordPayment()
	}
	cur := currencies[s.draw("organization currency", 0, 1)]
	name := fmt.Sprintf("Conformance Customer %d", len(s.orgs)+1)
	org, err := s.svc.CreateOrganization(s.ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: string(cur)})
	if err == nil {
		s.orgs = append(s.orgs, org) // checked against the list when the scenario finishes
	}
	return outcome{desc: fmt.Sprintf("create organization %q in %s", name, cur), err: err}
}

func (s *scenario) createInvoice() outcome {
	if len(s.orgs) == 0 {
		return s.createOrganization()
	}
	org := s.orgs[s.draw("invoice organization", 0, len(s.orgs)-1)]
	kind := []string{finapp.KindStandard, finapp.KindProforma, finapp.KindTopUp}[s.draw("invoice kind", 0, 2)]
	cur, curField := org.BillingCurrency, ""
	if s.chance("invoice in a currency other than the organization's", 4) {
		cur = other(cur)
		curField = string(cur)
	}
	total := s.amount("invoice total")
	s.numbers++
	number := fmt.Sprintf("INV-%04d", s.numbers)
	duplicate := len(s.books.invoices) > 0 && s.chance("reuse an invoice number", 12)
	if duplicate {
		number = s.books.invoices[s.pick("invoice whose number to reuse", s.invoiceIDs())].Number
	}
	issued := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, s.draw("issued day", 0, 90))
	due := issued.AddDate(0, 0, s.draw("days until due", 0, 45))
	in := finapp.InvoiceCreate{Number: number, OrganizationID: org.ID, Kind: kind, Currency: curField,
		Total: money.Format(total, cur), IssuedOn: issued.Format("2006-01-02"), DueOn: due.Format("2006-01-02")}
	inv, err := s.svc.CreateInvoice(s.ctx, in)
	o := outcome{desc: fmt.Sprintf("issue %s invoice %s to %s for %s", kind, number, org.Name, fmtAmount(total, cur)), err: err}
	if duplicate {
		o.allowed = []string{finapp.EDuplicate}
	}
	o.post = func(_, after *books) []string {
		var m must
		m.check(!duplicate, "invoice number %s was issued twice", number)
		got := after.invoices[inv.ID]
		m.check(got != nil && got.Number == number && got.OrganizationID == org.ID && got.Kind == kind && got.Currency == cur &&
			got.Total == total && got.AmountPaid == 0 && got.Status == finapp.InvoiceUnpaid && got.IssuedOn == in.IssuedOn && got.DueOn == in.DueOn,
			"invoice %s reads back as %+v, want %+v", number, got, in)
		return m
	}
	return o
}

func (s *scenario) recordPayment() outcome {
	orgs := s.orgIDs()
	orgID := ""
	if i := s.draw("payment organization (or none)", 0, len(orgs)); i < len(orgs) {
		orgID = orgs[i]
	}
	cur := currencies[s.draw("payment currency", 0, 1)]
	amount := s.amount("payment amount")
	method := methods[s.draw("payment method", 0, len(methods)-1)]
	p, err := s.svc.RecordPayment(s.ctx, finapp.PaymentCreate{OrganizationID: orgID, Amount: money.Format(amount, cur),
		Currency: string(cur), Method: method, Reference: "conformance", ReceivedOn: "2026-02-01"})
	if err == nil {
		s.focus = p.ID
	}
	return outcome{desc: fmt.Sprintf("record payment of %s by %s from %q", fmtAmount(amount, cur), method, orgID), err: err,
		post: func(_, after *books) []string {
			var m must
			got := after.payments[p.ID]
			changes := 0
			if orgID != "" {
				changes = 1
			}
			m.check(got != nil && got.Amount == amount && got.Currency == cur && got.Method == method && got.OrganizationID == orgID &&
				got.Allocated == 0 && got.ToppedUp == 0 && got.AssignmentChanges == changes && got.Version == 1,
				"payment %s reads back as %+v", p.ID, got)
			return m
		}}
}

func (s *scenario) assign() outcome {
	if len(s.books.payments) == 0 || len(s.orgs) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to assign")
	orgID := s.pick("organization to assign to", s.orgIDs())
	_, err := s.svc.AssignPayment(s.ctx, id, orgID, 0)
	return outcome{desc: fmt.Sprintf("assign payment %s to %s", id, orgID), err: err,
		allowed: []string{finapp.ENotFound, finapp.EAssignmentLimit, finapp.EPaymentInUse},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil, "a deleted payment was assigned")
			m.check(q.OrganizationID == orgID, "payment is assigned to %q, want %q", q.OrganizationID, orgID)
			switch p.OrganizationID {
			case orgID:
				m.check(q.AssignmentChanges == p.AssignmentChanges && q.Version == p.Version, "assigning a payment to its own organization changed it")
			case "":
				m.check(q.AssignmentChanges == p.AssignmentChanges+1, "assignment changes went from %d to %d, want one more", p.AssignmentChanges, q.AssignmentChanges)
			default:
				m.check(q.AssignmentChanges == p.AssignmentChanges+2, "moving a payment between organizations made %d to %d assignment changes, want two more", p.AssignmentChanges, q.AssignmentChanges)
				m.check(q.Allocated == 0 && p.ToppedUp == 0 && p.Refunded == 0, "moved payment keeps allocated %d / had topped up %d, refunded %d",
					q.Allocated, p.ToppedUp, p.Refunded)
			}
			return m
		}}
}

func (s *scenario) unassign() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to unassign")
	_, err := s.svc.UnassignPayment(s.ctx, id, 0)
	return outcome{desc: fmt.Sprintf("unassign payment %s", id), err: err,
		allowed: []string{finapp.ENotFound, finapp.EPaymentUnassigned, finapp.EAssignmentLimit, finapp.EPaymentInUse},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil && p.OrganizationID != "", "unassigning a deleted or unassigned payment succeeded")
			m.check(p.ToppedUp == 0 && p.Refunded == 0, "unassigning a payment that topped up credit or paid a refund succeeded")
			m.check(q.OrganizationID == "" && q.Allocated == 0 && q.AssignmentChanges == p.AssignmentChanges+1,
				"unassigned payment reads as organization %q, allocated %d, %d assignment changes (was %d)", q.OrganizationID, q.Allocated, q.AssignmentChanges, p.AssignmentChanges)
			return m
		}}
}

func (s *scenario) allocate() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	if len(s.books.invoices) == 0 {
		return s.createInvoice()
	}
	id := s.pickPayment("payment to allocate")
	p := s.books.payments[id]
	named, target := s.allocatingOrganization(p.Payment)
	candidates := s.invoicesOf(target, p.Currency)
	left := p.Unallocated()
	due := map[string]money.Amount{}
	planned := map[string]money.Amount{}  // money, by invoice
	adjusted := map[string]money.Amount{} // adjustments, by invoice
	converted := map[string]bool{}        // invoices some money goes to at a rate
	var sum money.Amount
	req := finapp.AllocationRequest{OrganizationID: named}
	n := s.draw("allocation lines", 1, 3)
	var desc []string
	for range n {
		invID := ""
		if len(candidates) == 0 || s.chance("allocate to any invoice", 6) {
			invID = s.pick("invoice to allocate to", s.invoiceIDs())
		} else {
			invID = s.pick("invoice of the organization to allocate to", candidates)
		}
		inv := s.books.invoices[invID]
		if _, ok := due[invID]; !ok {
			due[invID] = inv.AmountDue()
		}
		room := min(left, due[invID])
		var amt money.Amount
		switch s.draw("allocation amount kind", 0, 3) {
		case 0:
			amt = room
		case 1:
			amt = s.upTo("allocation amount up to what fits", room)
		case 2:
			amt = s.amount("allocation amount")
		default:
			amt = room + 1
		}
		amt = max(amt, 1)
		if s.chance("adjustment line", 4) {
			// Settles the invoice without money: bounded by what it has due (and a write-off by the
			// tolerance), not by the payment's money.
			kind := finapp.AdjustmentKinds[s.draw("adjustment kind", 0, len(finapp.AdjustmentKinds)-1)]
			if s.chance("adjustment of what is due", 2) {
				amt = max(due[invID], 1)
			}
			due[invID] -= amt
			adjusted[invID] += amt
			req.Lines = append(req.Lines, finapp.AllocationLine{InvoiceID: invID, Amount: money.Format(amt, inv.Currency), Kind: kind, Reason: "conformance"})
			desc = append(desc, fmt.Sprintf("%s of %s by %s", money.Format(amt, inv.Currency), inv.Number, kind))
			continue
		}
		line := finapp.AllocationLine{InvoiceID: invID, Amount: money.Format(amt, p.Currency)}
		received := amt
		if inv.Currency != p.Currency && s.chance("convert at a rate", 2) {
			// Money for an invoice in the other currency, at a rate: what the invoice receives is
			// the amount converted (refused validation_error when it rounds to nothing).
			line.Rate = conversionRates[p.Currency][s.draw("rate", 0, len(conversionRates[p.Currency])-1)]
			rate, _ := money.ParseRate(line.Rate)
			received, _ = rate.Convert(amt, p.Currency, inv.Currency)
			converted[invID] = true
		}
		left -= amt
		due[invID] -= received
		planned[invID] += received
		sum += amt
		req.Lines = append(req.Lines, line)
		desc = append(desc, fmt.Sprintf("%s to %s%s", money.Format(amt, p.Currency), inv.Number, map[bool]string{true: " at " + line.Rate}[line.Rate != ""]))
	}
	_, err := s.svc.Allocate(s.ctx, id, 0, req)
	return outcome{desc: fmt.Sprintf("allocate payment %s (%s, organization %q, naming %q): %s", id, fmtAmount(p.Amount, p.Currency), p.OrganizationID, named, strings.Join(desc, ", ")), err: err,
		allowed: []string{finapp.ENotFound, finapp.EPaymentUnassigned, finapp.EOrganizationMismatch, finapp.ECurrencyMismatch,
			finapp.EOverAllocation, finapp.EInvoiceVoid, finapp.EAssignmentLimit, finapp.EOverTolerance, finapp.EInvalid},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil, "allocated a deleted payment")
			for invID, amt := range adjusted {
				a, b := before.invoices[invID], after.invoices[invID]
				m.check(b.AmountAdjusted == a.AmountAdjusted+amt, "invoice %s adjusted went from %d to %d, want +%d", a.Number, a.AmountAdjusted, b.AmountAdjusted, amt)
				m.check(amt <= a.AmountDue(), "adjusted %s of invoice %s with only %s due", fmtAmount(amt, a.Currency), a.Number, fmtAmount(a.AmountDue(), a.Currency))
				m.check(b.OrganizationID == target && a.Status != finapp.InvoiceVoid, "adjusted invoice %s (%s, %s)", a.Number, a.OrganizationID, a.Status)
				if _, paid := planned[invID]; !paid {
					m.check(b.AmountPaid == a.AmountPaid, "invoice %s paid went from %d to %d with no money line", a.Number, a.AmountPaid, b.AmountPaid)
				}
			}
			m.check(named == "" || named == target, "allocated a payment of %q naming organization %q", p.OrganizationID, named)
			m.check(sum <= p.Unallocated(), "allocated %s of a payment with only %s unallocated", fmtAmount(sum, p.Currency), fmtAmount(p.Unallocated(), p.Currency))
			m.check(q.OrganizationID == target && target != "", "payment belongs to %q after allocating, want %q", q.OrganizationID, target)
			m.check(q.Allocated == p.Allocated+sum, "payment allocated went from %d to %d, want +%d", p.Allocated, q.Allocated, sum)
			for invID, amt := range planned {
				a, b := before.invoices[invID], after.invoices[invID]
				m.check(b.AmountPaid == a.AmountPaid+amt, "invoice %s paid went from %d to %d, want +%d", a.Number, a.AmountPaid, b.AmountPaid, amt)
				m.check(b.OrganizationID == target && (b.Currency == p.Currency || converted[invID]) && a.Status != finapp.InvoiceVoid, "allocated to invoice %s (%s, %s, %s)", a.Number, a.OrganizationID, a.Currency, a.Status)
			}
			return m
		}}
}

func (s *scenario) allocateAuto() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to allocate automatically")
	p := s.books.payments[id]
	named, target := s.allocatingOrganization(p.Payment)
	_, err := s.svc.Allocate(s.ctx, id, 0, finapp.AllocationRequest{OrganizationID: named, Auto: true})
	return outcome{desc: fmt.Sprintf("auto-allocate payment %s (organization %q, naming %q)", id, p.OrganizationID, named), err: err,
		allowed: []string{finapp.ENotFound, finapp.EPaymentUnassigned, finapp.EOrganizationMismatch, finapp.EAssignmentLimit},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil, "allocated a deleted payment")
			m.check(named == "" || named == target, "allocated a payment of %q naming organization %q", p.OrganizationID, named)
			m.check(q.OrganizationID == target && target != "", "payment belongs to %q after allocating, want %q", q.OrganizationID, target)
			// Oldest first (SPEC §1): by due date, then issued date, then number.
			var open []*finapp.InvoiceDetail
			for _, invID := range sortedKeys(before.invoices) {
				inv := before.invoices[invID]
				if inv.OrganizationID == target && inv.Currency == p.Currency && (inv.Status == finapp.InvoiceUnpaid || inv.Status == finapp.InvoicePartiallyPaid) {
					open = append(open, inv)
				}
			}
			sort.Slice(open, func(i, j int) bool {
				a, b := open[i], open[j]
				if a.DueOn != b.DueOn {
					return a.DueOn < b.DueOn
				}
				if a.IssuedOn != b.IssuedOn {
					return a.IssuedOn < b.IssuedOn
				}
				return a.Number < b.Number
			})
			left := p.Unallocated()
			var sum money.Amount
			for _, inv := range open {
				amt := min(left, inv.AmountDue())
				left -= amt
				sum += amt
				m.check(after.invoices[inv.ID].AmountPaid == inv.AmountPaid+amt, "auto allocation paid invoice %s (due %s, issued %s) %d, want %d",
					inv.Number, inv.DueOn, inv.IssuedOn, after.invoices[inv.ID].AmountPaid-inv.AmountPaid, amt)
			}
			m.check(q.Allocated == p.Allocated+sum, "auto allocation allocated %d, want %d", q.Allocated-p.Allocated, sum)
			return m
		}}
}

func (s *scenario) release() outcome {
	// Mostly a payment with money allocated, sometimes any (whose allocations may all be released).
	var ids []string
	for _, id := range s.paymentIDs() {
		if s.books.payments[id].Allocated > 0 {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 || s.chance("release from any payment", 4) {
		ids = s.paymentIDs()
	}
	if len(ids) == 0 {
		return s.allocate()
	}
	d, err := s.svc.GetPayment(s.ctx, s.pick("payment to release from", ids))
	if err != nil {
		s.t.Fatalf("reading a listed payment: %v\n%s", err, s.trail())
	}
	if len(d.Allocations) == 0 {
		return s.allocate()
	}
	a := d.Allocations[s.draw("allocation to release", 0, len(d.Allocations)-1)]
	paymentID := a.PaymentID
	if s.chance("release through another payment", 8) {
		paymentID = s.pick("payment to release through", s.paymentIDs())
	}
	_, err = s.svc.ReleaseAllocation(s.ctx, paymentID, a.ID, 0)
	return outcome{desc: fmt.Sprintf("release allocation %s (%s to %s) through payment %s", a.ID, money.Format(a.Amount, a.Currency), a.InvoiceNumber, paymentID), err: err,
		allowed: []string{finapp.ENotFound, finapp.EInvoiceProvisioned, finapp.EConflict},
		post: func(before, after *books) []string {
			var m must
			m.check(paymentID == a.PaymentID, "released allocation %s through payment %s, which it is not part of", a.ID, paymentID)
			m.check(a.ReleasedAt == nil, "released allocation %s twice", a.ID)
			inv := before.invoices[a.InvoiceID]
			m.check(inv.Status != finapp.InvoiceProvisioned, "released an allocation of provisioned invoice %s", inv.Number)
			got := after.invoices[a.InvoiceID]
			p, q := before.payments[a.PaymentID], after.payments[a.PaymentID]
			if a.IsAdjustment() {
				m.check(got.AmountAdjusted == inv.AmountAdjusted-a.Amount && got.AmountPaid == inv.AmountPaid, "releasing adjustment %s took invoice %s from paid %d adjusted %d to %d %d",
					a.ID, inv.Number, inv.AmountPaid, inv.AmountAdjusted, got.AmountPaid, got.AmountAdjusted)
				m.check(q.Allocated == p.Allocated, "releasing an adjustment changed the payment's allocated from %d to %d", p.Allocated, q.Allocated)
				return m
			}
			// The adjustments made with the money go with it.
			var withIt money.Amount
			for _, b := range d.Allocations {
				if b.ReleasedAt == nil && b.MoneyAllocationID == a.ID {
					withIt += b.Amount
				}
			}
			// The invoice gives back what it received: the amount converted, for money in another currency.
			m.check(got.AmountPaid == inv.AmountPaid-a.InvoiceAmount, "invoice %s paid went from %d to %d, want -%d", inv.Number, inv.AmountPaid, got.AmountPaid, a.InvoiceAmount)
			m.check(got.AmountAdjusted == inv.AmountAdjusted-withIt, "invoice %s adjusted went from %d to %d, want -%d", inv.Number, inv.AmountAdjusted, got.AmountAdjusted, withIt)
			m.check(q.Allocated == p.Allocated-a.Amount, "payment allocated went from %d to %d, want -%d", p.Allocated, q.Allocated, a.Amount)
			return m
		}}
}

func (s *scenario) topUp() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to top up from")
	p := s.books.payments[id]
	amount, want := "", p.Unallocated()
	switch s.draw("top-up amount kind", 0, 3) {
	case 1:
		want = max(p.Unallocated(), 1)
		amount = money.Format(want, p.Currency)
	case 2:
		want = s.upTo("top-up amount up to what is left", p.Unallocated())
		amount = money.Format(want, p.Currency)
	case 3:
		want = s.amount("top-up amount")
		amount = money.Format(want, p.Currency)
	}
	_, err := s.svc.TopUp(s.ctx, id, 0, amount)
	return outcome{desc: fmt.Sprintf("top up %q from payment %s (%s unallocated)", amount, id, fmtAmount(p.Unallocated(), p.Currency)), err: err,
		allowed: []string{finapp.ENotFound, finapp.EPaymentUnassigned, finapp.EOverAllocation},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.OrganizationID != "" && p.DeletedAt == nil, "topped up from an unassigned or deleted payment")
			m.check(want > 0 && want <= p.Unallocated(), "topped up %d from a payment with %d unallocated", want, p.Unallocated())
			m.check(q.ToppedUp == p.ToppedUp+want, "payment topped up went from %d to %d, want +%d", p.ToppedUp, q.ToppedUp, want)
			return m
		}}
}

// refund pays back some or all of a payment's unapplied money, or more than it has.
func (s *scenario) refund() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to refund from")
	p := s.books.payments[id]
	amount, want := "", p.Unallocated()
	switch s.draw("refund amount kind", 0, 2) {
	case 1:
		want = s.upTo("refund amount up to what is unapplied", p.Unallocated())
		amount = money.Format(want, p.Currency)
	case 2:
		want = s.amount("refund amount")
		amount = money.Format(want, p.Currency)
	}
	method := finapp.Methods[s.draw("refund method", 0, len(finapp.Methods)-1)]
	_, err := s.svc.RefundPayment(s.ctx, id, 0, finapp.RefundCreate{Amount: amount, Method: method, Reference: "RF", Reason: "overpaid"})
	return outcome{desc: fmt.Sprintf("refund %q by %s from payment %s (%s unapplied)", amount, method, id, fmtAmount(p.Unallocated(), p.Currency)), err: err,
		allowed: []string{finapp.ENotFound, finapp.EOverAllocation},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil, "refunded from a deleted payment")
			m.check(want > 0 && want <= p.Unallocated(), "refunded %d from a payment with %d unapplied", want, p.Unallocated())
			m.check(q.Refunded == p.Refunded+want && q.Unallocated() == p.Unallocated()-want, "payment refunded went from %d to %d, want +%d", p.Refunded, q.Refunded, want)
			return m
		}}
}

// reverseRefund reverses a refund, or one reversed already.
func (s *scenario) reverseRefund() outcome {
	if len(s.books.refunds) == 0 {
		return s.refund()
	}
	r := s.books.refunds[s.draw("refund to reverse", 0, len(s.books.refunds)-1)]
	_, err := s.svc.ReverseRefund(s.ctx, r.ID, "returned by the bank")
	return outcome{desc: fmt.Sprintf("reverse refund %s of payment %s", r.ID, r.PaymentID), err: err,
		allowed: []string{finapp.EConflict},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[r.PaymentID], after.payments[r.PaymentID]
			m.check(r.ReversedAt == nil, "reversed refund %s twice", r.ID)
			m.check(q.Refunded == p.Refunded-r.Amount, "payment refunded went from %d to %d, want −%d", p.Refunded, q.Refunded, r.Amount)
			return m
		}}
}

func (s *scenario) edit() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to edit")
	p := s.books.payments[id]
	applied := p.Allocated + p.ToppedUp + p.Refunded
	wantAmount, wantCur, wantMethod := p.Amount, p.Currency, p.Method
	var u finapp.PaymentUpdate
	var desc []string
	mode := s.draw("what to edit", 0, 3)
	if mode == 1 || mode == 3 {
		wantCur = other(p.Currency)
		u.Currency = ptr(string(wantCur))
		desc = append(desc, "currency "+string(wantCur))
		if mode == 1 && s.chance("change the currency without the amount", 2) {
			// The stored amount is reread in the new currency; SGD 12.50 is not an amount of JPY.
			wantAmount = 0
			if a, err := money.Parse(money.Format(p.Amount, p.Currency), wantCur); err == nil {
				wantAmount = a
			}
		} else {
			mode = 3
		}
	}
	if mode == 0 || mode == 3 {
		switch s.draw("new amount kind", 0, 2) {
		case 0:
			wantAmount = max(applied, 1)
		case 1:
			wantAmount = max(applied-1, 1)
		default:
			wantAmount = s.amount("new amount")
		}
		u.Amount = ptr(money.Format(wantAmount, wantCur))
		desc = append(desc, "amount "+*u.Amount)
	}
	if mode == 2 || mode == 3 {
		wantMethod = methods[s.draw("new method", 0, len(methods)-1)]
		u.Method = ptr(wantMethod)
		desc = append(desc, "method "+wantMethod)
	}
	ifMatch := 0
	switch s.draw("If-Match", 0, 4) {
	case 0:
		ifMatch = p.Version + 1 // stale or from the future, never the current version
	case 1:
		ifMatch = p.Version
	}
	allowed := []string{finapp.ENotFound, finapp.EAmountBelowApplied, finapp.EPaymentInUse, finapp.EVersionConflict}
	if u.Currency != nil && u.Amount == nil {
		allowed = append(allowed, finapp.EInvalid)
	}
	_, err := s.svc.UpdatePayment(s.ctx, id, ifMatch, u)
	return outcome{desc: fmt.Sprintf("edit payment %s (%s, applied %s, If-Match %d): %s", id, fmtAmount(p.Amount, p.Currency), money.Format(applied, p.Currency), ifMatch, strings.Join(desc, ", ")), err: err,
		allowed: allowed,
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(ifMatch == 0 || ifMatch == p.Version, "an edit with a stale If-Match %d (version %d) succeeded", ifMatch, p.Version)
			m.check(wantCur == p.Currency || applied == 0, "the currency of a payment with %d applied changed", applied)
			m.check(wantAmount >= applied, "the amount went below the %d applied", applied)
			m.check(q.Amount == wantAmount && q.Currency == wantCur && q.Method == wantMethod && q.Version == p.Version+1,
				"payment reads %s by %s version %d, want %s by %s version %d", fmtAmount(q.Amount, q.Currency), q.Method, q.Version, fmtAmount(wantAmount, wantCur), wantMethod, p.Version+1)
			m.check(q.Allocated == p.Allocated && q.ToppedUp == p.ToppedUp && q.Refunded == p.Refunded && q.OrganizationID == p.OrganizationID,
				"an edit changed what the payment applies")
			return m
		}}
}

func ptr[T any](v T) *T { return &v }

func (s *scenario) deletePayment() outcome {
	if len(s.books.payments) == 0 {
		return s.recordPayment()
	}
	id := s.pickPayment("payment to delete")
	d, err := s.svc.GetPayment(s.ctx, id)
	if err != nil {
		s.t.Fatalf("reading a listed payment: %v\n%s", err, s.trail())
	}
	err = s.svc.DeletePayment(s.ctx, id, 0)
	return outcome{desc: fmt.Sprintf("delete payment %s", id), err: err,
		allowed: []string{finapp.ENotFound, finapp.EPaymentInUse},
		post: func(before, after *books) []string {
			var m must
			p, q := before.payments[id], after.payments[id]
			m.check(p.DeletedAt == nil && p.ToppedUp == 0 && p.Refunded == 0, "deleted a payment that was deleted already, topped up credit or paid a refund")
			for _, a := range d.Allocations {
				m.check(a.ReleasedAt != nil || before.invoices[a.InvoiceID].Status != finapp.InvoiceProvisioned, "deleted a payment that funded provisioned invoice %s", a.InvoiceNumber)
			}
			m.check(q.DeletedAt != nil && q.Allocated == 0, "deleted payment reads deleted_at %v, allocated %d", q.DeletedAt, q.Allocated)
			return m
		}}
}

func (s *scenario) voidInvoice() outcome {
	if len(s.books.invoices) == 0 {
		return s.createInvoice()
	}
	id := s.pick("invoice to void", s.invoiceIDs())
	inv := s.books.invoices[id]
	_, err := s.svc.VoidInvoice(s.ctx, id, 0)
	return outcome{desc: fmt.Sprintf("void invoice %s (%s, paid %s)", inv.Number, inv.Status, fmtAmount(inv.AmountPaid, inv.Currency)), err: err,
		allowed: []string{finapp.EInvoiceHasPayments, finapp.EConflict},
		post: func(before, after *books) []string {
			var m must
			a, b := before.invoices[id], after.invoices[id]
			m.check(a.Settled() == 0 && a.Status != finapp.InvoiceProvisioned && a.Status != finapp.InvoiceVoid, "voided invoice %s that was %s with %d paid", a.Number, a.Status, a.AmountPaid)
			m.check(b.Status == finapp.InvoiceVoid, "voided invoice %s reads as %s", a.Number, b.Status)
			return m
		}}
}
