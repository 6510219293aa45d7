package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"finapp"
	"finapp/money"
)

// Editing a proposal in place, on the Reconcile page: a line's row opens (a <details>, no script)
// on the customer of its best proposal and that customer's open invoices in the line's
// currency, each with the amount the proposal gives it; a person changes the amounts, or picks
// another customer (the page comes back with that customer's invoices), and applies the line as
// edited — the same use case as the API's apply with a customer and allocations of one's own.

// lineEditor is the editor of one row. Shut, it offers the proposal's own invoices, so that the
// page costs no more reads than its proposals; opened (?edit=line), every open invoice of the
// customer and the choice of another customer.
type lineEditor struct {
	OrganizationID string
	Open           bool // opened: the customer was just picked, or an apply was refused
	Invoices       []editInvoice
	OrgError       string // a refused apply's word on the customer
	Find           string // the words the customer choice was narrowed by

	// What the amounts shown do with the line's money: Applied of Amount, the rest unapplied
	// (negative: more than the line brings). Summed is false when an amount shown is not one.
	Amount, Applied money.Amount
	Summed          bool
}

// editInvoice is an invoice offered and the amount typed or proposed for it; Due is known only
// in an opened editor.
type editInvoice struct {
	ID, Number, DueOn string
	Due               money.Amount
	Amount            string
	Error             string // a refused apply's word on this amount
}

// editState is what the page must show again in a row's editor: the customer picked (GET
// ?edit=line&org=…), or the form of a refused apply.
type editState struct {
	LineID         string
	OrganizationID string
	Find           string            // narrows the customer choice to the customers these words find
	Values         url.Values        // the amounts typed, by "amount_" + invoice id
	Errors         map[string]string // a refusal beside its field: by invoice id, or "organization_id"
}

// editorOf builds the editor of a line: none for a line that cannot be applied (a debit, a
// reversal, one decided already).
func (s *server) editorOf(r *http.Request, l *finapp.BankLine, best *finapp.BankProposal, edit *editState) (*lineEditor, error) {
	if !l.Credit || l.Reversal || l.EntryStatus != finapp.EntryBooked ||
		(l.Status != finapp.BankLineProposed && l.Status != finapp.BankLineUnmatched) {
		return nil, nil
	}
	ed := &lineEditor{Amount: l.Amount}
	defer ed.sum(l.Currency)
	proposed := map[string]money.Amount{}
	if best != nil && best.PaymentID == "" && best.ReversesLineID == "" {
		ed.OrganizationID = best.OrganizationID
		for _, a := range best.Allocations {
			proposed[a.InvoiceID] = a.Amount
			ed.Invoices = append(ed.Invoices, editInvoice{ID: a.InvoiceID, Number: a.InvoiceNumber, Amount: money.Format(a.Amount, l.Currency)})
		}
	}
	if edit == nil || edit.LineID != l.ID {
		return ed, nil
	}
	ed.Open, ed.Invoices, ed.OrgError, ed.Find = true, nil, edit.Errors["organization_id"], edit.Find
	if edit.OrganizationID != ed.OrganizationID {
		ed.OrganizationID, proposed = edit.OrganizationID, nil
	}
	if ed.OrganizationID == "" {
		return ed, nil
	}
	open, err := s.svc.OpenInvoicesOf(r.Context(), ed.OrganizationID, string(l.Currency))
	if finapp.ErrorCode(err) == finapp.ENotFound {
		ed.OrganizationID = "" // a customer id mistyped into the URL: pick again
		return ed, nil
	}
	if err != nil {
		return nil, err
	}
	for _, inv := range open {
		e := editInvoice{ID: inv.ID, Number: inv.Number, DueOn: inv.DueOn, Due: inv.AmountDue()}
		if a, ok := proposed[inv.ID]; ok {
			e.Amount = money.Format(a, l.Currency)
		}
		if edit.Values != nil {
			e.Amount = edit.Values.Get("amount_" + inv.ID)
		}
		e.Error = edit.Errors[inv.ID]
		ed.Invoices = append(ed.Invoices, e)
	}
	return ed, nil
}

// sum works out what the amounts shown apply of the line's money, in its currency, as the
// books will read them; an empty amount applies nothing.
func (ed *lineEditor) sum(cur money.Currency) {
	ed.Applied, ed.Summed = 0, true
	for _, e := range ed.Invoices {
		a := strings.TrimSpace(money.Ungroup(e.Amount))
		if a == "" {
			continue
		}
		amt, err := money.Parse(a, cur)
		if err != nil || amt < 0 {
			ed.Summed = false
			return
		}
		ed.Applied += amt
	}
}

// Unapplied is what stays on the customer's payment after the amounts shown; negative when
// they give more than the line brings.
func (ed *lineEditor) Unapplied() money.Amount { return ed.Amount - ed.Applied }

// applyEdited applies a line as its editor says: the customer, and an allocation for each
// invoice given an amount (none leaves the money unapplied on the customer's payment). Amounts
// are read as the payment pages read them (grouped thousands allowed) and parsed by the books
// in the line's currency. A refusal shows the editor again, open on what was typed, with the
// refusal beside the amount (or the customer) it is about.
func (s *server) applyEdited(w http.ResponseWriter, r *http.Request, p *page) {
	id, f := r.PathValue("id"), r.PostForm
	in := finapp.BankLineApply{OrganizationID: strings.TrimSpace(f.Get("organization_id"))}
	var keys []string
	for k := range f {
		if strings.HasPrefix(k, "amount_") && strings.TrimSpace(f.Get(k)) != "" {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys) // the invoices' order on the page is the books' business, not the form's
	invoices := make([]string, len(keys))
	for i, k := range keys {
		invoices[i] = strings.TrimPrefix(k, "amount_")
		in.Allocations = append(in.Allocations, finapp.AllocationLine{InvoiceID: invoices[i],
			Amount: money.Ungroup(strings.TrimSpace(f.Get(k)))})
	}
	var err error
	if in.OrganizationID == "" { // the books would ask for a proposal_id, which the editor has none of
		err = finapp.Invalid("organization_id", "choose the customer whose payment the line's money becomes")
	} else {
		_, err = s.svc.ApplyBankLine(r.Context(), id, in)
	}
	if err == nil {
		redirect(w, r, "/reconcile", "line-applied")
		return
	}
	status := s.refusal(p, err)
	edit := &editState{LineID: id, OrganizationID: in.OrganizationID, Values: f, Errors: map[string]string{}}
	var e *finapp.Error
	if errors.As(err, &e) && e.Code != finapp.EInternal {
		var i int
		switch _, scan := fmt.Sscanf(e.Field, "allocations[%d]", &i); {
		case scan == nil && i >= 0 && i < len(invoices):
			edit.Errors[invoices[i]] = e.Message
			if inv, err := s.svc.GetInvoice(r.Context(), invoices[i]); err == nil && !strings.Contains(e.Message, inv.Number) {
				p.Error = "Amount for " + inv.Number + ": " + e.Message // the sentence alone names no invoice
			}
		case e.Field == "organization_id":
			p.Error = "Customer: " + e.Message
			edit.Errors["organization_id"] = p.Error
		}
	}
	l, err := s.svc.GetBankLine(r.Context(), id)
	if err != nil {
		s.showReconcileAt(w, r, p, status, "", nil)
		return
	}
	s.showReconcileAt(w, r, p, status, l.Status, edit)
}
