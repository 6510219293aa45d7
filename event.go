package finapp

import (
	"context"
	"slices"
	"strings"
	"time"
)

// Event is an outbox row: a fact other systems consume (SPEC §6.5), written in the same
// transaction as the change it announces, so that no committed change is missed and none is
// announced that did not commit.
type Event struct {
	ID string
	// Sequence numbers the workspace's events from 1 in the order their transactions committed,
	// without gaps: a consumer that has processed through N asks for what comes after N and misses
	// nothing (see EventAppender).
	Sequence int64
	Type     string // one of EventTypes
	EntityID string
	Payload  string // JSON: the resource after the change (data.object)
	At       time.Time
}

// Event types (SPEC §6.5): what finapp announces. Each event carries the resource it is about.
const (
	EventPaymentRecorded      = "payment.recorded"
	EventPaymentUpdated       = "payment.updated"
	EventPaymentDeleted       = "payment.deleted"
	EventPaymentAssigned      = "payment.assigned"
	EventPaymentUnassigned    = "payment.unassigned"
	EventPaymentAllocated     = "payment.allocated"
	EventAllocationReleased   = "allocation.released"
	EventInvoiceAdjusted      = "invoice.adjusted" // an adjustment line (write-off, bank fee, discount) settled part of it
	EventInvoiceCreated       = "invoice.created"
	EventInvoicePartiallyPaid = "invoice.partially_paid"
	EventInvoicePaid          = "invoice.paid"
	EventInvoiceProvisioned   = "invoice.provisioned"
	EventInvoiceVoided        = "invoice.voided"
	EventInvoiceUpdated       = "invoice.updated"
	EventInvoiceReminderDue   = "invoice.reminder_due"
	EventCreditToppedUp       = "credit.topped_up"
	EventReservationCaptured  = "reservation.captured"
	EventCreditWithdrawn      = "credit.withdrawn"
	EventWithdrawalReversed   = "withdrawal.reversed"
	EventCreditLow            = "credit.low" // usable credit fell below the automatic top-up's threshold
	EventPaymentRefunded      = "payment.refunded"
	EventRefundReversed       = "refund.reversed"
	// Credit notes (SPEC §6.2): issued, applied to an invoice (and released), refunded, moved into
	// prepaid credit, voided.
	EventCreditNoteIssued              = "credit_note.issued"
	EventCreditNoteApplied             = "credit_note.applied"
	EventCreditNoteApplicationReleased = "credit_note.application_released"
	EventCreditNoteRefunded            = "credit_note.refunded"
	EventCreditNoteToCredit            = "credit_note.moved_to_credit"
	EventCreditNoteVoided              = "credit_note.voided"
	EventBankLineMatched               = "bank_line.matched" // a bank line applied: its payment recorded or linked
)

// EventTypes are every event type finapp writes, for filters and webhook subscriptions.
var EventTypes = []string{
	EventPaymentRecorded, EventPaymentUpdated, EventPaymentDeleted, EventPaymentAssigned, EventPaymentUnassigned,
	EventPaymentAllocated, EventAllocationReleased, EventInvoiceAdjusted,
	EventInvoiceCreated, EventInvoiceUpdated, EventInvoicePartiallyPaid, EventInvoicePaid, EventInvoiceProvisioned, EventInvoiceVoided,
	EventInvoiceReminderDue, EventCreditToppedUp, EventPaymentRefunded, EventRefundReversed,
	EventCreditNoteIssued, EventCreditNoteApplied, EventCreditNoteApplicationReleased, EventCreditNoteRefunded, EventCreditNoteToCredit,
	EventCreditNoteVoided, EventReservationCaptured, EventCreditWithdrawn, EventWithdrawalReversed, EventCreditLow,
	EventBankLineMatched,
}

// EventAppender is the part of a write transaction that appends outbox events.
type EventAppender interface {
	// SealsApart reports whether a sealer numbers events after they commit (seal.go): then
	// EventHead is not called and events are appended unnumbered (Sequence 0), invisible to
	// readers until the sealer numbers them in the order it finds them committed.
	SealsApart() bool
	// EventHead returns the sequence of the workspace's last event (0 for none). Only stores
	// that number events in the write itself call it; they have one writer (SQLite), so
	// sequences follow commit order without a lock.
	EventHead(ctx context.Context) (int64, error)
	// AppendEvents appends events already numbered, a few statements for any number of them.
	AppendEvents(ctx context.Context, es []*Event) error
}

// appendEvents numbers events (in order) after the workspace's last one and appends them.
func appendEvents(ctx context.Context, tx EventAppender, events []*Event) error {
	if len(events) == 0 {
		return nil
	}
	if tx.SealsApart() {
		return tx.AppendEvents(ctx, events)
	}
	n, err := tx.EventHead(ctx)
	if err != nil {
		return err
	}
	for _, e := range events {
		n++
		e.Sequence = n
	}
	return tx.AppendEvents(ctx, events)
}

// EventFilter selects outbox events: those after sequence After, of the given Types (all when
// empty), at most Limit.
type EventFilter struct {
	After int64
	Types []string
	Limit int
}

// ParseEventTypes reads a comma-separated list of event types (as `type=` takes it): each must
// be one of EventTypes. field names the input for the error.
func ParseEventTypes(field, list string) ([]string, error) {
	if list == "" {
		return nil, nil
	}
	var types []string
	for _, t := range strings.Split(list, ",") {
		t = strings.TrimSpace(t)
		if !slices.Contains(EventTypes, t) {
			return nil, Invalid(field, "%q is not an event type; one of %s", t, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(types, t) {
			types = append(types, t)
		}
	}
	return types, nil
}

// ListEvents lists the workspace's events after f.After in sequence order, at most f.Limit, and
// whether more are waiting: the feed a consumer polls (GET /v1/events). Errors: EInvalid.
func (s *Service) ListEvents(ctx context.Context, f EventFilter) (list []*Event, more bool, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, false, err
	}
	if f.After < 0 {
		return nil, false, Invalid("after", "must be 0 or a sequence number")
	}
	for _, t := range f.Types {
		if !slices.Contains(EventTypes, t) {
			return nil, false, Invalid("type", "%q is not an event type", t)
		}
	}
	if err := s.sealPending(ctx); err != nil { // a consumer sees every event committed before it asked
		return nil, false, err
	}
	err = s.read(ctx, func(tx Tx) error {
		ask := f
		ask.Limit++ // one more says whether more are waiting
		list, err = tx.ListEvents(ctx, ask)
		return err
	})
	if len(list) > f.Limit {
		list, more = list[:f.Limit], true
	}
	return list, more, err
}
