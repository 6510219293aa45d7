package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// requestTimeout bounds every single request: a server that stops answering ends the run with
// transport errors instead of hanging it.
const requestTimeout = 60 * time.Second

// maxResponse bounds how much of one response is read.
const maxResponse = 256 << 20

// bench holds what every workload shares: the flags, one HTTP client whose keep-alive
// connections the clients reuse, the live counters of the progress line, and a tag that makes
// this run's names unique in a database earlier runs may have used.
type bench struct {
	cfg    config
	http   *http.Client
	out    io.Writer
	log    io.Writer
	tag    string
	live   liveCounters
	memory *memorySampler
}

func newBench(cfg config, stdout, stderr io.Writer) *bench {
	transport := &http.Transport{
		MaxIdleConns:        cfg.clients * 2,
		MaxIdleConnsPerHost: cfg.clients * 2,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	tag := cfg.tag
	if tag == "" {
		tag = runTag()
	}
	return &bench{cfg: cfg, http: &http.Client{Transport: transport, Timeout: requestTimeout},
		out: stdout, log: stderr, tag: tag, memory: newMemorySampler(cfg.serverPID)}
}

// runTag is four random letters.
func runTag() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = 'a' + b[i]%26
	}
	return string(b)
}

// waitForServer polls until the server answers any HTTP request (for finapp, GET /healthz), for
// at most --wait.
func (b *bench) waitForServer(ctx context.Context) error {
	probe := b.cfg.url + "/healthz"
	if b.cfg.workload == "raw" {
		probe = b.cfg.url
	}
	deadline := time.Now().Add(b.cfg.wait)
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, probe, nil)
		if err != nil {
			return err
		}
		resp, err := b.http.Do(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("no answer from %s after %s: %w", probe, b.cfg.wait, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// liveCounters feed the progress line; every client adds to them.
type liveCounters struct {
	requests, s4xx, s409, s5xx, errors atomic.Uint64

	// Only the progress line reads and writes these, to show the rate of the last interval.
	lastRequests uint64
	lastAt       time.Duration
}

// client is one of the concurrent clients: its own tally and a counter for unique keys.
type client struct {
	b   *bench
	id  int
	rec *recorder
	n   int // Idempotency-Keys sent
	seq int // the workload's own counter
}

// response is what a request got back; status 0 means a transport error.
type response struct {
	status int
	body   []byte
}

// do sends one request as operation op and tallies it. body, when not nil, is sent as JSON; a
// measured POST carries a fresh Idempotency-Key when idempotent is true. The latency is from
// sending the request to having read the whole response.
func (c *client) do(ctx context.Context, op, method, url string, body []byte, idempotent bool) response {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return c.failed(op, err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.b.cfg.token != "" && c.b.cfg.workload != "raw" {
		req.Header.Set("Authorization", "Bearer "+c.b.cfg.token)
	}
	if idempotent && c.b.cfg.idempotency {
		c.n++
		req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%s-%d-%d", c.b.tag, c.id, c.n))
	}
	start := time.Now()
	resp, err := c.b.http.Do(req)
	if err != nil {
		return c.failed(op, err)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
	if err != nil {
		return c.failed(op, err)
	}
	s := c.rec.op(op)
	s.latency.add(time.Since(start))
	s.statuses[resp.StatusCode]++
	c.b.live.requests.Add(1)
	switch {
	case resp.StatusCode == http.StatusConflict:
		c.b.live.s409.Add(1)
		c.b.live.s4xx.Add(1)
	case resp.StatusCode >= 500:
		c.b.live.s5xx.Add(1)
	case resp.StatusCode >= 400:
		c.b.live.s4xx.Add(1)
	}
	return response{status: resp.StatusCode, body: data}
}

func (c *client) failed(op string, err error) response {
	s := c.rec.op(op)
	s.errors++
	s.lastErr = err.Error()
	c.b.live.errors.Add(1)
	return response{}
}

// call is do for setup and checks: JSON in and out, and an error unless the status is want.
func (c *client) call(ctx context.Context, op, method, path string, in any, want int, out any) error {
	var body []byte
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return err
		}
	}
	r := c.do(ctx, op, method, c.b.cfg.url+path, body, false)
	if r.status != want {
		if r.status == 0 {
			return fmt.Errorf("%s %s: %s", method, path, c.rec.op(op).lastErr)
		}
		return fmt.Errorf("%s %s: status %d, want %d: %s", method, path, r.status, want, truncate(r.body, 300))
	}
	if out != nil {
		if err := json.Unmarshal(r.body, out); err != nil {
			return fmt.Errorf("%s %s: decoding the answer: %w", method, path, err)
		}
	}
	return nil
}

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + "…"
	}
	return string(b)
}
