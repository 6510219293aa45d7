package api

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Invoice is an invoice with its derived amounts and flags.
type Invoice struct {
	ID               string       `json:"id" example:"inv_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Number           string       `json:"number"`
	RFReference      string       `json:"rf_reference,omitempty" doc:"ISO 11649 creditor reference for payers to quote (made from the number; absent when the number cannot be carried in one)"`
	OrganizationID   string       `json:"organization_id"`
	OrganizationName string       `json:"organization_name"`
	Kind             string       `json:"kind" enum:"standard,proforma,top_up"`
	Currency         string       `json:"currency" pattern:"^[A-Z]{3}$"`
	Total            string       `json:"total" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	AmountPaid       string       `json:"amount_paid" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Money applied to it"`
	AmountAdjusted   string       `json:"amount_adjusted" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Settled without money: write-offs, bank fees, discounts"`
	AmountDue        string       `json:"amount_due" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	IssuedOn         string       `json:"issued_on" format:"date"`
	DueOn            string       `json:"due_on" format:"date"`
	Status           string       `json:"status"`
	Overdue          bool         `json:"overdue" doc:"Past due_on with money still due"`
	ProvisionedAt    *time.Time   `json:"provisioned_at"`
	VoidedAt         *time.Time   `json:"voided_at"`
	CreatedAt        time.Time    `json:"created_at"`
	Version          int          `json:"version"`
	ExternalID       string       `json:"external_id,omitempty" doc:"The billing system's id for it, unique in the workspace"`
	Metadata         Metadata     `json:"metadata"`
	Allocations      []Allocation `json:"allocations,omitempty" doc:"Detail view: the latest 100 applications of payments to it, released ones too, oldest first"`
	AllocationsMore  bool         `json:"allocations_has_more,omitempty" doc:"Detail view: older allocations exist; GET /v1/invoices/{id}/allocations pages them all"`
}

// Metadata is free-form text a billing system keeps on a record: at most 50 keys of at most 40
// characters, values of at most 500. finapp stores and returns it; no rule reads it.
type Metadata map[string]string

func metadataOut(m finapp.Metadata) Metadata {
	if m == nil {
		return Metadata{}
	}
	return Metadata(m)
}

// TransformSchema gives the status its enum from the books' one list of invoice statuses.
func (Invoice) TransformSchema(_ huma.Registry, s *huma.Schema) *huma.Schema {
	s.Properties["status"].Enum = enum(finapp.InvoiceStatuses)
	return s
}

// enum is values as a schema's enum.
func enum(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func invoiceOut(i *finapp.Invoice, today string) Invoice {
	return Invoice{ID: i.ID, Number: i.Number, RFReference: finapp.CreditorReference(i.Number), OrganizationID: i.OrganizationID, OrganizationName: i.OrganizationName, Kind: i.Kind,
		Currency: string(i.Currency), Total: money.Format(i.Total, i.Currency), AmountPaid: money.Format(i.AmountPaid, i.Currency),
		AmountAdjusted: money.Format(i.AmountAdjusted, i.Currency),
		AmountDue:      money.Format(i.AmountDue(), i.Currency), IssuedOn: i.IssuedOn, DueOn: i.DueOn, Status: i.Status,
		Overdue: i.Overdue(today), ProvisionedAt: i.ProvisionedAt, VoidedAt: i.VoidedAt, CreatedAt: i.CreatedAt, Version: i.Version,
		ExternalID: i.ExternalID, Metadata: metadataOut(i.Metadata)}
}

type invoiceOutput struct {
	ETag string `header:"ETag"`
	Body Invoice
}

type invoiceListOutput struct {
	Body struct {
		Data       []Invoice `json:"data"`
		NextCursor string    `json:"next_cursor,omitempty"`
	}
}

func (h *handlers) registerInvoices(api huma.API) {
	huma.Register(api, huma.Operation{OperationID: "create-invoice", Method: http.MethodPost, Path: "/v1/invoices",
		Summary: "Issue an invoice", Tags: []string{"Invoices"}, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Number         string   `json:"number" minLength:"1" maxLength:"64"`
				OrganizationID string   `json:"organization_id"`
				Kind           string   `json:"kind,omitempty" enum:"standard,proforma,top_up" doc:"Default standard"`
				Currency       string   `json:"currency,omitempty" doc:"Default: the organization's billing currency" pattern:"^[A-Z]{3}$"`
				Total          string   `json:"total" example:"100.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				IssuedOn       string   `json:"issued_on,omitempty" doc:"YYYY-MM-DD, default today" format:"date"`
				DueOn          string   `json:"due_on,omitempty" doc:"YYYY-MM-DD, default the issue date" format:"date"`
				ExternalID     string   `json:"external_id,omitempty" maxLength:"255" doc:"The billing system's id for it, unique in the workspace"`
				Metadata       Metadata `json:"metadata,omitempty"`
			}
		}) (*created[Invoice], error) {
			b := in.Body
			inv, err := h.svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: b.Number, OrganizationID: b.OrganizationID, Kind: b.Kind,
				Currency: b.Currency, Total: b.Total, IssuedOn: b.IssuedOn, DueOn: b.DueOn, ExternalID: b.ExternalID, Metadata: finapp.Metadata(b.Metadata)})
			if err != nil {
				return nil, problem(err)
			}
			return &created[Invoice]{ETag: etag(inv.Version), Location: "/v1/invoices/" + inv.ID, Body: invoiceOut(inv, h.svc.Today(ctx))}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-invoices", Method: http.MethodGet, Path: "/v1/invoices",
		Summary: "Search invoices, newest first (with issued_from/issued_to: latest issue date first)", Tags: []string{"Invoices"},
		// Documented here, not by the field's tags, so that the list is the books' own; the
		// service checks the value (a 422 naming status).
		Parameters: []*huma.Param{{Name: "status", In: "query", Schema: &huma.Schema{Type: huma.TypeString},
			Description: strings.Join(finapp.InvoiceStatuses, ", ") + " or " + finapp.InvoiceOverdue}}},
		func(ctx context.Context, in *struct {
			OrganizationID string `query:"organization_id"`
			Q              string `query:"q" doc:"Matches organization name or invoice number (case-insensitive substring)"`
			Number         string `query:"number" doc:"Exact invoice number"`
			ExternalID     string `query:"external_id" doc:"Exact external id"`
			IssuedFrom     string `query:"issued_from" doc:"YYYY-MM-DD, inclusive" format:"date"`
			IssuedTo       string `query:"issued_to" doc:"YYYY-MM-DD, inclusive" format:"date"`
			Status         string `query:"status"`
			Kind           string `query:"kind"`
			Sort           string `query:"sort" doc:"created (the default), issued_on, due_on, total or number; - before it for descending order (-created is the default; -issued_on when issued_from or issued_to is given)"`
			PageQuery
		}) (*invoiceListOutput, error) {
			sort := finapp.ListSort{}
			if in.Sort != "" {
				var err error
				if sort, err = finapp.ParseSort(in.Sort, finapp.InvoiceSortKeys); err != nil {
					return nil, problem(err)
				}
			}
			list, next, err := h.svc.ListInvoices(ctx, finapp.InvoiceFilter{OrganizationID: in.OrganizationID, Q: in.Q, Number: in.Number, ExternalID: in.ExternalID,
				IssuedFrom: in.IssuedFrom, IssuedTo: in.IssuedTo, Status: in.Status, Kind: in.Kind, Sort: sort, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &invoiceListOutput{}
			out.Body.Data = make([]Invoice, 0, len(list))
			today := h.svc.Today(ctx)
			for _, i := range list {
				out.Body.Data = append(out.Body.Data, invoiceOut(i, today))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-invoice", Method: http.MethodGet, Path: "/v1/invoices/{id}",
		Summary: "Get an invoice with the payments applied to it", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*invoiceOutput, error) {
			d, err := h.svc.GetInvoice(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			out := invoiceOut(d.Invoice, h.svc.Today(ctx))
			out.Allocations, out.AllocationsMore = allocationsOut(d.Allocations), d.AllocationsMore
			return &invoiceOutput{ETag: etag(d.Version), Body: out}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "void-invoice", Method: http.MethodPost, Path: "/v1/invoices/{id}/void",
		Summary: "Void an invoice that has no money on it", Tags: []string{"Invoices"}},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IfMatch        string `header:"If-Match" doc:"ETag of the invoice as last read"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*invoiceOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			inv, err := h.svc.VoidInvoice(ctx, in.ID, v)
			if err != nil {
				return nil, problem(err)
			}
			return &invoiceOutput{ETag: etag(inv.Version), Body: invoiceOut(inv, h.svc.Today(ctx))}, nil
		})

	type batchItem struct {
		ExternalID             string   `json:"external_id" maxLength:"255" doc:"The billing system's id: what finds the invoice when it is sent again"`
		OrganizationID         string   `json:"organization_id,omitempty" doc:"The customer (or organization_external_id); required for a new invoice"`
		OrganizationExternalID string   `json:"organization_external_id,omitempty" doc:"The customer by the billing system's id"`
		Number                 string   `json:"number,omitempty" maxLength:"64"`
		Kind                   string   `json:"kind,omitempty" doc:"standard (default), proforma or top_up"`
		Currency               string   `json:"currency,omitempty" doc:"Default: the organization's billing currency; never changes" pattern:"^[A-Z]{3}$"`
		Total                  string   `json:"total,omitempty" example:"100.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
		IssuedOn               string   `json:"issued_on,omitempty" doc:"YYYY-MM-DD" format:"date"`
		DueOn                  string   `json:"due_on,omitempty" doc:"YYYY-MM-DD" format:"date"`
		Metadata               Metadata `json:"metadata,omitempty" doc:"When sent, replaces the invoice's"`
	}
	type batchResult struct {
		Outcome string  `json:"outcome" enum:"created,updated,unchanged"`
		Invoice Invoice `json:"invoice"`
	}
	huma.Register(api, huma.Operation{OperationID: "upsert-invoices", Method: http.MethodPost, Path: "/v1/invoices/batch",
		Summary: "Issue or correct up to 1,000 invoices by external id, all or nothing", Tags: []string{"Invoices"},
		Description: "Each invoice is found by its external_id: corrected to the values sent when it exists (the rules of PATCH; " +
			"members left empty stay), issued when it does not. One refused item refuses the whole batch, with every refused " +
			"item named by index in errors[] (invoices[3].total); nothing is written. A batch sent again changes nothing."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Invoices []batchItem `json:"invoices" minItems:"1" maxItems:"1000"`
			}
		}) (*struct {
			Body struct {
				Data []batchResult `json:"data" doc:"One per item, in the order sent"`
			}
		}, error) {
			items := make([]finapp.InvoiceUpsert, len(in.Body.Invoices))
			for i, b := range in.Body.Invoices {
				items[i] = finapp.InvoiceUpsert{ExternalID: b.ExternalID, OrganizationID: b.OrganizationID, OrganizationExternalID: b.OrganizationExternalID,
					Number: b.Number, Kind: b.Kind, Currency: b.Currency, Total: b.Total, IssuedOn: b.IssuedOn, DueOn: b.DueOn,
					Metadata: finapp.Metadata(b.Metadata)}
			}
			results, err := h.svc.UpsertInvoices(ctx, items)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []batchResult `json:"data" doc:"One per item, in the order sent"`
				}
			}{}
			today := h.svc.Today(ctx)
			out.Body.Data = make([]batchResult, len(results))
			for i, r := range results {
				out.Body.Data[i] = batchResult{Outcome: r.Outcome, Invoice: invoiceOut(r.Invoice, today)}
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "update-invoice", Method: http.MethodPatch, Path: "/v1/invoices/{id}",
		Summary: "Correct an invoice", Tags: []string{"Invoices"},
		Description: "Members left out stay as they are; metadata, when sent, replaces the whole of it. With no money on the invoice " +
			"its number, kind, total, dates, external_id and metadata may change; with money on it (paid in part or whole, or " +
			"provisioned) only due_on and metadata (the others answer 409 invoice_has_payments). A new total or kind is posted " +
			"as an adjusting journal entry."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IfMatch        string `header:"If-Match" doc:"ETag of the invoice as last read; a stale one answers 412"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Number     *string   `json:"number,omitempty" maxLength:"64"`
				Kind       *string   `json:"kind,omitempty" enum:"standard,proforma,top_up"`
				Total      *string   `json:"total,omitempty" example:"100.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				IssuedOn   *string   `json:"issued_on,omitempty" doc:"YYYY-MM-DD" format:"date"`
				DueOn      *string   `json:"due_on,omitempty" doc:"YYYY-MM-DD" format:"date"`
				ExternalID *string   `json:"external_id,omitempty" maxLength:"255"`
				Metadata   *Metadata `json:"metadata,omitempty"`
			}
		}) (*invoiceOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			u := finapp.InvoiceUpdate{Number: b.Number, Kind: b.Kind, Total: b.Total, IssuedOn: b.IssuedOn, DueOn: b.DueOn, ExternalID: b.ExternalID}
			if b.Metadata != nil {
				m := finapp.Metadata(*b.Metadata)
				u.Metadata = &m
			}
			inv, err := h.svc.UpdateInvoice(ctx, in.ID, v, u)
			if err != nil {
				return nil, problem(err)
			}
			return &invoiceOutput{ETag: etag(inv.Version), Body: invoiceOut(inv, h.svc.Today(ctx))}, nil
		})
}
