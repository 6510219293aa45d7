package finapp

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// WebhookEndpoint is a URL that receives the workspace's events (SPEC §6.5), signed with its
// secret. An endpoint receives the events committed after it was created (Cursor starts at the
// feed's head); older ones can be redelivered one by one.
type WebhookEndpoint struct {
	ID          string
	URL         string
	Description string
	// Events are the types it receives; ["*"] means every type, including types added later.
	Events []string
	// Secret signs deliveries. While a rotation's grace period runs, PreviousSecret signs too,
	// until PreviousSecretUntil.
	Secret              string
	PreviousSecret      string
	PreviousSecretUntil *time.Time
	Enabled             bool
	DisabledReason      string     // why finapp disabled it (repeated failure), or ""
	FailingSince        *time.Time // the first failed attempt since its last success
	// Cursor is the sequence of the last event fanned out into deliveries for it.
	Cursor    int64
	CreatedAt time.Time
	UpdatedAt time.Time
	DeletedAt *time.Time
	Version   int
}

// Delivery statuses.
const (
	DeliveryPending   = "pending"   // waiting for its next attempt
	DeliveryDelivered = "delivered" // a 2xx arrived in time
	DeliveryFailed    = "failed"    // given up: failing for the whole retry period, or the endpoint is gone
)

// WebhookDelivery is one event on its way to one endpoint: attempted until a 2xx arrives, on the
// retry schedule (webhookRetryDelays), for at most webhookRetryPeriod.
type WebhookDelivery struct {
	ID             string
	EndpointID     string
	EventID        string
	EventSequence  int64
	EventType      string
	Status         string
	Attempts       int
	NextAttemptAt  time.Time
	FirstAttemptAt *time.Time
	// LeaseOwner holds the delivery until LeaseUntil: one dispatcher (of possibly several
	// servers) sends it at a time; a dispatcher that dies loses the lease and another takes it.
	LeaseOwner  string
	LeaseUntil  *time.Time
	LastStatus  int
	LastError   string
	CreatedAt   time.Time
	DeliveredAt *time.Time
}

// WebhookAttempt is one try of a delivery, kept for the endpoint's delivery log.
type WebhookAttempt struct {
	ID         string
	DeliveryID string
	EndpointID string
	EventID    string
	EventType  string
	At         time.Time
	Status     int // the HTTP status, 0 when no response arrived
	DurationMS int64
	Snippet    string // the start of the response body
	Error      string // why it failed, "" when delivered
}

// NewWebhookSecret returns a new signing secret in the form the Standard Webhooks specification
// writes them: "whsec_" and 32 random bytes in base64.
func NewWebhookSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // crypto/rand.Read does not fail
	return "whsec_" + base64.StdEncoding.EncodeToString(b)
}

// Secrets are the secrets that sign a delivery made at now: the current one, and the previous one
// during its grace period.
func (e *WebhookEndpoint) Secrets(now time.Time) []string {
	out := []string{e.Secret}
	if e.PreviousSecret != "" && e.PreviousSecretUntil != nil && now.Before(*e.PreviousSecretUntil) {
		out = append(out, e.PreviousSecret)
	}
	return out
}

// Wants reports whether the endpoint receives events of type typ.
func (e *WebhookEndpoint) Wants(typ string) bool {
	return slices.Contains(e.Events, "*") || slices.Contains(e.Events, typ)
}

// checkWebhookEvents is the rule for an endpoint's event list: ["*"], or known types, at least
// one, each once.
func checkWebhookEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, Invalid("events", "is required: the event types to receive, or [\"*\"] for all")
	}
	if slices.Contains(events, "*") {
		if len(events) > 1 {
			return nil, Invalid("events", "\"*\" (every type) stands alone")
		}
		return events, nil
	}
	var out []string
	for i, t := range events {
		if !slices.Contains(EventTypes, t) {
			return nil, Invalid("events", "events[%d]: %q is not an event type; one of %s", i, t, strings.Join(EventTypes, ", "))
		}
		if !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	return out, nil
}

// WebhookTargetChecker is the operator's rule for where webhooks may go (the webhook package's
// Policy: https only, no private addresses unless allowed). Without one, no endpoint is accepted.
type WebhookTargetChecker interface {
	CheckURL(url string) error
}

// The retry schedule: after the n-th failed attempt the next one waits webhookRetryDelays[n-1]
// (the last delay repeats), a tenth more or less (jitter, so that endpoints coming back are not
// hit by every delivery at once), until webhookRetryPeriod has passed since the first attempt;
// then the delivery fails, and an endpoint that has failed every attempt for that long is
// disabled.
var webhookRetryDelays = []time.Duration{5 * time.Second, 30 * time.Second, 2 * time.Minute, 10 * time.Minute,
	30 * time.Minute, time.Hour, 2 * time.Hour, 4 * time.Hour, 8 * time.Hour, 12 * time.Hour}

const webhookRetryPeriod = 72 * time.Hour

// nextWebhookAttempt returns when a delivery that has failed its attempts-th attempt is tried
// next, or giveUp when the retry period is over. The jitter comes from the delivery id, so that
// the schedule is reproducible.
func nextWebhookAttempt(id string, attempts int, first, now time.Time) (next time.Time, giveUp bool) {
	delay := webhookRetryDelays[min(attempts, len(webhookRetryDelays))-1]
	var h uint32 = 2166136261
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	h = (h ^ uint32(attempts)) * 16777619
	// ±10 %: delay × (0.9 + 0.2 × f) with f = (h's top 16 bits) / 2^16, in integer nanoseconds
	// (16 bits keep the product far from overflow for any delay of the schedule).
	jittered := delay*9/10 + time.Duration((uint64(delay/5)*uint64(h>>16))>>16)
	next = now.Add(jittered)
	if next.Sub(first) > webhookRetryPeriod {
		return time.Time{}, true
	}
	return next, false
}

// EventEnvelope is an event as the feed lists it and a webhook delivers it.
type EventEnvelope struct {
	ID        string    `json:"id" doc:"evt_…; the same on every delivery of the event (webhook-id)"`
	Type      string    `json:"type" doc:"What happened"`
	Sequence  int64     `json:"sequence" doc:"Position in the workspace's feed: from 1, without gaps, in commit order"`
	CreatedAt time.Time `json:"created_at"`
	Data      EventData `json:"data"`
}

// EventData carries the resource an event is about, after the change.
type EventData struct {
	Object json.RawMessage `json:"object" doc:"The resource after the change (a payment, invoice, allocation or top-up), with the field names of the API"`
}

// Envelope returns the event as the feed and webhooks carry it.
func (e *Event) Envelope() EventEnvelope {
	obj := json.RawMessage(e.Payload)
	if !json.Valid(obj) {
		obj = json.RawMessage("null")
	}
	return EventEnvelope{ID: e.ID, Type: e.Type, Sequence: e.Sequence, CreatedAt: e.At.UTC(), Data: EventData{Object: obj}}
}
