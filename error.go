package finapp

import (
	"errors"
	"fmt"
)

// Error codes are stable strings that clients may switch on. They appear as the `code` member of
// every problem+json response; the HTTP adapter maps each to a status in one table.
const (
	EInvalid              = "validation_error"         // malformed input; Field names it
	ENotFound             = "not_found"                // no such entity (in this workspace)
	EUnauthorized         = "unauthorized"             // no or bad credentials
	EForbidden            = "forbidden"                // the caller's role may not do this
	EConflict             = "conflict"                 // the entity's state does not allow this
	EOverAllocation       = "over_allocation"          // more than the payment's unallocated or the invoice's due
	EPaymentUnassigned    = "payment_unassigned"       // the payment has no organization
	EOrganizationMismatch = "organization_mismatch"    // invoice or payment of another organization
	ECurrencyMismatch     = "currency_mismatch"        // payment and invoice currencies differ
	EAssignmentLimit      = "assignment_limit_reached" // the payment's 5 assignment changes are used up
	EPaymentInUse         = "payment_in_use"           // the payment funded a provisioned invoice or a top-up
	EInvoiceProvisioned   = "invoice_provisioned"      // a provisioned invoice's money cannot move
	EAmountBelowApplied   = "amount_below_applied"     // new amount below allocated + topped up
	EInvoiceHasPayments   = "invoice_has_payments"     // an invoice with money on it cannot be voided
	EInvoiceVoid          = "invoice_void"             // a void invoice takes no money
	EOverTolerance        = "over_tolerance"           // a write-off above the workspace's tolerance for its currency
	EInsufficientCredit   = "insufficient_credit"      // more than the customer's usable credit (SPEC §6.3)
	EReservationClosed    = "reservation_closed"       // the reservation was captured, released or has expired
	EDuplicate            = "duplicate"                // a unique value (e.g. invoice number) is taken
	ECreditAboveInvoice   = "credit_above_invoice"     // credit notes citing an invoice above its total
	ECreditNoteInUse      = "credit_note_in_use"       // a credit note that was used cannot be voided
	EPeriodClosed         = "period_closed"            // the business date is on or before the workspace's lock date
	EVersionConflict      = "version_conflict"         // If-Match named a stale version
	EIdempotencyReused    = "idempotency_key_reused"   // same Idempotency-Key, different request
	EIdempotencyInFlight  = "idempotency_key_in_flight"
	// EIdempotencyResponseLost: the first request with the key was applied, but the server
	// stopped before storing its response; there is nothing to replay.
	EIdempotencyResponseLost = "idempotency_response_lost"
	ETooManyAttempts         = "too_many_attempts" // login throttled
	EBusy                    = "busy"              // every password-hashing slot is taken just now; retry in a second
	// EOutcomeUnknown: the connection to the database broke while the change was committing, so
	// it may or may not have been written. Only a request with an Idempotency-Key is safe to
	// repeat: its repeat answers with the first outcome.
	EOutcomeUnknown = "outcome_unknown"
	EUnavailable    = "unavailable" // the database cannot be reached or written just now; retry
	EInternal       = "internal"
)

// Error is an application error: a code for machines, a sentence for people and, for input
// errors, the field at fault (a JSON path such as "amount" or "allocations[1].invoice_id").
type Error struct {
	Code    string
	Field   string
	Message string
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s", e.Field, e.Message)
	}
	return e.Message
}

// Errorf returns an *Error with code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EInvalid error naming field.
func Invalid(field, format string, args ...any) *Error {
	return &Error{Code: EInvalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of an application error, EInternal for any other error, and ""
// for no error (so that a nil error never reads as an internal one).
func ErrorCode(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorField returns the field an application error names, "" for any other error.
func ErrorField(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}
