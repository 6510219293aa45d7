package api_test

import (
	"strings"
	"testing"
)

// Cross-currency allocation (issue 15, item 2): a USD payment pays SGD invoices at a stated rate;
// the invoice receives the amount converted, rounded half away from zero to its minor units; the
// journal balances per currency through conversion:USD-SGD; what the rate leaves due is written
// off as an fx_difference within the tolerance; a release reverses both sides.
func TestConversion_PaysAnInvoiceInAnotherCurrencyAtARate(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme", "SGD")
	i1 := s.invoice(acme, "X-1", "standard", "135.00")
	i2 := s.invoice(acme, "X-2", "standard", "50.00")
	pay := s.payment(acme, "137.00", "USD")
	s.must(200, "PUT", "/v1/settings/tolerances", map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "0.05"}}}, s.asAdmin()...)
	alloc := func(lines ...map[string]any) *response {
		return s.call("POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": lines})
	}
	sgdPay := s.payment(acme, "10.00", "SGD")

	before := s.booksFingerprint()
	for _, c := range []struct {
		payID       string
		lines       []map[string]any
		status      int
		code, field string
	}{
		{pay, []map[string]any{{"invoice_id": i1, "amount": "100.00"}}, 422, "currency_mismatch", "allocations[0]"},
		{pay, []map[string]any{{"invoice_id": i1, "amount": "100.00", "rate": "0"}}, 422, "validation_error", "allocations[0].rate"},
		{pay, []map[string]any{{"invoice_id": i1, "amount": "100.00", "rate": "1." + strings.Repeat("3", 39)}}, 422, "validation_error", "allocations[0].rate"},
		{pay, []map[string]any{{"invoice_id": i1, "amount": "100.00", "rate": "1,35"}}, 422, "validation_error", "allocations[0].rate"},
		{pay, []map[string]any{{"invoice_id": i1, "amount": "101.00", "rate": "1.35"}}, 409, "over_allocation", "allocations[0]"},
		{pay, []map[string]any{{"invoice_id": i1, "amount": "0.01", "rate": "0.0001"}}, 422, "validation_error", "allocations[0].amount"},
		{pay, []map[string]any{adjust(i1, "1.00", "fx_difference", "rate"), {"invoice_id": i1, "amount": "1.00", "kind": "bank_fee", "reason": "x", "rate": "1.35"}}, 422, "validation_error", "allocations[1].rate"},
		{sgdPay, []map[string]any{{"invoice_id": i1, "amount": "5.00", "rate": "1.35"}}, 422, "validation_error", "allocations[0].rate"},
		{sgdPay, []map[string]any{adjust(i1, "0.01", "fx_difference", "rate")}, 422, "validation_error", "allocations[0].kind"},
	} {
		r := s.call("POST", "/v1/payments/"+c.payID+"/allocations", map[string]any{"allocations": c.lines})
		if r.Status != c.status || r.str("code") != c.code || r.str("field") != c.field {
			t.Errorf("allocate %v: %d %s, want %d %s naming %s", c.lines, r.Status, r.Body, c.status, c.code, c.field)
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("a refused allocation wrote something")
	}

	// 100.00 USD at 1.35 pays X-1's 135.00 SGD; 37.00 USD at 1.3512 is 49.9944, so X-2 receives
	// 49.99 and the cent the rate leaves is an fx difference.
	if r := alloc(map[string]any{"invoice_id": i1, "amount": "100.00", "rate": "1.35"}, map[string]any{"invoice_id": i2, "amount": "37.00", "rate": "1.3512"},
		adjust(i2, "0.01", "fx_difference", "rate rounding")); r.Status != 200 {
		t.Fatalf("allocate across currencies: %d %s", r.Status, r.Body)
	}
	s.expectInvoice(i1, "paid", "135.00", "0.00")
	s.expectInvoice(i2, "paid", "49.99", "0.00")
	p := s.expectPayment(pay, "fully_allocated", "137.00", "0.00", "0.00")
	var got []string
	for _, a := range p.objectsOf("allocations") {
		got = append(got, a["amount"].(string)+" "+a["currency"].(string)+" → "+a["invoice_amount"].(string)+" "+a["invoice_currency"].(string)+" @"+stringOr(a["rate"]))
	}
	if g := strings.Join(got, ", "); g != "100.00 USD → 135.00 SGD @1.35, 37.00 USD → 49.99 SGD @1.3512, 0.01 SGD → 0.01 SGD @" {
		t.Fatalf("allocations: %s", g)
	}
	s.expectBalances(acme, "SGD", "0.00", "10.00", "0.00")
	s.expectBalances(acme, "USD", "0.00", "0.00", "0.00")

	// The statement shows the conversion in both currencies, and both close at zero.
	st := s.must(200, "GET", "/v1/organizations/"+acme+"/statement", nil)
	for _, a := range st.JSON["accounts"].([]any) {
		acct := a.(map[string]any)
		var lines []string
		for _, l := range acct["lines"].([]any) {
			lines = append(lines, l.(map[string]any)["type"].(string)+" "+l.(map[string]any)["amount"].(string))
		}
		want := map[string]string{"SGD": "invoice 135.00, invoice 50.00, payment -10.00, fx_difference -0.01, currency_conversion -135.00, currency_conversion -49.99",
			"USD": "payment -137.00, currency_conversion 100.00, currency_conversion 37.00"}[acct["currency"].(string)]
		if g := strings.Join(lines, ", "); g != want || (acct["currency"] == "USD" && acct["closing_balance"] != "0.00") {
			t.Errorf("%v statement: %s closing %v, want %s", acct["currency"], g, acct["closing_balance"], want)
		}
	}

	// Releasing X-2's converted money reverses both sides, and the fx difference made with it.
	s.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+s.allocationOfKind(pay, "payment"), nil)
	s.expectInvoice(i2, "unpaid", "0.00", "50.00")
	s.expectInvoice(i1, "paid", "135.00", "0.00")
	s.expectPayment(pay, "partially_allocated", "100.00", "0.00", "37.00")

	s.checkBooksAndTrail()
	hledger := needTool(t, "hledger")
	file, _ := exportTo(t, s, "", "conversions.journal")
	run(t, hledger, "-f", file, "check", "--strict")
	_, rows := hledgerReport(t, hledger, file, "bse")
	if got := rows["equity:conversion:USD-SGD"]; got != "-135.00 SGD, 100.00 USD" && got != "100.00 USD, -135.00 SGD" {
		t.Errorf("hledger: equity:conversion:USD-SGD is %q (all: %v)", got, rows)
	}
}
