package conformance

import (
	"testing"

	"finapp"
	"finapp/money"
)

// testAutoAllocationOrder checks the order an engine lists an organization's open invoices in
// (Tx.OpenInvoices, which each engine writes in its own SQL): automatic allocation pays the
// oldest invoice first — by due date, then issued date, then number (SPEC §1) — and skips
// invoices that are paid, provisioned, void, in another currency or of another organization.
func testAutoAllocationOrder(t *testing.T, open func(t *testing.T) finapp.Store) {
	f := newFixture(t, open)
	org := f.org("Oldest First Pte Ltd", sgd)
	other := f.org("Someone Else Pte Ltd", sgd)
	issue := func(orgID, number, kind, cur, total, issued, due string) *finapp.Invoice {
		t.Helper()
		inv, err := f.svc.CreateInvoice(f.ctx, finapp.InvoiceCreate{Number: number, OrganizationID: orgID, Kind: kind,
			Currency: cur, Total: total, IssuedOn: issued, DueOn: due})
		if err != nil {
			t.Fatalf("issuing invoice %s: %v", number, err)
		}
		return inv
	}
	// Created in an order that is none of the orders being checked, so that neither creation
	// time nor id can pass for the rule.
	a := issue(org.ID, "AO-1", finapp.KindStandard, "", "10.00", "2026-01-20", "2026-02-10")
	e := issue(org.ID, "AO-4", finapp.KindStandard, "", "10.00", "2026-01-01", "2026-03-01")
	d := issue(org.ID, "AO-0", finapp.KindStandard, "", "10.00", "2026-01-20", "2026-02-10")
	c := issue(org.ID, "AO-3", finapp.KindProforma, "", "10.00", "2026-01-01", "2026-02-10")
	b := issue(org.ID, "AO-2", finapp.KindTopUp, "", "10.00", "2026-01-05", "2026-02-01")
	partly := issue(org.ID, "AO-9", finapp.KindStandard, "", "10.00", "2026-01-02", "2026-01-15")
	paid := issue(org.ID, "AO-8", finapp.KindStandard, "", "10.00", "2025-12-01", "2025-12-31")
	voided := issue(org.ID, "AO-7", finapp.KindStandard, "", "10.00", "2025-12-01", "2025-12-01")
	yen := issue(org.ID, "AO-6", finapp.KindStandard, "JPY", "1000", "2025-12-01", "2025-12-01")
	theirs := issue(other.ID, "AO-5", finapp.KindStandard, "", "10.00", "2025-12-01", "2025-12-01")
	if _, err := f.svc.VoidInvoice(f.ctx, voided.ID, 0); err != nil {
		t.Fatalf("voiding: %v", err)
	}
	first := f.payment(org.ID, "14.00", sgd)
	if _, err := f.svc.Allocate(f.ctx, first.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{
		{InvoiceID: paid.ID, Amount: "10.00"}, {InvoiceID: partly.ID, Amount: "4.00"}}}); err != nil {
		t.Fatalf("paying %s in full and %s in part: %v", paid.Number, partly.Number, err)
	}

	// 41.00: 6.00 to AO-9 (due 01-15, partly paid), 10.00 to AO-2 (due 02-01), 10.00 to AO-3 (due
	// 02-10, issued 01-01), 10.00 to AO-0 (due 02-10, issued 01-20), 5.00 to AO-1 (the same dates,
	// a later number), nothing to AO-4 (due 03-01).
	auto := func(amount string) {
		t.Helper()
		p := f.payment(org.ID, amount, sgd)
		if _, err := f.svc.Allocate(f.ctx, p.ID, 0, finapp.AllocationRequest{Auto: true}); err != nil {
			t.Fatalf("allocating %s automatically: %v", amount, err)
		}
	}
	auto("41.00")
	want := map[*finapp.Invoice]money.Amount{partly: 1000, b: 1000, c: 1000, d: 1000, a: 500, e: 0, paid: 1000, voided: 0, yen: 0, theirs: 0}
	check := func(when string) {
		t.Helper()
		for inv, amt := range want {
			got, err := f.svc.GetInvoice(f.ctx, inv.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.AmountPaid != amt {
				t.Errorf("%s: invoice %s (due %s, issued %s) has %s paid, want %s: automatic allocation pays the oldest invoice first, by due date, then issued date, then number",
					when, inv.Number, inv.DueOn, inv.IssuedOn, fmtAmount(got.AmountPaid, got.Currency), fmtAmount(amt, got.Currency))
			}
		}
	}
	check("after allocating 41.00 automatically")

	// 8.00 more: the rest of AO-1, now partly paid, before AO-4.
	auto("8.00")
	want[a], want[e] = 1000, 300
	check("after allocating 8.00 more")
	f.books()
}
