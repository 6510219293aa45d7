package api_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"finapp"
	"finapp/conformance"
)

// adjust is an adjustment line of an allocation request.
func adjust(invoiceID, amount, kind, reason string) map[string]any {
	return map[string]any{"invoice_id": invoiceID, "amount": amount, "kind": kind, "reason": reason}
}

// money is a money line of an allocation request.
func moneyLine(invoiceID, amount string) map[string]any {
	return map[string]any{"invoice_id": invoiceID, "amount": amount}
}

// Adjustment lines (issue 15, item 1): beside the money of an allocation request, a write-off
// (within the workspace's tolerance for the currency, counted over the invoice), a bank fee or a
// discount settles part of an invoice without money, all or nothing with the money; releasing the
// money releases the payment's adjustments of that invoice; a top-up invoice provisions only what
// money paid. hledger, the conformance check and the audit replay agree with the books.
func TestAdjustment_SettlesTheDifferenceOnPurpose(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme", "SGD")
	a1 := s.invoice(acme, "A-1", "standard", "100.00")
	pay := s.payment(acme, "99.98", "SGD")
	alloc := func(payID string, lines ...map[string]any) *response {
		return s.call("POST", "/v1/payments/"+payID+"/allocations", map[string]any{"allocations": lines})
	}

	// Bad input and refusals: the problem names the line's field; nothing is written.
	before := s.booksFingerprint()
	for _, c := range []struct {
		lines       []map[string]any
		status      int
		code, field string
	}{
		{[]map[string]any{moneyLine(a1, "99.98"), adjust(a1, "0.02", "write_off", "rounding")}, 409, "over_tolerance", "allocations[1].amount"},
		{[]map[string]any{adjust(a1, "1.00", "gift", "x")}, 422, "validation_error", "body.allocations[0].kind"},
		{[]map[string]any{adjust(a1, "0.00", "bank_fee", "x")}, 422, "validation_error", "allocations[0].amount"},
		{[]map[string]any{adjust(a1, "-1.00", "bank_fee", "x")}, 422, "validation_error", "allocations[0].amount"},
		{[]map[string]any{adjust(a1, "1.001", "bank_fee", "x")}, 422, "validation_error", "allocations[0].amount"},
		{[]map[string]any{adjust(a1, "1.00", "bank_fee", " ")}, 422, "validation_error", "allocations[0].reason"},
		{[]map[string]any{{"invoice_id": a1, "amount": "1.00", "reason": "why"}}, 422, "validation_error", "allocations[0].reason"},
		{[]map[string]any{moneyLine(a1, "99.00"), adjust(a1, "1.01", "bank_fee", "fee")}, 409, "over_allocation", "allocations[1].amount"},
	} {
		r := alloc(pay, c.lines...)
		if r.Status != c.status || r.str("code") != c.code || !strings.Contains(string(r.Body), c.field) {
			t.Errorf("allocate %v: %d %s, want %d %s naming %s", c.lines, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused allocation wrote something")
	}

	// Tolerances: admin only, per currency, checked.
	expectProblem(t, s.call("PUT", "/v1/settings/tolerances", map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "0.05"}}}), 403, "forbidden")
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"tolerances": []any{map[string]any{"currency": "QQQ", "amount": "1.00"}}}, "tolerances[0].currency"},
		{map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "0.001"}}}, "tolerances[0].amount"},
		{map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "-1"}}}, "tolerances[0].amount"},
		{map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "1"}, map[string]any{"currency": "SGD", "amount": "2"}}}, "tolerances[1].currency"},
	} {
		r := s.call("PUT", "/v1/settings/tolerances", c.body, s.asAdmin()...)
		if r.Status != 422 || r.str("field") != c.field {
			t.Errorf("tolerances %v: %d %s, want 422 naming %s", c.body, r.Status, r.Body, c.field)
		}
	}
	s.must(200, "PUT", "/v1/settings/tolerances", map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "0.05"},
		map[string]any{"currency": "JPY", "amount": "0"}}}, s.asAdmin()...)
	if got := string(s.must(200, "GET", "/v1/settings/tolerances", nil).Body); !strings.Contains(got, `{"currency":"JPY","amount":"0"},{"currency":"SGD","amount":"0.05"}`) {
		t.Fatalf("tolerances: %s", got)
	}

	// The customer paid 99.98 of 100.00: the 0.02 is written off in the same request.
	r := alloc(pay, moneyLine(a1, "99.98"), adjust(a1, "0.02", "write_off", "rounding by the customer"))
	if r.Status != 200 {
		t.Fatalf("allocate with a write-off: %d %s", r.Status, r.Body)
	}
	s.expectInvoice(a1, "paid", "99.98", "0.00")
	if got := s.fetchInvoice(a1).str("amount_adjusted"); got != "0.02" {
		t.Fatalf("amount_adjusted %s", got)
	}
	p := s.expectPayment(pay, "fully_allocated", "99.98", "0.00", "0.00")
	var kinds []string
	for _, a := range p.objectsOf("allocations") {
		kinds = append(kinds, a["kind"].(string)+" "+a["amount"].(string)+" "+stringOr(a["reason"]))
	}
	if got := strings.Join(kinds, ", "); got != "payment 99.98 , write_off 0.02 rounding by the customer" {
		t.Fatalf("the payment's allocations: %s", got)
	}
	if all := p.objectsOf("allocations"); all[1]["with_allocation_id"] != all[0]["id"] {
		t.Fatalf("the write-off made with the money does not name it: %v", all)
	}

	// Tolerance counts over the invoice: two small write-offs cannot pass where one would not.
	a3 := s.invoice(acme, "A-3", "standard", "10.00")
	pay3 := s.payment(acme, "9.93", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay3+"/allocations", map[string]any{"allocations": []any{moneyLine(a3, "9.93"), adjust(a3, "0.03", "write_off", "rounding")}})
	r = alloc(pay3, adjust(a3, "0.03", "write_off", "more rounding"))
	expectProblem(t, r, 409, "over_tolerance")
	if !strings.Contains(r.str("detail"), "0.05 SGD") || !strings.Contains(r.str("detail"), "0.03 SGD of it already") {
		t.Errorf("over_tolerance detail: %s", r.str("detail"))
	}
	s.must(200, "POST", "/v1/payments/"+pay3+"/allocations", map[string]any{"allocations": []any{adjust(a3, "0.02", "write_off", "rounding"),
		adjust(a3, "0.02", "discount", "loyalty")}})
	s.expectInvoice(a3, "paid", "9.93", "0.00")

	// A bank fee has no tolerance: the bank says what it took.
	a2 := s.invoice(acme, "A-2", "standard", "50.00")
	pay2 := s.payment(acme, "48.50", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay2+"/allocations", map[string]any{"allocations": []any{moneyLine(a2, "48.50"), adjust(a2, "1.50", "bank_fee", "DBS charges")}})
	s.expectInvoice(a2, "paid", "48.50", "0.00")

	// An invoice settled without money cannot be voided while the adjustment stands.
	v1 := s.invoice(acme, "V-1", "standard", "20.00")
	s.must(200, "POST", "/v1/payments/"+pay2+"/allocations", map[string]any{"allocations": []any{adjust(v1, "20.00", "discount", "goodwill")}})
	s.expectInvoice(v1, "paid", "0.00", "0.00")
	expectProblem(t, s.call("POST", "/v1/invoices/"+v1+"/void", nil), 409, "invoice_has_payments")

	// A top-up invoice paid 98.00 with a 2.00 bank fee provisions the 98.00 money paid.
	t1 := s.invoice(acme, "T-1", "top_up", "100.00")
	payT := s.payment(acme, "98.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+payT+"/allocations", map[string]any{"allocations": []any{moneyLine(t1, "98.00"), adjust(t1, "2.00", "bank_fee", "wire fee")}})
	s.expectInvoice(t1, "provisioned", "98.00", "0.00")
	s.expectBalances(acme, "SGD", "0.00", "0.00", "98.00")

	// Releasing the money releases the payment's write-off of that invoice with it.
	s.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+s.allocationOfKind(pay, "payment"), nil)
	s.expectInvoice(a1, "unpaid", "0.00", "100.00")
	if got := s.fetchInvoice(a1).str("amount_adjusted"); got != "0.00" {
		t.Fatalf("amount_adjusted after the release: %s", got)
	}
	// An adjustment made alone stays when money of the same invoice is released; it can be
	// released by its own id.
	s.must(200, "DELETE", "/v1/payments/"+pay3+"/allocations/"+s.allocationOfKind(pay3, "payment"), nil)
	if got := s.fetchInvoice(a3); got.str("amount_adjusted") != "0.04" || got.str("amount_due") != "9.96" {
		t.Fatalf("A-3 after releasing its money: %s", got.Body)
	}
	s.must(200, "POST", "/v1/payments/"+pay3+"/allocations", map[string]any{"allocations": []any{moneyLine(a3, "9.93")}})
	s.must(200, "POST", "/v1/payments/"+pay3+"/allocations", map[string]any{"allocations": []any{adjust(a3, "0.03", "write_off", "rounding")}})
	s.must(200, "DELETE", "/v1/payments/"+pay2+"/allocations/"+s.allocationOfKind(pay2, "discount"), nil)
	s.expectInvoice(v1, "unpaid", "0.00", "20.00")
	s.expectInvoice(a2, "paid", "48.50", "0.00")
	s.must(200, "POST", "/v1/invoices/"+v1+"/void", nil)

	// The customer's statement shows each difference on its own line.
	st := s.must(200, "GET", "/v1/organizations/"+acme+"/statement", nil)
	acct := st.JSON["accounts"].([]any)[0].(map[string]any)
	counts := map[string]int{}
	for _, l := range acct["lines"].([]any) {
		counts[l.(map[string]any)["type"].(string)]++
	}
	if counts["write_off"] != 4 || counts["bank_fee"] != 2 || counts["discount"] != 2 || counts["adjustment_released"] != 3 {
		t.Errorf("statement line types %v", counts)
	}
	if acct["open_invoices"] != "100.00" || acct["unapplied"] != "99.98" {
		t.Errorf("statement footer: open %v, unapplied %v", acct["open_invoices"], acct["unapplied"])
	}
	// The customer's page says what each way of settling did.
	diff, _ := json.Marshal(s.must(200, "GET", "/v1/organizations/"+acme, nil).JSON["differences"])
	if want := `{"bank_fees":[{"amount":"3.50","currency":"SGD"}],"credited":[],"discounts":[{"amount":"0.02","currency":"SGD"}],"refunded":[],"written_off":[{"amount":"0.05","currency":"SGD"}]}`; string(diff) != want {
		t.Errorf("the organization's differences: %s, want %s", diff, want)
	}
	if list := string(s.must(200, "GET", "/v1/organizations", nil).Body); strings.Contains(list, "differences") {
		t.Errorf("the list carries the differences, read one organization at a time: %s", list)
	}
	events := string(s.must(200, "GET", "/v1/events?type=invoice.adjusted&limit=100", nil).Body)
	if strings.Count(events, `"invoice.adjusted"`) != 8 {
		t.Errorf("invoice.adjusted events: %s", events)
	}

	s.checkBooksAndTrail()
	hledger := needTool(t, "hledger")
	file, _ := exportTo(t, s, "", "adjustments.journal")
	run(t, hledger, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, hledger, file, "bs")
	_, income := hledgerReport(t, hledger, file, "is")
	maps.Copy(rows, income)
	// Standing: A-2's 1.50 bank fee, A-3's 0.05 write-off and 0.02 discount. The released write-off
	// and discount cost nothing; T-1's bank fee came out of the top-up, not the business.
	for account, want := range map[string]string{"expenses:bank fee": "1.50 SGD", "expenses:write off": "0.05 SGD", "expenses:discount": "0.02 SGD",
		"liabilities:credit:Acme": "98.00 SGD", "liabilities:topup clearing": "0"} {
		if got := rows[account]; got != want && !(want == "0" && got == "") {
			t.Errorf("hledger: %s is %q, want %s (all: %v)", account, got, want, rows)
		}
	}
}

// allocationOfKind is the id of the payment's last active allocation of kind.
func (s *testServer) allocationOfKind(payID, kind string) string {
	s.t.Helper()
	id := ""
	for _, a := range s.fetchPayment(payID).objectsOf("allocations") {
		if a["kind"] == kind && a["released_at"] == nil {
			id = a["id"].(string)
		}
	}
	if id == "" {
		s.t.Fatalf("payment %s has no active allocation of kind %s", payID, kind)
	}
	return id
}

// checkBooksAndTrail fails the test unless the conformance check of the books and the replay of
// the audit trail both find nothing wrong.
func (s *testServer) checkBooksAndTrail() {
	s.t.Helper()
	ctx := operator(context.Background(), finapp.DefaultWorkspace)
	if bad, err := conformance.CheckBooks(ctx, s.Svc); err != nil || len(bad) > 0 {
		s.t.Fatalf("the books: %v %v", err, bad)
	}
	if mismatches, _, err := s.Svc.ReplayBooks(ctx); err != nil || len(mismatches) > 0 {
		s.t.Fatalf("the audit replay: %v %v", err, mismatches)
	}
}

func stringOr(v any) string {
	s, _ := v.(string)
	return s
}
