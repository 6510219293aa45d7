package api_test

import (
	"strings"
	"testing"
)

// Refunds (issue 15): money a payment holds unapplied goes back to the customer, never more than
// it holds, counted in the payment's figures, posted unapplied → cash, reversed only by a
// counter-entry; hledger, the conformance check and the audit replay agree with the books.
func TestRefund_PaysBackUnappliedMoneyOnly(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme", "SGD")
	inv := s.invoice(acme, "R-1", "standard", "30.00")
	pay := s.payment(acme, "100.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "30.00")})

	// Bad input: a 4xx naming the field, nothing written.
	before := s.booksFingerprint()
	for _, c := range []struct {
		body        map[string]any
		status      int
		code, field string
	}{
		{map[string]any{"amount": "70.01", "reason": "x"}, 409, "over_allocation", "amount"},
		{map[string]any{"amount": "0.00", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"amount": "-5.00", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"amount": "1.001", "reason": "x"}, 422, "validation_error", "amount"},
		{map[string]any{"amount": "5.00", "method": "wire", "reason": "x"}, 422, "validation_error", "method"},
		{map[string]any{"amount": "5.00", "reason": strings.Repeat("x", 501)}, 422, "validation_error", "reason"},
		{map[string]any{"amount": "5.00", "reason": "  "}, 422, "validation_error", "reason"},
		{map[string]any{"amount": "5.00"}, 422, "validation_error", "reason"},
	} {
		r := s.call("POST", "/v1/payments/"+pay+"/refunds", c.body)
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("refund %v: %d %s, want %d %s naming %s", c.body, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused refund wrote something")
	}

	r := s.must(201, "POST", "/v1/payments/"+pay+"/refunds", map[string]any{"amount": "50.00", "method": "bank_transfer", "reference": "DBS RET 7",
		"reason": "paid twice"})
	refund := r.str("id")
	if !strings.HasPrefix(refund, "rfd_") || r.Header.Get("Location") != "/v1/refunds/"+refund || r.str("amount") != "50.00" {
		t.Fatalf("refund: %s %v", r.Body, r.Header)
	}
	p := s.expectPayment(pay, "partially_allocated", "30.00", "0.00", "20.00")
	if p.str("refunded") != "50.00" || len(p.objectsOf("refunds")) != 1 {
		t.Fatalf("payment after the refund: %s", p.Body)
	}
	s.expectBalances(acme, "SGD", "0.00", "20.00", "0.00")
	if got := s.call("POST", "/v1/payments/"+pay+"/refunds", map[string]any{"amount": "20.01", "reason": "x"}); got.str("code") != "over_allocation" {
		t.Fatalf("a second refund above what is left: %s", got.Body)
	}
	// The rest goes back too when no amount is named: the payment holds nothing unapplied then.
	rest := s.must(201, "POST", "/v1/payments/"+pay+"/refunds", map[string]any{"reason": "closing the account"})
	if rest.str("amount") != "20.00" || rest.str("method") != "bank_transfer" {
		t.Fatalf("refund of the rest: %s", rest.Body)
	}
	s.expectPayment(pay, "fully_allocated", "30.00", "0.00", "0.00")

	// A payment that paid money back cannot be deleted or lose what it applied.
	expectProblem(t, s.call("DELETE", "/v1/payments/"+pay, nil), 409, "payment_in_use")
	expectProblem(t, s.call("PATCH", "/v1/payments/"+pay, map[string]any{"amount": "90.00"}), 409, "amount_below_applied")

	// The money came back: the counter-entry, once.
	rev := s.must(200, "POST", "/v1/refunds/"+refund+"/reversal", map[string]any{"reason": "the bank returned the transfer"})
	if rev.JSON["reversed_at"] == nil || rev.str("reversal_reason") != "the bank returned the transfer" {
		t.Fatalf("reversal: %s", rev.Body)
	}
	expectProblem(t, s.call("POST", "/v1/refunds/"+refund+"/reversal", map[string]any{"reason": "again"}), 409, "conflict")
	s.expectPayment(pay, "partially_allocated", "30.00", "0.00", "50.00")
	s.expectBalances(acme, "SGD", "0.00", "50.00", "0.00")
	if got := s.must(200, "GET", "/v1/refunds?payment_id="+pay, nil).dataList(); len(got) != 2 {
		t.Fatalf("the payment's refunds: %v", got)
	}

	// The customer's statement shows the money that went back and came back.
	st := s.must(200, "GET", "/v1/organizations/"+acme+"/statement", nil)
	acct := st.JSON["accounts"].([]any)[0].(map[string]any)
	var kinds []string
	for _, l := range acct["lines"].([]any) {
		kinds = append(kinds, l.(map[string]any)["type"].(string)+" "+l.(map[string]any)["amount"].(string))
	}
	if got := strings.Join(kinds, ", "); got != "invoice 30.00, payment -100.00, refund 50.00, refund 20.00, refund_reversed -50.00" ||
		acct["closing_balance"] != "-50.00" || acct["unapplied"] != "50.00" {
		t.Errorf("statement lines %s, closing %v, unapplied %v", got, acct["closing_balance"], acct["unapplied"])
	}

	if got := s.must(200, "GET", "/v1/organizations/"+acme, nil).JSON["differences"].(map[string]any)["refunded"].([]any); len(got) != 1 ||
		got[0].(map[string]any)["amount"] != "20.00" {
		t.Errorf("the organization's refunded: %v, want the 20.00 not returned", got)
	}

	// An unassigned payment's money can go back to its sender too.
	stray := s.payment("", "12.00", "SGD")
	s.must(201, "POST", "/v1/payments/"+stray+"/refunds", map[string]any{"reason": "not our customer"})

	// What the trail, the events and the ledger say.
	if got := strings.Join(s.auditActions(refund), ","); got != "refund.created,refund.reversed" {
		t.Errorf("refund's audit trail: %s", got)
	}
	events := string(s.must(200, "GET", "/v1/events?limit=100", nil).Body)
	if strings.Count(events, `"payment.refunded"`) != 3 || strings.Count(events, `"refund.reversed"`) != 1 {
		t.Errorf("events: %s", events)
	}
	s.checkBooksAndTrail()
	hledger := needTool(t, "hledger")
	file, _ := exportTo(t, s, "", "refunds.journal")
	run(t, hledger, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, hledger, file, "bs")
	// 112 received by bank transfer; 20 of Acme's and the stray 12 paid back that way (the
	// reversed 50 came back).
	if got := rows["assets:cash:bank_transfer"]; got != "80.00 SGD" || rows["liabilities:unapplied:Acme"] != "50.00 SGD" {
		t.Errorf("hledger's balance sheet %v, want cash:bank_transfer 80.00 SGD and Acme's unapplied 50.00 SGD", rows)
	}
}
