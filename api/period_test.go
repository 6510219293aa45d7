package api_test

import (
	"strings"
	"sync"
	"testing"
	"time"
)

// Period close (issue 19): a test closes October, keeps working in November, and gets October's
// aging, receipts and customer statements byte for byte as they were at close, and hledger's
// balances through October too; every change that would post into October is refused
// period_closed; reopening, with a reason, lets it through again.
func TestPeriodClose_OctoberStaysAsItWasAtClose(t *testing.T) {
	s := newTestServer(t)
	var mu sync.Mutex
	clock := time.Date(2026, 10, 5, 9, 0, 0, 0, time.UTC)
	s.Svc.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return clock }
	at := func(day string) {
		mu.Lock()
		defer mu.Unlock()
		d, err := time.Parse("2006-01-02", day)
		if err != nil {
			t.Fatal(err)
		}
		clock = d.Add(9 * time.Hour)
	}
	admin := []string{"Authorization", "Bearer " + s.Admin}

	// October's books.
	acme, globex := s.org("Acme", "SGD"), s.org("Globex", "SGD")
	a1 := s.invoice(acme, "A-1", "standard", "100.00", "issued_on", "2026-10-01", "due_on", "2026-10-15")
	a2 := s.invoice(acme, "A-2", "standard", "200.00", "issued_on", "2026-10-02", "due_on", "2026-10-31")
	g1 := s.invoice(globex, "G-1", "standard", "50.00", "issued_on", "2026-10-03", "due_on", "2026-11-15")
	a3 := s.invoice(acme, "A-3", "standard", "80.00", "issued_on", "2026-10-04", "due_on", "2026-10-20")
	pay := func(org, amount, received, method string) string {
		body := map[string]any{"amount": amount, "currency": "SGD", "method": method, "reference": "REF " + received, "received_on": received}
		if org != "" {
			body["organization_id"] = org
		}
		return s.must(201, "POST", "/v1/payments", body).str("id")
	}
	p1 := pay(acme, "150.00", "2026-10-05", "bank_transfer")
	s.must(200, "POST", "/v1/payments/"+p1+"/allocations", map[string]any{"allocations": allocLines(a1, "100.00", a2, "30.00")})
	at("2026-10-06")
	p2 := pay(globex, "50.00", "2026-10-06", "cash")
	p3 := pay("", "25.00", "2026-10-07", "cheque")
	at("2026-10-20")
	g1alloc := activeAllocations(s.must(200, "POST", "/v1/payments/"+p2+"/allocations", map[string]any{"allocations": allocLines(g1, "50.00")}))
	s.must(200, "DELETE", "/v1/payments/"+p2+"/allocations/"+g1alloc[0], nil)

	// Close October on 2 November.
	at("2026-11-02")
	r := s.must(200, "POST", "/v1/periods/close", map[string]any{"through": "2026-10-31"}, admin...)
	if r.str("lock_date") != "2026-10-31" || s.must(200, "GET", "/v1/periods", nil).str("lock_date") != "2026-10-31" {
		t.Fatalf("close: %s", r.Body)
	}
	reports := []string{
		"/v1/reports/aging?as_of=2026-10-31", "/v1/reports/aging?as_of=2026-10-31&format=csv",
		"/v1/reports/receipts?from=2026-10-01&to=2026-10-31", "/v1/reports/receipts?from=2026-10-01&to=2026-10-31&group_by=method",
		"/v1/reports/receipts?from=2026-10-01&to=2026-10-31&format=csv",
		"/v1/organizations/" + acme + "/statement?from=2026-10-01&to=2026-10-31", "/v1/organizations/" + globex + "/statement?to=2026-10-31",
		"/v1/organizations/" + acme + "/statement?from=2026-10-01&to=2026-10-31&format=csv",
	}
	atClose := map[string]string{}
	for _, path := range reports {
		atClose[path] = string(s.must(200, "GET", path, nil).Body)
	}
	hledger := needTool(t, "hledger")
	octFile, _ := exportTo(t, s, "?to=2026-10-31", "october.journal")
	balancesAtClose := run(t, hledger, "-f", octFile, "bal", "--flat", "-O", "csv")

	// November: whatever would post into October is refused, naming the lock date.
	at("2026-11-05")
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/payments", map[string]any{"amount": "10.00", "currency": "SGD", "method": "cash", "reference": "late", "received_on": "2026-10-31"}},
		{"PATCH", "/v1/payments/" + p1, map[string]any{"reference": "typo"}},
		{"DELETE", "/v1/payments/" + p1, nil},
		{"PUT", "/v1/payments/" + p3 + "/assignment", map[string]any{"organization_id": acme}},
		{"DELETE", "/v1/payments/" + p2 + "/assignment", nil},
		{"POST", "/v1/payments/" + p3 + "/allocations", map[string]any{"organization_id": acme, "allocations": allocLines(a2, "25.00")}},
		{"POST", "/v1/invoices", map[string]any{"organization_id": acme, "number": "A-LATE", "total": "5.00", "issued_on": "2026-10-30"}},
		{"PATCH", "/v1/invoices/" + a2, map[string]any{"due_on": "2026-11-30"}},
		{"PATCH", "/v1/invoices/" + a3, map[string]any{"total": "90.00"}},
		{"PATCH", "/v1/invoices/" + a3, map[string]any{"issued_on": "2026-10-10"}},
	} {
		r := s.call(c.method, c.path, c.body)
		if r.Status != 409 || r.str("code") != "period_closed" || !strings.Contains(r.str("detail"), "locked through 2026-10-31") {
			t.Errorf("%s %s in a closed period: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	r = s.call("POST", "/v1/invoices/batch", map[string]any{"invoices": []map[string]any{
		{"external_id": "late-1", "organization_id": acme, "number": "A-LATE-2", "total": "5.00", "issued_on": "2026-10-15"}}})
	if r.Status < 400 || !strings.Contains(string(r.Body), "period_closed") {
		t.Errorf("a batch issuing into October: %d %s", r.Status, r.Body)
	}

	// ... and corrections post in November with their own date.
	s.must(200, "PATCH", "/v1/invoices/"+a2, map[string]any{"metadata": map[string]string{"note": "customer asked for a copy"}})
	s.must(200, "POST", "/v1/payments/"+p1+"/allocations", map[string]any{"allocations": allocLines(a2, "20.00")})
	a1alloc := ""
	for _, a := range s.must(200, "GET", "/v1/payments/"+p1, nil).JSON["allocations"].([]any) {
		if m := a.(map[string]any); m["invoice_id"] == a1 && m["released_at"] == nil {
			a1alloc = m["id"].(string)
		}
	}
	s.must(200, "DELETE", "/v1/payments/"+p1+"/allocations/"+a1alloc, nil)
	s.must(200, "POST", "/v1/invoices/"+a3+"/void", nil)
	p4 := pay(acme, "120.00", "2026-11-03", "bank_transfer")
	s.must(200, "POST", "/v1/payments/"+p4+"/allocations", map[string]any{"allocations": allocLines(a1, "100.00", a2, "20.00")})
	s.invoice(globex, "G-2", "standard", "75.00", "issued_on", "2026-11-04")
	s.must(201, "POST", "/v1/payments/"+p2+"/top-ups", map[string]any{"amount": "50.00"})

	at("2026-11-06")
	for _, path := range reports {
		if got := string(s.must(200, "GET", path, nil).Body); got != atClose[path] {
			t.Errorf("%s changed after the close:\nat close: %s\nnow:      %s", path, atClose[path], got)
		}
	}
	octFile, _ = exportTo(t, s, "?to=2026-10-31", "october-again.journal")
	if got := run(t, hledger, "-f", octFile, "bal", "--flat", "-O", "csv"); got != balancesAtClose {
		t.Errorf("hledger's balances through October changed after the close:\nat close:\n%s\nnow:\n%s", balancesAtClose, got)
	}
	// November's own receipts did change: the books did not stop.
	if nov := s.must(200, "GET", "/v1/reports/receipts?from=2026-11-01&to=2026-11-30", nil); !strings.Contains(string(nov.Body), "120.00") {
		t.Errorf("November's receipts: %s", nov.Body)
	}

	// Bad input changes nothing.
	for _, c := range []struct {
		path string
		body map[string]any
		says string
	}{
		{"/v1/periods/close", map[string]any{"through": "2026-11-30"}, "after today"},
		{"/v1/periods/close", map[string]any{"through": "2026-10-15"}, "before the lock date 2026-10-31"},
		{"/v1/periods/close", map[string]any{"through": "2026-02-30"}, "through"},
		{"/v1/periods/reopen", map[string]any{"through": "2026-10-15", "reason": " "}, "reason"},
		{"/v1/periods/reopen", map[string]any{"through": "2026-11-01", "reason": "oops"}, "not before the lock date"},
	} {
		r := s.call("POST", c.path, c.body, admin...)
		if r.Status != 422 || !strings.Contains(string(r.Body), c.says) {
			t.Errorf("POST %s %v: %d %s, want 422 saying %q", c.path, c.body, r.Status, r.Body, c.says)
		}
	}
	if got := s.must(200, "GET", "/v1/periods", nil).str("lock_date"); got != "2026-10-31" {
		t.Fatalf("lock date after refused changes: %q", got)
	}
	// Closing through the lock date again changes nothing; reopening moves it back, audited.
	s.must(200, "POST", "/v1/periods/close", map[string]any{"through": "2026-10-31"}, admin...)
	r = s.must(200, "POST", "/v1/periods/reopen", map[string]any{"through": "2026-10-15", "reason": "a bank fee of 20 Oct was missed"}, admin...)
	if r.str("lock_date") != "2026-10-15" {
		t.Fatalf("reopen: %s", r.Body)
	}
	pay("", "1.50", "2026-10-20", "other")
	audit := string(s.must(200, "GET", "/v1/audit?limit=500", nil).Body)
	for _, want := range []string{"period.closed", "period.reopened", "a bank fee of 20 Oct was missed"} {
		if !strings.Contains(audit, want) {
			t.Errorf("the audit trail has no %q", want)
		}
	}
	if n := strings.Count(audit, `"period.closed"`); n != 1 {
		t.Errorf("%d period.closed events, want 1 (closing again through the same day is no change)", n)
	}
	// Closing through today itself stops what posts today: allocating, releasing, topping up, voiding.
	s.must(200, "POST", "/v1/periods/close", map[string]any{"through": "2026-11-06"}, admin...)
	g2 := s.invoice(globex, "G-3", "standard", "5.00", "issued_on", "2026-11-07")
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/payments/" + p4 + "/allocations", map[string]any{"allocations": allocLines(a2, "1.00")}},
		{"DELETE", "/v1/payments/" + p4 + "/allocations/" + activeAllocations(s.must(200, "GET", "/v1/payments/"+p4, nil))[0], nil},
		{"POST", "/v1/invoices/" + g2 + "/void", nil},
		{"POST", "/v1/payments/" + p4 + "/refunds", map[string]any{"amount": "1.00", "reason": "overpaid"}},
	} {
		r := s.call(c.method, c.path, c.body)
		if r.Status != 409 || r.str("code") != "period_closed" || !strings.Contains(r.str("detail"), "posts today (2026-11-06)") {
			t.Errorf("%s %s on a closed today: %d %s", c.method, c.path, r.Status, r.Body)
		}
	}
	s.must(200, "POST", "/v1/periods/reopen", map[string]any{"reason": "all open again"}, admin...)
	if got := s.must(200, "GET", "/v1/periods", nil).str("lock_date"); got != "" {
		t.Fatalf("lock date after reopening all: %q", got)
	}
}
