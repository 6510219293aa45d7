package finapp

// Benchmarks of the domain's hot paths: pure functions over loaded state, so they need no store
// (service_bench_test.go measures the same use cases through a real SQLite store). Run with
//
//	go test -run '^$' -bench . -benchmem .
//
// A regression here shows in review as a change of ns/op or allocs/op.

import (
	"fmt"
	"testing"
	"time"

	"finapp/money"
)

var benchNow = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

func benchPayment(amount money.Amount) *Payment {
	return &Payment{ID: "pay_01jd8x0c9v7p8x2k3m4n5q6r7s", OrganizationID: "org_01jd8x0c9v7p8x2k3m4n5q6r7s", Amount: amount,
		Currency: "SGD", Method: "bank_transfer", Version: 1, AssignmentChanges: 1}
}

func benchInvoice(i int, total money.Amount) *Invoice {
	day := benchNow.AddDate(0, 0, -(i*7919)%1095)
	return &Invoice{ID: fmt.Sprintf("inv_%026d", i), Number: fmt.Sprintf("INV-%07d", i), OrganizationID: "org_01jd8x0c9v7p8x2k3m4n5q6r7s",
		Kind: KindStandard, Currency: "SGD", Total: total, IssuedOn: day.Format("2006-01-02"), DueOn: day.AddDate(0, 0, 30).Format("2006-01-02"),
		Status: InvoiceUnpaid, Version: 1}
}

func benchChanges() *changes {
	return &changes{now: benchNow, actor: "token:bench", invoices: map[string]*Invoice{}}
}

// BenchmarkCheckAllocation is the rule every allocation line passes (SPEC §3).
func BenchmarkCheckAllocation(b *testing.B) {
	p, inv := benchPayment(1_000_00), benchInvoice(1, 1_000_00)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkAllocation(p, inv, 100, 100, false, "allocations[0]"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCheckAllocation_Refused is the same rule when it refuses (the error is built).
func BenchmarkCheckAllocation_Refused(b *testing.B) {
	p, inv := benchPayment(1_000_00), benchInvoice(1, 500)
	b.ReportAllocs()
	for b.Loop() {
		if err := checkAllocation(p, inv, 1_000, 1_000, false, "allocations[0]"); err == nil {
			b.Fatal("over-allocation was not refused")
		}
	}
}

// BenchmarkApplyAllocation checks and applies one allocation line: the money moves in memory, a
// journal entry is posted and the invoice is settled (here: partially paid).
func BenchmarkApplyAllocation(b *testing.B) {
	p, inv := benchPayment(1_000_00), benchInvoice(1, 1_000_00)
	b.ReportAllocs()
	for b.Loop() {
		p.Allocated, inv.AmountPaid, inv.Status = 0, 0, InvoiceUnpaid
		c := benchChanges()
		if err := checkAllocation(p, inv, 100, 100, false, "allocations[0]"); err != nil {
			b.Fatal(err)
		}
		c.applyAllocation(p, inv, 100, 100, "")
	}
}

// BenchmarkApplyAllocation_Provisions applies the allocation that completes a top-up invoice: it
// is provisioned, a second journal entry is posted and two outbox events are built.
func BenchmarkApplyAllocation_Provisions(b *testing.B) {
	p, inv := benchPayment(1_000_00), benchInvoice(1, 100)
	inv.Kind = KindTopUp
	b.ReportAllocs()
	for b.Loop() {
		p.Allocated, inv.AmountPaid, inv.Status, inv.ProvisionedAt = 0, 0, InvoiceUnpaid, nil
		c := benchChanges()
		if err := checkAllocation(p, inv, 100, 100, false, "allocations[0]"); err != nil {
			b.Fatal(err)
		}
		c.applyAllocation(p, inv, 100, 100, "")
		if inv.Status != InvoiceProvisioned {
			b.Fatalf("status %s, want provisioned", inv.Status)
		}
	}
}

// BenchmarkAutoPlan_1000OpenInvoices orders 1,000 open invoices oldest first and plans a payment
// that covers half of them.
func BenchmarkAutoPlan_1000OpenInvoices(b *testing.B) {
	open := make([]*Invoice, 1000)
	for i := range open {
		open[i] = benchInvoice(i, money.Amount(10_000+(i*37)%90_000))
	}
	p := benchPayment(0)
	for _, inv := range open[:500] {
		p.Amount += inv.Total
	}
	work := make([]*Invoice, len(open))
	b.ReportAllocs()
	for b.Loop() {
		copy(work, open) // autoPlan sorts in place; start from the same order every time
		plan := autoPlan(p, work)
		if plan[0] == 0 {
			b.Fatal("the oldest invoice got nothing")
		}
	}
}

// BenchmarkJournalEntryBalanced checks the double-entry rule on a typical two-line entry and on
// an entry of 1,000 lines in three currencies.
func BenchmarkJournalEntryBalanced(b *testing.B) {
	for _, lines := range []int{2, 1000} {
		e := &JournalEntry{ID: "jrn_x", At: benchNow, Operation: "allocation.created"}
		curs := []money.Currency{"SGD", "USD", "JPY"}
		for i := 0; i < lines/2; i++ {
			var j posting
			j.transfer(UnappliedAccount("org_x"), ReceivableAccount("org_x"), curs[i%len(curs)], money.Amount(100+i))
			e.Lines = append(e.Lines, j.lines...)
		}
		b.Run(fmt.Sprintf("lines=%d", lines), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := e.Balanced(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
