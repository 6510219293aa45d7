package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"finapp"
	"finapp/money"
)

// settingsFields are the settings form's fields, named as the domain's errors name them.
var settingsFields = []string{"time_zone", "base_currency", "fiscal_year_start", "levels"}

// settingsView is Admin → Settings: the workspace's time zone, base currency, fiscal year start
// and reminder levels, as stored or as typed when refused.
type settingsView struct {
	Values     url.Values
	Today      string
	LockDate   string     // the books are closed through it; "" for none
	Period     url.Values // the period forms as typed when refused
	Tolerances []finapp.Tolerance
}

func (d *settingsView) Get(k string) string { return d.Values.Get(k) }

func (s *server) settings(w http.ResponseWriter, r *http.Request, p *page) {
	st, err := s.svc.Settings(r.Context())
	if err != nil {
		s.fail(w, p, err)
		return
	}
	levels, err := s.svc.ReminderLevels(r.Context())
	if err != nil {
		s.fail(w, p, err)
		return
	}
	s.showSettings(w, r, p, http.StatusOK, url.Values{"time_zone": {st.TimeZone}, "base_currency": {st.BaseCurrency},
		"fiscal_year_start": {st.FiscalYearStart}, "levels": {levelsText(levels)}})
}

func (s *server) showSettings(w http.ResponseWriter, r *http.Request, p *page, status int, v url.Values) {
	s.showSettingsWith(w, r, p, status, v, url.Values{})
}

// showSettingsWith shows the page with the settings form's values v and the period forms'.
func (s *server) showSettingsWith(w http.ResponseWriter, r *http.Request, p *page, status int, v, period url.Values) {
	lock, err := s.svc.Period(r.Context())
	if err != nil {
		s.fail(w, p, err)
		return
	}
	tolerances, err := s.svc.Tolerances(r.Context())
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav = "Settings", "settings"
	p.Data = &settingsView{Values: v, Today: s.svc.Today(r.Context()), LockDate: lock.LockDate, Period: period, Tolerances: tolerances}
	s.render(w, status, "admin_settings", p)
}

// periodFields are the period forms' fields.
var periodFields = []string{"through", "reopen_through", "reason"}

// closePeriod closes the books through the date typed (Admin → Settings, "Period close").
func (s *server) closePeriod(w http.ResponseWriter, r *http.Request, p *page) {
	form := url.Values{"through": {strings.TrimSpace(r.PostForm.Get("through"))}}
	if _, err := s.svc.ClosePeriod(r.Context(), form.Get("through")); err != nil {
		s.refuseSetting(w, r, p, err, form, periodFields...)
		return
	}
	redirect(w, r, "/admin/settings", "period-closed")
}

// reopenPeriod moves the lock date back (or clears it), for the reason typed.
func (s *server) reopenPeriod(w http.ResponseWriter, r *http.Request, p *page) {
	form := url.Values{"reopen_through": {strings.TrimSpace(r.PostForm.Get("through"))}, "reason": {r.PostForm.Get("reason")}}
	if _, err := s.svc.ReopenPeriod(r.Context(), form.Get("reopen_through"), form.Get("reason")); err != nil {
		var e *finapp.Error
		if errors.As(err, &e) && e.Field == "through" { // the reopen form's own date field
			err = &finapp.Error{Code: e.Code, Field: "reopen_through", Message: e.Message}
		}
		s.refuseSetting(w, r, p, err, form, periodFields...)
		return
	}
	redirect(w, r, "/admin/settings", "period-reopened")
}

// setTolerance sets the write-off tolerance of the currency typed, keeping the others.
func (s *server) setTolerance(w http.ResponseWriter, r *http.Request, p *page) {
	cur := strings.ToUpper(strings.TrimSpace(r.PostForm.Get("tolerance_currency")))
	_, err := s.svc.SetTolerance(r.Context(), cur, money.Ungroup(strings.TrimSpace(r.PostForm.Get("tolerance_amount"))))
	var e *finapp.Error
	if errors.As(err, &e) && e.Field != "" {
		// The form's fields are named as the page does.
		err = &finapp.Error{Code: e.Code, Field: "tolerance_" + e.Field, Message: e.Message}
	}
	if err != nil {
		s.refuseSetting(w, r, p, err, r.PostForm, "tolerance_currency", "tolerance_amount")
		return
	}
	redirect(w, r, "/admin/settings", "tolerance-set")
}

// refuseSetting shows the settings page again with a form's refusal next to its field (one of
// fields), and that form as typed.
func (s *server) refuseSetting(w http.ResponseWriter, r *http.Request, p *page, err error, form url.Values, fields ...string) {
	status := s.refusal(p, err, fields...)
	st, serr := s.svc.Settings(r.Context())
	levels, lerr := s.svc.ReminderLevels(r.Context())
	if serr != nil || lerr != nil {
		s.fail(w, p, errors.Join(serr, lerr))
		return
	}
	s.showSettingsWith(w, r, p, status, url.Values{"time_zone": {st.TimeZone}, "base_currency": {st.BaseCurrency},
		"fiscal_year_start": {st.FiscalYearStart}, "levels": {levelsText(levels)}}, form)
}

func levelsText(levels []int) string {
	parts := make([]string, len(levels))
	for i, l := range levels {
		parts[i] = strconv.Itoa(l)
	}
	return strings.Join(parts, ", ")
}

func (s *server) saveSettings(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	form := url.Values{}
	for _, f := range settingsFields {
		form.Set(f, strings.TrimSpace(v.Get(f)))
	}
	var levels []int
	var err error
	for part := range strings.SplitSeq(form.Get("levels"), ",") {
		n, convErr := strconv.Atoi(strings.TrimSpace(part))
		if convErr != nil {
			err = finapp.Invalid("levels", "must be whole numbers of days separated by commas, e.g. 7, 14, 30")
			break
		}
		levels = append(levels, n)
	}
	if err == nil {
		// Both are checked before either is saved, so that a refusal changes nothing.
		_, err = finapp.CheckReminderLevels(levels)
	}
	if err == nil {
		_, err = s.svc.SetSettings(r.Context(), finapp.Settings{TimeZone: form.Get("time_zone"), BaseCurrency: form.Get("base_currency"),
			FiscalYearStart: form.Get("fiscal_year_start")})
	}
	if err == nil {
		_, err = s.svc.SetReminderLevels(r.Context(), levels)
	}
	if err != nil {
		status := s.refusal(p, err, settingsFields...)
		s.showSettings(w, r, p, status, form)
		return
	}
	redirect(w, r, "/admin/settings", "settings-saved")
}
