package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// CreditSettings are a customer's payment settings (SPEC §6.3).
type CreditSettings struct {
	OrganizationID string            `json:"organization_id"`
	BillingMode    string            `json:"billing_mode" enum:"prepaid,postpaid"`
	CreditLimit    map[string]string `json:"credit_limit" doc:"By currency code: how far below zero the customer's credit may go (usable credit = balance - reserved + credit limit); a currency left out has none"`
	AutoTopUp      AutoTopUp         `json:"auto_top_up"`
	UpdatedAt      *time.Time        `json:"updated_at,omitempty" doc:"Absent while the customer has the defaults (postpaid, no credit limit, no automatic top-up)"`
}

// AutoTopUp is a customer's automatic top-up.
type AutoTopUp struct {
	Enabled   bool   `json:"enabled"`
	Currency  string `json:"currency,omitempty" example:"SGD"`
	Threshold string `json:"threshold,omitempty" example:"20.00" doc:"A top-up invoice is issued when usable credit falls below this"`
	Amount    string `json:"amount,omitempty" example:"100.00" doc:"The top-up invoice's total"`
}

// CreditSettingsInput is the body of PUT /v1/organizations/{id}/settings.
type CreditSettingsInput struct {
	BillingMode string            `json:"billing_mode" enum:"prepaid,postpaid"`
	CreditLimit map[string]string `json:"credit_limit,omitempty" doc:"By currency code, a decimal string of at least 0"`
	AutoTopUp   AutoTopUpInput    `json:"auto_top_up,omitempty"`
}

// AutoTopUpInput is the automatic top-up in a PUT.
type AutoTopUpInput struct {
	Enabled   bool   `json:"enabled,omitempty" doc:"Only for a prepaid customer"`
	Currency  string `json:"currency,omitempty" maxLength:"3" doc:"Default: the customer's billing currency"`
	Threshold string `json:"threshold,omitempty" maxLength:"40" example:"20.00" doc:"Default 0"`
	Amount    string `json:"amount,omitempty" maxLength:"40" example:"100.00" doc:"Required when enabled; more than 0"`
}

func creditSettingsOut(orgID string, st finapp.CreditSettings) CreditSettings {
	out := CreditSettings{OrganizationID: orgID, BillingMode: st.BillingMode, CreditLimit: map[string]string{},
		AutoTopUp: AutoTopUp{Enabled: st.AutoTopUp.Enabled}}
	for c, a := range st.CreditLimits {
		out.CreditLimit[string(c)] = money.Format(a, c)
	}
	if c := st.AutoTopUp.Currency; c != "" {
		out.AutoTopUp.Currency = string(c)
		out.AutoTopUp.Threshold = money.Format(st.AutoTopUp.Threshold, c)
		out.AutoTopUp.Amount = money.Format(st.AutoTopUp.Amount, c)
	}
	if !st.UpdatedAt.IsZero() {
		out.UpdatedAt = &st.UpdatedAt
	}
	return out
}

func (h *handlers) registerCredit(api huma.API) {
	tags := []string{"Organizations"}
	huma.Register(api, huma.Operation{OperationID: "get-organization-settings", Method: http.MethodGet,
		Path: "/v1/organizations/{id}/settings", Summary: "A customer's payment settings", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body CreditSettings }, error) {
			st, err := h.svc.CreditSettings(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body CreditSettings }{Body: creditSettingsOut(in.ID, st)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "set-organization-settings", Method: http.MethodPut,
		Path: "/v1/organizations/{id}/settings", Summary: "Replace a customer's payment settings (audited)", Tags: tags,
		Description: "Billing mode, credit limit per currency and automatic top-up, replaced whole: what the body leaves " +
			"out goes back to its default. The audit trail keeps what they were and what they became " +
			"(GET /v1/audit?entity_id={id})."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           CreditSettingsInput
		}) (*struct{ Body CreditSettings }, error) {
			b := in.Body
			st, err := h.svc.SetCreditSettings(ctx, in.ID, finapp.CreditSettingsInput{BillingMode: b.BillingMode,
				CreditLimits: b.CreditLimit, AutoTopUp: finapp.AutoTopUpInput{Enabled: b.AutoTopUp.Enabled,
					Currency: b.AutoTopUp.Currency, Threshold: b.AutoTopUp.Threshold, Amount: b.AutoTopUp.Amount}})
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body CreditSettings }{Body: creditSettingsOut(in.ID, st)}, nil
		})
}

// CreditFigure is a customer's credit in one currency.
type CreditFigure struct {
	Currency    string `json:"currency" example:"SGD"`
	Balance     string `json:"balance" doc:"The prepaid credit balance (credit:<organization>)"`
	Reserved    string `json:"reserved" doc:"Held by open reservations not yet expired"`
	CreditLimit string `json:"credit_limit" doc:"How far below zero the credit may go"`
	Usable      string `json:"usable" doc:"balance - reserved + credit_limit: what a reservation or withdrawal may take"`
}

// Credit is a customer's credit, per currency.
type Credit struct {
	OrganizationID string         `json:"organization_id"`
	Credit         []CreditFigure `json:"credit" doc:"One per currency the customer has credit, reservations or a credit limit in, by code"`
}

// Reservation holds part of a customer's usable credit.
type Reservation struct {
	ID             string     `json:"id" example:"rsv_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	OrganizationID string     `json:"organization_id"`
	Currency       string     `json:"currency"`
	Amount         string     `json:"amount" doc:"Reserved"`
	Captured       string     `json:"captured" doc:"Charged by the capture (0 unless captured)"`
	Status         string     `json:"status" enum:"open,captured,released,expired"`
	Reference      string     `json:"reference"`
	ExpiresAt      time.Time  `json:"expires_at"`
	CreatedAt      time.Time  `json:"created_at"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
}

func reservationOut(r *finapp.Reservation, now time.Time) Reservation {
	return Reservation{ID: r.ID, OrganizationID: r.OrganizationID, Currency: string(r.Currency), Amount: money.Format(r.Amount, r.Currency),
		Captured: money.Format(r.Captured, r.Currency), Status: r.StatusAt(now), Reference: r.Reference, ExpiresAt: r.ExpiresAt,
		CreatedAt: r.CreatedAt, ClosedAt: r.ClosedAt}
}

func (h *handlers) registerReservations(api huma.API) {
	tags := []string{"Prepaid credit"}
	huma.Register(api, huma.Operation{OperationID: "get-organization-credit", Method: http.MethodGet,
		Path: "/v1/organizations/{id}/credit", Summary: "A customer's credit: balance, reserved, credit limit, usable", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body Credit }, error) {
			figures, err := h.svc.Credit(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			out := Credit{OrganizationID: in.ID, Credit: []CreditFigure{}}
			for _, f := range figures {
				c := f.Currency
				out.Credit = append(out.Credit, CreditFigure{Currency: string(c), Balance: f.Balance.Format(c), Reserved: f.Reserved.Format(c),
					CreditLimit: money.Format(f.CreditLimit, c), Usable: f.Usable.Format(c)})
			}
			return &struct{ Body Credit }{Body: out}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "create-reservation", Method: http.MethodPost,
		Path: "/v1/organizations/{id}/reservations", Summary: "Reserve part of a customer's usable credit", Tags: tags,
		DefaultStatus: http.StatusCreated,
		Description: "What a rating engine calls before a chargeable call or message. Refused `409 insufficient_credit` " +
			"when the amount is more than the customer's usable credit in the currency; never overdrawn, however many " +
			"reservations arrive at once. An open reservation releases itself when it expires."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Amount    string `json:"amount" maxLength:"40" example:"1.20"`
				Currency  string `json:"currency" maxLength:"3" example:"SGD"`
				Reference string `json:"reference,omitempty" maxLength:"200" doc:"The rating engine's id of the call or session"`
				ExpiresIn int    `json:"expires_in,omitempty" minimum:"1" maximum:"2592000" doc:"Seconds until it releases itself (default 3600)"`
			}
		}) (*created[Reservation], error) {
			r, err := h.svc.Reserve(ctx, in.ID, finapp.ReservationCreate{Amount: in.Body.Amount, Currency: in.Body.Currency,
				Reference: in.Body.Reference, ExpiresIn: in.Body.ExpiresIn})
			if err != nil {
				return nil, problem(err)
			}
			return &created[Reservation]{ETag: etag(r.Version), Location: "/v1/reservations/" + r.ID, Body: reservationOut(r, h.svc.Now())}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-reservations", Method: http.MethodGet,
		Path: "/v1/organizations/{id}/reservations", Summary: "A customer's reservations, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			ID     string `path:"id"`
			Status string `query:"status" doc:"open, captured, released or expired"`
			PageQuery
		}) (*struct {
			Body struct {
				Data       []Reservation `json:"data"`
				NextCursor string        `json:"next_cursor,omitempty"`
			}
		}, error) {
			list, next, err := h.svc.ListReservations(ctx, finapp.ReservationFilter{OrganizationID: in.ID, Status: in.Status,
				Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data       []Reservation `json:"data"`
					NextCursor string        `json:"next_cursor,omitempty"`
				}
			}{}
			out.Body.Data = make([]Reservation, 0, len(list))
			now := h.svc.Now()
			for _, r := range list {
				out.Body.Data = append(out.Body.Data, reservationOut(r, now))
			}
			out.Body.NextCursor = next
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-reservation", Method: http.MethodGet,
		Path: "/v1/reservations/{id}", Summary: "A reservation", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body Reservation }, error) {
			r, err := h.svc.GetReservation(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Reservation }{Body: reservationOut(r, h.svc.Now())}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "capture-reservation", Method: http.MethodPost,
		Path: "/v1/reservations/{id}/capture", Summary: "Charge a reservation (credit → revenue), releasing the rest", Tags: tags,
		Description: "The amount may be at most the reserved amount. A reservation captured, released or expired before is " +
			"refused `409 reservation_closed`."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Amount string `json:"amount" maxLength:"40" example:"0.85"`
			}
		}) (*struct{ Body Reservation }, error) {
			r, err := h.svc.CaptureReservation(ctx, in.ID, in.Body.Amount)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Reservation }{Body: reservationOut(r, h.svc.Now())}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "release-reservation", Method: http.MethodDelete,
		Path: "/v1/reservations/{id}", Summary: "Release a reservation without charging", Tags: tags,
		Description: "A reservation captured, released or expired before is refused `409 reservation_closed`."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*struct{ Body Reservation }, error) {
			r, err := h.svc.ReleaseReservation(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Reservation }{Body: reservationOut(r, h.svc.Now())}, nil
		})
}
