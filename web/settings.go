package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"finapp"
)

// settingsFields are the settings form's fields, named as the domain's errors name them.
var settingsFields = []string{"time_zone", "base_currency", "fiscal_year_start", "levels"}

// settingsView is Admin → Settings: the workspace's time zone, base currency, fiscal year start
// and reminder levels, as stored or as typed when refused.
type settingsView struct {
	Values url.Values
	Today  string
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
	p.Title, p.Nav, p.Data = "Settings", "settings", &settingsView{Values: v, Today: s.svc.Today(r.Context())}
	s.render(w, status, "admin_settings", p)
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
