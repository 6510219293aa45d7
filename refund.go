package finapp

import (
	"context"
	"slices"
	"strings"
	"time"

	"finapp/money"
)

// Refunds (SPEC §6.2): money a payment holds unapplied, paid back to the customer. A refund
// posts unapplied:<org> → cash:<method>; it counts in the payment's figures (Refunded), so that
// unapplied = amount − allocated − topped up − refunded never falls below zero. A refund is
// never deleted: when the money comes back (the bank returned the transfer), a reversal posts
// the counter-entry and the refund stays, marked reversed.

// PrefixRefund starts a refund's id.
const PrefixRefund = "rfd_"

// Refund is money paid back out of a payment's unapplied money.
type Refund struct {
	ID             string
	PaymentID      string
	OrganizationID string // the payment's when refunded; "" for an unassigned payment
	Amount         money.Amount
	Currency       money.Currency
	Method         string // how the money went back
	Reference      string
	Reason         string
	CreatedBy      string
	CreatedAt      time.Time
	ReversedAt     *time.Time
	ReversedBy     string
	ReversalReason string
}

// RefundCreate is the input to RefundPayment.
type RefundCreate struct {
	Amount    string // "" for all the payment has unapplied
	Method    string // "" for the payment's own method
	Reference string
	Reason    string
}

// RefundFilter selects refunds, newest first.
type RefundFilter struct {
	PaymentID string
	Cursor    string
	Limit     int
}

// checkRefund is the rule for refunding in from payment p (SPEC §6.2): an amount above zero and
// no more than p holds unapplied, a known method, a reason. It returns the refund, not yet saved.
func checkRefund(p *Payment, in RefundCreate) (*Refund, error) {
	r := &Refund{PaymentID: p.ID, OrganizationID: p.OrganizationID, Currency: p.Currency, Method: in.Method, Amount: p.Unallocated()}
	if in.Amount != "" {
		var err error
		if r.Amount, err = money.Parse(in.Amount, p.Currency); err != nil {
			return nil, Invalid("amount", "%v", err)
		}
	}
	if r.Amount <= 0 || r.Amount > p.Unallocated() {
		return nil, &Error{Code: EOverAllocation, Field: "amount", Message: "must be more than zero and at most the " +
			money.Format(p.Unallocated(), p.Currency) + " " + string(p.Currency) + " payment " + p.ID + " holds unapplied"}
	}
	if r.Method == "" {
		r.Method = p.Method
	}
	if !slices.Contains(Methods, r.Method) {
		return nil, Invalid("method", "must be one of %s", strings.Join(Methods, ", "))
	}
	var err error
	if r.Reference, err = text("reference", in.Reference, 200); err != nil {
		return nil, err
	}
	if r.Reason, err = text("reason", in.Reason, 500); err != nil {
		return nil, err
	}
	if r.Reason == "" {
		return nil, Invalid("reason", "is required: say why the money goes back")
	}
	return r, nil
}

// RefundPayment pays back money payment id holds unapplied. Errors: ENotFound, EInvalid,
// EVersionConflict, EOverAllocation (more than unapplied), EPeriodClosed (today is closed).
func (s *Service) RefundPayment(ctx context.Context, id string, ifMatch int, in RefundCreate) (*Refund, error) {
	var r *Refund
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		p, err := loadPayment(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "a refund"); err != nil {
			return err
		}
		if r, err = checkRefund(p, in); err != nil {
			return err
		}
		r.ID, r.CreatedBy, r.CreatedAt = NewID(PrefixRefund), c.actor, c.now
		before := *p
		p.Refunded += r.Amount
		p.Version++
		p.UpdatedAt = c.now
		c.post("payment.refunded", r.ID, func(j *posting) {
			j.transfer(UnappliedAccount(r.OrganizationID), CashAccount(r.Method), r.Currency, r.Amount)
		})
		c.record("refund.created", "refund", r.ID, nil, refundSnapshot(r))
		c.record("payment.refunded", "payment", p.ID, &before, p)
		c.event(EventPaymentRefunded, r.ID, refundSnapshot(r))
		if err := tx.CreateRefund(ctx, r); err != nil {
			return err
		}
		return tx.UpdatePayment(ctx, p)
	})
	return r, err
}

// ReverseRefund records that a refund's money came back (the customer's bank returned it): the
// counter-entry puts it back into the payment's unapplied money, and the refund stays, marked
// reversed, with the reason. Errors: ENotFound, EInvalid (no reason), EConflict (reversed
// already), EPeriodClosed.
func (s *Service) ReverseRefund(ctx context.Context, id, reason string) (*Refund, error) {
	reason, err := text("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, Invalid("reason", "is required: say why the refund is reversed")
	}
	var r *Refund
	today := s.today(ctx)
	err = s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if r, err = tx.Refund(ctx, id); err != nil {
			return err
		}
		if r.ReversedAt != nil {
			return Errorf(EConflict, "refund %s was reversed already", r.ID)
		}
		if err := refuseTodayIn(ctx, tx, today, "a reversal"); err != nil {
			return err
		}
		p, err := tx.Payment(ctx, r.PaymentID)
		if err != nil {
			return err
		}
		before, beforeRefund := *p, refundSnapshot(r)
		at := c.now
		r.ReversedAt, r.ReversedBy, r.ReversalReason = &at, c.actor, reason
		p.Refunded -= r.Amount
		p.Version++
		p.UpdatedAt = c.now
		// The money comes back to the payment's customer now (the refund's, unless the payment
		// was assigned to another since; an unassigned payment's pool when it has none).
		c.post("refund.reversed", r.ID, func(j *posting) {
			j.transfer(CashAccount(r.Method), UnappliedAccount(p.OrganizationID), r.Currency, r.Amount)
		})
		c.record("refund.reversed", "refund", r.ID, beforeRefund, refundSnapshot(r))
		c.record("payment.refund_reversed", "payment", p.ID, &before, p)
		c.event(EventRefundReversed, r.ID, refundSnapshot(r))
		if err := tx.UpdateRefund(ctx, r); err != nil {
			return err
		}
		return tx.UpdatePayment(ctx, p)
	})
	return r, err
}

// GetRefund returns one refund. Errors: ENotFound.
func (s *Service) GetRefund(ctx context.Context, id string) (*Refund, error) {
	var r *Refund
	err := s.read(ctx, func(tx Tx) (err error) { r, err = tx.Refund(ctx, id); return err })
	return r, err
}

// ListRefunds lists refunds, newest first. Errors: EInvalid.
func (s *Service) ListRefunds(ctx context.Context, f RefundFilter) (list []*Refund, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixRefund); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListRefunds(ctx, f)
		return err
	})
	return list, next, err
}

// refundSnapshot is how a refund appears in the audit trail and in event payloads.
func refundSnapshot(r *Refund) map[string]any {
	return map[string]any{
		"id": r.ID, "payment_id": r.PaymentID, "organization_id": r.OrganizationID, "amount": money.Format(r.Amount, r.Currency),
		"currency": r.Currency, "method": r.Method, "reference": r.Reference, "reason": r.Reason,
		"reversed": r.ReversedAt != nil, "reversal_reason": r.ReversalReason,
	}
}
