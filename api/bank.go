package api

import (
	"context"
	"io"
	"net/http"
	"os"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/bankcsv"
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

// MatchingRule is a rule finance staff wrote: conditions on a bank line, and the customer whose
// payment such a line is.
type MatchingRule struct {
	ID             string          `json:"id,omitempty" readOnly:"true" example:"mr_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Name           string          `json:"name" maxLength:"200"`
	Priority       int             `json:"priority,omitempty" minimum:"0" maximum:"10000" doc:"Rules are tried lower first"`
	Match          string          `json:"match,omitempty" enum:"all,any" doc:"all (the default) or any of the conditions"`
	Conditions     []RuleCondition `json:"conditions" minItems:"1" maxItems:"20"`
	OrganizationID string          `json:"organization_id" doc:"The customer whose payment a matching line is"`
	Allocate       string          `json:"allocate,omitempty" enum:"oldest_first,none" doc:"oldest_first (the default): to the customer's oldest open invoices; none: left unapplied"`
	Settle         string          `json:"settle,omitempty" enum:"bank_fee,write_off" doc:"With oldest_first: settle what the money leaves short of the last invoice it reaches, up to settle_up_to, as a bank fee or a write-off (which the workspace's tolerance bounds too); omitted leaves it part paid"`
	SettleUpTo     string          `json:"settle_up_to,omitempty" maxLength:"20" example:"5.00" doc:"With settle: the largest shortfall settled so, in the line's currency"`
	AutoApply      bool            `json:"auto_apply,omitempty" doc:"Apply the rule's proposal without a person, only when it is exact (the money goes to invoices whole, nothing settled)"`
	Hits           int64           `json:"hits" readOnly:"true" doc:"Lines applied by this rule's proposals"`
}

// RuleCondition tests one field of a bank line.
type RuleCondition struct {
	Field    string `json:"field" enum:"counterparty_name,counterparty_iban,text,reference,amount"`
	Operator string `json:"operator" enum:"equals,contains,starts,regex,between"`
	Value    string `json:"value" maxLength:"200" doc:"Text is compared without regard to case; an amount is a decimal string"`
	Value2   string `json:"value2,omitempty" maxLength:"40" doc:"between: the upper bound"`
}

func matchingRuleOut(r *finapp.MatchingRule) MatchingRule {
	out := MatchingRule{ID: r.ID, Name: r.Name, Priority: r.Priority, Match: r.Match, OrganizationID: r.OrganizationID, Allocate: r.Allocate,
		Settle: r.Settle, SettleUpTo: r.SettleUpTo, AutoApply: r.AutoApply, Hits: r.Hits, Conditions: []RuleCondition{}}
	for _, c := range r.Conditions {
		out.Conditions = append(out.Conditions, RuleCondition(c))
	}
	return out
}

func (h *handlers) registerMatchingRules(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "create-matching-rule", Method: http.MethodPost, Path: "/v1/matching-rules",
		Summary: "Write a matching rule for bank lines", Tags: tags, DefaultStatus: http.StatusCreated},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           MatchingRule
		}) (*created[MatchingRule], error) {
			b := in.Body
			r := finapp.MatchingRule{Name: b.Name, Priority: b.Priority, Match: b.Match, OrganizationID: b.OrganizationID, Allocate: b.Allocate,
				Settle: b.Settle, SettleUpTo: b.SettleUpTo, AutoApply: b.AutoApply}
			for _, c := range b.Conditions {
				r.Conditions = append(r.Conditions, finapp.RuleCondition(c))
			}
			saved, err := h.svc.CreateMatchingRule(ctx, r)
			if err != nil {
				return nil, problem(err)
			}
			return &created[MatchingRule]{Location: "/v1/matching-rules/" + saved.ID, Body: matchingRuleOut(saved)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "list-matching-rules", Method: http.MethodGet, Path: "/v1/matching-rules",
		Summary: "The matching rules, in the order they are tried", Tags: tags},
		func(ctx context.Context, in *struct{}) (*listOutput[MatchingRule], error) {
			list, err := h.svc.MatchingRules(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return listOf(list, "", matchingRuleOut), nil
		})
	huma.Register(api, huma.Operation{OperationID: "get-matching-rule", Method: http.MethodGet, Path: "/v1/matching-rules/{id}",
		Summary: "A matching rule", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{ Body MatchingRule }, error) {
			r, err := h.svc.GetMatchingRule(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body MatchingRule }{Body: matchingRuleOut(r)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "delete-matching-rule", Method: http.MethodDelete, Path: "/v1/matching-rules/{id}",
		Summary: "Delete a matching rule (lines it applied stay applied)", Tags: tags, DefaultStatus: http.StatusNoContent},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct{}, error) {
			if err := h.svc.DeleteMatchingRule(ctx, in.ID); err != nil {
				return nil, problem(err)
			}
			return nil, nil
		})
}

// BankProposal is one way to apply a bank line, with its evidence.
type BankProposal struct {
	ID             string             `json:"id" doc:"Pass as proposal_id to apply it; the same books make the same id"`
	OrganizationID string             `json:"organization_id,omitempty" doc:"The customer whose payment the money becomes"`
	PaymentID      string             `json:"payment_id,omitempty" doc:"A payment recorded by hand that is this money: applying links it, records nothing"`
	ReversesLineID string             `json:"reverses_line_id,omitempty" doc:"A returned payment's proposal: applying undoes what this applied line created (its payment is deleted)"`
	RuleID         string             `json:"rule_id,omitempty" doc:"The matching rule that made the proposal"`
	Allocations    []BankProposalLine `json:"allocations" doc:"What applying allocates"`
	WriteOff       *BankProposalLine  `json:"write_off,omitempty" doc:"A short payment's difference, settled without money as write_off_kind says"`
	WriteOffKind   string             `json:"write_off_kind,omitempty" enum:"write_off,bank_fee" doc:"write_off: within the workspace's tolerance; bank_fee: as the matching rule rule_id says"`
	Unapplied      string             `json:"unapplied" doc:"What stays unapplied on the customer's payment"`
	Evidence       []Evidence         `json:"evidence" doc:"Why, strongest first"`
	Score          int                `json:"score" doc:"Ranks the proposals of a line"`
}

// BankProposalLine is money of a line a proposal applies to an invoice.
type BankProposalLine struct {
	InvoiceID     string `json:"invoice_id"`
	InvoiceNumber string `json:"invoice_number"`
	Amount        string `json:"amount"`
}

func bankProposalOut(l *finapp.BankLine, p finapp.BankProposal) BankProposal {
	line := func(a finapp.ProposedAllocation) BankProposalLine {
		return BankProposalLine{a.InvoiceID, a.InvoiceNumber, money.Format(a.Amount, l.Currency)}
	}
	out := BankProposal{ID: p.ID, OrganizationID: p.OrganizationID, PaymentID: p.PaymentID, ReversesLineID: p.ReversesLineID, RuleID: p.RuleID,
		Allocations: []BankProposalLine{},
		Unapplied:   money.Format(p.Unapplied, l.Currency), Score: p.Score}
	for _, a := range p.Allocations {
		out.Allocations = append(out.Allocations, line(a))
	}
	if p.WriteOff != nil {
		w := line(*p.WriteOff)
		out.WriteOff, out.WriteOffKind = &w, p.WriteOffKind
	}
	for _, e := range p.Evidence {
		out.Evidence = append(out.Evidence, Evidence{Kind: e.Kind, Detail: e.Detail})
	}
	return out
}

// BankApplyBody is what applying a line takes: a proposal, or a customer and allocations.
type BankApplyBody struct {
	ProposalID     string                `json:"proposal_id,omitempty" doc:"A proposal of the line (GET …/proposals)"`
	OrganizationID string                `json:"organization_id,omitempty" doc:"Without a proposal: the customer whose payment the money becomes"`
	Allocations    []BankApplyAllocation `json:"allocations,omitempty" maxItems:"500" doc:"Without a proposal: how to apply the money; none leaves it unapplied"`
}

// BankApplyAllocation is money of a bank line applied to an invoice, or an adjustment of it.
type BankApplyAllocation struct {
	InvoiceID string `json:"invoice_id"`
	Amount    string `json:"amount" example:"100.00"`
	Kind      string `json:"kind,omitempty" enum:"payment,write_off,bank_fee,discount,fx_difference"`
	Reason    string `json:"reason,omitempty" maxLength:"500"`
}

func (b BankApplyBody) in() finapp.BankLineApply {
	in := finapp.BankLineApply{ProposalID: b.ProposalID, OrganizationID: b.OrganizationID}
	for _, a := range b.Allocations {
		in.Allocations = append(in.Allocations, finapp.AllocationLine{InvoiceID: a.InvoiceID, Amount: a.Amount, Kind: a.Kind, Reason: a.Reason})
	}
	return in
}

type bankLineOutput struct{ Body BankLine }

func (h *handlers) registerBankDecisions(api huma.API, tags []string) {
	huma.Register(api, huma.Operation{OperationID: "list-bank-line-proposals", Method: http.MethodGet, Path: "/v1/bank-lines/{id}/proposals",
		Summary: "A bank line's proposals, best first, each with its evidence", Tags: tags},
		func(ctx context.Context, in *struct {
			ID string `path:"id"`
		}) (*struct {
			Body struct {
				Data []BankProposal `json:"data"`
			}
		}, error) {
			l, list, err := h.svc.BankLineProposals(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct {
				Body struct {
					Data []BankProposal `json:"data"`
				}
			}{}
			out.Body.Data = make([]BankProposal, 0, len(list))
			for _, p := range list {
				out.Body.Data = append(out.Body.Data, bankProposalOut(l, p))
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "apply-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/apply",
		Summary: "Apply a bank line: record its payment and allocate it, or link a payment recorded by hand", Tags: tags,
		Description: "All or nothing. A proposal the books no longer make is refused `409 conflict` naming `proposal_id`; a line " +
			"decided already, money out or not booked is refused 409."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           BankApplyBody
		}) (*bankLineOutput, error) {
			l, err := h.svc.ApplyBankLine(ctx, in.ID, in.Body.in())
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "apply-bank-lines", Method: http.MethodPost, Path: "/v1/bank-lines/apply",
		Summary: "Apply many bank lines: each all or nothing, the batch reports each", Tags: tags},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Lines []BankApplyLine `json:"lines" minItems:"1" maxItems:"500"`
			}
		}) (*struct {
			Body struct {
				Results []BankApplyResult `json:"results"`
			}
		}, error) {
			out := &struct {
				Body struct {
					Results []BankApplyResult `json:"results"`
				}
			}{}
			for _, item := range in.Body.Lines {
				r := BankApplyResult{LineID: item.LineID}
				if l, err := h.svc.ApplyBankLine(ctx, item.LineID, item.BankApplyBody.in()); err != nil {
					if finapp.ErrorCode(err) == finapp.EInternal || finapp.ErrorCode(err) == finapp.EUnavailable {
						return nil, problem(err)
					}
					r.Error = errorProblem(err)
				} else {
					bl := bankLineOut(l)
					r.Line = &bl
				}
				out.Body.Results = append(out.Body.Results, r)
			}
			return out, nil
		})
	huma.Register(api, huma.Operation{OperationID: "ignore-bank-line", Method: http.MethodPost, Path: "/v1/bank-lines/{id}/ignore",
		Summary: "Decide a bank line is not the books' business, for a reason", Tags: tags},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Reason string `json:"reason" minLength:"1" maxLength:"500" doc:"Why (a transfer between own accounts…)"`
			}
		}) (*bankLineOutput, error) {
			l, err := h.svc.IgnoreBankLine(ctx, in.ID, in.Body.Reason)
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
	huma.Register(api, huma.Operation{OperationID: "undo-bank-line", Method: http.MethodDelete, Path: "/v1/bank-lines/{id}/match",
		Summary: "Undo what deciding about a bank line did", Tags: tags,
		Description: "A payment applying recorded is deleted (its allocations released); a linked payment is unlinked and stays; an " +
			"ignored line is taken up again."},
		func(ctx context.Context, in *struct {
			ID             string `path:"id"`
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*bankLineOutput, error) {
			l, err := h.svc.UndoBankLine(ctx, in.ID)
			if err != nil {
				return nil, problem(err)
			}
			return &bankLineOutput{Body: bankLineOut(l)}, nil
		})
}

// BankApplyLine is one line of a bulk apply.
type BankApplyLine struct {
	LineID string `json:"line_id"`
	BankApplyBody
}

// BankApplyResult is what applying one line of a batch did: the line, or the refusal.
type BankApplyResult struct {
	LineID string    `json:"line_id"`
	Line   *BankLine `json:"line,omitempty"`
	Error  *Problem  `json:"error,omitempty" doc:"Why this line was not applied; the others are not affected"`
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

type bankCSVPreviewOutput struct {
	Body struct {
		Header  []string   `json:"header"`
		Lines   []BankLine `json:"lines"`
		Refusal *Problem   `json:"refusal,omitempty" doc:"The first row the template cannot read, if any"`
	}
}
