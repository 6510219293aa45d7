package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestExactCents_TellsMalformedFromNegative(t *testing.T) {
	for s, want := range map[string]int64{"0.00": 0, "-0.01": -1, "-1234.60": -123460, "100000000.00": 10_000_000_000} {
		if got, ok := exactCents(s); !ok || got != want {
			t.Errorf("exactCents(%q) = %d, %v; want %d", s, got, ok, want)
		}
	}
	for _, s := range []string{"", "1", "1.0", "1.000", "-", "-.50", "--1.00", "1.-5", "+1.00", "1e3.00"} {
		if got, ok := exactCents(s); ok {
			t.Errorf("exactCents(%q) = %d, accepted", s, got)
		}
	}
}

// The check after a credit run compares what the server says with what the clients were told:
// a balance or reserved amount off by one capture fails the run, and a customer whose outcome
// is unknown is checked only for what must hold whatever happened.
func TestCheckCredit_FailsWhereTheServerDisagreesWithTheClients(t *testing.T) {
	figures := func(balance, reserved string) string {
		b, _ := exactCents(balance)
		r, _ := exactCents(reserved)
		return fmt.Sprintf(`{"credit":[{"currency":"EUR","balance":%q,"reserved":%q,"credit_limit":%q,"usable":%q}]}`,
			balance, reserved, cents(creditLimit), cents(b-r+creditLimit))
	}
	for _, c := range []struct {
		name, answer string
		captured     int64
		open         int64
		unknown      bool
		fails        string
	}{
		{"agrees", figures("-1.20", "1.00"), 120, 100, false, ""},
		{"balance off by a capture", figures("-1.80", "1.00"), 120, 100, false, "balance -1.80 EUR"},
		{"reserved not what is held open", figures("-1.20", "0.00"), 120, 100, false, "0.00 EUR reserved"},
		{"unknown outcome, balance not compared", figures("-1.80", "0.00"), 120, 100, true, ""},
		{"usable not the sum", `{"credit":[{"currency":"EUR","balance":"-0.60","reserved":"0.00","credit_limit":"100000000.00","usable":"100000000.00"}]}`, 60, 0, false, "is not balance"},
		{"no EUR figures", `{"credit":[]}`, 0, 0, false, "no EUR credit figures"},
	} {
		t.Run(c.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != "/v1/organizations/org_1/credit" {
					http.NotFound(w, r)
					return
				}
				_, _ = io.WriteString(w, c.answer)
			}))
			defer srv.Close()
			b := newBench(config{url: srv.URL, token: "t", workload: "credit", clients: 1}, io.Discard, io.Discard)
			tallies := make([]creditTally, 1)
			tallies[0].captured.Store(c.captured)
			tallies[0].open.Store(c.open)
			tallies[0].unknown.Store(c.unknown)
			res := &result{ops: newRecorder()}
			b.checkCredit(context.Background(), res, []string{"org_1"}, tallies)
			got := strings.Join(res.failures, "; ")
			if c.fails == "" && got != "" || c.fails != "" && !strings.Contains(got, c.fails) {
				t.Errorf("failures %q, want %q", got, c.fails)
			}
		})
	}
}
