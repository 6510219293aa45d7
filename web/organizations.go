package web

import (
	"net/http"
	"net/url"
	"strings"

	"finapp"
)

type organizationList struct {
	Q             string
	Organizations []*finapp.OrganizationDetail
	Next          string
	First         bool
}

func (s *server) listOrganizations(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.OrganizationFilter{Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Limit: pageSize}
	d := &organizationList{Q: f.Q, First: f.Cursor == ""}
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

// organizationView is a customer's page: balances, open invoices, recent payments, statement.
type organizationView struct {
	*finapp.OrganizationDetail
	Invoices  []*finapp.Invoice
	Payments  []*finapp.Payment
	Statement *finapp.Statement
	Lines     []statementLine
	From, To  string
	Today     string
}

// statementLine is one journal line on one of the customer's accounts, in words.
type statementLine struct {
	Entry   *finapp.JournalEntry
	Account string // "Receivable", "Unapplied", "Credit"
	Line    finapp.JournalLine
}

func (s *server) viewOrganization(w http.ResponseWriter, r *http.Request, p *page) {
	ctx, id := r.Context(), r.PathValue("id")
	d, err := s.svc.GetOrganization(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &organizationView{OrganizationDetail: d, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Today: s.svc.Today()}
	p.Title, p.Nav, p.Data = d.Name, "organizations", v
	if v.Invoices, _, err = s.svc.ListInvoices(ctx, finapp.InvoiceFilter{OrganizationID: id, Limit: 20}); err != nil {
		s.fail(w, p, err)
		return
	}
	if v.Payments, _, err = s.svc.ListPayments(ctx, finapp.PaymentFilter{OrganizationID: id, Limit: 20}); err != nil {
		s.fail(w, p, err)
		return
	}
	st, err := s.svc.GetStatement(ctx, id, v.From, v.To)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "organization", p)
		return
	}
	v.Statement = st
	names := map[string]string{finapp.ReceivableAccount(id): "Receivable", finapp.UnappliedAccount(id): "Unapplied", finapp.CreditAccount(id): "Credit"}
	for _, e := range st.Entries {
		for _, l := range e.Lines {
			if n, ok := names[l.Account]; ok {
				v.Lines = append(v.Lines, statementLine{Entry: e, Account: n, Line: l})
			}
		}
	}
	s.render(w, http.StatusOK, "organization", p)
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
