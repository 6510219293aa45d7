package finapp

import (
	"slices"
	"strings"
	"testing"
	"time"

	"finapp/money"
)

// SPEC §3, allocation rows: every refusal checkAllocation makes, and what it lets through, on a
// payment and an invoice as they were loaded.
func TestAllocate_RefusesWhatSPEC3Refuses(t *testing.T) {
	paidInPart := func(inv *Invoice) *Invoice { inv.AmountPaid, inv.Status = sgd(70), InvoicePartiallyPaid; return inv }
	for _, tc := range []struct {
		name    string
		p       *Payment
		inv     *Invoice
		amt     money.Amount
		want    string
		message string
	}{
		{"RefusesMoreThanPaymentUnallocated", &Payment{OrganizationID: acme, Amount: sgd(100), Allocated: sgd(40), ToppedUp: sgd(20), Currency: "SGD"},
			invoiceOf(acme, "I-1", KindStandard, sgd(500)), sgd(41), "over_allocation on allocations[0]", "only 40.00 SGD unallocated"},
		{"TakesExactlyPaymentUnallocated", &Payment{OrganizationID: acme, Amount: sgd(100), Allocated: sgd(40), ToppedUp: sgd(20), Currency: "SGD"},
			invoiceOf(acme, "I-1", KindStandard, sgd(500)), sgd(40), "accepted", ""},
		{"RefusesMoreThanInvoiceDue", paymentOf(acme, sgd(500)), paidInPart(invoiceOf(acme, "I-1", KindStandard, sgd(100))),
			sgd(31), "over_allocation on allocations[0]", "invoice I-1 has only 30.00 SGD due"},
		{"TakesExactlyInvoiceDue", paymentOf(acme, sgd(500)), paidInPart(invoiceOf(acme, "I-1", KindStandard, sgd(100))),
			sgd(30), "accepted", ""},
		{"RefusesPaidInvoice", paymentOf(acme, sgd(500)), &Invoice{Number: "I-1", OrganizationID: acme, Currency: "SGD", Total: sgd(100), AmountPaid: sgd(100), Status: InvoicePaid},
			1, "over_allocation on allocations[0]", "has only 0.00 SGD due"},
		{"RefusesUnassignedPayment", paymentOf("", sgd(100)), invoiceOf(acme, "I-1", KindStandard, sgd(100)),
			sgd(10), "payment_unassigned on allocations[0]", "name organization_id"},
		{"RefusesInvoiceOfAnotherOrganization", paymentOf(acme, sgd(100)), invoiceOf(boreal, "B-1", KindStandard, sgd(100)),
			sgd(10), "organization_mismatch on allocations[0]", "invoice B-1 belongs to another organization"},
		{"RefusesInvoiceInAnotherCurrency", paymentOf(acme, sgd(100)), &Invoice{Number: "J-1", OrganizationID: acme, Currency: "JPY", Total: 10000, Status: InvoiceUnpaid},
			sgd(10), "currency_mismatch on allocations[0]", "invoice J-1 is in JPY, the payment in SGD"},
		{"RefusesVoidInvoice", paymentOf(acme, sgd(100)), &Invoice{Number: "V-1", OrganizationID: acme, Currency: "SGD", Total: sgd(100), Status: InvoiceVoid},
			sgd(10), "invoice_void on allocations[0]", "invoice V-1 is void"},
		// The organization is named first: a payment of another customer in another currency is
		// refused for the customer.
		{"RefusesAnotherOrganizationBeforeAnotherCurrency", paymentOf(acme, sgd(100)), &Invoice{Number: "B-2", OrganizationID: boreal, Currency: "JPY", Total: 100, Status: InvoiceUnpaid},
			sgd(10), "organization_mismatch on allocations[0]", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkAllocation(tc.p, tc.inv, tc.amt, tc.amt, false, "allocations[0]")
			if got := refusal(err); got != tc.want {
				t.Fatalf("checkAllocation: %s (%v), want %s", got, err, tc.want)
			}
			if err != nil && !strings.Contains(err.Error(), tc.message) {
				t.Errorf("message %q does not say %q", err.Error(), tc.message)
			}
		})
	}
}

// Invoice.Accepts is the same rule without an amount: the allocation editor offers what it
// accepts, and an unassigned payment may go to any organization's invoice (Assign & Allocate).
func TestInvoiceAccepts_SameOrganizationSameCurrencyNotVoidMoneyDue(t *testing.T) {
	unassigned, ofAcme := paymentOf("", sgd(100)), paymentOf(acme, sgd(100))
	for _, tc := range []struct {
		name string
		inv  *Invoice
		p    *Payment
		want string
	}{
		{"OpenInvoiceOfThePaymentsOrganization", invoiceOf(acme, "A-1", KindStandard, sgd(10)), ofAcme, "accepted"},
		{"AnyOrganizationsInvoiceForAnUnassignedPayment", invoiceOf(boreal, "B-1", KindStandard, sgd(10)), unassigned, "accepted"},
		{"NotAnotherOrganizations", invoiceOf(boreal, "B-1", KindStandard, sgd(10)), ofAcme, EOrganizationMismatch},
		{"NotInAnotherCurrency", &Invoice{OrganizationID: acme, Currency: "USD", Total: 1000, Status: InvoiceUnpaid}, ofAcme, ECurrencyMismatch},
		{"NotInAnotherCurrencyEvenUnassigned", &Invoice{OrganizationID: acme, Currency: "USD", Total: 1000, Status: InvoiceUnpaid}, unassigned, ECurrencyMismatch},
		{"NotVoid", &Invoice{OrganizationID: acme, Currency: "SGD", Total: 1000, Status: InvoiceVoid}, ofAcme, EInvoiceVoid},
		{"NotPaid", &Invoice{OrganizationID: acme, Currency: "SGD", Total: 1000, AmountPaid: 1000, Status: InvoicePaid}, ofAcme, EOverAllocation},
		{"NotProvisioned", &Invoice{OrganizationID: acme, Kind: KindTopUp, Currency: "SGD", Total: 1000, AmountPaid: 1000, Status: InvoiceProvisioned}, ofAcme, EOverAllocation},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusal(tc.inv.Accepts(tc.p)); got != tc.want {
				t.Errorf("Accepts: %s, want %s", got, tc.want)
			}
		})
	}
}

// Applying an allocation moves the money on both sides and posts unapplied > receivable.
func TestAllocate_MovesTheMoneyAndPostsIt(t *testing.T) {
	c, p, inv := ruleChanges(), paymentOf(acme, sgd(100)), invoiceOf(acme, "I-1", KindStandard, sgd(250))
	a := c.applyAllocation(p, inv, sgd(60), sgd(60), "")
	if a.Amount != sgd(60) || a.PaymentID != p.ID || a.InvoiceID != inv.ID || a.Currency != "SGD" || a.CreatedBy != c.actor || !a.CreatedAt.Equal(ruleNow) {
		t.Errorf("allocation %+v", *a)
	}
	if p.Allocated != sgd(60) || p.Unallocated() != sgd(40) || inv.AmountPaid != sgd(60) || inv.AmountDue() != sgd(190) {
		t.Errorf("payment allocated %d (unallocated %d), invoice paid %d (due %d)", p.Allocated, p.Unallocated(), inv.AmountPaid, inv.AmountDue())
	}
	want := []string{"allocation.created unapplied:org_acme > receivable:org_acme 60.00 SGD"}
	if got := c.postings(); !slices.Equal(got, want) {
		t.Errorf("postings %q, want %q", got, want)
	}
	if inv.Version != 2 || c.invoices[inv.ID] != inv {
		t.Errorf("the invoice is at version %d and touched %v: it must be saved with the change", inv.Version, c.invoices[inv.ID] != nil)
	}
}

// SPEC §1: the invoice's status follows the money, unpaid → partially paid → paid; a proforma or
// top-up invoice becomes provisioned instead of paid, is provisioned exactly once (one entry,
// one invoice.provisioned event) and stays provisioned. Each status it reaches is announced once.
func TestAllocate_StatusFollowsTheMoneyAndProvisionsExactlyOnce(t *testing.T) {
	for _, tc := range []struct {
		kind      string
		final     string
		provision []string // the provisioning entry
		events    []string
	}{
		{KindStandard, InvoicePaid, nil, []string{"invoice.partially_paid", "invoice.paid"}},
		{KindProforma, InvoiceProvisioned, []string{"invoice.provisioned deferred_revenue > revenue 100.00 SGD"}, []string{"invoice.partially_paid", "invoice.paid", "invoice.provisioned"}},
		{KindTopUp, InvoiceProvisioned, []string{"invoice.provisioned topup_clearing > credit:org_acme 100.00 SGD"}, []string{"invoice.partially_paid", "invoice.paid", "invoice.provisioned"}},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			c, p, inv := ruleChanges(), paymentOf(acme, sgd(500)), invoiceOf(acme, "I-1", tc.kind, sgd(100))
			if inv.statusFor() != InvoiceUnpaid {
				t.Fatalf("a new invoice is %s", inv.statusFor())
			}
			var statuses []string
			for _, amt := range []money.Amount{sgd(30), sgd(70)} {
				if err := checkAllocation(p, inv, amt, amt, false, "allocations[0]"); err != nil {
					t.Fatalf("allocating %d: %v", amt, err)
				}
				c.applyAllocation(p, inv, amt, amt, "")
				statuses = append(statuses, inv.Status)
			}
			if want := []string{InvoicePartiallyPaid, tc.final}; !slices.Equal(statuses, want) {
				t.Errorf("statuses %q, want %q", statuses, want)
			}
			want := append([]string{"allocation.created unapplied:org_acme > receivable:org_acme 30.00 SGD",
				"allocation.created unapplied:org_acme > receivable:org_acme 70.00 SGD"}, tc.provision...)
			if got := c.postings(); !slices.Equal(got, want) {
				t.Errorf("postings\n %q\nwant\n %q", got, want)
			}
			if got := c.eventTypes(); !slices.Equal(got, tc.events) {
				t.Errorf("events %q, want %q", got, tc.events)
			}
			if tc.final != InvoiceProvisioned {
				return
			}
			if inv.ProvisionedAt == nil || !inv.ProvisionedAt.Equal(ruleNow) {
				t.Fatalf("provisioned at %v, want %v", inv.ProvisionedAt, ruleNow)
			}
			// Settling it again (any later change of the invoice) provisions nothing more, and it
			// stays provisioned even if its paid amount were to change.
			later := ruleChanges()
			later.now = ruleNow.Add(time.Hour)
			later.settleInvoice(inv)
			inv.AmountPaid = sgd(50)
			later.settleInvoice(inv)
			if inv.Status != InvoiceProvisioned || !inv.ProvisionedAt.Equal(ruleNow) || len(later.journal) != 0 || len(later.events) != 0 {
				t.Errorf("settled again: %s at %v, %d entries, %d events; want provisioned once", inv.Status, inv.ProvisionedAt, len(later.journal), len(later.events))
			}
		})
	}
}

// SPEC §3: money on a provisioned invoice stays; a released allocation cannot be released twice.
func TestRelease_RefusesProvisionedInvoiceAndReleasedAllocation(t *testing.T) {
	released := ruleNow
	for _, tc := range []struct {
		name string
		a    *Allocation
		inv  *Invoice
		want string
	}{
		{"RefusesAllocationOfProvisionedInvoice", &Allocation{ID: "alc_1"}, &Invoice{Number: "T-1", Kind: KindTopUp, Status: InvoiceProvisioned}, EInvoiceProvisioned},
		{"RefusesReleasedAllocation", &Allocation{ID: "alc_1", ReleasedAt: &released}, &Invoice{Number: "I-1", Status: InvoicePartiallyPaid}, EConflict},
		{"ReleasesFromPaidInvoice", &Allocation{ID: "alc_1"}, &Invoice{Number: "I-1", Status: InvoicePaid}, "accepted"},
		{"ReleasesFromPartiallyPaidInvoice", &Allocation{ID: "alc_1"}, &Invoice{Number: "I-1", Status: InvoicePartiallyPaid}, "accepted"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusal(checkRelease(tc.a, tc.inv)); got != tc.want {
				t.Errorf("checkRelease: %s, want %s", got, tc.want)
			}
		})
	}
}

// Releasing puts the money back and the status with it: paid → partially paid → unpaid.
func TestRelease_PutsTheMoneyAndTheStatusBack(t *testing.T) {
	c, p, inv := ruleChanges(), paymentOf(acme, sgd(100)), invoiceOf(acme, "I-1", KindStandard, sgd(100))
	first, second := c.applyAllocation(p, inv, sgd(40), sgd(40), ""), c.applyAllocation(p, inv, sgd(60), sgd(60), "")
	var statuses []string
	for _, a := range []*Allocation{second, first} {
		if err := checkRelease(a, inv); err != nil {
			t.Fatal(err)
		}
		c.applyRelease(p, inv, a)
		statuses = append(statuses, inv.Status)
		if a.ReleasedAt == nil || a.ReleasedBy != c.actor {
			t.Errorf("allocation released at %v by %q", a.ReleasedAt, a.ReleasedBy)
		}
	}
	if want := []string{InvoicePartiallyPaid, InvoiceUnpaid}; !slices.Equal(statuses, want) {
		t.Errorf("statuses %q, want %q", statuses, want)
	}
	if p.Allocated != 0 || inv.AmountPaid != 0 {
		t.Errorf("payment allocated %d, invoice paid %d after releasing all", p.Allocated, inv.AmountPaid)
	}
	if got := c.postings()[2:]; !slices.Equal(got, []string{"allocation.released receivable:org_acme > unapplied:org_acme 60.00 SGD",
		"allocation.released receivable:org_acme > unapplied:org_acme 40.00 SGD"}) {
		t.Errorf("release postings %q", got)
	}
	if err := checkRelease(first, inv); refusal(err) != EConflict {
		t.Errorf("releasing again: %v, want conflict", err)
	}
}

// SPEC §3: unassigning or deleting a payment releases its allocations, unless one funded a
// provisioned invoice or the payment topped up credit (payment_in_use).
func TestUnassignAndDelete_RefusedWhenMoneyIsLockedIn(t *testing.T) {
	open := &Invoice{ID: "inv_open", Number: "I-1", Status: InvoicePartiallyPaid}
	paid := &Invoice{ID: "inv_paid", Number: "I-2", Status: InvoicePaid}
	provisioned := &Invoice{ID: "inv_top", Number: "T-1", Kind: KindTopUp, Status: InvoiceProvisioned}
	invoices := map[string]*Invoice{open.ID: open, paid.ID: paid, provisioned.ID: provisioned}
	on := func(ids ...string) []*Allocation {
		var out []*Allocation
		for _, id := range ids {
			out = append(out, &Allocation{ID: "alc_" + id, InvoiceID: id})
		}
		return out
	}
	toppedUp := paymentOf(acme, sgd(100))
	toppedUp.ToppedUp = 1 // one cent is enough
	for _, tc := range []struct {
		name   string
		p      *Payment
		active []*Allocation
		want   string
	}{
		{"ReleasesAllocationsOfOpenAndPaidInvoices", paymentOf(acme, sgd(100)), on(open.ID, paid.ID), "accepted"},
		{"DetachesAPaymentWithNothingApplied", paymentOf(acme, sgd(100)), nil, "accepted"},
		{"RefusedWhenAnAllocationFundedAProvisionedInvoice", paymentOf(acme, sgd(100)), on(open.ID, provisioned.ID), EPaymentInUse},
		{"RefusedWhenThePaymentToppedUpCredit", toppedUp, nil, EPaymentInUse},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusal(checkDetach(tc.p, tc.active, invoices)); got != tc.want {
				t.Errorf("checkDetach: %s, want %s", got, tc.want)
			}
		})
	}
}

// SPEC §1: automatic allocation pays the oldest invoice first — by due date, then issue date,
// then number — until the money or the invoices run out, passing over what cannot take it.
func TestAutoAllocate_OldestFirstByDueDateIssueDateNumber(t *testing.T) {
	inv := func(number, issued, due string, total money.Amount) *Invoice {
		i := invoiceOf(acme, number, KindStandard, total)
		i.IssuedOn, i.DueOn = issued, due
		return i
	}
	void := inv("A-VOID", "2025-01-01", "2025-01-01", sgd(10))
	void.Status = InvoiceVoid
	usd := inv("A-USD", "2025-01-01", "2025-01-01", sgd(10))
	usd.Currency = "USD"
	other := inv("B-1", "2025-01-01", "2025-01-01", sgd(10))
	other.OrganizationID = boreal
	paidInPart := inv("A-4", "2026-01-01", "2026-02-01", sgd(50))
	paidInPart.AmountPaid, paidInPart.Status = sgd(45), InvoicePartiallyPaid
	open := []*Invoice{
		inv("A-3", "2026-01-05", "2026-02-01", sgd(10)),  // same due date as, issued later
		inv("A-9", "2026-01-01", "2026-03-01", sgd(100)), // due last
		void, usd, other,
		inv("A-2", "2026-01-01", "2026-02-01", sgd(10)), // same due and issue date as A-4, lower number
		paidInPart,
		inv("A-1", "2026-01-20", "2026-01-25", sgd(20)), // due first, though issued last
	}
	p := paymentOf(acme, sgd(60))
	plan := autoPlan(p, open)
	var got []string
	for i, amt := range plan {
		if amt > 0 {
			got = append(got, open[i].Number+" "+money.Format(amt, "SGD"))
		}
	}
	want := []string{"A-1 20.00", "A-2 10.00", "A-4 5.00", "A-3 10.00", "A-9 15.00"}
	if !slices.Equal(got, want) {
		t.Errorf("plan %q, want %q", got, want)
	}
	var order []string
	for _, i := range open {
		order = append(order, i.Number)
	}
	if order[0] != "A-VOID" && order[0] != "A-USD" && order[0] != "B-1" {
		t.Errorf("sorted %q: the oldest due come first, whatever their state", order)
	}
	if i := slices.Index(order, "A-1"); order[i+1] != "A-2" || order[i+2] != "A-4" || order[i+3] != "A-3" || order[i+4] != "A-9" {
		t.Errorf("sorted %q, want … A-1 A-2 A-4 A-3 A-9", order)
	}
	// A payment with less money stops early; one with nothing left plans nothing.
	p.Allocated = sgd(55)
	if plan := autoPlan(p, open); plan[slices.IndexFunc(open, func(i *Invoice) bool { return i.Number == "A-1" })] != sgd(5) {
		t.Errorf("with 5.00 left the plan is %v, want 5.00 on A-1 only", plan)
	}
	p.Allocated = sgd(60)
	for _, amt := range autoPlan(p, open) {
		if amt != 0 {
			t.Errorf("a fully allocated payment planned %d", amt)
		}
	}
}
