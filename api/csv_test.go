package api_test

import (
	"bytes"
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
)

// readCSV parses an export, checking it is one.
func readCSV(t *testing.T, r *response) (header []string, rows []map[string]string) {
	t.Helper()
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%d %q: %s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	records, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
	if err != nil || len(records) == 0 {
		t.Fatalf("not CSV (%v): %s", err, r.Body)
	}
	header = records[0]
	for _, rec := range records[1:] {
		row := map[string]string{}
		for i, c := range header {
			row[c] = rec[i]
		}
		rows = append(rows, row)
	}
	return header, rows
}

// A list exports as CSV with the same filters, every page of it (read limit rows at a time),
// amounts exactly as the API writes them, and text a spreadsheet would run as a formula defused.
func TestCSV_PaymentsExportEveryPageWithTheFilters(t *testing.T) {
	s := newTestServer(t)
	org := s.org("CSV Pte Ltd", "SGD")
	other := s.org("Other Pte Ltd", "SGD")
	remarks := []string{"plain", `=HYPERLINK("http://x","y")`, "+1", "@SUM(A1)", "-2+3"}
	for i, remark := range remarks {
		s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": []string{"0.01", "10.00", "999999.99", "5.50", "7.25"}[i],
			"currency": "SGD", "method": "cash", "remark": remark})
	}
	s.payment(other, "1.00", "SGD")
	header, rows := readCSV(t, s.call("GET", "/v1/payments?format=csv&limit=2&organization_id="+org, nil))
	if len(rows) != len(remarks) {
		t.Fatalf("%d rows, want %d (every page, only the filtered organization)", len(rows), len(remarks))
	}
	for _, c := range []string{"id", "organization_id", "amount", "currency", "remark"} {
		if !strings.Contains(","+strings.Join(header, ",")+",", ","+c+",") {
			t.Errorf("no column %q in %v", c, header)
		}
	}
	got := map[string]string{}
	for _, row := range rows {
		if row["organization_id"] != org {
			t.Errorf("row of another organization: %v", row)
		}
		got[row["amount"]] = row["remark"]
	}
	want := map[string]string{"0.01": "plain", "10.00": `'=HYPERLINK("http://x","y")`, "999999.99": "'+1", "5.50": "'@SUM(A1)", "7.25": "'-2+3"}
	for amount, remark := range want {
		if got[amount] != remark {
			t.Errorf("amount %s: remark %q, want %q (all: %v)", amount, got[amount], remark, got)
		}
	}
	// Accept: text/csv is the same as format=csv; JSON stays the default.
	_, byAccept := readCSV(t, s.call("GET", "/v1/payments?organization_id="+org, nil, "Accept", "text/csv"))
	if len(byAccept) != len(remarks) {
		t.Errorf("Accept: text/csv: %d rows", len(byAccept))
	}
	if r := s.call("GET", "/v1/payments?format=json&organization_id="+org, nil); r.Status != 200 || len(r.dataList()) != len(remarks) {
		t.Errorf("format=json: %d %s", r.Status, r.Body)
	}
	r := s.call("GET", "/v1/payments?format=csv", nil)
	if cd := r.Header.Get("Content-Disposition"); cd != `attachment; filename="payments.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	expectProblem(t, s.call("GET", "/v1/payments?format=xml", nil), 422, "validation_error")
	// A refused filter is refused as a problem, not as a CSV.
	expectProblem(t, s.call("GET", "/v1/payments?format=csv&status=bogus", nil), 422, "validation_error")
}

// The feed pages by sequence, the aging report flattens its buckets into columns.
func TestCSV_EventsAndReports(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Aged Pte Ltd", "SGD")
	s.must(201, "POST", "/v1/invoices", map[string]any{"number": "AGE-1", "organization_id": org, "total": "120.00", "issued_on": "2020-01-01", "due_on": "2020-01-31"})
	for range 3 {
		s.payment(org, "1.00", "SGD")
	}
	feed := s.must(200, "GET", "/v1/events?limit=500", nil).dataList()
	_, events := readCSV(t, s.call("GET", "/v1/events?format=csv&limit=2", nil))
	if len(events) != len(feed) || len(feed) < 4 {
		t.Fatalf("%d events, the feed has %d (invoice, 3 payments)", len(events), len(feed))
	}
	for i, e := range events {
		if e["sequence"] != strconv.Itoa(i+1) || e["id"] != feed[i]["id"] || !strings.HasPrefix(e["data.object"], "{") {
			t.Errorf("event %d: %v", i, e)
		}
	}
	header, aging := readCSV(t, s.call("GET", "/v1/reports/aging?format=csv&as_of=2026-12-01", nil))
	if len(aging) != 1 || aging[0]["buckets.over_90"] != "120.00" || aging[0]["organization_id"] != org {
		t.Errorf("aging: %v %v", header, aging)
	}
	_, receipts := readCSV(t, s.call("GET", "/v1/reports/receipts?format=csv&group_by=method", nil))
	if len(receipts) != 1 || receipts[0]["amount"] != "3.00" || receipts[0]["count"] != "3" {
		t.Errorf("receipts: %v", receipts)
	}
}

// Every list and report the document offers as CSV answers CSV, with a header row even when
// empty, to the roles that may read it.
func TestCSV_EveryExportDeclaredAnswersCSV(t *testing.T) {
	s := newTestServer(t)
	m := &matrix{testServer: s}
	f := m.fixtures(true)
	exports := 0
	for _, route := range documentedRoutes(t, s.must(200, "GET", "/v1/openapi.json", nil).Body) {
		declared := false
		for _, p := range route.Params {
			declared = declared || p.In == "query" && p.Name == "format"
		}
		if !declared || route.Method != "GET" || route.ID == "export-journal" { // the journal's formats are accounting tools'

			continue
		}
		exports++
		header, _ := readCSV(t, s.rawCall("GET", pathOf(t, route.apiOperation, f)+"?format=csv", nil))
		if len(header) < 2 {
			t.Errorf("%s: header %v", route.ID, header)
		}
	}
	if exports < 11 {
		t.Fatalf("only %d exports declared", exports)
	}
}
