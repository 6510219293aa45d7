package api

import (
	"bytes"
	"context"
	"mime"
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
	"finapp/statement"
)

// Statement is a customer statement (SPEC §6.6): per currency, the opening balance, every
// document by its own business date with the running balance, the closing balance and the aging
// of the open invoices at the end of the period.
type Statement struct {
	OrganizationID   string             `json:"organization_id"`
	OrganizationName string             `json:"organization_name"`
	From             string             `json:"from,omitempty" doc:"First day of the period; absent: from the beginning of the books"`
	To               string             `json:"to" doc:"Last day of the period"`
	Accounts         []StatementAccount `json:"accounts" doc:"One per currency the customer deals in, its billing currency first"`
}

// StatementAccount is the statement in one currency.
type StatementAccount struct {
	Currency       string          `json:"currency" pattern:"^[A-Z]{3}$"`
	OpeningBalance string          `json:"opening_balance" doc:"What the customer owed before from: its invoices less its payments"`
	Lines          []StatementLine `json:"lines"`
	Charged        string          `json:"charged" doc:"Total of the period's positive lines"`
	Credited       string          `json:"credited" doc:"Total of the period's negative lines, positive"`
	ClosingBalance string          `json:"closing_balance" doc:"opening_balance plus every line"`
	Aging          AgingBuckets    `json:"aging" doc:"The open invoices at the end of to, by days past due"`
	OpenInvoices   string          `json:"open_invoices" doc:"The sum of aging"`
	Unapplied      string          `json:"unapplied" doc:"Payments not yet applied to an invoice: open_invoices less closing_balance"`
}

// StatementLine is one document on a statement.
type StatementLine struct {
	Date       string `json:"date" doc:"The document's own business date: issued, voided, received, topped up, refunded, returned"`
	Type       string `json:"type" enum:"invoice,invoice_void,payment,credit_top_up,refund,refund_reversed,write_off,bank_fee,discount,fx_difference,adjustment_released,currency_conversion,currency_conversion_released,credit_note,credit_note_void,credit_note_refund,credit_note_to_credit"`
	Number     string `json:"number" doc:"Invoice number (invoices, voids, adjustments), or the payment's reference (its id when it has none)"`
	DocumentID string `json:"document_id"`
	DueOn      string `json:"due_on,omitempty" doc:"Invoices and voids" format:"date"`
	PaymentID  string `json:"payment_id,omitempty" doc:"Credit top-ups and refunds: the payment whose money went into credit or back; adjustments: the payment in whose allocation it was made"`
	Amount     string `json:"amount" doc:"Signed as the customer owes: invoices, top-ups, refunds and undone adjustments positive; payments, voids, returned refunds and adjustments (write_off, bank_fee, discount) negative" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Balance    string `json:"balance" doc:"The running balance after this line"`
}

func statementOut(st *finapp.Statement) Statement {
	out := Statement{OrganizationID: st.Organization.ID, OrganizationName: st.Organization.Name, From: st.From, To: st.To,
		Accounts: make([]StatementAccount, 0, len(st.Accounts))}
	for _, a := range st.Accounts {
		f := func(s money.Sum) string { return s.Format(a.Currency) }
		sa := StatementAccount{Currency: string(a.Currency), OpeningBalance: f(a.Opening), Lines: make([]StatementLine, 0, len(a.Lines)),
			Charged: f(a.Charged), Credited: f(a.Credited), ClosingBalance: f(a.Closing), OpenInvoices: f(a.Open), Unapplied: f(a.Unapplied),
			Aging: AgingBuckets{Current: f(a.Aging[0]), Days30: f(a.Aging[1]), Days60: f(a.Aging[2]), Days90: f(a.Aging[3]), Over90: f(a.Aging[4])}}
		for _, l := range a.Lines {
			sa.Lines = append(sa.Lines, StatementLine{Date: l.Date, Type: l.Kind, Number: l.Number, DocumentID: l.DocumentID, DueOn: l.DueOn,
				PaymentID: l.PaymentID, Amount: money.Format(l.Amount, a.Currency), Balance: f(l.Balance)})
		}
		out.Accounts = append(out.Accounts, sa)
	}
	return out
}

// statementOutput is a statement in the format asked for; Body is a Statement (JSON) or the
// file's bytes (CSV, PDF), which huma writes as they are.
type statementOutput struct {
	ContentType        string `header:"Content-Type"`
	ContentDisposition string `header:"Content-Disposition"`
	Body               any
}

// statementFormat picks the format: ?format= wins, then the first of CSV or PDF that Accept
// names, then JSON.
func statementFormat(format, accept string) string {
	if format != "" {
		return format
	}
	for _, part := range strings.Split(accept, ",") {
		switch mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part)); mt {
		case "text/csv":
			return "csv"
		case "application/pdf":
			return "pdf"
		case "application/json", "application/*", "*/*":
			return "json"
		}
	}
	return "json"
}

func (h *handlers) registerStatement(api huma.API) {
	schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[Statement](), true, "Statement")
	huma.Register(api, huma.Operation{OperationID: "get-statement", Method: http.MethodGet, Path: "/v1/organizations/{id}/statement",
		Summary: "Customer statement: opening balance, documents with running balance, closing balance, aging",
		Description: "What the customer can be sent, in JSON (the default), CSV (`?format=csv` or `Accept: text/csv`) or PDF " +
			"(`?format=pdf` or `Accept: application/pdf`). Documents count on their own business date; see docs/api.md.",
		Tags: []string{"Organizations"},
		Responses: map[string]*huma.Response{"200": {Description: "The statement", Content: map[string]*huma.MediaType{
			"application/json": {Schema: schema},
			"text/csv": {Schema: &huma.Schema{Type: "string", Description: "Columns currency, date, type, number, document_id, due_on, amount, balance; " +
				"per currency an opening_balance row, the documents, a closing_balance row, then aging, open_invoices and unapplied rows"}},
			"application/pdf": {Schema: &huma.Schema{Type: "string", Format: "binary"}},
		}}}},
		func(ctx context.Context, in *struct {
			ID     string `path:"id"`
			From   string `query:"from" doc:"YYYY-MM-DD, inclusive; default: the beginning of the books" format:"date"`
			To     string `query:"to" doc:"YYYY-MM-DD, inclusive; default: today" format:"date"`
			Format string `query:"format" enum:"json,csv,pdf" doc:"Overrides Accept"`
			Accept string `header:"Accept"`
		}) (*statementOutput, error) {
			// Accept is read here and nowhere else, so it is checked here, as checkText checks the
			// headers every route reads.
			if err := finapp.CheckText("Accept", in.Accept, false); err != nil {
				return nil, problem(err)
			}
			st, err := h.svc.GetStatement(ctx, in.ID, in.From, in.To)
			if err != nil {
				return nil, problem(err)
			}
			name := "statement-" + st.Organization.ID + "-" + st.To
			var buf bytes.Buffer
			switch statementFormat(in.Format, in.Accept) {
			case "csv":
				if err := statement.WriteCSV(&buf, st); err != nil {
					return nil, problem(err)
				}
				return &statementOutput{"text/csv; charset=utf-8", `attachment; filename="` + name + `.csv"`, buf.Bytes()}, nil
			case "pdf":
				if err := statement.WritePDF(&buf, st, h.workspaceName(ctx)); err != nil {
					return nil, problem(err)
				}
				return &statementOutput{"application/pdf", `attachment; filename="` + name + `.pdf"`, buf.Bytes()}, nil
			}
			return &statementOutput{ContentType: "application/json", Body: statementOut(st)}, nil
		})
}

// workspaceName is the caller's workspace's name, the company a statement is from; its id when
// the name cannot be read.
func (h *handlers) workspaceName(ctx context.Context) string {
	a, _ := finapp.ActorFrom(ctx)
	if h.auth != nil {
		if w, err := h.auth.Workspace(ctx, a.WorkspaceID); err == nil && w.Name != "" {
			return w.Name
		}
	}
	return a.WorkspaceID
}
