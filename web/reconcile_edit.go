package web

import (
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

// lineEditor is the editor of one row.
type lineEditor struct {
	OrganizationID string
	Open           bool // shown opened: the customer was just picked, or an apply was refused
	Invoices       []editInvoice
}

// editInvoice is an open invoice of the editor's customer and the amount typed or proposed for it.
type editInvoice struct {
	ID, Number, DueOn string
	Due               money.Amount
	Amount            string
}

// editState is what the page must show again in a row's editor: the customer picked (GET
// ?edit=line&org=…), or the form of a refused apply.
type editState struct {
	LineID         string
	OrganizationID string
	Values         url.Values // the amounts typed, by "amount_" + invoice id
}

// editorOf builds the editor of a line: none for a line that cannot be applied (a debit, a
// reversal, one decided already), an editor without invoices until a customer is known.
func (s *server) editorOf(r *http.Request, l *finapp.BankLine, best *finapp.BankProposal, edit *editState) (*lineEditor, error) {
	if !l.Credit || l.Reversal || l.EntryStatus != finapp.EntryBooked ||
		(l.Status != finapp.BankLineProposed && l.Status != finapp.BankLineUnmatched) {
		return nil, nil
	}
	ed := &lineEditor{}
	proposed := map[string]money.Amount{}
	if best != nil && best.PaymentID == "" && best.ReversesLineID == "" {
		ed.OrganizationID = best.OrganizationID
		for _, a := range best.Allocations {
			proposed[a.InvoiceID] = a.Amount
		}
	}
	var typed url.Values
	if edit != nil && edit.LineID == l.ID {
		ed.Open = true
		if edit.OrganizationID != ed.OrganizationID {
			ed.OrganizationID, proposed = edit.OrganizationID, nil
		}
		typed = edit.Values
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
		if typed != nil {
			e.Amount = typed.Get("amount_" + inv.ID)
		}
		ed.Invoices = append(ed.Invoices, e)
	}
	return ed, nil
}

// applyEdited applies a line as its editor says: the customer, and an allocation for each
// invoice given an amount (none leaves the money unapplied on the customer's payment).
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
	for _, k := range keys {
		in.Allocations = append(in.Allocations, finapp.AllocationLine{InvoiceID: strings.TrimPrefix(k, "amount_"),
			Amount: strings.TrimSpace(f.Get(k))})
	}
	if _, err := s.svc.ApplyBankLine(r.Context(), id, in); err != nil {
		status := s.refusal(p, err)
		edit := &editState{LineID: id, OrganizationID: in.OrganizationID, Values: f}
		if l, err := s.svc.GetBankLine(r.Context(), id); err == nil {
			s.showReconcileAt(w, r, p, status, l.Status, edit)
			return
		}
		s.showReconcileAt(w, r, p, status, "", nil)
		return
	}
	redirect(w, r, "/reconcile", "line-applied")
}
