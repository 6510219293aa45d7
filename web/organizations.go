package web

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"

	"finapp"
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

// organizationView is a customer's page: balances, open invoices, recent payments, statement.
type organizationView struct {
	*finapp.OrganizationDetail
	Invoices  []*finapp.Invoice
	Payments  []*finapp.Payment
	Statement *finapp.Statement
	// StatementRefusal says why the whole-history statement is not shown (too many documents).
	StatementRefusal string
	From, To         string
	Today            string
}

func (s *server) viewOrganization(w http.ResponseWriter, r *http.Request, p *page) {
	ctx, id := r.Context(), r.PathValue("id")
	d, err := s.svc.GetOrganization(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &organizationView{OrganizationDetail: d, From: r.URL.Query().Get("from"), To: r.URL.Query().Get("to"), Today: s.svc.Today(r.Context())}
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
	var e *finapp.Error
	if v.From == "" && v.To == "" && errors.As(err, &e) && e.Code == finapp.EInvalid && e.Field == "from" {
		// Unasked, the page shows the statement over the whole history; for a customer with more
		// documents than a statement carries, the page says so in the statement's place (a
		// period is the way on) instead of refusing the whole page.
		v.StatementRefusal = e.Message
		s.render(w, http.StatusOK, "organization", p)
		return
	}
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "organization", p)
		return
	}
	v.Statement = st
	s.render(w, http.StatusOK, "organization", p)
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
