package finapp_test

// Benchmarks of whole write use cases through a real store (an SQLite file with WAL and
// synchronous=FULL, as in production; PostgreSQL with FINAPP_TEST_ENGINE=postgres), without HTTP: the cost of one durable transaction of each
// kind. bench_test.go has the pure domain functions; cmd/finapp-bench loads the HTTP server.

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	"finapp"
	"finapp/internal/testdb"
)

func benchService(b *testing.B) (*finapp.Service, context.Context) {
	b.Helper()
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:bench", Role: finapp.RoleFinance})
	return finapp.NewService(testdb.Open(b)), ctx
}

// BenchmarkService_RecordPayment records unassigned payments one after another: one write
// transaction each (payment, journal entry, audit event, outbox event) and one commit.
func BenchmarkService_RecordPayment(b *testing.B) {
	svc, ctx := benchService(b)
	n := 0
	for b.Loop() {
		n++
		if _, err := svc.RecordPayment(ctx, finapp.PaymentCreate{Amount: "125.50", Currency: "SGD", Method: "bank_transfer", Reference: fmt.Sprintf("TT-%d", n)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkService_RecordPayment_Parallel records from 8 goroutines per core at once. SQLite runs
// one writer at a time, so this shows what concurrency alone buys without group commit.
func BenchmarkService_RecordPayment_Parallel(b *testing.B) {
	svc, ctx := benchService(b)
	b.SetParallelism(8)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := svc.RecordPayment(ctx, finapp.PaymentCreate{Amount: "125.50", Currency: "SGD", Method: "bank_transfer", Reference: "TT-parallel"}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkService_AssignAndAllocate assigns a fresh payment and allocates it to two invoices in
// one request (the payment is recorded outside the timed part), then reads it back.
func BenchmarkService_AssignAndAllocate(b *testing.B) {
	svc, ctx := benchService(b)
	org, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Bench Telecom", BillingCurrency: "SGD"})
	if err != nil {
		b.Fatal(err)
	}
	var invoices [2]string
	for i := range invoices {
		inv, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: fmt.Sprintf("BENCH-%d", i), OrganizationID: org.ID, Total: "1000000000.00"})
		if err != nil {
			b.Fatal(err)
		}
		invoices[i] = inv.ID
	}
	for b.Loop() {
		b.StopTimer()
		p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{Amount: "2.00", Currency: "SGD", Method: "bank_transfer"})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		if _, err := svc.Allocate(ctx, p.ID, 0, finapp.AllocationRequest{OrganizationID: org.ID, Lines: []finapp.AllocationLine{
			{InvoiceID: invoices[0], Amount: "1.00"}, {InvoiceID: invoices[1], Amount: "1.00"}}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkService_ReserveCapture_Parallel is a rating engine's hot path without HTTP: 32
// goroutines each reserve 1.00 of one of 1,000 prepaid customers and capture 0.60 of it; one
// iteration is the pair. With -benchtime it shows what the store and the rules cost per pair.
func BenchmarkService_ReserveCapture_Parallel(b *testing.B) {
	svc, ctx := benchService(b)
	orgs := make([]string, 1000)
	for i := range orgs {
		org, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: fmt.Sprintf("Prepaid %d", i), BillingCurrency: "SGD"})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.SetCreditSettings(ctx, org.ID, finapp.CreditSettingsInput{BillingMode: finapp.BillingPrepaid,
			CreditLimits: map[string]string{"SGD": "100000000.00"}}); err != nil {
			b.Fatal(err)
		}
		orgs[i] = org.ID
	}
	var next atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			org := orgs[next.Add(1)%int64(len(orgs))]
			r, err := svc.Reserve(ctx, org, finapp.ReservationCreate{Amount: "1.00", Currency: "SGD", Reference: "call"})
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := svc.CaptureReservation(ctx, r.ID, "0.60"); err != nil {
				b.Error(err)
				return
			}
		}
	})
}
