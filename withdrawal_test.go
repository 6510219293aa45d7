package finapp

import (
	"testing"

	"finapp/money"
)

func TestWithdrawalCreate_Check(t *testing.T) {
	ok := WithdrawalCreate{Amount: "10.00", Currency: "SGD", Method: "bank_transfer", Reason: "account closed"}
	for _, c := range []struct {
		name  string
		edit  func(*WithdrawalCreate)
		field string // "" when accepted
	}{
		{"all there", func(*WithdrawalCreate) {}, ""},
		{"no currency", func(w *WithdrawalCreate) { w.Currency = "" }, "currency"},
		{"a currency in small letters", func(w *WithdrawalCreate) { w.Currency = "sgd" }, "currency"},
		{"zero", func(w *WithdrawalCreate) { w.Amount = "0.00" }, "amount"},
		{"negative", func(w *WithdrawalCreate) { w.Amount = "-1.00" }, "amount"},
		{"finer than the currency", func(w *WithdrawalCreate) { w.Amount = "1.001" }, "amount"},
		{"an unknown method", func(w *WithdrawalCreate) { w.Method = "carrier_pigeon" }, "method"},
		{"no reason", func(w *WithdrawalCreate) { w.Reason = " " }, "reason"},
		{"a reference too long", func(w *WithdrawalCreate) { w.Reference = string(make([]byte, 201)) }, "reference"},
	} {
		in := ok
		c.edit(&in)
		_, err := in.check()
		if (c.field == "" && err != nil) || (c.field != "" && ErrorField(err) != c.field) {
			t.Errorf("%s: %v, want a refusal naming %q", c.name, err, c.field)
		}
	}
}

func TestCheckWithdrawable(t *testing.T) {
	fig := func(balance, reserved, limit money.Amount) []CreditFigure {
		return creditFigures(map[money.Currency]money.Sum{"SGD": money.SumOf(balance)},
			map[money.Currency]money.Sum{"SGD": money.SumOf(reserved)}, map[money.Currency]money.Amount{"SGD": limit})
	}
	for _, c := range []struct {
		name    string
		figures []CreditFigure
		amount  money.Amount
		code    string // "" when allowed
	}{
		{"all of the balance", fig(1000, 0, 0), 1000, ""},
		{"part of it", fig(1000, 0, 0), 1, ""},
		{"more than the balance", fig(1000, 0, 0), 1001, EInsufficientCredit},
		{"what is reserved stays", fig(1000, 400, 0), 601, EInsufficientCredit},
		{"beside what is reserved", fig(1000, 400, 0), 600, ""},
		{"the credit limit is not the customer's money", fig(0, 0, 5000), 1, EInsufficientCredit},
		{"a balance below zero", fig(-100, 0, 5000), 1, EInsufficientCredit},
		{"no credit in the currency at all", nil, 1, EInvalid},
	} {
		err := checkWithdrawable(c.figures, &Withdrawal{Amount: c.amount, Currency: "SGD"})
		if got := ErrorCode(err); got != c.code {
			t.Errorf("%s: %v, want %q", c.name, err, c.code)
		}
	}
}

func TestAutoTopUpNumber(t *testing.T) {
	if got := autoTopUpNumber("org_01jd8x0c9v7p8x2k3m4n5q6r7s", "2026-12-05"); got != "TOPUP-20261205-01jd8x0c9v7p8x2k3m4n5q6r7s" {
		t.Errorf("number %q", got)
	}
	if n := autoTopUpNumber("org_01jd8x0c9v7p8x2k3m4n5q6r7s", "2026-12-05"); len(n) > 64 {
		t.Errorf("%q is longer than an invoice number may be", n)
	}
}
