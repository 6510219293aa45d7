package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// WebhookEndpoint is an endpoint as the API shows it: never with its secret, except in the answer
// to its creation and to a rotation (WebhookEndpointWithSecret).
type WebhookEndpoint struct {
	ID             string     `json:"id" doc:"whe_…"`
	URL            string     `json:"url"`
	Description    string     `json:"description"`
	Events         []string   `json:"events" doc:"Event types it receives; [\"*\"] for every type"`
	Enabled        bool       `json:"enabled"`
	DisabledReason string     `json:"disabled_reason,omitempty" doc:"Why finapp disabled it (every delivery failing for 3 days)"`
	FailingSince   *time.Time `json:"failing_since,omitempty" doc:"The first failed attempt since its last success"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	Version        int        `json:"version"`
}

// WebhookEndpointWithSecret is an endpoint with its signing secret, shown this once.
type WebhookEndpointWithSecret struct {
	WebhookEndpoint
	Secret string `json:"secret" doc:"whsec_…: verify the webhook-signature of deliveries with it. Shown only now; store it."`
	// PreviousSecretValidUntil is set after a rotation: the old secret signs deliveries beside the
	// new one until then.
	PreviousSecretValidUntil *time.Time `json:"previous_secret_valid_until,omitempty"`
}

// WebhookAttempt is one line of an endpoint's delivery log.
type WebhookAttempt struct {
	ID         string    `json:"id"`
	DeliveryID string    `json:"delivery_id"`
	EventID    string    `json:"event_id"`
	EventType  string    `json:"event_type"`
	At         time.Time `json:"at"`
	Status     int       `json:"status" doc:"The HTTP status answered; 0 when none arrived in time"`
	DurationMS int64     `json:"duration_ms"`
	Delivered  bool      `json:"delivered"`
	Response   string    `json:"response" doc:"The start of the response body (at most 1,024 characters)"`
	Error      string    `json:"error,omitempty"`
}

// WebhookDelivery is an event on its way to an endpoint.
type WebhookDelivery struct {
	ID            string    `json:"id" doc:"whd_…"`
	EndpointID    string    `json:"endpoint_id"`
	EventID       string    `json:"event_id"`
	EventType     string    `json:"event_type"`
	Status        string    `json:"status" enum:"pending,delivered,failed"`
	NextAttemptAt time.Time `json:"next_attempt_at"`
}

func endpointOut(e *finapp.WebhookEndpoint) WebhookEndpoint {
	return WebhookEndpoint{ID: e.ID, URL: e.URL, Description: e.Description, Events: e.Events, Enabled: e.Enabled,
		DisabledReason: e.DisabledReason, FailingSince: e.FailingSince, CreatedAt: e.CreatedAt, UpdatedAt: e.UpdatedAt, Version: e.Version}
}

func endpointWithSecret(e *finapp.WebhookEndpoint) WebhookEndpointWithSecret {
	out := WebhookEndpointWithSecret{WebhookEndpoint: endpointOut(e), Secret: e.Secret}
	if e.PreviousSecret != "" {
		out.PreviousSecretValidUntil = e.PreviousSecretUntil
	}
	return out
}

type endpointOutput struct {
	ETag string `header:"ETag"`
	Body WebhookEndpoint
}

type endpointSecretOutput struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     WebhookEndpointWithSecret
}

// WebhookEndpointBody is what creates an endpoint.
type WebhookEndpointBody struct {
	URL         string   `json:"url" maxLength:"2000" doc:"https:// URL that receives POSTs of events"`
	Events      []string `json:"events" minItems:"1" doc:"Event types to receive (see /v1/events), or [\"*\"] for every type"`
	Description string   `json:"description,omitempty" maxLength:"500"`
}

func (h *handlers) registerWebhooks(api huma.API) {
	tags := []string{"Webhooks"}
	huma.Register(api, huma.Operation{OperationID: "create-webhook-endpoint", Method: http.MethodPost, Path: "/v1/webhook-endpoints",
		Summary: "Add a webhook endpoint; its signing secret is in this answer only", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           WebhookEndpointBody
		}) (*endpointSecretOutput, error) {
			e, err := h.svc.CreateWebhookEndpoint(ctx, finapp.WebhookEndpointCreate{URL: in.Body.URL, Events: in.Body.Events, Description: in.Body.Description})
			if err != nil {
				return nil, problem(err)
			}
			return &endpointSecretOutput{ETag: etag(e.Version), Location: "/v1/webhook-endpoints/" + e.ID, Body: endpointWithSecret(e)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-webhook-endpoints", Method: http.MethodGet, Path: "/v1/webhook-endpoints",
		Summary: "List the webhook endpoints", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct {
			Body struct {
				Data []WebhookEndpoint `json:"data"`
			}
		}, error) {
			list, err := h.svc.ListWebhookEndpoints(ctx)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []WebhookEndpoint `json:"data"`
				}
			}{}
			out.Body.Data = make([]WebhookEndpoint, 0, len(list))
			for _, e := range list {
				out.Body.Data = append(out.Body.Data, endpointOut(e))
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-webhook-endpoint", Method: http.MethodGet, Path: "/v1/webhook-endpoints/{id}",
		Summary: "Get a webhook endpoint", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*endpointOutput, error) {
			e, err := h.svc.GetWebhookEndpoint(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &endpointOutput{ETag: etag(e.Version), Body: endpointOut(e)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "update-webhook-endpoint", Method: http.MethodPatch, Path: "/v1/webhook-endpoints/{id}",
		Summary: "Change a webhook endpoint's URL, events or description, or disable or enable it", Tags: tags},
		func(ctx context.Context, in *struct {
			ID      string `path:"id"`
			IfMatch string `header:"If-Match" doc:"ETag of the endpoint as last read; a stale one answers 412"`
			Body    struct {
				URL         *string   `json:"url,omitempty" maxLength:"2000"`
				Events      *[]string `json:"events,omitempty"`
				Description *string   `json:"description,omitempty" maxLength:"500"`
				Enabled     *bool     `json:"enabled,omitempty" doc:"false stops deliveries; true starts them again (and clears a disabling for failures)"`
			}
		}) (*endpointOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			e, err := h.svc.UpdateWebhookEndpoint(ctx, in.ID, v, finapp.WebhookEndpointUpdate{URL: b.URL, Events: b.Events, Description: b.Description, Enabled: b.Enabled})
			if err != nil {
				return nil, problem(err)
			}
			return &endpointOutput{ETag: etag(e.Version), Body: endpointOut(e)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "rotate-webhook-secret", Method: http.MethodPost, Path: "/v1/webhook-endpoints/{id}/rotate-secret",
		Summary: "Give an endpoint a new signing secret (in this answer only); the old one signs beside it for 24 hours", Tags: tags},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*endpointSecretOutput, error) {
			e, err := h.svc.RotateWebhookSecret(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &endpointSecretOutput{ETag: etag(e.Version), Body: endpointWithSecret(e)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "delete-webhook-endpoint", Method: http.MethodDelete, Path: "/v1/webhook-endpoints/{id}",
		Summary: "Delete a webhook endpoint: nothing more is sent to it", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.svc.DeleteWebhookEndpoint(ctx, in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-webhook-attempts", Method: http.MethodGet, Path: "/v1/webhook-endpoints/{id}/deliveries",
		Summary: "The endpoint's delivery log: every attempt, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*struct {
			Body struct {
				Data       []WebhookAttempt `json:"data"`
				NextCursor string           `json:"next_cursor,omitempty"`
			}
		}, error) {
			list, next, err := h.svc.ListWebhookAttempts(ctx, in.ID, in.Cursor, in.Limit)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data       []WebhookAttempt `json:"data"`
					NextCursor string           `json:"next_cursor,omitempty"`
				}
			}{}
			out.Body.Data = make([]WebhookAttempt, 0, len(list))
			for _, a := range list {
				out.Body.Data = append(out.Body.Data, WebhookAttempt{ID: a.ID, DeliveryID: a.DeliveryID, EventID: a.EventID, EventType: a.EventType,
					At: a.At, Status: a.Status, DurationMS: a.DurationMS, Delivered: a.Error == "", Response: a.Snippet, Error: a.Error})
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "redeliver-webhook", Method: http.MethodPost, Path: "/v1/webhook-endpoints/{id}/deliveries",
		Summary: "Send an event to the endpoint again (any event of the feed)", Tags: tags, DefaultStatus: http.StatusAccepted},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				EventID string `json:"event_id" doc:"evt_… from /v1/events"`
			}
		}) (*struct{ Body WebhookDelivery }, error) {
			d, err := h.svc.RedeliverWebhook(ctx, in.ID, in.Body.EventID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body WebhookDelivery }{Body: WebhookDelivery{ID: d.ID, EndpointID: d.EndpointID, EventID: d.EventID,
				EventType: d.EventType, Status: d.Status, NextAttemptAt: d.NextAttemptAt}}, nil
		})
}
