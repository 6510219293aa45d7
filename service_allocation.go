package finapp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"finapp/money"
)

// Allocate applies a payment to invoices: the explicit lines of req, or with req.Auto the
// organization's open invoices oldest first. An unassigned payment is assigned to
// req.OrganizationID in the same transaction ("Assign & Allocate"). All or nothing.
// Errors: ENotFound, EInvalid, EVersionConflict, EPaymentUnassigned, EOrganizationMismatch,
// ECurrencyMismatch, EOverAllocation, EInvoiceVoid, EAssignmentLimit.
func (s *Service) Allocate(ctx context.Context, id string, ifMatch int, req AllocationRequest) (*PaymentDetail, error) {
	if err := checkApplying(req.Auto, len(req.Lines)); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		return s.allocate(ctx, tx, c, p, req, today)
	})
	if err != nil {
		return nil, err
	}
	return s.committed(ctx, id)
}

// allocate applies a loaded payment as req says, in the caller's transaction: Allocate, and
// applying a bank line (which records the payment first), are this one rule.
func (s *Service) allocate(ctx context.Context, tx Tx, c *changes, p *Payment, req AllocationRequest, today string) error {
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
	plan, err := s.allocationPlan(ctx, tx, p, req)
	if err != nil {
		return err
	}
	var tolerated *tolerance
	var made []*Allocation
	for i, l := range plan {
		if l.amount == 0 {
			continue
		}
		field := fmt.Sprintf("allocations[%d]", i)
		var a *Allocation
		if l.kind == AllocationPayment {
			if err := checkAllocation(p, l.inv, l.amount, l.invAmount, l.rate != "", field); err != nil {
				return err
			}
			a = c.applyAllocation(p, l.inv, l.amount, l.invAmount, l.rate)
		} else {
			if tolerated == nil {
				tolerated = &tolerance{}
			}
			limit, adjusted, err := tolerated.of(ctx, tx, l.inv, l.kind)
			if err != nil {
				return err
			}
			if err := checkAdjustment(p, l.inv, l.kind, l.amount, adjusted, limit, field); err != nil {
				return err
			}
			a = c.applyAdjustment(p, l.inv, l.kind, l.reason, l.amount)
			tolerated.add(l.inv.ID, l.kind, l.amount)
		}
		made = append(made, a)
	}
	linkAdjustments(made)
	for _, a := range made {
		if a.IsAdjustment() {
			c.record("allocation.created", "allocation", a.ID, nil, allocationSnapshot(a))
		}
	}
	if err := tx.CreateAllocations(ctx, made); err != nil {
		return err
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
		if a.IsAdjustment() {
			c.event(EventInvoiceAdjusted, a.ID, allocationSnapshot(a))
		} else {
			c.event(EventPaymentAllocated, a.ID, allocationSnapshot(a))
		}
	}
	return tx.UpdatePayment(ctx, p)
}

// checkApplying is the rule of the shape of a request that applies money or a credit note to
// invoices: explicit lines (at most 500) or auto, never both, never neither.
func checkApplying(auto bool, lines int) error {
	switch {
	case !auto && lines == 0:
		return Invalid("allocations", "is required: name at least one invoice, or send auto: true")
	case auto && lines > 0:
		return Invalid("auto", "cannot be combined with explicit allocations")
	case lines > 500:
		return Invalid("allocations", "has more than 500 lines")
	}
	return nil
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

// plannedLine is one line of an allocation request, its invoice loaded and its amount read.
type plannedLine struct {
	inv          *Invoice
	amount       money.Amount // of the payment's currency (an adjustment: of the invoice's)
	invAmount    money.Amount // what the invoice receives: amount, or amount converted at rate
	rate         string
	kind, reason string
}

// allocationPlan loads the invoices a request names (or, for auto, the open ones) and what each
// line asks for. Invoices are loaded in id order so that concurrent requests lock them in one
// order.
func (s *Service) allocationPlan(ctx context.Context, tx Tx, p *Payment, req AllocationRequest) ([]plannedLine, error) {
	if req.Auto {
		open, err := tx.OpenInvoices(ctx, p.OrganizationID, string(p.Currency))
		if err != nil {
			return nil, err
		}
		amounts := autoPlan(p, open)
		plan := make([]plannedLine, len(open))
		for i, inv := range open {
			plan[i] = plannedLine{inv: inv, amount: amounts[i], invAmount: amounts[i], kind: AllocationPayment}
		}
		return plan, nil
	}
	plan := make([]plannedLine, len(req.Lines))
	ids := make([]string, 0, len(req.Lines))
	for i, l := range req.Lines {
		field := fmt.Sprintf("allocations[%d]", i)
		if l.InvoiceID == "" {
			return nil, Invalid(field+".invoice_id", "is required")
		}
		ids = append(ids, l.InvoiceID)
		plan[i].kind = AllocationPayment
		if l.Kind != "" && l.Kind != AllocationPayment {
			var err error
			if plan[i].kind, plan[i].reason, err = adjustmentLine(l, field); err != nil {
				return nil, err
			}
		} else if l.Reason != "" {
			return nil, Invalid(field+".reason", "is for adjustment lines only; a payment line needs none")
		}
		if l.Rate != "" && plan[i].kind != AllocationPayment {
			return nil, Invalid(field+".rate", "is for money lines only: an adjustment is in the invoice's currency")
		}
	}
	loaded, err := loadInvoices(ctx, tx, ids)
	var failed *invoiceLoadError
	if errors.As(err, &failed) {
		for i, l := range req.Lines {
			if l.InvoiceID == failed.id {
				return nil, asField(failed.err, fmt.Sprintf("allocations[%d].invoice_id", i))
			}
		}
	}
	if err != nil {
		return nil, err
	}
	for i, l := range req.Lines {
		plan[i].inv = loaded[l.InvoiceID]
		cur := p.Currency
		if plan[i].kind != AllocationPayment {
			cur = plan[i].inv.Currency // an adjustment settles the invoice in its own currency
		}
		amt, err := money.Parse(l.Amount, cur)
		if err != nil {
			return nil, Invalid(fmt.Sprintf("allocations[%d].amount", i), "%v", err)
		}
		plan[i].amount, plan[i].invAmount = amt, amt
		if l.Rate != "" {
			if plan[i].invAmount, err = convertLine(l, p, plan[i].inv, amt, fmt.Sprintf("allocations[%d]", i)); err != nil {
				return nil, err
			}
			plan[i].rate = l.Rate
		}
	}
	return plan, nil
}

// convertLine is what the invoice of a money line with a rate receives: the line's amt of the
// payment's currency at the rate, rounded half away from zero to the invoice currency's minor
// units (money.Rate.Convert). A rate is only for an invoice in another currency.
func convertLine(l AllocationLine, p *Payment, inv *Invoice, amt money.Amount, field string) (money.Amount, error) {
	if inv.Currency == p.Currency {
		return 0, Invalid(field+".rate", "is only for an invoice in another currency than the payment's (%s)", p.Currency)
	}
	rate, err := money.ParseRate(l.Rate)
	if err != nil {
		return 0, Invalid(field+".rate", "%v", err)
	}
	invAmt, err := rate.Convert(amt, p.Currency, inv.Currency)
	if err != nil {
		return 0, Invalid(field+".amount", "%v", err)
	}
	return invAmt, nil
}

// tolerance reads, once per request, the workspace's tolerances and what the invoices of the
// request already have of each tolerated kind of adjustment, and counts the request's own.
type tolerance struct {
	limits   map[money.Currency]money.Amount
	adjusted map[string]map[string]money.Amount // invoice id → kind → active amount
}

// of returns the limit for inv's currency and what inv has of kind now (0, 0 for a kind no
// tolerance bounds).
func (t *tolerance) of(ctx context.Context, tx Tx, inv *Invoice, kind string) (limit, adjusted money.Amount, err error) {
	if !slices.Contains(toleratedKinds, kind) {
		return 0, 0, nil
	}
	if t.limits == nil {
		if t.limits, err = tx.Tolerances(ctx); err != nil {
			return 0, 0, err
		}
		t.adjusted = map[string]map[string]money.Amount{}
	}
	if t.adjusted[inv.ID] == nil {
		all, err := tx.InvoiceAllocations(ctx, inv.ID)
		if err != nil {
			return 0, 0, err
		}
		t.adjusted[inv.ID] = map[string]money.Amount{}
		for _, a := range all {
			if a.ReleasedAt == nil && a.IsAdjustment() {
				t.adjusted[inv.ID][a.Kind] += a.Amount
			}
		}
	}
	return t.limits[inv.Currency], t.adjusted[inv.ID][kind], nil
}

// add counts an adjustment the request made.
func (t *tolerance) add(invoiceID, kind string, amt money.Amount) {
	if m := t.adjusted[invoiceID]; m != nil {
		m[kind] += amt
	}
}

// ReleaseAllocation undoes one allocation: an adjustment alone, or money with the adjustments
// made with it (Allocation.MoneyAllocationID). Errors: ENotFound, EVersionConflict,
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
		released := []*Allocation{a}
		if !a.IsAdjustment() {
			// The adjustments made with the money settled what it left: they go with it.
			all, err := tx.PaymentAllocations(ctx, p.ID)
			if err != nil {
				return err
			}
			for _, b := range all {
				if b.ReleasedAt == nil && b.MoneyAllocationID == a.ID {
					released = append(released, b)
				}
			}
		}
		before := *p
		for _, r := range released {
			c.applyRelease(p, inv, r)
			if err := tx.UpdateAllocation(ctx, r); err != nil {
				return err
			}
		}
		p.Version++
		p.UpdatedAt = c.now
		c.record("allocation.released", "payment", p.ID, &before, p)
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
