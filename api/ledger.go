package api

import (
	"bytes"
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/hledger"
	"finapp/money"
)

// JournalLine is one line of a journal entry: debit positive, credit negative.
type JournalLine struct {
	Account  string `json:"account"`
	Currency string `json:"currency"`
	Amount   string `json:"amount" doc:"Debit positive, credit negative"`
}

// JournalEntry is one balanced money movement.
type JournalEntry struct {
	ID        string        `json:"id"`
	At        time.Time     `json:"at"`
	Operation string        `json:"operation"`
	EntityID  string        `json:"entity_id"`
	Lines     []JournalLine `json:"lines"`
}

func journalOut(list []*finapp.JournalEntry) []JournalEntry {
	out := make([]JournalEntry, 0, len(list))
	for _, e := range list {
		je := JournalEntry{ID: e.ID, At: e.At, Operation: e.Operation, EntityID: e.EntityID}
		for _, l := range e.Lines {
			je.Lines = append(je.Lines, JournalLine{Account: l.Account, Currency: string(l.Currency), Amount: money.Format(l.Amount, l.Currency)})
		}
		out = append(out, je)
	}
	return out
}

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

// Statement is a customer's journal lines over a date range.
type Statement struct {
	OrganizationID string         `json:"organization_id"`
	From           string         `json:"from,omitempty"`
	To             string         `json:"to,omitempty"`
	Entries        []JournalEntry `json:"entries"`
}

// AuditPage is one page of the audit trail.
type AuditPage struct {
	Data       []AuditEvent `json:"data"`
	NextCursor string       `json:"next_cursor,omitempty"`
}

func (h *handlers) registerLedger(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "get-statement", Method: http.MethodGet, Path: "/v1/organizations/{id}/statement",
		Summary: "Customer statement: the journal lines of the organization's accounts", Tags: []string{"Organizations"}},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			From string `query:"from" doc:"YYYY-MM-DD, inclusive"`
			To   string `query:"to" doc:"YYYY-MM-DD, inclusive"`
		}) (*struct{ Body Statement }, error) {
			st, err := h.svc.GetStatement(ctx, in.ID, in.From, in.To)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Statement }{Body: Statement{OrganizationID: st.Organization.ID, From: st.From, To: st.To, Entries: journalOut(st.Entries)}}, nil
		})

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

	huma.Register(api, huma.Operation{OperationID: "export-journal", Method: http.MethodGet, Path: "/v1/journal/export",
		Summary: "Export the journal for accounting tools (hledger / ledger format)", Tags: []string{"Ledger"}},
		func(ctx context.Context, in *struct {
			Format string `query:"format" enum:"ledger" default:"ledger"`
		}) (*struct {
			ContentType        string `header:"Content-Type"`
			ContentDisposition string `header:"Content-Disposition"`
			Body               []byte
		}, error) {
			entries, err := h.svc.Journal(ctx)
			if err != nil {
				return nil, problem(err)
			}
			var buf bytes.Buffer
			if err := hledger.Write(&buf, entries); err != nil {
				return nil, problem(err)
			}
			return &struct {
				ContentType        string `header:"Content-Type"`
				ContentDisposition string `header:"Content-Disposition"`
				Body               []byte
			}{"text/plain; charset=utf-8", `attachment; filename="finapp.journal"`, buf.Bytes()}, nil
		})
}
