package api_test

import "testing"

func TestAssignAndAllocate_ProvisionsTopUpInvoiceAndShowsBalances(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	std := s.invoice(org, "INV-1", "standard", "100.00")
	top := s.invoice(org, "TU-1", "top_up", "50.00")
	pay := s.payment("", "200.00", "SGD")

	r := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{
		"organization_id": org,
		"allocations":     []map[string]any{{"invoice_id": std, "amount": "60.00"}, {"invoice_id": top, "amount": "50.00"}},
	})
	if r.str("status") != "partially_allocated" || r.str("unallocated") != "90.00" || r.JSON["assignment_changes_left"].(float64) != 4 {
		t.Fatalf("payment after allocation: %s", r.Body)
	}
	if st := s.must(200, "GET", "/v1/invoices/"+std, nil).str("status"); st != "partially_paid" {
		t.Fatalf("standard invoice status %q", st)
	}
	if st := s.must(200, "GET", "/v1/invoices/"+top, nil).str("status"); st != "provisioned" {
		t.Fatalf("top-up invoice status %q", st)
	}
	o := s.must(200, "GET", "/v1/organizations/"+org, nil)
	credit := o.JSON["credit_balance"].([]any)
	if len(credit) != 1 || credit[0].(map[string]any)["amount"] != "50.00" {
		t.Fatalf("credit balance: %s", o.Body)
	}
}
