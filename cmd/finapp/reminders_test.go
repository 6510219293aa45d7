package main

import (
	"testing"
	"time"
)

// serve finds the reminders that became due without being asked: an invoice long overdue when
// the server starts has its reminder listed, with its event, and verify still passes.
func TestServe_FindsRemindersDue(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := drillDB(t, bin)
	token := createToken(t, bin, db)
	call := jsonCaller(t, token)
	srv, url := startServer(t, bin, db)
	org := call(url, "POST", "/v1/organizations", `{"name":"Overdue Pte Ltd","billing_currency":"SGD"}`)["id"].(string)
	call(url, "POST", "/v1/invoices", `{"number":"OLD-1","organization_id":"`+org+`","total":"75.00","issued_on":"2020-01-01","due_on":"2020-01-31"}`)
	stopServer(t, srv)

	srv, url = startServer(t, bin, db)
	waitUntil(t, 10*time.Second, "the reminder found by serve", func() bool {
		return len(call(url, "GET", "/v1/reminders", "")["data"].([]any)) == 1
	})
	r := call(url, "GET", "/v1/reminders", "")["data"].([]any)[0].(map[string]any)
	if r["level"] != float64(30) || r["invoice_number"] != "OLD-1" || r["amount_due"] != "75.00" {
		t.Fatalf("reminder: %v", r)
	}
	if events := call(url, "GET", "/v1/events?type=invoice.reminder_due", "")["data"].([]any); len(events) != 1 {
		t.Fatalf("%d invoice.reminder_due events", len(events))
	}
	stopServer(t, srv)
	verifyBooks(t, bin, db)
}
