package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Amounts of the credit workload, in EUR cents: money is counted exactly, never in floats.
const (
	creditReserve int64 = 100            // reserved by each pair
	creditCapture int64 = 60             // captured of it; the rest goes back to the customer
	creditLimit   int64 = 10_000_000_000 // each customer's: no run of --duration can use it up
)

// maxCreditChecked bounds how many customers the credit workload reads back to check.
const maxCreditChecked = 50

// creditTally is what the clients were told about one customer. Clients share customers, so its
// fields are atomic.
type creditTally struct {
	captured atomic.Int64 // cents captured with a 200
	open     atomic.Int64 // cents reserved whose capture was refused: the server still holds them
	unknown  atomic.Bool  // a reserve or capture got a 5xx or no answer: it may have happened
}

// credit measures what a rating engine does on every chargeable call: reserve 1.00 EUR of a
// prepaid customer's usable credit, then capture 0.60 of it. Each client picks a customer at
// random from --credit-orgs for every pair; with 1, every client contends for the same customer's
// credit lock. Setup creates the customers (billed in EUR) and makes each prepaid with a credit
// limit no run can exhaust, so that a refusal with 409 insufficient_credit is counted, not
// expected.
//
// Correct means: no 5xx; every customer read back (all of them up to 50, else 50 spread over
// the list) has usable credit of at least 0, usable = balance − reserved + credit limit, a balance
// of exactly minus what the clients were told was captured, and reserved exactly what they hold
// open.
func (b *bench) credit(ctx context.Context) (*result, error) {
	clients, n := b.cfg.clients, b.cfg.creditOrgs
	orgs, err := b.seedCredit(ctx, n)
	if err != nil {
		return nil, err
	}

	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	tallies := make([]creditTally, n)
	// Written only by their own client, read after the run.
	pairs := make([]*histogram, clients)
	insufficient := make([]int, clients)
	rngs := make([]*rand.Rand, clients)
	for i := range clients {
		pairs[i], rngs[i] = newHistogram(), rand.New(rand.NewPCG(uint64(i), 0xc4ed17))
	}
	// A reservation left open by a refused capture must still be open when the check reads it.
	expiresIn := max(600, int((b.cfg.duration + 5*time.Minute).Seconds()))
	captureBody := fmt.Appendf(nil, `{"amount":%q}`, cents(creditCapture))
	elapsed, rec, err := b.measure(ctx, "credit", b.newClients(clients), func(ctx context.Context, c *client) error {
		k := rngs[c.id].IntN(n)
		t := &tallies[k]
		c.seq++
		start := time.Now()
		body := fmt.Appendf(nil, `{"amount":%q,"currency":"EUR","reference":"CR-%s-%d-%d","expires_in":%d}`,
			cents(creditReserve), b.tag, c.id, c.seq, expiresIn)
		r := c.do(ctx, "reserve", http.MethodPost, b.cfg.url+"/v1/organizations/"+orgs[k]+"/reservations", body, true)
		switch {
		case r.status == http.StatusCreated:
		case r.status == 0 || r.status >= 500:
			t.unknown.Store(true) // counted as a failure by the verdict
			return nil
		case r.status == http.StatusConflict && problemCode(r.body) == "insufficient_credit":
			insufficient[c.id]++
			return nil
		default:
			fail("reserving for %s: status %d: %s", orgs[k], r.status, truncate(r.body, 200))
			return errDone
		}
		var rsv struct {
			ID     string `json:"id"`
			Amount string `json:"amount"`
			Status string `json:"status"`
		}
		if err := json.Unmarshal(r.body, &rsv); err != nil || rsv.ID == "" || rsv.Amount != cents(creditReserve) || rsv.Status != "open" {
			t.open.Add(creditReserve) // reserved, but with no id the client cannot capture it
			fail("reserving for %s: an answer that is not an open reservation of %s: %s", orgs[k], cents(creditReserve), truncate(r.body, 200))
			return errDone
		}
		r = c.do(ctx, "capture", http.MethodPost, b.cfg.url+"/v1/reservations/"+rsv.ID+"/capture", captureBody, true)
		switch {
		case r.status == http.StatusOK:
		case r.status == 0 || r.status >= 500:
			t.unknown.Store(true)
			return nil
		default:
			t.open.Add(creditReserve)
			fail("capturing %s: status %d: %s", rsv.ID, r.status, truncate(r.body, 200))
			return errDone
		}
		t.captured.Add(creditCapture)
		pairs[c.id].add(time.Since(start))
		var got struct {
			Captured string `json:"captured"`
			Status   string `json:"status"`
		}
		if err := json.Unmarshal(r.body, &got); err != nil || got.Captured != cents(creditCapture) || got.Status != "captured" {
			fail("capturing %s: an answer that is not a capture of %s: %s", rsv.ID, cents(creditCapture), truncate(r.body, 200))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	over := fmt.Sprintf("%d prepaid customers picked at random", n)
	if n == 1 {
		over = "one prepaid customer"
	}
	res := b.newResult("credit", fmt.Sprintf("POST /v1/organizations/{id}/reservations of %s EUR, then POST /v1/reservations/{id}/capture of %s; "+
		"%s, credit limit %s EUR each%s", cents(creditReserve), cents(creditCapture), over, cents(creditLimit), b.keyNote()), elapsed, rec, "reserve", "capture")
	for _, f := range failures {
		res.fail("%s", f)
	}

	// A pair is a reserve and its capture both acknowledged: what a rating engine gets done.
	pair := newHistogram()
	refused := 0
	for i := range clients {
		pair.merge(pairs[i])
		refused += insufficient[i]
	}
	secs := elapsed.Seconds()
	res.extra = append(res.extra, fmt.Sprintf("op=pairs clients=%d seconds=%.2f n=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f insufficient_credit=%d customers=%d",
		clients, secs, pair.n, float64(pair.n)/secs, msf(pair.percentile(0.50)), msf(pair.percentile(0.90)), msf(pair.percentile(0.99)), msf(pair.max), refused, n))
	res.notes = append(res.notes, fmt.Sprintf("%d pairs (reserve + capture) acknowledged, %.1f/s, p99 %s each; %d reserves refused insufficient_credit",
		pair.n, float64(pair.n)/secs, ms(pair.percentile(0.99)), refused))
	b.checkCredit(ctx, res, orgs, tallies)
	return res, nil
}

// seedCredit creates n customers billed in EUR and makes each prepaid with a credit limit of
// creditLimit, no automatic top-up (its invoices would be other writes in the measured run).
func (b *bench) seedCredit(ctx context.Context, n int) ([]string, error) {
	start := time.Now()
	orgs, err := b.createOrgsIn(ctx, n, "EUR")
	if err != nil {
		return nil, err
	}
	settings := map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"EUR": cents(creditLimit)},
		"auto_top_up": map[string]bool{"enabled": false}}
	if _, err := b.parallel(ctx, "seed credit settings", n, seedTimeLimit, func(ctx context.Context, c *client, i int) error {
		return c.call(ctx, "seed", http.MethodPut, "/v1/organizations/"+orgs[i]+"/settings", settings, http.StatusOK, nil)
	}); err != nil {
		return nil, err
	}
	fmt.Fprintf(b.log, "seeded %d prepaid customers as run %s in %s\n", n, b.tag, time.Since(start).Round(time.Millisecond))
	return orgs, nil
}

// checkCredit reads back the EUR credit of the customers (all up to maxCreditChecked, else that
// many spread over the list) and fails res where it is not what the clients were told.
func (b *bench) checkCredit(ctx context.Context, res *result, orgs []string, tallies []creditTally) {
	n := len(orgs)
	checked := min(n, maxCreditChecked)
	c := b.newClients(1)[0]
	unsure := 0
	for j := range checked {
		k := j * n / checked
		id, t := orgs[k], &tallies[k]
		var credit struct {
			Credit []struct {
				Currency    string `json:"currency"`
				Balance     string `json:"balance"`
				Reserved    string `json:"reserved"`
				CreditLimit string `json:"credit_limit"`
				Usable      string `json:"usable"`
			} `json:"credit"`
		}
		if err := c.call(ctx, "check", http.MethodGet, "/v1/organizations/"+id+"/credit", nil, http.StatusOK, &credit); err != nil {
			res.fail("reading the credit of %s: %v", id, err)
			continue
		}
		found := false
		for _, f := range credit.Credit {
			if f.Currency != "EUR" {
				continue
			}
			found = true
			balance, ok1 := exactCents(f.Balance)
			reserved, ok2 := exactCents(f.Reserved)
			limit, ok3 := exactCents(f.CreditLimit)
			usable, ok4 := exactCents(f.Usable)
			switch {
			case !ok1 || !ok2 || !ok3 || !ok4:
				res.fail("%s: EUR credit figures that are not amounts of cents: %+v", id, f)
			case usable < 0:
				res.fail("%s: usable EUR credit %s, below zero", id, f.Usable)
			case usable != balance-reserved+limit:
				res.fail("%s: usable %s is not balance %s − reserved %s + credit limit %s", id, f.Usable, f.Balance, f.Reserved, f.CreditLimit)
			case limit != creditLimit:
				res.fail("%s: credit limit %s EUR, but %s was set", id, f.CreditLimit, cents(creditLimit))
			case t.unknown.Load():
				unsure++ // the verdict fails the run for the 5xx or transport error already
			case balance != -t.captured.Load():
				res.fail("%s: balance %s EUR, but the clients were told %s was captured", id, f.Balance, cents(t.captured.Load()))
			case reserved != t.open.Load():
				res.fail("%s: %s EUR reserved, but the clients hold %s open", id, f.Reserved, cents(t.open.Load()))
			}
		}
		if !found {
			res.fail("%s: no EUR credit figures, though a EUR credit limit was set", id)
		}
	}
	note := fmt.Sprintf("read back the credit of %d of %d customers: usable ≥ 0 and = balance − reserved + limit; balance = −captured, reserved = held open", checked, n)
	if unsure > 0 {
		note += fmt.Sprintf(" (not for %d with a 5xx or unanswered request, whose outcome is unknown)", unsure)
	}
	res.notes = append(res.notes, note)
}

// problemCode is the code of an application/problem+json answer ("" when it has none).
func problemCode(body []byte) string {
	var p struct {
		Code string `json:"code"`
	}
	_ = json.Unmarshal(body, &p)
	return p.Code
}

// exactCents parses an amount of exactly two fraction digits, with an optional minus sign, into
// cents; unlike centsOf it tells a malformed amount from -0.01.
func exactCents(s string) (int64, bool) {
	neg := strings.HasPrefix(s, "-")
	whole, frac, ok := strings.Cut(strings.TrimPrefix(s, "-"), ".")
	if !ok || len(frac) != 2 || whole == "" || strings.ContainsAny(whole+frac, "+-") {
		return 0, false
	}
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return 0, false
	}
	if neg {
		n = -n
	}
	return n, true
}
