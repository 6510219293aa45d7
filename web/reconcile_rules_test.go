package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
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
