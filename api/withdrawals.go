package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Withdrawal is prepaid credit paid back out to a customer.
type Withdrawal struct {
	ID             string     `json:"id" example:"wd_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	OrganizationID string     `json:"organization_id"`
	Amount         string     `json:"amount" pattern:"^[0-9]+(\\.[0-9]+)?$"`
	Currency       string     `json:"currency" pattern:"^[A-Z]{3}$"`
	Method         string     `json:"method" doc:"How the money went out"`
	Reference      string     `json:"reference"`
	Reason         string     `json:"reason"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	ReversedAt     *time.Time `json:"reversed_at" doc:"Set when the money came back; the withdrawal stays, reversed"`
	ReversedBy     string     `json:"reversed_by,omitempty"`
	ReversalReason string     `json:"reversal_reason,omitempty"`
}

func withdrawalOut(w *finapp.Withdrawal) Withdrawal {
	return Withdrawal{ID: w.ID, OrganizationID: w.OrganizationID, Amount: money.Format(w.Amount, w.Currency), Currency: string(w.Currency),
		Method: w.Method, Reference: w.Reference, Reason: w.Reason, CreatedBy: w.CreatedBy, CreatedAt: w.CreatedAt,
		ReversedAt: w.ReversedAt, ReversedBy: w.ReversedBy, ReversalReason: w.ReversalReason}
}

type withdrawalOutput struct{ Body Withdrawal }

type withdrawalListOutput struct {
	Body struct {
		Data       []Withdrawal `json:"data"`
		NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

func (h *handlers) registerWithdrawals(api huma.API) {
	tags := []string{"Prepaid credit"}
	huma.Register(api, huma.Operation{OperationID: "create-withdrawal", Method: http.MethodPost,
		Path: "/v1/organizations/{id}/withdrawals", Summary: "Pay part of a customer's credit back out", Tags: tags,
		DefaultStatus: http.StatusCreated,
		Description: "Posts credit:<org> → cash:<method>. Only the customer's own money: refused `409 insufficient_credit` " +
			"when the amount is more than its balance less what is reserved (the credit limit cannot be withdrawn); a " +
			"currency the customer has no credit in is refused 422 naming `currency`. A withdrawal is never deleted: " +
			"a reversal is its counter-entry."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Amount    string `json:"amount" maxLength:"40" example:"50.00"`
				Currency  string `json:"currency" maxLength:"3" example:"SGD"`
				Method    string `json:"method" doc:"How the money goes out (bank_transfer, cash…)"`
				Reference string `json:"reference,omitempty" maxLength:"200" doc:"The bank's reference of the transfer"`
				Reason    string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the credit is paid out (account closed…)"`
			}
		}) (*created[Withdrawal], error) {
			b := in.Body
			w, err := h.svc.Withdraw(ctx, in.ID, finapp.WithdrawalCreate{Amount: b.Amount, Currency: b.Currency, Method: b.Method,
				Reference: b.Reference, Reason: b.Reason})
			if err != nil {
				return nil, problem(err)
			}
			return &created[Withdrawal]{Location: "/v1/withdrawals/" + w.ID, Body: withdrawalOut(w)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-withdrawals", Method: http.MethodGet,
		Path: "/v1/organizations/{id}/withdrawals", Summary: "A customer's withdrawals, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
			PageQuery
		}) (*withdrawalListOutput, error) {
			list, next, err := h.svc.ListWithdrawals(ctx, finapp.WithdrawalFilter{OrganizationID: in.ID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &withdrawalListOutput{}
			out.Body.Data = make([]Withdrawal, 0, len(list))
			for _, w := range list {
				out.Body.Data = append(out.Body.Data, withdrawalOut(w))
			}
			out.Body.NextCursor = next
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-withdrawal", Method: http.MethodGet, Path: "/v1/withdrawals/{id}",
		Summary: "A withdrawal", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*withdrawalOutput, error) {
			w, err := h.svc.GetWithdrawal(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &withdrawalOutput{Body: withdrawalOut(w)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "reverse-withdrawal", Method: http.MethodPost, Path: "/v1/withdrawals/{id}/reversal",
		Summary: "Record that a withdrawal's money came back", Tags: tags,
		Description: "The counter-entry (cash:<method> → credit:<org>) puts the money back into the customer's credit; the " +
			"withdrawal stays, reversed. A withdrawal is reversed once (409 conflict)."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why (the bank returned the transfer…)"`
			}
		}) (*withdrawalOutput, error) {
			w, err := h.svc.ReverseWithdrawal(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, problem(err)
			}
			return &withdrawalOutput{Body: withdrawalOut(w)}, nil
		})
}
