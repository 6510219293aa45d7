package api_test

import (
	"io"
	"net/http"
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
