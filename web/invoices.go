package web

import (
	"net/http"
	"strings"

	"finapp"
)

type invoiceList struct {
	Filter   map[string]string
	Invoices []*finapp.Invoice
	Today    string
	Next     string
	First    bool
}

// invoiceStatuses are the list filter's choices; overdue is the derived flag.
var invoiceStatuses = []string{finapp.InvoiceUnpaid, finapp.InvoicePartiallyPaid, finapp.InvoicePaid, finapp.InvoiceProvisioned, finapp.InvoiceVoid, "overdue"}

func (s *server) listInvoices(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.InvoiceFilter{Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status"), Kind: q.Get("kind"),
		IssuedFrom: q.Get("from"), IssuedTo: q.Get("to"), OrganizationID: q.Get("customer"), Cursor: q.Get("cursor"), Limit: pageSize}
	d := &invoiceList{Today: s.svc.Today(), First: f.Cursor == "",
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
	s.render(w, http.StatusOK, "invoices", p)
}

type invoiceView struct {
	*finapp.InvoiceDetail
	Organization *finapp.OrganizationDetail
	Today        string
}

func (s *server) viewInvoice(w http.ResponseWriter, r *http.Request, p *page) {
	d, err := s.svc.GetInvoice(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	org, err := s.svc.GetOrganization(r.Context(), d.OrganizationID)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Invoice "+d.Number, "invoices", &invoiceView{InvoiceDetail: d, Organization: org, Today: s.svc.Today()}
	s.render(w, http.StatusOK, "invoice", p)
}
