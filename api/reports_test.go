package api_test

import (
	"testing"
	"time"
)

func TestAgingReport_BucketsAmountsDueByDaysPastDue(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Aging Co", "SGD")
	today := time.Now().UTC()
	day := func(d int) string { return today.AddDate(0, 0, d).Format("2006-01-02") }
	s.invoice(org, "A-CUR", "standard", "10.00", "issued_on", day(-1), "due_on", day(5))
	s.invoice(org, "A-15", "standard", "20.00", "issued_on", day(-40), "due_on", day(-15))
	s.invoice(org, "A-45", "standard", "30.00", "issued_on", day(-60), "due_on", day(-45))
	paid := s.invoice(org, "A-100", "standard", "40.00", "issued_on", day(-120), "due_on", day(-100))
	pay := s.payment(org, "15.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": []map[string]any{{"invoice_id": paid, "amount": "15.00"}}})

	r := s.must(200, "GET", "/v1/reports/aging", nil)
	totals := r.JSON["totals"].([]any)
	if len(totals) != 1 {
		t.Fatalf("totals: %s", r.Body)
	}
	b := totals[0].(map[string]any)["buckets"].(map[string]any)
	want := map[string]string{"current": "10.00", "1_30": "20.00", "31_60": "30.00", "61_90": "0.00", "over_90": "25.00"}
	for k, v := range want {
		if b[k] != v {
			t.Errorf("bucket %s = %v, want %s (%s)", k, b[k], v, r.Body)
		}
	}
	if total := totals[0].(map[string]any)["total"]; total != "85.00" {
		t.Errorf("total %v, want 85.00", total)
	}

	// As of a date before the payment and before most invoices, only what was issued by then counts.
	past := s.must(200, "GET", "/v1/reports/aging?as_of="+day(-50), nil)
	pt := past.JSON["totals"].([]any)[0].(map[string]any)
	if pt["total"] != "70.00" {
		t.Errorf("as of %s total %v, want 70.00 (A-45 30 + A-100 40 unpaid then): %s", day(-50), pt["total"], past.Body)
	}
	expectProblem(t, s.call("GET", "/v1/reports/aging?as_of=yesterday", nil), 422, "validation_error")
}

func TestReceiptsReport_GroupsLivePaymentsByMethodAndMonth(t *testing.T) {
	s := newTestServer(t)
	for _, p := range []map[string]any{
		{"amount": "10.00", "currency": "SGD", "method": "cash", "received_on": "2026-10-03"},
		{"amount": "5.50", "currency": "SGD", "method": "cash", "received_on": "2026-11-01"},
		{"amount": "7.00", "currency": "SGD", "method": "paypal", "received_on": "2026-11-02"},
		{"amount": "500", "currency": "JPY", "method": "cash", "received_on": "2026-11-02"},
	} {
		s.must(201, "POST", "/v1/payments", p)
	}
	gone := s.must(201, "POST", "/v1/payments", map[string]any{"amount": "99.00", "currency": "SGD", "method": "cash", "received_on": "2026-11-05"}).str("id")
	s.must(204, "DELETE", "/v1/payments/"+gone, nil)

	r := s.must(200, "GET", "/v1/reports/receipts?group_by=method&from=2026-11-01&to=2026-11-30", nil)
	got := map[string]string{}
	for _, g := range r.JSON["groups"].([]any) {
		m := g.(map[string]any)
		got[m["key"].(string)+" "+m["currency"].(string)] = m["amount"].(string)
	}
	want := map[string]string{"cash JPY": "500", "cash SGD": "5.50", "paypal SGD": "7.00"}
	if len(got) != len(want) {
		t.Fatalf("groups %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}
	m := s.must(200, "GET", "/v1/reports/receipts?group_by=month", nil)
	if n := len(m.JSON["groups"].([]any)); n != 3 {
		t.Errorf("month groups = %d, want 3 (2026-10 SGD, 2026-11 JPY, 2026-11 SGD): %s", n, m.Body)
	}
	expectProblem(t, s.call("GET", "/v1/reports/receipts?group_by=week", nil), 422, "validation_error")
}
