package finapp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// secretGrace is how long a rotated-out secret still signs deliveries, so that receivers can
// switch to the new one without losing any.
const secretGrace = 24 * time.Hour

// WebhookEndpointCreate is the input to CreateWebhookEndpoint.
type WebhookEndpointCreate struct {
	URL         string
	Events      []string
	Description string
}

// WebhookEndpointUpdate is the input to UpdateWebhookEndpoint: nil fields stay as they are.
type WebhookEndpointUpdate struct {
	URL         *string
	Events      *[]string
	Description *string
	Enabled     *bool
}

func webhookSnapshot(e *WebhookEndpoint) map[string]any {
	return map[string]any{"id": e.ID, "url": e.URL, "description": e.Description, "events": e.Events,
		"enabled": e.Enabled, "disabled_reason": e.DisabledReason, "version": e.Version}
}

// administer runs fn as a write use case that only an admin may run.
func (s *Service) administer(ctx context.Context, fn func(Tx, *changes) error) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	if !a.CanAdminister() {
		return Errorf(EForbidden, "only an admin may do this (the %s role may not)", a.Role)
	}
	return s.write(ctx, fn)
}

// inspect runs fn as a read use case that only an admin may run (endpoints carry secrets and
// their logs show what customers' systems answer).
func (s *Service) inspect(ctx context.Context, fn func(Tx) error) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	if !a.CanAdminister() {
		return Errorf(EForbidden, "only an admin may see webhook endpoints")
	}
	return s.read(ctx, fn)
}

func (s *Service) checkWebhookURL(raw string) (string, error) {
	u, err := text("url", raw, 2000)
	if err != nil {
		return "", err
	}
	if u == "" {
		return "", Invalid("url", "is required")
	}
	if s.WebhookTargets == nil {
		return "", Invalid("url", "webhooks are not enabled on this server")
	}
	if err := s.WebhookTargets.CheckURL(u); err != nil {
		return "", Invalid("url", "%v", err)
	}
	return u, nil
}

// CreateWebhookEndpoint adds an endpoint with a new signing secret, which the caller must show
// once: it is never shown again. The endpoint receives the events committed from now on.
// Admin only. Errors: EForbidden, EInvalid.
func (s *Service) CreateWebhookEndpoint(ctx context.Context, in WebhookEndpointCreate) (*WebhookEndpoint, error) {
	url, err := s.checkWebhookURL(in.URL)
	if err != nil {
		return nil, err
	}
	events, err := checkWebhookEvents(in.Events)
	if err != nil {
		return nil, err
	}
	desc, err := text("description", in.Description, 500)
	if err != nil {
		return nil, err
	}
	e := &WebhookEndpoint{ID: NewID(PrefixWebhook), URL: url, Events: events, Description: desc, Secret: NewWebhookSecret(),
		Enabled: true, Version: 1}
	// The endpoint starts after the feed's head: what was committed before it is numbered
	// first, so that it is not sent (an event committed in the moment between may be).
	if err := s.sealPending(ctx); err != nil {
		return nil, err
	}
	err = s.administer(ctx, func(tx Tx, c *changes) error {
		head, err := tx.EventHead(ctx)
		if err != nil {
			return err
		}
		e.Cursor, e.CreatedAt, e.UpdatedAt = head, c.now, c.now
		c.record("webhook_endpoint.created", "webhook_endpoint", e.ID, nil, webhookSnapshot(e))
		return tx.CreateWebhookEndpoint(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// ListWebhookEndpoints lists the workspace's endpoints, oldest first. Admin only.
func (s *Service) ListWebhookEndpoints(ctx context.Context) (list []*WebhookEndpoint, err error) {
	err = s.inspect(ctx, func(tx Tx) error {
		list, err = tx.WebhookEndpoints(ctx)
		return err
	})
	return list, err
}

// GetWebhookEndpoint returns one endpoint. Admin only. Errors: EForbidden, ENotFound.
func (s *Service) GetWebhookEndpoint(ctx context.Context, id string) (e *WebhookEndpoint, err error) {
	err = s.inspect(ctx, func(tx Tx) error {
		e, err = tx.WebhookEndpoint(ctx, id)
		return err
	})
	return e, err
}

// changeEndpoint loads endpoint id for a change at version ifMatch (0: any) and saves what fn made
// of it, audited as action.
func (s *Service) changeEndpoint(ctx context.Context, id string, ifMatch int, action string, fn func(*WebhookEndpoint, *changes) error) (*WebhookEndpoint, error) {
	var out *WebhookEndpoint
	err := s.administer(ctx, func(tx Tx, c *changes) error {
		e, err := tx.WebhookEndpoint(ctx, id)
		if err != nil {
			return err
		}
		if ifMatch != 0 && ifMatch != e.Version {
			return Errorf(EVersionConflict, "webhook endpoint %s is at version %d, not %d", id, e.Version, ifMatch)
		}
		before := webhookSnapshot(e)
		if err := fn(e, c); err != nil {
			return err
		}
		e.Version++
		e.UpdatedAt = c.now
		c.record(action, "webhook_endpoint", e.ID, before, webhookSnapshot(e))
		out = e
		return tx.UpdateWebhookEndpoint(ctx, e)
	})
	return out, err
}

// UpdateWebhookEndpoint changes an endpoint's URL, events, description or whether it is enabled;
// enabling one that finapp disabled starts its failure count afresh. Admin only.
// Errors: EForbidden, ENotFound, EInvalid, EVersionConflict.
func (s *Service) UpdateWebhookEndpoint(ctx context.Context, id string, ifMatch int, u WebhookEndpointUpdate) (*WebhookEndpoint, error) {
	var url, desc string
	var events []string
	var err error
	if u.URL != nil {
		if url, err = s.checkWebhookURL(*u.URL); err != nil {
			return nil, err
		}
	}
	if u.Events != nil {
		if events, err = checkWebhookEvents(*u.Events); err != nil {
			return nil, err
		}
	}
	if u.Description != nil {
		if desc, err = text("description", *u.Description, 500); err != nil {
			return nil, err
		}
	}
	return s.changeEndpoint(ctx, id, ifMatch, "webhook_endpoint.updated", func(e *WebhookEndpoint, c *changes) error {
		if u.URL != nil {
			e.URL = url
		}
		if u.Events != nil {
			e.Events = events
		}
		if u.Description != nil {
			e.Description = desc
		}
		if u.Enabled != nil {
			if *u.Enabled && !e.Enabled {
				e.DisabledReason, e.FailingSince = "", nil
			}
			e.Enabled = *u.Enabled
		}
		return nil
	})
}

// RotateWebhookSecret gives an endpoint a new secret (returned once); the old one keeps signing
// deliveries beside it for secretGrace. Admin only. Errors: EForbidden, ENotFound.
func (s *Service) RotateWebhookSecret(ctx context.Context, id string) (*WebhookEndpoint, error) {
	return s.changeEndpoint(ctx, id, 0, "webhook_endpoint.secret_rotated", func(e *WebhookEndpoint, c *changes) error {
		until := c.now.Add(secretGrace)
		e.PreviousSecret, e.PreviousSecretUntil, e.Secret = e.Secret, &until, NewWebhookSecret()
		return nil
	})
}

// DeleteWebhookEndpoint deletes an endpoint: nothing more is sent to it; its log stays readable to
// the audit trail only. Admin only. Errors: EForbidden, ENotFound.
func (s *Service) DeleteWebhookEndpoint(ctx context.Context, id string) error {
	_, err := s.changeEndpoint(ctx, id, 0, "webhook_endpoint.deleted", func(e *WebhookEndpoint, c *changes) error {
		at := c.now
		e.DeletedAt, e.Enabled = &at, false
		return nil
	})
	return err
}

// ListWebhookAttempts lists the attempts made for an endpoint, newest first. Admin only.
func (s *Service) ListWebhookAttempts(ctx context.Context, endpointID, cursor string, limit int) (list []*WebhookAttempt, next string, err error) {
	if limit, err = pageSize(limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(cursor, PrefixAttempt); err != nil {
		return nil, "", err
	}
	err = s.inspect(ctx, func(tx Tx) error {
		if _, err := tx.WebhookEndpoint(ctx, endpointID); err != nil {
			return err
		}
		list, next, err = tx.ListAttempts(ctx, endpointID, cursor, limit)
		return err
	})
	return list, next, err
}

// RedeliverWebhook sends an event to an endpoint again, as a new delivery due now (any event of
// the workspace, also one from before the endpoint existed or of a type it does not receive: an
// admin asked for it). Admin only. Errors: EForbidden, ENotFound, EConflict (endpoint disabled).
func (s *Service) RedeliverWebhook(ctx context.Context, endpointID, eventID string) (*WebhookDelivery, error) {
	var d *WebhookDelivery
	err := s.administer(ctx, func(tx Tx, c *changes) error {
		e, err := tx.WebhookEndpoint(ctx, endpointID)
		if err != nil {
			return err
		}
		if !e.Enabled {
			return Errorf(EConflict, "webhook endpoint %s is disabled; enable it first", e.ID)
		}
		ev, err := tx.Event(ctx, eventID)
		if err != nil {
			return asField(err, "event_id")
		}
		d = newDelivery(e, ev, c.now)
		c.record("webhook_delivery.requested", "webhook_endpoint", e.ID, nil, map[string]any{"delivery_id": d.ID, "event_id": ev.ID})
		return tx.CreateDeliveries(ctx, []*WebhookDelivery{d})
	})
	return d, err
}

func newDelivery(e *WebhookEndpoint, ev *Event, now time.Time) *WebhookDelivery {
	return &WebhookDelivery{ID: NewID(PrefixDelivery), EndpointID: e.ID, EventID: ev.ID, EventSequence: ev.Sequence,
		EventType: ev.Type, Status: DeliveryPending, NextAttemptAt: now, CreatedAt: now}
}

// WebhookWork is a delivery leased to a dispatcher, with what it needs to send it.
type WebhookWork struct {
	Delivery *WebhookDelivery
	URL      string
	Secrets  []string
	Body     []byte // the event's envelope as JSON
}

// DispatchWebhooks is the dispatcher's half of a round in the context's workspace: it turns the
// events committed since each enabled endpoint's cursor into deliveries (fan-out), then leases up
// to limit due deliveries to owner for lease and returns them, by event sequence. The caller
// sends each and reports with RecordWebhookAttempt. Several dispatchers (servers) may run it at
// once: a delivery is leased to one at a time.
func (s *Service) DispatchWebhooks(ctx context.Context, owner string, limit int, lease time.Duration) ([]WebhookWork, error) {
	if err := s.fanOutWebhooks(ctx); err != nil {
		return nil, err
	}
	var work []WebhookWork
	err := s.write(ctx, func(tx Tx, c *changes) error {
		work = work[:0]
		due, err := tx.DueDeliveries(ctx, c.now, limit)
		if err != nil {
			return err
		}
		endpoints := map[string]*WebhookEndpoint{}
		for _, d := range due {
			e, ok := endpoints[d.EndpointID]
			if !ok {
				if e, err = tx.WebhookEndpoint(ctx, d.EndpointID); err != nil && ErrorCode(err) != ENotFound {
					return err
				}
				endpoints[d.EndpointID] = e
			}
			if e == nil || !e.Enabled {
				// Deleted or disabled since: the delivery is over.
				d.Status, d.LastError = DeliveryFailed, "the endpoint was deleted or disabled"
				if err := tx.UpdateDelivery(ctx, d); err != nil {
					return err
				}
				continue
			}
			ev, err := tx.Event(ctx, d.EventID)
			if err != nil {
				return err
			}
			until := c.now.Add(lease)
			d.LeaseOwner, d.LeaseUntil = owner, &until
			if err := tx.UpdateDelivery(ctx, d); err != nil {
				return err
			}
			body, err := json.Marshal(ev.Envelope())
			if err != nil {
				return err
			}
			work = append(work, WebhookWork{Delivery: d, URL: e.URL, Secrets: e.Secrets(c.now), Body: body})
		}
		return nil
	})
	return work, err
}

// fanOutWebhooks creates the deliveries of the events after each enabled endpoint's cursor. It
// looks first, in a read transaction, and writes only when an endpoint is behind the feed.
func (s *Service) fanOutWebhooks(ctx context.Context) error {
	if err := s.sealPending(ctx); err != nil {
		return err
	}
	behind := false
	err := s.read(ctx, func(tx Tx) error {
		endpoints, err := tx.WebhookEndpoints(ctx)
		if err != nil || len(endpoints) == 0 {
			return err
		}
		for _, e := range endpoints {
			if !e.Enabled {
				continue
			}
			next, err := tx.ListEvents(ctx, EventFilter{After: e.Cursor, Limit: 1})
			if err != nil {
				return err
			}
			if len(next) > 0 {
				behind = true
				return nil
			}
		}
		return nil
	})
	if err != nil || !behind {
		return err
	}
	return s.write(ctx, func(tx Tx, c *changes) error {
		endpoints, err := tx.WebhookEndpoints(ctx)
		if err != nil {
			return err
		}
		for _, e := range endpoints {
			if !e.Enabled {
				continue
			}
			events, err := tx.ListEvents(ctx, EventFilter{After: e.Cursor, Limit: MaxPageSize})
			if err != nil || len(events) == 0 {
				if err != nil {
					return err
				}
				continue
			}
			var ds []*WebhookDelivery
			for _, ev := range events {
				if e.Wants(ev.Type) {
					ds = append(ds, newDelivery(e, ev, c.now))
				}
			}
			if err := tx.CreateDeliveries(ctx, ds); err != nil {
				return err
			}
			e.Cursor = events[len(events)-1].Sequence
			if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// WebhookOutcome is what one attempt of a delivery saw (the webhook package's Attempt).
type WebhookOutcome struct {
	Delivered bool
	Status    int
	Duration  time.Duration
	Snippet   string
	Error     string
}

// RecordWebhookAttempt logs an attempt of delivery id made by owner and sets what follows: done
// when delivered; otherwise the next attempt on the retry schedule, or failed after the retry
// period, when the endpoint too is disabled if it has failed everything for that long. A lease
// that owner lost (it expired and another dispatcher took the delivery) records the attempt but
// changes nothing else.
func (s *Service) RecordWebhookAttempt(ctx context.Context, id, owner string, o WebhookOutcome) error {
	return s.write(ctx, func(tx Tx, c *changes) error {
		d, err := tx.Delivery(ctx, id)
		if err != nil {
			return err
		}
		snippet, reason := printable(o.Snippet, 1024), printable(o.Error, 500)
		a := &WebhookAttempt{ID: NewID(PrefixAttempt), DeliveryID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID, EventType: d.EventType,
			At: c.now, Status: o.Status, DurationMS: o.Duration.Milliseconds(), Snippet: snippet, Error: reason}
		if err := tx.AppendAttempt(ctx, a); err != nil {
			return err
		}
		if d.LeaseOwner != owner || d.Status != DeliveryPending {
			return nil
		}
		e, err := tx.WebhookEndpoint(ctx, d.EndpointID)
		if err != nil && ErrorCode(err) != ENotFound {
			return err
		}
		d.Attempts++
		d.LastStatus, d.LastError, d.LeaseOwner, d.LeaseUntil = o.Status, reason, "", nil
		if d.FirstAttemptAt == nil {
			at := c.now
			d.FirstAttemptAt = &at
		}
		if o.Delivered {
			at := c.now
			d.Status, d.DeliveredAt = DeliveryDelivered, &at
			if e != nil && e.FailingSince != nil {
				e.FailingSince = nil
				if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
					return err
				}
			}
			return tx.UpdateDelivery(ctx, d)
		}
		next, giveUp := nextWebhookAttempt(d.ID, d.Attempts, *d.FirstAttemptAt, c.now)
		if giveUp {
			d.Status = DeliveryFailed
		} else {
			d.NextAttemptAt = next
		}
		if e != nil {
			if e.FailingSince == nil {
				at := c.now
				e.FailingSince = &at
			}
			// Failing for the whole retry period: as long as that since the first failure, or
			// this delivery gave up and nothing succeeded since its first attempt.
			failedThrough := c.now.Sub(*e.FailingSince) >= webhookRetryPeriod || (giveUp && !e.FailingSince.After(*d.FirstAttemptAt))
			if e.Enabled && failedThrough {
				before := webhookSnapshot(e)
				e.Enabled = false
				e.DisabledReason = fmt.Sprintf("every delivery failed since %s (for %s); enable it again once it answers", e.FailingSince.UTC().Format(time.RFC3339), webhookRetryPeriod)
				e.Version++
				c.record("webhook_endpoint.disabled", "webhook_endpoint", e.ID, before, webhookSnapshot(e))
			}
			if err := tx.UpdateWebhookEndpoint(ctx, e); err != nil {
				return err
			}
		}
		return tx.UpdateDelivery(ctx, d)
	})
}
