package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"finapp"
)

// Dispatcher delivers the events of every workspace to their webhook endpoints: each round it
// asks the books for the due deliveries of each workspace (finapp.Service.DispatchWebhooks, which
// fans new events out and leases what is due), sends them — one endpoint's in event order, several
// endpoints at once — and records each attempt (finapp.Service.RecordWebhookAttempt), which sets
// the retry. Several servers may each run one: a delivery is leased to one dispatcher at a time,
// and one whose dispatcher died is taken by another when its lease ends (at least once).
type Dispatcher struct {
	Service *finapp.Service
	// Workspaces lists the ids of the workspaces to serve.
	Workspaces func(ctx context.Context) ([]string, error)
	Sender     *Sender
	// Owner names this dispatcher in leases (unique per process).
	Owner string
	// Interval is the pause between rounds that found nothing to send (default 1 s).
	Interval time.Duration
	// Batch is how many deliveries a workspace's round leases (default 20).
	Batch int
	// Lease is how long a leased delivery is this dispatcher's alone (default: the time to send a
	// whole batch to one endpoint at the sender's timeout, and a margin).
	Lease time.Duration
	// Parallel is how many endpoints are sent to at once (default 4).
	Parallel int
	Log      *slog.Logger
}

func (d *Dispatcher) defaults() {
	if d.Interval <= 0 {
		d.Interval = time.Second
	}
	if d.Batch <= 0 {
		d.Batch = 20
	}
	if d.Lease <= 0 {
		d.Lease = d.Sender.Timeout*time.Duration(d.Batch) + 30*time.Second
	}
	if d.Parallel <= 0 {
		d.Parallel = 4
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
}

// Run runs rounds until ctx ends; a round that sent something is followed at once by the next.
func (d *Dispatcher) Run(ctx context.Context) {
	d.defaults()
	for ctx.Err() == nil {
		n, err := d.Round(ctx)
		if err != nil && ctx.Err() == nil {
			d.Log.Warn("webhook dispatch", "err", err)
		}
		if n > 0 && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-time.After(d.Interval):
		}
	}
}

// Round runs one round over every workspace and returns how many attempts it made.
func (d *Dispatcher) Round(ctx context.Context) (int, error) {
	d.defaults()
	workspaces, err := d.Workspaces(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	var errs []error
	for _, ws := range workspaces {
		wctx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: ws, Name: "webhooks:" + d.Owner, Role: finapp.RoleAdmin})
		work, err := d.Service.DispatchWebhooks(wctx, d.Owner, d.Batch, d.Lease)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		total += d.send(wctx, work)
	}
	return total, errors.Join(errs...)
}

// send sends work, one endpoint's deliveries after one another in event order, up to Parallel
// endpoints at once, and records every attempt; it returns how many it recorded.
func (d *Dispatcher) send(ctx context.Context, work []finapp.WebhookWork) int {
	byEndpoint := map[string][]finapp.WebhookWork{}
	var order []string
	for _, w := range work {
		id := w.Delivery.EndpointID
		if _, ok := byEndpoint[id]; !ok {
			order = append(order, id)
		}
		byEndpoint[id] = append(byEndpoint[id], w)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	recorded := 0
	slots := make(chan struct{}, d.Parallel)
	for _, id := range order {
		wg.Add(1)
		slots <- struct{}{}
		go func(list []finapp.WebhookWork) {
			defer wg.Done()
			defer func() { <-slots }()
			for _, w := range list {
				a := d.Sender.Send(ctx, w.URL, Message{ID: w.Delivery.EventID, At: time.Now(), Body: w.Body}, w.Secrets...)
				if ctx.Err() != nil {
					return // shutting down: the lease runs out and the delivery is tried again
				}
				o := finapp.WebhookOutcome{Delivered: a.Delivered(), Status: a.Status, Duration: a.Duration, Snippet: a.Snippet}
				if a.Err != nil {
					o.Error = a.Err.Error()
				}
				if err := d.Service.RecordWebhookAttempt(ctx, w.Delivery.ID, d.Owner, o); err != nil {
					d.Log.Warn("webhook attempt not recorded", "delivery", w.Delivery.ID, "err", err)
					continue
				}
				d.Log.Info("webhook attempt", "delivery", w.Delivery.ID, "event", w.Delivery.EventID, "endpoint", w.Delivery.EndpointID,
					"status", a.Status, "delivered", a.Delivered(), "duration_ms", a.Duration.Milliseconds())
				mu.Lock()
				recorded++
				mu.Unlock()
			}
		}(byEndpoint[id])
	}
	wg.Wait()
	return recorded
}
