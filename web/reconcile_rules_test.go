package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"finapp"
)

// Matching rules → a rule that settles a small shortfall as a bank fee: without its bound it is
// refused next to the field, with what was typed kept; with it, saved and described in the list.
func TestMatchingRules_SettleAsBankFee(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	org := w.org("PSP customer", "EUR")
	form := url.Values{"name": {"Through the PSP"}, "organization_id": {org.ID}, "field_0": {"counterparty_name"}, "operator_0": {"contains"},
		"value_0": {"PSP"}, "allocate": {"oldest_first"}, "settle": {"bank_fee"}}
	status, body, _ := b.do("POST", "/reconcile/rules", form)
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `aria-invalid="true"`) ||
		!strings.Contains(body, "is required with settle") || !strings.Contains(body, `<option value="bank_fee" selected>`) {
		t.Fatalf("settle without its bound: %d\n%s", status, body)
	}
	if rules, err := w.svc.MatchingRules(w.ctx); err != nil || len(rules) != 0 {
		t.Fatalf("a refused rule was kept: %v %v", rules, err)
	}
	form.Set("settle_up_to", "5.00")
	status, _, loc := b.do("POST", "/reconcile/rules", form)
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, body, _ = b.do("GET", loc, nil)
	if !strings.Contains(body, "a shortfall up to 5.00 settled as a bank fee") {
		t.Fatalf("the rule's settlement is not shown:\n%s", body)
	}
	rules, err := w.svc.MatchingRules(w.ctx)
	if err != nil || len(rules) != 1 || rules[0].Settle != "bank_fee" || rules[0].SettleUpTo != "5.00" {
		t.Fatalf("rule kept: %+v %v", rules, err)
	}
}

// Matching rules → Edit: the form opens with what the rule says (every condition, the customer,
// how the money goes, auto-apply), a refused change is shown again as typed and changes nothing,
// and a saved one is what the list shows, the rule's hits kept. A viewer is offered no Edit.
func TestMatchingRules_EditInPlace(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	acme := w.org("Acme Telecom", "EUR")
	bolt := w.org("Bolt SaaS", "EUR")
	conds := []finapp.RuleCondition{{Field: "counterparty_name", Operator: "contains", Value: "ACME"}, {Field: "text", Operator: "starts", Value: "INV"},
		{Field: "amount", Operator: "between", Value: "10.00", Value2: "900.00"}, {Field: "reference", Operator: "regex", Value: `^E2E-\d+`}}
	rule, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Acme's payments", Priority: 7, Match: "any", OrganizationID: acme.ID,
		Allocate: "none", AutoApply: true, Conditions: conds})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Payroll", OrganizationID: bolt.ID,
		Conditions: []finapp.RuleCondition{{Field: "text", Operator: "starts", Value: "PAYROLL"}}}); err != nil {
		t.Fatal(err)
	}
	_, list, _ := b.do("GET", "/reconcile/rules", nil)
	if !strings.Contains(list, `href="/reconcile/rules?edit=`+rule.ID+`#rule-form"`) {
		t.Fatalf("no Edit link for the rule:\n%s", list)
	}
	_, form, _ := b.do("GET", "/reconcile/rules?edit="+rule.ID, nil)
	for _, want := range []string{`action="/reconcile/rules/` + rule.ID + `/edit"`, `value="Acme&#39;s payments"`, `name="priority" id="priority" min="0" max="10000" value="7"`,
		`<option value="any" selected>`, `<option value="` + acme.ID + `" selected>`, `<option value="none" selected>`, `id="auto_apply" checked`,
		`value="ACME"`, `value="INV"`, `value="900.00"`, `value="^E2E-`, `<option value="regex" selected>`, `<option value="between" selected>`,
		`id="value_4"`, "Save changes"} {
		if !strings.Contains(form, want) {
			t.Errorf("the edit form lacks %s", want)
		}
	}
	if strings.Contains(form, `id="value_5"`) {
		t.Error("the edit form offers more than one empty condition")
	}

	edit := url.Values{"name": {"payroll"}, "priority": {"2"}, "match": {"all"}, "organization_id": {bolt.ID}, "allocate": {"oldest_first"},
		"field_0": {"counterparty_name"}, "operator_0": {"contains"}, "value_0": {"BOLT"}}
	status, body, _ := b.do("POST", "/reconcile/rules/"+rule.ID+"/edit", edit)
	if status != http.StatusConflict || !strings.Contains(body, `value="payroll"`) || !strings.Contains(body, `value="BOLT"`) ||
		!strings.Contains(body, `action="/reconcile/rules/`+rule.ID+`/edit"`) {
		t.Fatalf("a name another rule has: %d\n%s", status, body)
	}
	if r, _ := w.svc.GetMatchingRule(w.ctx, rule.ID); r.Name != "Acme's payments" || len(r.Conditions) != 4 {
		t.Fatalf("a refused edit changed the rule: %+v", r)
	}
	edit.Set("name", "Bolt's payments")
	status, _, loc := b.do("POST", "/reconcile/rules/"+rule.ID+"/edit", edit)
	if status != http.StatusSeeOther {
		t.Fatalf("save: %d", status)
	}
	_, list, _ = b.do("GET", loc, nil)
	if !strings.Contains(list, "Matching rule changed") || !strings.Contains(list, "Bolt&#39;s payments") || strings.Contains(list, "Acme&#39;s payments") {
		t.Fatalf("the list after the edit:\n%s", list)
	}
	r, err := w.svc.GetMatchingRule(w.ctx, rule.ID)
	if err != nil || r.OrganizationID != bolt.ID || r.AutoApply || r.Allocate != "oldest_first" || len(r.Conditions) != 1 || r.Priority != 2 {
		t.Fatalf("rule after the edit: %+v %v", r, err)
	}

	viewer := w.login(viewerEmail)
	if _, list, _ := viewer.do("GET", "/reconcile/rules?edit="+rule.ID, nil); strings.Contains(list, "/edit\"") || strings.Contains(list, "?edit=") {
		t.Fatal("a viewer is offered an edit of a rule")
	}
}
