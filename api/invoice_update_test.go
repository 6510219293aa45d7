package api_test

import (
	"testing"
)

// PATCH /v1/invoices/{id}: with no money on the invoice everything but its currency may be
// corrected, a new total posted as an adjusting entry (the journal and the balances follow, the
// first entry stays); with money on it only due_on and metadata; a stale If-Match is 412; a void
// invoice changes no more; each correction is an invoice.updated event.
func TestInvoiceUpdate_Rules(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Correct Pte Ltd", "SGD")
	inv := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "COR-1", "organization_id": org, "total": "100.00",
		"issued_on": "2026-11-01", "due_on": "2026-11-30"})
	id := inv.str("id")
	entriesOf := func() (n int, adjusted int) {
		list, err := s.Svc.Journal(operator(t.Context(), "ws_default"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			if e.EntityID == id {
				n++
				if e.Operation == "invoice.adjusted" {
					adjusted++
				}
			}
		}
		return n, adjusted
	}
	journalBefore, _ := entriesOf()

	r := s.must(200, "PATCH", "/v1/invoices/"+id, map[string]any{"number": "COR-1A", "total": "120.00", "kind": "proforma",
		"due_on": "2026-12-15", "external_id": "in_cor", "metadata": map[string]string{"reason": "price change"}}, "If-Match", `"1"`)
	if r.str("number") != "COR-1A" || r.str("total") != "120.00" || r.str("kind") != "proforma" || r.str("due_on") != "2026-12-15" ||
		r.str("external_id") != "in_cor" || r.Header.Get("ETag") != `"2"` {
		t.Fatalf("corrected: %s %q", r.Body, r.Header.Get("ETag"))
	}
	outstanding := s.must(200, "GET", "/v1/organizations/"+org, nil).JSON["outstanding"].([]any)
	if len(outstanding) != 1 || outstanding[0].(map[string]any)["amount"] != "120.00" {
		t.Fatalf("outstanding after the correction: %v", outstanding)
	}
	if after, adjusted := entriesOf(); after != journalBefore+1 || adjusted != 1 {
		t.Fatalf("journal entries of the invoice %d (%d adjusting), want %d: the issue stays and one adjusting entry is added", after, adjusted, journalBefore+1)
	}
	expectProblem(t, s.call("PATCH", "/v1/invoices/"+id, map[string]any{"total": "1.00"}, "If-Match", `"1"`), 412, "version_conflict")
	r = s.call("PATCH", "/v1/invoices/"+id, map[string]any{"due_on": "2026-10-01"})
	if r.Status != 422 || r.str("field") != "due_on" {
		t.Fatalf("due before issue: %d %s", r.Status, r.Body)
	}

	// Money on it: only due_on and metadata.
	pay := s.payment(org, "50.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(id, "50.00")})
	before := s.booksFingerprint()
	for field, value := range map[string]any{"total": "200.00", "number": "COR-2", "kind": "standard", "issued_on": "2026-11-02", "external_id": "in_other"} {
		r := s.call("PATCH", "/v1/invoices/"+id, map[string]any{field: value})
		expectProblem(t, r, 409, "invoice_has_payments")
		if r.str("field") != field {
			t.Errorf("%s: field %q", field, r.str("field"))
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused correction changed the books")
	}
	r = s.must(200, "PATCH", "/v1/invoices/"+id, map[string]any{"due_on": "2027-01-31", "metadata": map[string]string{}, "total": "120.00"})
	if r.str("due_on") != "2027-01-31" || len(r.JSON["metadata"].(map[string]any)) != 0 || r.str("amount_paid") != "50.00" {
		t.Fatalf("due date and metadata with money on it (the same total is no change): %s", r.Body)
	}

	free := s.invoice(org, "COR-VOID", "standard", "10.00")
	s.must(200, "POST", "/v1/invoices/"+free+"/void", nil)
	expectProblem(t, s.call("PATCH", "/v1/invoices/"+free, map[string]any{"due_on": "2027-01-31"}), 409, "invoice_void")

	events := s.must(200, "GET", "/v1/events?type=invoice.updated", nil).dataList()
	if len(events) != 2 {
		t.Fatalf("%d invoice.updated events, want 2", len(events))
	}
	// The trail replays to the books: the adjusting entry is what the correction says.
	mismatches, _, err := s.Svc.ReplayBooks(operator(t.Context(), "ws_default"))
	if err != nil || len(mismatches) != 0 {
		t.Fatalf("replay: %v %v", err, mismatches)
	}
}
