package conformance

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	"finapp"
	"finapp/money"
)

// workers is how many requests the concurrency tests send at once (SPEC §3's "concurrent requests").
const workers = 32

// fixture creates what the concurrency tests need, failing the test on any error.
type fixture struct {
	t   *testing.T
	ctx context.Context
	svc *finapp.Service
}

func newFixture(t *testing.T, open func(t *testing.T) finapp.Store) *fixture {
	return &fixture{t: t, ctx: financeContext(t.Context()), svc: finapp.NewService(open(t))}
}

func (f *fixture) org(name string, cur money.Currency) *finapp.Organization {
	f.t.Helper()
	o, err := f.svc.CreateOrganization(f.ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: string(cur)})
	if err != nil {
		f.t.Fatalf("creating organization %s: %v", name, err)
	}
	return o
}

func (f *fixture) invoice(orgID, number, kind, total string) *finapp.Invoice {
	f.t.Helper()
	inv, err := f.svc.CreateInvoice(f.ctx, finapp.InvoiceCreate{Number: number, OrganizationID: orgID, Kind: kind, Total: total, IssuedOn: "2026-01-05"})
	if err != nil {
		f.t.Fatalf("issuing invoice %s: %v", number, err)
	}
	return inv
}

func (f *fixture) payment(orgID, amount string, cur money.Currency) *finapp.PaymentDetail {
	f.t.Helper()
	p, err := f.svc.RecordPayment(f.ctx, finapp.PaymentCreate{OrganizationID: orgID, Amount: amount, Currency: string(cur), Method: "bank_transfer", Reference: "concurrency"})
	if err != nil {
		f.t.Fatalf("recording payment: %v", err)
	}
	return p
}

// books reads the books after the concurrent phase and fails the test on any broken invariant.
func (f *fixture) books() *books {
	f.t.Helper()
	b, err := loadBooks(f.ctx, f.svc, true)
	if err != nil {
		f.t.Fatalf("reading the books: %v", err)
	}
	bad := b.check()
	more, err := checkFilters(f.ctx, f.svc, b)
	if err != nil {
		f.t.Fatalf("listing by status: %v", err)
	}
	bad = append(bad, more...)
	if more, err = replayed(f.ctx, f.svc); err != nil {
		f.t.Fatalf("replaying the audit trail: %v", err)
	}
	if bad = append(bad, more...); len(bad) > 0 {
		f.t.Fatalf("after concurrent requests the books are wrong:\n  %s", strings.Join(bad, "\n  "))
	}
	return b
}

// refusal checks that err is nil or one of the refusals allowed; anything else — a storage error
// such as "database is locked", a serialization failure, a deadlock — fails the test.
func refusal(t *testing.T, what string, err error, allowed ...string) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if code := finapp.ErrorCode(err); code == finapp.EInternal || !slices.Contains(allowed, code) {
		t.Errorf("%s: got error %s (%v), want success or one of %v", what, code, err, allowed)
	}
	return true
}

// all runs fn for worker 0..workers-1 at once and waits for every one.
func all(fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

// testConcurrentAllocations hammers one payment and one invoice: most workers allocate a small
// amount, some allocate and release it again, some top up credit, some refund, some write off a
// little of the invoice, some apply a credit note to it. Neither the payment nor the invoice may be over-applied, the write-offs
// stay within the tolerance, every acknowledged allocation, top-up, refund and write-off must be
// there, and the only refusals are over_allocation and over_tolerance.
func testConcurrentAllocations(t *testing.T, open func(t *testing.T) finapp.Store) {
	f := newFixture(t, open)
	org := f.org("Hammered Pte Ltd", sgd)
	inv := f.invoice(org.ID, "HAM-1", finapp.KindStandard, "80.00")
	pay := f.payment(org.ID, "90.00", sgd)
	admin := finapp.WithActor(f.ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "conformance", Role: finapp.RoleAdmin})
	const tolerance = money.Amount(300) // 3.00 SGD: the write-offs below add up to more
	if _, err := f.svc.SetTolerances(admin, []finapp.ToleranceInput{{Currency: string(sgd), Amount: money.Format(tolerance, sgd)}}); err != nil {
		t.Fatal(err)
	}

	cn, err := f.svc.IssueCreditNote(f.ctx, finapp.CreditNoteCreate{OrganizationID: org.ID, Amount: "20.00", Reason: "returned goods"})
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		topUp    bool
		refund   bool
		writeOff bool
		credit   bool
		amount   money.Amount // unique per worker, so that each finds its own allocation
		ok       bool
		released bool
	}
	results := make([]result, workers)
	all(func(i int) {
		r := &results[i]
		if i%8 == 5 {
			r.refund, r.amount = true, money.Amount(500+i)
			_, err := f.svc.RefundPayment(f.ctx, pay.ID, 0, finapp.RefundCreate{Amount: money.Format(r.amount, sgd), Reason: "overpaid"})
			r.ok = !refusal(t, fmt.Sprintf("worker %d refunding %s", i, fmtAmount(r.amount, sgd)), err, finapp.EOverAllocation)
			return
		}
		if i%8 == 4 {
			r.writeOff, r.amount = true, money.Amount(10+i)
			_, err := f.svc.Allocate(f.ctx, pay.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: money.Format(r.amount, sgd),
				Kind: finapp.AdjustWriteOff, Reason: "rounding"}}})
			r.ok = !refusal(t, fmt.Sprintf("worker %d writing off %s", i, fmtAmount(r.amount, sgd)), err, finapp.EOverAllocation, finapp.EOverTolerance)
			return
		}
		if i%8 == 3 {
			r.credit, r.amount = true, money.Amount(600+i)
			_, err := f.svc.ApplyCreditNote(f.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: inv.ID, Amount: money.Format(r.amount, sgd)}}})
			r.ok = !refusal(t, fmt.Sprintf("worker %d applying %s of a credit note", i, fmtAmount(r.amount, sgd)), err, finapp.EOverAllocation)
			return
		}
		if i%8 == 6 {
			r.topUp, r.amount = true, money.Amount(400+i)
			_, err := f.svc.TopUp(f.ctx, pay.ID, 0, money.Format(r.amount, sgd))
			r.ok = !refusal(t, fmt.Sprintf("worker %d topping up %s", i, fmtAmount(r.amount, sgd)), err, finapp.EOverAllocation)
			return
		}
		r.amount = money.Amount(300 + 7*i)
		d, err := f.svc.Allocate(f.ctx, pay.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: money.Format(r.amount, sgd)}}})
		if refusal(t, fmt.Sprintf("worker %d allocating %s", i, fmtAmount(r.amount, sgd)), err, finapp.EOverAllocation) {
			return
		}
		r.ok = true
		if i%8 != 7 {
			return
		}
		var mine string
		for _, a := range d.Allocations {
			if a.ReleasedAt == nil && a.Amount == r.amount {
				mine = a.ID
			}
		}
		if mine == "" {
			t.Errorf("worker %d: its acknowledged allocation of %s is not among the payment's allocations", i, fmtAmount(r.amount, sgd))
			return
		}
		_, err = f.svc.ReleaseAllocation(f.ctx, pay.ID, mine, 0)
		r.released = !refusal(t, fmt.Sprintf("worker %d releasing its allocation", i), err)
	})

	b := f.books()
	p, invNow := b.payments[pay.ID], b.invoices[inv.ID]
	var allocated, toppedUp, refunded, writtenOff, credited money.Amount
	succeeded, refused := 0, 0
	for i, r := range results {
		if !r.ok {
			refused++
			continue
		}
		succeeded++
		if r.topUp {
			toppedUp += r.amount
			continue
		}
		if r.refund {
			refunded += r.amount
			continue
		}
		if r.writeOff {
			writtenOff += r.amount
			continue
		}
		if r.credit {
			credited += r.amount
			continue
		}
		if !r.released {
			allocated += r.amount
		}
		found := 0
		for _, a := range p.Allocations {
			if a.Amount == r.amount && a.InvoiceID == inv.ID && (a.ReleasedAt != nil) == r.released {
				found++
			}
		}
		if found != 1 {
			t.Errorf("worker %d's acknowledged allocation of %s (released: %v) appears %d times", i, fmtAmount(r.amount, sgd), r.released, found)
		}
	}
	if p.Allocated+p.ToppedUp+p.Refunded > p.Amount {
		t.Errorf("payment over-applied: allocated %s + topped up %s + refunded %s > %s", fmtAmount(p.Allocated, sgd), fmtAmount(p.ToppedUp, sgd),
			fmtAmount(p.Refunded, sgd), fmtAmount(p.Amount, sgd))
	}
	if p.Refunded != refunded || len(p.Refunds) != countIf(results, func(r result) bool { return r.refund && r.ok }) {
		t.Errorf("the acknowledged refunds sum to %s, but the payment shows %s refunded in %d refunds", fmtAmount(refunded, sgd), fmtAmount(p.Refunded, sgd), len(p.Refunds))
	}
	if invNow.Settled() > invNow.Total {
		t.Errorf("invoice over-settled: %s paid, %s written off and %s credited of %s", fmtAmount(invNow.AmountPaid, sgd), fmtAmount(invNow.AmountAdjusted, sgd),
			fmtAmount(invNow.AmountCredited, sgd), fmtAmount(invNow.Total, sgd))
	}
	if n := noteIn(b, cn.ID); invNow.AmountCredited != credited || n.Applied != credited || n.Remaining() < 0 {
		t.Errorf("the acknowledged credit note applications sum to %s, but the invoice shows %s credited and the credit note %s applied of %s",
			fmtAmount(credited, sgd), fmtAmount(invNow.AmountCredited, sgd), fmtAmount(n.Applied, sgd), fmtAmount(n.Amount, sgd))
	}
	if invNow.AmountAdjusted != writtenOff || writtenOff > tolerance {
		t.Errorf("the acknowledged write-offs sum to %s (tolerance %s), but the invoice shows %s adjusted", fmtAmount(writtenOff, sgd),
			fmtAmount(tolerance, sgd), fmtAmount(invNow.AmountAdjusted, sgd))
	}
	if invNow.AmountPaid != allocated || p.Allocated != allocated {
		t.Errorf("the acknowledged allocations that were not released sum to %s, but the invoice shows %s paid and the payment %s allocated",
			fmtAmount(allocated, sgd), fmtAmount(invNow.AmountPaid, sgd), fmtAmount(p.Allocated, sgd))
	}
	if p.ToppedUp != toppedUp || len(p.TopUps) != countIf(results, func(r result) bool { return r.topUp && r.ok }) {
		t.Errorf("the acknowledged top-ups sum to %s, but the payment shows %s topped up in %d top-ups", fmtAmount(toppedUp, sgd), fmtAmount(p.ToppedUp, sgd), len(p.TopUps))
	}
	// The allocations that stay ask for more than the invoice's 80.00, so some must be refused.
	if succeeded == 0 || refused == 0 {
		t.Errorf("%d requests succeeded and %d were refused; want both", succeeded, refused)
	}
	t.Logf("%d requests succeeded, %d refused: %s allocated, %s topped up, %s refunded, %s written off", succeeded, refused, fmtAmount(p.Allocated, sgd),
		fmtAmount(p.ToppedUp, sgd), fmtAmount(p.Refunded, sgd), fmtAmount(writtenOff, sgd))
}

func countIf[R any](results []R, keep func(R) bool) int {
	n := 0
	for _, r := range results {
		if keep(r) {
			n++
		}
	}
	return n
}

// testConcurrentProvisioning hammers a top-up invoice from four payments at once, half of the
// workers allocating explicit amounts and half automatically. The invoice must end fully paid and
// provisioned exactly once: one invoice.provisioned journal entry, credit equal to its total.
func testConcurrentProvisioning(t *testing.T, open func(t *testing.T) finapp.Store) {
	f := newFixture(t, open)
	org := f.org("Prepaid Pte Ltd", sgd)
	inv := f.invoice(org.ID, "TOP-1", finapp.KindTopUp, "50.00")
	var pays []*finapp.PaymentDetail
	for range 4 {
		pays = append(pays, f.payment(org.ID, "30.00", sgd))
	}
	all(func(i int) {
		p := pays[(i/2)%len(pays)]
		req := finapp.AllocationRequest{Auto: true}
		if i%2 == 1 {
			req = finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: money.Format(money.Amount(100+13*i), sgd)}}}
		}
		_, err := f.svc.Allocate(f.ctx, p.ID, 0, req)
		refusal(t, fmt.Sprintf("worker %d allocating (auto: %v)", i, req.Auto), err, finapp.EOverAllocation)
	})

	b := f.books()
	got := b.invoices[inv.ID]
	if got.Status != finapp.InvoiceProvisioned || got.AmountPaid != got.Total {
		t.Errorf("top-up invoice is %s with %s of %s paid; every worker's money was enough to provision it", got.Status, fmtAmount(got.AmountPaid, sgd), fmtAmount(got.Total, sgd))
	}
	provisioned := 0
	for _, e := range b.journal {
		if e.Operation == "invoice.provisioned" && e.EntityID == inv.ID {
			provisioned++
		}
	}
	if provisioned != 1 {
		t.Errorf("the top-up invoice was provisioned %d times in the journal, want exactly once", provisioned)
	}
	if credit := b.orgs[org.ID].Credit[sgd]; credit != money.SumOf(got.Total) {
		t.Errorf("the customer's credit balance is %s, want the invoice total %s", fmtSum(credit, sgd), fmtAmount(got.Total, sgd))
	}
	var allocated money.Amount
	for _, p := range pays {
		allocated += b.payments[p.ID].Allocated
	}
	if allocated != got.Total {
		t.Errorf("the payments allocated %s in all, want the invoice total %s", fmtAmount(allocated, sgd), fmtAmount(got.Total, sgd))
	}
}

// testConcurrentMultiLine sends requests that each allocate one payment to two or three invoices,
// naming the invoices in clashing orders. Each request is all or nothing: either every line of it
// is there or none is, whatever else ran at the same time.
func testConcurrentMultiLine(t *testing.T, open func(t *testing.T) finapp.Store) {
	f := newFixture(t, open)
	org := f.org("Many Lines Pte Ltd", sgd)
	var invs []*finapp.Invoice
	for n := range 4 {
		invs = append(invs, f.invoice(org.ID, fmt.Sprintf("ML-%d", n+1), finapp.KindStandard, "40.00"))
	}
	var pays []*finapp.PaymentDetail
	for range 4 {
		pays = append(pays, f.payment(org.ID, "50.00", sgd))
	}
	type line struct {
		invoiceID, paymentID string
		amount               money.Amount // unique per worker and line
	}
	lines := make([][]line, workers)
	ok := make([]bool, workers)
	all(func(i int) {
		p := pays[i%len(pays)]
		var req finapp.AllocationRequest
		for k := range 2 + i%2 {
			idx := (i + k) % len(invs)
			if i%4 >= 2 {
				idx = (i + len(invs) - k) % len(invs) // the other way round
			}
			l := line{invoiceID: invs[idx].ID, paymentID: p.ID, amount: money.Amount(500 + 10*i + k)}
			lines[i] = append(lines[i], l)
			req.Lines = append(req.Lines, finapp.AllocationLine{InvoiceID: l.invoiceID, Amount: money.Format(l.amount, sgd)})
		}
		_, err := f.svc.Allocate(f.ctx, p.ID, 0, req)
		ok[i] = !refusal(t, fmt.Sprintf("worker %d allocating %d lines", i, len(req.Lines)), err, finapp.EOverAllocation)
	})

	b := f.books()
	present := map[money.Amount]*finapp.Allocation{}
	for _, p := range pays {
		for _, a := range b.payments[p.ID].Allocations {
			if present[a.Amount] != nil {
				t.Errorf("two allocations of %s", fmtAmount(a.Amount, sgd))
			}
			present[a.Amount] = a
		}
	}
	succeeded := 0
	for i := range workers {
		found := 0
		for _, l := range lines[i] {
			if a := present[l.amount]; a != nil && a.InvoiceID == l.invoiceID && a.PaymentID == l.paymentID && a.ReleasedAt == nil {
				found++
				delete(present, l.amount)
			}
		}
		want := 0
		if ok[i] {
			want = len(lines[i])
			succeeded++
		}
		if found != want {
			t.Errorf("worker %d (acknowledged: %v) has %d of its %d lines allocated, want %d: a request is all or nothing", i, ok[i], found, len(lines[i]), want)
		}
	}
	for amt, a := range present {
		t.Errorf("allocation %s of %s to invoice %s was made by no acknowledged request", a.ID, fmtAmount(amt, sgd), a.InvoiceNumber)
	}
	if succeeded == 0 || succeeded == workers {
		t.Errorf("%d of %d requests succeeded; the requests ask for more than the invoices owe, so some must succeed and some be refused", succeeded, workers)
	}
}
