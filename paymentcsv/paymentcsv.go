// Package paymentcsv reads the CSV payment files finance staff import with `finapp import
// payments` (docs/import.md): a header row naming the columns, then one payment per row. It turns
// each row into a finapp.PaymentCreate, as package api turns a JSON body into one, and leaves
// every rule to the service; it refuses only what is not a readable payment file. It reads as it
// goes, so a file of any length takes the same memory.
package paymentcsv

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"strings"
	"unicode/utf8"

	"finapp"
	"finapp/internal/csvrow"
)

// Columns are the columns a file may have, in the order the documentation lists them; Required
// ones must be in the header. Any order is fine; other names are refused.
var (
	Columns  = []string{"received_on", "amount", "currency", "method", "reference", "organization_id", "invoice_number", "remark"}
	Required = []string{"received_on", "amount", "currency", "method", "reference"}
)

// MaxRecordBytes bounds one row. The longest valid row is about 10 KiB (a remark is at most 2,000
// characters); a longer one is a broken file, typically an unclosed quote swallowing the rest of
// it, which would otherwise be held in memory whole.
const MaxRecordBytes = 1 << 20

// Reader reads the payment rows of one CSV file. It implements intake.Lines.
type Reader struct {
	csv    *csv.Reader
	in     *csvrow.Limited
	sum    hash.Hash
	fields []func(*finapp.PaymentCreate) *string // column index → the field it fills
	names  []string                              // column index → its name
	line   int                                   // where the last row read starts
	closer io.Closer
}

// Open opens the file at path and reads its header; Close closes the file.
func Open(path string) (*Reader, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := NewReader(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewReader reads the header from r. A header that is missing a required column, names an
// unknown one or names one twice is a *finapp.LineError on line 1.
func NewReader(r io.Reader) (*Reader, error) {
	sum := sha256.New()
	in := &csvrow.Limited{R: io.TeeReader(r, sum), Max: MaxRecordBytes, TooLong: errTooLong}
	c := csv.NewReader(bufio.NewReaderSize(in, 64<<10))
	c.ReuseRecord = true
	header, err := c.Read()
	in.Record()
	if errors.Is(err, io.EOF) {
		return nil, &finapp.LineError{Line: 1, Message: "the file is empty; it must start with a header row naming the columns (" + strings.Join(Required, ",") + ")"}
	}
	if err != nil {
		return nil, csvrow.Error(err, nil)
	}
	rd := &Reader{csv: c, in: in, sum: sum, line: 1}
	seen := map[string]bool{}
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(h))
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // the byte-order mark spreadsheets put first
		}
		field := fieldOf(name)
		switch {
		case name == "":
			return nil, &finapp.LineError{Line: 1, Message: fmt.Sprintf("column %d of the header has no name", i+1)}
		case field == nil && strings.ContainsAny(name, ";\t"):
			return nil, &finapp.LineError{Line: 1, Message: fmt.Sprintf("the header %q is not comma-separated; save the file as CSV with commas", h)}
		case field == nil:
			return nil, &finapp.LineError{Line: 1, Field: name, Message: fmt.Sprintf("unknown column %q; the columns are %s", h, strings.Join(Columns, ", "))}
		case seen[name]:
			return nil, &finapp.LineError{Line: 1, Field: name, Message: "the column is named twice"}
		}
		seen[name] = true
		rd.fields = append(rd.fields, field)
		rd.names = append(rd.names, name)
	}
	for _, name := range Required {
		if !seen[name] {
			return nil, &finapp.LineError{Line: 1, Field: name, Message: "the header has no " + name + " column; required are " + strings.Join(Required, ", ")}
		}
	}
	c.FieldsPerRecord = len(header)
	return rd, nil
}

// fieldOf returns where column name goes in a PaymentCreate, or nil for no known column.
func fieldOf(name string) func(*finapp.PaymentCreate) *string {
	switch name {
	case "received_on":
		return func(p *finapp.PaymentCreate) *string { return &p.ReceivedOn }
	case "amount":
		return func(p *finapp.PaymentCreate) *string { return &p.Amount }
	case "currency":
		return func(p *finapp.PaymentCreate) *string { return &p.Currency }
	case "method":
		return func(p *finapp.PaymentCreate) *string { return &p.Method }
	case "reference":
		return func(p *finapp.PaymentCreate) *string { return &p.Reference }
	case "organization_id":
		return func(p *finapp.PaymentCreate) *string { return &p.OrganizationID }
	case "invoice_number":
		return func(p *finapp.PaymentCreate) *string { return &p.InvoiceNumber }
	case "remark":
		return func(p *finapp.PaymentCreate) *string { return &p.Remark }
	}
	return nil
}

// Next implements intake.Lines. Fields are passed on as written, so that the service
// judges them exactly as it judges an API request; only bytes no request could carry are refused
// here: text that is not UTF-8, and NUL.
func (r *Reader) Next() (finapp.ImportLine, error) {
	rec, err := r.csv.Read()
	r.in.Record()
	if errors.Is(err, io.EOF) {
		return finapp.ImportLine{}, io.EOF
	}
	if errors.Is(err, errTooLong) {
		return finapp.ImportLine{}, fmt.Errorf("after line %d: %w", r.line, err)
	}
	if err != nil {
		return finapp.ImportLine{}, csvrow.Error(err, r.names)
	}
	line, _ := r.csv.FieldPos(0)
	r.line = line
	out := finapp.ImportLine{Line: line}
	for i, v := range rec {
		if !utf8.ValidString(v) {
			return out, &finapp.LineError{Line: line, Field: r.names[i], Message: "is not UTF-8 text; save the file as UTF-8"}
		}
		if strings.IndexByte(v, 0) >= 0 {
			return out, &finapp.LineError{Line: line, Field: r.names[i], Message: "contains a NUL character"}
		}
		*r.fields[i](&out.Payment) = v
	}
	return out, nil
}

// Digest implements intake.Lines.
func (r *Reader) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Offset is how many bytes of the file have been read, for a progress line.
func (r *Reader) Offset() int64 { return r.csv.InputOffset() }

// Close implements intake.Lines: it closes the file Open opened.
func (r *Reader) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

var errTooLong = fmt.Errorf("a row is longer than %d bytes, which no payment needs: is a quote left open?", MaxRecordBytes)
