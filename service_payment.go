package finapp

import (
	"context"
	"slices"
)

// PaymentDetail is a payment with the latest DetailHistoryLimit of its allocations (released
// ones too), top-ups and refunds each, oldest first; a ...More flag says older ones exist.
type PaymentDetail struct {
	*Payment
	Allocations     []*Allocation
	TopUps          []*TopUp
	Refunds         []*Refund
	AllocationsMore bool
	TopUpsMore      bool
	RefundsMore     bool
}

// RecordPayment records money received, assigned to in.OrganizationID when given (which counts
// as the first assignment change). Errors: EInvalid.
func (s *Service) RecordPayment(ctx context.Context, in PaymentCreate) (*PaymentDetail, error) {
	p, err := in.validate(s.today(ctx))
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx Tx, c *changes) error {
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		if err := lock.refuse("received_on", p.ReceivedOn, "a payment received on "+p.ReceivedOn); err != nil {
			return err
		}
		var org *Organization
		if in.OrganizationID != "" {
			var err error
			if org, err = tx.Organization(ctx, in.OrganizationID); err != nil {
				return asField(err, "organization_id")
			}
		}
		c.recordPayment(p, org, c.source)
		return tx.CreatePayment(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return &PaymentDetail{Payment: p}, nil
}

// loadPayment loads a live (not deleted) payment for a write and checks If-Match.
func loadPayment(ctx context.Context, tx Tx, id string, ifMatch int) (*Payment, error) {
	p, err := tx.Payment(ctx, id)
	if err != nil {
		return nil, err
	}
	if p.DeletedAt != nil {
		return nil, Errorf(ENotFound, "payment %s was deleted", id)
	}
	return p, p.checkVersion(ifMatch)
}

// loadOpenPayment loads a live payment for a change (doing, e.g. "editing") that its received
// date's period must be open for, and checks If-Match.
func loadOpenPayment(ctx context.Context, tx Tx, id string, ifMatch int, doing string) (*Payment, error) {
	p, err := loadPayment(ctx, tx, id, ifMatch)
	if err != nil {
		return nil, err
	}
	lock, err := lockDateOf(ctx, tx)
	if err != nil {
		return nil, err
	}
	return p, lock.refusePayment(p, doing)
}

// UpdatePayment edits a payment's details. The amount may not fall below what is already applied
// (EAmountBelowApplied); the currency may not change once money is applied (EPaymentInUse).
// The ledger gets one entry that reverses the old receipt and posts the new one.
// Errors: ENotFound, EInvalid, EVersionConflict, EAmountBelowApplied, EPaymentInUse.
func (s *Service) UpdatePayment(ctx context.Context, id string, ifMatch int, u PaymentUpdate) (*PaymentDetail, error) {
	var next *Payment
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		if err := lock.refusePayment(p, "editing"); err != nil {
			return err
		}
		if next, err = checkEdit(p, u); err != nil {
			return err
		}
		// Nor may an edit move it into the closed period.
		if err := lock.refuse("received_on", next.ReceivedOn, "a payment received on "+next.ReceivedOn); err != nil {
			return err
		}
		next.Version++
		next.UpdatedAt = c.now
		c.post("payment.edited", p.ID, func(j *posting) {
			if next.Amount != p.Amount || next.Currency != p.Currency || next.Method != p.Method {
				j.transfer(UnappliedAccount(p.OrganizationID), CashAccount(p.Method), p.Currency, p.Amount)
				j.transfer(CashAccount(next.Method), UnappliedAccount(next.OrganizationID), next.Currency, next.Amount)
			}
		})
		c.record("payment.edited", "payment", p.ID, p, next)
		c.event(EventPaymentUpdated, p.ID, next)
		return tx.UpdatePayment(ctx, next)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, next.ID)
}

// DeletePayment soft-deletes a payment: it releases its allocations, reverses its receipt in the
// ledger and stays visible to auditors. Refused like Unassign when its money is locked in.
// Errors: ENotFound, EVersionConflict, EPaymentInUse.
func (s *Service) DeletePayment(ctx context.Context, id string, ifMatch int) error {
	return s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadOpenPayment(ctx, tx, id, ifMatch, "deleting")
		if err != nil {
			return err
		}
		return s.deletePayment(ctx, tx, c, p)
	})
}

// deletePayment deletes a loaded payment in the caller's transaction: DeletePayment, and undoing
// a bank line whose applying recorded it.
func (s *Service) deletePayment(ctx context.Context, tx Tx, c *changes, p *Payment) error {
	before := *p
	if err := s.detach(ctx, tx, c, p); err != nil {
		return err
	}
	c.post("payment.deleted", p.ID, func(j *posting) {
		j.transfer(UnappliedAccount(p.OrganizationID), CashAccount(p.Method), p.Currency, p.Amount)
	})
	at := c.now
	p.DeletedAt, p.UpdatedAt = &at, c.now
	p.Version++
	c.record("payment.deleted", "payment", p.ID, &before, p)
	c.event(EventPaymentDeleted, p.ID, p)
	return tx.UpdatePayment(ctx, p)
}

// detach releases every active allocation of p, after checking that none is locked in
// (checkDetach). Used by unassign and delete.
func (s *Service) detach(ctx context.Context, tx Tx, c *changes, p *Payment) error {
	all, err := tx.PaymentAllocations(ctx, p.ID)
	if err != nil {
		return err
	}
	var active []*Allocation
	var ids []string
	for _, a := range all {
		if a.ReleasedAt == nil {
			active = append(active, a)
			ids = append(ids, a.InvoiceID)
		}
	}
	invoices, err := loadInvoices(ctx, tx, ids)
	if err != nil {
		return err
	}
	if err := checkDetach(p, active, invoices); err != nil {
		return err
	}
	for _, a := range active {
		c.applyRelease(p, invoices[a.InvoiceID], a)
		if err := tx.UpdateAllocation(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// AssignPayment assigns a payment to an organization. Assigning to the organization it already
// has changes nothing; moving it from one organization to another is an unassign and an assign,
// so it counts two changes and releases its allocations.
// Errors: ENotFound, EInvalid, EVersionConflict, EAssignmentLimit, EPaymentInUse.
func (s *Service) AssignPayment(ctx context.Context, id, orgID string, ifMatch int) (*PaymentDetail, error) {
	if orgID == "" {
		return nil, Invalid("organization_id", "is required")
	}
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadOpenPayment(ctx, tx, id, ifMatch, "assigning")
		if err != nil {
			return err
		}
		org, err := tx.Organization(ctx, orgID)
		if err != nil {
			return asField(err, "organization_id")
		}
		if p.OrganizationID == org.ID {
			return nil
		}
		before := *p
		if p.OrganizationID != "" {
			if err := checkAssignmentChange(p, 2); err != nil {
				return err
			}
			if err := s.unassign(ctx, tx, c, p); err != nil {
				return err
			}
		}
		if err := c.assign(p, org); err != nil {
			return err
		}
		p.Version++
		p.UpdatedAt = c.now
		c.record("payment.assigned", "payment", p.ID, &before, p)
		c.event(EventPaymentAssigned, p.ID, p)
		return tx.UpdatePayment(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, id)
}

// unassign releases p's allocations and returns its money to the unassigned pool (one change).
func (s *Service) unassign(ctx context.Context, tx Tx, c *changes, p *Payment) error {
	if err := checkAssignmentChange(p, 1); err != nil {
		return err
	}
	if err := s.detach(ctx, tx, c, p); err != nil {
		return err
	}
	c.post("payment.unassigned", p.ID, func(j *posting) {
		j.transfer(UnappliedAccount(p.OrganizationID), UnappliedAccount(""), p.Currency, p.Unallocated())
	})
	p.OrganizationID, p.OrganizationName = "", ""
	p.AssignmentChanges++
	return nil
}

// UnassignPayment takes a payment away from its organization, releasing its allocations in the
// same transaction. Errors: ENotFound, EPaymentUnassigned, EVersionConflict, EAssignmentLimit,
// EPaymentInUse.
func (s *Service) UnassignPayment(ctx context.Context, id string, ifMatch int) (*PaymentDetail, error) {
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadOpenPayment(ctx, tx, id, ifMatch, "unassigning")
		if err != nil {
			return err
		}
		if p.OrganizationID == "" {
			return Errorf(EPaymentUnassigned, "payment %s is not assigned to an organization", p.ID)
		}
		before := *p
		if err := s.unassign(ctx, tx, c, p); err != nil {
			return err
		}
		p.Version++
		p.UpdatedAt = c.now
		c.record("payment.unassigned", "payment", p.ID, &before, p)
		c.event(EventPaymentUnassigned, p.ID, p)
		return tx.UpdatePayment(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, id)
}

// committed reads back a payment after its change committed. The change stands whether or not
// the client is still there, so the read-back ignores cancellation: a hung-up client must not
// turn a committed change into a 5xx, which would free its Idempotency-Key for a second try.
func (s *Service) committed(ctx context.Context, id string) (*PaymentDetail, error) {
	return s.GetPayment(context.WithoutCancel(ctx), id)
}

// loadInvoices loads (and, in a write transaction, locks) invoices in id order: every use case
// locks its payment first and then its invoices in this one order, so that concurrent
// transactions cannot wait on each other in a cycle.
func loadInvoices(ctx context.Context, tx Tx, ids []string) (map[string]*Invoice, error) {
	sorted := slices.Clone(ids)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	found, err := tx.Invoices(ctx, sorted)
	if err != nil {
		return nil, err
	}
	out := make(map[string]*Invoice, len(found))
	for _, inv := range found {
		out[inv.ID] = inv
	}
	for _, id := range sorted {
		if out[id] == nil { // the first id of no invoice, as loading it alone refuses it
			_, err := tx.Invoice(ctx, id)
			if err == nil {
				err = Errorf(ENotFound, "invoice %s not found", id)
			}
			return nil, &invoiceLoadError{id: id, err: err}
		}
	}
	return out, nil
}

// invoiceLoadError says which invoice loadInvoices could not load, so that a request can name
// the line at fault.
type invoiceLoadError struct {
	id  string
	err error
}

func (e *invoiceLoadError) Error() string { return e.err.Error() }
func (e *invoiceLoadError) Unwrap() error { return e.err }
