package finapp

import (
	"testing"
)

func TestMatchingRule_Check(t *testing.T) {
	ok := func() MatchingRule {
		return MatchingRule{Name: "Acme by IBAN", OrganizationID: "org_1",
			Conditions: []RuleCondition{{Field: "counterparty_iban", Operator: "equals", Value: "DE89 3704 0044 0532 0130 00"}}}
	}
	for _, c := range []struct {
		name  string
		edit  func(*MatchingRule)
		field string // "" when accepted
	}{
		{"all there", func(*MatchingRule) {}, ""},
		{"no name", func(r *MatchingRule) { r.Name = " " }, "name"},
		{"any", func(r *MatchingRule) { r.Match = "any" }, ""},
		{"neither all nor any", func(r *MatchingRule) { r.Match = "most" }, "match"},
		{"no condition", func(r *MatchingRule) { r.Conditions = nil }, "conditions"},
		{"an unknown field", func(r *MatchingRule) { r.Conditions[0].Field = "colour" }, "conditions[0].field"},
		{"an unknown operator", func(r *MatchingRule) { r.Conditions[0].Operator = "like" }, "conditions[0].operator"},
		{"an empty value", func(r *MatchingRule) { r.Conditions[0].Value = "" }, "conditions[0].value"},
		{"a broken expression", func(r *MatchingRule) {
			r.Conditions[0] = RuleCondition{Field: "text", Operator: "regex", Value: "(inv"}
		}, "conditions[0].value"},
		{"between on text", func(r *MatchingRule) { r.Conditions[0] = RuleCondition{Field: "text", Operator: "between", Value: "a"} }, "conditions[0].operator"},
		{"contains on an amount", func(r *MatchingRule) {
			r.Conditions[0] = RuleCondition{Field: "amount", Operator: "contains", Value: "1"}
		}, "conditions[0].operator"},
		{"an amount that is not one", func(r *MatchingRule) {
			r.Conditions[0] = RuleCondition{Field: "amount", Operator: "equals", Value: "1e3"}
		}, "conditions[0].value"},
		{"between without its bound", func(r *MatchingRule) {
			r.Conditions[0] = RuleCondition{Field: "amount", Operator: "between", Value: "1.00"}
		}, "conditions[0].value"},
		{"no customer", func(r *MatchingRule) { r.OrganizationID = "" }, "organization_id"},
		{"an unknown allocation", func(r *MatchingRule) { r.Allocate = "newest_first" }, "allocate"},
		{"a NUL in a value", func(r *MatchingRule) { r.Conditions[0].Value = "a\x00" }, "conditions[0].value"},
		{"a bank fee up to 5.00", func(r *MatchingRule) { r.Settle, r.SettleUpTo = AdjustBankFee, "5.00" }, ""},
		{"a write-off up to 0.50", func(r *MatchingRule) { r.Settle, r.SettleUpTo = AdjustWriteOff, "0.50" }, ""},
		{"settled as a discount", func(r *MatchingRule) { r.Settle, r.SettleUpTo = AdjustDiscount, "5.00" }, "settle"},
		{"settled without a bound", func(r *MatchingRule) { r.Settle = AdjustBankFee }, "settle_up_to"},
		{"settled up to zero", func(r *MatchingRule) { r.Settle, r.SettleUpTo = AdjustBankFee, "0.00" }, "settle_up_to"},
		{"a bound that is not an amount", func(r *MatchingRule) { r.Settle, r.SettleUpTo = AdjustBankFee, "-5" }, "settle_up_to"},
		{"a bound without settle", func(r *MatchingRule) { r.SettleUpTo = "5.00" }, "settle"},
		{"settled but left unapplied", func(r *MatchingRule) {
			r.Settle, r.SettleUpTo, r.Allocate = AdjustBankFee, "5.00", RuleAllocateNone
		}, "settle"},
	} {
		r := ok()
		c.edit(&r)
		err := r.Check()
		if (c.field == "" && err != nil) || (c.field != "" && ErrorField(err) != c.field) {
			t.Errorf("%s: %v, want a refusal naming %q", c.name, err, c.field)
		}
	}
}

func TestMatchingRule_Matches(t *testing.T) {
	line := &BankLine{Amount: 12345, Currency: "EUR", CounterpartyName: "ACME Telecom GmbH", CounterpartyIBAN: "DE89370400440532013000",
		RemittanceText: "Payroll December", EndToEndID: "E2E-77"}
	for _, c := range []struct {
		name  string
		match string
		conds []RuleCondition
		want  bool
	}{
		{"IBAN written in groups", "all", []RuleCondition{{"counterparty_iban", "equals", "de89 3704 0044 0532 0130 00", ""}}, true},
		{"name contains, any case", "all", []RuleCondition{{"counterparty_name", "contains", "telecom", ""}}, true},
		{"text starts", "all", []RuleCondition{{"text", "starts", "PAYROLL", ""}}, true},
		{"text starts, not", "all", []RuleCondition{{"text", "starts", "December", ""}}, false},
		{"reference regex", "all", []RuleCondition{{"reference", "regex", `^e2e-\d+`, ""}}, true},
		{"amount equals", "all", []RuleCondition{{"amount", "equals", "123.45", ""}}, true},
		{"amount between", "all", []RuleCondition{{"amount", "between", "100", "200.00"}}, true},
		{"amount outside", "all", []RuleCondition{{"amount", "between", "1", "100"}}, false},
		{"all: one fails", "all", []RuleCondition{{"text", "contains", "payroll", ""}, {"amount", "equals", "1.00", ""}}, false},
		{"any: one holds", "any", []RuleCondition{{"text", "contains", "rent", ""}, {"amount", "equals", "123.45", ""}}, true},
	} {
		r := MatchingRule{Name: "r", Match: c.match, Conditions: c.conds, OrganizationID: "org_1"}
		if err := r.Check(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got, why := r.matches(line); got != c.want || (got && why == "") {
			t.Errorf("%s: %v %q, want %v", c.name, got, why, c.want)
		}
	}
}
