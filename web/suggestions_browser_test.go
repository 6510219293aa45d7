package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
)

// TestBrowser_SuggestionsComeFirstAndAllocateInOneClick (issue 13, items 2 and 8): a payment
// whose amount is what two of its customer's invoices have due opens with those two suggested,
// each saying why, ticked and filled in, above the customer's other open invoices; one click
// allocates them, the remainder shown as the page writes amounts, and the payment's history then
// says what happened, with amounts and names.
func TestBrowser_SuggestionsComeFirstAndAllocateInOneClick(t *testing.T) {
	h := newHarness(t, false)
	h.invoice(h.acme, "INV-1003", "200.00", finapp.KindStandard)
	h.invoice(h.acme, "INV-1004", "125.00", finapp.KindStandard)
	p := h.pay(h.acme.ID, "325.00", "bank_transfer", "DBS 325")
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	run(t, ctx, "open the payment", chromedp.Navigate(h.URL+"/payments/"+p.ID), chromedp.WaitVisible(chromedp.CSS(`#allocate-form`)))

	for _, n := range []string{"INV-1003", "INV-1004"} {
		wantText(t, ctx, "#why-"+n, "INV-1003 + INV-1004 together have exactly 325.00 SGD due")
	}
	rows, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#allocate-form tbody tr")].map(r => r.querySelector("label").textContent + (r.querySelector("input[name=invoice]").checked ? "+" : ""))`))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(rows[:2], " "); got != "INV-1003+ INV-1004+" || len(rows) != 4 || strings.Contains(strings.Join(rows[2:], ""), "+") {
		t.Errorf("the editor lists %q, want the two suggestions first and ticked, then the customer's other open invoices", got)
	}
	wantText(t, ctx, "#remainder", "SGD 0.00")
	run(t, ctx, "allocate the suggestions", submit(`#assign-allocate`))
	wantText(t, ctx, "main", "Allocated.")
	for _, n := range []string{"INV-1003", "INV-1004"} {
		inv, _, err := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Number: n, Limit: 1})
		if err != nil || len(inv) != 1 || inv[0].Status != finapp.InvoicePaid {
			t.Fatalf("%s after allocating the suggestions: %+v %v", n, inv, err)
		}
	}

	// The history timeline says what changed, in words and amounts.
	amount := "330.00"
	if _, err := h.svc.UpdatePayment(h.ctx, p.ID, 0, finapp.PaymentUpdate{Amount: &amount}); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, "reopen the payment", chromedp.Navigate(h.URL+"/payments/"+p.ID), chromedp.WaitVisible(chromedp.CSS(`main`)))
	wantText(t, ctx, "main", "amount 325.00 → 330.00")
	wantText(t, ctx, "main", "for Acme Telecom Pte Ltd; 325.00 SGD")
}
