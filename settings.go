package finapp

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"sync"
	"time"

	"finapp/money"
)

// Settings are a workspace's settings (SPEC §8): the time zone its business days are in (every
// "today": default dates, overdue flags, aging, reminders, statements), its base currency and
// the first day of its fiscal year.
type Settings struct {
	TimeZone        string // IANA name, default "UTC"
	BaseCurrency    string // ISO 4217, "" until set
	FiscalYearStart string // MM-DD, default "01-01"
}

// DefaultSettings are a new workspace's.
var DefaultSettings = Settings{TimeZone: "UTC", FiscalYearStart: "01-01"}

// check checks settings and returns them as stored.
func (st Settings) check() (Settings, error) {
	if st.TimeZone == "" {
		st.TimeZone = DefaultSettings.TimeZone
	}
	if _, err := time.LoadLocation(st.TimeZone); err != nil || st.TimeZone == "Local" {
		return st, Invalid("time_zone", "%q is not an IANA time zone (e.g. Asia/Singapore, America/New_York, UTC)", st.TimeZone)
	}
	if st.BaseCurrency != "" {
		if _, err := money.ParseCurrency(st.BaseCurrency); err != nil {
			return st, Invalid("base_currency", "%v", err)
		}
	}
	if st.FiscalYearStart == "" {
		st.FiscalYearStart = DefaultSettings.FiscalYearStart
	}
	if t, err := time.Parse("01-02", st.FiscalYearStart); err != nil || t.Format("01-02") != st.FiscalYearStart || st.FiscalYearStart == "02-29" {
		return st, Invalid("fiscal_year_start", "%q is not a day of the year as MM-DD (e.g. 04-01; not 02-29)", st.FiscalYearStart)
	}
	return st, nil
}

// zoneTTL is how long a server keeps a workspace's time zone before reading it again: another
// server's change of it shows within this long.
const zoneTTL = 10 * time.Second

type cachedZone struct {
	loc *time.Location
	at  time.Time
}

func (s *Service) zoneCache() *sync.Map { return &s.zones }

// zone is the time zone of the caller's workspace (UTC when it cannot be read: a day's
// difference in a default date is better than refusing the request).
func (s *Service) zone(ctx context.Context) *time.Location {
	a, ok := ActorFrom(ctx)
	if !ok {
		return time.UTC
	}
	cache := s.zoneCache()
	if c, ok := cache.Load(a.WorkspaceID); ok && time.Since(c.(cachedZone).at) < zoneTTL {
		return c.(cachedZone).loc
	}
	var st Settings
	if err := s.Store.View(ctx, a.WorkspaceID, func(tx Tx) (err error) { st, err = tx.Settings(ctx); return err }); err != nil {
		return time.UTC
	}
	loc, err := time.LoadLocation(st.TimeZone)
	if err != nil {
		loc = time.UTC
	}
	cache.Store(a.WorkspaceID, cachedZone{loc, time.Now()})
	return loc
}

// today is the caller's workspace's business day now: the date in its time zone. Use cases
// take it before they open their transaction.
func (s *Service) today(ctx context.Context) string {
	return s.Now().In(s.zone(ctx)).Format("2006-01-02")
}

// Today is the caller's workspace's business day now.
func (s *Service) Today(ctx context.Context) string { return s.today(ctx) }

// Settings are the caller's workspace's settings.
func (s *Service) Settings(ctx context.Context) (st Settings, err error) {
	err = s.read(ctx, func(tx Tx) error {
		st, err = tx.Settings(ctx)
		return err
	})
	return st, err
}

// SetSettings changes the workspace's settings (admin, audited). Errors: EInvalid, EForbidden.
func (s *Service) SetSettings(ctx context.Context, st Settings) (Settings, error) {
	st, err := st.check()
	if err != nil {
		return st, err
	}
	a, err := s.actor(ctx)
	if err != nil {
		return st, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		before, err := tx.Settings(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetSettings(ctx, st); err != nil {
			return err
		}
		c.record("settings.updated", "workspace", a.WorkspaceID, before, st)
		return nil
	})
	if err == nil {
		s.zoneCache().Delete(a.WorkspaceID)
	}
	return st, err
}

// Tolerance is the largest write-off (SPEC §6.2) an invoice in Currency may carry in total.
type Tolerance struct {
	Currency money.Currency
	Amount   money.Amount
}

// maxTolerances bounds how many currencies a workspace sets a tolerance for.
const maxTolerances = 200

// Tolerances are the caller's workspace's write-off tolerances, by currency code. A currency with
// none tolerates no write-off.
func (s *Service) Tolerances(ctx context.Context) (list []Tolerance, err error) {
	err = s.read(ctx, func(tx Tx) error {
		m, err := tx.Tolerances(ctx)
		list = sortedTolerances(m)
		return err
	})
	return list, err
}

func sortedTolerances(m map[money.Currency]money.Amount) []Tolerance {
	list := make([]Tolerance, 0, len(m))
	for c, a := range m {
		list = append(list, Tolerance{c, a})
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Currency < list[j].Currency })
	return list
}

// ToleranceInput is one currency's tolerance as received: decimal strings.
type ToleranceInput struct {
	Currency string
	Amount   string
}

// SetTolerances replaces the workspace's write-off tolerances (admin, audited): every currency
// not in list goes back to tolerating none. Errors: EInvalid (naming tolerances[i] and the
// field), EForbidden.
func (s *Service) SetTolerances(ctx context.Context, list []ToleranceInput) ([]Tolerance, error) {
	if len(list) > maxTolerances {
		return nil, Invalid("tolerances", "has more than %d currencies", maxTolerances)
	}
	m := make(map[money.Currency]money.Amount, len(list))
	for i, in := range list {
		field := fmt.Sprintf("tolerances[%d]", i)
		c, err := money.ParseCurrency(in.Currency)
		if err != nil {
			return nil, Invalid(field+".currency", "%v", err)
		}
		if _, dup := m[c]; dup {
			return nil, Invalid(field+".currency", "%s is named twice", c)
		}
		if m[c], err = money.ParseNonNegative(in.Amount, c); err != nil {
			return nil, Invalid(field+".amount", "%v", err)
		}
	}
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		before, err := tx.Tolerances(ctx)
		if err != nil {
			return err
		}
		if err := tx.SetTolerances(ctx, m); err != nil {
			return err
		}
		c.record("tolerances.updated", "workspace", a.WorkspaceID, toleranceSnapshot(before), toleranceSnapshot(m))
		return nil
	})
	return sortedTolerances(m), err
}

// SetTolerance sets one currency's tolerance, leaving the others as they are: two admins setting
// two currencies at once both keep theirs, on one server or several (a read of the list and a
// write of it back would lose one). Errors: EInvalid (naming currency or
// amount), EForbidden.
func (s *Service) SetTolerance(ctx context.Context, currency, amount string) ([]Tolerance, error) {
	c, err := money.ParseCurrency(currency)
	if err != nil {
		return nil, Invalid("currency", "%v", err)
	}
	amt, err := money.ParseNonNegative(amount, c)
	if err != nil {
		return nil, Invalid("amount", "%v", err)
	}
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	var m map[money.Currency]money.Amount
	err = s.administer(ctx, func(tx Tx, ch *changes) error {
		before, err := tx.Tolerances(ctx)
		if err != nil {
			return err
		}
		m = maps.Clone(before)
		if m == nil {
			m = map[money.Currency]money.Amount{}
		}
		m[c] = amt
		if len(m) > maxTolerances {
			return Invalid("currency", "the workspace has tolerances for %d currencies already, the most it keeps", maxTolerances)
		}
		if err := tx.SetTolerance(ctx, c, amt); err != nil {
			return err
		}
		ch.record("tolerances.updated", "workspace", a.WorkspaceID, toleranceSnapshot(before), toleranceSnapshot(m))
		return nil
	})
	return sortedTolerances(m), err
}

// toleranceSnapshot is how tolerances appear in the audit trail: currency → decimal string.
func toleranceSnapshot(m map[money.Currency]money.Amount) map[string]string {
	out := make(map[string]string, len(m))
	for c, a := range m {
		out[string(c)] = money.Format(a, c)
	}
	return out
}
