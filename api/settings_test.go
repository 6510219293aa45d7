package api_test

import (
	"testing"
	"time"

	"finapp/webhook"
)

// Every "today" is the workspace's local date: at 20:00 UTC it is already tomorrow in Singapore
// (UTC+8), and at 03:00 UTC still yesterday in New York (UTC−5): a payment recorded without a
// date, an invoice's default issue date, the overdue flag and the aging report follow.
func TestSettings_TodayIsTheWorkspacesLocalDate(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{}, time.Second) // for its clock
	s := w.testServer
	admin := []string{"Authorization", "Bearer " + s.Admin}
	org := s.org("Local Time Pte Ltd", "SGD")
	w.mu.Lock()
	w.now = time.Date(2026, 12, 1, 20, 0, 0, 0, time.UTC) // 2026-12-02 04:00 in Singapore
	w.mu.Unlock()
	if got := s.must(200, "GET", "/v1/settings", nil); got.str("time_zone") != "UTC" || got.str("today") != "2026-12-01" {
		t.Fatalf("default settings: %s", got.Body)
	}
	due := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "TZ-1", "organization_id": org, "total": "10.00", "issued_on": "2026-11-20", "due_on": "2026-12-01"}).str("id")
	if s.must(200, "GET", "/v1/invoices/"+due, nil).JSON["overdue"] != false {
		t.Fatal("due today in UTC, and overdue")
	}

	st := s.must(200, "PUT", "/v1/settings", map[string]any{"time_zone": "Asia/Singapore", "base_currency": "SGD", "fiscal_year_start": "04-01"}, admin...)
	if st.str("today") != "2026-12-02" || st.str("fiscal_year_start") != "04-01" {
		t.Fatalf("Singapore: %s", st.Body)
	}
	p := s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": "5.00", "currency": "SGD", "method": "cash"})
	if p.str("received_on") != "2026-12-02" {
		t.Errorf("a payment keyed at 04:00 in Singapore is received on %s", p.str("received_on"))
	}
	inv := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "TZ-2", "organization_id": org, "total": "10.00"})
	if inv.str("issued_on") != "2026-12-02" {
		t.Errorf("default issue date %s", inv.str("issued_on"))
	}
	if s.must(200, "GET", "/v1/invoices/"+due, nil).JSON["overdue"] != true {
		t.Error("due on the 1st, and not overdue on the 2nd in Singapore")
	}
	if asOf := s.must(200, "GET", "/v1/reports/aging", nil).str("as_of"); asOf != "2026-12-02" {
		t.Errorf("aging as of %s", asOf)
	}

	w.mu.Lock()
	w.now = time.Date(2026, 12, 2, 3, 0, 0, 0, time.UTC) // 2026-12-01 22:00 in New York
	w.mu.Unlock()
	s.must(200, "PUT", "/v1/settings", map[string]any{"time_zone": "America/New_York"}, admin...)
	p = s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": "5.00", "currency": "SGD", "method": "cash"})
	if p.str("received_on") != "2026-12-01" {
		t.Errorf("a payment keyed at 22:00 in New York is received on %s", p.str("received_on"))
	}
	for _, bad := range []map[string]any{{"time_zone": "Mars/Olympus"}, {"time_zone": "UTC", "base_currency": "usd"}, {"time_zone": "UTC", "fiscal_year_start": "02-30"}} {
		if r := s.call("PUT", "/v1/settings", bad, admin...); r.Status != 422 {
			t.Errorf("%v: %d %s", bad, r.Status, r.Body)
		}
	}
	if got := s.must(200, "GET", "/v1/settings", nil).str("time_zone"); got != "America/New_York" {
		t.Errorf("a refused change changed the settings: %s", got)
	}
	expectProblem(t, s.call("PUT", "/v1/settings", map[string]any{"time_zone": "UTC"}), 403, "forbidden")
}
