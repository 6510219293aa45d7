package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// rawBody is the payment the reference server in ../shared/limits decodes (its post.lua body).
const rawBody = `{"amount":"125.50","currency":"SGD","reference":"TT-778812"}`

// record measures POST /v1/payments: an unassigned payment of the same size as rawBody, each
// with its own Idempotency-Key (auth, idempotency claim, payment, journal, audit, outbox).
func (b *bench) record(ctx context.Context) (*result, error) {
	url, second := b.cfg.url+"/v1/payments", b.cfg.secondURL+"/v1/payments"
	elapsed, rec, err := b.measure(ctx, "record", b.newClients(b.cfg.clients), func(ctx context.Context, c *client) error {
		c.seq++
		body := fmt.Appendf(nil, `{"amount":"125.50","currency":"SGD","method":"bank_transfer","reference":"TT-%s-%d-%d"}`, b.tag, c.id, c.seq)
		to := url
		if b.cfg.secondURL != "" && c.id%2 == 1 {
			to = second // two servers on one database (issue 12): half the clients each
		}
		c.do(ctx, "record", http.MethodPost, to, body, true)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.newResult("record", "POST /v1/payments"+b.keyNote(), elapsed, rec, "record"), nil
}

// raw POSTs rawBody to --url, whatever server answers there: the same load generator, clients
// and duration as finapp's workloads, against the machine's reference ceilings.
func (b *bench) raw(ctx context.Context) (*result, error) {
	elapsed, rec, err := b.measure(ctx, "raw", b.newClients(b.cfg.clients), func(ctx context.Context, c *client) error {
		c.do(ctx, "raw", http.MethodPost, b.cfg.url, []byte(rawBody), false)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return b.newResult("raw", "POST "+b.cfg.url, elapsed, rec, "raw"), nil
}

func (b *bench) keyNote() string {
	if b.cfg.idempotency {
		return ", an Idempotency-Key on each"
	}
	return ", no Idempotency-Key (--idempotency=false)"
}

// newResult wraps a measured phase, with the server's memory when --server-pid was given.
func (b *bench) newResult(workload, target string, elapsed time.Duration, rec *recorder, order ...string) *result {
	r := &result{workload: workload, target: target, clients: b.cfg.clients, elapsed: elapsed, ops: rec, order: order}
	if note, line := b.memory.report(); note != "" {
		r.notes = append(r.notes, note)
		if line != "" {
			r.extra = append(r.extra, line)
		}
	}
	return r
}
