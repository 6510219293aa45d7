package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"finapp"
	"finapp/money"
	"finapp/statement"
)

type organizationList struct {
	Q             string
	Sort          listSort
	Organizations []*finapp.OrganizationDetail
	Next          string
	First         bool
}

func (s *server) listOrganizations(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.OrganizationFilter{Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Limit: pageSize}
	d := &organizationList{Q: f.Q, First: f.Cursor == "", Sort: parseListSort("/organizations", q, finapp.OrganizationSortKeys, "name", "name")}
	f.Sort = d.Sort.current
	p.Title, p.Nav, p.Data = "Organizations", "organizations", d
	list, next, err := s.svc.ListOrganizations(r.Context(), f)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "organizations", p)
		return
	}
	d.Organizations = list
	if next != "" {
		d.Next = pageURL("/organizations", q, next)
	}
	s.render(w, http.StatusOK, "organizations", p)
}

// organizationView is a customer's page: balances, payment settings, open invoices, recent
// payments, statement.
type organizationView struct {
	*finapp.OrganizationDetail
	Settings finapp.CreditSettings
	// SettingsForm is the payment settings form as typed when refused; nil shows Settings.
	SettingsForm url.Values
	// WithdrawForm is the withdrawal form as typed when refused; nil for an empty one.
	WithdrawForm url.Values
	Withdrawals  []*finapp.Withdrawal
	Methods      []string
	Invoices     []*finapp.Invoice
	Payments     []*finapp.Payment
	Statement    *finapp.Statement
	// StatementRefusal says why the whole-history statement is not shown (too many documents).
	StatementRefusal string
	From, To         string
	Today            string
}

// LimitIn is the customer's credit limit in currency c, as the settings form shows it ("" for
// none).
func (v *organizationView) LimitIn(c money.Currency) string {
	if a, ok := v.Settings.CreditLimits[c]; ok {
		return money.Format(a, c)
	}
	return ""
}

// CreditLimitList is the customer's credit limits, its billing currency's first.
func (v *organizationView) CreditLimitList() []creditLimit {
	var out []creditLimit
	for c, a := range v.Settings.CreditLimits {
		out = append(out, creditLimit{Currency: c, Amount: a})
	}
	slices.SortFunc(out, func(a, b creditLimit) int {
		if (a.Currency == v.BillingCurrency) != (b.Currency == v.BillingCurrency) {
			if a.Currency == v.BillingCurrency {
				return -1
			}
			return 1
		}
		return strings.Compare(string(a.Currency), string(b.Currency))
	})
	return out
}

// creditLimit is one currency's credit limit.
type creditLimit struct {
	Currency money.Currency
	Amount   money.Amount
}

// Setting is a field of the payment settings form: as typed after a refusal, else as stored.
func (v *organizationView) Setting(field string) string {
	if v.SettingsForm != nil {
		return v.SettingsForm.Get(field)
	}
	st := v.Settings
	switch field {
	case "billing_mode":
		return st.BillingMode
	case "credit_limit":
		return v.LimitIn(v.BillingCurrency)
	case "auto_top_up_enabled":
		if st.AutoTopUp.Enabled {
			return "on"
		}
	case "auto_top_up_threshold", "auto_top_up_amount":
		if c := st.AutoTopUp.Currency; c != "" {
			a := st.AutoTopUp.Threshold
			if field == "auto_top_up_amount" {
				a = st.AutoTopUp.Amount
			}
			return money.Format(a, c)
		}
	}
	return ""
}

func (s *server) viewOrganization(w http.ResponseWriter, r *http.Request, p *page) {
	s.showOrganization(w, r, p, http.StatusOK, organizationForms{})
}

// organizationForms are the forms of a customer's page as typed when refused (nil: as stored,
// or empty).
type organizationForms struct{ settings, withdraw url.Values }

// showOrganization shows a customer's page with status, and its forms as typed.
func (s *server) showOrganization(w http.ResponseWriter, r *http.Request, p *page, status int, typed organizationForms) {
	ctx, id := r.Context(), r.PathValue("id")
	d, err := s.svc.GetOrganization(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &organizationView{OrganizationDetail: d, SettingsForm: typed.settings, WithdrawForm: typed.withdraw,
		Methods: finapp.Methods, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Today: s.svc.Today(r.Context())}
	p.Title, p.Nav, p.Data = d.Name, "organizations", v
	if v.Settings, err = s.svc.CreditSettings(ctx, id); err != nil {
		s.fail(w, p, err)
		return
	}
	if v.Withdrawals, _, err = s.svc.ListWithdrawals(ctx, finapp.WithdrawalFilter{OrganizationID: id, Limit: 10}); err != nil {
		s.fail(w, p, err)
		return
	}
	if v.Invoices, _, err = s.svc.ListInvoices(ctx, finapp.InvoiceFilter{OrganizationID: id, Limit: 20}); err != nil {
		s.fail(w, p, err)
		return
	}
	if v.Payments, _, err = s.svc.ListPayments(ctx, finapp.PaymentFilter{OrganizationID: id, Limit: 20}); err != nil {
		s.fail(w, p, err)
		return
	}
	st, err := s.svc.GetStatement(ctx, id, v.From, v.To)
	var e *finapp.Error
	if v.From == "" && v.To == "" && errors.As(err, &e) && e.Code == finapp.EInvalid && e.Field == "from" {
		// Unasked, the page shows the statement over the whole history; for a customer with more
		// documents than a statement carries, the page says so in the statement's place (a
		// period is the way on) instead of refusing the whole page.
		v.StatementRefusal = e.Message
		s.render(w, status, "organization", p)
		return
	}
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "organization", p)
		return
	}
	v.Statement = st
	s.render(w, status, "organization", p)
}

// creditSettingsFields are the payment settings form's fields; the domain's names (credit_limit.SGD,
// auto_top_up.amount) are mapped onto them.
var creditSettingsFields = []string{"billing_mode", "credit_limit", "auto_top_up_enabled", "auto_top_up_threshold", "auto_top_up_amount"}

// saveCreditSettings replaces a customer's payment settings from its page's form. The form sets
// the credit limit in the billing currency; limits in other currencies (set through the API) and
// the automatic top-up's currency stay as they are.
func (s *server) saveCreditSettings(w http.ResponseWriter, r *http.Request, p *page) {
	ctx, id := r.Context(), r.PathValue("id")
	form := url.Values{}
	for _, f := range creditSettingsFields {
		form.Set(f, strings.TrimSpace(r.PostForm.Get(f)))
	}
	org, err := s.svc.GetOrganization(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	current, err := s.svc.CreditSettings(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	limits := map[string]string{}
	for c, a := range current.CreditLimits {
		if c != org.BillingCurrency {
			limits[string(c)] = money.Format(a, c)
		}
	}
	if l := money.Ungroup(form.Get("credit_limit")); l != "" {
		limits[string(org.BillingCurrency)] = l
	}
	in := finapp.CreditSettingsInput{BillingMode: form.Get("billing_mode"), CreditLimits: limits,
		AutoTopUp: finapp.AutoTopUpInput{Enabled: form.Get("auto_top_up_enabled") != "",
			Currency: string(current.AutoTopUp.Currency), Threshold: money.Ungroup(form.Get("auto_top_up_threshold")),
			Amount: money.Ungroup(form.Get("auto_top_up_amount"))}}
	if _, err = s.svc.SetCreditSettings(ctx, id, in); err != nil {
		var e *finapp.Error
		if errors.As(err, &e) && e.Field != "" {
			field := e.Field
			if strings.HasPrefix(field, "credit_limit.") {
				field = "credit_limit"
			}
			err = &finapp.Error{Code: e.Code, Field: strings.ReplaceAll(field, ".", "_"), Message: e.Message}
		}
		status := s.refusal(p, err, creditSettingsFields...)
		s.showOrganization(w, r, p, status, organizationForms{settings: form})
		return
	}
	redirect(w, r, "/organizations/"+id, "settings-saved")
}

// statementFile downloads an organization's statement as the API serves it (?format=csv, the
// default, or pdf), for the page's links: a browser has a session, not an API token.
func (s *server) statementFile(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = "csv"
	}
	if format != "csv" && format != "pdf" {
		s.fail(w, p, finapp.Invalid("format", "must be csv or pdf"))
		return
	}
	st, err := s.svc.GetStatement(r.Context(), r.PathValue("id"), q.Get("from"), q.Get("to"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	var buf bytes.Buffer
	contentType := "text/csv; charset=utf-8"
	if format == "pdf" {
		contentType = "application/pdf"
		err = statement.WritePDF(&buf, st, s.workspaceName(r.Context()))
	} else {
		err = statement.WriteCSV(&buf, st)
	}
	if err != nil {
		s.fail(w, p, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Content-Disposition", `attachment; filename="statement-`+st.Organization.ID+"-"+st.To+"."+format+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = buf.WriteTo(w)
}

// workspaceName is the signed-in user's workspace's name, the company a statement is from; its
// id when the name cannot be read.
func (s *server) workspaceName(ctx context.Context) string {
	a, _ := finapp.ActorFrom(ctx)
	if w, err := s.auth.Workspace(ctx, a.WorkspaceID); err == nil && w.Name != "" {
		return w.Name
	}
	return a.WorkspaceID
}

// organizationFields are the organization form's fields, named as the domain's errors name them.
var organizationFields = []string{"name", "billing_currency"}

// valuesForm is a create form's typed values, echoed back after a refusal.
type valuesForm struct {
	Values url.Values
	Orgs   []*finapp.OrganizationDetail
}

func (f *valuesForm) Get(k string) string { return f.Values.Get(k) }

func (s *server) newOrganization(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	s.showOrganizationForm(w, p, http.StatusOK, url.Values{"billing_currency": {"SGD"}})
}

func (s *server) showOrganizationForm(w http.ResponseWriter, p *page, status int, v url.Values) {
	p.Title, p.Nav, p.Data = "New organization", "organizations", &valuesForm{Values: v}
	s.render(w, status, "organization_form", p)
}

func (s *server) createOrganization(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	o, err := s.svc.CreateOrganization(r.Context(), finapp.OrganizationCreate{Name: v.Get("name"),
		BillingCurrency: strings.ToUpper(strings.TrimSpace(v.Get("billing_currency")))})
	if err != nil {
		status := s.refusal(p, err, organizationFields...)
		s.showOrganizationForm(w, p, status, v)
		return
	}
	redirect(w, r, "/organizations/"+o.ID, "org-created")
}
