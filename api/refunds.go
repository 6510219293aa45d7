package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Refund is money a payment held unapplied, paid back to the customer.
type Refund struct {
	ID             string     `json:"id" example:"rfd_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	PaymentID      string     `json:"payment_id"`
	OrganizationID *string    `json:"organization_id" doc:"The payment's customer when refunded; null for an unassigned payment"`
	Amount         string     `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency       string     `json:"currency" pattern:"^[A-Z]{3}$"`
	Method         string     `json:"method" doc:"How the money went back"`
	Reference      string     `json:"reference"`
	Reason         string     `json:"reason"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ReversedAt     *time.Time `json:"reversed_at" doc:"Set when the money came back; the refund stays, reversed"`
	ReversedBy     string     `json:"reversed_by,omitempty"`
	ReversalReason string     `json:"reversal_reason,omitempty"`
}

func refundOut(r *finapp.Refund) Refund {
	out := Refund{ID: r.ID, PaymentID: r.PaymentID, Amount: money.Format(r.Amount, r.Currency), Currency: string(r.Currency), Method: r.Method,
		Reference: r.Reference, Reason: r.Reason, CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt, ReversedAt: r.ReversedAt,
		ReversedBy: r.ReversedBy, ReversalReason: r.ReversalReason}
	if r.OrganizationID != "" {
		id := r.OrganizationID
		out.OrganizationID = &id
	}
	return out
}

type refundOutput struct{ Body Refund }

type refundListOutput struct {
	Body struct {
		Data       []Refund `json:"data"`
		NextCursor string   `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

func (h *handlers) registerRefunds(api huma.API) {
	tags := []string{"Payments"}
	huma.Register(api, huma.Operation{OperationID: "refund-payment", Method: http.MethodPost, Path: "/v1/payments/{id}/refunds",
		Summary: "Pay back money the payment holds unapplied", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Posts unapplied:<org> → cash:<method>. Never more than the payment's unapplied money (409 over_allocation); " +
			"counted in its refunded figure. A refund is never deleted: a reversal is its counter-entry."},
		func(ctx context.Context, in *struct {
			Versioned
			Body struct {
				Amount    string `json:"amount,omitempty" doc:"Default: all of the unapplied money" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				Method    string `json:"method,omitempty" doc:"How the money goes back; default: the payment's method"`
				Reference string `json:"reference,omitempty" maxLength:"200" doc:"The bank's reference of the transfer back"`
				Reason    string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the money goes back (overpaid twice, cancelled order…)"`
			}
		}) (*created[Refund], error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			r, err := h.svc.RefundPayment(ctx, in.ID, v, finapp.RefundCreate{Amount: in.Body.Amount, Method: in.Body.Method,
				Reference: in.Body.Reference, Reason: in.Body.Reason})
			if err != nil {
				return nil, problem(err)
			}
			return &created[Refund]{Location: "/v1/refunds/" + r.ID, Body: refundOut(r)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-refunds", Method: http.MethodGet, Path: "/v1/refunds",
		Summary: "List refunds, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			PaymentID string `query:"payment_id" doc:"Only this payment's"`
			PageQuery
		}) (*refundListOutput, error) {
			list, next, err := h.svc.ListRefunds(ctx, finapp.RefundFilter{PaymentID: in.PaymentID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &refundListOutput{}
			out.Body.Data = make([]Refund, 0, len(list))
			for _, r := range list {
				out.Body.Data = append(out.Body.Data, refundOut(r))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-refund", Method: http.MethodGet, Path: "/v1/refunds/{id}",
		Summary: "Get a refund", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*refundOutput, error) {
			r, err := h.svc.GetRefund(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &refundOutput{Body: refundOut(r)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "reverse-refund", Method: http.MethodPost, Path: "/v1/refunds/{id}/reversal",
		Summary: "Record that a refund's money came back", Tags: tags,
		Description: "The counter-entry (cash:<method> → unapplied) puts the money back into the payment's unapplied money; " +
			"the refund stays, reversed. A refund is reversed once (409 conflict)."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why (the bank returned the transfer…)"`
			}
		}) (*refundOutput, error) {
			r, err := h.svc.ReverseRefund(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, problem(err)
			}
			return &refundOutput{Body: refundOut(r)}, nil
		})
}
