package finapp

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DefaultReminderLevels are the days overdue at which a workspace reminds a customer of an
// invoice, unless it sets its own: a week, two weeks, a month.
var DefaultReminderLevels = []int{7, 14, 30}

// MaxReminderLevels bounds how many levels a workspace may set.
const MaxReminderLevels = 10

// Reminder is a reminder that became due: an invoice reached a level of days overdue. A level
// is due once per invoice; an invoice first found past several levels is due the highest.
type Reminder struct {
	ID          string
	InvoiceID   string
	Level       int    // days overdue of the level
	DueOn       string // the business day it became due
	CreatedAt   time.Time
	Invoice     *Invoice // filled by lists
	DaysOverdue int      // on DueOn
}

// ReminderFilter selects reminders: those that became due on a day, or all when DueOn is "".
type ReminderFilter struct {
	DueOn  string
	Cursor string
	Limit  int
}

// CheckReminderLevels checks levels a workspace sets: 1 to 10 distinct whole days between 1 and
// 365, kept in increasing order.
func CheckReminderLevels(levels []int) ([]int, error) {
	if len(levels) == 0 || len(levels) > MaxReminderLevels {
		return nil, Invalid("levels", "must hold 1 to %d levels", MaxReminderLevels)
	}
	out := slices.Clone(levels)
	slices.Sort(out)
	for i, l := range out {
		if l < 1 || l > 365 {
			return nil, Invalid("levels", "%d is not a number of days between 1 and 365", l)
		}
		if i > 0 && out[i-1] == l {
			return nil, Invalid("levels", "%d appears twice", l)
		}
	}
	return out, nil
}

// FormatReminderLevels and ParseReminderLevels are the levels as stored ("7,14,30").
func FormatReminderLevels(levels []int) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = strconv.Itoa(l)
	}
	return strings.Join(parts, ",")
}

func ParseReminderLevels(s string) ([]int, error) {
	var out []int
	for part := range strings.SplitSeq(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(part))
		if err != nil {
			return nil, fmt.Errorf("reminder levels %q: %w", s, err)
		}
		out = append(out, n)
	}
	return CheckReminderLevels(out)
}

// reminderLevelDue is the level an invoice due on dueOn has reached on today and not yet been
// reminded of (sent is the highest level already due, 0 for none), or 0 when none is due.
func reminderLevelDue(levels []int, dueOn, today string, sent int) int {
	overdue := daysBetween(dueOn, today)
	due := 0
	for _, l := range levels {
		if overdue >= l && l > sent {
			due = l
		}
	}
	return due
}

// daysBetween is the whole days from a to b (dates in YYYY-MM-DD), negative when b is before a.
func daysBetween(a, b string) int {
	ta, err1 := time.Parse("2006-01-02", a)
	tb, err2 := time.Parse("2006-01-02", b)
	if err1 != nil || err2 != nil {
		return 0
	}
	return int(tb.Sub(ta).Hours() / 24)
}

// ReminderLevels are the workspace's levels.
func (s *Service) ReminderLevels(ctx context.Context) (levels []int, err error) {
	err = s.read(ctx, func(tx Tx) error {
		levels, err = tx.ReminderLevels(ctx)
		return err
	})
	return levels, err
}

// SetReminderLevels sets the workspace's levels (admin). Errors: EInvalid, EForbidden.
func (s *Service) SetReminderLevels(ctx context.Context, levels []int) ([]int, error) {
	levels, err := CheckReminderLevels(levels)
	if err != nil {
		return nil, err
	}
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		before, err := tx.ReminderLevels(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetReminderLevels(ctx, levels); err != nil {
			return err
		}
		c.record("settings.reminder_levels_set", "workspace", a.WorkspaceID, map[string]any{"reminder_levels": before},
			map[string]any{"reminder_levels": levels})
		return nil
	})
	return levels, err
}

// RunReminders records every reminder due today in the workspace: each open invoice that has
// reached a level of days overdue it has not been reminded of, at the highest such level, with
// an invoice.reminder_due event. Run again the same day it finds nothing new; serve runs it
// every hour so that a new day's reminders are due within the hour of the day's start.
func (s *Service) RunReminders(ctx context.Context) (due []*Reminder, err error) {
	today := s.today(ctx)
	err = s.write(ctx, func(tx Tx, c *changes) error {
		due = nil
		levels, err := tx.ReminderLevels(ctx)
		if err != nil {
			return err
		}
		candidates, err := tx.OverdueInvoices(ctx, today, levels)
		if err != nil {
			return err
		}
		for _, o := range candidates {
			level := reminderLevelDue(levels, o.Invoice.DueOn, today, o.LastLevel)
			if level == 0 {
				continue
			}
			r := &Reminder{ID: NewID(PrefixReminder), InvoiceID: o.Invoice.ID, Level: level, DueOn: today, CreatedAt: c.now,
				Invoice: o.Invoice, DaysOverdue: daysBetween(o.Invoice.DueOn, today)}
			if err := tx.CreateReminder(ctx, r); err != nil {
				return err
			}
			snap := reminderSnapshot(r)
			c.record("invoice.reminder_due", "reminder", r.ID, nil, snap)
			c.event(EventInvoiceReminderDue, r.InvoiceID, snap)
			due = append(due, r)
		}
		return nil
	})
	return due, err
}

// OverdueInvoice is an open invoice past its due date with the highest reminder level it has
// been reminded of (0 for none).
type OverdueInvoice struct {
	Invoice   *Invoice
	LastLevel int
}

// reminderSnapshot is how a reminder appears in the audit trail and in its event.
func reminderSnapshot(r *Reminder) map[string]any {
	snap := map[string]any{"id": r.ID, "level": r.Level, "due_on": r.DueOn, "days_overdue": r.DaysOverdue, "invoice_id": r.InvoiceID}
	if r.Invoice != nil {
		snap["invoice"] = invoiceSnapshot(r.Invoice)
	}
	return snap
}

// ListReminders lists reminders, newest first.
func (s *Service) ListReminders(ctx context.Context, f ReminderFilter) (list []*Reminder, next string, err error) {
	if f.DueOn != "" {
		if _, err := ParseDate("due_on", f.DueOn); err != nil {
			return nil, "", err
		}
	}
	if err := CheckCursor(f.Cursor, PrefixReminder); err != nil {
		return nil, "", err
	}
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListReminders(ctx, f)
		return err
	})
	for _, r := range list {
		if r.Invoice != nil {
			r.DaysOverdue = daysBetween(r.Invoice.DueOn, r.DueOn)
		}
	}
	return list, next, err
}
