package api

import (
	"context"
	"net/http"

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
