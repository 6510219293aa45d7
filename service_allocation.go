package finapp

import (
	"context"
	"errors"
	"fmt"

	"finapp/money"
)

// Allocate applies a payment to invoices: the explicit lines of req, or with req.Auto the
// organization's open invoices oldest first. An unassigned payment is assigned to
// req.OrganizationID in the same transaction ("Assign & Allocate"). All or nothing.
// Errors: ENotFound, EInvalid, EVersionConflict, EPaymentUnassigned, EOrganizationMismatch,
// ECurrencyMismatch, EOverAllocation, EInvoiceVoid, EAssignmentLimit.
func (s *Service) Allocate(ctx context.Context, id string, ifMatch int, req AllocationRequest) (*PaymentDetail, error) {
	if !req.Auto && len(req.Lines) == 0 {
		return nil, Invalid("allocations", "is required: name at least one invoice, or send auto: true")
	}
	if req.Auto && len(req.Lines) > 0 {
		return nil, Invalid("auto", "cannot be combined with explicit allocations")
	}
	if len(req.Lines) > 500 {
		return nil, Invalid("allocations", "has more than 500 lines")
	}
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		if err := lock.refuseToday(today, "an allocation"); err != nil {
			return err
		}
		if req.OrganizationID != "" && req.OrganizationID != p.OrganizationID {
			if err := lock.refusePayment(p, "assigning"); err != nil {
				return err
			}
		}
		before := *p
		if err := s.assignForAllocation(ctx, tx, c, p, req.OrganizationID); err != nil {
			return err
		}
		if p.OrganizationID == "" {
			return &Error{Code: EPaymentUnassigned, Field: "organization_id", Message: "the payment is not assigned; name organization_id to assign and allocate in one step"}
		}
		invoices, amounts, err := s.allocationPlan(ctx, tx, p, req)
		if err != nil {
			return err
		}
		var made []*Allocation
		for i, inv := range invoices {
			if amounts[i] == 0 {
				continue
			}
			if err := checkAllocation(p, inv, amounts[i], fmt.Sprintf("allocations[%d]", i)); err != nil {
				return err
			}
			a := c.applyAllocation(p, inv, amounts[i])
			if err := tx.CreateAllocation(ctx, a); err != nil {
				return err
			}
			made = append(made, a)
		}
		if len(made) == 0 && before.OrganizationID == p.OrganizationID {
			return nil // auto found nothing to do: no change, no version bump
		}
		p.Version++
		p.UpdatedAt = c.now
		c.record("payment.allocated", "payment", p.ID, &before, p)
		if before.OrganizationID != p.OrganizationID {
			c.event(EventPaymentAssigned, p.ID, p)
		}
		for _, a := range made {
			c.event(EventPaymentAllocated, a.ID, allocationSnapshot(a))
		}
		return tx.UpdatePayment(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, id)
}

// assignForAllocation assigns an unassigned payment to orgID (when given); an assigned payment
// must already belong to orgID.
func (s *Service) assignForAllocation(ctx context.Context, tx Tx, c *changes, p *Payment, orgID string) error {
	if orgID == "" || orgID == p.OrganizationID {
		return nil
	}
	if p.OrganizationID != "" {
		return &Error{Code: EOrganizationMismatch, Field: "organization_id", Message: "the payment is assigned to another organization; unassign it first"}
	}
	org, err := tx.Organization(ctx, orgID)
	if err != nil {
		return asField(err, "organization_id")
	}
	return c.assign(p, org)
}

// allocationPlan loads the invoices a request names (or, for auto, the open ones) and the amount
// each gets. Invoices are loaded in id order so that concurrent requests lock them in one order.
func (s *Service) allocationPlan(ctx context.Context, tx Tx, p *Payment, req AllocationRequest) ([]*Invoice, []money.Amount, error) {
	if req.Auto {
		open, err := tx.OpenInvoices(ctx, p.OrganizationID, string(p.Currency))
		if err != nil {
			return nil, nil, err
		}
		return open, autoPlan(p, open), nil
	}
	ids := make([]string, 0, len(req.Lines))
	for i, l := range req.Lines {
		if l.InvoiceID == "" {
			return nil, nil, Invalid(fmt.Sprintf("allocations[%d].invoice_id", i), "is required")
		}
		ids = append(ids, l.InvoiceID)
	}
	loaded, err := loadInvoices(ctx, tx, ids)
	var failed *invoiceLoadError
	if errors.As(err, &failed) {
		for i, l := range req.Lines {
			if l.InvoiceID == failed.id {
				return nil, nil, asField(failed.err, fmt.Sprintf("allocations[%d].invoice_id", i))
			}
		}
	}
	if err != nil {
		return nil, nil, err
	}
	invoices := make([]*Invoice, len(req.Lines))
	amounts := make([]money.Amount, len(req.Lines))
	for i, l := range req.Lines {
		invoices[i] = loaded[l.InvoiceID]
		amt, err := money.Parse(l.Amount, p.Currency)
		if err != nil {
			return nil, nil, Invalid(fmt.Sprintf("allocations[%d].amount", i), "%v", err)
		}
		amounts[i] = amt
	}
	return invoices, amounts, nil
}

// ReleaseAllocation undoes one allocation. Errors: ENotFound, EVersionConflict,
// EInvoiceProvisioned, EConflict (already released).
func (s *Service) ReleaseAllocation(ctx context.Context, paymentID, allocationID string, ifMatch int) (*PaymentDetail, error) {
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, paymentID, ifMatch)
		if err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "a release"); err != nil {
			return err
		}
		a, err := tx.Allocation(ctx, allocationID)
		if err != nil {
			return err
		}
		if a.PaymentID != p.ID {
			return Errorf(ENotFound, "allocation %s is not one of payment %s", allocationID, paymentID)
		}
		inv, err := tx.Invoice(ctx, a.InvoiceID)
		if err != nil {
			return err
		}
		if err := checkRelease(a, inv); err != nil {
			return err
		}
		before := *p
		c.applyRelease(p, inv, a)
		p.Version++
		p.UpdatedAt = c.now
		c.record("allocation.released", "payment", p.ID, &before, p)
		if err := tx.UpdateAllocation(ctx, a); err != nil {
			return err
		}
		return tx.UpdatePayment(ctx, p)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, paymentID)
}

// TopUp moves amount (all of the unallocated money when empty) of a payment into its
// organization's credit balance. Errors: ENotFound, EInvalid, EVersionConflict,
// EPaymentUnassigned, EOverAllocation.
func (s *Service) TopUp(ctx context.Context, paymentID string, ifMatch int, amount string) (*TopUp, error) {
	var t *TopUp
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, paymentID, ifMatch)
		if err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "a top-up"); err != nil {
			return err
		}
		amt, err := checkTopUp(p, amount)
		if err != nil {
			return err
		}
		before := *p
		t = &TopUp{ID: NewID(PrefixTopUp), PaymentID: p.ID, OrganizationID: p.OrganizationID, Amount: amt, Currency: p.Currency, CreatedBy: c.actor, CreatedAt: c.now}
		p.ToppedUp += amt
		p.Version++
		p.UpdatedAt = c.now
		c.post("payment.topped_up", t.ID, func(j *posting) {
			j.transfer(UnappliedAccount(p.OrganizationID), CreditAccount(p.OrganizationID), p.Currency, amt)
		})
		c.record("top_up.created", "top_up", t.ID, nil, topUpSnapshot(t))
		c.record("payment.topped_up", "payment", p.ID, &before, p)
		c.event(EventCreditToppedUp, t.ID, map[string]any{"top_up_id": t.ID, "payment_id": p.ID, "organization_id": p.OrganizationID, "amount": money.Format(amt, p.Currency), "currency": p.Currency})
		if err := tx.CreateTopUp(ctx, t); err != nil {
			return err
		}
		return tx.UpdatePayment(ctx, p)
	})
	return t, err
}
