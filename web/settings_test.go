package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// Admin → Settings: a refused value is shown next to its field and changes nothing (not even the
// other, valid ones); saved settings show again, with today in the new time zone.
func TestAdminSettings_SaveAndRefuse(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	status, body, _ := b.do("GET", "/admin/settings", nil)
	if status != http.StatusOK || !strings.Contains(body, `value="UTC"`) || !strings.Contains(body, `value="7, 14, 30"`) {
		t.Fatalf("settings page: %d\n%s", status, body)
	}
	status, body, _ = b.do("POST", "/admin/settings", url.Values{"time_zone": {"Asia/Singapore"}, "fiscal_year_start": {"04-01"}, "levels": {"7, 7"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="levels-error"`) || !strings.Contains(body, `value="Asia/Singapore"`) {
		t.Fatalf("levels twice: %d\n%s", status, body)
	}
	status, body, _ = b.do("POST", "/admin/settings", url.Values{"time_zone": {"Mars/Olympus"}, "levels": {"7"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="time_zone-error"`) {
		t.Fatalf("unknown zone: %d\n%s", status, body)
	}
	if _, body, _ = b.do("GET", "/admin/settings", nil); !strings.Contains(body, `value="UTC"`) || !strings.Contains(body, `value="7, 14, 30"`) {
		t.Fatalf("a refused form changed the settings:\n%s", body)
	}
	status, _, loc := b.do("POST", "/admin/settings", url.Values{"time_zone": {"Asia/Singapore"}, "base_currency": {"SGD"}, "fiscal_year_start": {"04-01"}, "levels": {"10, 5"}})
	if status != http.StatusSeeOther || loc != "/admin/settings?done=settings-saved" {
		t.Fatalf("save: %d to %q", status, loc)
	}
	_, body, _ = b.do("GET", loc, nil)
	for _, want := range []string{"Settings saved.", `value="Asia/Singapore"`, `value="SGD"`, `value="04-01"`, `value="5, 10"`} {
		if !strings.Contains(body, want) {
			t.Errorf("after saving, no %q", want)
		}
	}
	if status, _, _ := w.login(testEmail).do("GET", "/admin/settings", nil); status != http.StatusForbidden {
		t.Errorf("finance on the settings page: %d", status)
	}
}

// Admin → Settings → Period close: the lock date shows; a refused close or reopen is named next
// to its field and changes nothing; a reopen needs a reason.
func TestAdminSettings_PeriodClose(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	if _, body, _ := b.do("GET", "/admin/settings", nil); !strings.Contains(body, "No period is closed.") || strings.Contains(body, `id="reopen-period-form"`) {
		t.Fatalf("settings page before a close:\n%s", body)
	}
	status, body, _ := b.do("POST", "/admin/period/close", url.Values{"through": {"2999-01-31"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="through-error"`) || !strings.Contains(body, "after today") ||
		!strings.Contains(body, `value="2999-01-31"`) {
		t.Fatalf("a close in the future: %d\n%s", status, body)
	}
	status, _, loc := b.do("POST", "/admin/period/close", url.Values{"through": {"2026-01-31"}})
	if status != http.StatusSeeOther || loc != "/admin/settings?done=period-closed" {
		t.Fatalf("close: %d to %q", status, loc)
	}
	if _, body, _ = b.do("GET", loc, nil); !strings.Contains(body, "The books are closed through <strong>2026-01-31</strong>") || !strings.Contains(body, "Period closed.") {
		t.Fatalf("after the close:\n%s", body)
	}
	status, body, _ = b.do("POST", "/admin/period/reopen", url.Values{"through": {"2026-01-15"}, "reason": {" "}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reason-error"`) || !strings.Contains(body, `value="2026-01-15"`) {
		t.Fatalf("a reopen without a reason: %d\n%s", status, body)
	}
	status, body, _ = b.do("POST", "/admin/period/reopen", url.Values{"through": {"2026-02-15"}, "reason": {"fee missed"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="reopen_through-error"`) {
		t.Fatalf("a reopen to a later day: %d\n%s", status, body)
	}
	status, _, loc = b.do("POST", "/admin/period/reopen", url.Values{"through": {""}, "reason": {"a bank fee was missed"}})
	if status != http.StatusSeeOther || loc != "/admin/settings?done=period-reopened" {
		t.Fatalf("reopen: %d to %q", status, loc)
	}
	if _, body, _ = b.do("GET", loc, nil); !strings.Contains(body, "No period is closed.") {
		t.Fatalf("after reopening:\n%s", body)
	}
	if status, _, _ := w.login(testEmail).do("POST", "/admin/period/close", url.Values{"through": {"2026-01-31"}}); status != http.StatusForbidden {
		t.Errorf("finance closing a period: %d", status)
	}
}

// Admin → Settings → Write-off tolerances: one currency is set at a time, the others kept; a bad
// value is refused and changes nothing; finance users cannot set them.
func TestAdminSettings_Tolerances(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	if _, body, _ := b.do("GET", "/admin/settings", nil); !strings.Contains(body, "None: no write-off is allowed.") {
		t.Fatalf("settings page before any tolerance:\n%s", body)
	}
	for _, v := range []url.Values{{"tolerance_currency": {"SGD"}, "tolerance_amount": {"0.001"}}, {"tolerance_currency": {"XX"}, "tolerance_amount": {"1"}}} {
		if status, body, _ := b.do("POST", "/admin/settings/tolerance", v); status != http.StatusUnprocessableEntity || !strings.Contains(body, `class="field-error" id="tolerance_`) {
			t.Fatalf("tolerance %v: %d\n%s", v, status, body)
		}
	}
	for _, v := range []url.Values{{"tolerance_currency": {"sgd"}, "tolerance_amount": {"0.05"}}, {"tolerance_currency": {"JPY"}, "tolerance_amount": {"5"}},
		{"tolerance_currency": {"SGD"}, "tolerance_amount": {"0.10"}}} {
		if status, _, loc := b.do("POST", "/admin/settings/tolerance", v); status != http.StatusSeeOther || loc != "/admin/settings?done=tolerance-set" {
			t.Fatalf("tolerance %v: %d to %q", v, status, loc)
		}
	}
	_, body, _ := b.do("GET", "/admin/settings?done=tolerance-set", nil)
	for _, want := range []string{"Write-off tolerance saved.", "<td>JPY</td><td class=\"num\">JPY 5</td>", "<td>SGD</td><td class=\"num\">SGD 0.10</td>"} {
		if !strings.Contains(body, want) {
			t.Errorf("after setting, no %q in\n%s", want, body)
		}
	}
	if status, _, _ := w.login(testEmail).do("POST", "/admin/settings/tolerance", url.Values{"tolerance_currency": {"SGD"}, "tolerance_amount": {"9"}}); status != http.StatusForbidden {
		t.Errorf("finance setting a tolerance: %d", status)
	}
}

// Admins setting tolerances of different currencies at the same time each keep theirs: the page
// sets one currency in one transaction (SetTolerance), never by reading the list and writing it
// back in two.
func TestAdminSettings_TolerancesSetAtOnceAreAllKept(t *testing.T) {
	h := newHarness(t, false)
	currencies := []string{"SGD", "USD", "EUR", "JPY", "GBP", "AUD", "HKD", "MYR"}
	var wg sync.WaitGroup
	errs := make([]error, len(currencies))
	for i, c := range currencies {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = h.svc.SetTolerance(h.ctx, c, "1")
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("setting %s: %v", currencies[i], err)
		}
	}
	list, err := h.svc.Tolerances(h.ctx)
	if err != nil || len(list) != len(currencies) {
		t.Fatalf("after %d concurrent settings the workspace has %d tolerances: %v %v", len(currencies), len(list), list, err)
	}
}
