package api_test

import (
	"strings"
	"testing"
)

// Suggestions (issue 13, item 2): the invoices a payment probably pays, from the words the payer
// wrote and from the customer's open invoices whose amounts due make exactly the money, each with
// its evidence and the amount to apply; accepting them is one allocation request.
func TestSuggestions_NamedInvoicesThenExactAmounts(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme", "SGD")
	other := s.org("Other", "SGD")
	i1 := s.invoice(acme, "INV-1001", "standard", "300.00")
	i2 := s.invoice(acme, "INV-1002", "standard", "500.00")
	s.invoice(acme, "INV-1003", "standard", "200.00")
	s.invoice(other, "INV-9001", "standard", "800.00")

	summary := func(payID string) string {
		var out []string
		for _, sg := range s.must(200, "GET", "/v1/payments/"+payID+"/suggestions", nil).dataList() {
			var kinds []string
			for _, e := range sg["evidence"].([]any) {
				kinds = append(kinds, e.(map[string]any)["kind"].(string))
			}
			out = append(out, sg["invoice_number"].(string)+" "+sg["amount"].(string)+" "+strings.Join(kinds, "+"))
		}
		return strings.Join(out, ", ")
	}
	// The payer quoted two invoices, one of them in lower case, and the money is exactly both.
	named := s.paymentWith(acme, "800.00", "SGD", "invoice_number", "inv-1001 / INV-1002")
	if got := summary(named); got != "INV-1001 300.00 invoice_number_in_text+amount_equals_invoice_set, INV-1002 500.00 invoice_number_in_text+amount_equals_invoice_set" {
		t.Fatalf("suggestions for a payment quoting two invoices: %s", got)
	}
	// Nothing quoted: the customer's invoice with exactly the money due.
	if got := summary(s.paymentWith(acme, "200.00", "SGD")); got != "INV-1003 200.00 amount_equals_invoice" {
		t.Fatalf("suggestions by amount: %s", got)
	}
	// An unassigned payment: the invoice its reference names, whoever's it is; never a guess by amount.
	if got := summary(s.paymentWith("", "800.00", "SGD", "reference", "PAYMENT INV-9001")); got != "INV-9001 800.00 invoice_number_in_text" {
		t.Fatalf("suggestions for an unassigned payment: %s", got)
	}
	if got := summary(s.paymentWith(acme, "1.00", "SGD")); got != "" {
		t.Fatalf("suggestions when nothing fits: %s", got)
	}
	expectProblem(t, s.call("GET", "/v1/payments/pay_01jd8x0c9v7p8x2k3m4n5q6r7s/suggestions", nil), 404, "not_found")

	// Accepting them is the allocation request they describe; then nothing is left to suggest.
	s.must(200, "POST", "/v1/payments/"+named+"/allocations", map[string]any{"allocations": allocLines(i1, "300.00", i2, "500.00")})
	if got := summary(named); got != "" {
		t.Fatalf("suggestions after allocating everything: %s", got)
	}
}
