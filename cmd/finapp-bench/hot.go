package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// hotPayment is what the hot workload reads of a payment.
type hotPayment struct {
	Amount      string `json:"amount"`
	Allocated   string `json:"allocated"`
	Allocations []struct {
		ID         string  `json:"id"`
		Amount     string  `json:"amount"`
		ReleasedAt *string `json:"released_at"`
	} `json:"allocations"`
}

// hot measures one hot payment and one hot invoice: every client allocates a small amount of the
// payment to the invoice, then releases it, and again. The invoice (0.40 per client) and the
// payment (0.50 per client) are smaller than what the clients together ask for, so some
// allocations are refused with 409 over_allocation, as they must be. Every client's amounts are
// its own modulo the client count, which tells it which allocation in the answer is its own.
//
// Correct means: no 5xx; the payment's allocated amount never exceeds its amount in any answer;
// at the end, with every allocation released, the payment and the invoice are back to nothing
// applied, the payment lists exactly as many allocations as were acknowledged, and the
// organization's balances are untouched.
func (b *bench) hot(ctx context.Context) (*result, error) {
	clients := b.cfg.clients
	setup := b.newClients(1)[0]
	var org, inv, pay created
	if err := setup.call(ctx, "setup", http.MethodPost, "/v1/organizations", map[string]string{"name": b.tag + " Hot Org", "billing_currency": "SGD"}, http.StatusCreated, &org); err != nil {
		return nil, err
	}
	invoiceTotal, paymentAmount := cents(int64(clients)*40), cents(int64(clients)*50)
	if err := setup.call(ctx, "setup", http.MethodPost, "/v1/invoices", invoiceSpec{Number: b.invoiceNumber(0) + "-HOT", OrganizationID: org.ID, Total: invoiceTotal}, http.StatusCreated, &inv); err != nil {
		return nil, err
	}
	if err := setup.call(ctx, "setup", http.MethodPost, "/v1/payments", map[string]string{"organization_id": org.ID, "amount": paymentAmount, "currency": "SGD",
		"method": "bank_transfer", "reference": "HOT-" + b.tag}, http.StatusCreated, &pay); err != nil {
		return nil, err
	}
	payURL := b.cfg.url + "/v1/payments/" + pay.ID + "/allocations"

	var mu sync.Mutex
	var failures []string
	fail := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(failures) < 20 {
			failures = append(failures, fmt.Sprintf(format, args...))
		}
	}
	active := make([]string, clients) // each client's allocation not yet released
	made := make([]int, clients)      // acknowledged allocations per client
	elapsed, rec, err := b.measure(ctx, "hot", b.newClients(clients), func(ctx context.Context, c *client) error {
		if active[c.id] != "" {
			r := c.do(ctx, "release", http.MethodDelete, payURL+"/"+active[c.id], nil, false)
			if r.status/100 == 2 {
				active[c.id] = ""
				checkHotAnswer(r.body, fail)
			} else if r.status != 0 && r.status < 500 {
				fail("releasing %s: status %d: %s", active[c.id], r.status, truncate(r.body, 200))
				return errDone
			}
			return nil
		}
		amt := int64(c.id+1) + int64(clients)*int64(c.seq%4)
		c.seq++
		body := fmt.Appendf(nil, `{"allocations":[{"invoice_id":%q,"amount":%q}]}`, inv.ID, cents(amt))
		r := c.do(ctx, "allocate", http.MethodPost, payURL, body, true)
		if r.status/100 != 2 {
			return nil // 409 over_allocation is expected at a hot spot; 5xx are counted
		}
		made[c.id]++
		p := checkHotAnswer(r.body, fail)
		if p == nil {
			return errDone
		}
		for _, a := range p.Allocations {
			if a.ReleasedAt == nil && centsOf(a.Amount)%int64(clients) == int64(c.id+1)%int64(clients) {
				if active[c.id] != "" {
					fail("client %d has two active allocations, %s and %s", c.id, active[c.id], a.ID)
				}
				active[c.id] = a.ID
			}
		}
		if active[c.id] == "" {
			fail("client %d: its acknowledged allocation of %s is not in the answer", c.id, cents(amt))
			return errDone
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := b.newResult("hot", fmt.Sprintf("one payment of %s and one invoice of %s SGD; allocations of 0.01–%s and their releases%s",
		paymentAmount, invoiceTotal, cents(int64(clients)*4), b.keyNote()), elapsed, rec, "allocate", "release")
	for _, f := range failures {
		res.fail("%s", f)
	}

	// Release what is left, then check the books are back where they started.
	cleanup := b.newClients(1)[0]
	for _, id := range active {
		if id != "" {
			if err := cleanup.call(ctx, "cleanup", http.MethodDelete, "/v1/payments/"+pay.ID+"/allocations/"+id, nil, http.StatusOK, nil); err != nil {
				res.fail("releasing what was left: %v", err)
			}
		}
	}
	acknowledged := 0
	for _, n := range made {
		acknowledged += n
	}
	b.checkHotEnd(ctx, res, org.ID, inv.ID, pay.ID, invoiceTotal, paymentAmount, acknowledged)
	return res, nil
}

// checkHotAnswer decodes a payment answer and fails if its allocated amount exceeds its amount.
func checkHotAnswer(body []byte, fail func(string, ...any)) *hotPayment {
	var p hotPayment
	if err := json.Unmarshal(body, &p); err != nil {
		fail("decoding a payment answer: %v", err)
		return nil
	}
	if centsOf(p.Allocated) > centsOf(p.Amount) {
		fail("payment over-allocated: %s allocated of %s", p.Allocated, p.Amount)
	}
	return &p
}

// checkHotEnd reads the payment, the invoice and the organization back after every allocation
// was released.
func (b *bench) checkHotEnd(ctx context.Context, res *result, orgID, invID, payID, invoiceTotal, paymentAmount string, acknowledged int) {
	c := b.newClients(1)[0]
	r := c.do(ctx, "check", http.MethodGet, b.cfg.url+"/v1/payments/"+payID, nil, false)
	var p hotPayment
	if r.status != http.StatusOK || json.Unmarshal(r.body, &p) != nil {
		res.fail("reading the hot payment back: status %d", r.status)
		return
	}
	// The detail carries only the latest allocations; the whole history is paged.
	listed, released := 0, 0
	for cursor, pages := "", 0; pages < 100_000; pages++ {
		var page struct {
			Data []struct {
				ReleasedAt *string `json:"released_at"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		if err := c.call(ctx, "check", http.MethodGet, "/v1/payments/"+payID+"/allocations?limit=500&cursor="+cursor, nil, http.StatusOK, &page); err != nil {
			res.fail("paging the hot payment's allocations: %v", err)
			return
		}
		for _, a := range page.Data {
			listed++
			if a.ReleasedAt != nil {
				released++
			}
		}
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	switch {
	case p.Allocated != "0.00":
		res.fail("the hot payment still has %s allocated after every allocation was released", p.Allocated)
	case listed != acknowledged:
		res.fail("the hot payment's history lists %d allocations; %d were acknowledged", listed, acknowledged)
	case released != acknowledged:
		res.fail("%d of the payment's %d allocations are released; all should be", released, listed)
	}
	res.notes = append(res.notes, fmt.Sprintf("%d allocations acknowledged and released, all in the payment's history; its detail lists the latest %d (%d KB per answer)",
		acknowledged, len(p.Allocations), len(r.body)/1024))

	var inv struct {
		AmountPaid string `json:"amount_paid"`
		Status     string `json:"status"`
	}
	if err := c.call(ctx, "check", http.MethodGet, "/v1/invoices/"+invID, nil, http.StatusOK, &inv); err != nil {
		res.fail("reading the hot invoice back: %v", err)
	} else if inv.AmountPaid != "0.00" || inv.Status != "unpaid" {
		res.fail("the hot invoice is %s with %s paid; want unpaid with 0.00", inv.Status, inv.AmountPaid)
	}

	type money struct{ Amount, Currency string }
	var org struct {
		Outstanding []money `json:"outstanding"`
		Unapplied   []money `json:"unapplied"`
	}
	if err := c.call(ctx, "check", http.MethodGet, "/v1/organizations/"+orgID, nil, http.StatusOK, &org); err != nil {
		res.fail("reading the hot organization back: %v", err)
	} else if fmt.Sprint(org.Outstanding) != fmt.Sprint([]money{{invoiceTotal, "SGD"}}) || fmt.Sprint(org.Unapplied) != fmt.Sprint([]money{{paymentAmount, "SGD"}}) {
		res.fail("the organization's balances are outstanding %v, unapplied %v; want %s and %s SGD", org.Outstanding, org.Unapplied, invoiceTotal, paymentAmount)
	}
}

// cents formats a count of cents as a decimal string: 1234 → "12.34".
func cents(n int64) string { return fmt.Sprintf("%d.%02d", n/100, n%100) }

// centsOf parses a decimal string of at most two fraction digits into cents (-1 when it is not one).
func centsOf(s string) int64 {
	whole, frac, _ := strings.Cut(s, ".")
	frac = (frac + "00")[:2]
	n, err := strconv.ParseInt(whole+frac, 10, 64)
	if err != nil {
		return -1
	}
	return n
}
