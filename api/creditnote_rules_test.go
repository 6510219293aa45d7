package api_test

import (
	"strings"
	"testing"
)

// Credit notes (issue 15 item 4): issued to a customer, citing an invoice or not, numbered;
// applied to its invoices like a payment, released, refunded, moved into prepaid credit, voided
// only while unused. Every refusal names its field and rule and writes nothing; the books, the
// trail, the statement and hledger agree.
func TestCreditNotes_IssueApplyRefundCreditAndVoid(t *testing.T) {
	s := newTestServer(t)
	acme, other := s.org("Acme", "SGD"), s.org("Other", "SGD")
	inv1 := s.invoice(acme, "C-1", "standard", "100.00", "issued_on", "2026-01-10", "due_on", "2026-02-09")
	inv2 := s.invoice(acme, "C-2", "standard", "80.00", "issued_on", "2026-01-20", "due_on", "2026-02-19")
	pro := s.invoice(acme, "C-PRO", "proforma", "50.00")
	otherInv := s.invoice(other, "O-1", "standard", "10.00")
	usd := s.invoice(acme, "C-USD", "standard", "10.00", "currency", "USD")

	// Bad input: a 4xx naming the field and the rule, nothing written.
	before := s.booksFingerprint()
	for _, c := range []struct {
		body        map[string]any
		status      int
		code, field string
	}{
		{map[string]any{"organization_id": acme, "amount": "0.00", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"organization_id": acme, "amount": "-1.00", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"organization_id": acme, "amount": strings.Repeat("9", 40), "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"organization_id": acme, "amount": "1.001", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"organization_id": acme, "amount": "5.00"}, 422, "validation_error", "reason"},
		{map[string]any{"organization_id": acme, "amount": "5.00", "reason": "x", "issued_on": "2026-13-01"}, 422, "validation_error", "issued_on"},
		{map[string]any{"amount": "5.00", "reason": "x"}, 422, "validation_error", "organization_id"},
		{map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "100.01", "reason": "x"}, 409, "credit_above_invoice", "amount"},
		{map[string]any{"organization_id": acme, "invoice_id": otherInv, "amount": "1.00", "reason": "x"}, 422, "organization_mismatch", "invoice_id"},
		{map[string]any{"organization_id": acme, "invoice_id": pro, "amount": "1.00", "reason": "x"}, 422, "validation_error", "invoice_id"},
		{map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "1.00", "currency": "USD", "reason": "x"}, 422, "currency_mismatch", "currency"},
	} {
		r := s.call("POST", "/v1/credit-notes", c.body)
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("issue %v: %d %s, want %d %s naming %s", c.body, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused credit note wrote something")
	}

	// Numbered in turn; a number given by hand is kept, and taken only once.
	cn1 := s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "60.00", "reason": "returned goods"})
	if cn1.str("number") != "CN-000001" || cn1.str("currency") != "SGD" || cn1.str("remaining") != "60.00" || cn1.str("status") != "open" ||
		!strings.HasPrefix(cn1.str("id"), "cn_") || cn1.Header.Get("ETag") != `"1"` {
		t.Fatalf("first credit note: %s %v", cn1.Body, cn1.Header)
	}
	s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "number": "GOODWILL-7", "amount": "5.00", "reason": "goodwill"})
	expectProblem(t, s.call("POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "number": "GOODWILL-7", "amount": "5.00", "reason": "x"}), 409, "duplicate")
	cn3 := s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "amount": "30.00", "reason": "price corrected"})
	if cn3.str("number") != "CN-000002" {
		t.Fatalf("the counter does not skip a hand-given number's turn: %s", cn3.Body)
	}
	// The credit notes on an invoice never exceed its total; a void one frees its part.
	second := s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "40.00", "reason": "more returned"})
	expectProblem(t, s.call("POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "0.01", "reason": "x"}), 409, "credit_above_invoice")
	s.must(200, "POST", "/v1/credit-notes/"+second.str("id")+"/void", nil)
	s.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": acme, "invoice_id": inv1, "amount": "40.00", "reason": "more returned, again"})

	// Applying: bad lines are refused whole, naming the line.
	id1 := cn1.str("id")
	before = s.booksFingerprint()
	for _, c := range []struct {
		lines       []map[string]any
		status      int
		code, field string
	}{
		{[]map[string]any{{"invoice_id": inv1, "amount": "50.00"}, {"invoice_id": inv2, "amount": "10.01"}}, 409, "over_allocation", "allocations[1].amount"},
		{[]map[string]any{{"invoice_id": inv2, "amount": "80.01"}}, 409, "over_allocation", "allocations[0].amount"},
		{[]map[string]any{{"invoice_id": otherInv, "amount": "1.00"}}, 422, "organization_mismatch", "allocations[0].invoice_id"},
		{[]map[string]any{{"invoice_id": usd, "amount": "1.00"}}, 422, "currency_mismatch", "allocations[0].invoice_id"},
		{[]map[string]any{{"invoice_id": pro, "amount": "1.00"}}, 422, "validation_error", "allocations[0].invoice_id"},
		{[]map[string]any{{"invoice_id": inv1, "amount": "0.00"}}, 422, "validation_error", "allocations[0].amount"},
	} {
		r := s.call("POST", "/v1/credit-notes/"+id1+"/allocations", map[string]any{"allocations": c.lines})
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("apply %v: %d %s, want %d %s naming %s", c.lines, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused application wrote something")
	}
	expectProblem(t, s.call("POST", "/v1/credit-notes/"+id1+"/allocations", map[string]any{"auto": true}, "If-Match", `"7"`), 412, "version_conflict")

	// Oldest due first: all of C-1's 100.00 cannot be met by 60.00, so C-1 takes it all.
	a := s.must(200, "POST", "/v1/credit-notes/"+id1+"/allocations", map[string]any{"auto": true})
	if a.str("applied") != "60.00" || a.str("remaining") != "0.00" || a.str("status") != "applied" || len(a.objectsOf("applications")) != 1 {
		t.Fatalf("applied oldest first: %s", a.Body)
	}
	if i := s.must(200, "GET", "/v1/invoices/"+inv1, nil); i.str("amount_due") != "40.00" || i.str("status") != "partially_paid" {
		t.Fatalf("C-1 after the credit note: %s", i.Body)
	}
	expectProblem(t, s.call("POST", "/v1/credit-notes/"+id1+"/allocations", map[string]any{"auto": true}), 409, "over_allocation")
	expectProblem(t, s.call("POST", "/v1/credit-notes/"+id1+"/void", nil), 409, "credit_note_in_use")
	// Released, the amount is due again and the credit note has it back; once.
	app := a.objectsOf("applications")[0]["id"].(string)
	r := s.must(200, "DELETE", "/v1/credit-notes/"+id1+"/allocations/"+app, nil)
	if r.str("remaining") != "60.00" || r.str("status") != "open" {
		t.Fatalf("after the release: %s", r.Body)
	}
	expectProblem(t, s.call("DELETE", "/v1/credit-notes/"+id1+"/allocations/"+app, nil), 409, "conflict")
	// Settled in full by a credit note, an invoice is paid.
	r = s.must(200, "POST", "/v1/credit-notes/"+id1+"/allocations", map[string]any{"allocations": []map[string]any{{"invoice_id": inv2, "amount": "60.00"}}})
	id3 := cn3.str("id")
	s.must(200, "POST", "/v1/credit-notes/"+id3+"/allocations", map[string]any{"allocations": []map[string]any{{"invoice_id": inv2, "amount": "20.00"}}})
	if i := s.must(200, "GET", "/v1/invoices/"+inv2, nil); i.str("status") != "paid" || i.str("amount_due") != "0.00" {
		t.Fatalf("C-2 settled by two credit notes: %s", i.Body)
	}
	expectProblem(t, s.call("POST", "/v1/invoices/"+inv2+"/void", nil), 409, "invoice_has_payments")

	// The rest of the third: part refunded, part into prepaid credit; never more than remains.
	before = s.booksFingerprint()
	for _, c := range []struct {
		path        string
		body        map[string]any
		status      int
		code, field string
	}{
		{"/refunds", map[string]any{"amount": "10.01", "method": "cash", "reason": "x"}, 409, "over_allocation", "amount"},
		{"/refunds", map[string]any{"amount": "1.00", "method": "wire", "reason": "x"}, 422, "validation_error", "method"},
		{"/refunds", map[string]any{"amount": "1.00", "method": "cash"}, 422, "validation_error", "reason"},
		{"/top-ups", map[string]any{"amount": "10.01"}, 409, "over_allocation", "amount"},
		{"/top-ups", map[string]any{"amount": "0"}, 422, "validation_error", "amount"},
	} {
		r := s.call("POST", "/v1/credit-notes/"+id3+c.path, c.body)
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("%s %v: %d %s, want %d %s naming %s", c.path, c.body, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused refund or move into credit wrote something")
	}
	s.must(201, "POST", "/v1/credit-notes/"+id3+"/refunds", map[string]any{"amount": "4.00", "method": "cash", "reference": "CASH 1", "reason": "asked for it"})
	r = s.must(201, "POST", "/v1/credit-notes/"+id3+"/top-ups", map[string]any{})
	if r.str("to_credit") != "6.00" || r.str("refunded") != "4.00" || r.str("remaining") != "0.00" || r.str("status") != "applied" {
		t.Fatalf("the third credit note used up: %s", r.Body)
	}

	// Lists filter by customer and status.
	if got := s.must(200, "GET", "/v1/credit-notes?organization_id="+acme+"&status=void", nil).dataList(); len(got) != 1 {
		t.Errorf("void credit notes: %v", got)
	}
	if got := s.must(200, "GET", "/v1/credit-notes?organization_id="+other, nil).dataList(); len(got) != 0 {
		t.Errorf("another customer's credit notes: %v", got)
	}
	expectProblem(t, s.call("GET", "/v1/credit-notes?status=spent", nil), 422, "validation_error")

	// The customer's figures: what its credit notes have left (GOODWILL-7's 5.00 and the
	// re-issued 40.00), what they credited, what went back, its prepaid credit.
	o := s.must(200, "GET", "/v1/organizations/"+acme, nil)
	money := func(v any) string {
		list, _ := v.([]any)
		var out []string
		for _, m := range list {
			out = append(out, m.(map[string]any)["amount"].(string)+" "+m.(map[string]any)["currency"].(string))
		}
		return strings.Join(out, ",")
	}
	d := o.JSON["differences"].(map[string]any)
	if got := money(o.JSON["credit_notes_remaining"]); got != "45.00 SGD" {
		t.Errorf("credit notes remaining %q, want 45.00 SGD", got)
	}
	if got := money(d["credited"]); got != "135.00 SGD" {
		t.Errorf("credited %q, want 135.00 SGD (the void one left out)", got)
	}
	if got := money(d["refunded"]); got != "4.00 SGD" {
		t.Errorf("refunded %q", got)
	}
	if got := money(o.JSON["credit_balance"]); got != "6.00 SGD" {
		t.Errorf("credit balance %q", got)
	}
	// Outstanding: C-1 100 + C-2 0 + proforma 50 + 10 USD.
	if got := money(o.JSON["outstanding"]); got != "150.00 SGD,10.00 USD" {
		t.Errorf("outstanding %q", got)
	}

	// The statement: each credit note on its day, its void, refund and move into credit.
	st := s.must(200, "GET", "/v1/organizations/"+acme+"/statement", nil)
	var kinds []string
	for _, acct := range st.JSON["accounts"].([]any) {
		for _, l := range acct.(map[string]any)["lines"].([]any) {
			if k := l.(map[string]any)["type"].(string); strings.HasPrefix(k, "credit_note") {
				kinds = append(kinds, k+" "+l.(map[string]any)["amount"].(string))
			}
		}
	}
	for _, want := range []string{"credit_note -60.00", "credit_note_void 40.00", "credit_note_refund 4.00", "credit_note_to_credit 6.00"} {
		if !strings.Contains(strings.Join(kinds, ","), want) {
			t.Errorf("statement credit note lines %v, want %s among them", kinds, want)
		}
	}

	// What the trail and the events say, and the books, replayed, agree.
	if got := strings.Join(s.auditActions(id1), ","); !strings.HasPrefix(got, "credit_note.issued,") {
		t.Errorf("the credit note's trail: %s", got)
	}
	events := string(s.must(200, "GET", "/v1/events?limit=500", nil).Body)
	for _, typ := range []string{"credit_note.issued", "credit_note.applied", "credit_note.application_released", "credit_note.refunded",
		"credit_note.moved_to_credit", "credit_note.voided"} {
		if !strings.Contains(events, `"`+typ+`"`) {
			t.Errorf("no %s event", typ)
		}
	}
	s.checkBooksAndTrail()
	hledger := needTool(t, "hledger")
	file, _ := exportTo(t, s, "", "creditnotes.journal")
	run(t, hledger, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, hledger, file, "bs")
	if got := rows["liabilities:credit note:Acme"]; got != "45.00 SGD" {
		t.Errorf("hledger: liabilities:credit note:Acme is %q, want 45.00 SGD (all: %v)", got, rows)
	}
}
