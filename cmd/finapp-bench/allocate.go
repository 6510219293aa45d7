package main

import (
	"context"
	"fmt"
	"net/http"
	"sync/atomic"
)

// maxChecked bounds how many invoices a workload reads back to check.
const maxChecked = 5000

// invoicePair is two invoices of one organization that one client allocates to.
type invoicePair struct {
	org  string
	a, b int // invoice indexes
}

// allocate measures Assign & Allocate with no hot spot: each request takes a fresh unassigned
// payment of 2.00 and, in one POST …/allocations, assigns it to an organization and allocates
// 1.00 to each of two of that organization's invoices. Every client has invoices of its own, so
// no two requests contend for a row. Setup creates the organizations and invoices, then records
// the fresh payments (for at most --duration, at most --pool of them). Afterwards every invoice
// is read back: its amount paid must be exactly what the acknowledged allocations put on it.
func (b *bench) allocate(ctx context.Context) (*result, error) {
	clients := b.cfg.clients
	var notes []string
	nInv := b.cfg.seedInvoices
	if nInv == 0 {
		nInv = 8 * clients
	}
	if nInv < 2*clients {
		notes = append(notes, fmt.Sprintf("--seed-invoices raised from %d to %d: every client needs two invoices of its own", nInv, 2*clients))
		nInv = 2 * clients
	}
	nOrg := b.cfg.seedOrgs
	if nOrg == 0 {
		nOrg = 2 * clients
	}
	if nOrg > nInv/2 {
		notes = append(notes, fmt.Sprintf("--seed-orgs lowered from %d to %d: each organization needs two invoices", nOrg, nInv/2))
		nOrg = nInv / 2
	}
	orgs, err := b.createOrgs(ctx, nOrg)
	if err != nil {
		return nil, err
	}
	invoices, err := b.createInvoices(ctx, nInv, func(i int) invoiceSpec {
		day := seedDay(i)
		return invoiceSpec{Number: b.invoiceNumber(i), OrganizationID: orgs[i%nOrg], Total: "1000000.00",
			IssuedOn: day.Format("2006-01-02"), DueOn: day.AddDate(0, 0, 30).Format("2006-01-02")}
	})
	if err != nil {
		return nil, err
	}

	// Pair each organization's invoices and deal the pairs out to the clients.
	byOrg := make([][]int, nOrg)
	for i := range nInv {
		byOrg[i%nOrg] = append(byOrg[i%nOrg], i)
	}
	mine := make([][]invoicePair, clients)
	n := 0
	for o, list := range byOrg {
		for k := 0; k+1 < len(list); k += 2 {
			mine[n%clients] = append(mine[n%clients], invoicePair{org: orgs[o], a: list[k], b: list[k+1]})
			n++
		}
	}
	if n < clients {
		return nil, fmt.Errorf("%d invoices over %d organizations make only %d pairs of one organization's invoices, fewer than %d clients: raise --seed-invoices", nInv, nOrg, n, clients)
	}

	pool, err := b.recordPayments(ctx, "record fresh payments", b.cfg.pool, b.cfg.duration, func(i int) map[string]string {
		return map[string]string{"amount": "2.00", "currency": "SGD", "method": "bank_transfer", "reference": fmt.Sprintf("ALLOC-%s-%d", b.tag, i)}
	})
	if err != nil {
		return nil, err
	}

	paid := make([]int, nInv) // acknowledged allocations per invoice; each only ever written by its pair's client
	var next atomic.Int64
	var dry atomic.Bool
	elapsed, rec, err := b.measure(ctx, "allocate", b.newClients(clients), func(ctx context.Context, c *client) error {
		i := next.Add(1) - 1
		if i >= int64(len(pool)) {
			dry.Store(true)
			return errDone
		}
		p := mine[c.id][c.seq%len(mine[c.id])]
		c.seq++
		body := fmt.Appendf(nil, `{"organization_id":%q,"allocations":[{"invoice_id":%q,"amount":"1.00"},{"invoice_id":%q,"amount":"1.00"}]}`,
			p.org, invoices[p.a], invoices[p.b])
		if r := c.do(ctx, "allocate", http.MethodPost, b.cfg.url+"/v1/payments/"+pool[i]+"/allocations", body, true); r.status/100 == 2 {
			paid[p.a]++
			paid[p.b]++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := b.newResult("allocate", fmt.Sprintf("POST /v1/payments/{id}/allocations, organization_id + 2 lines of 1.00; %d organizations, %d invoices, %d fresh payments%s",
		nOrg, nInv, len(pool), b.keyNote()), elapsed, rec, "allocate")
	res.notes = append(res.notes, notes...)
	if dry.Load() {
		res.notes = append(res.notes, fmt.Sprintf("the %d fresh payments ran out before --duration: req/s is over the %.1fs the clients ran", len(pool), elapsed.Seconds()))
	}
	b.checkPaid(ctx, res, invoices, paid)
	return res, nil
}

// checkPaid reads invoices back (at most maxChecked) and fails res for any whose amount paid is
// not the 1.00 × paid[i] that acknowledged allocations put on it.
func (b *bench) checkPaid(ctx context.Context, res *result, invoices []string, paid []int) {
	n := min(len(invoices), maxChecked)
	bad := make([]string, n)
	_, err := b.parallel(ctx, "check invoices", n, seedTimeLimit, func(ctx context.Context, c *client, i int) error {
		var inv struct {
			AmountPaid string `json:"amount_paid"`
		}
		if err := c.call(ctx, "check", http.MethodGet, "/v1/invoices/"+invoices[i], nil, http.StatusOK, &inv); err != nil {
			return err
		}
		if want := fmt.Sprintf("%d.00", paid[i]); inv.AmountPaid != want {
			bad[i] = fmt.Sprintf("invoice %s: amount_paid %s, but %s was acknowledged", invoices[i], inv.AmountPaid, want)
		}
		return nil
	})
	if err != nil {
		res.fail("reading invoices back: %v", err)
		return
	}
	for _, s := range bad {
		if s != "" {
			res.fail("%s", s)
		}
	}
	res.notes = append(res.notes, fmt.Sprintf("read back %d invoices: amount paid checked against the acknowledged allocations", n))
}
