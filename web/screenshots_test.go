package web_test

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"finapp"
)

// screenshots, when set, is where TestScreenshots writes a PNG of each main page:
//
//	go test ./web -run TestScreenshots -args -screenshots=../docs/screenshots
var screenshots = flag.String("screenshots", "", "write screenshots of the main pages to this directory")

// TestScreenshots photographs each main page over a small, realistic data set. It runs only when
// -screenshots names a directory.
func TestScreenshots(t *testing.T) {
	if *screenshots == "" {
		t.Skip("pass -screenshots=DIR to write screenshots of the main pages")
	}
	if err := os.MkdirAll(*screenshots, 0o755); err != nil {
		t.Fatal(err)
	}
	h := newHarness(t, false)
	globex := h.org("Globex Communications", "USD")
	starling := h.org("Starling Mobile", "SGD")
	h.invoice(h.acme, "INV-1003", "1250.00", finapp.KindStandard)
	h.invoice(starling, "TOP-2001", "200.00", finapp.KindTopUp)
	h.invoice(starling, "INV-2002", "89.90", finapp.KindStandard)
	gInv := h.invoice(globex, "INV-3001", "4200.00", finapp.KindStandard)
	old, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.boreal.ID, Number: "INV-0907", Total: "640.00", IssuedOn: "2025-09-01", DueOn: "2025-09-30"})
	if err != nil {
		t.Fatal(err)
	}
	pay := func(org, amount, cur, method, ref, hint, remark string) *finapp.PaymentDetail {
		d, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{OrganizationID: org, Amount: amount, Currency: cur, Method: method, Reference: ref, InvoiceNumber: hint, Remark: remark})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	g := pay(globex.ID, "4200.00", "USD", "bank_transfer", "CHASE WIRE 88121", "INV-3001", "")
	if _, err := h.svc.Allocate(h.ctx, g.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: gInv.ID, Amount: "4200.00"}}}); err != nil {
		t.Fatal(err)
	}
	s := pay(starling.ID, "289.90", "SGD", "stripe", "ch_3PqL9z", "TOP-2001", "Top-up and June bill")
	if _, err := h.svc.Allocate(h.ctx, s.ID, 0, finapp.AllocationRequest{Auto: true}); err != nil {
		t.Fatal(err)
	}
	b := pay(h.boreal.ID, "300.00", "SGD", "cheque", "CHQ 004512", "INV-0907", "Part payment, balance next month")
	if _, err := h.svc.Allocate(h.ctx, b.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: old.ID, Amount: "300.00"}}}); err != nil {
		t.Fatal(err)
	}
	// Money received over the last weeks and invoices of every age, for the Reports page.
	today, _ := time.Parse("2006-01-02", h.svc.Today(finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleViewer})))
	ago := func(days int) string { return today.AddDate(0, 0, -days).Format("2006-01-02") }
	for i, r := range []struct {
		days   int
		amount string
		method string
	}{{27, "1800.00", "bank_transfer"}, {24, "420.00", "credit_card"}, {20, "2650.00", "bank_transfer"}, {16, "310.00", "cash"},
		{13, "1290.00", "bank_transfer"}, {9, "760.00", "stripe"}, {6, "2120.00", "bank_transfer"}, {3, "540.00", "cheque"}, {1, "980.00", "paypal"}} {
		if _, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{Amount: r.amount, Currency: "SGD", Method: r.method, ReceivedOn: ago(r.days),
			Reference: fmt.Sprintf("Batch %02d", i+1)}); err != nil {
			t.Fatal(err)
		}
	}
	for _, inv := range []struct {
		org            *finapp.Organization
		number, total  string
		issued, dueAgo int
	}{{starling, "INV-2003", "415.00", 80, 50}, {h.acme, "INV-0990", "980.00", 45, 15}, {globex, "INV-2990", "1500.00", 100, 70}} {
		if _, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: inv.org.ID, Number: inv.number, Total: inv.total,
			IssuedOn: ago(inv.issued), DueOn: ago(inv.dueAgo)}); err != nil {
			t.Fatal(err)
		}
	}
	cn, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, Amount: "450.00", Reason: "3 SIM bundles returned unopened"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ApplyCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Auto: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: starling.ID, Amount: "25.00", Reason: "Outage credit, 14 November"}); err != nil {
		t.Fatal(err)
	}
	pay("", "75.00", "SGD", "cash", "Counter receipt 17", "", "")
	p := pay("", "1000.00", "SGD", "bank_transfer", "DBS 0042", "INV-1001", "Quarterly settlement")

	shots := []struct{ name, path string }{
		{"payments", "/payments"},
		{"payment-new", "/payments/new"},
		{"payment-view", "/payments/" + p.ID + "?org=Acme"},
		{"invoices", "/invoices"},
		{"organizations", "/organizations"},
		{"organization-view", "/organizations/" + h.acme.ID},
		{"invoice-view", "/invoices/" + old.ID},
		{"invoice-new", "/invoices/new?customer=" + h.acme.ID},
		{"reports", "/reports"},
		{"audit", "/audit"},
		{"credit-notes", "/credit-notes"},
		{"credit-note-view", "/credit-notes/" + cn.ID},
	}
	// Every page at a desktop's width, and again at a phone's (name-phone.png).
	desktop := browser(t, 1280, 860)
	logIn(t, desktop, h.URL)
	phone := browser(t, 390, 844)
	run(t, phone, "a phone's viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)) // a window is never under 500 px
	logIn(t, phone, h.URL)
	for _, width := range []struct {
		ctx    context.Context
		suffix string
	}{{desktop, ""}, {phone, "-phone"}} {
		for _, s := range shots {
			run(t, width.ctx, s.name, chromedp.Navigate(h.URL+s.path), chromedp.WaitVisible(chromedp.CSS("main")))
			png, err := chromedp.Run(width.ctx, chromedp.FullScreenshot(100))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(*screenshots, s.name+width.suffix+".png"), png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}
