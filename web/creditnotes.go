package web

import (
	"errors"
	"net/http"
	"net/url"
	"sort"
	"strings"

	"finapp"
	"finapp/money"
)

// Credit notes (SPEC §6.2): the list, the form that issues one, and its page, where it is
// applied, refunded, moved into prepaid credit or voided. Every rule is the domain's; the pages
// only gather what a person typed and show what the domain answered.

type creditNoteList struct {
	Statuses    []string
	Filter      url.Values
	Customer    string // the customer filter (?customer=, or the API's ?organization_id=)
	Orgs        []*finapp.OrganizationDetail
	OrgNames    map[string]string
	CreditNotes []*finapp.CreditNote
	Next        string
	First       bool
	FirstPage   string // the first page with the same filters
}

func (s *server) listCreditNotes(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	// The organization page links with the API's name for the filter; the filter form says
	// "customer", as the other lists do.
	customer := q.Get("customer")
	if customer == "" {
		customer = q.Get("organization_id")
	}
	f := finapp.CreditNoteFilter{OrganizationID: customer, Status: q.Get("status"), Cursor: q.Get("cursor"), Limit: pageSize}
	d := &creditNoteList{Statuses: finapp.CreditNoteStatuses, Filter: q, Customer: customer, First: f.Cursor == ""}
	p.Title, p.Nav, p.Data = "Credit notes", "credit-notes", d
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	d.Orgs = orgs
	list, next, err := s.svc.ListCreditNotes(r.Context(), f)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "creditnotes", p)
		return
	}
	d.CreditNotes = list
	d.FirstPage = firstPageURL("/credit-notes", q)
	if next != "" {
		d.Next = pageURL("/credit-notes", q, next)
	}
	if d.OrgNames, err = s.orgNames(r, orgs, list); err != nil {
		s.fail(w, p, err)
		return
	}
	s.render(w, http.StatusOK, "creditnotes", p)
}

// firstPageURL is a list's URL with the same filters, from its first page.
func firstPageURL(path string, q url.Values) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "done" {
			v[k] = vs
		}
	}
	if len(v) == 0 {
		return path
	}
	return path + "?" + v.Encode()
}

// orgNames names the customers of list: from the picker's organizations, and one by one for the
// few beyond its first 200 (a page holds at most pageSize credit notes).
func (s *server) orgNames(r *http.Request, orgs []*finapp.OrganizationDetail, list []*finapp.CreditNote) (map[string]string, error) {
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	for _, n := range list {
		if _, ok := names[n.OrganizationID]; ok {
			continue
		}
		o, err := s.svc.GetOrganization(r.Context(), n.OrganizationID)
		if err != nil {
			return nil, err
		}
		names[o.ID] = o.Name
	}
	return names, nil
}

// creditNoteFields are the credit note form's fields, named as the domain's errors name them.
var creditNoteFields = []string{"organization_id", "number", "invoice_id", "amount", "currency", "reason", "issued_on"}

func (s *server) newCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	q := r.URL.Query()
	v := url.Values{"organization_id": {q.Get("customer")}, "invoice_id": {q.Get("invoice")}, "issued_on": {s.svc.Today(r.Context())}}
	s.showCreditNoteForm(w, r, p, http.StatusOK, v)
}

func (s *server) showCreditNoteForm(w http.ResponseWriter, r *http.Request, p *page, status int, v url.Values) {
	f := &valuesForm{Values: v}
	p.Title, p.Nav, p.Data = "New credit note", "credit-notes", f
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	f.Orgs = orgs
	s.render(w, status, "creditnote_form", p)
}

func (s *server) issueCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	in := finapp.CreditNoteCreate{OrganizationID: v.Get("organization_id"), Number: v.Get("number"),
		Amount: money.Ungroup(strings.TrimSpace(v.Get("amount"))), Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))),
		Reason: v.Get("reason"), IssuedOn: v.Get("issued_on")}
	invoiceID, err := s.citedInvoice(r, in.OrganizationID, strings.TrimSpace(v.Get("invoice_id")))
	var n *finapp.CreditNote
	if err == nil {
		in.InvoiceID = invoiceID
		n, err = s.svc.IssueCreditNote(r.Context(), in)
	}
	if err != nil {
		status := s.refusal(p, err, creditNoteFields...)
		s.showCreditNoteForm(w, r, p, status, v)
		return
	}
	redirect(w, r, "/credit-notes/"+n.ID, "credit-note-issued")
}

// citedInvoice is the id of the invoice the form's "invoice it corrects" names: people type the
// number they see on it, so a number is looked up among the customer's invoices; an id (as the
// invoice page's link fills in) is passed on for the domain to check.
func (s *server) citedInvoice(r *http.Request, orgID, typed string) (string, error) {
	if typed == "" || strings.HasPrefix(typed, finapp.PrefixInvoice) || orgID == "" {
		return typed, nil
	}
	list, _, err := s.svc.ListInvoices(r.Context(), finapp.InvoiceFilter{OrganizationID: orgID, Number: typed, Limit: 2})
	if err != nil {
		return "", err
	}
	if len(list) != 1 {
		return "", finapp.Invalid("invoice_id", "no invoice numbered %s of this customer", typed)
	}
	return list[0].ID, nil
}

// creditNoteView is a credit note's page: its figures, its applications and, while some of it
// remains, the forms that use it.
type creditNoteView struct {
	*finapp.CreditNoteDetail
	Organization *finapp.OrganizationDetail
	// Invoices are the customer's open standard invoices in the note's currency, oldest first:
	// what "apply to an invoice" offers (the domain still decides).
	Invoices []*finapp.Invoice
	Methods  []string
	// Open names the form a refusal came from, kept open with what was typed in it (Posted).
	Open             string
	Posted           url.Values
	ApplicationPages historyPage // which page of its applications is shown
}

// Typed is what a form's field shows: what was typed into it when the form was refused, def
// otherwise.
func (v *creditNoteView) Typed(form, name, def string) string {
	if v.Open == form && v.Posted != nil {
		return v.Posted.Get(name)
	}
	return def
}

// Used is whether any of the note was applied, refunded or moved into credit (it can then no
// longer be voided).
func (v *creditNoteView) Used() bool { return v.Applied+v.Refunded+v.ToCredit > 0 }

func (s *server) viewCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	s.showCreditNote(w, r, p, r.PathValue("id"), nil, "", nil)
}

// The forms of a credit note's page, and the fields of each as the domain's errors name them.
// A refused field is shown beside the form's own input (form_field), since several forms of the
// page have an amount and a reason.
var creditNoteForms = map[string][]string{
	"apply":  {"invoice_id", "amount"},
	"refund": {"amount", "method", "reference", "reason"},
	"credit": {"amount", "reason"},
}

// showCreditNote renders the credit note's page; after a refused action (from form), actionErr is
// shown beside the field it names and posted keeps what was typed.
func (s *server) showCreditNote(w http.ResponseWriter, r *http.Request, p *page, id string, actionErr error, form string, posted url.Values) {
	ctx := r.Context()
	d, err := s.svc.GetCreditNote(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	org, err := s.svc.GetOrganization(ctx, d.OrganizationID)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &creditNoteView{CreditNoteDetail: d, Organization: org, Methods: finapp.Methods, Open: form, Posted: posted}
	if v.ApplicationPages, err = pageHistory(r, "applications_before", &d.Applications, d.ApplicationsMore,
		func(a *finapp.CreditNoteApplication) string { return a.ID },
		func(cursor string) ([]*finapp.CreditNoteApplication, string, error) {
			return s.svc.ListCreditNoteApplications(r.Context(), finapp.CreditNoteApplicationFilter{CreditNoteID: d.ID, Cursor: cursor, Limit: finapp.DetailHistoryLimit})
		}); err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Credit note "+d.Number, "credit-notes", v
	if d.Remaining() > 0 {
		if v.Invoices, err = s.openInvoices(r, d.CreditNote); err != nil {
			s.fail(w, p, err)
			return
		}
	}
	status := http.StatusOK
	if actionErr != nil {
		status = s.formRefusal(p, actionErr, form)
	}
	s.render(w, status, "creditnote", p)
}

// formRefusal is refusal for one of the credit note page's forms: a field of that form is named
// form_field, the id of its input there.
func (s *server) formRefusal(p *page, err error, form string) int {
	fields := creditNoteForms[form]
	var e *finapp.Error
	if errors.As(err, &e) && strings.HasPrefix(e.Field, "allocations[") {
		// An explicit application is one line: its invoice and amount are the form's.
		_, field, _ := strings.Cut(e.Field, "].")
		err = &finapp.Error{Code: e.Code, Field: field, Message: e.Message}
	}
	status := s.refusal(p, err, fields...)
	for _, f := range fields {
		if msg, ok := p.Fields[f]; ok {
			delete(p.Fields, f)
			p.Fields[form+"_"+f] = msg
		}
	}
	return status
}

// openInvoices are the customer's standard invoices in n's currency that still have money due,
// oldest first.
func (s *server) openInvoices(r *http.Request, n *finapp.CreditNote) ([]*finapp.Invoice, error) {
	var open []*finapp.Invoice
	for _, status := range []string{finapp.InvoiceUnpaid, finapp.InvoicePartiallyPaid} {
		list, _, err := s.svc.ListInvoices(r.Context(), finapp.InvoiceFilter{OrganizationID: n.OrganizationID, Kind: finapp.KindStandard,
			Status: status, Limit: 200})
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			if inv.Currency == n.Currency && inv.AmountDue() > 0 {
				open = append(open, inv)
			}
		}
	}
	sort.Slice(open, func(i, j int) bool { // as "oldest first" applies them: by due date, then issue date
		a, b := open[i], open[j]
		if a.DueOn != b.DueOn {
			return a.DueOn < b.DueOn
		}
		if a.IssuedOn != b.IssuedOn {
			return a.IssuedOn < b.IssuedOn
		}
		return a.Number < b.Number
	})
	return open, nil
}

// autoApplyCreditNote applies the note to the customer's oldest open invoices first.
func (s *server) autoApplyCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	before, err := s.svc.GetCreditNote(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	after, err := s.svc.ApplyCreditNote(r.Context(), id, version(r.PostForm), finapp.CreditNoteApplyRequest{Auto: true})
	if err != nil {
		s.showCreditNote(w, r, p, id, err, "", nil)
		return
	}
	done := "credit-note-applied"
	if after.Applied == before.Applied {
		done = "credit-note-none"
	}
	redirect(w, r, "/credit-notes/"+id, done)
}

// applyCreditNote applies the note to the invoice chosen. An amount left blank is as much as
// both the note and the invoice allow, as the payment page pre-fills its lines.
func (s *server) applyCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	id, v := r.PathValue("id"), r.PostForm
	invoiceID, amount := v.Get("invoice_id"), money.Ungroup(strings.TrimSpace(v.Get("amount")))
	var err error
	switch {
	case invoiceID == "":
		err = finapp.Invalid("invoice_id", "is required: choose the invoice to apply the credit note to")
	case amount == "":
		amount, err = s.fullApplication(r, id, invoiceID)
	}
	if err == nil {
		_, err = s.svc.ApplyCreditNote(r.Context(), id, version(v), finapp.CreditNoteApplyRequest{
			Lines: []finapp.CreditNoteLine{{InvoiceID: invoiceID, Amount: amount}}})
	}
	if err != nil {
		s.showCreditNote(w, r, p, id, err, "apply", v)
		return
	}
	redirect(w, r, "/credit-notes/"+id, "credit-note-applied")
}

// fullApplication is the lesser of what credit note id has left and what invoice invoiceID has
// due, written in the note's currency.
func (s *server) fullApplication(r *http.Request, id, invoiceID string) (string, error) {
	n, err := s.svc.GetCreditNote(r.Context(), id)
	if err != nil {
		return "", err
	}
	inv, err := s.svc.GetInvoice(r.Context(), invoiceID)
	if finapp.ErrorCode(err) == finapp.ENotFound {
		return "", finapp.Invalid("invoice_id", "no such invoice of this customer")
	}
	if err != nil {
		return "", err
	}
	return money.Format(money.Min(n.Remaining(), inv.AmountDue()), n.Currency), nil
}

func (s *server) releaseCreditNoteApplication(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.ReleaseCreditNoteApplication(r.Context(), id, r.PathValue("aid")); err != nil {
		s.showCreditNote(w, r, p, id, err, "", nil)
		return
	}
	redirect(w, r, "/credit-notes/"+id, "credit-note-released")
}

func (s *server) refundCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	id, v := r.PathValue("id"), r.PostForm
	_, err := s.svc.RefundCreditNote(r.Context(), id, version(v), finapp.CreditNoteRefund{Amount: money.Ungroup(strings.TrimSpace(v.Get("amount"))),
		Method: v.Get("method"), Reference: v.Get("reference"), Reason: v.Get("reason")})
	if err != nil {
		s.showCreditNote(w, r, p, id, err, "refund", v)
		return
	}
	redirect(w, r, "/credit-notes/"+id, "credit-note-refunded")
}

func (s *server) creditNoteToCredit(w http.ResponseWriter, r *http.Request, p *page) {
	id, v := r.PathValue("id"), r.PostForm
	if _, err := s.svc.CreditNoteToCredit(r.Context(), id, version(v), money.Ungroup(strings.TrimSpace(v.Get("amount"))), v.Get("reason")); err != nil {
		s.showCreditNote(w, r, p, id, err, "credit", v)
		return
	}
	redirect(w, r, "/credit-notes/"+id, "credit-note-to-credit")
}

func (s *server) voidCreditNote(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.VoidCreditNote(r.Context(), id, version(r.PostForm)); err != nil {
		s.showCreditNote(w, r, p, id, err, "", nil)
		return
	}
	redirect(w, r, "/credit-notes/"+id, "credit-note-voided")
}
