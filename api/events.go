package api

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// Event is one fact of the workspace's outbox (SPEC §6.5), as the feed and webhooks carry it.
type Event struct {
	ID        string    `json:"id" doc:"evt_…; the same on every delivery of the event (webhook-id)"`
	Type      string    `json:"type" doc:"What happened"`
	Sequence  int64     `json:"sequence" doc:"Position in the workspace's feed: from 1, without gaps, in commit order"`
	CreatedAt time.Time `json:"created_at"`
	Data      EventData `json:"data"`
}

// EventData carries the resource the event is about, after the change.
type EventData struct {
	Object json.RawMessage `json:"object" doc:"The resource after the change (a payment, invoice, allocation or top-up), with the field names of the API"`
}

// EventPage is a slice of the feed: poll again with after=next_after.
type EventPage struct {
	Data      []Event `json:"data"`
	NextAfter int64   `json:"next_after" doc:"The sequence to pass as after next time: the last one of this page, or after itself when the page is empty"`
	HasMore   bool    `json:"has_more" doc:"More events are waiting after next_after"`
}

// EventOut renders an outbox event as the feed and webhook deliveries carry it.
func EventOut(e *finapp.Event) Event {
	obj := json.RawMessage(e.Payload)
	if !json.Valid(obj) {
		obj = json.RawMessage("null")
	}
	return Event{ID: e.ID, Type: e.Type, Sequence: e.Sequence, CreatedAt: e.At.UTC(), Data: EventData{Object: obj}}
}

func (h *handlers) registerEvents(api huma.API) {
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
			out.Body.Data = make([]Event, 0, len(list))
			out.Body.NextAfter = in.After
			for _, e := range list {
				out.Body.Data = append(out.Body.Data, EventOut(e))
				out.Body.NextAfter = e.Sequence
			}
			return out, nil
		})
}
