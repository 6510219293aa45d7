package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// AuditEvent is one entry of the append-only, hash-chained audit trail.
type AuditEvent struct {
	ID       string    `json:"id"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor" doc:"user:<email> or token:<name>"`
	Source   string    `json:"source" doc:"The client's network address"`
	Action   string    `json:"action"`
	Entity   string    `json:"entity"`
	EntityID string    `json:"entity_id"`
	Before   string    `json:"before" doc:"JSON snapshot before the change; empty on creation"`
	After    string    `json:"after" doc:"JSON snapshot after the change"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// AuditPage is one page of the audit trail.
type AuditPage struct {
	Data       []AuditEvent `json:"data"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

func (h *handlers) registerLedger(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "list-audit", Method: http.MethodGet, Path: "/v1/audit",
		Summary: "The audit trail, newest first", Tags: []string{"Audit"}},
		func(ctx context.Context, in *struct {
			EntityID string `query:"entity_id"`
			PageQuery
		}) (*struct{ Body AuditPage }, error) {
			list, next, err := h.svc.ListAudit(ctx, finapp.AuditFilter{EntityID: in.EntityID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &struct{ Body AuditPage }{}
			out.Body.Data = make([]AuditEvent, 0, len(list))
			for _, e := range list {
				out.Body.Data = append(out.Body.Data, AuditEvent{ID: e.ID, At: e.At, Actor: e.Actor, Source: e.Source, Action: e.Action, Entity: e.Entity,
					EntityID: e.EntityID, Before: e.Before, After: e.After, PrevHash: e.PrevHash, Hash: e.Hash})
			}
			out.Body.NextCursor = next
			return out, nil
		})

}
