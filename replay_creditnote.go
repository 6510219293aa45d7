package finapp

import (
	"strconv"
	"time"

	"finapp/money"
)

// Replay of credit notes and their applications (replay.go): what each must hold now and the
// journal entries each posted, from the trail alone.

// creditNoteJSON is creditNoteSnapshot read back.
type creditNoteJSON struct {
	ID             string         `json:"id"`
	Number         string         `json:"number"`
	OrganizationID string         `json:"organization_id"`
	InvoiceID      string         `json:"invoice_id"`
	Currency       money.Currency `json:"currency"`
	Amount         string         `json:"amount"`
	Applied        string         `json:"applied"`
	Refunded       string         `json:"refunded"`
	ToCredit       string         `json:"to_credit"`
	Reason         string         `json:"reason"`
	IssuedOn       string         `json:"issued_on"`
	Status         string         `json:"status"`
	Version        int            `json:"version"`
}

type replayedCreditNote struct {
	after     creditNoteJSON
	amount    money.Amount
	createdAt time.Time
	voidedAt  *time.Time
	seen      bool
}

// applicationJSON is applicationSnapshot read back.
type applicationJSON struct {
	ID           string         `json:"id"`
	CreditNoteID string         `json:"credit_note_id"`
	Kind         string         `json:"kind"`
	InvoiceID    string         `json:"invoice_id"`
	Amount       string         `json:"amount"`
	Currency     money.Currency `json:"currency"`
	Method       string         `json:"method"`
	Reference    string         `json:"reference"`
	Reason       string         `json:"reason"`
}

type replayedApplication struct {
	after      applicationJSON
	createdAt  time.Time
	releasedAt *time.Time
	seen       bool
}

// creditNoteEvent replays a credit note's issue, void, or a change of its sums; the journal
// entries of its applications come from their own events.
func (r *Replay) creditNoteEvent(e *AuditEvent) {
	var after creditNoteJSON
	if !decode(e.After, &after) {
		r.bad(e, "no credit note snapshot")
		return
	}
	amt, err := money.Parse(after.Amount, after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
		return
	}
	n := r.notes[e.EntityID]
	if e.Action == "credit_note.issued" {
		n = &replayedCreditNote{createdAt: e.At}
		r.notes[e.EntityID] = n
		r.expect("credit_note.issued", e.EntityID, after.Currency, transferOf{AccountRevenue, CreditNoteAccount(after.OrganizationID), amt})
	}
	if n == nil {
		r.bad(e, "the credit note was never issued in the trail")
		return
	}
	n.after, n.amount = after, amt
	if e.Action == "credit_note.voided" {
		at := e.At
		n.voidedAt = &at
		r.expect("credit_note.voided", e.EntityID, after.Currency, transferOf{CreditNoteAccount(after.OrganizationID), AccountRevenue, amt})
	}
}

// applicationEvent replays an application made or released: the journal entry it posted and, for
// an invoice, what it did to the invoice's amount credited.
func (r *Replay) applicationEvent(e *AuditEvent) {
	var after applicationJSON
	if !decode(e.After, &after) {
		r.bad(e, "no credit note application snapshot")
		return
	}
	amt, err := money.Parse(after.Amount, after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
		return
	}
	n := r.notes[after.CreditNoteID]
	if n == nil {
		r.bad(e, "credit note %s was never issued in the trail", after.CreditNoteID)
		return
	}
	from := CreditNoteAccount(n.after.OrganizationID)
	a := r.applied[e.EntityID]
	switch e.Action {
	case "credit_note_application.created":
		a = &replayedApplication{after: after, createdAt: e.At}
		r.applied[e.EntityID] = a
		switch after.Kind {
		case ApplicationRefund:
			r.expect(EventCreditNoteRefunded, e.EntityID, after.Currency, transferOf{from, CashAccount(after.Method), amt})
			return
		case ApplicationCredit:
			r.expect(EventCreditNoteToCredit, e.EntityID, after.Currency, transferOf{from, CreditAccount(n.after.OrganizationID), amt})
			return
		}
	case "credit_note_application.released":
		if a == nil || a.releasedAt != nil {
			r.bad(e, "the application was never made in the trail, or was released before")
			return
		}
		at := e.At
		a.releasedAt = &at
	default:
		return
	}
	inv := r.invoices[after.InvoiceID]
	if inv == nil {
		r.bad(e, "invoice %s was never issued in the trail", after.InvoiceID)
		return
	}
	inv.bumps++
	receivable := ReceivableAccount(inv.after.OrganizationID)
	if a.releasedAt != nil {
		inv.credited -= amt
		r.expect("credit_note.application_released", e.EntityID, after.Currency, transferOf{receivable, from, amt})
		return
	}
	inv.credited += amt
	r.expect("credit_note.applied", e.EntityID, after.Currency, transferOf{from, receivable, amt})
}

// CreditNote compares a credit note row with its last snapshot in the trail.
func (r *Replay) CreditNote(n *CreditNote) {
	want := r.notes[n.ID]
	if want == nil {
		r.mismatch("credit_notes", n.ID, "row", "no such credit note", "a row")
		return
	}
	want.seen = true
	const t = "credit_notes"
	a, f := want.after, func(x money.Amount) string { return money.Format(x, n.Currency) }
	r.field(t, n.ID, "number", a.Number, n.Number)
	r.field(t, n.ID, "organization_id", a.OrganizationID, n.OrganizationID)
	r.field(t, n.ID, "invoice_id", a.InvoiceID, n.InvoiceID)
	r.field(t, n.ID, "currency", string(a.Currency), string(n.Currency))
	r.field(t, n.ID, "amount", a.Amount, f(n.Amount))
	r.field(t, n.ID, "applied", a.Applied, f(n.Applied))
	r.field(t, n.ID, "refunded", a.Refunded, f(n.Refunded))
	r.field(t, n.ID, "to_credit", a.ToCredit, f(n.ToCredit))
	r.field(t, n.ID, "reason", a.Reason, n.Reason)
	r.field(t, n.ID, "issued_on", a.IssuedOn, n.IssuedOn)
	r.field(t, n.ID, "status", a.Status, n.Status)
	r.field(t, n.ID, "version", strconv.Itoa(a.Version), strconv.Itoa(n.Version))
	r.field(t, n.ID, "created_at", timeText(&want.createdAt), timeText(&n.CreatedAt))
	r.field(t, n.ID, "voided_at", timeText(want.voidedAt), timeText(n.VoidedAt))
}

// CreditNoteApplication compares an application row with its snapshots in the trail.
func (r *Replay) CreditNoteApplication(ap *CreditNoteApplication) {
	want := r.applied[ap.ID]
	if want == nil {
		r.mismatch("credit_note_applications", ap.ID, "row", "no such application", "a row")
		return
	}
	want.seen = true
	const t = "credit_note_applications"
	a := want.after
	r.field(t, ap.ID, "credit_note_id", a.CreditNoteID, ap.CreditNoteID)
	r.field(t, ap.ID, "kind", a.Kind, ap.Kind)
	r.field(t, ap.ID, "invoice_id", a.InvoiceID, ap.InvoiceID)
	r.field(t, ap.ID, "amount", a.Amount, money.Format(ap.Amount, ap.Currency))
	r.field(t, ap.ID, "currency", string(a.Currency), string(ap.Currency))
	r.field(t, ap.ID, "method", a.Method, ap.Method)
	r.field(t, ap.ID, "reference", a.Reference, ap.Reference)
	r.field(t, ap.ID, "reason", a.Reason, ap.Reason)
	r.field(t, ap.ID, "created_at", timeText(&want.createdAt), timeText(&ap.CreatedAt))
	r.field(t, ap.ID, "released_at", timeText(want.releasedAt), timeText(ap.ReleasedAt))
}

// finishCreditNotes names the credit notes and applications the trail has and the rows do not.
func (r *Replay) finishCreditNotes() {
	for id, n := range r.notes {
		if !n.seen {
			r.mismatch("credit_notes", id, "row", "exists", "missing")
		}
	}
	for id, a := range r.applied {
		if !a.seen {
			r.mismatch("credit_note_applications", id, "row", "exists", "missing")
		}
	}
}
