package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// AgingRow is the amount due of one organization (or, in totals, of everyone) in one currency,
// per bucket of days past due.
type AgingRow struct {
	OrganizationID   string            `json:"organization_id,omitempty"`
	OrganizationName string            `json:"organization_name,omitempty"`
	Currency         string            `json:"currency"`
	Buckets          map[string]string `json:"buckets" doc:"current, 1_30, 31_60, 61_90, over_90 days past due"`
	Total            string            `json:"total"`
}

func agingRowOut(r *finapp.AgingRow) AgingRow {
	out := AgingRow{OrganizationID: r.OrganizationID, OrganizationName: r.OrganizationName, Currency: string(r.Currency),
		Buckets: map[string]string{}, Total: money.Format(r.Total, r.Currency)}
	for b, a := range r.Buckets {
		out.Buckets[b] = money.Format(a, r.Currency)
	}
	return out
}

// ReceiptGroup is money received in one group and currency.
type ReceiptGroup struct {
	Key      string `json:"key" doc:"The day (YYYY-MM-DD), month (YYYY-MM) or method"`
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
	Count    int    `json:"count"`
}

func (h *handlers) registerReports(api huma.API) {
	tags := []string{"Reports"}
	huma.Register(api, huma.Operation{OperationID: "aging-report", Method: http.MethodGet, Path: "/v1/reports/aging",
		Summary: "Accounts-receivable aging as of a date", Tags: tags},
		func(ctx context.Context, in *struct {
			AsOf string `query:"as_of" doc:"YYYY-MM-DD, default today"`
		}) (*struct {
			Body struct {
				AsOf   string     `json:"as_of"`
				Rows   []AgingRow `json:"rows"`
				Totals []AgingRow `json:"totals"`
			}
		}, error) {
			r, err := h.svc.Aging(ctx, in.AsOf)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					AsOf   string     `json:"as_of"`
					Rows   []AgingRow `json:"rows"`
					Totals []AgingRow `json:"totals"`
				}
			}{}
			out.Body.AsOf = r.AsOf
			out.Body.Rows, out.Body.Totals = []AgingRow{}, []AgingRow{}
			for _, row := range r.Rows {
				out.Body.Rows = append(out.Body.Rows, agingRowOut(row))
			}
			for _, t := range r.Totals {
				out.Body.Totals = append(out.Body.Totals, agingRowOut(t))
			}
			sort.Slice(out.Body.Totals, func(i, j int) bool { return out.Body.Totals[i].Currency < out.Body.Totals[j].Currency })
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "receipts-report", Method: http.MethodGet, Path: "/v1/reports/receipts",
		Summary: "Money received, by day, month or method", Tags: tags},
		func(ctx context.Context, in *struct {
			From    string `query:"from" doc:"YYYY-MM-DD, inclusive"`
			To      string `query:"to" doc:"YYYY-MM-DD, inclusive"`
			GroupBy string `query:"group_by" doc:"day (default), month or method"`
		}) (*struct {
			Body struct {
				GroupBy string         `json:"group_by"`
				Groups  []ReceiptGroup `json:"groups"`
			}
		}, error) {
			groups, err := h.svc.Receipts(ctx, in.From, in.To, in.GroupBy)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					GroupBy string         `json:"group_by"`
					Groups  []ReceiptGroup `json:"groups"`
				}
			}{}
			out.Body.GroupBy = in.GroupBy
			if out.Body.GroupBy == "" {
				out.Body.GroupBy = "day"
			}
			out.Body.Groups = []ReceiptGroup{}
			for _, g := range groups {
				out.Body.Groups = append(out.Body.Groups, ReceiptGroup{Key: g.Key, Currency: string(g.Currency), Amount: money.Format(g.Amount, g.Currency), Count: g.Count})
			}
			return out, nil
		})
}
