package api_test

import (
	"fmt"
	"slices"
	"testing"

	"finapp"
)

// No answer grows with history (issue 12): a payment's and an invoice's detail carry only the
// latest finapp.DetailHistoryLimit allocations and top-ups, oldest first, and say that older
// ones exist; their lists page through the whole history by cursor, each entry exactly once.
func TestHistories_DetailIsBoundedAndListsPageEverything(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Hot account", "SGD")
	inv := s.invoice(org, "HOT-1", "standard", "1000.00")
	pay := s.payment(org, "1000.00", "SGD")
	n := finapp.DetailHistoryLimit + 5
	var allocations, topUps []string // in the order made
	for i := range n {
		r := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "1.00")})
		got := r.objectsOf("allocations")
		allocations = append(allocations, got[len(got)-1]["id"].(string))
		if i%2 == 0 {
			// Released ones stay in the history.
			s.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+allocations[i], nil)
		}
	}
	for range finapp.DetailHistoryLimit + 1 {
		topUps = append(topUps, s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "0.01"}).str("id"))
	}
	if !slices.IsSorted(allocations) || len(slices.Compact(slices.Clone(allocations))) != n {
		t.Fatalf("allocation ids not new and increasing: %v", allocations)
	}

	detail := s.fetchPayment(pay)
	if got := idsOf(detail.objectsOf("allocations")); !sameItems(got, allocations[5:]) {
		t.Errorf("payment detail lists allocations %v, want the latest %d oldest first %v", got, finapp.DetailHistoryLimit, allocations[5:])
	}
	if detail.JSON["allocations_has_more"] != true {
		t.Errorf("payment detail: allocations_has_more = %v with %d allocations", detail.JSON["allocations_has_more"], n)
	}
	if got := idsOf(detail.objectsOf("top_ups")); !sameItems(got, topUps[1:]) {
		t.Errorf("payment detail lists top-ups %v, want the latest %d", got, finapp.DetailHistoryLimit)
	}
	if detail.JSON["top_ups_has_more"] != true || detail.JSON["refunds_has_more"] != nil {
		t.Errorf("payment detail: top_ups_has_more %v, refunds_has_more %v", detail.JSON["top_ups_has_more"], detail.JSON["refunds_has_more"])
	}
	invoice := s.fetchInvoice(inv)
	if got := idsOf(invoice.objectsOf("allocations")); !sameItems(got, allocations[5:]) || invoice.JSON["allocations_has_more"] != true {
		t.Errorf("invoice detail lists allocations %v (has more %v), want the latest %d", got, invoice.JSON["allocations_has_more"], finapp.DetailHistoryLimit)
	}

	newestFirst := slices.Clone(allocations)
	slices.Reverse(newestFirst)
	for _, path := range []string{"/v1/payments/" + pay + "/allocations", "/v1/invoices/" + inv + "/allocations"} {
		if got := pageAll(t, s, path, 40); !sameItems(got, newestFirst) {
			t.Errorf("%s paged %d entries %v, want all %d newest first", path, len(got), got, n)
		}
	}
	newestTopUps := slices.Clone(topUps)
	slices.Reverse(newestTopUps)
	if got := pageAll(t, s, "/v1/payments/"+pay+"/top-ups", 30); !sameItems(got, newestTopUps) {
		t.Errorf("top-ups paged %v, want all %d newest first", got, len(topUps))
	}

	// A credit note's applications: the latest in its answer, every one through its list.
	cn := s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": org, "amount": fmt.Sprintf("%d.00", n), "reason": "credit for the year"}).str("id")
	target := s.invoice(org, "HOT-2", "standard", "1000.00")
	var applications []string
	for range n {
		got := s.must(200, "POST", "/v1/credit-notes/"+cn+"/allocations", map[string]any{"allocations": allocLines(target, "1.00")}).objectsOf("applications")
		applications = append(applications, got[len(got)-1]["id"].(string))
	}
	note := s.must(200, "GET", "/v1/credit-notes/"+cn, nil)
	if got := idsOf(note.objectsOf("applications")); !sameItems(got, applications[5:]) || note.JSON["applications_has_more"] != true {
		t.Errorf("credit note lists applications %v (has more %v), want the latest %d", got, note.JSON["applications_has_more"], finapp.DetailHistoryLimit)
	}
	slices.Reverse(applications)
	if got := pageAll(t, s, "/v1/credit-notes/"+cn+"/applications", 45); !sameItems(got, applications) {
		t.Errorf("credit note applications paged %v, want all %d newest first", got, n)
	}

	// A short history is whole, and says nothing of more.
	quiet := s.payment(org, "5.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+quiet+"/allocations", map[string]any{"allocations": allocLines(s.invoice(org, "QUIET-1", "standard", "5.00"), "5.00")})
	q := s.fetchPayment(quiet)
	if len(q.objectsOf("allocations")) != 1 || q.JSON["allocations_has_more"] != nil {
		t.Errorf("a payment with one allocation: %s", q.Body)
	}

	// Bad input names the field; an unknown payment or invoice is not found, not an empty list.
	for _, c := range []struct {
		path        string
		status      int
		code, field string
	}{
		{"/v1/payments/" + pay + "/allocations?limit=501", 422, finapp.EInvalid, "limit"},
		{"/v1/payments/" + pay + "/top-ups?cursor=pay_x", 400, finapp.EInvalid, "cursor"},
		{"/v1/invoices/" + inv + "/allocations?cursor=" + topUps[0], 400, finapp.EInvalid, "cursor"},
		{"/v1/payments/pay_01jd8x0c9v7p8x2k3m4n5q6r7s/allocations", 404, finapp.ENotFound, ""},
		{"/v1/payments/pay_01jd8x0c9v7p8x2k3m4n5q6r7s/top-ups", 404, finapp.ENotFound, ""},
		{"/v1/invoices/inv_01jd8x0c9v7p8x2k3m4n5q6r7s/allocations", 404, finapp.ENotFound, ""},
		{"/v1/credit-notes/cn_01jd8x0c9v7p8x2k3m4n5q6r7s/applications", 404, finapp.ENotFound, ""},
		{"/v1/credit-notes/" + cn + "/applications?cursor=" + allocations[0], 400, finapp.EInvalid, "cursor"},
	} {
		r := s.call("GET", c.path, nil)
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("GET %s: %d %q field %q, want %d %q field %q: %s", c.path, r.Status, r.str("code"), r.str("field"), c.status, c.code, c.field, r.Body)
		}
	}
}

// pageAll follows a list's next_cursor from its first page to its last and returns every id.
func pageAll(t *testing.T, s *testServer, path string, limit int) []string {
	t.Helper()
	var ids []string
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatalf("%s: no last page after 100 pages", path)
		}
		r := s.must(200, "GET", fmt.Sprintf("%s?limit=%d&cursor=%s", path, limit, cursor), nil)
		page := r.ids("id")
		if len(page) > limit {
			t.Fatalf("%s: a page of %d with limit %d", path, len(page), limit)
		}
		ids = append(ids, page...)
		if cursor = r.str("next_cursor"); cursor == "" {
			return ids
		}
	}
}

func idsOf(objects []map[string]any) []string {
	var out []string
	for _, o := range objects {
		out = append(out, o["id"].(string))
	}
	return out
}
