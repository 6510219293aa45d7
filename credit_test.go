package finapp

import (
	"testing"

	"finapp/money"
)

func TestCreditSettings_Check(t *testing.T) {
	prepaid := func(limits map[string]string, top AutoTopUpInput) CreditSettingsInput {
		return CreditSettingsInput{BillingMode: BillingPrepaid, CreditLimits: limits, AutoTopUp: top}
	}
	for _, c := range []struct {
		name  string
		in    CreditSettingsInput
		field string // "" when accepted
	}{
		{"postpaid, nothing else", CreditSettingsInput{BillingMode: BillingPostpaid}, ""},
		{"prepaid with limits and a top-up", prepaid(map[string]string{"SGD": "100.00", "JPY": "5000", "USD": "0"},
			AutoTopUpInput{Enabled: true, Threshold: "20.00", Amount: "100.00"}), ""},
		{"a top-up set up but off", CreditSettingsInput{BillingMode: BillingPostpaid,
			AutoTopUp: AutoTopUpInput{Threshold: "5.00", Amount: "50.00"}}, ""},
		{"no billing mode", CreditSettingsInput{}, "billing_mode"},
		{"an unknown billing mode", CreditSettingsInput{BillingMode: "pay-as-you-go"}, "billing_mode"},
		{"a limit in no currency", prepaid(map[string]string{"XYZ": "1.00"}, AutoTopUpInput{}), "credit_limit.XYZ"},
		{"a limit's code in small letters", prepaid(map[string]string{"sgd": "1.00"}, AutoTopUpInput{}), "credit_limit.sgd"},
		{"a negative limit", prepaid(map[string]string{"SGD": "-1.00"}, AutoTopUpInput{}), "credit_limit.SGD"},
		{"a limit finer than the currency", prepaid(map[string]string{"SGD": "1.005"}, AutoTopUpInput{}), "credit_limit.SGD"},
		{"a fraction of yen", prepaid(map[string]string{"JPY": "1.5"}, AutoTopUpInput{}), "credit_limit.JPY"},
		{"a limit as words", prepaid(map[string]string{"SGD": "lots"}, AutoTopUpInput{}), "credit_limit.SGD"},
		{"a top-up without an amount", prepaid(nil, AutoTopUpInput{Enabled: true}), "auto_top_up.amount"},
		{"a top-up of zero", prepaid(nil, AutoTopUpInput{Enabled: true, Amount: "0.00"}), "auto_top_up.amount"},
		{"a top-up finer than the currency", prepaid(nil, AutoTopUpInput{Enabled: true, Amount: "10.001"}), "auto_top_up.amount"},
		{"a negative threshold", prepaid(nil, AutoTopUpInput{Enabled: true, Threshold: "-5", Amount: "10"}), "auto_top_up.threshold"},
		{"a top-up in no currency", prepaid(nil, AutoTopUpInput{Enabled: true, Currency: "EURO", Amount: "10"}), "auto_top_up.currency"},
		{"a postpaid customer topping up", CreditSettingsInput{BillingMode: BillingPostpaid,
			AutoTopUp: AutoTopUpInput{Enabled: true, Amount: "10.00"}}, "auto_top_up.enabled"},
	} {
		got, err := c.in.check("SGD")
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && ErrorField(err) != c.field:
			t.Errorf("%s: %v, want a refusal naming %s", c.name, err, c.field)
		case c.field == "" && got.BillingMode != c.in.BillingMode:
			t.Errorf("%s: billing mode %q", c.name, got.BillingMode)
		}
	}

	// What is accepted is kept exactly, in minor units; the top-up's currency defaults to the
	// customer's billing currency.
	got, err := prepaid(map[string]string{"SGD": "100.50", "JPY": "5000"}, AutoTopUpInput{Enabled: true, Threshold: "20", Amount: "100.00"}).check("SGD")
	if err != nil {
		t.Fatal(err)
	}
	want := map[money.Currency]money.Amount{"SGD": 10050, "JPY": 5000}
	if len(got.CreditLimits) != 2 || got.CreditLimits["SGD"] != want["SGD"] || got.CreditLimits["JPY"] != want["JPY"] {
		t.Errorf("limits %v, want %v", got.CreditLimits, want)
	}
	if a := got.AutoTopUp; !a.Enabled || a.Currency != "SGD" || a.Threshold != 2000 || a.Amount != 10000 {
		t.Errorf("auto top-up %+v", a)
	}
}
