package finapp

import (
	"context"
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
