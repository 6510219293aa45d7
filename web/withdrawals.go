package web

import (
	"net/http"
	"net/url"
	"strings"

	"finapp"
	"finapp/money"
)

// withdrawFields are the withdrawal form's fields, named as the domain names them.
var withdrawFields = []string{"amount", "currency", "method", "reference", "reason"}

// WithdrawValue is a field of the withdrawal form as typed after a refusal; the currency and
// method default to the customer's billing currency and a bank transfer.
func (v *organizationView) WithdrawValue(field string) string {
	if v.WithdrawForm != nil {
		return v.WithdrawForm.Get(field)
	}
	switch field {
	case "currency":
		return string(v.BillingCurrency)
	case "method":
		return "bank_transfer"
	}
	return ""
}

// withdraw pays part of a customer's credit back out from its page's form.
func (s *server) withdraw(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	form := url.Values{}
	for _, f := range withdrawFields {
		form.Set(f, strings.TrimSpace(r.PostForm.Get(f)))
	}
	_, err := s.svc.Withdraw(r.Context(), id, finapp.WithdrawalCreate{Amount: money.Ungroup(form.Get("amount")),
		Currency: form.Get("currency"), Method: form.Get("method"), Reference: form.Get("reference"), Reason: form.Get("reason")})
	if err != nil {
		status := s.refusal(p, err, withdrawFields...)
		s.showOrganization(w, r, p, status, organizationForms{withdraw: form})
		return
	}
	redirect(w, r, "/organizations/"+id, "withdrawn")
}

// reverseWithdrawal records that a withdrawal's money came back.
func (s *server) reverseWithdrawal(w http.ResponseWriter, r *http.Request, p *page) {
	wd, err := s.svc.GetWithdrawal(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	if _, err := s.svc.ReverseWithdrawal(r.Context(), wd.ID, r.PostForm.Get("reason")); err != nil {
		status := s.refusal(p, err)
		r.SetPathValue("id", wd.OrganizationID)
		s.showOrganization(w, r, p, status, organizationForms{})
		return
	}
	redirect(w, r, "/organizations/"+wd.OrganizationID, "withdrawal-reversed")
}
