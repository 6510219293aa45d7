package main

import (
	"context"
	"net/http"
)

// reports measures the two reports over whatever the server's database holds (it seeds nothing:
// point it at a database an earlier search or allocate run filled): the AR aging as of a day and
// the receipts of three years by month, in turn. Use few clients: each request reads every
// invoice or payment.
func (b *bench) reports(ctx context.Context) (*result, error) {
	aging := b.cfg.url + "/v1/reports/aging?as_of=2026-11-25"
	receipts := b.cfg.url + "/v1/reports/receipts?from=2024-01-01&to=2026-12-31&group_by=month"
	elapsed, rec, err := b.measure(ctx, "reports", b.newClients(b.cfg.clients), func(ctx context.Context, c *client) error {
		c.seq++
		if (c.id+c.seq)%2 == 0 {
			c.do(ctx, "aging", http.MethodGet, aging, nil, false)
		} else {
			c.do(ctx, "receipts", http.MethodGet, receipts, nil, false)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.newResult("reports", "GET /v1/reports/aging?as_of=2026-11-25 and /v1/reports/receipts 2024–2026 by month, over what the database holds",
		elapsed, rec, "aging", "receipts"), nil
}
