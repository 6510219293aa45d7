package conformance

import (
	"fmt"

	"finapp"
	"finapp/money"
)

// Credit note operations of the random scenarios (SPEC §6.2): issued (citing an invoice or not),
// applied to invoices, released, refunded or moved into credit, voided — some of them refused.

// creditNoteAllowed are the refusals a credit note operation may meet in a random scenario.
var creditNoteAllowed = []string{finapp.EInvalid, finapp.EConflict, finapp.EOverAllocation, finapp.EOrganizationMismatch,
	finapp.ECurrencyMismatch, finapp.EInvoiceVoid, finapp.ECreditAboveInvoice, finapp.ECreditNoteInUse}

// pickCreditNote draws a credit note, or "" when there is none.
func (s *scenario) pickCreditNote(label string) *finapp.CreditNoteDetail {
	if len(s.books.notes) == 0 {
		return nil
	}
	return s.books.notes[s.draw(label, 0, len(s.books.notes)-1)]
}

func (s *scenario) issueCreditNote() outcome {
	in := finapp.CreditNoteCreate{OrganizationID: s.pick("organization credited", s.orgIDs()), Reason: "returned goods"}
	cur := s.orgs[0].BillingCurrency
	for _, o := range s.orgs {
		if o.ID == in.OrganizationID {
			cur = o.BillingCurrency
		}
	}
	var cited *finapp.InvoiceDetail
	if len(s.books.invoices) > 0 && s.chance("cite an invoice", 2) {
		cited = s.books.invoices[s.pick("invoice cited", s.invoiceIDs())]
		in.InvoiceID, cur = cited.ID, cited.Currency
	}
	want := s.amount("credit note amount")
	if cited != nil && s.chance("credit at most the invoice's total", 2) {
		want = s.upTo("credit note amount up to the total", cited.Total)
	}
	in.Amount = money.Format(want, cur)
	n, err := s.svc.IssueCreditNote(s.ctx, in)
	desc := fmt.Sprintf("issue a credit note of %s to %s", fmtAmount(want, cur), in.OrganizationID)
	if cited != nil {
		desc += fmt.Sprintf(" citing invoice %s (%s, %s, total %s)", cited.Number, cited.Kind, cited.Status, fmtAmount(cited.Total, cited.Currency))
	}
	return outcome{desc: desc, err: err, allowed: creditNoteAllowed,
		post: func(before, after *books) []string {
			var m must
			m.check(len(after.notes) == len(before.notes)+1, "%d credit notes became %d", len(before.notes), len(after.notes))
			m.check(n.Amount == want && n.Remaining() == want && n.Status == finapp.CreditNoteOpen, "credit note %s reads %+v", n.ID, *n)
			if cited != nil {
				var citedBefore money.Amount
				for _, o := range before.notes {
					if o.InvoiceID == cited.ID && o.Status != finapp.CreditNoteVoid {
						citedBefore += o.Amount
					}
				}
				m.check(cited.Kind == finapp.KindStandard && cited.Status != finapp.InvoiceVoid && citedBefore+want <= cited.Total,
					"credited %s on %s invoice %s (%s) with %s credited before, total %s", fmtAmount(want, cur), cited.Kind, cited.Number, cited.Status,
					fmtAmount(citedBefore, cur), fmtAmount(cited.Total, cur))
			}
			return m
		}}
}

func (s *scenario) applyCreditNote() outcome {
	n := s.pickCreditNote("credit note to apply")
	if n == nil {
		return s.issueCreditNote()
	}
	req := finapp.CreditNoteApplyRequest{Auto: s.chance("apply oldest first", 3)}
	var inv *finapp.InvoiceDetail
	var want money.Amount
	if !req.Auto {
		ids := s.invoicesOf(n.OrganizationID, n.Currency)
		if len(ids) == 0 || s.chance("apply to any invoice", 5) {
			ids = s.invoiceIDs()
		}
		if len(ids) == 0 {
			return s.createInvoice()
		}
		inv = s.books.invoices[s.pick("invoice to apply to", ids)]
		want = s.upTo("amount applied", min(max(n.Remaining(), 1), max(inv.AmountDue(), 1)))
		if s.chance("apply more than fits", 4) {
			want = s.amount("amount applied")
		}
		req.Lines = []finapp.CreditNoteLine{{InvoiceID: inv.ID, Amount: money.Format(want, n.Currency)}}
	}
	_, err := s.svc.ApplyCreditNote(s.ctx, n.ID, 0, req)
	desc := fmt.Sprintf("apply credit note %s (%s, %s left) oldest first", n.Number, n.Status, fmtAmount(n.Remaining(), n.Currency))
	if inv != nil {
		desc = fmt.Sprintf("apply %s of credit note %s (%s, %s left) to invoice %s (%s %s, %s due)", fmtAmount(want, n.Currency), n.Number, n.Status,
			fmtAmount(n.Remaining(), n.Currency), inv.Number, inv.Kind, inv.Status, fmtAmount(inv.AmountDue(), inv.Currency))
	}
	return outcome{desc: desc, err: err, allowed: creditNoteAllowed,
		post: func(before, after *books) []string {
			var m must
			q := noteIn(after, n.ID)
			if inv == nil {
				m.check(q.Applied >= n.Applied, "applying oldest first lowered applied from %d to %d", n.Applied, q.Applied)
				return m
			}
			m.check(n.Status == finapp.CreditNoteOpen && want <= n.Remaining() && want <= inv.AmountDue() && inv.Kind == finapp.KindStandard &&
				inv.OrganizationID == n.OrganizationID && inv.Currency == n.Currency, "applied %d of %+v to %+v", want, *n.CreditNote, *inv.Invoice)
			m.check(q.Applied == n.Applied+want, "credit note applied went from %d to %d, want +%d", n.Applied, q.Applied, want)
			m.check(after.invoices[inv.ID].AmountCredited == inv.AmountCredited+want, "invoice credited went from %d to %d, want +%d",
				inv.AmountCredited, after.invoices[inv.ID].AmountCredited, want)
			return m
		}}
}

func (s *scenario) releaseCreditNoteApplication() outcome {
	n := s.pickCreditNote("credit note to release from")
	if n == nil || len(n.Applications) == 0 {
		return s.applyCreditNote()
	}
	a := n.Applications[s.draw("application to release", 0, len(n.Applications)-1)]
	_, err := s.svc.ReleaseCreditNoteApplication(s.ctx, n.ID, a.ID)
	return outcome{desc: fmt.Sprintf("release application %s (%s, %s, released %v) of credit note %s", a.ID, a.Kind,
		fmtAmount(a.Amount, a.Currency), a.ReleasedAt != nil, n.Number), err: err, allowed: creditNoteAllowed,
		post: func(before, after *books) []string {
			var m must
			q := noteIn(after, n.ID)
			m.check(a.Kind == finapp.ApplicationInvoice && a.ReleasedAt == nil, "released application %+v", *a)
			m.check(q.Applied == n.Applied-a.Amount, "credit note applied went from %d to %d, want −%d", n.Applied, q.Applied, a.Amount)
			return m
		}}
}

// useCreditNote refunds some of a credit note or moves it into the customer's credit.
func (s *scenario) useCreditNote() outcome {
	n := s.pickCreditNote("credit note to use")
	if n == nil {
		return s.issueCreditNote()
	}
	amount, want := "", n.Remaining()
	switch s.draw("amount used", 0, 2) {
	case 1:
		want = s.upTo("amount used up to what remains", n.Remaining())
		amount = money.Format(want, n.Currency)
	case 2:
		want = s.amount("amount used")
		amount = money.Format(want, n.Currency)
	}
	refund := s.chance("refund rather than move into credit", 2)
	var err error
	desc := fmt.Sprintf("move %q of credit note %s (%s, %s left) into credit", amount, n.Number, n.Status, fmtAmount(n.Remaining(), n.Currency))
	if refund {
		method := methods[s.draw("refund method", 0, len(methods)-1)]
		desc = fmt.Sprintf("refund %q by %s of credit note %s (%s, %s left)", amount, method, n.Number, n.Status, fmtAmount(n.Remaining(), n.Currency))
		_, err = s.svc.RefundCreditNote(s.ctx, n.ID, 0, finapp.CreditNoteRefund{Amount: amount, Method: method, Reason: "customer asked"})
	} else {
		_, err = s.svc.CreditNoteToCredit(s.ctx, n.ID, 0, amount, "prepaid from now on")
	}
	return outcome{desc: desc, err: err, allowed: creditNoteAllowed,
		post: func(before, after *books) []string {
			var m must
			q := noteIn(after, n.ID)
			m.check(n.Status == finapp.CreditNoteOpen && want > 0 && want <= n.Remaining(), "used %d of %+v", want, *n.CreditNote)
			m.check(q.Remaining() == n.Remaining()-want, "credit note remaining went from %d to %d, want −%d", n.Remaining(), q.Remaining(), want)
			return m
		}}
}

func (s *scenario) voidCreditNote() outcome {
	n := s.pickCreditNote("credit note to void")
	if n == nil {
		return s.issueCreditNote()
	}
	_, err := s.svc.VoidCreditNote(s.ctx, n.ID, 0)
	return outcome{desc: fmt.Sprintf("void credit note %s (%s, %s left of %s)", n.Number, n.Status, fmtAmount(n.Remaining(), n.Currency),
		fmtAmount(n.Amount, n.Currency)), err: err, allowed: creditNoteAllowed,
		post: func(before, after *books) []string {
			var m must
			m.check(n.Status == finapp.CreditNoteOpen && n.Remaining() == n.Amount, "voided credit note %+v", *n.CreditNote)
			m.check(noteIn(after, n.ID).Status == finapp.CreditNoteVoid, "voided credit note %s reads as %s", n.Number, noteIn(after, n.ID).Status)
			return m
		}}
}

// noteIn finds a credit note in b (a blank one when it is missing, which check reports).
func noteIn(b *books, id string) *finapp.CreditNoteDetail {
	for _, n := range b.notes {
		if n.ID == id {
			return n
		}
	}
	return &finapp.CreditNoteDetail{CreditNote: &finapp.CreditNote{ID: id}}
}
