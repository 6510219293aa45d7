package finapp

import (
	"context"
	"strings"
)

// Period close (SPEC §8, docs/domain.md "Period close"). A workspace's lock date closes every
// business day up to and including it: nothing may post with a business date on or before it.
// Each change has one business date, the day its journal entry belongs to:
//
//   - a payment's is its received date: recording, editing, deleting, assigning or unassigning a
//     payment received on or before the lock date is refused (its money, its customer and its
//     text are in the closed period's receipts and statements);
//   - an invoice's is its issue date: issuing one dated on or before the lock date, or changing
//     anything but the metadata of one issued then, is refused;
//   - allocating, releasing, topping up, provisioning and voiding post today: they are refused
//     only while today itself is closed. A correction of a closed period is such a change: it
//     posts in the open period with its own date, and the closed period's reports stay as they
//     were at close.
//
// Reopening moves the lock date back (or clears it); it is an admin action with a reason, kept
// in the audit trail as the close is.

// lockDate is a workspace's lock date as a use case read it in its transaction; "" is none.
type lockDate string

// lockDateOf reads the lock date in tx (holding it until tx ends, see Tx.LockDate).
func lockDateOf(ctx context.Context, tx Tx) (lockDate, error) {
	d, err := tx.LockDate(ctx)
	return lockDate(d), err
}

// closed reports whether date (YYYY-MM-DD) is on or before the lock date.
func (l lockDate) closed(date string) bool { return l != "" && date <= string(l) }

// refuse refuses a change whose business date, date, is closed: field names the date the request
// gave or the record holds, what says what the change is ("a payment received on 2026-10-20").
func (l lockDate) refuse(field, date, what string) error {
	if !l.closed(date) {
		return nil
	}
	return &Error{Code: EPeriodClosed, Field: field,
		Message: what + " is in the closed period: the books are locked through " + string(l) + "; post the correction in the open period, or have an admin reopen it"}
}

// refuseToday refuses a change that posts today while today is closed.
func (l lockDate) refuseToday(today, what string) error {
	return l.refuse("", today, what+" posts today ("+today+"), which")
}

// PeriodLock is a workspace's period close: the lock date, "" for none.
type PeriodLock struct {
	LockDate string
}

// Period returns the caller's workspace's lock date.
func (s *Service) Period(ctx context.Context) (PeriodLock, error) {
	var l lockDate
	err := s.read(ctx, func(tx Tx) (err error) { l, err = lockDateOf(ctx, tx); return err })
	return PeriodLock{LockDate: string(l)}, err
}

// ClosePeriod closes the books through a date (admin): from then on nothing posts with a
// business date on or before it. Errors: EForbidden, EInvalid (not a date, after today, or
// before the lock date already set: moving it back is ReopenPeriod's).
func (s *Service) ClosePeriod(ctx context.Context, through string) (PeriodLock, error) {
	d, err := ParseDate("through", through)
	if err != nil {
		return PeriodLock{}, err
	}
	if today := s.today(ctx); d > today {
		return PeriodLock{}, Invalid("through", "is after today (%s): a period closes once it has ended", today)
	}
	a, err := s.actor(ctx)
	if err != nil {
		return PeriodLock{}, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		before, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case string(before) == d:
			return nil // closed through that day already: nothing to do
		case before.closed(d):
			return Invalid("through", "is before the lock date %s; to move it back, reopen the period (with a reason)", before)
		}
		c.record("period.closed", "workspace", a.WorkspaceID, map[string]string{"lock_date": string(before)}, map[string]string{"lock_date": d})
		return tx.SetLockDate(ctx, d)
	})
	return PeriodLock{LockDate: d}, err
}

// ReopenPeriod moves the lock date back to through, or clears it when through is "" (admin),
// for the reason given, which the audit trail keeps. Errors: EForbidden, EInvalid (no reason,
// not a date, not before the lock date), EConflict (no period is closed).
func (s *Service) ReopenPeriod(ctx context.Context, through, reason string) (PeriodLock, error) {
	d := ""
	if through != "" {
		var err error
		if d, err = ParseDate("through", through); err != nil {
			return PeriodLock{}, err
		}
	}
	reason, err := text("reason", reason, 500)
	if err != nil {
		return PeriodLock{}, err
	}
	if strings.TrimSpace(reason) == "" {
		return PeriodLock{}, Invalid("reason", "is required: say why the closed period must change")
	}
	a, err := s.actor(ctx)
	if err != nil {
		return PeriodLock{}, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		before, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		switch {
		case before == "":
			return Errorf(EConflict, "no period is closed")
		case d >= string(before):
			return Invalid("through", "is not before the lock date %s: reopening moves it back (leave through out to clear it)", before)
		}
		c.record("period.reopened", "workspace", a.WorkspaceID, map[string]string{"lock_date": string(before)},
			map[string]string{"lock_date": d, "reason": reason})
		return tx.SetLockDate(ctx, d)
	})
	return PeriodLock{LockDate: d}, err
}

// refusePayment refuses doing what (e.g. "editing") to payment p while its received date is
// closed.
func (l lockDate) refusePayment(p *Payment, what string) error {
	return l.refuse("received_on", p.ReceivedOn, what+" payment "+p.ID+", received on "+p.ReceivedOn+",")
}

// refuseInvoice refuses issuing after (before is nil) or correcting before to after when an issue
// date involved is closed — unless only what no report reads changes (metadata, external id).
func (l lockDate) refuseInvoice(before, after *Invoice) error {
	if before == nil {
		return l.refuse("issued_on", after.IssuedOn, "an invoice issued on "+after.IssuedOn)
	}
	if before.Number == after.Number && before.Kind == after.Kind && before.Total == after.Total &&
		before.IssuedOn == after.IssuedOn && before.DueOn == after.DueOn {
		return nil
	}
	if err := l.refuse("issued_on", before.IssuedOn, "correcting invoice "+before.Number+", issued on "+before.IssuedOn+","); err != nil {
		return err
	}
	return l.refuse("issued_on", after.IssuedOn, "an invoice issued on "+after.IssuedOn)
}

// refuseTodayIn reads the lock date in tx and refuses a change (what) that posts today, while
// today is closed.
func refuseTodayIn(ctx context.Context, tx Tx, today, what string) error {
	lock, err := lockDateOf(ctx, tx)
	if err != nil {
		return err
	}
	return lock.refuseToday(today, what)
}
