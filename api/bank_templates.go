package api

import (
	"context"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/bankcsv"
	"finapp/money"
)

// BankCSVTemplate says how one bank writes its CSV statements.
type BankCSVTemplate struct {
	ID                  string   `json:"id,omitempty" readOnly:"true"`
	Name                string   `json:"name" maxLength:"200"`
	Delimiter           string   `json:"delimiter,omitempty" maxLength:"1" doc:"One of \",\" (the default), \";\", a tab or \"|\""`
	HeaderRow           int      `json:"header_row,omitempty" doc:"The line of the header row, from 1 (default 1)"`
	DateFormat          string   `json:"date_format,omitempty" doc:"YYYY-MM-DD (default), DD.MM.YYYY, DD/MM/YYYY, MM/DD/YYYY, YYYYMMDD or DD-MM-YYYY"`
	DecimalComma        bool     `json:"decimal_comma,omitempty" doc:"1.234,56 rather than 1,234.56"`
	Account             string   `json:"account" maxLength:"64" doc:"The account's IBAN or number"`
	Currency            string   `json:"currency,omitempty" doc:"The account's currency, unless currency_column names it per row"`
	AmountColumn        string   `json:"amount_column,omitempty" doc:"A signed amount (negative: money out); or debit_column and credit_column"`
	DebitColumn         string   `json:"debit_column,omitempty"`
	CreditColumn        string   `json:"credit_column,omitempty"`
	BookingDateColumn   string   `json:"booking_date_column"`
	ValueDateColumn     string   `json:"value_date_column,omitempty"`
	CurrencyColumn      string   `json:"currency_column,omitempty"`
	CounterpartyColumn  string   `json:"counterparty_column,omitempty"`
	IBANColumn          string   `json:"iban_column,omitempty"`
	ReferenceColumn     string   `json:"reference_column,omitempty"`
	BankReferenceColumn string   `json:"bank_reference_column,omitempty" doc:"The bank's unique id of a row: what keeps each line once"`
	TextColumns         []string `json:"text_columns,omitempty" maxItems:"10" doc:"Remittance text, joined in this order"`
}

func bankCSVTemplateIn(b BankCSVTemplate) finapp.BankCSVTemplate {
	return finapp.BankCSVTemplate{Name: b.Name, Delimiter: b.Delimiter, HeaderRow: b.HeaderRow, DateFormat: b.DateFormat,
		DecimalComma: b.DecimalComma, Account: b.Account, Currency: money.Currency(b.Currency), AmountColumn: b.AmountColumn,
		DebitColumn: b.DebitColumn, CreditColumn: b.CreditColumn, BookingDateColumn: b.BookingDateColumn,
		ValueDateColumn: b.ValueDateColumn, CurrencyColumn: b.CurrencyColumn, CounterpartyColumn: b.CounterpartyColumn,
		IBANColumn: b.IBANColumn, ReferenceColumn: b.ReferenceColumn, BankReferenceColumn: b.BankReferenceColumn, TextColumns: b.TextColumns}
}

func bankCSVTemplateOut(t *finapp.BankCSVTemplate) BankCSVTemplate {
	return BankCSVTemplate{ID: t.ID, Name: t.Name, Delimiter: t.Delimiter, HeaderRow: t.HeaderRow, DateFormat: t.DateFormat,
		DecimalComma: t.DecimalComma, Account: t.Account, Currency: string(t.Currency), AmountColumn: t.AmountColumn,
		DebitColumn: t.DebitColumn, CreditColumn: t.CreditColumn, BookingDateColumn: t.BookingDateColumn,
		ValueDateColumn: t.ValueDateColumn, CurrencyColumn: t.CurrencyColumn, CounterpartyColumn: t.CounterpartyColumn,
		IBANColumn: t.IBANColumn, ReferenceColumn: t.ReferenceColumn, BankReferenceColumn: t.BankReferenceColumn, TextColumns: t.TextColumns}
}

func (h *handlers) registerBankCSVTemplates(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "create-bank-csv-template", Method: http.MethodPost, Path: "/v1/bank-csv-templates",
		Summary: "Describe how a bank writes its CSV statements", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           BankCSVTemplate
		}) (*created[BankCSVTemplate], error) {
			t, err := h.svc.CreateBankCSVTemplate(ctx, bankCSVTemplateIn(in.Body))
			if err != nil {
				return nil, problem(err)
			}
			return &created[BankCSVTemplate]{Location: "/v1/bank-csv-templates/" + t.ID, Body: bankCSVTemplateOut(t)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "replace-bank-csv-template", Method: http.MethodPut, Path: "/v1/bank-csv-templates/{id}",
		Summary: "Rewrite a bank CSV template (statements read by it stay as read)", Tags: tags},
		func(ctx context.Context, in *struct {
			ID   string `path:"id"`
			Body BankCSVTemplate
		}) (*struct{ Body BankCSVTemplate }, error) {
			t, err := h.svc.UpdateBankCSVTemplate(ctx, in.ID, bankCSVTemplateIn(in.Body))
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body BankCSVTemplate }{Body: bankCSVTemplateOut(t)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-bank-csv-templates", Method: http.MethodGet, Path: "/v1/bank-csv-templates",
		Summary: "The bank CSV templates, by name", Tags: tags},
		func(ctx context.Context, in *struct{}) (*listOutput[BankCSVTemplate], error) {
			list, err := h.svc.ListBankCSVTemplates(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, "", bankCSVTemplateOut), nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-bank-csv-template", Method: http.MethodGet, Path: "/v1/bank-csv-templates/{id}",
		Summary: "A bank CSV template, by id or name", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body BankCSVTemplate }, error) {
			t, err := h.svc.BankCSVTemplate(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body BankCSVTemplate }{Body: bankCSVTemplateOut(t)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "preview-bank-csv", Method: http.MethodPost, Path: "/v1/bank-csv-templates/{id}/preview",
		Summary: "What the template makes of a file, before importing it", Tags: tags,
		RequestBody: &huma.RequestBody{Required: true, Content: map[string]*huma.MediaType{"text/csv": {}, "text/plain": {}}},
		Description: "Reads the first 20 rows of the file (the body) by the template and returns them as bank lines would be, " +
			"with the first refusal, if any. Nothing is kept."},
		func(ctx context.Context, in *previewUpload) (*bankCSVPreviewOutput, error) {
			t, err := h.svc.BankCSVTemplate(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			p, err := bankcsv.PreviewFile(in.body, t, 20)
			if err != nil {
				return nil, problem(err)
			}
			out := &bankCSVPreviewOutput{}
			out.Body.Header, out.Body.Lines = p.Header, make([]BankLine, 0, len(p.Entries))
			if out.Body.Header == nil {
				out.Body.Header = []string{}
			}
			for i := range p.Entries {
				out.Body.Lines = append(out.Body.Lines, bankEntryOut(&p.Entries[i]))
			}
			if p.Error != nil {
				out.Body.Refusal = errorProblem(finapp.Invalid("file", "%s", p.Error.Error()))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-bank-csv-template", Method: http.MethodDelete, Path: "/v1/bank-csv-templates/{id}",
		Summary: "Delete a bank CSV template (statements read by it stay)", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.svc.DeleteBankCSVTemplate(ctx, in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})
}

// previewUpload is the input of a preview: the file is read as it comes, up to the rows shown.
type previewUpload struct {
	ID   string `path:"id"`
	body io.Reader
}

func (u *previewUpload) Resolve(ctx huma.Context) []error {
	u.body = ctx.BodyReader()
	return nil
}

// bankEntryOut shows an entry read for a preview as the line it would be.
func bankEntryOut(e *finapp.BankEntry) BankLine {
	status := finapp.BankLineUnmatched
	if e.Status != finapp.EntryBooked {
		status = finapp.BankLineInformational
	}
	return bankLineOut(&finapp.BankLine{Status: status, Amount: e.Amount, Currency: e.Currency, Credit: e.Credit, Reversal: e.Reversal,
		EntryStatus: e.Status, BookingDate: e.BookingDate, ValueDate: e.ValueDate, BankReference: e.BankReference, Batch: e.Batch,
		EntryReference: e.EntryReference, EndToEndID: e.EndToEndID, TransactionID: e.TransactionID,
		CounterpartyName: e.CounterpartyName, CounterpartyIBAN: e.CounterpartyIBAN, RemittanceText: e.RemittanceText,
		StructuredReference: e.StructuredReference, DocumentNumbers: e.DocumentNumbers, AdditionalInfo: e.AdditionalInfo,
		TransactionCode: e.TransactionCode, Charges: e.Charges})
}

type bankCSVPreviewOutput struct {
	Body struct {
		Header  []string   `json:"header"`
		Lines   []BankLine `json:"lines"`
		Refusal *Problem   `json:"refusal,omitempty" doc:"The first row the template cannot read, if any"`
	}
}
