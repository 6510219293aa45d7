package finapp

import (
	"testing"
	"time"
)

// The retry schedule: about 5 s, 30 s, 2 min, 10 min … after each failure, never more than a
// tenth off, the last delay repeating, and no attempt later than three days after the first.
func TestNextWebhookAttempt_Schedule(t *testing.T) {
	first := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		attempts int
		sinceFirst,
		want time.Duration
		giveUp bool
	}{
		{1, 0, 5 * time.Second, false},
		{2, 5 * time.Second, 30 * time.Second, false},
		{3, 35 * time.Second, 2 * time.Minute, false},
		{4, 3 * time.Minute, 10 * time.Minute, false},
		{10, 20 * time.Hour, 12 * time.Hour, false},
		{14, 50 * time.Hour, 12 * time.Hour, false},
		{15, 62 * time.Hour, 12 * time.Hour, true}, // would land past 72 h
	} {
		now := first.Add(c.sinceFirst)
		for _, id := range []string{"whd_a", "whd_b", "whd_c"} {
			next, giveUp := nextWebhookAttempt(id, c.attempts, first, now)
			if giveUp != c.giveUp {
				t.Errorf("attempt %d of %s: give up %v, want %v", c.attempts, id, giveUp, c.giveUp)
				continue
			}
			if giveUp {
				continue
			}
			if d := next.Sub(now); d < c.want*9/10 || d > c.want*11/10 {
				t.Errorf("after attempt %d of %s: next in %s, want %s ± 10 %%", c.attempts, id, d, c.want)
			}
			if again, _ := nextWebhookAttempt(id, c.attempts, first, now); !again.Equal(next) {
				t.Errorf("the schedule of %s is not reproducible", id)
			}
		}
	}
}

func TestWebhookEndpoint_SecretsAndTypes(t *testing.T) {
	now := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	until := now.Add(time.Hour)
	e := &WebhookEndpoint{Secret: "new", PreviousSecret: "old", PreviousSecretUntil: &until, Events: []string{EventInvoicePaid}}
	if got := e.Secrets(now); len(got) != 2 || got[0] != "new" || got[1] != "old" {
		t.Errorf("during the grace period: %v", got)
	}
	if got := e.Secrets(until); len(got) != 1 || got[0] != "new" {
		t.Errorf("after it: %v", got)
	}
	if !e.Wants(EventInvoicePaid) || e.Wants(EventPaymentRecorded) {
		t.Error("Wants follows the endpoint's list")
	}
	if all := (&WebhookEndpoint{Events: []string{"*"}}); !all.Wants("a.type.added.later") {
		t.Error(`"*" wants every type`)
	}
	for _, c := range []struct {
		events []string
		ok     bool
	}{
		{[]string{"*"}, true}, {[]string{EventInvoicePaid, EventInvoicePaid}, true},
		{nil, false}, {[]string{"*", EventInvoicePaid}, false}, {[]string{"invoice.exploded"}, false},
	} {
		if _, err := checkWebhookEvents(c.events); (err == nil) != c.ok {
			t.Errorf("checkWebhookEvents(%q) = %v, want ok=%v", c.events, err, c.ok)
		}
	}
	if s := NewWebhookSecret(); len(s) != len("whsec_")+44 || s == NewWebhookSecret() {
		t.Errorf("secret %q", s)
	}
}

func TestPrintable(t *testing.T) {
	for in, want := range map[string]string{
		"ok":                     "ok",
		"line\nbreak\ttab":       "line break tab",
		"bad \xff byte":          "bad   byte",
		"nul\x00del\x7fc1\u0085": "nul del c1",
		"  trimmed  ":            "trimmed",
	} {
		if got := printable(in, 100); got != want {
			t.Errorf("printable(%q) = %q, want %q", in, got, want)
		}
		if err := CheckText("x", printable(in, 100), false); err != nil {
			t.Errorf("printable(%q) breaks the text rule: %v", in, err)
		}
	}
	if got := printable("日本語テキスト", 3); got != "日本語" {
		t.Errorf("cut to 3 characters: %q", got)
	}
}
