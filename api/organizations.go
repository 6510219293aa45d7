package api

import (
	"context"
	"net/http"
	"sort"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Money is an amount with its currency, as a decimal string.
type Money struct {
	Amount   string `json:"amount" example:"1234.50" doc:"Decimal string with the currency's minor digits" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency string `json:"currency" example:"SGD" pattern:"^[A-Z]{3}$"`
}

func moneyList(m map[money.Currency]money.Sum) []Money {
	out := []Money{}
	for c, a := range m {
		out = append(out, Money{a.Format(c), string(c)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Currency < out[j].Currency })
	return out
}

// Organization is a customer with its balances from the journal.
type Organization struct {
	ID              string       `json:"id" example:"org_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Name            string       `json:"name"`
	BillingCurrency string       `json:"billing_currency" pattern:"^[A-Z]{3}$"`
	Status          string       `json:"status"`
	CreatedAt       time.Time    `json:"created_at"`
	Version         int          `json:"version"`
	ExternalID      string       `json:"external_id,omitempty" doc:"The billing system's id for the customer, unique in the workspace"`
	Metadata        Metadata     `json:"metadata"`
	Outstanding     []Money      `json:"outstanding" doc:"Sum of amounts due on its invoices, per currency"`
	Unapplied       []Money      `json:"unapplied" doc:"Its payments' money not yet allocated or topped up, per currency"`
	CreditBalance   []Money      `json:"credit_balance" doc:"Prepaid credit, per currency"`
	UsableCredit    []Money      `json:"usable_credit" doc:"credit_balance - reserved + credit limit, per currency (GET /v1/organizations/{id}/credit has the parts)"`
	CreditNotes     []Money      `json:"credit_notes_remaining" doc:"What its credit notes have left to apply, refund or move into credit, per currency"`
	Differences     *Differences `json:"differences,omitempty" doc:"What settled its invoices or money other than by allocation (the organization's own page; not in lists)"`
}

// Differences are what each way of settling a difference did for a customer, per currency.
type Differences struct {
	WrittenOff []Money `json:"written_off" doc:"Write-offs standing on its invoices"`
	BankFees   []Money `json:"bank_fees" doc:"Bank fees standing on its invoices"`
	Discounts  []Money `json:"discounts" doc:"Discounts standing on its invoices"`
	Refunded   []Money `json:"refunded" doc:"Its money paid back by refunds not reversed, of payments and of credit notes"`
	Credited   []Money `json:"credited" doc:"Its credit notes not void"`
}

func differencesOut(d finapp.Differences) *Differences {
	if d == nil {
		return nil
	}
	return &Differences{WrittenOff: moneyList(d[finapp.AdjustWriteOff]), BankFees: moneyList(d[finapp.AdjustBankFee]),
		Discounts: moneyList(d[finapp.AdjustDiscount]), Refunded: moneyList(d[finapp.DifferenceRefunded]),
		Credited: moneyList(d[finapp.DifferenceCredited])}
}

func organizationOut(d *finapp.OrganizationDetail) Organization {
	return Organization{ID: d.ID, Name: d.Name, BillingCurrency: string(d.BillingCurrency), Status: d.Status, CreatedAt: d.CreatedAt,
		Version: d.Version, ExternalID: d.ExternalID, Metadata: metadataOut(d.Metadata), Outstanding: moneyList(d.Outstanding), Unapplied: moneyList(d.Unapplied), CreditBalance: moneyList(d.Credit),
		UsableCredit: moneyList(d.UsableCredit),
		CreditNotes:  moneyList(d.CreditNotes), Differences: differencesOut(d.Differences)}
}

type organizationOutput struct {
	ETag string `header:"ETag"`
	Body Organization
}

type organizationListOutput struct {
	Body struct {
		Data       []Organization `json:"data"`
		NextCursor string         `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

// PageQuery is the cursor pagination of every list.
type PageQuery struct {
	Limit  int    `query:"limit" doc:"Page size, 1-500 (default 50)"`
	Cursor string `query:"cursor" doc:"next_cursor of the previous page"`
}

func (h *handlers) registerOrganizations(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "create-organization", Method: http.MethodPost, Path: "/v1/organizations",
		Summary: "Create an organization (customer)", Tags: []string{"Organizations"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key" doc:"Repeats with the same key and body return the first response"`
			Body           struct {
				Name            string   `json:"name" minLength:"1" maxLength:"200"`
				BillingCurrency string   `json:"billing_currency" example:"SGD" pattern:"^[A-Z]{3}$"`
				ExternalID      string   `json:"external_id,omitempty" maxLength:"255" doc:"The billing system's id for the customer, unique in the workspace"`
				Metadata        Metadata `json:"metadata,omitempty"`
			}
		}) (*created[Organization], error) {
			o, err := h.svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: in.Body.Name, BillingCurrency: in.Body.BillingCurrency,
				ExternalID: in.Body.ExternalID, Metadata: finapp.Metadata(in.Body.Metadata)})
			if err != nil {
				return nil, problem(err)
			}
			d := &finapp.OrganizationDetail{Organization: o}
			return &created[Organization]{ETag: etag(o.Version), Location: "/v1/organizations/" + o.ID, Body: organizationOut(d)}, nil
		})

	type orgBatchItem struct {
		ExternalID      string   `json:"external_id" maxLength:"255" doc:"The billing system's id: what finds the organization when it is sent again"`
		Name            string   `json:"name,omitempty" maxLength:"200" doc:"Required for a new organization"`
		BillingCurrency string   `json:"billing_currency,omitempty" pattern:"^[A-Z]{3}$" doc:"Required for a new organization"`
		Metadata        Metadata `json:"metadata,omitempty" doc:"When sent, replaces the organization's"`
	}
	type orgBatchResult struct {
		Outcome      string       `json:"outcome" enum:"created,updated,unchanged"`
		Organization Organization `json:"organization"`
	}
	type orgBatchOutput struct {
		Body struct {
			Data []orgBatchResult `json:"data" doc:"One per item, in the order sent"`
		}
	}
	huma.Register(api, huma.Operation{OperationID: "upsert-organizations", Method: http.MethodPost, Path: "/v1/organizations/batch",
		Summary: "Create or correct up to 1,000 organizations by external id, all or nothing", Tags: []string{"Organizations"},
		Description: "Each organization is found by its external_id: corrected to the values sent when it exists (members left " +
			"empty stay), created when it does not. One refused item refuses the whole batch, with every refused item named " +
			"by index in errors[] (organizations[3].billing_currency); nothing is written. A batch sent again changes nothing."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Organizations []orgBatchItem `json:"organizations" minItems:"1" maxItems:"1000"`
			}
		}) (*orgBatchOutput, error) {
			items := make([]finapp.OrganizationUpsert, len(in.Body.Organizations))
			for i, b := range in.Body.Organizations {
				items[i] = finapp.OrganizationUpsert{ExternalID: b.ExternalID, Name: b.Name, BillingCurrency: b.BillingCurrency,
					Metadata: finapp.Metadata(b.Metadata)}
			}
			results, err := h.svc.UpsertOrganizations(ctx, items)
			if err != nil {
				return nil, problem(err)
			}
			out := &orgBatchOutput{}
			out.Body.Data = make([]orgBatchResult, len(results))
			for i, r := range results {
				out.Body.Data[i] = orgBatchResult{Outcome: r.Outcome, Organization: organizationOut(&finapp.OrganizationDetail{Organization: r.Organization})}
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-organizations", Method: http.MethodGet, Path: "/v1/organizations",
		Summary: "List organizations, newest first", Tags: []string{"Organizations"}},
		func(ctx context.Context, in *struct {
			Q          string `query:"q" doc:"Matches the name (case-insensitive substring)"`
			ExternalID string `query:"external_id" doc:"Exact external id"`
			Sort       string `query:"sort" doc:"created (the default) or name; - before it for descending order (-created is the default)"`
			PageQuery
		}) (*organizationListOutput, error) {
			sort, err := finapp.ParseSort(in.Sort, finapp.OrganizationSortKeys)
			if err != nil {
				return nil, problem(err)
			}
			list, next, err := h.svc.ListOrganizations(ctx, finapp.OrganizationFilter{Q: in.Q, ExternalID: in.ExternalID, Sort: sort, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &organizationListOutput{}
			out.Body.Data = make([]Organization, 0, len(list))
			for _, d := range list {
				out.Body.Data = append(out.Body.Data, organizationOut(d))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-organization", Method: http.MethodGet, Path: "/v1/organizations/{id}",
		Summary: "Get an organization with its balances", Tags: []string{"Organizations"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*organizationOutput, error) {
			d, err := h.svc.GetOrganization(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &organizationOutput{ETag: etag(d.Version), Body: organizationOut(d)}, nil
		})
}
