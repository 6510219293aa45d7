package billingfile

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"strings"
	"testing"

	"finapp"
)

func readInvoices(t *testing.T, f Format, content string) ([]finapp.InvoiceImportLine, []error) {
	t.Helper()
	r, err := NewInvoices(strings.NewReader(content), f)
	if err != nil {
		return nil, []error{err}
	}
	var lines []finapp.InvoiceImportLine
	var errs []error
	for {
		l, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var le *finapp.LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a line error: %v", err)
			}
			errs = append(errs, err)
			continue
		}
		lines = append(lines, l)
	}
	sum := sha256.Sum256([]byte(content))
	if r.Digest() != hex.EncodeToString(sum[:]) {
		t.Fatalf("digest %s is not the file's SHA-256", r.Digest())
	}
	return lines, errs
}

func TestInvoices_CSVAndJSONLinesReadTheSameLines(t *testing.T) {
	csv := "\ufeffExternal_ID,number,total,metadata.Plan,organization_external_id\r\nb-1,INV-1,12.50,gold,c-1\r\nb-2,\"INV-2, part\",3,,c-2\r\n"
	jsonl := `{"external_id":"b-1","number":"INV-1","total":"12.50","metadata":{"Plan":"gold"},"organization_external_id":"c-1"}

{"external_id":"b-2","number":"INV-2, part","total":"3","metadata":{},"organization_external_id":"c-2","kind":null}
`
	a, errs := readInvoices(t, CSV, csv)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	b, errs := readInvoices(t, JSONL, jsonl)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if len(a) != 2 || len(b) != 2 {
		t.Fatalf("%d and %d lines", len(a), len(b))
	}
	for i := range a {
		x, y := a[i].Invoice, b[i].Invoice
		if x.ExternalID != y.ExternalID || x.Number != y.Number || x.Total != y.Total || x.OrganizationExternalID != y.OrganizationExternalID ||
			len(x.Metadata) != len(y.Metadata) || x.Metadata["Plan"] != y.Metadata["Plan"] {
			t.Errorf("line %d: CSV %+v, JSON Lines %+v", i, x, y)
		}
	}
	if a[0].Line != 2 || a[1].Line != 3 || b[0].Line != 1 || b[1].Line != 3 {
		t.Errorf("line numbers %d %d (CSV), %d %d (JSON Lines)", a[0].Line, a[1].Line, b[0].Line, b[1].Line)
	}
}

func TestInvoices_NamesWhatItCannotRead(t *testing.T) {
	for _, c := range []struct {
		name, content string
		format        Format
		says          string
	}{
		{"no external_id column", "number,total\nA,1\n", CSV, "line 1, external_id: the header has no external_id column"},
		{"unknown column", "external_id,amount\nA,1\n", CSV, `unknown column "amount"`},
		{"column twice", "external_id,total,total\nA,1,2\n", CSV, "line 1, total: the column is named twice"},
		{"semicolons", "external_id;total\n", CSV, "not comma-separated"},
		{"empty file", "", CSV, "the file is empty"},
		{"short row", "external_id,total\nA\n", CSV, "line 2: has a different number of fields"},
		{"not UTF-8", "external_id,total\nA,\xff\n", CSV, "line 2, total: is not UTF-8"},
		{"a number for an amount", `{"external_id":"A","total":12.5}`, JSONL, `line 1, total: must be a string (amounts too, as "12.50")`},
		{"unknown key", `{"external_id":"A","amount":"1"}`, JSONL, `line 1, amount: unknown key "amount"`},
		{"not an object", "{\"external_id\":\"A\"}\n[1]\n", JSONL, "line 2: is not a JSON object"},
		{"metadata not strings", `{"external_id":"A","metadata":{"a":1}}`, JSONL, "line 1, metadata: must be an object of strings"},
		{"NUL", "{\"external_id\":\"A\\u0000\"}", JSONL, "line 1, external_id: contains a NUL character"},
		{"too long", `{"external_id":"` + strings.Repeat("x", MaxLineBytes) + "\"}\n{\"external_id\":\"B\"}\n", JSONL, "line 1: is longer than"},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines, errs := readInvoices(t, c.format, c.content)
			if len(errs) == 0 || !strings.Contains(errs[0].Error(), c.says) {
				t.Fatalf("got %v (lines %+v), want %q", errs, lines, c.says)
			}
		})
	}
}

func TestFormatOf_TellsTheFormatByTheName(t *testing.T) {
	for name, want := range map[string]Format{"a.csv": CSV, "B.CSV": CSV, "x.jsonl": JSONL, "y.ndjson": JSONL} {
		if f, err := FormatOf(name); err != nil || f != want {
			t.Errorf("%s: %v %v", name, f, err)
		}
	}
	if _, err := FormatOf("run.xlsx"); err == nil {
		t.Error("an .xlsx file was taken")
	}
}

// FuzzInvoices: any bytes, as CSV or JSON Lines, read to the end without a panic, and every
// refusal is a line error naming a line the file has.
func FuzzInvoices(f *testing.F) {
	f.Add(true, "external_id,number,total,metadata.plan\nb-1,INV-1,12.50,gold\n")
	f.Add(true, "external_id,total\n\"A,1\n")
	f.Add(false, `{"external_id":"b-1","total":"1","metadata":{"k":"v"}}`+"\n\n[]\n")
	f.Add(false, `{"external_id":"\ud800","total":null,"metadata":null}`)
	f.Fuzz(func(t *testing.T, asCSV bool, content string) {
		format := JSONL
		if asCSV {
			format = CSV
		}
		r, err := NewInvoices(strings.NewReader(content), format)
		if err != nil {
			var le *finapp.LineError
			if !errors.As(err, &le) && !errors.Is(err, errTooLong) {
				t.Fatalf("header: %v", err)
			}
			return
		}
		lines := strings.Count(content, "\n") + 1
		for range lines + 1 {
			l, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			var le *finapp.LineError
			switch {
			case errors.As(err, &le):
				if le.Line < 1 || le.Line > lines {
					t.Fatalf("refusal names line %d of %d: %v", le.Line, lines, le)
				}
			case err != nil && !errors.Is(err, errTooLong):
				t.Fatalf("not a line error: %v", err)
			case err == nil && (l.Line < 1 || l.Line > lines):
				t.Fatalf("line %d of %d", l.Line, lines)
			}
		}
		t.Fatal("more lines than the file has")
	})
}

// FuzzOrganizations does the same for files of organizations.
func FuzzOrganizations(f *testing.F) {
	f.Add(true, "external_id,name,billing_currency\nc-1,Acme,SGD\n")
	f.Add(false, `{"external_id":"c-1","name":"Acme","billing_currency":"SGD"}`)
	f.Fuzz(func(t *testing.T, asCSV bool, content string) {
		format := JSONL
		if asCSV {
			format = CSV
		}
		r, err := NewOrganizations(strings.NewReader(content), format)
		if err != nil {
			return
		}
		for range strings.Count(content, "\n") + 2 {
			if _, err := r.Next(); errors.Is(err, io.EOF) {
				return
			} else if err != nil {
				var le *finapp.LineError
				if !errors.As(err, &le) && !errors.Is(err, errTooLong) {
					t.Fatalf("not a line error: %v", err)
				}
			}
		}
		t.Fatal("more lines than the file has")
	})
}
