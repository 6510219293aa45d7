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

// Withdraw on the organization page: refused naming the field with nothing written, paid out,
// shown with its reversal, reversed once; a viewer may not.
func TestOrganization_WithdrawCredit(t *testing.T) {
	w := newWorld(t)
	org := w.acme.ID
	p, err := w.svc.RecordPayment(w.ctx, finapp.PaymentCreate{OrganizationID: org, Amount: "40.00", Currency: "SGD", Method: "cash"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.TopUp(w.ctx, p.ID, p.Version, "40.00"); err != nil {
		t.Fatal(err)
	}
	b := w.login(testEmail)
	if _, body, _ := b.do("GET", "/organizations/"+org, nil); !strings.Contains(body, `id="withdraw-form"`) || !strings.Contains(body, "No credit paid out.") {
		t.Fatalf("organization page without the withdrawal form:\n%s", body)
	}
	form := func(amount, currency, reason string) url.Values {
		return url.Values{"amount": {amount}, "currency": {currency}, "method": {"bank_transfer"}, "reason": {reason}}
	}
	for _, c := range []struct {
		form  url.Values
		field string
	}{
		{form("40.01", "SGD", "closing"), "amount"},
		{form("0", "SGD", "closing"), "amount"},
		{form("5.00", "EUR", "closing"), "currency"},
		{form("5.00", "SGD", ""), "reason"},
	} {
		status, body, _ := b.do("POST", "/organizations/"+org+"/withdrawals", c.form)
		if status < 400 || status >= 500 || !strings.Contains(body, `id="`+c.field+`-error"`) {
			t.Errorf("%v: %d, want the refusal next to %s\n%s", c.form, status, c.field, body)
		}
	}
	if list, _, err := w.svc.ListWithdrawals(w.ctx, finapp.WithdrawalFilter{OrganizationID: org, Limit: 10}); err != nil || len(list) != 0 {
		t.Fatalf("refused forms wrote withdrawals: %v %v", list, err)
	}

	status, _, loc := b.do("POST", "/organizations/"+org+"/withdrawals", form("1,000", "SGD", "closing")) // more than 40.00
	if status != http.StatusConflict {
		t.Fatalf("withdrawing 1,000.00 of 40.00: %d %q", status, loc)
	}
	status, _, loc = b.do("POST", "/organizations/"+org+"/withdrawals", form("15.00", "SGD", "account closed"))
	if status != http.StatusSeeOther || loc != "/organizations/"+org+"?done=withdrawn" {
		t.Fatalf("withdraw: %d to %q", status, loc)
	}
	_, body, _ := b.do("GET", loc, nil)
	if !strings.Contains(body, "Credit withdrawn") || !strings.Contains(body, "Paid out SGD 15.00 by Bank transfer") {
		t.Fatalf("after the withdrawal:\n%s", body)
	}
	list, _, err := w.svc.ListWithdrawals(w.ctx, finapp.WithdrawalFilter{OrganizationID: org, Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("withdrawals %v %v", list, err)
	}
	if status, _, _ := w.login(viewerEmail).do("POST", "/withdrawals/"+list[0].ID+"/reverse", url.Values{"reason": {"x"}}); status != http.StatusForbidden {
		t.Errorf("a viewer reversing a withdrawal: %d", status)
	}
	status, _, loc = b.do("POST", "/withdrawals/"+list[0].ID+"/reverse", url.Values{"reason": {"the bank returned it"}})
	if status != http.StatusSeeOther || loc != "/organizations/"+org+"?done=withdrawal-reversed" {
		t.Fatalf("reverse: %d to %q", status, loc)
	}
	if status, _, _ := b.do("POST", "/withdrawals/"+list[0].ID+"/reverse", url.Values{"reason": {"twice"}}); status != http.StatusConflict {
		t.Errorf("a second reversal: %d", status)
	}
	figures, err := w.svc.Credit(w.ctx, org)
	if err != nil || len(figures) != 1 || figures[0].Balance.Format("SGD") != "40.00" {
		t.Fatalf("credit after the reversal: %+v %v", figures, err)
	}
}
