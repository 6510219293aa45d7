package api_test

import (
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// /metrics serves Prometheus' text format with every API operation counted by status code.
func TestMetrics_CountAPIRequestsByOperationAndStatus(t *testing.T) {
	s := newTestServer(t)
	s.payment("", "10.00", "SGD")
	s.call("POST", "/v1/payments", map[string]any{"amount": "1.234", "currency": "SGD", "method": "cash"})
	res, err := http.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	for _, want := range []string{
		`finapp_api_requests_total{code="201",operation="record-payment"} 1`,
		`finapp_api_requests_total{code="422",operation="record-payment"} 1`,
		`finapp_api_request_duration_seconds_count{operation="record-payment"} 2`,
		`go_goroutines`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}

// /metrics shows the database's connection pools and its write path: a recorded payment is one
// more committed write transaction and at least one more durable commit.
func TestMetrics_DatabasePoolsAndCommits(t *testing.T) {
	s := newTestServer(t)
	scrape := func() string {
		t.Helper()
		res, err := http.Get(s.URL + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return string(body)
	}
	value := func(body, name string) int {
		t.Helper()
		for _, line := range strings.Split(body, "\n") {
			if rest, ok := strings.CutPrefix(line, name+" "); ok {
				n, err := strconv.ParseFloat(rest, 64)
				if err != nil {
					t.Fatalf("%s: %v", line, err)
				}
				return int(n)
			}
		}
		t.Fatalf("/metrics lacks %s", name)
		return 0
	}
	before := scrape()
	s.payment("", "10.00", "SGD")
	after := scrape()
	if d := value(after, "finapp_db_write_transactions_total") - value(before, "finapp_db_write_transactions_total"); d < 1 {
		t.Errorf("write transactions grew by %d after a payment; want ≥ 1", d)
	}
	if d := value(after, "finapp_db_commits_total") - value(before, "finapp_db_commits_total"); d < 1 {
		t.Errorf("commits grew by %d after a payment; want ≥ 1", d)
	}
	for _, want := range []string{`go_sql_open_connections{db_name="write"}`, `go_sql_wait_count_total{db_name="write"}`,
		"finapp_db_commit_failures_total 0", "finapp_db_commit_seconds_total"} {
		if !strings.Contains(after, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
}
