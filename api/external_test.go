package api_test

import (
	"strings"
	"testing"
)

// A billing system keeps its own id and notes on invoices and customers: the id is unique in
// the workspace (a second one is a 409 duplicate naming external_id, and writes nothing), lists
// find a record by it, and metadata comes back as it was sent, within its limits.
func TestExternalIDs_InvoicesAndOrganizations(t *testing.T) {
	s := newTestServer(t)
	org := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Billing Pte Ltd", "billing_currency": "SGD",
		"external_id": "cus_001", "metadata": map[string]string{"crm": "A-17"}})
	if org.str("external_id") != "cus_001" || org.JSON["metadata"].(map[string]any)["crm"] != "A-17" {
		t.Fatalf("organization: %s", org.Body)
	}
	plain := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Plain Pte Ltd", "billing_currency": "SGD"})
	if _, ok := plain.JSON["external_id"]; ok || len(plain.JSON["metadata"].(map[string]any)) != 0 {
		t.Fatalf("an organization without them: %s", plain.Body)
	}
	s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Also Plain", "billing_currency": "SGD"}) // many without an id
	expectProblem(t, s.call("POST", "/v1/organizations", map[string]any{"name": "Twin", "billing_currency": "SGD", "external_id": "cus_001"}), 409, "duplicate")

	inv := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "EXT-1", "organization_id": org.str("id"), "total": "50.00",
		"external_id": "in_9001", "metadata": map[string]string{"plan": "pro", "period": "2026-11"}})
	if inv.str("external_id") != "in_9001" || inv.JSON["metadata"].(map[string]any)["period"] != "2026-11" {
		t.Fatalf("invoice: %s", inv.Body)
	}
	s.must(201, "POST", "/v1/invoices", map[string]any{"number": "EXT-2", "organization_id": org.str("id"), "total": "5.00"})
	before := s.booksFingerprint()
	r := s.call("POST", "/v1/invoices", map[string]any{"number": "EXT-3", "organization_id": org.str("id"), "total": "5.00", "external_id": "in_9001"})
	expectProblem(t, r, 409, "duplicate")
	if r.str("field") != "external_id" || s.booksFingerprint() != before {
		t.Fatalf("duplicate external id: field %q, books changed %v: %s", r.str("field"), s.booksFingerprint() != before, r.Body)
	}
	// The same number is still refused naming the number.
	r = s.call("POST", "/v1/invoices", map[string]any{"number": "EXT-1", "organization_id": org.str("id"), "total": "5.00", "external_id": "in_9002"})
	if r.Status != 409 || r.str("field") != "number" {
		t.Fatalf("duplicate number: %d %s", r.Status, r.Body)
	}

	found := s.must(200, "GET", "/v1/invoices?external_id=in_9001", nil).dataList()
	if len(found) != 1 || found[0]["id"] != inv.str("id") {
		t.Fatalf("by external_id: %v", found)
	}
	if got := s.must(200, "GET", "/v1/organizations?external_id=cus_001", nil).dataList(); len(got) != 1 || got[0]["id"] != org.str("id") {
		t.Fatalf("organization by external_id: %v", got)
	}
	if got := s.must(200, "GET", "/v1/invoices?external_id=nope", nil).dataList(); len(got) != 0 {
		t.Fatalf("unknown external_id: %v", got)
	}

	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"metadata": map[string]string{strings.Repeat("k", 41): "v"}}, "metadata." + strings.Repeat("k", 41)},
		{map[string]any{"metadata": map[string]string{"plan": strings.Repeat("v", 501)}}, "metadata.plan"},
		{map[string]any{"external_id": " in_1"}, "external_id"},
	} {
		body := map[string]any{"number": "EXT-BAD", "organization_id": org.str("id"), "total": "5.00"}
		for k, v := range c.body {
			body[k] = v
		}
		r := s.call("POST", "/v1/invoices", body)
		if r.Status != 422 || r.str("field") != c.field {
			t.Errorf("%v: %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	many := map[string]string{}
	for i := range 51 {
		many["k"+strings.Repeat("x", i%30)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	if r := s.call("POST", "/v1/organizations", map[string]any{"name": "Many", "billing_currency": "SGD", "metadata": many}); r.Status != 422 || r.str("field") != "metadata" {
		t.Errorf("51 keys: %d %s", r.Status, r.Body)
	}
}

// Payments carry the payment system's id and notes too: unique, found by it, notes replaced by
// an edit.
func TestExternalIDs_Payments(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Paying Pte Ltd", "SGD")
	p := s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": "12.00", "currency": "SGD", "method": "stripe",
		"external_id": "pi_3N", "metadata": map[string]string{"charge": "ch_1"}})
	if p.str("external_id") != "pi_3N" || p.JSON["metadata"].(map[string]any)["charge"] != "ch_1" {
		t.Fatalf("payment: %s", p.Body)
	}
	r := s.call("POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "stripe", "external_id": "pi_3N"})
	expectProblem(t, r, 409, "duplicate")
	if r.str("field") != "external_id" {
		t.Fatalf("duplicate: %s", r.Body)
	}
	if got := s.must(200, "GET", "/v1/payments?external_id=pi_3N", nil).dataList(); len(got) != 1 || got[0]["id"] != p.str("id") {
		t.Fatalf("by external_id: %v", got)
	}
	edited := s.must(200, "PATCH", "/v1/payments/"+p.str("id"), map[string]any{"metadata": map[string]string{"refund": "none"}})
	if m := edited.JSON["metadata"].(map[string]any); len(m) != 1 || m["refund"] != "none" || edited.str("external_id") != "pi_3N" {
		t.Fatalf("edited: %s", edited.Body)
	}
	mismatches, _, err := s.Svc.ReplayBooks(operator(t.Context(), "ws_default"))
	if err != nil || len(mismatches) != 0 {
		t.Fatalf("replay: %v %v", err, mismatches)
	}
}
