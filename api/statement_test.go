package api_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// statementWorld is one customer's books over October and November 2026, read on 2026-12-03:
//
//	2026-10-01 INV-A 1000.00, due 2026-10-15; 400.00 of it paid by OCT-1 (received 2026-10-20)
//	2026-11-05 INV-B  250.00, due 2026-12-05
//	2026-11-06 INV-C   80.00, due 2026-11-20, voided on 2026-12-03
//	2026-11-10 NOV-2  300.00 received, 50.00 of it moved into prepaid credit on 2026-12-03
type statementWorld struct {
	*testServer
	org string
}

func newStatementWorld(t *testing.T) *statementWorld {
	s := newTestServer(t)
	s.Svc.Now = func() time.Time { return time.Date(2026, 12, 3, 9, 30, 0, 0, time.UTC) }
	w := &statementWorld{testServer: s, org: s.org("Acme Telecom", "SGD")}
	a := s.invoice(w.org, "INV-A", "standard", "1000.00", "issued_on", "2026-10-01", "due_on", "2026-10-15")
	s.invoice(w.org, "INV-B", "standard", "250.00", "issued_on", "2026-11-05", "due_on", "2026-12-05")
	c := s.invoice(w.org, "INV-C", "standard", "80.00", "issued_on", "2026-11-06", "due_on", "2026-11-20")
	pay := func(ref, amount, on string) string {
		return s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": w.org, "amount": amount, "currency": "SGD",
			"method": "bank_transfer", "reference": ref, "received_on": on}).str("id")
	}
	oct := pay("OCT-1", "400.00", "2026-10-20")
	s.must(200, "POST", "/v1/payments/"+oct+"/allocations", map[string]any{"allocations": allocLines(a, "400.00")})
	nov := pay("NOV-2", "300.00", "2026-11-10")
	s.must(200, "POST", "/v1/invoices/"+c+"/void", nil)
	s.must(201, "POST", "/v1/payments/"+nov+"/top-ups", map[string]any{"amount": "50.00"})
	// Another customer's documents stay off this statement.
	other := s.org("Globex", "SGD")
	s.invoice(other, "INV-X", "standard", "999.00", "issued_on", "2026-11-07")
	return w
}

func TestStatement_OpeningDocumentsRunningBalanceClosingAndAging(t *testing.T) {
	w := newStatementWorld(t)
	r := w.must(200, "GET", "/v1/organizations/"+w.org+"/statement?from=2026-11-01", nil)
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("content type %q", ct)
	}
	var st struct {
		OrganizationID   string `json:"organization_id"`
		OrganizationName string `json:"organization_name"`
		From, To         string
		Accounts         []struct {
			Currency       string
			OpeningBalance string `json:"opening_balance"`
			Lines          []struct {
				Date, Type, Number, Amount, Balance string
				DueOn                               string `json:"due_on"`
			}
			Charged, Credited string
			ClosingBalance    string `json:"closing_balance"`
			Aging             map[string]string
			OpenInvoices      string `json:"open_invoices"`
			Unapplied         string
		}
	}
	if err := json.Unmarshal(r.Body, &st); err != nil {
		t.Fatal(err)
	}
	if st.OrganizationID != w.org || st.OrganizationName != "Acme Telecom" || st.From != "2026-11-01" || st.To != "2026-12-03" || len(st.Accounts) != 1 {
		t.Fatalf("statement: %s", r.Body)
	}
	a := st.Accounts[0]
	// Before November: INV-A less OCT-1.
	if a.Currency != "SGD" || a.OpeningBalance != "600.00" {
		t.Errorf("opening %s %s, want SGD 600.00", a.Currency, a.OpeningBalance)
	}
	var got []string
	for _, l := range a.Lines {
		got = append(got, strings.Join([]string{l.Date, l.Type, l.Number, l.DueOn, l.Amount, l.Balance}, " "))
	}
	want := []string{
		"2026-11-05 invoice INV-B 2026-12-05 250.00 850.00",
		"2026-11-06 invoice INV-C 2026-11-20 80.00 930.00",
		"2026-11-10 payment NOV-2  -300.00 630.00",
		"2026-12-03 invoice_void INV-C 2026-11-20 -80.00 550.00",
		"2026-12-03 credit_top_up NOV-2  50.00 600.00",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a.Charged != "380.00" || a.Credited != "380.00" || a.ClosingBalance != "600.00" {
		t.Errorf("charged %s credited %s closing %s, want 380.00 380.00 600.00", a.Charged, a.Credited, a.ClosingBalance)
	}
	// INV-A's 600.00 is 49 days past due; INV-B is not due yet; INV-C is void. NOV-2's 250.00
	// left after the top-up is on no invoice.
	wantAging := map[string]string{"current": "250.00", "1_30": "0.00", "31_60": "600.00", "61_90": "0.00", "over_90": "0.00"}
	for k, v := range wantAging {
		if a.Aging[k] != v {
			t.Errorf("aging %s: %q, want %s", k, a.Aging[k], v)
		}
	}
	if a.OpenInvoices != "850.00" || a.Unapplied != "250.00" {
		t.Errorf("open %s unapplied %s, want 850.00 250.00", a.OpenInvoices, a.Unapplied)
	}

	// The same books up to the end of October: the closing balance then is November's opening.
	r = w.must(200, "GET", "/v1/organizations/"+w.org+"/statement?to=2026-10-31", nil)
	if err := json.Unmarshal(r.Body, &st); err != nil {
		t.Fatal(err)
	}
	if a := st.Accounts[0]; a.OpeningBalance != "0.00" || len(a.Lines) != 2 || a.ClosingBalance != "600.00" || a.OpenInvoices != "1000.00" || a.Unapplied != "400.00" {
		t.Errorf("October (allocated only in December: INV-A open in full then): %s", r.Body)
	}
}

func TestStatement_CSVByQueryOrAccept(t *testing.T) {
	w := newStatementWorld(t)
	for _, tc := range []struct{ query, accept string }{{"&format=csv", ""}, {"", "text/csv"}, {"", "text/csv;q=0.9, application/json;q=0.5"}} {
		r := w.must(200, "GET", "/v1/organizations/"+w.org+"/statement?from=2026-11-01"+tc.query, nil, "Accept", tc.accept)
		if ct := r.Header.Get("Content-Type"); ct != "text/csv; charset=utf-8" || !strings.Contains(r.Header.Get("Content-Disposition"), ".csv") {
			t.Fatalf("%q %q: content type %q, disposition %q", tc.query, tc.accept, ct, r.Header.Get("Content-Disposition"))
		}
		rows, err := csv.NewReader(bytes.NewReader(r.Body)).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, row := range rows {
			got = append(got, strings.Join(row, ","))
		}
		body := strings.Join(got, "\n")
		for _, want := range []string{
			"currency,date,type,number,document_id,due_on,amount,balance",
			"SGD,2026-11-01,opening_balance,,,,,600.00",
			"SGD,2026-11-10,payment,NOV-2,",
			"SGD,2026-12-03,closing_balance,,,,,600.00",
			"SGD,2026-12-03,aging,31_60,,,600.00,",
			"SGD,2026-12-03,unapplied,,,,250.00,",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%q %q: CSV has no %q:\n%s", tc.query, tc.accept, want, body)
			}
		}
	}
}

func TestStatement_PDFReadsBackWithTheFigures(t *testing.T) {
	w := newStatementWorld(t)
	for _, tc := range []struct{ query, accept string }{{"&format=pdf", ""}, {"", "application/pdf"}} {
		r := w.must(200, "GET", "/v1/organizations/"+w.org+"/statement?from=2026-11-01"+tc.query, nil, "Accept", tc.accept)
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" || !bytes.HasPrefix(r.Body, []byte("%PDF-")) {
			t.Fatalf("%q %q: content type %q, body %.20q", tc.query, tc.accept, ct, r.Body)
		}
		text := pdfText(t, r.Body)
		for _, want := range []string{"Customer statement", "Acme Telecom", w.org, "From 2026-11-01 to 2026-12-03", "Opening balance", "600.00",
			"INV-B", "850.00", "INV-C", "930.00", "NOV-2", "630.00", "550.00", "Closing balance", "Total open", "250.00"} {
			if !strings.Contains(text, want) {
				t.Errorf("%q %q: the PDF's text has no %q:\n%s", tc.query, tc.accept, want, text)
			}
		}
		if strings.Contains(text, "INV-X") {
			t.Error("another customer's invoice on the statement")
		}
	}
}

// pdfText reads a PDF back with pdftotext (poppler-utils); skipped without it, except under
// CI=true, where scripts/test installs it and its absence is a failure.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is missing; scripts/test installs it")
		}
		t.Skip("pdftotext (poppler-utils) is missing")
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestStatement_RefusesBadPeriodsNamingTheField(t *testing.T) {
	w := newStatementWorld(t)
	for _, tc := range []struct{ query, field string }{
		{"from=2026-13-01", "from"},
		{"to=yesterday", "to"},
		{"from=2026-11-02&to=2026-11-01", "to"},
		{"from=2027-01-01", "from"}, // after today, the default end
		{"format=xlsx", "format"},
	} {
		r := w.call("GET", "/v1/organizations/"+w.org+"/statement?"+tc.query, nil)
		if r.Status != 422 {
			t.Errorf("%s: status %d, want 422: %s", tc.query, r.Status, r.Body)
			continue
		}
		expectFieldProblem(t, r, "validation_error", tc.field)
	}
	expectProblem(t, w.call("GET", "/v1/organizations/org_01jd8x0c9v7p8x2k3m4n5q6r7s/statement", nil), 404, "not_found")
}

// The OpenAPI document offers the statement in each of its media types.
func TestStatement_OpenAPIDocumentsEachMediaType(t *testing.T) {
	s := newTestServer(t)
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct{ Name string }
			Responses  map[string]struct {
				Content map[string]struct {
					Schema map[string]any
				}
			}
		}
	}
	if err := json.Unmarshal(s.rawGet("/v1/openapi.json").Body, &doc); err != nil {
		t.Fatal(err)
	}
	op := doc.Paths["/v1/organizations/{id}/statement"]["get"]
	content := op.Responses["200"].Content
	for _, mt := range []string{"application/json", "text/csv", "application/pdf"} {
		if _, ok := content[mt]; !ok {
			t.Errorf("200 has no %s: %v", mt, content)
		}
	}
	if ref, _ := content["application/json"].Schema["$ref"].(string); !strings.HasSuffix(ref, "/Statement") {
		t.Errorf("JSON schema %v, want the Statement", content["application/json"].Schema)
	}
	var params []string
	for _, p := range op.Parameters {
		params = append(params, p.Name)
	}
	if got := strings.Join(params, ","); !strings.Contains(got, "from") || !strings.Contains(got, "to") || !strings.Contains(got, "format") {
		t.Errorf("parameters %s", got)
	}
}
