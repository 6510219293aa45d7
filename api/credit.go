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
