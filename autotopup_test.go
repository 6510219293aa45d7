package finapp_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
)

// A prepaid customer whose usable credit falls below its threshold gets one top_up invoice of the
// set amount: not two the same day, not another while it is unpaid, and a new one on a later day
// once paid; each announced by credit.low. A capture and a withdrawal both trigger it.
func TestAutoTopUp_OncePerDayAndNotWhileUnpaid(t *testing.T) {
	db := testdb.Open(t)
	svc := finapp.NewService(db)
	now := time.Date(2026, 12, 5, 9, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:topup", Role: finapp.RoleFinance})
	org, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Prepaid Telco", BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	fund := func(amount string) {
		t.Helper()
		p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: org.ID, Amount: amount, Currency: "SGD", Method: "cash"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.TopUp(ctx, p.ID, p.Version, amount); err != nil {
			t.Fatal(err)
		}
	}
	spend := func(amount string) {
		t.Helper()
		r, err := svc.Reserve(ctx, org.ID, finapp.ReservationCreate{Amount: amount, Currency: "SGD"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CaptureReservation(ctx, r.ID, amount); err != nil {
			t.Fatal(err)
		}
	}
	topUps := func() []*finapp.Invoice {
		t.Helper()
		list, _, err := svc.ListInvoices(ctx, finapp.InvoiceFilter{OrganizationID: org.ID, Kind: finapp.KindTopUp, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		return list
	}
	fund("30.00")
	if _, err := svc.SetCreditSettings(ctx, org.ID, finapp.CreditSettingsInput{BillingMode: finapp.BillingPrepaid,
		AutoTopUp: finapp.AutoTopUpInput{Enabled: true, Threshold: "20.00", Amount: "100.00"}}); err != nil {
		t.Fatal(err)
	}

	spend("5.00") // 25.00 left: above the threshold
	if n := len(topUps()); n != 0 {
		t.Fatalf("%d top-up invoices above the threshold", n)
	}
	spend("6.00") // 19.00: below
	list := topUps()
	if len(list) != 1 {
		t.Fatalf("%d top-up invoices once below the threshold, want 1", len(list))
	}
	first := list[0]
	if first.Total != 10000 || first.Currency != "SGD" || first.Status != finapp.InvoiceUnpaid || first.IssuedOn != "2026-12-05" {
		t.Errorf("top-up invoice %+v", first)
	}
	spend("1.00") // still below, the same day
	now = now.Add(24 * time.Hour)
	spend("1.00") // the next day, but the first is unpaid
	if n := len(topUps()); n != 1 {
		t.Fatalf("%d top-up invoices, want still 1: one a day, none while one is unpaid", n)
	}

	// Paying it provisions the credit; a withdrawal then takes usable credit below again.
	p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: org.ID, Amount: "100.00", Currency: "SGD", Method: "bank_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Allocate(ctx, p.ID, p.Version, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: first.ID, Amount: "100.00"}}}); err != nil {
		t.Fatal(err)
	}
	figures, err := svc.Credit(ctx, org.ID)
	if err != nil {
		t.Fatal(err)
	}
	if f := figures[0]; f.Usable.Format("SGD") != "117.00" {
		t.Fatalf("usable %s after the top-up invoice was paid, want 117.00", f.Usable.Format("SGD"))
	}
	if _, err := svc.Withdraw(ctx, org.ID, finapp.WithdrawalCreate{Amount: "100.00", Currency: "SGD", Method: "bank_transfer",
		Reason: "customer asked for part back"}); err != nil {
		t.Fatal(err)
	}
	list = topUps()
	if len(list) != 2 || list[0].IssuedOn != "2026-12-06" || list[0].ID == first.ID {
		t.Fatalf("top-up invoices %d (newest %+v), want a second one issued 2026-12-06", len(list), list[0])
	}

	// Each was announced by credit.low, naming the invoice.
	if err := db.SealNow(ctx); err != nil {
		t.Fatal(err)
	}
	events, _, err := svc.ListEvents(ctx, finapp.EventFilter{Types: []string{finapp.EventCreditLow}, Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(events) != 2 {
		t.Fatalf("%d credit.low events, want 2", len(events))
	}
	var payload struct {
		OrganizationID string `json:"organization_id"`
		Usable         string `json:"usable"`
		Invoice        string `json:"top_up_invoice_id"`
	}
	if err := json.Unmarshal([]byte(events[0].Payload), &payload); err != nil {
		t.Fatal(err)
	}
	if payload.OrganizationID != org.ID || payload.Usable != "19.00" || payload.Invoice != first.ID {
		t.Errorf("first credit.low %s", events[0].Payload)
	}
	if mismatches, _, err := svc.ReplayBooks(ctx); err != nil || len(mismatches) > 0 {
		t.Fatalf("replay: %v %v", mismatches, err)
	}
}
