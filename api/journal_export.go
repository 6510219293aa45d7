package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/beancount"
	"finapp/hledger"
)

// journalFormats are the formats of the journal export: the media type and file name of each.
var journalFormats = map[string]struct {
	mediaType, file string
	writer          func(io.Writer) finapp.JournalWriter
}{
	"hledger":   {"text/vnd.hledger; charset=utf-8", "finapp.journal", func(w io.Writer) finapp.JournalWriter { return hledger.NewWriter(w) }},
	"beancount": {"text/vnd.beancount; charset=utf-8", "finapp.beancount", func(w io.Writer) finapp.JournalWriter { return beancount.NewWriter(w) }},
}

// streamedJournal writes the export's headers when the export begins: until then a refusal
// (bad dates) can still be answered as a problem.
type streamedJournal struct {
	finapp.JournalWriter
	begin func()
}

func (s *streamedJournal) Begin(accounts []finapp.ExportAccount, opening *finapp.ExportedEntry) error {
	s.begin()
	return s.JournalWriter.Begin(accounts, opening)
}

func (h *handlers) registerJournalExport(api huma.API) {
	op := huma.Operation{OperationID: "export-journal", Method: http.MethodGet, Path: "/v1/journal/export",
		Summary: "Export the journal for accounting tools: hledger or Beancount", Tags: []string{"Ledger"},
		Description: "Accounts under assets, liabilities, income and expenses, declared with their types; customers named, " +
			"their id kept as a tag; entries dated by business date (a payment's received_on, an invoice's issued_on, the day " +
			"posted for every later movement) with the day posted beside it; from/to bound the business dates, and the balances " +
			"before from open the export as one entry. Streamed as it is read.",
		Responses: map[string]*huma.Response{"200": {Description: "The journal", Content: map[string]*huma.MediaType{
			"text/vnd.hledger":   {Schema: &huma.Schema{Type: huma.TypeString, Description: "An hledger journal (hledger check --strict passes)"}},
			"text/vnd.beancount": {Schema: &huma.Schema{Type: huma.TypeString, Description: "A Beancount ledger (bean-check passes)"}},
		}}}}
	huma.Register(api, op, func(ctx context.Context, in *struct {
		Format string `query:"format" enum:"hledger,beancount,ledger" default:"hledger" doc:"hledger (default; ledger is the same) or beancount"`
		From   string `query:"from" format:"date" doc:"First business date, inclusive"`
		To     string `query:"to" format:"date" doc:"Last business date, inclusive"`
	}) (*huma.StreamResponse, error) {
		format := in.Format
		if format == "ledger" || format == "" {
			format = "hledger"
		}
		f := journalFormats[format]
		return &huma.StreamResponse{Body: func(hc huma.Context) {
			started := false
			body := hc.BodyWriter()
			if rw, ok := body.(http.ResponseWriter); ok {
				body = &deadlineWriter{w: rw}
			}
			w := &streamedJournal{JournalWriter: f.writer(body), begin: func() {
				started = true
				hc.SetHeader("Content-Type", f.mediaType)
				hc.SetHeader("Content-Disposition", `attachment; filename="`+f.file+`"`)
				hc.SetStatus(http.StatusOK)
			}}
			err := h.svc.ExportJournal(hc.Context(), finapp.JournalExportFilter{From: in.From, To: in.To}, w)
			switch {
			case err == nil:
			case !started:
				p := errorProblem(err)
				hc.SetHeader("Content-Type", "application/problem+json")
				hc.SetStatus(p.Status)
				_ = json.NewEncoder(hc.BodyWriter()).Encode(p)
			default:
				// Rows were sent: cut the connection, so that a truncated journal cannot pass for a whole one.
				panic(http.ErrAbortHandler)
			}
		}}, nil
	})
}
