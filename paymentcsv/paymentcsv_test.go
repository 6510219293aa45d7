package paymentcsv

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"finapp"
)

// readAll reads every line of a file, returning the payments read and the errors met.
func readAll(t *testing.T, file string) ([]finapp.ImportLine, []error) {
	t.Helper()
	r, err := NewReader(strings.NewReader(file))
	if err != nil {
		return nil, []error{err}
	}
	var lines []finapp.ImportLine
	var errs []error
	for {
		l, err := r.Next()
		if errors.Is(err, io.EOF) {
			return lines, errs
		}
		if err != nil {
			errs = append(errs, err)
			var le *finapp.LineError
			if !errors.As(err, &le) {
				return lines, errs
			}
			continue
		}
		lines = append(lines, l)
	}
}

func lineError(t *testing.T, err error) *finapp.LineError {
	t.Helper()
	var le *finapp.LineError
	if !errors.As(err, &le) {
		t.Fatalf("%v (%T) is not a *finapp.LineError", err, err)
	}
	return le
}

func TestReader_TakesColumnsInAnyOrderAndABOM(t *testing.T) {
	file := "\ufeffReference, amount ,currency,method,received_on,organization_id,remark\r\n" +
		"DBS 1,100.00,SGD,bank_transfer,2026-01-31,org_1,\"paid, late\"\r\n" +
		"\"multi\nline\",5000,JPY,cash,2026-01-30,,\r\n" +
		"DBS 3,1.50,USD,cheque,2026-01-29,,x\r\n"
	lines, errs := readAll(t, file)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	want := []finapp.ImportLine{
		{Line: 2, Payment: finapp.PaymentCreate{Reference: "DBS 1", Amount: "100.00", Currency: "SGD", Method: "bank_transfer", ReceivedOn: "2026-01-31", OrganizationID: "org_1", Remark: "paid, late"}},
		{Line: 3, Payment: finapp.PaymentCreate{Reference: "multi\nline", Amount: "5000", Currency: "JPY", Method: "cash", ReceivedOn: "2026-01-30"}},
		{Line: 5, Payment: finapp.PaymentCreate{Reference: "DBS 3", Amount: "1.50", Currency: "USD", Method: "cheque", ReceivedOn: "2026-01-29", Remark: "x"}},
	}
	if len(lines) != len(want) {
		t.Fatalf("read %d lines, want %d: %+v", len(lines), len(want), lines)
	}
	for i := range want {
		if !reflect.DeepEqual(lines[i], want[i]) {
			t.Errorf("line %d read as %+v, want %+v", i, lines[i], want[i])
		}
	}
}

func TestReader_PassesFieldsOnAsWritten(t *testing.T) {
	// The service judges " 100.00" and "sgd" as the API would (refused); the reader must not
	// quietly repair them.
	lines, errs := readAll(t, "received_on,amount,currency,method,reference\n2026-01-31, 100.00,sgd,Cash,  DBS  \n")
	if len(errs) > 0 || len(lines) != 1 {
		t.Fatal(lines, errs)
	}
	if p := lines[0].Payment; p.Amount != " 100.00" || p.Currency != "sgd" || p.Method != "Cash" || p.Reference != "  DBS  " {
		t.Fatalf("fields changed on the way: %+v", p)
	}
}

func TestReader_RefusesABadHeader(t *testing.T) {
	cases := []struct {
		name, header, field, says string
	}{
		{"unknown column", "received_on,amount,currency,method,reference,iban", "iban", `unknown column "iban"`},
		{"missing column", "received_on,amount,currency,method", "reference", "no reference column"},
		{"column twice", "received_on,amount,currency,method,reference,Amount", "amount", "named twice"},
		{"unnamed column", "received_on,amount,currency,method,reference,", "", "column 6 of the header has no name"},
		{"semicolons", "received_on;amount;currency;method;reference", "", "not comma-separated"},
		{"empty file", "", "", "the file is empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(c.header + "\n2026-01-31,1.00,SGD,cash,x\n"))
			if c.header == "" {
				_, err = NewReader(strings.NewReader(""))
			}
			le := lineError(t, err)
			if le.Line != 1 || le.Field != c.field || !strings.Contains(le.Message, c.says) {
				t.Fatalf("got line %d field %q %q; want line 1 field %q saying %q", le.Line, le.Field, le.Message, c.field, c.says)
			}
		})
	}
}

func TestReader_NamesTheLineOfEachBadRowAndReadsOn(t *testing.T) {
	file := "received_on,amount,currency,method,reference\n" +
		"2026-01-31,1.00,SGD,cash,ok\n" +
		"2026-01-31,1.00,SGD,cash\n" + // a field short
		"2026-01-31,1.00,SGD,cash,\xff\xfe latin-1\n" +
		"2026-01-31,1.00,SGD,cash,a\x00b\n" +
		"2026-01-31,1.00,SGD,cash,x \"quoted\" y\n" +
		"2026-01-31,2.00,SGD,cash,ok again\n"
	lines, errs := readAll(t, file)
	if len(lines) != 2 || lines[0].Line != 2 || lines[1].Line != 7 {
		t.Fatalf("good lines %+v", lines)
	}
	want := []struct {
		line        int
		field, says string
	}{
		{3, "", "different number of fields than the header's 5"},
		{4, "reference", "not UTF-8"},
		{5, "reference", "NUL"},
		{6, "", "not valid CSV"},
	}
	if len(errs) != len(want) {
		t.Fatalf("errors %v, want %d", errs, len(want))
	}
	for i, w := range want {
		le := lineError(t, errs[i])
		if le.Line != w.line || le.Field != w.field || !strings.Contains(le.Message, w.says) {
			t.Errorf("error %d: line %d field %q %q; want line %d field %q saying %q", i, le.Line, le.Field, le.Message, w.line, w.field, w.says)
		}
	}
}

func TestReader_DigestIsTheFilesSHA256(t *testing.T) {
	file := "received_on,amount,currency,method,reference\n2026-01-31,1.00,SGD,cash,x\n"
	r, err := NewReader(strings.NewReader(file))
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := r.Next(); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	sum := sha256.Sum256([]byte(file))
	if r.Digest() != hex.EncodeToString(sum[:]) {
		t.Fatalf("digest %s, want %x", r.Digest(), sum)
	}
	if r.Offset() != int64(len(file)) {
		t.Fatalf("offset %d, want %d", r.Offset(), len(file))
	}
}

func TestReader_StopsAtARowLongerThanAnyPayment(t *testing.T) {
	// An unclosed quote swallows the rest of the file into one field; the reader gives up after
	// MaxRecordBytes instead of holding the whole file.
	var b bytes.Buffer
	b.WriteString("received_on,amount,currency,method,reference\n2026-01-31,1.00,SGD,cash,\"open quote\n")
	for b.Len() < 3*MaxRecordBytes {
		b.WriteString("2026-01-31,1.00,SGD,cash,more\n")
	}
	r, err := NewReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.Next()
	if !errors.Is(err, errTooLong) || !strings.Contains(err.Error(), "after line 1") {
		t.Fatalf("got %v, want the row-too-long error after line 1", err)
	}
	if b.Len() == 0 {
		t.Fatal("the reader read the whole file")
	}
}

// FuzzReader feeds the reader arbitrary files. It must never panic; every line it passes on
// carries only UTF-8 text without NUL (what a JSON request could carry), at a line number after
// the previous one; every refusal names a line; and a file it reads can be written back by
// encoding/csv and read again to the same payments.
func FuzzReader(f *testing.F) {
	header := "received_on,amount,currency,method,reference,organization_id,invoice_number,remark\n"
	for _, seed := range []string{
		header + "2026-01-31,100.00,SGD,bank_transfer,DBS 0042,,INV-1,\n",
		header + "2026-01-31,\"1,000.00\",SGD,cash,\"a \"\"quoted\"\" one\",org_x,,\"two\nlines\"\n",
		"\ufeff" + header + "2026-01-31,5000,JPY,cash,x,,,\r\n2026-01-30,1.5,USD,cheque,y,,,\r\n",
		header + "2026-01-31,1.00,SGD,cash\n",
		header + "2026-01-31,1.00,SGD,cash,\xff,,,\n",
		header + "2026-01-31,1.00,SGD,cash,\"unclosed,,,\n",
		"amount;currency\n1;SGD\n",
		"reference,reference\n",
		"",
		"\n\n\n",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, file string) {
		r, err := NewReader(strings.NewReader(file))
		if err != nil {
			var le *finapp.LineError
			if !errors.As(err, &le) || le.Line < 1 {
				t.Fatalf("header refused without a line: %v", err)
			}
			return
		}
		var good []finapp.ImportLine
		last := 1
		for {
			l, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				var le *finapp.LineError
				if errors.As(err, &le) {
					if le.Line <= 1 {
						t.Fatalf("refusal %v names line %d, not a line after the header", le, le.Line)
					}
					continue
				}
				if errors.Is(err, errTooLong) {
					return
				}
				t.Fatalf("unexpected error %v", err)
			}
			if l.Line <= last {
				t.Fatalf("line %d read after line %d", l.Line, last)
			}
			last = l.Line
			for _, v := range []string{l.Payment.ReceivedOn, l.Payment.Amount, l.Payment.Currency, l.Payment.Method, l.Payment.Reference,
				l.Payment.OrganizationID, l.Payment.InvoiceNumber, l.Payment.Remark} {
				if !utf8.ValidString(v) || strings.IndexByte(v, 0) >= 0 {
					t.Fatalf("line %d passes on %q", l.Line, v)
				}
			}
			good = append(good, l)
		}
		// Written back with every column, the good lines read again as the same payments.
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		_ = w.Write(Columns)
		for _, l := range good {
			p := l.Payment
			_ = w.Write([]string{p.ReceivedOn, p.Amount, p.Currency, p.Method, p.Reference, p.OrganizationID, p.InvoiceNumber, p.Remark})
		}
		w.Flush()
		again, errs := readAll(t, b.String())
		if len(errs) > 0 || len(again) != len(good) {
			t.Fatalf("written back, %d lines read as %d with %v", len(good), len(again), errs)
		}
		for i := range good {
			if !reflect.DeepEqual(again[i].Payment, good[i].Payment) {
				t.Fatalf("line %d read back as %+v, was %+v", i, again[i].Payment, good[i].Payment)
			}
		}
	})
}
