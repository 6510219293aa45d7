package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Payment is a payment with its derived amounts, status and, in the detail view, its history.
type Payment struct {
	ID                    string       `json:"id" example:"pay_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	OrganizationID        *string      `json:"organization_id" doc:"null while unassigned"`
	OrganizationName      string       `json:"organization_name,omitempty"`
	Amount                string       `json:"amount" example:"1234.50" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency              string       `json:"currency" example:"SGD" pattern:"^[A-Z]{3}$"`
	ReceivedOn            string       `json:"received_on" format:"date"`
	Method                string       `json:"method"`
	Reference             string       `json:"reference"`
	InvoiceNumber         string       `json:"invoice_number" doc:"The invoice # the payer quoted (a hint)"`
	Remark                string       `json:"remark"`
	Allocated             string       `json:"allocated" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	ToppedUp              string       `json:"topped_up" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Refunded              string       `json:"refunded" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Paid back by refunds not reversed"`
	Unallocated           string       `json:"unallocated" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Status                string       `json:"status" enum:"unassigned,unallocated,partially_allocated,fully_allocated"`
	Version               int          `json:"version"`
	AssignmentChanges     int          `json:"assignment_changes"`
	AssignmentChangesLeft int          `json:"assignment_changes_left" doc:"Of the 5 assignment changes a payment may have"`
	CreatedBy             string       `json:"created_by"`
	CreatedAt             time.Time    `json:"created_at"`
	UpdatedAt             time.Time    `json:"updated_at"`
	DeletedAt             *time.Time   `json:"deleted_at"`
	ExternalID            string       `json:"external_id,omitempty" doc:"The billing or payment system's id for it, unique in the workspace"`
	Metadata              Metadata     `json:"metadata"`
	Allocations           []Allocation `json:"allocations,omitempty" doc:"Detail view: the latest 100 allocations, released ones too, oldest first"`
	AllocationsHasMore    bool         `json:"allocations_has_more,omitempty" doc:"Detail view: older allocations exist; GET /v1/payments/{id}/allocations pages them all"`
	TopUps                []TopUp      `json:"top_ups,omitempty" doc:"Detail view: the latest 100 top-ups of credit from this payment, oldest first"`
	TopUpsHasMore         bool         `json:"top_ups_has_more,omitempty" doc:"Detail view: older top-ups exist; GET /v1/payments/{id}/top-ups pages them all"`
	Refunds               []Refund     `json:"refunds,omitempty" doc:"Detail view: the latest 100 refunds from this payment, reversed ones too, oldest first"`
	RefundsHasMore        bool         `json:"refunds_has_more,omitempty" doc:"Detail view: older refunds exist; GET /v1/refunds?payment_id= pages them all"`
}

// Allocation is part of a payment applied to an invoice, or an adjustment line of the payment's
// allocation request that settled part of the invoice without money.
type Allocation struct {
	ID               string     `json:"id" example:"alc_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	PaymentID        string     `json:"payment_id"`
	InvoiceID        string     `json:"invoice_id"`
	InvoiceNumber    string     `json:"invoice_number"`
	Kind             string     `json:"kind" enum:"payment,write_off,bank_fee,discount,fx_difference" doc:"payment: the payment's money; the others settle the invoice without money (expense:<kind> in the journal)"`
	Reason           string     `json:"reason,omitempty" doc:"Why an adjustment settled the invoice"`
	InvoiceAmount    string     `json:"invoice_amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"What the invoice received, in its currency: amount itself, or amount converted at rate"`
	InvoiceCurrency  string     `json:"invoice_currency" pattern:"^[A-Z]{3}$"`
	Rate             string     `json:"rate,omitempty" doc:"Money applied to an invoice in another currency: units of the invoice's currency per unit of the payment's"`
	WithAllocationID string     `json:"with_allocation_id,omitempty" doc:"An adjustment made in one request with money for the same invoice: that money's allocation, whose release releases this too"`
	Amount           string     `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency         string     `json:"currency" pattern:"^[A-Z]{3}$"`
	CreatedBy        string     `json:"created_by"`
	CreatedAt        time.Time  `json:"created_at"`
	ReleasedAt       *time.Time `json:"released_at" doc:"Set once released; released allocations stay in history"`
}

// Suggestions are the invoices a payment probably pays, strongest first.
type Suggestions struct {
	Data []Suggestion `json:"data"`
}

// Suggestion proposes applying amount of the payment to an invoice, with why.
type Suggestion struct {
	InvoiceID      string     `json:"invoice_id"`
	InvoiceNumber  string     `json:"invoice_number"`
	OrganizationID string     `json:"organization_id"`
	AmountDue      string     `json:"amount_due" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Amount         string     `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"What to apply: the smaller of its amount due and what the suggestions before it leave of the money"`
	Currency       string     `json:"currency" pattern:"^[A-Z]{3}$"`
	Evidence       []Evidence `json:"evidence"`
}

// Evidence is one reason for a suggestion.
type Evidence struct {
	Kind   string `json:"kind" enum:"invoice_number_in_text,amount_equals_invoice,amount_equals_invoice_set,structured_reference,rf_reference,iban_known,recorded_payment,within_tolerance,rule,reversal"`
	Detail string `json:"detail" doc:"The reason, for people"`
}

// TopUp moved part of a payment into the organization's credit balance.
type TopUp struct {
	ID             string    `json:"id" example:"top_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	PaymentID      string    `json:"payment_id"`
	OrganizationID string    `json:"organization_id"`
	Amount         string    `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency       string    `json:"currency" pattern:"^[A-Z]{3}$"`
	CreatedBy      string    `json:"created_by"`
	CreatedAt      time.Time `json:"created_at"`
}

func paymentOut(p *finapp.Payment) Payment {
	out := Payment{ID: p.ID, OrganizationName: p.OrganizationName, Amount: money.Format(p.Amount, p.Currency), Currency: string(p.Currency),
		ReceivedOn: p.ReceivedOn, Method: p.Method, Reference: p.Reference, InvoiceNumber: p.InvoiceHint, Remark: p.Remark,
		Allocated: money.Format(p.Allocated, p.Currency), ToppedUp: money.Format(p.ToppedUp, p.Currency), Refunded: money.Format(p.Refunded, p.Currency),
		Unallocated: money.Format(p.Unallocated(), p.Currency), Status: p.Status(), Version: p.Version,
		AssignmentChanges: p.AssignmentChanges, AssignmentChangesLeft: p.AssignmentChangesLeft(), CreatedBy: p.CreatedBy,
		CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, DeletedAt: p.DeletedAt, ExternalID: p.ExternalID, Metadata: metadataOut(p.Metadata)}
	if p.OrganizationID != "" {
		id := p.OrganizationID
		out.OrganizationID = &id
	}
	return out
}

func paymentDetailOut(d *finapp.PaymentDetail) Payment {
	out := paymentOut(d.Payment)
	out.Allocations = allocationsOut(d.Allocations)
	out.AllocationsHasMore, out.TopUpsHasMore, out.RefundsHasMore = d.AllocationsMore, d.TopUpsMore, d.RefundsMore
	for _, t := range d.TopUps {
		out.TopUps = append(out.TopUps, topUpOut(t))
	}
	for _, r := range d.Refunds {
		out.Refunds = append(out.Refunds, refundOut(r))
	}
	return out
}

func allocationsOut(list []*finapp.Allocation) []Allocation {
	var out []Allocation
	for _, a := range list {
		out = append(out, Allocation{ID: a.ID, PaymentID: a.PaymentID, InvoiceID: a.InvoiceID, InvoiceNumber: a.InvoiceNumber,
			Kind: a.Kind, Reason: a.Reason, WithAllocationID: a.MoneyAllocationID, InvoiceAmount: money.Format(a.InvoiceAmount, a.InvoiceCurrency),
			InvoiceCurrency: string(a.InvoiceCurrency), Rate: a.Rate, Amount: money.Format(a.Amount, a.Currency), Currency: string(a.Currency), CreatedBy: a.CreatedBy, CreatedAt: a.CreatedAt, ReleasedAt: a.ReleasedAt})
	}
	return out
}

func topUpOut(t *finapp.TopUp) TopUp {
	return TopUp{ID: t.ID, PaymentID: t.PaymentID, OrganizationID: t.OrganizationID, Amount: money.Format(t.Amount, t.Currency),
		Currency: string(t.Currency), CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt}
}

type paymentOutput struct {
	ETag string `header:"ETag"`
	Body Payment
}

func paymentResult(d *finapp.PaymentDetail, err error) (*paymentOutput, error) {
	if err != nil {
		return nil, problem(err)
	}
	return &paymentOutput{ETag: etag(d.Version), Body: paymentDetailOut(d)}, nil
}

type paymentListOutput struct {
	Body struct {
		Data       []Payment `json:"data"`
		NextCursor string    `json:"next_cursor,omitempty"`
	}
}

// PaymentCreateBody is the body of POST /v1/payments.
type PaymentCreateBody struct {
	OrganizationID string   `json:"organization_id,omitempty" doc:"Assigns the payment at once (counts as its first assignment change)"`
	Amount         string   `json:"amount" example:"1234.50" doc:"Decimal string; at most the currency's minor digits" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency       string   `json:"currency" example:"SGD" pattern:"^[A-Z]{3}$"`
	ReceivedOn     string   `json:"received_on,omitempty" doc:"YYYY-MM-DD, default today" format:"date"`
	Method         string   `json:"method" doc:"bank_transfer, credit_card, debit_card, cash, cheque, paypal, stripe, direct_debit or other"`
	Reference      string   `json:"reference,omitempty" maxLength:"200"`
	InvoiceNumber  string   `json:"invoice_number,omitempty" maxLength:"64" doc:"The invoice # the payer quoted, as a hint"`
	Remark         string   `json:"remark,omitempty" maxLength:"2000"`
	ExternalID     string   `json:"external_id,omitempty" maxLength:"255" doc:"The billing or payment system's id for it, unique in the workspace"`
	Metadata       Metadata `json:"metadata,omitempty"`
}

// Versioned is the path id and preconditions of a payment write.
type Versioned struct {
	ID             string `path:"id"`
	IfMatch        string `header:"If-Match" doc:"ETag of the payment as last read; a stale one answers 412"`
	IdempotencyKey string `header:"Idempotency-Key"`
}

func (h *handlers) registerPayments(api huma.API) {
	tags := []string{"Payments"}
	huma.Register(api, huma.Operation{OperationID: "record-payment", Method: http.MethodPost, Path: "/v1/payments",
		Summary: "Record a payment received", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           PaymentCreateBody
		}) (*created[Payment], error) {
			b := in.Body
			d, err := h.svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: b.OrganizationID, Amount: b.Amount,
				Currency: b.Currency, ReceivedOn: b.ReceivedOn, Method: b.Method, Reference: b.Reference, InvoiceNumber: b.InvoiceNumber, Remark: b.Remark,
				ExternalID: b.ExternalID, Metadata: finapp.Metadata(b.Metadata)})
			if err != nil {
				return nil, problem(err)
			}
			return &created[Payment]{ETag: etag(d.Version), Location: "/v1/payments/" + d.ID, Body: paymentDetailOut(d)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-payments", Method: http.MethodGet, Path: "/v1/payments",
		Summary: "List and filter payments, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			Status         string `query:"status" doc:"unassigned, unallocated, partially_allocated or fully_allocated"`
			OrganizationID string `query:"organization_id"`
			Method         string `query:"method"`
			ReceivedFrom   string `query:"received_from" doc:"YYYY-MM-DD, inclusive" format:"date"`
			ReceivedTo     string `query:"received_to" doc:"YYYY-MM-DD, inclusive" format:"date"`
			Q              string `query:"q" doc:"Matches reference, remark, invoice # hint and customer name"`
			ExternalID     string `query:"external_id" doc:"Exact external id"`
			IncludeDeleted bool   `query:"include_deleted" doc:"Also list deleted payments (for auditors)"`
			Sort           string `query:"sort" doc:"created (the default), received_on or amount; - before it for descending order (-created is the default)"`
			PageQuery
		}) (*paymentListOutput, error) {
			sort, err := finapp.ParseSort(in.Sort, finapp.PaymentSortKeys)
			if err != nil {
				return nil, problem(err)
			}
			list, next, err := h.svc.ListPayments(ctx, finapp.PaymentFilter{Status: in.Status, OrganizationID: in.OrganizationID, Method: in.Method,
				ReceivedFrom: in.ReceivedFrom, ReceivedTo: in.ReceivedTo, Q: in.Q, ExternalID: in.ExternalID, IncludeDeleted: in.IncludeDeleted, Sort: sort,
				Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &paymentListOutput{}
			out.Body.Data = make([]Payment, 0, len(list))
			for _, p := range list {
				out.Body.Data = append(out.Body.Data, paymentOut(p))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-payment", Method: http.MethodGet, Path: "/v1/payments/{id}",
		Summary: "Get a payment with its allocations, top-ups and assignment changes left", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*paymentOutput, error) {
			return paymentResult(h.svc.GetPayment(ctx, in.ID))
		})

	huma.Register(api, huma.Operation{OperationID: "suggest-invoices", Method: http.MethodGet, Path: "/v1/payments/{id}/suggestions",
		Summary: "Invoices this payment probably pays, each with its evidence", Tags: tags,
		Description: "The invoices the payment's invoice # hint or reference names (split on `/ , ;` and spaces), then its customer's open invoice whose amount due is exactly the unallocated money, or the smallest set of its oldest open invoices that sums to it. Each suggestion carries the amount to apply (filling the unallocated money in order) and why it is made. Send the ones you accept to POST /v1/payments/{id}/allocations."},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body Suggestions }, error) {
			list, err := h.svc.SuggestInvoices(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			out := Suggestions{Data: []Suggestion{}}
			for _, s := range list {
				sg := Suggestion{InvoiceID: s.Invoice.ID, InvoiceNumber: s.Invoice.Number, OrganizationID: s.Invoice.OrganizationID,
					AmountDue: money.Format(s.Invoice.AmountDue(), s.Invoice.Currency), Amount: money.Format(s.Amount, s.Invoice.Currency),
					Currency: string(s.Invoice.Currency), Evidence: []Evidence{}}
				for _, e := range s.Evidence {
					sg.Evidence = append(sg.Evidence, Evidence{Kind: e.Kind, Detail: e.Detail})
				}
				out.Data = append(out.Data, sg)
			}
			return &struct{ Body Suggestions }{Body: out}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "update-payment", Method: http.MethodPatch, Path: "/v1/payments/{id}",
		Summary: "Edit a payment's details", Tags: tags},
		func(ctx context.Context, in *struct {
			Versioned
			Body struct {
				Amount        *string   `json:"amount,omitempty" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				Currency      *string   `json:"currency,omitempty" pattern:"^[A-Z]{3}$"`
				ReceivedOn    *string   `json:"received_on,omitempty" format:"date"`
				Method        *string   `json:"method,omitempty"`
				Reference     *string   `json:"reference,omitempty"`
				InvoiceNumber *string   `json:"invoice_number,omitempty"`
				Remark        *string   `json:"remark,omitempty"`
				Metadata      *Metadata `json:"metadata,omitempty" doc:"Replaces the whole of it"`
			}
		}) (*paymentOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			u := finapp.PaymentUpdate{Amount: b.Amount, Currency: b.Currency,
				ReceivedOn: b.ReceivedOn, Method: b.Method, Reference: b.Reference, InvoiceNumber: b.InvoiceNumber, Remark: b.Remark}
			if b.Metadata != nil {
				m := finapp.Metadata(*b.Metadata)
				u.Metadata = &m
			}
			return paymentResult(h.svc.UpdatePayment(ctx, in.ID, v, u))
		})

	huma.Register(api, huma.Operation{OperationID: "delete-payment", Method: http.MethodDelete, Path: "/v1/payments/{id}",
		Summary: "Delete a payment (soft: released, reversed, kept for auditors)", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *Versioned) (*struct{}, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			if err := h.svc.DeletePayment(ctx, in.ID, v); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})

	huma.Register(api, huma.Operation{OperationID: "assign-payment", Method: http.MethodPut, Path: "/v1/payments/{id}/assignment",
		Summary: "Assign a payment to an organization", Tags: tags},
		func(ctx context.Context, in *struct {
			Versioned
			Body struct {
				OrganizationID string `json:"organization_id"`
			}
		}) (*paymentOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return paymentResult(h.svc.AssignPayment(ctx, in.ID, in.Body.OrganizationID, v))
		})

	huma.Register(api, huma.Operation{OperationID: "unassign-payment", Method: http.MethodDelete, Path: "/v1/payments/{id}/assignment",
		Summary: "Unassign a payment (releases its allocations)", Tags: tags},
		func(ctx context.Context, in *Versioned) (*paymentOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return paymentResult(h.svc.UnassignPayment(ctx, in.ID, v))
		})

	huma.Register(api, huma.Operation{OperationID: "allocate-payment", Method: http.MethodPost, Path: "/v1/payments/{id}/allocations",
		Summary: "Assign & allocate: apply a payment to invoices (explicit, or auto oldest first); all or nothing", Tags: tags},
		func(ctx context.Context, in *struct {
			Versioned
			Body struct {
				OrganizationID string `json:"organization_id,omitempty" doc:"Assigns an unassigned payment in the same step"`
				Auto           bool   `json:"auto,omitempty" doc:"Allocate to the oldest unpaid invoices first"`
				Allocations    []struct {
					InvoiceID string `json:"invoice_id"`
					Amount    string `json:"amount" example:"100.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
					Kind      string `json:"kind,omitempty" enum:"payment,write_off,bank_fee,discount,fx_difference" doc:"payment (the default): the payment's money goes to the invoice. write_off (within the workspace's tolerance), bank_fee, discount: the amount of the invoice is settled without money"`
					Reason    string `json:"reason,omitempty" maxLength:"500" doc:"Required for an adjustment: why the invoice is settled so"`
					Rate      string `json:"rate,omitempty" maxLength:"40" example:"1.3512" doc:"Money for an invoice in another currency: units of the invoice's currency per unit of the payment's. amount is then in the payment's currency; the invoice receives it converted, rounded half away from zero to its currency's minor units"`
				} `json:"allocations,omitempty" maxItems:"500"`
			}
		}) (*paymentOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			req := finapp.AllocationRequest{OrganizationID: in.Body.OrganizationID, Auto: in.Body.Auto}
			for _, l := range in.Body.Allocations {
				req.Lines = append(req.Lines, finapp.AllocationLine{InvoiceID: l.InvoiceID, Amount: l.Amount, Kind: l.Kind, Reason: l.Reason, Rate: l.Rate})
			}
			return paymentResult(h.svc.Allocate(ctx, in.ID, v, req))
		})

	huma.Register(api, huma.Operation{OperationID: "release-allocation", Method: http.MethodDelete, Path: "/v1/payments/{id}/allocations/{allocation_id}",
		Summary: "Release one allocation", Tags: tags},
		func(ctx context.Context, in *struct {
			Versioned
			AllocationID string `path:"allocation_id"`
		}) (*paymentOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return paymentResult(h.svc.ReleaseAllocation(ctx, in.ID, in.AllocationID, v))
		})

	huma.Register(api, huma.Operation{OperationID: "top-up", Method: http.MethodPost, Path: "/v1/payments/{id}/top-ups",
		Summary: "Top up the organization's credit from the payment's unallocated money", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			Versioned
			Body struct {
				Amount string `json:"amount,omitempty" doc:"Default: all of the unallocated money" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
			}
		}) (*created[TopUp], error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			t, err := h.svc.TopUp(ctx, in.ID, v, in.Body.Amount)
			if err != nil {
				return nil, problem(err)
			}
			// A top-up is read as part of its payment.
			return &created[TopUp]{Location: "/v1/payments/" + in.ID, Body: topUpOut(t)}, nil
		})
}
