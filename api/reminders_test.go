package api_test

import (
	"fmt"
	"testing"
	"time"

	"finapp/webhook"
)

// A reminder is due once per level of days overdue (7, 14, 30 unless the workspace sets its
// own), at the highest level an invoice has reached, only while money is due on it; each is an
// invoice.reminder_due event, and the list shows what became due on a day.
func TestReminders_DueOncePerLevel(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true, AllowPrivate: true}, time.Second) // for its clock
	s := w.testServer
	org := s.org("Late Payer Pte Ltd", "SGD")
	// Today is 2026-12-01.
	late := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "LATE-1", "organization_id": org, "total": "100.00",
		"issued_on": "2026-11-01", "due_on": "2026-11-20"}).str("id") // 11 days overdue
	ancient := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "LATE-2", "organization_id": org, "total": "50.00",
		"issued_on": "2026-09-01", "due_on": "2026-09-15"}).str("id") // 77 days overdue
	paid := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "LATE-3", "organization_id": org, "total": "10.00",
		"issued_on": "2026-09-01", "due_on": "2026-09-15"}).str("id")
	pay := s.payment(org, "10.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(paid, "10.00")})
	s.invoice(org, "ON-TIME", "standard", "20.00") // due today

	run := func() map[string]string {
		got := map[string]string{}
		for _, r := range s.must(200, "POST", "/v1/reminders/run", nil).dataList() {
			got[r["invoice_id"].(string)] = fmt.Sprintf("%v@%v", r["level"], r["days_overdue"])
		}
		return got
	}
	if got := run(); len(got) != 2 || got[late] != "7@11" || got[ancient] != "30@77" {
		t.Fatalf("first run: %v", got)
	}
	if got := run(); len(got) != 0 {
		t.Fatalf("the same day again: %v", got)
	}
	today := s.must(200, "GET", "/v1/reminders?due_on=2026-12-01", nil).dataList()
	if len(today) != 2 || today[0]["amount_due"] == "" || today[0]["invoice_number"] == "" {
		t.Fatalf("due today: %v", today)
	}
	w.advance(3 * 24 * time.Hour) // 14 days overdue
	if got := run(); len(got) != 1 || got[late] != "14@14" {
		t.Fatalf("three days later: %v", got)
	}
	if got := s.must(200, "GET", "/v1/reminders?due_on=2026-12-04", nil).dataList(); len(got) != 1 {
		t.Fatalf("due on the 4th: %v", got)
	}
	events := s.must(200, "GET", "/v1/events?type=invoice.reminder_due", nil).dataList()
	if len(events) != 3 {
		t.Fatalf("%d invoice.reminder_due events, want 3", len(events))
	}

	// The workspace's own levels.
	admin := []string{"Authorization", "Bearer " + s.Admin}
	if got := s.must(200, "GET", "/v1/settings/reminders", nil).JSON["levels"]; fmt.Sprint(got) != "[7 14 30]" {
		t.Fatalf("default levels: %v", got)
	}
	s.must(200, "PUT", "/v1/settings/reminders", map[string]any{"levels": []int{20, 15}}, admin...)
	if got := s.must(200, "GET", "/v1/settings/reminders", nil).JSON["levels"]; fmt.Sprint(got) != "[15 20]" {
		t.Fatalf("levels set: %v", got)
	}
	if r := s.call("PUT", "/v1/settings/reminders", map[string]any{"levels": []int{0}}, admin...); r.Status != 422 || r.str("field") != "levels" {
		t.Fatalf("a level of 0 days: %d %s", r.Status, r.Body)
	}
	w.advance(24 * time.Hour) // LATE-1 15 days overdue: the new level 15 is above the 14 it had
	if got := run(); len(got) != 1 || got[late] != "15@15" {
		t.Fatalf("with levels 15, 20: %v", got)
	}
}
