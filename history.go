package finapp

import (
	"context"
	"slices"
)

// DetailHistoryLimit bounds each history a detail view carries (a payment's allocations, top-ups
// and refunds; an invoice's allocations; a credit note's applications): the most recent ones, with a flag saying there are
// older ones, which their list pages by cursor. A payment on a hot account collects thousands
// of allocations over the years, and its detail is read back after every change of it: the
// answer must not grow with its age (issue 12).
const DetailHistoryLimit = 100

// AllocationFilter selects the allocations of one payment or of one invoice.
type AllocationFilter struct {
	PaymentID string
	InvoiceID string
	Cursor    string
	Limit     int
}

// TopUpFilter selects the top-ups of one payment.
type TopUpFilter struct {
	PaymentID string
	Cursor    string
	Limit     int
}

// CreditNoteApplicationFilter selects the applications of one credit note.
type CreditNoteApplicationFilter struct {
	CreditNoteID string
	Cursor       string
	Limit        int
}

// ListCreditNoteApplications pages what a credit note was applied to (invoices, refunds, credit),
// released ones too, newest first. Errors: EInvalid, ENotFound.
func (s *Service) ListCreditNoteApplications(ctx context.Context, f CreditNoteApplicationFilter) (list []*CreditNoteApplication, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixCreditNoteApplication); err != nil {
		return nil, "", err
	}
	if f.CreditNoteID == "" {
		return nil, "", Invalid("credit_note_id", "is required: applications are listed by credit note")
	}
	err = s.read(ctx, func(tx Tx) error {
		if _, err := tx.CreditNote(ctx, f.CreditNoteID); err != nil {
			return err
		}
		list, next, err = tx.ListCreditNoteApplications(ctx, f)
		return err
	})
	return list, next, err
}

// ListAllocations pages the allocations of a payment or of an invoice (exactly one of them),
// released ones too, newest first. Errors: EInvalid, ENotFound.
func (s *Service) ListAllocations(ctx context.Context, f AllocationFilter) (list []*Allocation, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixAllocation); err != nil {
		return nil, "", err
	}
	switch {
	case f.PaymentID == "" && f.InvoiceID == "":
		return nil, "", Invalid("payment_id", "or invoice_id is required: allocations are listed by payment or by invoice")
	case f.PaymentID != "" && f.InvoiceID != "":
		return nil, "", Invalid("invoice_id", "cannot be given with payment_id: allocations are listed by payment or by invoice")
	}
	err = s.read(ctx, func(tx Tx) error {
		// An unknown payment or invoice is not found, not an empty history.
		if f.PaymentID != "" {
			if _, err := tx.Payment(ctx, f.PaymentID); err != nil {
				return err
			}
		} else if _, err := tx.Invoice(ctx, f.InvoiceID); err != nil {
			return err
		}
		list, next, err = tx.ListAllocations(ctx, f)
		return err
	})
	return list, next, err
}

// ListTopUps pages the top-ups of a payment, newest first. Errors: EInvalid, ENotFound.
func (s *Service) ListTopUps(ctx context.Context, f TopUpFilter) (list []*TopUp, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixTopUp); err != nil {
		return nil, "", err
	}
	if f.PaymentID == "" {
		return nil, "", Invalid("payment_id", "is required: top-ups are listed by payment")
	}
	err = s.read(ctx, func(tx Tx) error {
		if _, err := tx.Payment(ctx, f.PaymentID); err != nil {
			return err
		}
		list, next, err = tx.ListTopUps(ctx, f)
		return err
	})
	return list, next, err
}

// recentHistory is the latest page of a history, put back in the order it happened (oldest
// first, as a detail view shows it), and whether older entries exist.
func recentHistory[T any](newestFirst []T, next string, err error) ([]T, bool, error) {
	slices.Reverse(newestFirst)
	return newestFirst, next != "", err
}
