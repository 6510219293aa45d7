package api

import (
	"context"
	"net/http"
	"sort"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// AgingRow is the amount due of one organization (or, in totals, of everyone) in one currency,
// per bucket of days past due.
type AgingRow struct {
	OrganizationID   string       `json:"organization_id,omitempty"`
	OrganizationName string       `json:"organization_name,omitempty"`
	Currency         string       `json:"currency" pattern:"^[A-Z]{3}$"`
	Buckets          AgingBuckets `json:"buckets"`
	Total            string       `json:"total" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
}

// AgingBuckets is an amount per bucket of days past due. A struct rather than a map (the JSON is
// the same): the report has a row per organization owing money, 68,000 of them in the benchmark,
// and a map of five entries per row is several times the size of five strings.
type AgingBuckets struct {
	Current string `json:"current" doc:"Not yet due, or due on the as-of date"`
	Days30  string `json:"1_30" doc:"1 to 30 days past due"`
	Days60  string `json:"31_60" doc:"31 to 60 days past due"`
	Days90  string `json:"61_90" doc:"61 to 90 days past due"`
	Over90  string `json:"over_90" doc:"More than 90 days past due"`
}

func agingRowOut(r *finapp.AgingRow) AgingRow {
	f := func(bucket string) string { return r.Buckets[bucket].Format(r.Currency) }
	return AgingRow{OrganizationID: r.OrganizationID, OrganizationName: r.OrganizationName, Currency: string(r.Currency),
		Buckets: AgingBuckets{Current: f("current"), Days30: f("1_30"), Days60: f("31_60"), Days90: f("61_90"), Over90: f("over_90")},
		Total:   r.Total.Format(r.Currency)}
}

// ReceiptGroup is money received in one group and currency.
type ReceiptGroup struct {
	Key      string `json:"key" doc:"The day (YYYY-MM-DD), month (YYYY-MM) or method"`
	Currency string `json:"currency" pattern:"^[A-Z]{3}$"`
	Amount   string `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Count    int    `json:"count"`
}

func (h *handlers) registerReports(api huma.API) {
	tags := []string{"Reports"}
	huma.Register(api, huma.Operation{OperationID: "aging-report", Method: http.MethodGet, Path: "/v1/reports/aging",
		Summary: "Accounts-receivable aging as of a date", Tags: tags},
		func(ctx context.Context, in *struct {
			AsOf string `query:"as_of" doc:"YYYY-MM-DD, default today" format:"date"`
		}) (*struct {
			Body struct {
				AsOf   string     `json:"as_of" format:"date"`
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
					AsOf   string     `json:"as_of" format:"date"`
					Rows   []AgingRow `json:"rows"`
					Totals []AgingRow `json:"totals"`
				}
			}{}
			out.Body.AsOf = r.AsOf
			out.Body.Rows, out.Body.Totals = make([]AgingRow, 0, len(r.Rows)), []AgingRow{}
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
			From    string `query:"from" doc:"YYYY-MM-DD, inclusive" format:"date"`
			To      string `query:"to" doc:"YYYY-MM-DD, inclusive" format:"date"`
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
				out.Body.Groups = append(out.Body.Groups, ReceiptGroup{Key: g.Key, Currency: string(g.Currency), Amount: g.Amount.Format(g.Currency), Count: g.Count})
			}
			return out, nil
		})
}
