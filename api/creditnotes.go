package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// CreditNote is what a business owes a customer back, with what it was used for.
type CreditNote struct {
	ID             string     `json:"id" example:"cn_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Number         string     `json:"number" example:"CN-000001"`
	OrganizationID string     `json:"organization_id"`
	InvoiceID      *string    `json:"invoice_id" doc:"The invoice it corrects; null for none"`
	InvoiceNumber  string     `json:"invoice_number,omitempty"`
	Currency       string     `json:"currency" pattern:"^[A-Z]{3}$"`
	Amount         string     `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Applied        string     `json:"applied" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Applied to invoices (active applications)"`
	Refunded       string     `json:"refunded" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Paid back to the customer"`
	ToCredit       string     `json:"to_credit" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Moved into the customer's prepaid credit"`
	Remaining      string     `json:"remaining" pattern:"^-?[0-9]+(\\.[0-9]+)?$" doc:"Left to use: amount − applied − refunded − to_credit (0 when void)"`
	Reason         string     `json:"reason"`
	IssuedOn       string     `json:"issued_on" format:"date"`
	Status         string     `json:"status" enum:"open,applied,void"`
	VoidedAt       *time.Time `json:"voided_at"`
	CreatedBy      string     `json:"created_by"`
	CreatedAt      time.Time  `json:"created_at"`
	Version        int        `json:"version"`
	// Applications are in a credit note's own answers, not in lists.
	Applications []CreditNoteApplication `json:"applications,omitempty" doc:"The latest 100 applications, released ones too, oldest first"`
	// ApplicationsHasMore says older applications exist (GET /v1/credit-notes/{id}/applications).
	ApplicationsHasMore bool `json:"applications_has_more,omitempty" doc:"Older applications exist; GET /v1/credit-notes/{id}/applications pages them all"`
}

// CreditNoteApplication is one use of a credit note.
type CreditNoteApplication struct {
	ID            string     `json:"id" example:"cna_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Kind          string     `json:"kind" enum:"invoice,refund,prepaid_credit"`
	InvoiceID     *string    `json:"invoice_id" doc:"The invoice it was applied to (kind invoice)"`
	InvoiceNumber string     `json:"invoice_number,omitempty"`
	Amount        string     `json:"amount" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency      string     `json:"currency" pattern:"^[A-Z]{3}$"`
	Method        string     `json:"method,omitempty" doc:"How a refund was paid"`
	Reference     string     `json:"reference,omitempty"`
	Reason        string     `json:"reason,omitempty"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ReleasedAt    *time.Time `json:"released_at" doc:"Set when an application to an invoice was undone"`
	ReleasedBy    string     `json:"released_by,omitempty"`
}

func creditNoteOut(n *finapp.CreditNote, apps []*finapp.CreditNoteApplication) CreditNote {
	f := func(a money.Amount) string { return money.Format(a, n.Currency) }
	out := CreditNote{ID: n.ID, Number: n.Number, OrganizationID: n.OrganizationID, InvoiceNumber: n.InvoiceNumber, Currency: string(n.Currency),
		Amount: f(n.Amount), Applied: f(n.Applied), Refunded: f(n.Refunded), ToCredit: f(n.ToCredit), Remaining: f(n.Remaining()),
		Reason: n.Reason, IssuedOn: n.IssuedOn, Status: n.Status, VoidedAt: n.VoidedAt, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt,
		Version: n.Version}
	if n.InvoiceID != "" {
		id := n.InvoiceID
		out.InvoiceID = &id
	}
	out.Applications = applicationsOut(apps)
	return out
}

func applicationsOut(apps []*finapp.CreditNoteApplication) []CreditNoteApplication {
	var out []CreditNoteApplication
	for _, a := range apps {
		o := CreditNoteApplication{ID: a.ID, Kind: a.Kind, InvoiceNumber: a.InvoiceNumber, Amount: money.Format(a.Amount, a.Currency),
			Currency: string(a.Currency), Method: a.Method, Reference: a.Reference, Reason: a.Reason, CreatedBy: a.CreatedBy,
			CreatedAt: a.CreatedAt, ReleasedAt: a.ReleasedAt, ReleasedBy: a.ReleasedBy}
		if a.InvoiceID != "" {
			id := a.InvoiceID
			o.InvoiceID = &id
		}
		out = append(out, o)
	}
	return out
}

type creditNoteOutput struct {
	ETag string `header:"ETag"`
	Body CreditNote
}

func creditNoteResult(d *finapp.CreditNoteDetail, err error) (*creditNoteOutput, error) {
	if err != nil {
		return nil, problem(err)
	}
	out := &creditNoteOutput{ETag: etag(d.Version), Body: creditNoteOut(d.CreditNote, d.Applications)}
	out.Body.ApplicationsHasMore = d.ApplicationsMore
	return out, nil
}

type creditNoteListOutput struct {
	Body struct {
		Data       []CreditNote `json:"data"`
		NextCursor string       `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

// CreditNoteVersioned is a change to one credit note: If-Match names the version last read.
type CreditNoteVersioned struct {
	ID             string `path:"id"`
	IfMatch        string `header:"If-Match" doc:"ETag of the credit note as last read; a stale one answers 412"`
	IdempotencyKey string `header:"Idempotency-Key"`
}

// CreditNoteApplyBody is the body of apply-credit-note: the same shape as a payment's allocations.
type CreditNoteApplyBody struct {
	Auto        bool                  `json:"auto,omitempty" doc:"Apply to the customer's oldest unpaid standard invoices first"`
	Allocations []CreditNoteApplyLine `json:"allocations,omitempty" maxItems:"500"`
}

// CreditNoteApplyLine is one explicit application of a credit note to an invoice.
type CreditNoteApplyLine struct {
	InvoiceID string `json:"invoice_id"`
	Amount    string `json:"amount" example:"100.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
}

func (h *handlers) registerCreditNotes(api huma.API) {
	tags := []string{"Credit notes"}
	huma.Register(api, huma.Operation{OperationID: "issue-credit-note", Method: http.MethodPost, Path: "/v1/credit-notes",
		Summary: "Issue a credit note to a customer", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Posts revenue → credit_note:<org>. Citing an invoice, the credit notes on it never exceed its total " +
			"(409 credit_above_invoice); credit notes correct standard invoices only. Numbered CN-000001, … unless number is given."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				OrganizationID string `json:"organization_id"`
				Number         string `json:"number,omitempty" maxLength:"64" doc:"Default: the workspace's next CN-nnnnnn"`
				InvoiceID      string `json:"invoice_id,omitempty" doc:"The invoice it corrects"`
				Amount         string `json:"amount" example:"25.00" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				Currency       string `json:"currency,omitempty" doc:"Default: the cited invoice's, else the customer's billing currency"`
				Reason         string `json:"reason" maxLength:"500" doc:"What the customer is credited for"`
				IssuedOn       string `json:"issued_on,omitempty" doc:"Default: today"`
			}
		}) (*created[CreditNote], error) {
			b := in.Body
			n, err := h.svc.IssueCreditNote(ctx, finapp.CreditNoteCreate{OrganizationID: b.OrganizationID, Number: b.Number, InvoiceID: b.InvoiceID,
				Amount: b.Amount, Currency: b.Currency, Reason: b.Reason, IssuedOn: b.IssuedOn})
			if err != nil {
				return nil, problem(err)
			}
			return &created[CreditNote]{ETag: etag(n.Version), Location: "/v1/credit-notes/" + n.ID, Body: creditNoteOut(n, nil)}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "list-credit-notes", Method: http.MethodGet, Path: "/v1/credit-notes",
		Summary: "List credit notes, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			OrganizationID string `query:"organization_id" doc:"Only this customer's"`
			Status         string `query:"status" enum:"open,applied,void" doc:"Only credit notes with this status"`
			PageQuery
		}) (*creditNoteListOutput, error) {
			list, next, err := h.svc.ListCreditNotes(ctx, finapp.CreditNoteFilter{OrganizationID: in.OrganizationID, Status: in.Status,
				Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &creditNoteListOutput{}
			out.Body.Data = make([]CreditNote, 0, len(list))
			for _, n := range list {
				out.Body.Data = append(out.Body.Data, creditNoteOut(n, nil))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-credit-note", Method: http.MethodGet, Path: "/v1/credit-notes/{id}",
		Summary: "Get a credit note with its applications", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*creditNoteOutput, error) {
			return creditNoteResult(h.svc.GetCreditNote(ctx, in.ID))
		})

	huma.Register(api, huma.Operation{OperationID: "apply-credit-note", Method: http.MethodPost, Path: "/v1/credit-notes/{id}/allocations",
		Summary: "Apply a credit note to the customer's invoices (explicit, or auto oldest first); all or nothing", Tags: tags,
		Description: "Posts credit_note:<org> → receivable:<org> per invoice. Never more than the credit note has left or an invoice has due " +
			"(409 over_allocation)."},
		func(ctx context.Context, in *struct {
			CreditNoteVersioned
			Body CreditNoteApplyBody
		}) (*creditNoteOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			req := finapp.CreditNoteApplyRequest{Auto: in.Body.Auto}
			for _, l := range in.Body.Allocations {
				req.Lines = append(req.Lines, finapp.CreditNoteLine{InvoiceID: l.InvoiceID, Amount: l.Amount})
			}
			return creditNoteResult(h.svc.ApplyCreditNote(ctx, in.ID, v, req))
		})

	huma.Register(api, huma.Operation{OperationID: "release-credit-note-application", Method: http.MethodDelete,
		Path: "/v1/credit-notes/{id}/allocations/{application_id}", Summary: "Release one application of a credit note to an invoice", Tags: tags},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			ApplicationID  string `path:"application_id"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*creditNoteOutput, error) {
			return creditNoteResult(h.svc.ReleaseCreditNoteApplication(ctx, in.ID, in.ApplicationID))
		})

	huma.Register(api, huma.Operation{OperationID: "refund-credit-note", Method: http.MethodPost, Path: "/v1/credit-notes/{id}/refunds",
		Summary: "Pay what a credit note has left back to the customer", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Posts credit_note:<org> → cash:<method>. Never more than remains (409 over_allocation)."},
		func(ctx context.Context, in *struct {
			CreditNoteVersioned
			Body struct {
				Amount    string `json:"amount,omitempty" doc:"Default: all that remains" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				Method    string `json:"method" doc:"How the money goes back"`
				Reference string `json:"reference,omitempty" maxLength:"200"`
				Reason    string `json:"reason" maxLength:"500" doc:"Why the money goes back"`
			}
		}) (*creditNoteOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			b := in.Body
			return creditNoteResult(h.svc.RefundCreditNote(ctx, in.ID, v, finapp.CreditNoteRefund{Amount: b.Amount, Method: b.Method,
				Reference: b.Reference, Reason: b.Reason}))
		})

	huma.Register(api, huma.Operation{OperationID: "credit-note-to-credit", Method: http.MethodPost, Path: "/v1/credit-notes/{id}/top-ups",
		Summary: "Move what a credit note has left into the customer's prepaid credit", Tags: tags, DefaultStatus: http.StatusCreated,
		Description: "Posts credit_note:<org> → credit:<org>. Never more than remains (409 over_allocation)."},
		func(ctx context.Context, in *struct {
			CreditNoteVersioned
			Body struct {
				Amount string `json:"amount,omitempty" doc:"Default: all that remains" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
				Reason string `json:"reason,omitempty" maxLength:"500"`
			}
		}) (*creditNoteOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			return creditNoteResult(h.svc.CreditNoteToCredit(ctx, in.ID, v, in.Body.Amount, in.Body.Reason))
		})

	huma.Register(api, huma.Operation{OperationID: "void-credit-note", Method: http.MethodPost, Path: "/v1/credit-notes/{id}/void",
		Summary: "Void a credit note nothing of which was used", Tags: tags,
		Description: "Reverses its issue entry. A credit note that was applied, refunded or moved into credit is refused 409 credit_note_in_use."},
		func(ctx context.Context, in *struct {
			CreditNoteVersioned
		}) (*creditNoteOutput, error) {
			v, err := ifMatch(in.IfMatch)
			if err != nil {
				return nil, err
			}
			n, err := h.svc.VoidCreditNote(ctx, in.ID, v)
			if err != nil {
				return nil, problem(err)
			}
			return &creditNoteOutput{ETag: etag(n.Version), Body: creditNoteOut(n, nil)}, nil
		})
}
