package api

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"mime"
	"net/http"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// csvList is a list or report that can be exported as CSV: the member of its JSON answer that
// holds the rows, and the Go type of a row, whose JSON members in field order are the columns.
type csvList struct {
	member string
	row    reflect.Type
	file   string
}

// csvLists are the exports, by operation. Adding a list here is all it takes: the columns, the
// paging and the filters come from the list itself.
var csvLists = map[string]csvList{
	"list-organizations":     {"data", reflect.TypeFor[Organization](), "organizations"},
	"list-invoices":          {"data", reflect.TypeFor[Invoice](), "invoices"},
	"list-payments":          {"data", reflect.TypeFor[Payment](), "payments"},
	"list-audit":             {"data", reflect.TypeFor[AuditEvent](), "audit"},
	"list-events":            {"data", reflect.TypeFor[finapp.EventEnvelope](), "events"},
	"list-tokens":            {"data", reflect.TypeFor[TokenInfo](), "tokens"},
	"list-users":             {"data", reflect.TypeFor[UserInfo](), "users"},
	"list-webhook-endpoints": {"data", reflect.TypeFor[WebhookEndpoint](), "webhook-endpoints"},
	"list-webhook-attempts":  {"data", reflect.TypeFor[WebhookAttempt](), "webhook-deliveries"},
	"aging-report":           {"rows", reflect.TypeFor[AgingRow](), "aging"},
	"receipts-report":        {"groups", reflect.TypeFor[ReceiptGroup](), "receipts"},
	"list-reminders":         {"data", reflect.TypeFor[Reminder](), "reminders"},
	"list-credit-notes":      {"data", reflect.TypeFor[CreditNote](), "credit-notes"},
}

// csvPage is the part of a list's JSON answer the export reads: the rows, and where the next
// page starts (next_cursor for lists by id, next_after and has_more for the event feed).
type csvPage struct {
	NextCursor string `json:"next_cursor"`
	NextAfter  int64  `json:"next_after"`
	HasMore    bool   `json:"has_more"`
}

// csvPageSize is the page the export reads at a time: the largest a list serves.
const csvPageSize = 500

// declareCSV documents the format parameter and the text/csv answer of every export.
func declareCSV(op *huma.Operation) {
	if _, ok := csvLists[op.OperationID]; !ok {
		return
	}
	op.Parameters = append(op.Parameters, &huma.Param{Name: "format", In: "query",
		Description: "csv: every row of the list (all pages, the same filters) as CSV, streamed; the same as Accept: text/csv. Default json.",
		Schema:      &huma.Schema{Type: huma.TypeString, Enum: []any{"json", "csv"}}})
	if ok := op.Responses["200"]; ok != nil && ok.Content != nil {
		ok.Content["text/csv"] = &huma.MediaType{Schema: &huma.Schema{Type: huma.TypeString,
			Description: "A header row of the JSON members (nested ones as parent.member), then one row per item"}}
	}
}

// exportCSV answers an export's request for CSV (format=csv, or Accept: text/csv first) by
// calling the list itself page after page with the same filters and writing each page's rows
// as it comes, so that the whole list is never held in memory. A refusal of the first page is
// answered as it is (a problem); a failure after rows were sent cuts the connection, so that a
// client cannot mistake a truncated file for a whole one.
func exportCSV(routes *routeIndex, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			next.ServeHTTP(w, r)
			return
		}
		op := routes.lookup(r.Method, r.URL.Path)
		list, ok := csvLists[op.id]
		if !ok {
			next.ServeHTTP(w, r)
			return
		}
		q := r.URL.Query()
		switch format := q.Get("format"); {
		case format == "csv" || format == "" && firstAccepted(r.Header.Get("Accept")) == "text/csv":
		case format == "" || format == "json":
			q.Del("format")
			r.URL.RawQuery = q.Encode()
			next.ServeHTTP(w, r)
			return
		default:
			writeProblem(w, errorProblem(finapp.Invalid("format", "must be json or csv, not %q", format)))
			return
		}
		q.Del("format")
		// limit is how many rows are read at a time; the export goes on to the last page.
		if slices.Contains(op.query, "limit") && q.Get("limit") == "" {
			q.Set("limit", strconv.Itoa(csvPageSize))
		}
		columns := csvColumns(list.row, "")
		var out *csv.Writer
		for {
			inner := r.Clone(r.Context())
			inner.URL.RawQuery = q.Encode()
			inner.RequestURI = inner.URL.RequestURI()
			inner.Header.Set("Accept", "application/json")
			rec := newBufferedResponse()
			next.ServeHTTP(rec, inner)
			if rec.status != http.StatusOK {
				if out == nil {
					rec.flushTo(w)
					return
				}
				panic(http.ErrAbortHandler)
			}
			var page csvPage
			var members map[string]json.RawMessage
			var rows []map[string]any
			if json.Unmarshal(rec.body.Bytes(), &page) != nil || json.Unmarshal(rec.body.Bytes(), &members) != nil ||
				decodeRows(members[list.member], &rows) != nil {
				if out == nil {
					writeProblem(w, errorProblem(finapp.Errorf(finapp.EInternal, "the list's answer could not be read")))
					return
				}
				panic(http.ErrAbortHandler)
			}
			if out == nil {
				w.Header().Set("Content-Type", "text/csv; charset=utf-8")
				w.Header().Set("Content-Disposition", `attachment; filename="`+list.file+`.csv"`)
				w.WriteHeader(http.StatusOK)
				out = csv.NewWriter(&deadlineWriter{w: w})
				_ = out.Write(columns)
			}
			for _, row := range rows {
				record := make([]string, len(columns))
				for i, c := range columns {
					record[i] = csvCell(lookupPath(row, c))
				}
				if err := out.Write(record); err != nil {
					return // the client went away
				}
			}
			out.Flush()
			if f, ok := w.(http.Flusher); ok {
				f.Flush()
			}
			switch {
			case len(rows) == 0:
				return
			case page.NextCursor != "":
				q.Set("cursor", page.NextCursor)
			case page.HasMore:
				q.Set("after", strconv.FormatInt(page.NextAfter, 10))
			default:
				return
			}
		}
	})
}

func decodeRows(raw json.RawMessage, rows *[]map[string]any) error {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber() // amounts are strings already; counts and sequences stay exact too
	return d.Decode(rows)
}

// firstAccepted is the media type a client lists first in Accept.
func firstAccepted(accept string) string {
	first, _, _ := strings.Cut(accept, ",")
	mt, _, err := mime.ParseMediaType(strings.TrimSpace(first))
	if err != nil {
		return ""
	}
	return mt
}

// csvColumns are the JSON members of t in field order, a nested object's members as
// "parent.member"; a list or a free-form object is one column holding its JSON.
func csvColumns(t reflect.Type, prefix string) []string {
	var cols []string
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		ft := f.Type
		for ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && name == "" && ft.Kind() == reflect.Struct {
			cols = append(cols, csvColumns(ft, prefix)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		if ft.Kind() == reflect.Struct && ft != reflect.TypeFor[time.Time]() {
			cols = append(cols, csvColumns(ft, prefix+name+".")...)
			continue
		}
		cols = append(cols, prefix+name)
	}
	return cols
}

// lookupPath finds the member a column names ("buckets.current") in a decoded row.
func lookupPath(row map[string]any, column string) any {
	var v any = row
	for part := range strings.SplitSeq(column, ".") {
		m, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = m[part]
	}
	return v
}

// csvCell writes one value: text as it is, numbers exactly as sent, a list or free-form
// object as its JSON. Text a spreadsheet would run as a formula (=, +, @, a tab or carriage
// return first, or a minus that does not start a number) is prefixed with an apostrophe: an
// export must not become a way to run a customer's "remark" on a finance clerk's machine.
func csvCell(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return defuseFormula(x)
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	default:
		b, _ := json.Marshal(x)
		return defuseFormula(string(b))
	}
}

func defuseFormula(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '@', '\t', '\r':
		return "'" + s
	case '-':
		if !negativeNumber.MatchString(s) {
			return "'" + s
		}
	}
	return s
}

var negativeNumber = regexp.MustCompile(`^-[0-9]+(\.[0-9]+)?$`)
