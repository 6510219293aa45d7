package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// The histories of a payment and of an invoice, a page at a time: their detail views carry only
// the latest finapp.DetailHistoryLimit of each, so that no answer grows with the age of the books.

type allocationListOutput struct {
	Body struct {
		Data       []Allocation `json:"data"`
		NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

type applicationListOutput struct {
	Body struct {
		Data       []CreditNoteApplication `json:"data"`
		NextCursor string                  `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

type topUpListOutput struct {
	Body struct {
		Data       []TopUp `json:"data"`
		NextCursor string  `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

func (h *handlers) registerHistories(api huma.API) {
	allocations := func(ctx context.Context, f finapp.AllocationFilter) (*allocationListOutput, error) {
		list, next, err := h.svc.ListAllocations(ctx, f)
		if err != nil {
			return nil, problem(err)
		}
		out := &allocationListOutput{}
		out.Body.Data = allocationsOut(list)
		if out.Body.Data == nil {
			out.Body.Data = []Allocation{}
		}
		out.Body.NextCursor = next
		return out, nil
	}
	huma.Register(api, huma.Operation{OperationID: "list-payment-allocations", Method: http.MethodGet, Path: "/v1/payments/{id}/allocations",
		Summary: "A payment's allocations, released ones too, newest first", Tags: []string{"Payments"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*allocationListOutput, error) {
			return allocations(ctx, finapp.AllocationFilter{PaymentID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
		})
	huma.Register(api, huma.Operation{OperationID: "list-invoice-allocations", Method: http.MethodGet, Path: "/v1/invoices/{id}/allocations",
		Summary: "The allocations to an invoice, released ones too, newest first", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*allocationListOutput, error) {
			return allocations(ctx, finapp.AllocationFilter{InvoiceID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
		})
	huma.Register(api, huma.Operation{OperationID: "list-credit-note-applications", Method: http.MethodGet, Path: "/v1/credit-notes/{id}/applications",
		Summary: "What a credit note was applied to, released applications too, newest first", Tags: []string{"Credit notes"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*applicationListOutput, error) {
			list, next, err := h.svc.ListCreditNoteApplications(ctx, finapp.CreditNoteApplicationFilter{CreditNoteID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &applicationListOutput{}
			out.Body.Data = applicationsOut(list)
			if out.Body.Data == nil {
				out.Body.Data = []CreditNoteApplication{}
			}
			out.Body.NextCursor = next
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-payment-top-ups", Method: http.MethodGet, Path: "/v1/payments/{id}/top-ups",
		Summary: "A payment's top-ups of prepaid credit, newest first", Tags: []string{"Payments"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*topUpListOutput, error) {
			list, next, err := h.svc.ListTopUps(ctx, finapp.TopUpFilter{PaymentID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &topUpListOutput{}
			out.Body.Data = make([]TopUp, 0, len(list))
			for _, t := range list {
				out.Body.Data = append(out.Body.Data, topUpOut(t))
			}
			out.Body.NextCursor = next
			return out, nil
		})
}
