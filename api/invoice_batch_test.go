package api_test

import (
	"fmt"
	"testing"
)

// POST /v1/invoices/batch upserts by external_id all or nothing: a first batch issues, the same
// batch again changes nothing, a corrected one corrects; one bad item refuses the batch with
// every bad item named by index and nothing written.
func TestInvoiceBatch_UpsertAllOrNothing(t *testing.T) {
	s := newTestServer(t)
	org := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Batch Pte Ltd", "billing_currency": "SGD", "external_id": "cus_b"})
	item := func(n int, total string) map[string]any {
		return map[string]any{"external_id": fmt.Sprintf("in_%d", n), "organization_external_id": "cus_b", "number": fmt.Sprintf("B-%d", n),
			"total": total, "issued_on": "2026-11-01", "due_on": "2026-11-30", "metadata": map[string]string{"run": "2026-11"}}
	}
	batch := []map[string]any{item(1, "10.00"), item(2, "20.00"), item(3, "30.00")}
	outcomes := func(r *response) []string {
		var out []string
		for _, d := range r.dataList() {
			out = append(out, d["outcome"].(string))
		}
		return out
	}
	r := s.must(200, "POST", "/v1/invoices/batch", map[string]any{"invoices": batch})
	if got := fmt.Sprint(outcomes(r)); got != "[created created created]" {
		t.Fatalf("first batch: %s", r.Body)
	}
	if inv := r.dataList()[1]["invoice"].(map[string]any); inv["organization_id"] != org.str("id") || inv["total"] != "20.00" || inv["external_id"] != "in_2" {
		t.Fatalf("issued: %v", inv)
	}
	before := s.booksFingerprint()
	events := len(s.must(200, "GET", "/v1/events?limit=500", nil).dataList())
	if got := fmt.Sprint(outcomes(s.must(200, "POST", "/v1/invoices/batch", map[string]any{"invoices": batch}))); got != "[unchanged unchanged unchanged]" {
		t.Fatalf("the same batch again: %s", got)
	}
	if s.booksFingerprint() != before || len(s.must(200, "GET", "/v1/events?limit=500", nil).dataList()) != events {
		t.Fatal("the same batch again changed the books or wrote events")
	}
	batch[1] = item(2, "25.00")
	batch = append(batch, item(4, "40.00"))
	if got := fmt.Sprint(outcomes(s.must(200, "POST", "/v1/invoices/batch", map[string]any{"invoices": batch}))); got != "[unchanged updated unchanged created]" {
		t.Fatalf("a corrected batch: %s", got)
	}
	if got := s.must(200, "GET", "/v1/invoices?external_id=in_2", nil).dataList(); len(got) != 1 || got[0]["total"] != "25.00" || got[0]["version"] != float64(2) {
		t.Fatalf("corrected invoice: %v", got)
	}

	// All or nothing, every bad item named.
	before = s.booksFingerprint()
	bad := []map[string]any{item(5, "50.00"), item(6, "0.00"), item(5, "50.00"), {"external_id": "in_7", "number": "B-7", "total": "7.00"},
		item(8, "80.00")}
	bad[4]["number"] = "B-1"
	r = s.call("POST", "/v1/invoices/batch", map[string]any{"invoices": bad})
	if r.Status != 422 || r.str("field") != "invoices[1].total" {
		t.Fatalf("bad batch: %d %s", r.Status, r.Body)
	}
	var named []string
	for _, e := range r.JSON["errors"].([]any) {
		named = append(named, e.(map[string]any)["location"].(string))
	}
	if got := fmt.Sprint(named); got != "[body.invoices[1].total body.invoices[2].external_id body.invoices[3].organization_id body.invoices[4].number]" {
		t.Fatalf("named: %s\n%s", got, r.Body)
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused batch wrote something")
	}
	// Money on an invoice: the batch may move its due date, not its total.
	pay := s.payment(org.str("id"), "10.00", "SGD")
	inv1 := s.must(200, "GET", "/v1/invoices?external_id=in_1", nil).dataList()[0]["id"].(string)
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv1, "10.00")})
	r = s.call("POST", "/v1/invoices/batch", map[string]any{"invoices": []map[string]any{item(1, "11.00")}})
	if r.Status != 409 || r.str("code") != "invoice_has_payments" || r.str("field") != "invoices[0].total" {
		t.Fatalf("total of a paid invoice: %d %s", r.Status, r.Body)
	}
	moved := item(1, "10.00")
	moved["due_on"] = "2026-12-31"
	if got := fmt.Sprint(outcomes(s.must(200, "POST", "/v1/invoices/batch", map[string]any{"invoices": []map[string]any{moved}}))); got != "[updated]" {
		t.Fatalf("due date of a paid invoice: %s", got)
	}
	tooMany := make([]map[string]any, 1001)
	for i := range tooMany {
		tooMany[i] = item(100+i, "1.00")
	}
	if r := s.call("POST", "/v1/invoices/batch", map[string]any{"invoices": tooMany}); r.Status != 422 || r.str("field") != "invoices" {
		t.Fatalf("1,001 invoices: %d %.300s", r.Status, r.Body)
	}
	mismatches, _, err := s.Svc.ReplayBooks(operator(t.Context(), "ws_default"))
	if err != nil || len(mismatches) != 0 {
		t.Fatalf("replay: %v %v", err, mismatches)
	}
}

// POST /v1/organizations/batch upserts customers by external_id the same way.
func TestOrganizationBatch_UpsertAllOrNothing(t *testing.T) {
	s := newTestServer(t)
	outcomes := func(r *response) string {
		var out []string
		for _, d := range r.dataList() {
			out = append(out, d["outcome"].(string))
		}
		return fmt.Sprint(out)
	}
	batch := []map[string]any{
		{"external_id": "cus_1", "name": "Umbrella", "billing_currency": "SGD", "metadata": map[string]string{"segment": "smb"}},
		{"external_id": "cus_2", "name": "Hooli", "billing_currency": "USD"},
	}
	r := s.must(200, "POST", "/v1/organizations/batch", map[string]any{"organizations": batch})
	if got := outcomes(r); got != "[created created]" {
		t.Fatalf("first batch: %s", r.Body)
	}
	if got := outcomes(s.must(200, "POST", "/v1/organizations/batch", map[string]any{"organizations": batch})); got != "[unchanged unchanged]" {
		t.Fatalf("the same batch again: %s", got)
	}
	r = s.must(200, "POST", "/v1/organizations/batch", map[string]any{"organizations": []map[string]any{{"external_id": "cus_1", "name": "Umbrella Corp"}}})
	if got := outcomes(r); got != "[updated]" {
		t.Fatalf("a correction: %s", r.Body)
	}
	if o := s.must(200, "GET", "/v1/organizations?external_id=cus_1", nil).dataList(); len(o) != 1 || o[0]["name"] != "Umbrella Corp" ||
		o[0]["billing_currency"] != "SGD" || o[0]["metadata"].(map[string]any)["segment"] != "smb" {
		t.Fatalf("corrected: %v", o)
	}
	before := s.booksFingerprint()
	r = s.call("POST", "/v1/organizations/batch", map[string]any{"organizations": []map[string]any{
		{"external_id": "cus_3", "name": "Initech"}, {"external_id": "cus_4", "name": "Vandelay", "billing_currency": "EUR"}, {"external_id": "cus_4", "name": "Again", "billing_currency": "EUR"}}})
	if r.Status != 422 || r.str("field") != "organizations[0].billing_currency" {
		t.Fatalf("bad batch: %d %s", r.Status, r.Body)
	}
	if n := len(r.JSON["errors"].([]any)); n != 2 {
		t.Fatalf("%d errors, want the missing currency and the second cus_4: %s", n, r.Body)
	}
	if s.booksFingerprint() != before || len(s.must(200, "GET", "/v1/organizations?external_id=cus_4", nil).dataList()) != 0 {
		t.Fatal("a refused batch wrote something")
	}
}
