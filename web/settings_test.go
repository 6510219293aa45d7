package web_test

import (
	"net/http"
	"net/url"
	"strings"
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
