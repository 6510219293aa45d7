package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/bankfile"
	"finapp/money"
)

// maxStatementBytes bounds a bank statement upload: far above a year of a busy account's camt,
// and the file is spooled to disk, never held in memory.
const maxStatementBytes = 4 << 30

// statementUploadPath is the route a statement is uploaded to: its body is bounded by
// maxStatementBytes, not maxBodyBytes, and kept out of the idempotency store.
const statementUploadPath = "/v1/bank-statements"

// BankStatement is a statement finapp imported.
type BankStatement struct {
	ID            string    `json:"id" example:"bs_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	BankAccountID string    `json:"bank_account_id"`
	Account       string    `json:"account" doc:"The account's IBAN or the bank's number of it"`
	Currency      string    `json:"currency"`
	Format        string    `json:"format" enum:"camt.053,camt.054,mt940,csv"`
	FileDigest    string    `json:"file_digest" doc:"SHA-256 of the file it came in"`
	BankID        string    `json:"bank_id" doc:"The bank's id of the statement"`
	Sequence      string    `json:"sequence,omitempty"`
	Opening       *string   `json:"opening_balance" doc:"Booked opening balance (negative: overdrawn); null when the file states none"`
	OpeningDate   string    `json:"opening_date,omitempty"`
	Closing       *string   `json:"closing_balance"`
	ClosingDate   string    `json:"closing_date,omitempty"`
	Entries       int       `json:"entries" doc:"Entries of the statement in the file"`
	Created       int       `json:"created" doc:"Bank lines it created"`
	Skipped       int       `json:"skipped" doc:"Entries kept already from an earlier statement (an overlap)"`
	ImportedBy    string    `json:"imported_by"`
	ImportedAt    time.Time `json:"imported_at"`
}

func bankStatementOut(r *finapp.BankStatementRecord) BankStatement {
	out := BankStatement{ID: r.ID, BankAccountID: r.BankAccountID, Account: r.Account, Currency: string(r.Currency), Format: r.Format,
		FileDigest: r.FileDigest, BankID: r.BankID, Sequence: r.Sequence, OpeningDate: r.OpeningDate, ClosingDate: r.ClosingDate,
		Entries: r.Entries, Created: r.Created, Skipped: r.Skipped, ImportedBy: r.ImportedBy, ImportedAt: r.ImportedAt}
	if r.HasBalances {
		o, c := r.Opening.Format(r.Currency), r.Closing.Format(r.Currency)
		out.Opening, out.Closing = &o, &c
	}
	return out
}

// BankLine is one entry of a bank account, kept once.
type BankLine struct {
	ID                  string    `json:"id" example:"bl_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	BankAccountID       string    `json:"bank_account_id"`
	StatementID         string    `json:"statement_id" doc:"The statement that first brought it"`
	Status              string    `json:"status" enum:"unmatched,proposed,matched,ignored,informational,split"`
	Direction           string    `json:"direction" enum:"credit,debit" doc:"credit: money in; as the bank's credit/debit indicator says"`
	Reversal            bool      `json:"reversal" doc:"It reverses an earlier entry (a returned payment)"`
	Amount              string    `json:"amount"`
	Currency            string    `json:"currency"`
	EntryStatus         string    `json:"entry_status" enum:"BOOK,PDNG,INFO" doc:"Only booked entries are decided about"`
	BookingDate         string    `json:"booking_date"`
	ValueDate           string    `json:"value_date,omitempty"`
	BankReference       string    `json:"bank_reference,omitempty" doc:"The bank's unique reference of the entry"`
	Batch               string    `json:"batch,omitempty" doc:"The bank reference of the batch entry this detail belongs to"`
	EntryReference      string    `json:"entry_reference,omitempty"`
	EndToEndID          string    `json:"end_to_end_id,omitempty" doc:"The payer's reference"`
	TransactionID       string    `json:"transaction_id,omitempty"`
	CounterpartyName    string    `json:"counterparty_name,omitempty"`
	CounterpartyIBAN    string    `json:"counterparty_iban,omitempty"`
	RemittanceText      string    `json:"remittance_text,omitempty"`
	StructuredReference string    `json:"structured_reference,omitempty" doc:"The creditor reference, e.g. an ISO 11649 RF reference"`
	DocumentNumbers     []string  `json:"document_numbers,omitempty" doc:"Documents (invoices) the payer referred to"`
	AdditionalInfo      string    `json:"additional_info,omitempty"`
	TransactionCode     string    `json:"transaction_code,omitempty"`
	Charges             string    `json:"charges,omitempty" doc:"What the bank charged on it"`
	PaymentID           string    `json:"payment_id,omitempty"`
	IgnoreReason        string    `json:"ignore_reason,omitempty"`
	CreatedAt           time.Time `json:"created_at"`
}

func bankLineOut(l *finapp.BankLine) BankLine {
	out := BankLine{ID: l.ID, BankAccountID: l.BankAccountID, StatementID: l.StatementID, Status: l.Status, Direction: "debit",
		Reversal: l.Reversal, Amount: money.Format(l.Amount, l.Currency), Currency: string(l.Currency), EntryStatus: l.EntryStatus,
		BookingDate: l.BookingDate, ValueDate: l.ValueDate, BankReference: l.BankReference, Batch: l.Batch,
		EntryReference: l.EntryReference, EndToEndID: l.EndToEndID, TransactionID: l.TransactionID, CounterpartyName: l.CounterpartyName,
		CounterpartyIBAN: l.CounterpartyIBAN, RemittanceText: l.RemittanceText, StructuredReference: l.StructuredReference,
		DocumentNumbers: l.DocumentNumbers, AdditionalInfo: l.AdditionalInfo, TransactionCode: l.TransactionCode,
		PaymentID: l.PaymentID, IgnoreReason: l.IgnoreReason, CreatedAt: l.CreatedAt}
	if l.Credit {
		out.Direction = "credit"
	}
	if l.Charges > 0 {
		out.Charges = money.Format(l.Charges, l.Currency)
	}
	return out
}

// BankAccount is an account whose statements finapp imports.
type BankAccount struct {
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Currency    string    `json:"currency"`
	CashAccount string    `json:"cash_account" doc:"The journal account its money is in"`
	CreatedAt   time.Time `json:"created_at"`
}

// statementUpload is the input of an upload: the body is not decoded by huma but handed over as a
// stream (Resolve), spooled to disk by the handler.
type statementUpload struct {
	Format   string `query:"format" enum:"camt,zip,mt940,csv" doc:"The file's format; else the Content-Type, else its first bytes say"`
	Template string `query:"template" doc:"The bank CSV template (id or name) a csv file is read by"`
	Type     string `header:"Content-Type"`
	body     io.Reader
}

func (u *statementUpload) Resolve(ctx huma.Context) []error {
	u.body = ctx.BodyReader()
	return nil
}

// spool keeps the uploaded file on disk and returns how to open it as the books read it.
func (h *handlers) spool(ctx context.Context, u *statementUpload) (path string, open func() (finapp.BankFile, error), err error) {
	if err := finapp.CheckText("Content-Type", u.Type, false); err != nil {
		return "", nil, err
	}
	if err := finapp.CheckText("template", u.Template, false); err != nil {
		return "", nil, err
	}
	format := u.Format
	if format == "" {
		if format, err = bankfile.FormatOfType(u.Type, ""); err != nil {
			return "", nil, err
		}
	}
	var template *finapp.BankCSVTemplate
	if u.Template != "" {
		if template, err = h.svc.BankCSVTemplate(ctx, u.Template); err != nil {
			if finapp.ErrorCode(err) == finapp.ENotFound {
				err = finapp.Invalid("template", "no bank CSV template has the id or name %q", u.Template)
			}
			return "", nil, err
		}
	}
	if path, err = bankfile.Spool(u.body, maxStatementBytes); err != nil {
		return "", nil, err
	}
	if open, err = bankfile.Opener(path, format, template); err != nil {
		os.Remove(path)
		return "", nil, err
	}
	return path, open, nil
}

type bankImportOutput struct {
	Body struct {
		Format      string          `json:"format"`
		FileDigest  string          `json:"file_digest"`
		Statements  []BankStatement `json:"statements"`
		Created     int             `json:"created" doc:"Bank lines created"`
		Skipped     int             `json:"skipped" doc:"Entries kept already from an earlier statement"`
		Split       int             `json:"split" doc:"Batch lines whose details this file brought"`
		Proposed    int             `json:"proposed" doc:"Lines of the file with a proposal waiting"`
		AutoApplied int             `json:"auto_applied" doc:"Lines a matching rule applied by itself (exact proposals of rules with auto_apply)"`
	}
}

func (h *handlers) registerBank(api huma.API) {
	tags := []string{"Bank statements"}
	fileBody := &huma.RequestBody{Description: "The bank's file as it came: camt.053/054 XML (or a ZIP of them), MT940, or a bank CSV " +
		"read by ?template=", Required: true, Content: map[string]*huma.MediaType{
		"application/xml": {}, "application/zip": {}, "text/csv": {}, "text/plain": {}, "application/octet-stream": {}}}
	huma.Register(api, huma.Operation{OperationID: "import-bank-statement", Method: http.MethodPost, Path: statementUploadPath,
		Summary: "Import a bank statement file", Tags: tags, DefaultStatus: http.StatusCreated, RequestBody: fileBody,
		Description: "The file is taken whole or not at all: a malformed, truncated, unbalanced (opening + booked entries ≠ closing) " +
			"or wrong-currency file is refused 422 naming the line. Each entry is kept once per bank account and bank " +
			"reference: the same file again is refused `409 duplicate` naming its statements, and an overlapping statement " +
			"creates only the lines not kept yet (`skipped` counts the others)."},
		func(ctx context.Context, in *statementUpload) (*bankImportOutput, error) {
			path, open, err := h.spool(ctx, in)
			if err != nil {
				return nil, problem(err)
			}
			defer os.Remove(path)
			imp, err := h.svc.ImportBankFile(ctx, open, nil)
			if err != nil {
				return nil, problem(err)
			}
			proposed, applied := 0, 0
			for _, st := range imp.Statements {
				p, a, err := h.svc.ProposeBankLines(ctx, st.ID)
				if err != nil {
					return nil, problem(err)
				}
				proposed, applied = proposed+p, applied+a
			}
			out := &bankImportOutput{}
			out.Body.Format, out.Body.FileDigest = imp.Format, imp.FileDigest
			out.Body.Created, out.Body.Skipped, out.Body.Split, out.Body.Proposed = imp.Created, imp.Skipped, imp.Split, proposed
			out.Body.AutoApplied = applied
			out.Body.Statements = make([]BankStatement, 0, len(imp.Statements))
			for _, st := range imp.Statements {
				out.Body.Statements = append(out.Body.Statements, bankStatementOut(st))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-bank-statements", Method: http.MethodGet, Path: statementUploadPath,
		Summary: "Imported statements, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			BankAccountID string `query:"bank_account_id"`
			PageQuery
		}) (*listOutput[BankStatement], error) {
			list, next, err := h.svc.ListBankStatements(ctx, finapp.BankStatementFilter{BankAccountID: in.BankAccountID,
				Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, next, bankStatementOut), nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-bank-statement", Method: http.MethodGet, Path: "/v1/bank-statements/{id}",
		Summary: "An imported statement", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body BankStatement }, error) {
			st, err := h.svc.GetBankStatement(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body BankStatement }{Body: bankStatementOut(st)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-bank-lines", Method: http.MethodGet, Path: "/v1/bank-lines",
		Summary: "Bank lines, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			Status        string `query:"status" enum:"unmatched,proposed,matched,ignored,informational,split"`
			BankAccountID string `query:"bank_account_id"`
			StatementID   string `query:"statement_id"`
			PageQuery
		}) (*listOutput[BankLine], error) {
			list, next, err := h.svc.ListBankLines(ctx, finapp.BankLineFilter{Status: in.Status, BankAccountID: in.BankAccountID,
				StatementID: in.StatementID, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, next, bankLineOut), nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-bank-line", Method: http.MethodGet, Path: "/v1/bank-lines/{id}",
		Summary: "A bank line", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body BankLine }, error) {
			l, err := h.svc.GetBankLine(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body BankLine }{Body: bankLineOut(l)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-bank-accounts", Method: http.MethodGet, Path: "/v1/bank-accounts",
		Summary: "The bank accounts statements were imported for", Tags: tags},
		func(ctx context.Context, in *struct{}) (*listOutput[BankAccount], error) {
			list, err := h.svc.ListBankAccounts(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, "", func(a *finapp.BankAccount) BankAccount {
				return BankAccount{ID: a.ID, Account: a.Account, Currency: string(a.Currency), CashAccount: a.CashAccount, CreatedAt: a.CreatedAt}
			}), nil
		})
	h.registerBankDecisions(api, tags)
	h.registerBankCSVTemplates(api, tags)
	h.registerMatchingRules(api, tags)
}

// listOutput is a page of a list.
type listOutput[T any] struct {
	Body struct {
		Data       []T    `json:"data"`
		NextCursor string `json:"next_cursor,omitempty" doc:"Pass as cursor for the next page; absent on the last page"`
	}
}

func listOf[E, T any](list []E, next string, out func(E) T) *listOutput[T] {
	o := &listOutput[T]{}
	o.Body.Data = make([]T, 0, len(list))
	for _, e := range list {
		o.Body.Data = append(o.Body.Data, out(e))
	}
	o.Body.NextCursor = next
	return o
}
