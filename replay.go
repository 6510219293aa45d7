package finapp

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"finapp/money"
)

// The audit trail is the one record of the books that is hash-chained: an edit made outside
// finapp to a payment, an invoice or a journal line that also keeps every invariant (a payment's
// amount raised together with both lines of its journal entry) still differs from what the
// trail says happened. Replay rebuilds, from the trail alone, what every organization, invoice,
// payment, allocation, top-up and import must hold now and which journal entries must exist, and
// compares that with the rows. `finapp verify` runs it over every workspace.

// ReplayTx reads a workspace's rows page by page, in a stable order, for Replay. Each method
// returns at most limit rows after the given position (0 or "" for the start).
type ReplayTx interface {
	// AuditPage lists audit events in chain order (by seq) after seq afterSeq.
	AuditPage(ctx context.Context, afterSeq int64, limit int) ([]*AuditEvent, error)
	// JournalPage lists journal entries with their lines, in posting order, after entry seq
	// afterSeq, and returns the seq of the last one.
	JournalPage(ctx context.Context, afterSeq int64, limit int) ([]*JournalEntry, int64, error)
	// The entities by id.
	OrganizationPage(ctx context.Context, afterID string, limit int) ([]*Organization, error)
	InvoicePage(ctx context.Context, afterID string, limit int) ([]*Invoice, error)
	PaymentPage(ctx context.Context, afterID string, limit int) ([]*Payment, error) // deleted ones too
	AllocationPage(ctx context.Context, afterID string, limit int) ([]*Allocation, error)
	TopUpPage(ctx context.Context, afterID string, limit int) ([]*TopUp, error)
	RefundPage(ctx context.Context, afterID string, limit int) ([]*Refund, error)
	CreditNotePage(ctx context.Context, afterID string, limit int) ([]*CreditNote, error)
	CreditNoteApplicationPage(ctx context.Context, afterID string, limit int) ([]*CreditNoteApplication, error)
	ImportPage(ctx context.Context, afterID string, limit int) ([]*Import, error)
	// ReplayBaseline is the last audit event of the workspace's trail that a finapp from before
	// complete trails wrote (0, false when the whole trail is complete).
	ReplayBaseline(ctx context.Context) (throughSeq int64, ok bool, err error)
}

// TrailIncomplete refuses to replay books whose audit trail was begun by a finapp from before
// 2026-12-02, which did not record allocations and top-ups: the books cannot be what a trail
// without them says, and replaying them would report every allocation as a difference.
type TrailIncomplete struct {
	ThroughSeq int64 // the last audit event of the incomplete part
}

func (e *TrailIncomplete) Error() string {
	return fmt.Sprintf("the audit trail up to event #%d was written by a finapp from before 2026-12-02, which did not record allocations and top-ups: the books are not replayed (the chain and every other invariant are checked)", e.ThroughSeq)
}

// Mismatch is one difference between what the audit trail implies and what the database holds.
type Mismatch struct {
	Table   string // the table of the row at fault: "payments", "journal_lines", …
	ID      string // the row's id (for a journal line, its entry's id and line number)
	Field   string // the column, or "row" when the whole row is missing or unexplained
	Audit   string // what the audit trail implies
	Current string // what the row holds
}

func (m Mismatch) String() string {
	return fmt.Sprintf("%s %s: %s is %s, the audit trail says %s", m.Table, m.ID, m.Field, m.Current, m.Audit)
}

// Replay is the state the audit trail implies, built event by event (Audit, in chain order),
// then compared with the rows (Organization, Invoice, … in any order) and finished by Finish.
// It holds one small struct per entity and the journal entries not yet matched, never the
// trail's JSON.
type Replay struct {
	orgs     map[string]*replayedOrganization
	invoices map[string]*replayedInvoice
	payments map[string]*replayedPayment
	allocs   map[string]*replayedAllocation
	topUps   map[string]*replayedTopUp
	refunds  map[string]*replayedRefund
	imports  map[string]*replayedImport
	notes    map[string]*replayedCreditNote  // replay_creditnote.go
	applied  map[string]*replayedApplication // credit note applications
	// journal holds, per entity id, the entries the trail implies that the journal has not
	// shown yet; balances what they all sum to per account.
	journal   map[string][]expectedEntry
	balances  map[balanceKey]money.Sum
	unmatched []*JournalEntry // journal entries the trail does not imply
	found     []Mismatch
	names     map[string]string // account names and operations, each held once
	Events    int               // audit events replayed
}

// NewReplay returns an empty replay.
func NewReplay() *Replay {
	return &Replay{orgs: map[string]*replayedOrganization{}, invoices: map[string]*replayedInvoice{},
		payments: map[string]*replayedPayment{}, allocs: map[string]*replayedAllocation{}, topUps: map[string]*replayedTopUp{},
		refunds: map[string]*replayedRefund{}, notes: map[string]*replayedCreditNote{}, applied: map[string]*replayedApplication{},
		imports: map[string]*replayedImport{}, journal: map[string][]expectedEntry{}, balances: map[balanceKey]money.Sum{},
		names: map[string]string{}}
}

type balanceKey struct {
	account  string
	currency money.Currency
}

type expectedEntry struct {
	op    string
	lines []JournalLine
}

type replayedOrganization struct {
	after struct {
		Name            string
		BillingCurrency money.Currency
		Status          string
		Version         int
	}
	seen bool
}

// invoiceJSON is invoiceSnapshot read back.
type invoiceJSON struct {
	ID             string         `json:"id"`
	Number         string         `json:"number"`
	OrganizationID string         `json:"organization_id"`
	Kind           string         `json:"kind"`
	Currency       money.Currency `json:"currency"`
	Total          string         `json:"total"`
	AmountPaid     string         `json:"amount_paid"`
	AmountAdjusted string         `json:"amount_adjusted"` // none without adjustments
	AmountCredited string         `json:"amount_credited"` // none without credit notes applied
	Status         string         `json:"status"`
	IssuedOn       string         `json:"issued_on"`
	DueOn          string         `json:"due_on"`
	Version        int            `json:"version"`
}

type replayedInvoice struct {
	after         invoiceJSON
	total, paid   money.Amount
	adjusted      money.Amount
	credited      money.Amount
	provisionedAt *time.Time
	voidedAt      *time.Time
	bumps         int // allocations made or released on it since its last snapshot: each is a version
	seen          bool
}

// status is what the invoice's replayed amounts make its status (statusFor).
func (i *replayedInvoice) status() string {
	switch {
	case i.after.Status == InvoiceVoid:
		return InvoiceVoid
	case i.provisionedAt != nil:
		return InvoiceProvisioned
	case i.paid+i.adjusted+i.credited == 0:
		return InvoiceUnpaid
	case i.paid+i.adjusted+i.credited < i.total:
		return InvoicePartiallyPaid
	}
	return InvoicePaid
}

type replayedPayment struct {
	after     paymentSnapshot
	createdAt time.Time
	deletedAt *time.Time
	seen      bool
}

// allocationJSON is allocationSnapshot read back.
type allocationJSON struct {
	ID        string `json:"id"`
	PaymentID string `json:"payment_id"`
	InvoiceID string `json:"invoice_id"`
	Kind      string `json:"kind"`   // none on money
	Reason    string `json:"reason"` // an adjustment's
	With      string `json:"with_allocation_id"`
	// Money converted into the invoice's currency: what the invoice received, and at what rate
	// (none without a conversion).
	InvoiceAmount   string         `json:"invoice_amount"`
	InvoiceCurrency money.Currency `json:"invoice_currency"`
	Rate            string         `json:"rate"`
	Amount          string         `json:"amount"`
	Currency        money.Currency `json:"currency"`
	Released        bool           `json:"released"`
}

type replayedAllocation struct {
	after      allocationJSON
	amount     money.Amount
	received   money.Amount // of the invoice's currency: amount, unless converted
	createdAt  time.Time
	releasedAt *time.Time
	seen       bool
}

// topUpJSON is topUpSnapshot read back.
type topUpJSON struct {
	ID             string         `json:"id"`
	PaymentID      string         `json:"payment_id"`
	OrganizationID string         `json:"organization_id"`
	Amount         string         `json:"amount"`
	Currency       money.Currency `json:"currency"`
}

type replayedTopUp struct {
	after     topUpJSON
	createdAt time.Time
	seen      bool
}

// refundJSON is refundSnapshot read back.
type refundJSON struct {
	ID             string         `json:"id"`
	PaymentID      string         `json:"payment_id"`
	OrganizationID string         `json:"organization_id"`
	Amount         string         `json:"amount"`
	Currency       money.Currency `json:"currency"`
	Method         string         `json:"method"`
	Reference      string         `json:"reference"`
	Reason         string         `json:"reason"`
	Reversed       bool           `json:"reversed"`
	ReversalReason string         `json:"reversal_reason"`
}

type replayedRefund struct {
	after      refundJSON
	createdAt  time.Time
	reversedAt *time.Time
	seen       bool
}

// importJSON is importSnapshot read back.
type importJSON struct {
	ID     string `json:"id"`
	Kind   string `json:"kind"` // none before invoices and organizations could be imported: payments
	Done   int    `json:"done"`
	Name   string `json:"name"`
	Digest string `json:"sha256"`
	Lines  int    `json:"lines"`
}

type replayedImport struct {
	after       importJSON
	recorded    int // payment.recorded events whose source is a line of this import
	started     bool
	completedAt *time.Time
	seen        bool
}

// mismatch notes a difference.
func (r *Replay) mismatch(table, id, field, audit, current string) {
	r.found = append(r.found, Mismatch{Table: table, ID: id, Field: field, Audit: audit, Current: current})
}

// bad notes an audit event the replay cannot read: the trail itself is not what finapp writes.
func (r *Replay) bad(e *AuditEvent, why string, args ...any) {
	r.mismatch("audit_events", e.ID, "after", "an event finapp writes", fmt.Sprintf("%s %s: ", e.Action, e.EntityID)+fmt.Sprintf(why, args...))
}

// expect adds the journal entry an operation on entity posts: the transfers debit → credit,
// zero ones left out as posting leaves them out.
func (r *Replay) expect(op, entity string, cur money.Currency, transfers ...transferOf) {
	var p posting
	for _, t := range transfers {
		p.transfer(t.debit, t.credit, cur, t.amount)
	}
	r.expectLines(op, entity, p.lines)
}

// expectLines adds an expected entry. Its account names are shared with every other entry's: a
// workspace has few accounts, and a copy per entry would be most of what a replay holds.
func (r *Replay) expectLines(op, entity string, lines []JournalLine) {
	if len(lines) == 0 {
		return
	}
	lines = slices.Clip(lines)
	for i := range lines {
		lines[i].Account = r.intern(lines[i].Account)
		lines[i].Currency = money.Currency(r.intern(string(lines[i].Currency)))
		k := balanceKey{lines[i].Account, lines[i].Currency}
		r.balances[k] = r.balances[k].Add(lines[i].Amount)
	}
	r.journal[entity] = append(r.journal[entity], expectedEntry{op: r.intern(op), lines: lines})
}

func (r *Replay) intern(s string) string {
	if v, ok := r.names[s]; ok {
		return v
	}
	r.names[s] = s
	return s
}

type transferOf struct {
	debit, credit string
	amount        money.Amount
}

// Audit replays the next event of the chain.
func (r *Replay) Audit(e *AuditEvent) {
	r.Events++
	switch e.Entity {
	case "organization":
		r.organizationEvent(e)
	case "invoice":
		r.invoiceEvent(e)
	case "payment":
		r.paymentEvent(e)
	case "allocation":
		r.allocationEvent(e)
	case "top_up":
		r.topUpEvent(e)
	case "refund":
		r.refundEvent(e)
	case "credit_note":
		r.creditNoteEvent(e)
	case "credit_note_application":
		r.applicationEvent(e)
	case "import":
		r.importEvent(e)
	case "reservation":
		r.reservationEvent(e)
	case "withdrawal":
		r.withdrawalEvent(e)
	}
	// Other entities (users, tokens, sessions) hold no money and no row replay compares.
}

// snapshotAmount reads an amount of a snapshot, where, unlike in a request, zero is one.
func snapshotAmount(s string, c money.Currency) (money.Amount, error) {
	if s == money.Format(0, c) {
		return 0, nil
	}
	return money.Parse(s, c)
}

func decode(s string, v any) bool {
	return s != "" && json.Unmarshal([]byte(s), v) == nil
}

func (r *Replay) organizationEvent(e *AuditEvent) {
	o := &replayedOrganization{}
	if !decode(e.After, &o.after) {
		r.bad(e, "no organization snapshot")
		return
	}
	r.orgs[e.EntityID] = o
}

func (r *Replay) invoiceEvent(e *AuditEvent) {
	i := r.invoices[e.EntityID]
	if i == nil {
		i = &replayedInvoice{}
		r.invoices[e.EntityID] = i
	}
	var fresh invoiceJSON // not into i.after: a field the snapshot leaves out must not keep the last one's value
	if !decode(e.After, &fresh) {
		r.bad(e, "no invoice snapshot")
		return
	}
	i.after = fresh
	var err1, err2, err3, err4 error
	i.total, err1 = money.Parse(i.after.Total, i.after.Currency)
	i.paid, err2 = snapshotAmount(i.after.AmountPaid, i.after.Currency)
	i.adjusted, i.credited = 0, 0
	if i.after.AmountAdjusted != "" {
		i.adjusted, err3 = snapshotAmount(i.after.AmountAdjusted, i.after.Currency)
	}
	if i.after.AmountCredited != "" {
		i.credited, err4 = snapshotAmount(i.after.AmountCredited, i.after.Currency)
	}
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		r.bad(e, "amounts %q, %q, %q are not amounts in %s", i.after.Total, i.after.AmountPaid, i.after.AmountAdjusted, i.after.Currency)
	}
	i.bumps = 0
	org, cur := i.after.OrganizationID, i.after.Currency
	switch e.Action {
	case "invoice.issued":
		r.expect("invoice.issued", e.EntityID, cur, transferOf{ReceivableAccount(org), issueAccount(i.after.Kind), i.total})
	case "invoice.voided":
		at := e.At
		i.voidedAt = &at
		r.expect("invoice.voided", e.EntityID, cur, transferOf{issueAccount(i.after.Kind), ReceivableAccount(org), i.total})
	case "invoice.updated":
		var before invoiceJSON
		if !decode(e.Before, &before) {
			r.bad(e, "no invoice snapshot before the update")
			return
		}
		was, err := money.Parse(before.Total, before.Currency)
		if err != nil {
			r.bad(e, "amount %q is not an amount in %s", before.Total, before.Currency)
			return
		}
		if was != i.total || before.Kind != i.after.Kind {
			r.expect("invoice.adjusted", e.EntityID, cur, transferOf{issueAccount(before.Kind), ReceivableAccount(before.OrganizationID), was},
				transferOf{ReceivableAccount(org), issueAccount(i.after.Kind), i.total})
		}
	}
}

// paymentEvent replays a change of a payment from its before and after snapshots. The journal
// entries of its allocations and top-ups come from their own events.
func (r *Replay) paymentEvent(e *AuditEvent) {
	p := r.payments[e.EntityID]
	if p == nil {
		p = &replayedPayment{createdAt: e.At}
		r.payments[e.EntityID] = p
	}
	var before paymentSnapshot
	if e.Before != "" && !decode(e.Before, &before) {
		r.bad(e, "the before snapshot is not a payment")
		return
	}
	// Into a fresh snapshot: fields a snapshot leaves out when empty (refunded, metadata) must not
	// keep the values of the one before.
	var fresh paymentSnapshot
	if !decode(e.After, &fresh) {
		r.bad(e, "the after snapshot is not a payment")
		return
	}
	p.after = fresh
	after := p.after
	p.after.ID, p.after.Status = "", "" // the map's key, and derived: not kept for each payment
	p.after.Method, p.after.Currency = r.intern(p.after.Method), money.Currency(r.intern(string(p.after.Currency)))
	amt, err := money.Parse(after.Amount, after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
		return
	}
	unallocated := func(s paymentSnapshot) money.Amount {
		a, _ := snapshotAmount(s.Amount, s.Currency)
		b, _ := snapshotAmount(s.Allocated, s.Currency)
		c, _ := snapshotAmount(s.ToppedUp, s.Currency)
		var d money.Amount
		if s.Refunded != "" { // none before the payment's first refund
			d, _ = snapshotAmount(s.Refunded, s.Currency)
		}
		return a - b - c - d
	}
	switch e.Action {
	case "payment.recorded":
		p.createdAt = e.At
		r.expect("payment.recorded", e.EntityID, after.Currency, transferOf{CashAccount(after.Method), UnappliedAccount(after.OrganizationID), amt})
		if imp, line, ok := strings.Cut(strings.TrimPrefix(e.Source, "import "), " line "); ok && strings.HasPrefix(e.Source, "import ") {
			if _, err := strconv.Atoi(line); err == nil {
				r.importOf(imp).recorded++
			}
		}
	case "payment.edited":
		old, err := money.Parse(before.Amount, before.Currency)
		if err != nil {
			r.bad(e, "the before snapshot's amount %q is not an amount in %s", before.Amount, before.Currency)
			return
		}
		if old != amt || before.Currency != after.Currency || before.Method != after.Method {
			var p posting
			p.transfer(UnappliedAccount(before.OrganizationID), CashAccount(before.Method), before.Currency, old)
			p.transfer(CashAccount(after.Method), UnappliedAccount(after.OrganizationID), after.Currency, amt)
			r.expectLines("payment.edited", e.EntityID, p.lines)
		}
	case "payment.deleted":
		at := e.At
		p.deletedAt = &at
		r.expect("payment.deleted", e.EntityID, after.Currency, transferOf{UnappliedAccount(after.OrganizationID), CashAccount(after.Method), amt})
	case "payment.assigned", "payment.unassigned", "payment.allocated":
		// Its allocations were released (their own events) before it left an organization;
		// what moves between the pools is what is unallocated after that.
		left := unallocated(after)
		if before.OrganizationID != "" && before.OrganizationID != after.OrganizationID {
			r.expect("payment.unassigned", e.EntityID, after.Currency, transferOf{UnappliedAccount(before.OrganizationID), UnappliedAccount(""), left})
		}
		if after.OrganizationID != "" && before.OrganizationID != after.OrganizationID {
			if e.Action == "payment.allocated" {
				left = unallocated(before) // assigned first, then allocated
			}
			r.expect("payment.assigned", e.EntityID, after.Currency, transferOf{UnappliedAccount(""), UnappliedAccount(after.OrganizationID), left})
		}
	}
}

func (r *Replay) allocationEvent(e *AuditEvent) {
	var after allocationJSON
	if !decode(e.After, &after) {
		r.bad(e, "no allocation snapshot")
		return
	}
	a := r.allocs[e.EntityID]
	switch e.Action {
	case "allocation.created":
		amt, err := money.Parse(after.Amount, after.Currency)
		if err != nil {
			r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
			return
		}
		a = &replayedAllocation{after: after, amount: amt, received: amt, createdAt: e.At}
		if after.Rate != "" {
			if a.received, err = money.Parse(after.InvoiceAmount, after.InvoiceCurrency); err != nil {
				r.bad(e, "invoice amount %q is not an amount in %s", after.InvoiceAmount, after.InvoiceCurrency)
				return
			}
		}
		r.allocs[e.EntityID] = a
	case "allocation.released":
		if a == nil {
			r.bad(e, "the allocation was never made in the trail")
			return
		}
		if a.releasedAt != nil {
			r.bad(e, "the allocation was released twice")
			return
		}
		at := e.At
		a.releasedAt, a.after.Released = &at, true
	default:
		return
	}
	inv := r.invoices[a.after.InvoiceID]
	if inv == nil {
		r.bad(e, "invoice %s was never issued in the trail", a.after.InvoiceID)
		return
	}
	org := inv.after.OrganizationID
	inv.bumps++
	adjustment := a.after.Kind != "" && a.after.Kind != AllocationPayment
	invoice := &Invoice{Kind: inv.after.Kind, OrganizationID: org}
	switch {
	case adjustment && a.releasedAt != nil:
		inv.adjusted -= a.amount
		r.expect("adjustment.released", e.EntityID, a.after.Currency, transferOf{ReceivableAccount(org), adjustmentAccount(invoice, a.after.Kind), a.amount})
		return
	case adjustment:
		inv.adjusted += a.amount
		r.expect("adjustment.created", e.EntityID, a.after.Currency, transferOf{adjustmentAccount(invoice, a.after.Kind), ReceivableAccount(org), a.amount})
	case a.releasedAt != nil:
		inv.paid -= a.received
		r.expectLines("allocation.released", e.EntityID, a.lines(org, true))
		return
	default:
		inv.paid += a.received
		r.expectLines("allocation.created", e.EntityID, a.lines(org, false))
	}
	if inv.provisionedAt == nil && inv.paid+inv.adjusted >= inv.total && invoice.provisions() {
		at := e.At
		inv.provisionedAt = &at
		if inv.paid > 0 { // what money paid is provisioned (settleInvoice)
			from, to := provisionAccounts(invoice)
			r.expect("invoice.provisioned", a.after.InvoiceID, inv.after.Currency, transferOf{from, to, inv.paid})
		}
	}
}

// lines are the journal lines a money allocation posts (or its release), as Allocation.post
// writes them.
func (a *replayedAllocation) lines(org string, release bool) []JournalLine {
	var j posting
	al := &Allocation{Amount: a.amount, Currency: a.after.Currency, InvoiceAmount: a.received, InvoiceCurrency: a.after.InvoiceCurrency, Rate: a.after.Rate}
	if al.Rate == "" {
		al.InvoiceCurrency = al.Currency
	}
	al.post(&j, org, org, release)
	return j.lines
}

func (r *Replay) topUpEvent(e *AuditEvent) {
	t := &replayedTopUp{createdAt: e.At}
	if !decode(e.After, &t.after) {
		r.bad(e, "no top-up snapshot")
		return
	}
	amt, err := money.Parse(t.after.Amount, t.after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", t.after.Amount, t.after.Currency)
		return
	}
	r.topUps[e.EntityID] = t
	org := t.after.OrganizationID
	r.expect("payment.topped_up", e.EntityID, t.after.Currency, transferOf{UnappliedAccount(org), CreditAccount(org), amt})
}

// reservationEvent replays a reservation's capture: the journal entry it must have posted. A
// reservation held, released or expired moves no money.
func (r *Replay) reservationEvent(e *AuditEvent) {
	if e.Action != "reservation.captured" {
		return
	}
	var after struct {
		OrganizationID string         `json:"organization_id"`
		Currency       money.Currency `json:"currency"`
		Captured       string         `json:"captured"`
	}
	if !decode(e.After, &after) {
		r.bad(e, "no reservation snapshot")
		return
	}
	amt, err := money.Parse(after.Captured, after.Currency)
	if err != nil {
		r.bad(e, "captured %q is not an amount in %s", after.Captured, after.Currency)
		return
	}
	r.expect("reservation.captured", e.EntityID, after.Currency, transferOf{CreditAccount(after.OrganizationID), AccountRevenue, amt})
}

// refundEvent replays a refund paid or reversed: the journal entry each must have posted.
func (r *Replay) refundEvent(e *AuditEvent) {
	var after refundJSON
	if !decode(e.After, &after) {
		r.bad(e, "no refund snapshot")
		return
	}
	amt, err := money.Parse(after.Amount, after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
		return
	}
	rf := r.refunds[e.EntityID]
	switch e.Action {
	case "refund.created":
		r.refunds[e.EntityID] = &replayedRefund{after: after, createdAt: e.At}
		r.expect("payment.refunded", e.EntityID, after.Currency, transferOf{UnappliedAccount(after.OrganizationID), CashAccount(after.Method), amt})
	case "refund.reversed":
		if rf == nil || rf.reversedAt != nil {
			r.bad(e, "the refund was never paid in the trail, or was reversed before")
			return
		}
		at := e.At
		rf.after, rf.reversedAt = after, &at
		// The money goes back to the payment's customer as the trail has it just before.
		org := ""
		if p := r.payments[after.PaymentID]; p != nil {
			org = p.after.OrganizationID
		}
		r.expect("refund.reversed", e.EntityID, after.Currency, transferOf{CashAccount(after.Method), UnappliedAccount(org), amt})
	}
}

// Refund compares a refund row with its snapshots in the trail.
func (r *Replay) Refund(rf *Refund) {
	want := r.refunds[rf.ID]
	if want == nil {
		r.mismatch("refunds", rf.ID, "row", "no such refund", "a row")
		return
	}
	want.seen = true
	const t = "refunds"
	a := want.after
	r.field(t, rf.ID, "payment_id", a.PaymentID, rf.PaymentID)
	r.field(t, rf.ID, "organization_id", a.OrganizationID, rf.OrganizationID)
	r.field(t, rf.ID, "amount", a.Amount, money.Format(rf.Amount, rf.Currency))
	r.field(t, rf.ID, "currency", string(a.Currency), string(rf.Currency))
	r.field(t, rf.ID, "method", a.Method, rf.Method)
	r.field(t, rf.ID, "reference", a.Reference, rf.Reference)
	r.field(t, rf.ID, "reason", a.Reason, rf.Reason)
	r.field(t, rf.ID, "reversal_reason", a.ReversalReason, rf.ReversalReason)
	r.field(t, rf.ID, "created_at", timeText(&want.createdAt), timeText(&rf.CreatedAt))
	r.field(t, rf.ID, "reversed_at", timeText(want.reversedAt), timeText(rf.ReversedAt))
}

func (r *Replay) importOf(id string) *replayedImport {
	imp := r.imports[id]
	if imp == nil {
		imp = &replayedImport{}
		r.imports[id] = imp
	}
	return imp
}

func (r *Replay) importEvent(e *AuditEvent) {
	imp := r.importOf(e.EntityID)
	if !decode(e.After, &imp.after) {
		r.bad(e, "no import snapshot")
		return
	}
	switch e.Action {
	case "import.started":
		imp.started = true
	case "import.completed":
		at := e.At
		imp.completedAt = &at
	}
}

// field compares one column.
func (r *Replay) field(table, id, name, audit, current string) {
	if audit != current {
		r.mismatch(table, id, name, strconv.Quote(audit), strconv.Quote(current))
	}
}

func timeText(t *time.Time) string {
	if t == nil {
		return "none"
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// Organization compares an organization row with the trail.
func (r *Replay) Organization(o *Organization) {
	want := r.orgs[o.ID]
	if want == nil {
		r.mismatch("organizations", o.ID, "row", "no such organization", "a row")
		return
	}
	want.seen = true
	const t = "organizations"
	r.field(t, o.ID, "name", want.after.Name, o.Name)
	r.field(t, o.ID, "billing_currency", string(want.after.BillingCurrency), string(o.BillingCurrency))
	r.field(t, o.ID, "status", want.after.Status, o.Status)
	r.field(t, o.ID, "version", strconv.Itoa(want.after.Version), strconv.Itoa(o.Version))
}

// Invoice compares an invoice row with the trail: its issue and void snapshots, and what its
// allocations since then make of its paid amount, status and version.
func (r *Replay) Invoice(i *Invoice) {
	want := r.invoices[i.ID]
	if want == nil {
		r.mismatch("invoices", i.ID, "row", "no such invoice", "a row")
		return
	}
	want.seen = true
	const t = "invoices"
	a := want.after
	r.field(t, i.ID, "number", a.Number, i.Number)
	r.field(t, i.ID, "organization_id", a.OrganizationID, i.OrganizationID)
	r.field(t, i.ID, "kind", a.Kind, i.Kind)
	r.field(t, i.ID, "currency", string(a.Currency), string(i.Currency))
	r.field(t, i.ID, "total", a.Total, money.Format(i.Total, i.Currency))
	r.field(t, i.ID, "amount_paid", money.Format(want.paid, a.Currency), money.Format(i.AmountPaid, i.Currency))
	r.field(t, i.ID, "amount_adjusted", money.Format(want.adjusted, a.Currency), money.Format(i.AmountAdjusted, i.Currency))
	r.field(t, i.ID, "amount_credited", money.Format(want.credited, a.Currency), money.Format(i.AmountCredited, i.Currency))
	r.field(t, i.ID, "status", want.status(), i.Status)
	r.field(t, i.ID, "issued_on", a.IssuedOn, i.IssuedOn)
	r.field(t, i.ID, "due_on", a.DueOn, i.DueOn)
	r.field(t, i.ID, "version", strconv.Itoa(a.Version+want.bumps), strconv.Itoa(i.Version))
	r.field(t, i.ID, "provisioned_at", timeText(want.provisionedAt), timeText(i.ProvisionedAt))
	r.field(t, i.ID, "voided_at", timeText(want.voidedAt), timeText(i.VoidedAt))
}

// Payment compares a payment row with its last snapshot in the trail.
func (r *Replay) Payment(p *Payment) {
	want := r.payments[p.ID]
	if want == nil {
		r.mismatch("payments", p.ID, "row", "no such payment", "a row")
		return
	}
	want.seen = true
	const t = "payments"
	a, got := want.after, snapshotOfPayment(p)
	r.field(t, p.ID, "organization_id", a.OrganizationID, got.OrganizationID)
	r.field(t, p.ID, "amount", a.Amount, got.Amount)
	r.field(t, p.ID, "currency", string(a.Currency), string(got.Currency))
	r.field(t, p.ID, "received_on", a.ReceivedOn, got.ReceivedOn)
	r.field(t, p.ID, "method", a.Method, got.Method)
	r.field(t, p.ID, "reference", a.Reference, got.Reference)
	r.field(t, p.ID, "invoice_hint", a.InvoiceNumber, got.InvoiceNumber)
	r.field(t, p.ID, "remark", a.Remark, got.Remark)
	r.field(t, p.ID, "allocated", a.Allocated, got.Allocated)
	r.field(t, p.ID, "topped_up", a.ToppedUp, got.ToppedUp)
	r.field(t, p.ID, "refunded", a.Refunded, got.Refunded)
	r.field(t, p.ID, "version", strconv.Itoa(a.Version), strconv.Itoa(got.Version))
	r.field(t, p.ID, "assignment_changes", strconv.Itoa(a.AssignmentChanges), strconv.Itoa(got.AssignmentChanges))
	r.field(t, p.ID, "created_at", timeText(&want.createdAt), timeText(&p.CreatedAt))
	r.field(t, p.ID, "deleted_at", timeText(want.deletedAt), timeText(p.DeletedAt))
}

// Allocation compares an allocation row with its snapshots in the trail.
func (r *Replay) Allocation(al *Allocation) {
	want := r.allocs[al.ID]
	if want == nil {
		r.mismatch("allocations", al.ID, "row", "no such allocation", "a row")
		return
	}
	want.seen = true
	const t = "allocations"
	a := want.after
	r.field(t, al.ID, "payment_id", a.PaymentID, al.PaymentID)
	r.field(t, al.ID, "invoice_id", a.InvoiceID, al.InvoiceID)
	kind := a.Kind
	if kind == "" {
		kind = AllocationPayment
	}
	r.field(t, al.ID, "kind", kind, al.Kind)
	r.field(t, al.ID, "reason", a.Reason, al.Reason)
	r.field(t, al.ID, "rate", a.Rate, al.Rate)
	if a.Rate != "" {
		r.field(t, al.ID, "invoice_amount", a.InvoiceAmount+" "+string(a.InvoiceCurrency), money.Format(al.InvoiceAmount, al.InvoiceCurrency)+" "+string(al.InvoiceCurrency))
	}
	r.field(t, al.ID, "with_allocation_id", a.With, al.MoneyAllocationID)
	r.field(t, al.ID, "amount", a.Amount, money.Format(al.Amount, al.Currency))
	r.field(t, al.ID, "currency", string(a.Currency), string(al.Currency))
	r.field(t, al.ID, "created_at", timeText(&want.createdAt), timeText(&al.CreatedAt))
	r.field(t, al.ID, "released_at", timeText(want.releasedAt), timeText(al.ReleasedAt))
}

// TopUp compares a top-up row with its snapshot in the trail.
func (r *Replay) TopUp(tu *TopUp) {
	want := r.topUps[tu.ID]
	if want == nil {
		r.mismatch("top_ups", tu.ID, "row", "no such top-up", "a row")
		return
	}
	want.seen = true
	const t = "top_ups"
	a := want.after
	r.field(t, tu.ID, "payment_id", a.PaymentID, tu.PaymentID)
	r.field(t, tu.ID, "organization_id", a.OrganizationID, tu.OrganizationID)
	r.field(t, tu.ID, "amount", a.Amount, money.Format(tu.Amount, tu.Currency))
	r.field(t, tu.ID, "currency", string(a.Currency), string(tu.Currency))
	r.field(t, tu.ID, "created_at", timeText(&want.createdAt), timeText(&tu.CreatedAt))
}

// Import compares an import row with the trail: its start, progress and completion events, and
// for a payment file as many payments recorded from its lines as it says are done.
func (r *Replay) Import(imp *Import) {
	want := r.imports[imp.ID]
	if want == nil || !want.started {
		r.mismatch("imports", imp.ID, "row", "no such import", "a row")
		return
	}
	want.seen = true
	const t = "imports"
	r.field(t, imp.ID, "name", want.after.Name, imp.Name)
	r.field(t, imp.ID, "digest", want.after.Digest, imp.Digest)
	r.field(t, imp.ID, "lines", strconv.Itoa(want.after.Lines), strconv.Itoa(imp.Lines))
	kind := cmp.Or(want.after.Kind, ImportPayments)
	r.field(t, imp.ID, "kind", kind, imp.Kind)
	done := want.recorded
	if kind != ImportPayments {
		done = want.after.Done // an upsert may leave no other trace: its last import event says
	}
	r.field(t, imp.ID, "done", strconv.Itoa(done), strconv.Itoa(imp.Done))
	r.field(t, imp.ID, "completed_at", timeText(want.completedAt), timeText(imp.CompletedAt))
}

// JournalEntry matches an entry of the journal with one the trail implies for its entity.
func (r *Replay) JournalEntry(e *JournalEntry) {
	want := r.journal[e.EntityID]
	for k, w := range want {
		if w.op == e.Operation && sameLines(w.lines, e.Lines) {
			want[k] = want[len(want)-1]
			if want = want[:len(want)-1]; len(want) == 0 {
				delete(r.journal, e.EntityID)
			} else {
				r.journal[e.EntityID] = want
			}
			return
		}
	}
	r.unmatched = append(r.unmatched, e)
}

func sameLines(a, b []JournalLine) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func linesText(ls []JournalLine) string {
	parts := make([]string, len(ls))
	for i, l := range ls {
		parts[i] = l.Account + " " + money.Format(l.Amount, l.Currency) + " " + string(l.Currency)
	}
	return strings.Join(parts, ", ")
}

// AccountBalances compares the journal's sums per account with what the replayed entries sum
// to: a line the entries do not show (one whose entry is gone) still counts there.
func (r *Replay) AccountBalances(got []AccountBalance) {
	have := map[balanceKey]money.Sum{}
	for _, b := range got {
		have[balanceKey{b.Account, b.Currency}] = b.Balance
	}
	keys := map[balanceKey]bool{}
	for k := range r.balances {
		keys[k] = true
	}
	for k := range have {
		keys[k] = true
	}
	for _, k := range sortedBalanceKeys(keys) {
		if want, is := r.balances[k], have[k]; want.Cmp(is) != 0 {
			r.mismatch("journal_lines", k.account+" "+string(k.currency), "sum", want.Format(k.currency), is.Format(k.currency))
		}
	}
}

func sortedBalanceKeys(m map[balanceKey]bool) []balanceKey {
	out := make([]balanceKey, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].account != out[j].account {
			return out[i].account < out[j].account
		}
		return out[i].currency < out[j].currency
	})
	return out
}

// Finish reports what is left: entities of the trail with no row, journal entries the trail
// implies that the journal lacks or holds otherwise, and entries it holds that the trail does not
// imply. It returns every mismatch found, sorted by table and id.
func (r *Replay) Finish() []Mismatch {
	for id, o := range r.orgs {
		if !o.seen {
			r.mismatch("organizations", id, "row", "exists", "missing")
		}
	}
	for id, i := range r.invoices {
		if !i.seen {
			r.mismatch("invoices", id, "row", "exists", "missing")
		}
	}
	for id, p := range r.payments {
		if !p.seen {
			r.mismatch("payments", id, "row", "exists", "missing")
		}
	}
	for id, a := range r.allocs {
		if !a.seen {
			r.mismatch("allocations", id, "row", "exists", "missing")
		}
	}
	for id, t := range r.topUps {
		if !t.seen {
			r.mismatch("top_ups", id, "row", "exists", "missing")
		}
	}
	for id, rf := range r.refunds {
		if !rf.seen {
			r.mismatch("refunds", id, "row", "exists", "missing")
		}
	}
	r.finishCreditNotes()
	for id, imp := range r.imports {
		if !imp.seen && imp.started {
			r.mismatch("imports", id, "row", "exists", "missing")
		}
	}
	r.finishJournal()
	sort.SliceStable(r.found, func(i, j int) bool {
		a, b := r.found[i], r.found[j]
		if a.Table != b.Table {
			return a.Table < b.Table
		}
		return a.ID < b.ID
	})
	return r.found
}

// finishJournal pairs each entry the trail implies but the journal did not show with an
// unexplained entry of the same entity and operation, to name the line that differs; the rest
// are missing or unexplained entries.
func (r *Replay) finishJournal() {
	for _, e := range r.unmatched {
		want := r.journal[e.EntityID]
		k := -1
		for i, w := range want {
			if w.op == e.Operation {
				k = i
				break
			}
		}
		if k < 0 {
			r.mismatch("journal_entries", e.ID, "row", "no such entry", e.Operation+" of "+e.EntityID+": "+linesText(e.Lines))
			continue
		}
		w := want[k]
		r.journal[e.EntityID] = append(want[:k], want[k+1:]...)
		if len(w.lines) != len(e.Lines) {
			r.mismatch("journal_lines", e.ID, "lines", linesText(w.lines), linesText(e.Lines))
			continue
		}
		for n := range w.lines {
			id := fmt.Sprintf("%s line %d", e.ID, n)
			wl, gl := w.lines[n], e.Lines[n]
			r.field("journal_lines", id, "account", wl.Account, gl.Account)
			r.field("journal_lines", id, "currency", string(wl.Currency), string(gl.Currency))
			if wl.Amount != gl.Amount {
				r.mismatch("journal_lines", id, "amount", money.Format(wl.Amount, wl.Currency), money.Format(gl.Amount, gl.Currency))
			}
		}
	}
	for entity, want := range r.journal {
		for _, w := range want {
			r.mismatch("journal_entries", entity, "row", w.op+": "+linesText(w.lines), "missing")
		}
	}
}

// replayPage is how many rows ReplayBooks reads per query.
const replayPage = 2000

// ReplayBooks replays the workspace's audit trail and compares it with every row of the books
// and with the journal, in one read transaction, and returns the mismatches (none when the books
// are what the trail says) and how many events it replayed.
func (s *Service) ReplayBooks(ctx context.Context) ([]Mismatch, int, error) {
	r := NewReplay()
	err := s.read(ctx, func(tx Tx) error {
		if through, ok, err := tx.ReplayBaseline(ctx); err != nil {
			return err
		} else if ok {
			return &TrailIncomplete{ThroughSeq: through}
		}
		var seq int64
		for {
			page, err := tx.AuditPage(ctx, seq, replayPage)
			if err != nil {
				return err
			}
			for _, e := range page {
				r.Audit(e)
				seq = e.Seq
			}
			if len(page) < replayPage {
				break
			}
		}
		if err := eachPage(ctx, tx.OrganizationPage, func(o *Organization) string { r.Organization(o); return o.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.InvoicePage, func(i *Invoice) string { r.Invoice(i); return i.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.PaymentPage, func(p *Payment) string { r.Payment(p); return p.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.AllocationPage, func(a *Allocation) string { r.Allocation(a); return a.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.TopUpPage, func(t *TopUp) string { r.TopUp(t); return t.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.RefundPage, func(rf *Refund) string { r.Refund(rf); return rf.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.CreditNotePage, func(n *CreditNote) string { r.CreditNote(n); return n.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.CreditNoteApplicationPage, func(a *CreditNoteApplication) string { r.CreditNoteApplication(a); return a.ID }); err != nil {
			return err
		}
		if err := eachPage(ctx, tx.ImportPage, func(i *Import) string { r.Import(i); return i.ID }); err != nil {
			return err
		}
		seq = 0
		for {
			page, last, err := tx.JournalPage(ctx, seq, replayPage)
			if err != nil {
				return err
			}
			for _, e := range page {
				r.JournalEntry(e)
			}
			seq = last
			if len(page) < replayPage {
				break
			}
		}
		balances, err := tx.AccountBalances(ctx, nil)
		if err != nil {
			return err
		}
		r.AccountBalances(balances)
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	return r.Finish(), r.Events, nil
}

// eachPage reads every row of a table through a page method, in id order.
func eachPage[T any](ctx context.Context, page func(context.Context, string, int) ([]T, error), each func(T) string) error {
	after := ""
	for {
		list, err := page(ctx, after, replayPage)
		if err != nil {
			return err
		}
		for _, v := range list {
			after = each(v)
		}
		if len(list) < replayPage {
			return nil
		}
	}
}
