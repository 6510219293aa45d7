package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Settings are the workspace's settings.
type Settings struct {
	TimeZone        string `json:"time_zone" example:"Asia/Singapore" doc:"IANA time zone of the workspace's business days: every today (default dates, overdue, aging, reminders) is the date there"`
	BaseCurrency    string `json:"base_currency,omitempty" example:"SGD" doc:"ISO 4217 code of the currency the books report in"`
	FiscalYearStart string `json:"fiscal_year_start" example:"04-01" doc:"First day of the fiscal year, MM-DD"`
	Today           string `json:"today" readOnly:"true" format:"date" doc:"The workspace's business day now"`
}

func (h *handlers) registerSettings(api huma.API) {
	tags := []string{"Settings"}
	huma.Register(api, huma.Operation{OperationID: "get-settings", Method: http.MethodGet, Path: "/v1/settings",
		Summary: "The workspace's settings", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct{ Body Settings }, error) {
			st, err := h.svc.Settings(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Settings }{Body: Settings{TimeZone: st.TimeZone, BaseCurrency: st.BaseCurrency, FiscalYearStart: st.FiscalYearStart,
				Today: h.svc.Today(ctx)}}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "set-settings", Method: http.MethodPut, Path: "/v1/settings",
		Summary: "Change the workspace's settings (admin, audited)", Tags: tags},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				TimeZone        string `json:"time_zone" maxLength:"64"`
				BaseCurrency    string `json:"base_currency,omitempty" maxLength:"3"`
				FiscalYearStart string `json:"fiscal_year_start,omitempty" maxLength:"5" doc:"MM-DD, default 01-01"`
			}
		}) (*struct{ Body Settings }, error) {
			st, err := h.svc.SetSettings(ctx, finapp.Settings{TimeZone: in.Body.TimeZone, BaseCurrency: in.Body.BaseCurrency, FiscalYearStart: in.Body.FiscalYearStart})
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Settings }{Body: Settings{TimeZone: st.TimeZone, BaseCurrency: st.BaseCurrency, FiscalYearStart: st.FiscalYearStart,
				Today: h.svc.Today(ctx)}}, nil
		})
}

// Tolerance is the largest write-off an invoice in a currency may carry in total.
type Tolerance struct {
	Currency string `json:"currency" pattern:"^[A-Z]{3}$" example:"SGD"`
	Amount   string `json:"amount" example:"5.00" pattern:"^[0-9]+(\\.[0-9]+)?$" doc:"0 tolerates none"`
}

// Tolerances are the workspace's write-off tolerances.
type Tolerances struct {
	Tolerances []Tolerance `json:"tolerances" doc:"Per currency; a currency not listed tolerates no write-off"`
}

// ToleranceInput is one currency's tolerance in a PUT.
type ToleranceInput struct {
	Currency string `json:"currency" maxLength:"3"`
	Amount   string `json:"amount" maxLength:"40" example:"5.00"`
}

func tolerancesOut(list []finapp.Tolerance) Tolerances {
	out := Tolerances{Tolerances: []Tolerance{}}
	for _, t := range list {
		out.Tolerances = append(out.Tolerances, Tolerance{Currency: string(t.Currency), Amount: money.Format(t.Amount, t.Currency)})
	}
	return out
}

func (h *handlers) registerTolerances(api huma.API) {
	tags := []string{"Settings"}
	huma.Register(api, huma.Operation{OperationID: "get-tolerances", Method: http.MethodGet, Path: "/v1/settings/tolerances",
		Summary: "The workspace's write-off tolerances", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct{ Body Tolerances }, error) {
			list, err := h.svc.Tolerances(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Tolerances }{Body: tolerancesOut(list)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "set-tolerances", Method: http.MethodPut, Path: "/v1/settings/tolerances",
		Summary: "Replace the workspace's write-off tolerances (admin, audited)", Tags: tags,
		Description: "A write-off line of an allocation is refused `over_tolerance` when the invoice's write-offs would exceed its currency's tolerance. Currencies left out go back to tolerating none."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Tolerances []ToleranceInput `json:"tolerances" maxItems:"200"`
			}
		}) (*struct{ Body Tolerances }, error) {
			var list []finapp.ToleranceInput
			for _, t := range in.Body.Tolerances {
				list = append(list, finapp.ToleranceInput{Currency: t.Currency, Amount: t.Amount})
			}
			out, err := h.svc.SetTolerances(ctx, list)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body Tolerances }{Body: tolerancesOut(out)}, nil
		})
}
