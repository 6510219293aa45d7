package api_test

import (
	"testing"
)

// Withdrawals pay out only the customer's own money (balance less reserved, never the credit
// limit), post credit → cash, and come back by a reversal that leaves them on record; bad input
// is refused naming the field, and nothing is written.
func TestWithdrawals_OwnMoneyOnlyAndReversedOnce(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Prepaid Cloud Pte Ltd", "SGD")
	s.fund(org, "50.00")
	s.must(200, "PUT", "/v1/organizations/"+org+"/settings", map[string]any{"billing_mode": "prepaid",
		"credit_limit": map[string]string{"SGD": "100.00"}})
	s.must(201, "POST", "/v1/organizations/"+org+"/reservations", map[string]any{"amount": "20.00", "currency": "SGD"})
	path := "/v1/organizations/" + org + "/withdrawals"
	body := func(amount, currency string) map[string]any {
		return map[string]any{"amount": amount, "currency": currency, "method": "bank_transfer", "reason": "account closed"}
	}

	// 50.00 balance, 20.00 reserved: 30.00 is the customer's to take, not the 100.00 limit.
	r := s.call("POST", path, body("30.01", "SGD"))
	expectFieldProblem(t, r, "insufficient_credit", "amount")
	if r.Status != 409 {
		t.Fatalf("over the own money: %d %s", r.Status, r.Body)
	}
	for _, b := range []struct {
		body  map[string]any
		field string
	}{
		{body("0", "SGD"), "amount"},
		{body("-5.00", "SGD"), "amount"},
		{body("1.001", "SGD"), "amount"},
		{body("5.00", "EUR"), "currency"}, // no credit in EUR
		{body("5.00", "XYZ"), "currency"},
		{map[string]any{"amount": "5.00", "currency": "SGD", "method": "pigeon", "reason": "r"}, "method"},
		{map[string]any{"amount": "5.00", "currency": "SGD", "method": "cash", "reason": ""}, "reason"},
	} {
		r := s.call("POST", path, b.body)
		if r.Status != 422 {
			t.Errorf("%v: %d %s", b.body, r.Status, r.Body)
			continue
		}
		expectFieldProblem(t, r, "validation_error", b.field)
	}
	if list := s.must(200, "GET", path, nil).dataList(); len(list) != 0 {
		t.Fatalf("refused withdrawals were written: %v", list)
	}

	w := s.must(201, "POST", path, body("30.00", "SGD"))
	if w.str("amount") != "30.00" || w.JSON["reversed_at"] != nil || w.Header.Get("Location") != "/v1/withdrawals/"+w.str("id") {
		t.Fatalf("withdrawal: %s", w.Body)
	}
	if f := s.creditOf(org, "SGD"); f["balance"] != "20.00" || f["reserved"] != "20.00" || f["usable"] != "100.00" {
		t.Fatalf("after the withdrawal: %v", f)
	}
	if ops := s.journalOps(org); ops["credit.withdrawn"] != 1 {
		t.Errorf("journal entries on the customer's accounts: %v", ops)
	}
	r = s.call("POST", path, body("0.01", "SGD"))
	expectFieldProblem(t, r, "insufficient_credit", "amount")

	// The money came back: the counter-entry restores the credit, once.
	back := s.must(200, "POST", "/v1/withdrawals/"+w.str("id")+"/reversal", map[string]any{"reason": "the bank returned it"})
	if back.JSON["reversed_at"] == nil || back.str("reversal_reason") != "the bank returned it" {
		t.Fatalf("reversal: %s", back.Body)
	}
	if f := s.creditOf(org, "SGD"); f["balance"] != "50.00" {
		t.Fatalf("after the reversal: %v", f)
	}
	again := s.call("POST", "/v1/withdrawals/"+w.str("id")+"/reversal", map[string]any{"reason": "twice"})
	if again.Status != 409 || again.str("code") != "conflict" {
		t.Fatalf("a second reversal: %d %s", again.Status, again.Body)
	}
	if got := s.must(200, "GET", "/v1/withdrawals/"+w.str("id"), nil); got.JSON["reversed_at"] == nil {
		t.Fatalf("the withdrawal is no longer on record as reversed: %s", got.Body)
	}
	if list := s.must(200, "GET", path, nil).dataList(); len(list) != 1 {
		t.Fatalf("withdrawals listed: %v", list)
	}
}

// hledger agrees with finapp on every customer's credit account after top-ups, captures,
// withdrawals, a reversal and an automatic top-up paid: the export passes check --strict and
// each liabilities:credit:<customer> row is the balance GET …/credit answers.
func TestCredit_HledgerAgreesOnEveryCreditAccount(t *testing.T) {
	bin := needTool(t, "hledger")
	s := newTestServer(t)
	a, b := s.org("Alpha Mobile", "SGD"), s.org("Beta Voice", "SGD")
	s.fund(a, "80.00")
	s.fund(b, "40.00")
	s.must(200, "PUT", "/v1/organizations/"+b+"/settings", map[string]any{"billing_mode": "prepaid",
		"auto_top_up": map[string]any{"enabled": true, "threshold": "30.00", "amount": "60.00"}})
	for _, org := range []string{a, b} {
		rsv := s.must(201, "POST", "/v1/organizations/"+org+"/reservations", map[string]any{"amount": "15.00", "currency": "SGD"})
		s.must(200, "POST", "/v1/reservations/"+rsv.str("id")+"/capture", map[string]any{"amount": "12.34"})
	}
	w := s.must(201, "POST", "/v1/organizations/"+a+"/withdrawals", map[string]any{"amount": "10.00", "currency": "SGD",
		"method": "bank_transfer", "reason": "asked back"})
	s.must(200, "POST", "/v1/withdrawals/"+w.str("id")+"/reversal", map[string]any{"reason": "returned"})
	s.must(201, "POST", "/v1/organizations/"+a+"/withdrawals", map[string]any{"amount": "5.55", "currency": "SGD",
		"method": "cash", "reason": "asked back"})
	// Beta fell to 27.66 usable: its automatic top-up invoice, paid, provisions 60.00.
	invoices := s.must(200, "GET", "/v1/invoices?organization_id="+b+"&kind=top_up", nil).dataList()
	if len(invoices) != 1 || invoices[0]["total"] != "60.00" {
		t.Fatalf("automatic top-up invoices of Beta: %v", invoices)
	}
	pay := s.payment(b, "60.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(invoices[0]["id"].(string), "60.00")})

	file, _ := exportTo(t, s, "", "credit.journal")
	run(t, bin, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, bin, file, "bs")
	for name, org := range map[string]string{"Alpha Mobile": a, "Beta Voice": b} {
		want := s.creditOf(org, "SGD")["balance"].(string) + " SGD"
		if got := rows["liabilities:credit:"+name]; got != want {
			t.Errorf("%s's credit in hledger %q, finapp %q", name, got, want)
		}
	}
	if got := s.creditOf(a, "SGD")["balance"]; got != "62.11" {
		t.Errorf("Alpha's credit %v, want 80.00 − 12.34 − 5.55 = 62.11", got)
	}
	if got := s.creditOf(b, "SGD")["balance"]; got != "87.66" {
		t.Errorf("Beta's credit %v, want 40.00 − 12.34 + 60.00 = 87.66", got)
	}
}
