package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"finapp"
)

// Amounts are keyed as banks print them: "12,500.00" is 12500.00; a comma that is not grouping
// ("12,50") and over-precision are still refused, next to the field.
func TestForms_AcceptGroupedAmounts(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	status, body := c.post("/payments", csrf, url.Values{"amount": {"12,500.00"}, "currency": {"SGD"}, "method": {"bank_transfer"}, "reference": {"GROUPED"}})
	if status != http.StatusOK {
		t.Fatalf("record 12,500.00: %d\n%.500s", status, body)
	}
	list, _, err := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{Q: "GROUPED"})
	if err != nil || len(list) != 1 || list[0].Amount != 1_250_000 {
		t.Fatalf("recorded: %v %+v", err, list)
	}
	for _, bad := range []string{"12,50", "12,500.001"} {
		status, body := c.post("/payments", csrf, url.Values{"amount": {bad}, "currency": {"SGD"}, "method": {"cash"}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="amount-error"`) {
			t.Errorf("%s: %d, want 422 next to the amount", bad, status)
		}
	}
	org := h.org("Grouped Pte Ltd", "SGD")
	status, _ = c.post("/invoices", csrf, url.Values{"organization_id": {org.ID}, "number": {"GRP-1"}, "kind": {"standard"}, "total": {"1,000.00"}})
	if status != http.StatusOK {
		t.Fatalf("invoice of 1,000.00: %d", status)
	}
	invs, _, _ := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Number: "GRP-1"})
	if len(invs) != 1 || invs[0].Total != 100_000 {
		t.Fatalf("invoice: %+v", invs)
	}
}
