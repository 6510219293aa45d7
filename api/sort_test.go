package api_test

import (
	"fmt"
	"testing"
)

// pageAll reads a list to its end, limit records a page, and returns the values of field in order.
func (s *testServer) pageAll(path, field string, limit int) []string {
	s.t.Helper()
	var out []string
	cursor := ""
	for range 100 {
		r := s.must(200, "GET", fmt.Sprintf("%s&limit=%d&cursor=%s", path, limit, cursor), nil)
		for _, x := range r.dataList() {
			out = append(out, fmt.Sprint(x[field]))
		}
		if cursor = r.str("next_cursor"); cursor == "" {
			return out
		}
	}
	s.t.Fatalf("%s: no end after 100 pages", path)
	return nil
}

// Issue 13 item 3: every list sorts by its columns, both ways, ties broken by id, and pages through
// that order without losing or repeating a record (the cursor is still the last id).
func TestLists_SortByAnyColumnAndPageThroughIt(t *testing.T) {
	s := newTestServer(t)
	acme, zeta := s.org("Acme", "SGD"), s.org("Zeta", "SGD")
	s.org("Mid", "SGD")
	// Received dates out of keying order, with ties; amounts with ties.
	for i, p := range []struct{ on, amount string }{
		{"2026-03-05", "10.00"}, {"2026-01-20", "250.00"}, {"2026-03-05", "10.00"}, {"2026-02-11", "5.00"}, {"2026-01-20", "99.99"},
	} {
		s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": acme, "amount": p.amount, "currency": "SGD", "method": "cash",
			"received_on": p.on, "reference": fmt.Sprintf("P%d", i)})
	}
	for _, tc := range []struct {
		sort, field string
		want        string
	}{
		{"-received_on", "reference", "[P2 P0 P3 P4 P1]"},
		{"received_on", "reference", "[P1 P4 P3 P0 P2]"},
		{"amount", "reference", "[P3 P0 P2 P4 P1]"},
		{"-amount", "reference", "[P1 P4 P2 P0 P3]"},
		{"-created", "reference", "[P4 P3 P2 P1 P0]"},
		{"created", "reference", "[P0 P1 P2 P3 P4]"},
	} {
		for _, limit := range []int{1, 2, 500} {
			if got := fmt.Sprint(s.pageAll("/v1/payments?sort="+tc.sort, tc.field, limit)); got != tc.want {
				t.Errorf("payments sort=%s limit %d: %s, want %s", tc.sort, limit, got, tc.want)
			}
		}
	}
	// Filters and sorts combine.
	if got := fmt.Sprint(s.pageAll("/v1/payments?sort=-received_on&received_from=2026-02-01", "reference", 1)); got != "[P2 P0 P3]" {
		t.Errorf("payments received from February, newest first: %s", got)
	}

	for i, inv := range []struct{ due, total string }{{"2026-05-01", "30.00"}, {"2026-04-01", "10.00"}, {"2026-06-01", "20.00"}} {
		s.invoice(zeta, fmt.Sprintf("Z-%d", 3-i), "standard", inv.total, "issued_on", "2026-03-01", "due_on", inv.due)
	}
	for _, tc := range []struct{ sort, want string }{
		{"due_on", "[Z-2 Z-3 Z-1]"}, {"-due_on", "[Z-1 Z-3 Z-2]"}, {"total", "[Z-2 Z-1 Z-3]"}, {"number", "[Z-1 Z-2 Z-3]"}, {"-number", "[Z-3 Z-2 Z-1]"},
	} {
		if got := fmt.Sprint(s.pageAll("/v1/invoices?organization_id="+zeta+"&sort="+tc.sort, "number", 1)); got != tc.want {
			t.Errorf("invoices sort=%s: %s, want %s", tc.sort, got, tc.want)
		}
	}
	if got := fmt.Sprint(s.pageAll("/v1/organizations?sort=name", "name", 2)); got != "[Acme Mid Zeta]" {
		t.Errorf("organizations by name: %s", got)
	}
	if got := fmt.Sprint(s.pageAll("/v1/organizations?sort=-name", "name", 1)); got != "[Zeta Mid Acme]" {
		t.Errorf("organizations by name, descending: %s", got)
	}

	// An unknown key is a 422 naming sort, on every list.
	for _, path := range []string{"/v1/payments?sort=colour", "/v1/invoices?sort=-received_on", "/v1/organizations?sort=amount"} {
		r := s.call("GET", path, nil)
		expectProblem(t, r, 422, "validation_error")
		if r.str("field") != "sort" {
			t.Errorf("%s: field %q, want sort: %s", path, r.str("field"), r.Body)
		}
	}
}
