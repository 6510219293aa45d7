package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// searchKinds are the searches the invoice picker makes: by organization name (q), by exact
// number, by an issued-date week, and by name and an issued-date month together.
var searchKinds = []string{"name", "number", "issued", "name_issued"}

// search measures the invoice picker's searches (GET /v1/invoices) over seeded organizations and
// invoices, taking turns at the kinds --queries names. A number search must find exactly that
// invoice.
func (b *bench) search(ctx context.Context) (*result, error) {
	nOrg, nInv := b.cfg.seedOrgs, b.cfg.seedInvoices
	if nOrg == 0 {
		nOrg = 2000
	}
	if nInv == 0 {
		nInv = 20_000
	}
	if b.cfg.skipSeed {
		fmt.Fprintf(b.log, "searching what run %s seeded: %d organizations, %d invoices\n", b.tag, nOrg, nInv)
	} else if err := b.seedSearch(ctx, nOrg, nInv); err != nil {
		return nil, err
	}

	var mu sync.Mutex
	var failures []string
	base := b.cfg.url + "/v1/invoices?"
	kinds := strings.Split(b.cfg.queries, ",")
	elapsed, rec, err := b.measure(ctx, "search", b.newClients(b.cfg.clients), func(ctx context.Context, c *client) error {
		rng := rand.New(rand.NewPCG(uint64(c.id), uint64(c.seq)))
		kind := kinds[(c.id+c.seq)%len(kinds)]
		c.seq++
		q := url.Values{}
		org, day := rng.IntN(nOrg), seedDay(rng.IntN(nInv))
		switch kind {
		case "name":
			q.Set("q", fmt.Sprintf("%s Org %06d", b.tag, org))
		case "number":
			q.Set("number", b.invoiceNumber(rng.IntN(nInv)))
		case "issued":
			q.Set("issued_from", day.Format("2006-01-02"))
			q.Set("issued_to", day.AddDate(0, 0, 6).Format("2006-01-02"))
		case "name_issued":
			q.Set("q", fmt.Sprintf("%s Org %06d", b.tag, org))
			q.Set("issued_from", day.AddDate(0, 0, -15).Format("2006-01-02"))
			q.Set("issued_to", day.AddDate(0, 0, 15).Format("2006-01-02"))
		}
		r := c.do(ctx, "search_"+kind, http.MethodGet, base+q.Encode(), nil, false)
		if kind == "number" && r.status == http.StatusOK {
			var list struct {
				Data []struct {
					Number string `json:"number"`
				} `json:"data"`
			}
			if err := json.Unmarshal(r.body, &list); err != nil || len(list.Data) != 1 || list.Data[0].Number != q.Get("number") {
				mu.Lock()
				if len(failures) < 20 {
					failures = append(failures, fmt.Sprintf("number=%s found %d invoices, want exactly that one", q.Get("number"), len(list.Data)))
				}
				mu.Unlock()
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	res := b.newResult("search", fmt.Sprintf("GET /v1/invoices over %d organizations and %d invoices seeded as run %s (50 a page)", nOrg, nInv, b.tag),
		elapsed, rec, "search_name", "search_number", "search_issued", "search_name_issued")
	for _, f := range failures {
		res.fail("%s", f)
	}
	return res, nil
}

// seedSearch creates nOrg organizations and nInv invoices spread over them and over three years.
func (b *bench) seedSearch(ctx context.Context, nOrg, nInv int) error {
	start := time.Now()
	orgs, err := b.createOrgs(ctx, nOrg)
	if err != nil {
		return err
	}
	if _, err := b.createInvoices(ctx, nInv, func(i int) invoiceSpec {
		day := seedDay(i)
		return invoiceSpec{Number: b.invoiceNumber(i), OrganizationID: orgs[i%nOrg], Total: cents(10_000 + int64(i*37)%90_000),
			IssuedOn: day.Format("2006-01-02"), DueOn: day.AddDate(0, 0, 30).Format("2006-01-02")}
	}); err != nil {
		return err
	}
	fmt.Fprintf(b.log, "seeded %d organizations and %d invoices as run %s in %s\n", nOrg, nInv, b.tag, time.Since(start).Round(time.Second))
	return nil
}
