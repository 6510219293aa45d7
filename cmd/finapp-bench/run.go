package main

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// errDone ends one client's loop early: it has nothing more to do (e.g. its pool ran dry).
var errDone = errors.New("done")

// maxStepsPerClient bounds a client's loop by count as well as by time.
const maxStepsPerClient = 100_000_000

// newClients makes n clients with fresh tallies.
func (b *bench) newClients(n int) []*client {
	cs := make([]*client, n)
	for i := range cs {
		cs[i] = &client{b: b, id: i, rec: newRecorder()}
	}
	return cs
}

// measure runs step in a loop on every client until --duration has passed, a client's step
// returns errDone (that client stops) or another error (the run stops and returns it). A request
// started before the end is let finish. It returns the time until the last client stopped and
// the clients' tallies together.
func (b *bench) measure(ctx context.Context, name string, clients []*client, step func(context.Context, *client) error) (time.Duration, *recorder, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(b.cfg.duration)
	b.resetLive()
	b.memory.start()
	stopProgress := b.progress(name, start, b.liveLine)

	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < maxStepsPerClient && ctx.Err() == nil && time.Now().Before(deadline); i++ {
				if err := step(ctx, c); err != nil {
					if !errors.Is(err, errDone) {
						errOnce.Do(func() { firstErr = err; cancel() })
					}
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	stopProgress()
	b.memory.stop()
	total := newRecorder()
	for _, c := range clients {
		total.merge(c.rec)
	}
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return elapsed, total, firstErr
}

// parallel runs fn(i) for i in [0, n) on the clients, each taking the next i, with a progress
// line; it stops at the first error and after limit has passed, returning how many succeeded.
func (b *bench) parallel(ctx context.Context, name string, n int, limit time.Duration, fn func(ctx context.Context, c *client, i int) error) (int, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	start := time.Now()
	deadline := start.Add(limit)
	var next, done atomic.Int64
	stopProgress := b.progress(name, start, func(elapsed time.Duration) string {
		d := done.Load()
		return fmt.Sprintf("%d/%d (%.0f/s)", d, n, float64(d)/elapsed.Seconds())
	})
	defer stopProgress()
	var firstErr error
	var errOnce sync.Once
	var wg sync.WaitGroup
	for _, c := range b.newClients(b.cfg.clients) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := fn(ctx, c, i); err != nil {
					errOnce.Do(func() { firstErr = fmt.Errorf("%s: %w", name, err); cancel() })
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = ctx.Err()
	}
	return int(done.Load()), firstErr
}

// progress prints "[name] 5s  <line>" on stderr every --progress until the returned stop is
// called.
func (b *bench) progress(name string, start time.Time, line func(elapsed time.Duration) string) (stop func()) {
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(b.cfg.progress)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				elapsed := time.Since(start)
				fmt.Fprintf(b.log, "[%s] %4.0fs  %s\n", name, elapsed.Seconds(), line(elapsed))
			}
		}
	}()
	return func() { close(done); <-finished }
}

// liveLine is the progress of a measured phase: requests so far, the rate over the last
// interval, and the failures.
func (b *bench) liveLine(elapsed time.Duration) string {
	n := b.live.requests.Load()
	rate := float64(n-b.live.lastRequests) / (elapsed - b.live.lastAt).Seconds()
	b.live.lastRequests, b.live.lastAt = n, elapsed
	s := fmt.Sprintf("%d requests  %.0f req/s now  4xx %d (409 %d)  5xx %d  transport errors %d",
		n, rate, b.live.s4xx.Load(), b.live.s409.Load(), b.live.s5xx.Load(), b.live.errors.Load())
	if rss := b.memory.current(); rss > 0 {
		s += fmt.Sprintf("  server RSS %.1f MB", float64(rss)/1024)
	}
	return s
}

// resetLive zeroes the progress counters before a measured phase.
func (b *bench) resetLive() {
	b.live.requests.Store(0)
	b.live.s4xx.Store(0)
	b.live.s409.Store(0)
	b.live.s5xx.Store(0)
	b.live.errors.Store(0)
	b.live.lastRequests, b.live.lastAt = 0, 0
}
