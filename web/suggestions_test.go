package web_test

import (
	"net/url"
	"strings"
	"testing"

	"finapp"
)

// The Allocation editor (issue 13, item 2): suggestions, each saying why, above a search that
// starts from the customer and never from the payer's hint, so that a hint naming one invoice
// cannot hide the customer's others.
func TestPaymentPage_SuggestionsAndASearchThatIgnoresTheHint(t *testing.T) {
	w := newWorld(t)
	b := w.login(testEmail)
	h := w.harness
	h.invoice(h.acme, "INV-1003", "200.00", finapp.KindStandard)
	h.invoice(h.acme, "INV-1004", "125.00", finapp.KindStandard)

	// Unassigned, quoting INV-1002: it is suggested, for that reason, before any search.
	p, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{Amount: "500.00", Currency: "SGD", Method: "bank_transfer", InvoiceNumber: "INV-1002", Reference: "DBS 1"})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := b.do("GET", "/payments/"+p.ID, nil)
	mustContain(t, "unassigned payment quoting an invoice", body, `id="why-INV-1002"`, "INV-1002 is named in the invoice # the payer quoted", `id="amount-INV-1002" class="amount" inputmode="decimal" value="500.00"`)
	if strings.Contains(body, `id="pick-INV-1001"`) || strings.Contains(body, `id="search-number" value="INV-1002"`) {
		t.Fatalf("the hint was searched for, or other invoices listed before a search:\n%s", body)
	}
	// Searching the customer lists all four of its open invoices, the suggested one marked.
	_, body, _ = b.do("GET", "/payments/"+p.ID+"?"+url.Values{"org": {"Acme"}}.Encode(), nil)
	mustContain(t, "searching the customer", body, `id="pick-INV-1001"`, `id="pick-INV-1002"`, `id="pick-INV-1003"`, `id="pick-INV-1004"`, `id="why-INV-1002"`)
	if strings.Contains(body, "No open invoice") || strings.Contains(body, `id="why-INV-1001"`) {
		t.Fatalf("search of the customer:\n%s", body)
	}

	// Assigned, quoting nothing: the two invoices whose amounts due make exactly the money.
	q, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{OrganizationID: h.acme.ID, Amount: "325.00", Currency: "SGD", Method: "bank_transfer"})
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ = b.do("GET", "/payments/"+q.ID, nil)
	mustContain(t, "assigned payment matching two invoices", body, `id="why-INV-1003"`, `id="why-INV-1004"`, "INV-1003 &#43; INV-1004 together have exactly 325.00 SGD due", `id="pick-INV-1001"`)
}

// The payment's history says what each change did (issue 13, item 8): amounts before and after,
// and customers by name, not ids.
func TestPaymentPage_HistorySaysWhatChanged(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	p := h.pay(h.acme.ID, "70.00", "bank_transfer", "HIST-1")
	amount := "50.00"
	if _, err := h.svc.UpdatePayment(h.ctx, p.ID, 0, finapp.PaymentUpdate{Amount: &amount}); err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.AssignPayment(h.ctx, p.ID, h.boreal.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, body := c.get("/payments/" + p.ID)
	mustContain(t, "the payment's history", body, "for Acme Telecom Pte Ltd; 70.00 SGD", "amount 70.00 → 50.00", "moved from Acme Telecom Pte Ltd to Borealis Cloud")
	if strings.Contains(body, "<span class=\"change\">moved from org_") {
		t.Fatalf("the history names a customer by id:\n%s", body)
	}
	_, body = c.get("/audit?entity=" + p.ID)
	mustContain(t, "the payment's audit trail", body, "amount 70.00 → 50.00", "moved from Acme Telecom Pte Ltd to Borealis Cloud")
}
