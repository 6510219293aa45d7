package web_test

import (
	_ "embed"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
)

// axeSource is axe-core, vendored from npm into testdata (its licence beside it): the browser
// suite checks accessibility without fetching anything.
//
//go:embed testdata/axe-core/axe.min.js
var axeSource string

// axeCheck runs axe-core on the page and lists its serious and critical violations, each with
// the elements it found.
const axeCheck = `axe.run(document, {resultTypes: ["violations"]}).then(r => r.violations
  .filter(v => v.impact === "serious" || v.impact === "critical")
  .map(v => v.impact + " " + v.id + ": " + v.help + " — " + v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(", ")))`

// TestBrowser_NoSeriousAccessibilityViolations (issue 13, item 9) runs axe-core on the login page,
// every main page and the administration pages, over books with a payment allocated, written off and refunded, and fails
// on any serious or critical violation.
func TestBrowser_NoSeriousAccessibilityViolations(t *testing.T) {
	h := newHarness(t, false)
	if _, err := h.svc.SetTolerances(h.ctx, []finapp.ToleranceInput{{Currency: "SGD", Amount: "1.00"}}); err != nil {
		t.Fatal(err)
	}
	inv, _, err := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Limit: 10})
	if err != nil || len(inv) < 2 {
		t.Fatalf("the harness's invoices: %v %v", inv, err)
	}
	p := h.pay(h.acme.ID, "1000.00", "bank_transfer", "A11Y-1")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: inv[0].ID, Amount: "299.50"},
		finapp.AllocationLine{InvoiceID: inv[0].ID, Amount: "0.50", Kind: finapp.AdjustWriteOff, Reason: "rounding"})
	if _, err := h.svc.RefundPayment(h.ctx, p.ID, 0, finapp.RefundCreate{Amount: "100.00", Reason: "paid twice"}); err != nil {
		t.Fatal(err)
	}
	// A credit note partly applied and refunded, with some left: its page shows every form.
	cn, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, InvoiceID: inv[1].ID, Amount: "150.00", Reason: "returned goods"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ApplyCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: inv[1].ID, Amount: "50.00"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.RefundCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteRefund{Amount: "25.00", Method: "cash", Reason: "asked"}); err != nil {
		t.Fatal(err)
	}
	h.invoice(h.acme, "AX-0000001", "50.00", finapp.KindStandard)
	edited := editorPages(t, h, "AX-")
	ctx := browser(t, 1280, 900)
	check := func(page string) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axeSource+";true")); err != nil {
			t.Fatalf("loading axe-core into %s: %v", page, err)
		}
		found, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](axeCheck, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatalf("running axe-core on %s: %v", page, err)
		}
		if len(found) > 0 {
			t.Errorf("%s:\n  %s", page, strings.Join(found, "\n  "))
		}
	}
	run(t, ctx, "the login page", chromedp.Navigate(h.URL+"/login"), chromedp.WaitReady(chromedp.CSS(`main`)))
	check("/login")
	logIn(t, ctx, h.URL)
	for _, page := range []string{"/payments", "/payments/" + p.ID, "/payments/new", "/invoices", "/invoices/" + inv[0].ID, "/invoices/new",
		"/organizations", "/organizations/" + h.acme.ID, "/reports", "/audit", "/reminders", "/credit-notes", "/credit-notes/" + cn.ID, "/credit-notes/new",
		"/reconcile", "/reconcile?status=unmatched", "/reconcile/rules", "/reconcile/templates", edited[0], edited[1], edited[2]} {
		run(t, ctx, fmt.Sprintf("open %s", page), chromedp.Navigate(h.URL+page), chromedp.WaitReady(chromedp.CSS(`main`)))
		check(page)
	}

	// The administration pages, as an admin (in a fresh browser: its own session).
	const adminEmail, adminPassword = "admin@finapp.example", "correct horse battery staple"
	if _, err := h.auth.CreateUser(h.ctx, finapp.DefaultWorkspace, adminEmail, finapp.RoleAdmin, adminPassword); err != nil {
		t.Fatal(err)
	}
	ctx = browser(t, 1280, 900)
	run(t, ctx, "log in as an admin",
		chromedp.Navigate(h.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), adminEmail),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), adminPassword),
		submit(`#login`))
	for _, page := range []string{"/admin/users", "/admin/tokens", "/admin/webhooks", "/admin/events", "/admin/settings"} {
		run(t, ctx, fmt.Sprintf("open %s", page), chromedp.Navigate(h.URL+page), chromedp.WaitReady(chromedp.CSS(`main`)))
		if h1 := textOf(t, ctx, "h1"); strings.Contains(h1, "Log in") || strings.Contains(h1, "Forbidden") {
			t.Fatalf("%s shows %q: not an admin's page", page, h1)
		}
		check(page)
	}
}
