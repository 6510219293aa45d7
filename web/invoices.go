package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

type invoiceList struct {
	Statuses []string // the status filter's choices
	Filter   map[string]string
	Sort     listSort
	Totals   finapp.ListTotals // per currency, of everything the filters select
	Invoices []*finapp.Invoice
	Today    string
	Next     string
	First    bool
}

func (s *server) listInvoices(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.InvoiceFilter{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Kind: q.Get("kind"),
		IssuedFrom: q.Get("from"), IssuedTo: q.Get("to"), OrganizationID: q.Get("customer"), Cursor: q.Get("cursor"), Limit: pageSize}
	def := "-" + finapp.SortCreated
	if f.IssuedFrom != "" || f.IssuedTo != "" {
		def = "-issued_on"
	}
	sort := parseListSort("/invoices", q, finapp.InvoiceSortKeys, def, "number", "due_on")
	f.Sort = sort.current
	d := &invoiceList{Sort: sort, Statuses: finapp.InvoiceFilterStatuses, Today: s.svc.Today(r.Context()), First: f.Cursor == "",
		Filter: map[string]string{"q": f.Q, "status": f.Status, "kind": f.Kind, "from": f.IssuedFrom, "to": f.IssuedTo, "customer": f.OrganizationID}}
	p.Title, p.Nav, p.Data = "Invoices", "invoices", d
	list, next, err := s.svc.ListInvoices(r.Context(), f)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "invoices", p)
		return
	}
	d.Invoices = list
	if next != "" {
		d.Next = pageURL("/invoices", q, next)
	}
	if d.Totals, err = s.svc.InvoiceTotals(r.Context(), f); err != nil {
		s.fail(w, p, err)
		return
	}
	s.render(w, http.StatusOK, "invoices", p)
}

type invoiceView struct {
	*finapp.InvoiceDetail
	Organization    *finapp.OrganizationDetail
	CreditNotes     []*finapp.CreditNoteApplication // what credit notes applied to it, released ones too
	Today           string
	AllocationPages historyPage // which page of its allocations is shown
}

func (s *server) viewInvoice(w http.ResponseWriter, r *http.Request, p *page) {
	s.showInvoice(w, r, p, r.PathValue("id"), nil)
}

// showInvoice renders the invoice page; after a refused action (a void), actionErr is shown
// above it.
func (s *server) showInvoice(w http.ResponseWriter, r *http.Request, p *page, id string, actionErr error) {
	d, err := s.svc.GetInvoice(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	org, err := s.svc.GetOrganization(r.Context(), d.OrganizationID)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	credits, err := s.svc.InvoiceCreditNotes(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &invoiceView{InvoiceDetail: d, Organization: org, CreditNotes: credits, Today: s.svc.Today(r.Context())}
	if v.AllocationPages, err = s.allocationPages(r, &d.Allocations, d.AllocationsMore, finapp.AllocationFilter{InvoiceID: d.ID}); err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Invoice "+d.Number, "invoices", v
	status := http.StatusOK
	if actionErr != nil {
		status = s.refusal(p, actionErr)
	}
	s.render(w, status, "invoice", p)
}

// invoiceFields are the invoice form's fields, named as the domain's errors name them.
var invoiceFields = []string{"organization_id", "number", "kind", "currency", "total", "issued_on", "due_on"}

func (s *server) newInvoice(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	today := s.svc.Today(r.Context())
	due := today
	if t, err := time.Parse("2006-01-02", today); err == nil {
		due = t.AddDate(0, 0, 30).Format("2006-01-02") // net 30, the usual terms; the form may change it
	}
	v := url.Values{"kind": {finapp.KindStandard}, "issued_on": {today}, "due_on": {due}, "organization_id": {r.URL.Query().Get("customer")}}
	s.showInvoiceForm(w, r, p, http.StatusOK, v)
}

func (s *server) showInvoiceForm(w http.ResponseWriter, r *http.Request, p *page, status int, v url.Values) {
	f := &valuesForm{Values: v}
	p.Title, p.Nav, p.Data = "New invoice", "invoices", f
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	f.Orgs = orgs
	s.render(w, status, "invoice_form", p)
}

func (s *server) createInvoice(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	in := finapp.InvoiceCreate{OrganizationID: v.Get("organization_id"), Number: v.Get("number"), Kind: v.Get("kind"),
		Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))), Total: money.Ungroup(strings.TrimSpace(v.Get("total"))),
		IssuedOn: v.Get("issued_on"), DueOn: v.Get("due_on")}
	inv, err := s.svc.CreateInvoice(r.Context(), in)
	if err != nil {
		status := s.refusal(p, err, invoiceFields...)
		s.showInvoiceForm(w, r, p, status, v)
		return
	}
	redirect(w, r, "/invoices/"+inv.ID, "invoice-issued")
}

func (s *server) confirmVoid(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	d, err := s.svc.GetInvoice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Void invoice "+d.Number, "invoices", d
	s.render(w, http.StatusOK, "invoice_void", p)
}

func (s *server) voidInvoice(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.VoidInvoice(r.Context(), id, version(r.PostForm)); err != nil {
		s.showInvoice(w, r, p, id, err)
		return
	}
	redirect(w, r, "/invoices/"+id, "voided")
}
