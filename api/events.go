package api

import (
	"context"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// EventPage is a slice of the feed: poll again with after=next_after.
type EventPage struct {
	Data      []finapp.EventEnvelope `json:"data"`
	NextAfter int64                  `json:"next_after" doc:"The sequence to pass as after next time: the last one of this page, or after itself when the page is empty"`
	HasMore   bool                   `json:"has_more" doc:"More events are waiting after next_after"`
}

func (h *handlers) registerEvents(api huma.API) {
	describeWebhooks(api)
	huma.Register(api, huma.Operation{OperationID: "list-events", Method: http.MethodGet, Path: "/v1/events",
		Summary: "The event feed: what happened, oldest first, after a sequence", Tags: []string{"Events"},
		Description: "Poll with after=0 first, then with after=next_after of the page before. Every committed change " +
			"that matters is here once, in commit order; nothing is here that did not commit."},
		func(ctx context.Context, in *struct {
			After int64  `query:"after" minimum:"0" doc:"Return events with a sequence greater than this (default 0: from the start)"`
			Type  string `query:"type" doc:"Comma-separated event types to include (default all)"`
			Limit int    `query:"limit" doc:"At most this many, 1-500 (default 50)"`
		}) (*struct{ Body EventPage }, error) {
			types, err := finapp.ParseEventTypes("type", in.Type)
			if err != nil {
				return nil, problem(err)
			}
			list, more, err := h.svc.ListEvents(ctx, finapp.EventFilter{After: in.After, Types: types, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &struct{ Body EventPage }{}
			out.Body.HasMore = more
			out.Body.Data = make([]finapp.EventEnvelope, 0, len(list))
			out.Body.NextAfter = in.After
			for _, e := range list {
				out.Body.Data = append(out.Body.Data, e.Envelope())
				out.Body.NextAfter = e.Sequence
			}
			return out, nil
		})
}

// describeWebhooks adds to the OpenAPI document what finapp POSTs to webhook endpoints (OpenAPI
// 3.1 "webhooks"): one entry per event type, the envelope as the body, the Standard Webhooks
// headers, and the answers that count as delivered.
func describeWebhooks(api huma.API) {
	oapi := api.OpenAPI()
	if oapi.Webhooks == nil {
		oapi.Webhooks = map[string]*huma.PathItem{}
	}
	envelope := oapi.Components.Schemas.Schema(reflect.TypeFor[finapp.EventEnvelope](), true, "EventEnvelope")
	header := func(name, doc string) *huma.Param {
		return &huma.Param{Name: name, In: "header", Required: true, Description: doc, Schema: &huma.Schema{Type: "string"}}
	}
	for _, typ := range finapp.EventTypes {
		oapi.Webhooks[typ] = &huma.PathItem{Post: &huma.Operation{
			OperationID: "webhook-" + strings.ReplaceAll(typ, ".", "-"),
			Summary:     "Event " + typ + " delivered to a webhook endpoint",
			Description: "Signed as the Standard Webhooks specification says; see docs/events.md for every type's data.object.",
			Tags:        []string{"Webhooks"},
			Parameters: []*huma.Param{
				header("webhook-id", "The event's id: the same on every retry and redelivery; deduplicate by it"),
				header("webhook-timestamp", "Seconds since the epoch when this attempt was made"),
				header("webhook-signature", "v1,<base64 HMAC-SHA256 of id.timestamp.body>; two, space-separated, during a secret rotation"),
			},
			RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"application/json": {Schema: envelope}}},
			Responses: map[string]*huma.Response{
				"2XX":     {Description: "Delivered (within 10 seconds)"},
				"default": {Description: "Not delivered: tried again on the retry schedule"},
			},
		}}
	}
}
