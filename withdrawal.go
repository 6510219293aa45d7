package finapp

import (
	"context"
	"slices"
	"strings"
	"time"

	"finapp/money"
)

// Withdrawals (SPEC §6.3): prepaid credit paid back out to the customer. A withdrawal posts
// credit:<org> → cash:<method> and may take only what the customer's own money covers: its
// balance less what is reserved, never the credit limit (which is finapp's money lent, not the
// customer's). It is never deleted: when the money comes back, a reversal posts the
// counter-entry and the withdrawal stays, marked reversed.

// Withdrawal is credit paid back to a customer.
type Withdrawal struct {
	ID             string
	OrganizationID string
	Amount         money.Amount
	Currency       money.Currency
	Method         string // how the money went out
	Reference      string
	Reason         string
	CreatedBy      string
	CreatedAt      time.Time
	ReversedAt     *time.Time
	ReversedBy     string
	ReversalReason string
}

// WithdrawalCreate is POST /v1/organizations/{id}/withdrawals as received.
type WithdrawalCreate struct {
	Amount    string
	Currency  string
	Method    string
	Reference string
	Reason    string
}

// WithdrawalFilter selects a customer's withdrawals, newest first.
type WithdrawalFilter struct {
	OrganizationID string // "" for every customer's
	Cursor         string
	Limit          int
}

// check checks the request on its own and returns the withdrawal, not yet saved.
func (in WithdrawalCreate) check() (*Withdrawal, error) {
	cur, err := money.ParseCurrency(in.Currency)
	if err != nil {
		return nil, Invalid("currency", "%v", err)
	}
	amt, err := money.Parse(in.Amount, cur)
	if err != nil {
		return nil, Invalid("amount", "%v", err)
	}
	w := &Withdrawal{Amount: amt, Currency: cur, Method: in.Method}
	if !slices.Contains(Methods, w.Method) {
		return nil, Invalid("method", "must be one of %s", strings.Join(Methods, ", "))
	}
	if w.Reference, err = text("reference", in.Reference, 200); err != nil {
		return nil, err
	}
	if w.Reason, err = text("reason", in.Reason, 500); err != nil {
		return nil, err
	}
	if w.Reason == "" {
		return nil, Invalid("reason", "is required: say why the credit is paid out")
	}
	return w, nil
}

// checkWithdrawable is the rule for how much of its credit a customer may withdraw (SPEC §6.3):
// what its balance holds beyond its open reservations, among its figures. A currency it has no
// credit in at all is a mistake in the request (currency), not a shortfall.
func checkWithdrawable(figures []CreditFigure, w *Withdrawal) error {
	i := slices.IndexFunc(figures, func(f CreditFigure) bool { return f.Currency == w.Currency })
	if i < 0 {
		return Invalid("currency", "the customer has no credit in %s", w.Currency)
	}
	f := figures[i]
	own := f.Balance.Sub(f.Reserved)
	if own.Cmp(money.SumOf(w.Amount)) < 0 {
		return &Error{Code: EInsufficientCredit, Field: "amount", Message: "the customer's balance less what is reserved is " +
			own.Format(w.Currency) + " " + string(w.Currency) + ", less than the " + money.Format(w.Amount, w.Currency) +
			" asked (the credit limit cannot be withdrawn)"}
	}
	return nil
}

// Withdraw pays amount of a customer's credit back out (finance or admin). Errors: EInvalid
// (naming the field), ENotFound, EInsufficientCredit, EPeriodClosed, EForbidden.
func (s *Service) Withdraw(ctx context.Context, orgID string, in WithdrawalCreate) (*Withdrawal, error) {
	var w *Withdrawal
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if w, err = in.check(); err != nil {
			return err
		}
		figures, err := loadCredit(ctx, tx, orgID, c.now)
		if err != nil {
			return err
		}
		if err := checkWithdrawable(figures, w); err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "a withdrawal"); err != nil {
			return err
		}
		w.ID, w.OrganizationID, w.CreatedBy, w.CreatedAt = NewID(PrefixWithdrawal), orgID, c.actor, c.now
		c.post("credit.withdrawn", w.ID, func(j *posting) {
			j.transfer(CreditAccount(orgID), CashAccount(w.Method), w.Currency, w.Amount)
		})
		snap := withdrawalSnapshot(w)
		c.record("withdrawal.created", "withdrawal", w.ID, nil, snap)
		c.event(EventCreditWithdrawn, w.ID, snap)
		if err := tx.CreateWithdrawal(ctx, w); err != nil {
			return err
		}
		usable := creditFigureIn(figures, w.Currency).Usable.Sub(money.SumOf(w.Amount))
		return autoTopUp(ctx, tx, c, orgID, w.Currency, today, func() (money.Sum, error) { return usable, nil })
	})
	return w, err
}

// ReverseWithdrawal records that a withdrawal's money came back (the transfer was returned): the
// counter-entry puts it back into the customer's credit, and the withdrawal stays, marked
// reversed, with the reason. Errors: ENotFound, EInvalid (no reason), EConflict (reversed
// already), EPeriodClosed.
func (s *Service) ReverseWithdrawal(ctx context.Context, id, reason string) (*Withdrawal, error) {
	reason, err := text("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, Invalid("reason", "is required: say why the withdrawal is reversed")
	}
	var w *Withdrawal
	today := s.today(ctx)
	err = s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if w, err = tx.Withdrawal(ctx, id); err != nil { // locked: no one else reverses it meanwhile
			return err
		}
		if w.ReversedAt != nil {
			return Errorf(EConflict, "withdrawal %s was reversed already", w.ID)
		}
		if err := refuseTodayIn(ctx, tx, today, "a reversal"); err != nil {
			return err
		}
		before := withdrawalSnapshot(w)
		at := c.now
		w.ReversedAt, w.ReversedBy, w.ReversalReason = &at, c.actor, reason
		c.post("withdrawal.reversed", w.ID, func(j *posting) {
			j.transfer(CashAccount(w.Method), CreditAccount(w.OrganizationID), w.Currency, w.Amount)
		})
		after := withdrawalSnapshot(w)
		c.record("withdrawal.reversed", "withdrawal", w.ID, before, after)
		c.event(EventWithdrawalReversed, w.ID, after)
		return tx.UpdateWithdrawal(ctx, w)
	})
	return w, err
}

// GetWithdrawal returns one withdrawal. Errors: ENotFound.
func (s *Service) GetWithdrawal(ctx context.Context, id string) (w *Withdrawal, err error) {
	err = s.read(ctx, func(tx Tx) error {
		w, err = tx.Withdrawal(ctx, id)
		return err
	})
	return w, err
}

// ListWithdrawals lists a customer's withdrawals, newest first. Errors: EInvalid, ENotFound.
func (s *Service) ListWithdrawals(ctx context.Context, f WithdrawalFilter) (list []*Withdrawal, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixWithdrawal); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		if f.OrganizationID != "" {
			if _, err := tx.Organization(ctx, f.OrganizationID); err != nil {
				return err
			}
		}
		list, next, err = tx.ListWithdrawals(ctx, f)
		return err
	})
	return list, next, err
}

// withdrawalSnapshot is how a withdrawal appears in the audit trail and in event payloads.
func withdrawalSnapshot(w *Withdrawal) map[string]any {
	return map[string]any{
		"id": w.ID, "organization_id": w.OrganizationID, "amount": money.Format(w.Amount, w.Currency), "currency": w.Currency,
		"method": w.Method, "reference": w.Reference, "reason": w.Reason, "reversed": w.ReversedAt != nil,
		"reversal_reason": w.ReversalReason,
	}
}
