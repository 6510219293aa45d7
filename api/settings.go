package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
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
