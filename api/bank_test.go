package api_test

import (
	"maps"
	"os"
	"strings"
	"testing"
)

// bankFile reads a statement the camt package's tests read too: real-looking files the project
// wrote, not a bank's.
func bankFile(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("../camt/testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// From the bank's file to paid invoices to hledger: a camt.053 is imported (each line once, the
// same file again refused), its incoming lines are proposed with their evidence, all proposals
// are confirmed in one call, the camt.054 of a batch splits it, and the journal still passes
// hledger's strictest check with the bank's money where the statement says.
func TestBank_FileToPaidInvoicesToHledger(t *testing.T) {
	s := newTestServer(t)
	hartmann, lindqvist, bergmann := s.org("Hartmann Feinkost GmbH", "EUR"), s.org("Lindqvist & Söhne KG", "EUR"), s.org("Bergmann Reisen GmbH", "EUR")
	inv := map[string]string{}
	for _, c := range []struct{ org, number, total string }{
		{hartmann, "INV-2026-001", "1250.00"}, {hartmann, "INV-2026-017", "100.00"},
		{lindqvist, "INV-2026-020", "80.00"}, {lindqvist, "INV-2026-021", "120.00"}, {bergmann, "INV-2026-042", "300.00"},
	} {
		inv[c.number] = s.invoice(c.org, c.number, "standard", c.total, "issued_on", "2026-03-01", "due_on", "2026-03-31")
	}
	if rf := s.must(200, "GET", "/v1/invoices/"+inv["INV-2026-001"], nil).str("rf_reference"); rf != "RF10INV2026001" {
		t.Fatalf("rf_reference %q", rf)
	}

	camt053 := bankFile(t, "camt053_v08.xml")
	r := s.must(201, "POST", "/v1/bank-statements", camt053, "Content-Type", "application/xml")
	if r.JSON["format"] != "camt.053" || r.JSON["created"].(float64) != 9 || r.JSON["proposed"].(float64) != 4 {
		t.Fatalf("import: %s", r.Body)
	}
	st := r.objectsOf("statements")[0]
	if st["opening_balance"] != "10000.00" || st["closing_balance"] != "11507.50" || st["account"] != "DE83700519951234567890" {
		t.Fatalf("statement: %v", st)
	}
	again := s.call("POST", "/v1/bank-statements", camt053, "Content-Type", "application/xml")
	if again.Status != 409 || again.str("code") != "duplicate" || !strings.Contains(string(again.Body), st["id"].(string)) {
		t.Fatalf("the same file again: %d %s", again.Status, again.Body)
	}

	proposed := s.must(200, "GET", "/v1/bank-lines?status=proposed", nil).dataList()
	var picks []any
	evidence := map[string]bool{}
	for _, l := range proposed {
		props := s.must(200, "GET", "/v1/bank-lines/"+l["id"].(string)+"/proposals", nil).dataList()
		for _, e := range props[0]["evidence"].([]any) {
			evidence[e.(map[string]any)["kind"].(string)] = true
		}
		picks = append(picks, map[string]any{"line_id": l["id"], "proposal_id": props[0]["id"]})
	}
	for _, kind := range []string{"rf_reference", "invoice_number_in_text", "structured_reference", "amount_equals_invoice"} {
		if !evidence[kind] {
			t.Errorf("no proposal gave %s as evidence: %v", kind, evidence)
		}
	}
	res := s.must(200, "POST", "/v1/bank-lines/apply", map[string]any{"lines": picks}).objectsOf("results")
	for _, x := range res {
		if x["error"] != nil {
			t.Errorf("line %v refused: %v", x["line_id"], x["error"])
		}
	}
	for number, want := range map[string]string{"INV-2026-001": "paid", "INV-2026-017": "paid", "INV-2026-020": "paid",
		"INV-2026-021": "paid", "INV-2026-042": "paid"} {
		if got := s.must(200, "GET", "/v1/invoices/"+inv[number], nil).str("status"); got != want {
			t.Errorf("%s is %s after applying the statement, want %s", number, got, want)
		}
	}

	r = s.must(201, "POST", "/v1/bank-statements?format=camt", bankFile(t, "camt054_v08.xml"), "Content-Type", "text/plain")
	if r.JSON["created"].(float64) != 3 || r.JSON["skipped"].(float64) != 3 || r.JSON["split"].(float64) != 1 {
		t.Fatalf("camt.054: %s", r.Body)
	}
	if split := s.must(200, "GET", "/v1/bank-lines?status=split", nil).dataList(); len(split) != 1 || split[0]["bank_reference"] != "BATCH-2026033100007" {
		t.Fatalf("split lines: %v", split)
	}

	bin := needTool(t, "hledger")
	file, _ := exportTo(t, s, "", "bank.journal")
	run(t, bin, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, bin, file, "bs")
	// 1250.00 + 100.00 + 200.00 + 300.00 received through the bank: the five invoices' money.
	if got := rows["assets:cash:bank_transfer"]; got != "1850.00 EUR" {
		t.Errorf("assets:cash:bank_transfer in hledger %q, want 1850.00 EUR", got)
	}
}

// MT940 comes in as camt does: each message a statement, its lines proposed, the same file
// again refused; an unbalanced message refuses the file naming it.
func TestBank_MT940(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Hartmann Feinkost GmbH", "EUR")
	inv := s.invoice(acme, "INV-2026-001", "standard", "1250.00", "issued_on", "2026-11-01")
	raw, err := os.ReadFile("../mt940/testdata/plain.sta")
	if err != nil {
		t.Fatal(err)
	}
	r := s.must(201, "POST", "/v1/bank-statements", string(raw), "Content-Type", "text/plain")
	if r.JSON["format"] != "mt940" || r.JSON["created"].(float64) != 4 || len(r.objectsOf("statements")) != 2 || r.JSON["proposed"].(float64) != 1 {
		t.Fatalf("import: %s", r.Body)
	}
	// The closing balance (:62F:) follows the entries: the one kept is the file's.
	closings := map[any]bool{}
	for _, st := range s.must(200, "GET", "/v1/bank-statements", nil).dataList() {
		closings[st["closing_balance"]] = true
	}
	if !closings["11501.50"] {
		t.Fatalf("closing balances kept: %v, want the :62F: 11501.50 among them", closings)
	}
	line := s.must(200, "GET", "/v1/bank-lines?status=proposed", nil).dataList()[0]
	props := s.must(200, "GET", "/v1/bank-lines/"+line["id"].(string)+"/proposals", nil).dataList()
	s.must(200, "POST", "/v1/bank-lines/"+line["id"].(string)+"/apply", map[string]any{"proposal_id": props[0]["id"]})
	if got := s.must(200, "GET", "/v1/invoices/"+inv, nil).str("status"); got != "paid" {
		t.Fatalf("INV-2026-001 is %s", got)
	}
	bad := strings.Replace(string(raw), ":62F:C261202EUR11501,50", ":62F:C261202EUR11500,50", 1)
	r = s.call("POST", "/v1/bank-statements?format=mt940", bad, "Content-Type", "text/plain")
	if r.Status != 422 || !strings.Contains(string(r.Body), "STMT-2026-12-02 does not balance") || !strings.Contains(string(r.Body), "a difference of -1.00") {
		t.Fatalf("unbalanced: %d %s", r.Status, r.Body)
	}
}

// A bank CSV comes in through its bank's template: previewed first, then imported; the same
// template refuses a file it cannot read, naming the row and the template's field.
func TestBank_CSVThroughATemplate(t *testing.T) {
	s := newTestServer(t)
	tpl := s.must(201, "POST", "/v1/bank-csv-templates", map[string]any{"name": "City Bank", "delimiter": ";", "header_row": 5,
		"date_format": "DD.MM.YYYY", "decimal_comma": true, "account": "DE89370400440532013000", "currency": "EUR",
		"amount_column": "Betrag", "booking_date_column": "Buchungstag", "value_date_column": "Valuta",
		"counterparty_column": "Auftraggeber/Empfänger", "iban_column": "IBAN", "text_columns": []string{"Verwendungszweck"}}).str("id")
	raw, err := os.ReadFile("../bankcsv/testdata/de_bank.csv")
	if err != nil {
		t.Fatal(err)
	}
	p := s.must(200, "POST", "/v1/bank-csv-templates/"+tpl+"/preview", string(raw), "Content-Type", "text/csv")
	if lines := p.objectsOf("lines"); len(lines) != 3 || lines[1]["amount"] != "89.90" || lines[1]["direction"] != "debit" || p.JSON["refusal"] != nil {
		t.Fatalf("preview: %s", p.Body)
	}
	r := s.must(201, "POST", "/v1/bank-statements?template=City+Bank", string(raw), "Content-Type", "text/csv")
	if r.JSON["format"] != "csv" || r.JSON["created"].(float64) != 3 {
		t.Fatalf("import: %s", r.Body)
	}
	bad := strings.Replace(string(raw), "02.12.2026;02.12.2026;Stadtwerke", "2026-12-02;02.12.2026;Stadtwerke", 1)
	r = s.call("POST", "/v1/bank-statements?template="+tpl, bad, "Content-Type", "text/csv")
	if r.Status != 422 || !strings.Contains(string(r.Body), "line 7, booking_date_column") {
		t.Fatalf("a bad date: %d %s", r.Status, r.Body)
	}
}

// A file is refused whole with the line at fault, the same on both engines: unbalanced, broken,
// an XML bomb, a CSV without its template.
func TestBank_RefusedFiles(t *testing.T) {
	s := newTestServer(t)
	camt := bankFile(t, "camt053_v08.xml")
	for _, c := range []struct {
		name, body, ctype, query string
		status                   int
		field, says              string
	}{
		{"unbalanced", strings.Replace(camt, "<Amt Ccy=\"EUR\">1250.00</Amt>", "<Amt Ccy=\"EUR\">1250.01</Amt>", 1), "application/xml", "", 422, "file", "does not balance"},
		{"truncated", camt[:len(camt)/2], "application/xml", "", 422, "file", "line"},
		{"entity expansion", `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa">]><Document>&a;</Document>`, "application/xml", "", 422, "file", "line 1"},
		{"a CSV without a template", "Date,Amount\n2026-12-02,10.00\n", "text/csv", "", 422, "template", "template"},
		{"an unknown format", "x", "text/plain", "?format=qif", 422, "format", "qif"},
	} {
		r := s.call("POST", "/v1/bank-statements"+c.query, c.body, "Content-Type", c.ctype)
		if r.Status != c.status || r.str("field") != c.field || !strings.Contains(string(r.Body), c.says) {
			t.Errorf("%s: %d field %q: %s", c.name, r.Status, r.str("field"), r.Body)
		}
	}
	if lines := s.must(200, "GET", "/v1/bank-lines", nil).dataList(); len(lines) != 0 {
		t.Fatalf("%d lines kept from refused files", len(lines))
	}
}

// A rule that settles a small shortfall as a bank fee: refused without its bound (naming it),
// then its proposal says what it settles and how, and applying it pays the invoice.
func TestBank_RuleSettlesABankFee(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Hartmann Feinkost GmbH", "EUR")
	inv := s.invoice(acme, "INV-2026-001", "standard", "1250.00", "issued_on", "2026-11-01")
	rule := map[string]any{"name": "Hartmann through the PSP", "organization_id": acme, "settle": "bank_fee",
		"conditions": []any{map[string]any{"field": "text", "operator": "contains", "value": "Hartmann"}}}
	r := s.call("POST", "/v1/matching-rules", rule)
	if r.Status != 422 || !strings.Contains(string(r.Body), "settle_up_to") {
		t.Fatalf("settle without its bound: %d %s", r.Status, r.Body)
	}
	rule["settle_up_to"] = "25.00"
	if got := s.must(201, "POST", "/v1/matching-rules", rule); got.str("settle") != "bank_fee" || got.str("settle_up_to") != "25.00" {
		t.Fatalf("rule: %s", got.Body)
	}
	raw, err := os.ReadFile("../mt940/testdata/plain.sta")
	if err != nil {
		t.Fatal(err)
	}
	// Hartmann's 1250.00 arrives as 1230.00: the payment provider kept 20.00.
	short := strings.NewReplacer("C1250,00N", "C1230,00N", "EUR11501,50", "EUR11481,50", "EUR11601,50", "EUR11581,50").Replace(string(raw))
	s.must(201, "POST", "/v1/bank-statements", short, "Content-Type", "text/plain")
	var fee map[string]any
	var lineID string
	for _, l := range s.must(200, "GET", "/v1/bank-lines?status=proposed", nil).dataList() {
		for _, p := range s.must(200, "GET", "/v1/bank-lines/"+l["id"].(string)+"/proposals", nil).dataList() {
			if p["write_off_kind"] == "bank_fee" {
				fee, lineID = p, l["id"].(string)
			}
		}
	}
	if fee == nil {
		t.Fatal("no proposal settles a bank fee")
	}
	s.must(200, "POST", "/v1/bank-lines/"+lineID+"/apply", map[string]any{"proposal_id": fee["id"]})
	if got := s.must(200, "GET", "/v1/invoices/"+inv, nil).str("status"); got != "paid" {
		t.Fatalf("INV-2026-001 is %s after a payment and its fee", got)
	}
}

// PUT /v1/matching-rules/{id} rewrites a rule: the answer is the rule as saved, its id and hits
// kept; a refusal names its field and changes nothing; a rule that is not there is 404.
func TestBank_ReplaceMatchingRule(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme Telecom", "EUR")
	bolt := s.org("Bolt SaaS", "EUR")
	rule := map[string]any{"name": "Acme by text", "organization_id": acme,
		"conditions": []any{map[string]any{"field": "text", "operator": "contains", "value": "ACME"}}}
	id := s.must(201, "POST", "/v1/matching-rules", rule).str("id")
	s.must(201, "POST", "/v1/matching-rules", map[string]any{"name": "Payroll", "organization_id": bolt,
		"conditions": []any{map[string]any{"field": "text", "operator": "starts", "value": "PAYROLL"}}})

	rule["name"], rule["organization_id"], rule["priority"], rule["settle"], rule["settle_up_to"] = "Bolt by text", bolt, 3, "bank_fee", "2.50"
	got := s.must(200, "PUT", "/v1/matching-rules/"+id, rule)
	if got.str("id") != id || got.str("name") != "Bolt by text" || got.str("organization_id") != bolt || got.JSON["priority"].(float64) != 3 ||
		got.str("settle_up_to") != "2.50" || got.JSON["hits"].(float64) != 0 {
		t.Fatalf("replaced: %s", got.Body)
	}
	if again := s.must(200, "GET", "/v1/matching-rules/"+id, nil); again.str("name") != "Bolt by text" {
		t.Fatalf("read back: %s", again.Body)
	}
	for _, c := range []struct {
		name   string
		edit   func(b map[string]any)
		status int
		field  string
	}{
		{"another rule's name", func(b map[string]any) { b["name"] = "payroll" }, 409, "name"},
		{"no such customer", func(b map[string]any) { b["organization_id"] = "org_nobody" }, 422, "organization_id"},
		{"a broken expression", func(b map[string]any) {
			b["conditions"] = []any{map[string]any{"field": "text", "operator": "regex", "value": "(inv"}}
		}, 422, "conditions[0].value"},
	} {
		body := maps.Clone(rule)
		c.edit(body)
		if r := s.call("PUT", "/v1/matching-rules/"+id, body); r.Status != c.status || r.str("field") != c.field {
			t.Errorf("%s: %d field %q: %s", c.name, r.Status, r.str("field"), r.Body)
		}
	}
	if r := s.call("PUT", "/v1/matching-rules/mr_nothing", rule); r.Status != 404 {
		t.Errorf("a rule that is not there: %d %s", r.Status, r.Body)
	}
	if after := s.must(200, "GET", "/v1/matching-rules/"+id, nil); after.str("name") != "Bolt by text" || after.str("organization_id") != bolt {
		t.Fatalf("refused rewrites changed the rule: %s", after.Body)
	}
}

// PUT /v1/bank-csv-templates/{id} rewrites a template: files are read by it as it now says, a
// refusal names its field and changes nothing, and a template that is not there is 404.
func TestBank_ReplaceBankCSVTemplate(t *testing.T) {
	s := newTestServer(t)
	tpl := map[string]any{"name": "City Bank", "delimiter": ",", "account": "DE89370400440532013000", "currency": "EUR",
		"amount_column": "Betrag", "booking_date_column": "Buchungstag"}
	id := s.must(201, "POST", "/v1/bank-csv-templates", tpl).str("id")
	s.must(201, "POST", "/v1/bank-csv-templates", map[string]any{"name": "Other Bank", "account": "X-1", "currency": "EUR",
		"amount_column": "Amount", "booking_date_column": "Date"})
	raw, err := os.ReadFile("../bankcsv/testdata/de_bank.csv")
	if err != nil {
		t.Fatal(err)
	}
	if p := s.must(200, "POST", "/v1/bank-csv-templates/"+id+"/preview", string(raw), "Content-Type", "text/csv"); p.JSON["refusal"] == nil {
		t.Fatalf("the file read by a template that does not fit it: %s", p.Body)
	}
	tpl["delimiter"], tpl["header_row"], tpl["date_format"], tpl["decimal_comma"], tpl["name"] = ";", 5, "DD.MM.YYYY", true, "City Bank (Girokonto)"
	got := s.must(200, "PUT", "/v1/bank-csv-templates/"+id, tpl)
	if got.str("id") != id || got.str("name") != "City Bank (Girokonto)" || got.str("delimiter") != ";" {
		t.Fatalf("replaced: %s", got.Body)
	}
	if p := s.must(200, "POST", "/v1/bank-csv-templates/"+id+"/preview", string(raw), "Content-Type", "text/csv"); p.JSON["refusal"] != nil ||
		len(p.objectsOf("lines")) != 3 {
		t.Fatalf("the file read by the template as rewritten: %s", p.Body)
	}
	for _, c := range []struct {
		name   string
		edit   func(b map[string]any)
		status int
		field  string
	}{
		{"another template's name", func(b map[string]any) { b["name"] = "Other Bank" }, 409, "name"},
		{"no amount column", func(b map[string]any) { delete(b, "amount_column") }, 422, "amount_column"},
		{"a delimiter no bank uses", func(b map[string]any) { b["delimiter"] = "#" }, 422, "delimiter"},
	} {
		body := maps.Clone(tpl)
		c.edit(body)
		if r := s.call("PUT", "/v1/bank-csv-templates/"+id, body); r.Status != c.status || r.str("field") != c.field {
			t.Errorf("%s: %d field %q: %s", c.name, r.Status, r.str("field"), r.Body)
		}
	}
	if r := s.call("PUT", "/v1/bank-csv-templates/csv_nothing", tpl); r.Status != 404 {
		t.Errorf("a template that is not there: %d %s", r.Status, r.Body)
	}
	if after := s.must(200, "GET", "/v1/bank-csv-templates/"+id, nil); after.str("name") != "City Bank (Girokonto)" || after.str("delimiter") != ";" {
		t.Fatalf("refused rewrites changed the template: %s", after.Body)
	}
}
