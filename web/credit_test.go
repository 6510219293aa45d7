package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"finapp"
)

// The organization page's payment settings: shown, changed by finance, a refusal named next to
// its field with nothing written, and credit limits in other currencies (set through the API)
// kept when the form saves the billing currency's.
func TestOrganization_PaymentSettings(t *testing.T) {
	w := newWorld(t)
	org := w.acme.ID
	if _, err := w.svc.SetCreditSettings(w.ctx, org, finapp.CreditSettingsInput{BillingMode: finapp.BillingPostpaid,
		CreditLimits: map[string]string{"USD": "40.00"}}); err != nil {
		t.Fatal(err)
	}
	b := w.login(testEmail)
	status, body, _ := b.do("GET", "/organizations/"+org, nil)
	if status != http.StatusOK || !strings.Contains(body, `<dd id="billing-mode">Postpaid</dd>`) || !strings.Contains(body, "USD 40.00") ||
		!strings.Contains(body, `id="payment-settings-form"`) {
		t.Fatalf("organization page: %d\n%s", status, body)
	}

	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{url.Values{"billing_mode": {"prepaid"}, "credit_limit": {"10.001"}}, "credit_limit"},
		{url.Values{"billing_mode": {"postpaid"}, "auto_top_up_enabled": {"on"}, "auto_top_up_amount": {"50"}}, "auto_top_up_enabled"},
		{url.Values{"billing_mode": {"prepaid"}, "auto_top_up_enabled": {"on"}}, "auto_top_up_amount"},
		{url.Values{"billing_mode": {"prepaid"}, "auto_top_up_threshold": {"-1"}, "auto_top_up_amount": {"5"}}, "auto_top_up_threshold"},
		{url.Values{"billing_mode": {"weekly"}}, "billing_mode"},
	} {
		status, body, _ := b.do("POST", "/organizations/"+org+"/settings", c.form)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+c.field+`-error"`) {
			t.Errorf("%v: %d, want the refusal next to %s\n%s", c.form, status, c.field, body)
		}
	}
	if st, err := w.svc.CreditSettings(w.ctx, org); err != nil || st.BillingMode != finapp.BillingPostpaid || len(st.CreditLimits) != 1 {
		t.Fatalf("a refused form changed the settings: %+v %v", st, err)
	}

	status, _, loc := b.do("POST", "/organizations/"+org+"/settings", url.Values{"billing_mode": {"prepaid"}, "credit_limit": {"1,500.00"},
		"auto_top_up_enabled": {"on"}, "auto_top_up_threshold": {"20"}, "auto_top_up_amount": {"100"}})
	if status != http.StatusSeeOther || loc != "/organizations/"+org+"?done=settings-saved" {
		t.Fatalf("save: %d to %q", status, loc)
	}
	_, body, _ = b.do("GET", loc, nil)
	for _, want := range []string{"Payment settings saved.", `<dd id="billing-mode">Prepaid</dd>`, "SGD 1,500.00; USD 40.00",
		"SGD 100.00 when usable credit falls below SGD 20.00",
		`<dd id="usable-credit">`} {
		if !strings.Contains(body, want) {
			t.Errorf("after saving, no %q", want)
		}
	}

	if i := strings.Index(body, `<dd id="usable-credit">`); i < 0 || !strings.Contains(body[i:i+200], "SGD 1,500.00") {
		t.Error("the usable credit is not the credit limit of a customer with no credit")
	}
	if _, list, _ := b.do("GET", "/organizations", nil); !strings.Contains(list, `data-label="Usable credit"`) {
		t.Error("the organizations list has no usable credit")
	}
	if status, _, _ := w.login(viewerEmail).do("POST", "/organizations/"+org+"/settings", url.Values{"billing_mode": {"postpaid"}}); status != http.StatusForbidden {
		t.Errorf("a viewer changing payment settings: %d", status)
	}
	if _, body, _ := w.login(viewerEmail).do("GET", "/organizations/"+org, nil); strings.Contains(body, `id="payment-settings-form"`) {
		t.Error("a viewer is offered the payment settings form")
	}
}
