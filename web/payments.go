package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"finapp"
	"finapp/money"
)

// pageSize is how many rows a list page shows; lists page by cursor, so a page costs the same
// on the first page as on the thousandth.
const pageSize = 50

// paymentFields are the form fields of the payment form, named as the domain's errors name them.
var paymentFields = []string{"organization_id", "amount", "currency", "received_on", "method", "reference", "invoice_number", "remark"}

type paymentList struct {
	Filter   url.Values
	Sort     listSort
	Totals   finapp.ListTotals // per currency, of everything the filters select
	Payments []*finapp.Payment
	Orgs     []*finapp.OrganizationDetail
	Next     string // the next page's URL, "" on the last page
	First    bool
}

func (s *server) listPayments(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.PaymentFilter{Status: q.Get("status"), OrganizationID: q.Get("customer"), Method: q.Get("method"),
		ReceivedFrom: q.Get("from"), ReceivedTo: q.Get("to"), Q: strings.TrimSpace(q.Get("q")), Cursor: q.Get("cursor"), Limit: pageSize}
	d := paymentList{Filter: q, First: f.Cursor == "", Sort: parseListSort("/payments", q, finapp.PaymentSortKeys, "-received_on")}
	f.Sort = d.Sort.current
	p.Title, p.Nav, p.Data = "Payments", "payments", &d
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	d.Orgs = orgs
	list, next, err := s.svc.ListPayments(r.Context(), f)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "payments", p)
		return
	}
	d.Payments = list
	if next != "" {
		d.Next = pageURL("/payments", q, next)
	}
	if d.Totals, err = s.svc.PaymentTotals(r.Context(), f); err != nil {
		s.fail(w, p, err)
		return
	}
	s.render(w, http.StatusOK, "payments", p)
}

// pageURL is a list's URL with the same filters and another cursor.
func pageURL(path string, q url.Values, cursor string) string {
	v := url.Values{}
	for k, vs := range q {
		if k != "cursor" && k != "done" {
			v[k] = vs
		}
	}
	v.Set("cursor", cursor)
	return path + "?" + v.Encode()
}

// organizations lists customers for the pickers (the first 200 by name match; the API pages
// further).
func (s *server) organizations(r *http.Request) ([]*finapp.OrganizationDetail, error) {
	list, _, err := s.svc.ListOrganizations(r.Context(), finapp.OrganizationFilter{Limit: 200})
	return list, err
}

type paymentForm struct {
	ID      string // "" for a new payment
	Version int
	Values  url.Values
	Orgs    []*finapp.OrganizationDetail
}

func (f *paymentForm) Get(k string) string { return f.Values.Get(k) }

// Currencies are the currency picker's choices: the customers' billing currencies first (what
// is almost always paid in), then every other ISO code.
func (f *paymentForm) Currencies() currencyChoices {
	var customers, others []money.Currency
	seen := map[money.Currency]bool{}
	for _, o := range f.Orgs {
		if !seen[o.BillingCurrency] {
			seen[o.BillingCurrency] = true
			customers = append(customers, o.BillingCurrency)
		}
	}
	if c := money.Currency(f.Get("currency")); c != "" && !seen[c] { // an edited payment's own
		seen[c] = true
		customers = append(customers, c)
	}
	slices.Sort(customers)
	for _, c := range money.Currencies() {
		if !seen[c] {
			others = append(others, c)
		}
	}
	return currencyChoices{customers, others}
}

// currencyChoices are a currency picker's two groups.
type currencyChoices struct{ Customers, Others []money.Currency }

func (s *server) newPayment(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	v := url.Values{"received_on": {s.svc.Today(r.Context())}, "method": {"bank_transfer"}}
	if c := r.URL.Query().Get("customer"); c != "" {
		v.Set("organization_id", c)
		// The currency picker starts at the customer's billing currency (the page's script
		// follows a change of customer).
		if o, err := s.svc.GetOrganization(r.Context(), c); err == nil {
			v.Set("currency", string(o.BillingCurrency))
		}
	}
	s.showPaymentForm(w, r, p, http.StatusOK, &paymentForm{Values: v})
}

func (s *server) showPaymentForm(w http.ResponseWriter, r *http.Request, p *page, status int, f *paymentForm) {
	p.Nav, p.Data = "payments", f
	p.Title = "New payment"
	if f.ID != "" {
		p.Title = "Edit payment"
	}
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	f.Orgs = orgs
	if f.Get("currency") == "" && len(orgs) > 0 {
		f.Values.Set("currency", string(mostUsedCurrency(orgs)))
	}
	s.render(w, status, "payment_form", p)
}

func (s *server) recordPayment(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	in := finapp.PaymentCreate{OrganizationID: v.Get("organization_id"), Amount: money.Ungroup(strings.TrimSpace(v.Get("amount"))),
		Currency: strings.ToUpper(strings.TrimSpace(v.Get("currency"))), ReceivedOn: v.Get("received_on"), Method: v.Get("method"),
		Reference: v.Get("reference"), InvoiceNumber: v.Get("invoice_number"), Remark: v.Get("remark")}
	d, err := s.svc.RecordPayment(r.Context(), in)
	if err != nil {
		status := s.refusal(p, err, paymentFields...)
		s.showPaymentForm(w, r, p, status, &paymentForm{Values: v})
		return
	}
	redirect(w, r, "/payments/"+d.ID, "recorded")
}

func (s *server) editPayment(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	d, err := s.svc.GetPayment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := url.Values{"amount": {money.Format(d.Amount, d.Currency)}, "currency": {string(d.Currency)}, "received_on": {d.ReceivedOn},
		"method": {d.Method}, "reference": {d.Reference}, "invoice_number": {d.InvoiceHint}, "remark": {d.Remark}}
	s.showPaymentForm(w, r, p, http.StatusOK, &paymentForm{ID: d.ID, Version: d.Version, Values: v})
}

func (s *server) updatePayment(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	field := func(k string) *string { x := v.Get(k); return &x }
	amount, currency := money.Ungroup(strings.TrimSpace(v.Get("amount"))), strings.ToUpper(strings.TrimSpace(v.Get("currency")))
	u := finapp.PaymentUpdate{Amount: &amount, Currency: &currency, ReceivedOn: field("received_on"), Method: field("method"),
		Reference: field("reference"), InvoiceNumber: field("invoice_number"), Remark: field("remark")}
	id := r.PathValue("id")
	if _, err := s.svc.UpdatePayment(r.Context(), id, version(v), u); err != nil {
		status := s.refusal(p, err, paymentFields...)
		s.showPaymentForm(w, r, p, status, &paymentForm{ID: id, Version: version(v), Values: v})
		return
	}
	redirect(w, r, "/payments/"+id, "updated")
}

func (s *server) confirmDelete(w http.ResponseWriter, r *http.Request, p *page) {
	if s.readOnly(w, p) {
		return
	}
	d, err := s.svc.GetPayment(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Delete payment", "payments", d
	s.render(w, http.StatusOK, "payment_delete", p)
}

func (s *server) deletePayment(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if err := s.svc.DeletePayment(r.Context(), id, version(r.PostForm)); err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments", "deleted")
}

// version is the payment version a form was rendered from (its If-Match): a form older than the
// payment is refused with version_conflict instead of acting on what the user did not see.
func version(v url.Values) int {
	n, _ := strconv.Atoi(v.Get("version"))
	return n
}

// paymentView is the payment page: details, the Assigned Organization and Allocation editors,
// and the history.
type paymentView struct {
	*finapp.PaymentDetail
	ChangesLeft     int
	MaxChanges      int
	Orgs            []*finapp.OrganizationDetail
	History         []historyEntry
	Search          url.Values // the invoice search: org, number, from, to
	Searched        bool
	Candidates      []*candidate
	LineErrors      map[string]string // invoice id → refusal of its line
	Methods         []string          // how a refund may go back
	Tolerance       money.Amount      // the workspace's write-off tolerance in the payment's currency
	AllocationPages historyPage       // which page of its allocations is shown
}

// candidate is an invoice the payment may go to, with the amount pre-filled: the smaller of
// what the invoice still asks for and what the payment has left.
type candidate struct {
	*finapp.Invoice
	Amount  string
	Checked bool
	Error   string
	Settle  string // how the rest of the invoice is settled: "" (left due) or an adjustment kind
	Reason  string
	Why     []finapp.Evidence // why the matching engine suggests it; none if it does not
	// Converted: the invoice is in another currency than the payment's; its line takes a Rate.
	Converted bool
	Rate      string
}

func (s *server) viewPayment(w http.ResponseWriter, r *http.Request, p *page) {
	s.showPayment(w, r, p, r.PathValue("id"), nil, nil)
}

// showPayment renders the payment page; after a refused action, err is shown and posted keeps
// what the user ticked and typed.
func (s *server) showPayment(w http.ResponseWriter, r *http.Request, p *page, id string, actionErr error, posted url.Values) {
	ctx := r.Context()
	d, err := s.svc.GetPayment(ctx, id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	v := &paymentView{PaymentDetail: d, ChangesLeft: d.AssignmentChangesLeft(), MaxChanges: finapp.MaxAssignmentChanges, LineErrors: map[string]string{},
		Methods: finapp.Methods}
	if v.AllocationPages, err = s.allocationPages(r, &d.Allocations, d.AllocationsMore, finapp.AllocationFilter{PaymentID: d.ID}); err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Payment "+d.Reference, "payments", v
	if d.Reference == "" {
		p.Title = "Payment"
	}
	status := http.StatusOK
	search := r.URL.Query()
	if posted != nil {
		search = posted
	}
	if actionErr != nil {
		status = s.refusal(p, actionErr) // shown above the editors, where every action of the page can see it
		var e *finapp.Error
		if errors.As(actionErr, &e) && strings.HasPrefix(e.Field, "allocations[") && posted != nil {
			ticked := posted["line"] // each line's invoice, adjustments too
			if ticked == nil {
				ticked = posted["invoice"]
			}
			var i int
			if _, err := fmt.Sscanf(e.Field, "allocations[%d]", &i); err == nil && i >= 0 && i < len(ticked) {
				v.LineErrors[ticked[i]] = e.Message
			}
		}
	}
	if v.Orgs, err = s.organizations(r); err != nil {
		s.fail(w, p, err)
		return
	}
	events, _, err := s.svc.ListAudit(ctx, finapp.AuditFilter{EntityID: d.ID, Limit: 100})
	if err != nil {
		s.fail(w, p, err)
		return
	}
	names := map[string]string{}
	for _, o := range v.Orgs {
		names[o.ID] = o.Name
	}
	v.History = describeHistory(events, names)
	if d.DeletedAt == nil {
		tolerances, err := s.svc.Tolerances(ctx)
		if err != nil {
			s.fail(w, p, err)
			return
		}
		for _, t := range tolerances {
			if t.Currency == d.Currency {
				v.Tolerance = t.Amount
			}
		}
		if err := s.findCandidates(r, v, search, posted); err != nil {
			if p.Error == "" {
				status = s.refusal(p, err)
			}
		}
	}
	s.render(w, status, "payment", p)
}

// findCandidates runs the Allocation editor: the matching engine's suggestions first, each with
// why (the invoices the payer named; the customer's whose amounts due make exactly the money),
// then the invoice search. An assigned payment searches its organization's invoices (all of its
// open ones by default); an unassigned one searches every organization's by name, invoice # and
// issue date. The search starts from the customer, never from the payer's hint, so that a hint
// naming the wrong invoice cannot hide the right ones.
func (s *server) findCandidates(r *http.Request, v *paymentView, q, posted url.Values) error {
	org, number := strings.TrimSpace(q.Get("org")), strings.TrimSpace(q.Get("number"))
	from, to := q.Get("issued_from"), q.Get("issued_to")
	v.Searched = q.Has("org") || q.Has("number") || from != "" || to != ""
	v.Search = url.Values{"org": {org}, "number": {number}, "issued_from": {from}, "issued_to": {to}}
	suggestions, err := s.svc.SuggestInvoices(r.Context(), v.ID)
	if err != nil {
		return err
	}
	var list []*finapp.Invoice
	why := map[string][]finapp.Evidence{}
	suggested := map[string]money.Amount{}
	for _, sg := range suggestions {
		list = append(list, sg.Invoice)
		why[sg.Invoice.ID], suggested[sg.Invoice.ID] = sg.Evidence, sg.Amount
	}
	if v.OrganizationID != "" || org != "" || number != "" || from != "" || to != "" {
		f := finapp.InvoiceFilter{OrganizationID: v.OrganizationID, Q: org, IssuedFrom: from, IssuedTo: to, Limit: 200}
		if org == "" {
			f.Q = number
		}
		found, _, err := s.svc.ListInvoices(r.Context(), f)
		if err != nil {
			return err
		}
		for _, inv := range found {
			if _, dup := why[inv.ID]; !dup {
				list = append(list, inv)
			}
		}
	}
	ticked := map[string]string{}
	if posted != nil {
		for _, id := range posted["invoice"] {
			ticked[id] = posted.Get("amount_" + id)
		}
	}
	left := v.Unallocated()
	for _, inv := range list {
		if inv.AcceptsConverted(v.Payment) != nil || (inv.Currency != v.Currency && v.OrganizationID == "") {
			continue // invoices in another currency are offered, with a rate, for an assigned payment
		}
		if _, ok := why[inv.ID]; !ok && org != "" && number != "" && !strings.Contains(strings.ToLower(inv.Number), strings.ToLower(number)) {
			continue
		}
		c := &candidate{Invoice: inv, Amount: money.Format(money.Min(inv.AmountDue(), left), v.Currency), Error: v.LineErrors[inv.ID], Why: why[inv.ID]}
		if inv.Currency != v.Currency {
			c.Converted, c.Amount = true, "" // in the payment's currency, which the rate decides
		}
		if amt, ok := suggested[inv.ID]; ok {
			// A suggestion comes ticked with what it would take (Find & Match: the user confirms
			// with one click, or unticks it); a form sent back keeps what the user had ticked.
			c.Amount, c.Checked = money.Format(amt, v.Currency), posted == nil && amt > 0
		}
		if amt, ok := ticked[inv.ID]; ok {
			c.Checked, c.Amount = true, amt
			c.Settle, c.Reason, c.Rate = posted.Get("settle_"+inv.ID), posted.Get("reason_"+inv.ID), posted.Get("rate_"+inv.ID)
		}
		v.Candidates = append(v.Candidates, c)
	}
	return nil
}

func (s *server) assign(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	org := r.PostForm.Get("organization_id")
	if org == "" {
		s.showPayment(w, r, p, id, finapp.Invalid("organization_id", "choose the customer to assign the payment to"), nil)
		return
	}
	if _, err := s.svc.AssignPayment(r.Context(), id, org, version(r.PostForm)); err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments/"+id, "assigned")
}

func (s *server) unassign(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.UnassignPayment(r.Context(), id, version(r.PostForm)); err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments/"+id, "unassigned")
}

// allocate is "Assign & Allocate": the ticked invoices with their amounts, in one request. An
// unassigned payment is assigned to the ticked invoices' organization in the same transaction;
// the domain refuses invoices of different organizations.
func (s *server) allocate(w http.ResponseWriter, r *http.Request, p *page) {
	id, v := r.PathValue("id"), r.PostForm
	ticked := v["invoice"]
	if len(ticked) == 0 {
		s.showPayment(w, r, p, id, finapp.Invalid("", "Tick at least one invoice to allocate to."), v)
		return
	}
	req := finapp.AllocationRequest{}
	var lineInvoice []string // the invoice of each line, to show a refusal beside it
	for _, inv := range ticked {
		amount, rate := money.Ungroup(strings.TrimSpace(v.Get("amount_"+inv))), strings.TrimSpace(v.Get("rate_"+inv))
		req.Lines = append(req.Lines, finapp.AllocationLine{InvoiceID: inv, Amount: amount, Rate: rate})
		lineInvoice = append(lineInvoice, inv)
		kind := v.Get("settle_" + inv)
		if kind == "" {
			continue
		}
		// "Write off the rest", "bank fee", "discount": what the money leaves due, settled so.
		rest, err := s.restAfter(r, id, inv, amount, rate)
		if err != nil {
			s.showPayment(w, r, p, id, err, v)
			return
		}
		if rest != "" {
			req.Lines = append(req.Lines, finapp.AllocationLine{InvoiceID: inv, Amount: rest, Kind: kind, Reason: v.Get("reason_" + inv)})
			lineInvoice = append(lineInvoice, inv)
		}
	}
	v["line"] = lineInvoice
	d, err := s.svc.GetPayment(r.Context(), id)
	if err == nil && d.OrganizationID == "" {
		var inv *finapp.InvoiceDetail
		if inv, err = s.svc.GetInvoice(r.Context(), ticked[0]); err == nil {
			req.OrganizationID = inv.OrganizationID
		}
	}
	if err == nil {
		_, err = s.svc.Allocate(r.Context(), id, version(v), req)
	}
	if err != nil {
		s.showPayment(w, r, p, id, err, v)
		return
	}
	redirect(w, r, "/payments/"+id, "allocated")
}

// restAfter is what invoice id would still have due after amount (as typed) of payment
// paymentID's money, converted at rate when one is typed: "" when nothing, or when amount or rate
// is not one (its own line is refused then).
func (s *server) restAfter(r *http.Request, paymentID, id, amount, rate string) (string, error) {
	inv, err := s.svc.GetInvoice(r.Context(), id)
	if err != nil {
		return "", err
	}
	p, err := s.svc.GetPayment(r.Context(), paymentID)
	if err != nil {
		return "", err
	}
	amt, err := money.Parse(amount, p.Currency)
	if err != nil {
		return "", nil
	}
	if rate != "" {
		rt, err := money.ParseRate(rate)
		if err != nil {
			return "", nil
		}
		if amt, err = rt.Convert(amt, p.Currency, inv.Currency); err != nil {
			return "", nil
		}
	}
	if amt >= inv.AmountDue() {
		return "", nil
	}
	return money.Format(inv.AmountDue()-amt, inv.Currency), nil
}

func (s *server) autoAllocate(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	before, err := s.svc.GetPayment(r.Context(), id)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	after, err := s.svc.Allocate(r.Context(), id, version(r.PostForm), finapp.AllocationRequest{Auto: true, OrganizationID: r.PostForm.Get("organization_id")})
	if err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	done := "auto"
	if after.Allocated == before.Allocated {
		done = "auto-none"
	}
	redirect(w, r, "/payments/"+id, done)
}

func (s *server) topUp(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.TopUp(r.Context(), id, version(r.PostForm), money.Ungroup(strings.TrimSpace(r.PostForm.Get("amount")))); err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments/"+id, "topped-up")
}

// refund pays back money the payment holds unapplied.
func (s *server) refund(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	f := r.PostForm
	_, err := s.svc.RefundPayment(r.Context(), id, version(f), finapp.RefundCreate{Amount: money.Ungroup(strings.TrimSpace(f.Get("amount"))),
		Method: f.Get("method"), Reference: f.Get("reference"), Reason: f.Get("reason")})
	if err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments/"+id, "refunded")
}

// reverseRefund records that a refund's money came back, and shows its payment again.
func (s *server) reverseRefund(w http.ResponseWriter, r *http.Request, p *page) {
	rf, err := s.svc.GetRefund(r.Context(), r.PathValue("id"))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	if _, err := s.svc.ReverseRefund(r.Context(), rf.ID, r.PostForm.Get("reason")); err != nil {
		s.showPayment(w, r, p, rf.PaymentID, err, nil)
		return
	}
	redirect(w, r, "/payments/"+rf.PaymentID, "refund-reversed")
}

func (s *server) release(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.ReleaseAllocation(r.Context(), id, r.PathValue("aid"), version(r.PostForm)); err != nil {
		s.showPayment(w, r, p, id, err, nil)
		return
	}
	redirect(w, r, "/payments/"+id, "released")
}

// mostUsedCurrency is the billing currency most customers have: a new payment's currency before
// a customer is chosen.
func mostUsedCurrency(orgs []*finapp.OrganizationDetail) money.Currency {
	n := map[money.Currency]int{}
	best := orgs[0].BillingCurrency
	for _, o := range orgs {
		if n[o.BillingCurrency]++; n[o.BillingCurrency] > n[best] || (n[o.BillingCurrency] == n[best] && o.BillingCurrency < best) {
			best = o.BillingCurrency
		}
	}
	return best
}
