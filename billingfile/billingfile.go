// Package billingfile reads the files of invoices and organizations a billing system exports,
// for `finapp import invoices|organizations` (docs/import.md): CSV with a header row naming the
// columns, or JSON Lines with one object per line, whose keys are the same names. It turns each
// line into a finapp.InvoiceUpsert or OrganizationUpsert, as package api turns a JSON body into
// one, and leaves every rule to the books; it refuses only what is not a readable file. It reads
// as it goes, so a file of any length takes the same memory.
package billingfile

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"

	"finapp"
)

// MaxLineBytes bounds one line or row. The longest valid invoice is about 30 KiB (50 metadata
// values of 500 characters); a longer one is a broken file, typically an unclosed quote
// swallowing the rest of it, which would otherwise be held in memory whole.
const MaxLineBytes = 1 << 20

// schema is what a kind of line (T) has: its columns, which are required, where each goes.
type schema[T any] struct {
	columns  []string
	required []string
	field    func(t *T, name string) *string // nil for no such column
	metadata func(t *T) *finapp.Metadata
}

var invoiceSchema = schema[finapp.InvoiceUpsert]{
	columns:  []string{"external_id", "organization_id", "organization_external_id", "number", "kind", "currency", "total", "issued_on", "due_on"},
	required: []string{"external_id"},
	field: func(t *finapp.InvoiceUpsert, name string) *string {
		switch name {
		case "external_id":
			return &t.ExternalID
		case "organization_id":
			return &t.OrganizationID
		case "organization_external_id":
			return &t.OrganizationExternalID
		case "number":
			return &t.Number
		case "kind":
			return &t.Kind
		case "currency":
			return &t.Currency
		case "total":
			return &t.Total
		case "issued_on":
			return &t.IssuedOn
		case "due_on":
			return &t.DueOn
		}
		return nil
	},
	metadata: func(t *finapp.InvoiceUpsert) *finapp.Metadata { return &t.Metadata },
}

var organizationSchema = schema[finapp.OrganizationUpsert]{
	columns:  []string{"external_id", "name", "billing_currency"},
	required: []string{"external_id"},
	field: func(t *finapp.OrganizationUpsert, name string) *string {
		switch name {
		case "external_id":
			return &t.ExternalID
		case "name":
			return &t.Name
		case "billing_currency":
			return &t.BillingCurrency
		}
		return nil
	},
	metadata: func(t *finapp.OrganizationUpsert) *finapp.Metadata { return &t.Metadata },
}

// InvoiceColumns and OrganizationColumns are the columns (CSV) or keys (JSON Lines) a file may
// have besides metadata, in the order the documentation lists them.
var (
	InvoiceColumns      = invoiceSchema.columns
	OrganizationColumns = organizationSchema.columns
)

// Reader reads the lines of one file. It implements intake.Lines[L].
type Reader[L any] struct {
	next   func() (L, error)
	sum    hash.Hash
	offset func() int64
	closer io.Closer
}

// Next implements intake.Lines: the next line, io.EOF after the last, or a *finapp.LineError for
// a line that cannot be read (reading may go on).
func (r *Reader[L]) Next() (L, error) { return r.next() }

// Digest implements intake.Lines.
func (r *Reader[L]) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Offset is how many bytes of the file have been read, for a progress line.
func (r *Reader[L]) Offset() int64 { return r.offset() }

// Close implements intake.Lines: it closes the file Open opened.
func (r *Reader[L]) Close() error {
	if r.closer == nil {
		return nil
	}
	return r.closer.Close()
}

// Format is how a file is written.
type Format int

const (
	CSV   Format = iota // a header row, then a row per line
	JSONL               // a JSON object per line
)

// FormatOf tells a file's format by its name: .csv, or .jsonl / .ndjson.
func FormatOf(path string) (Format, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		return CSV, nil
	case ".jsonl", ".ndjson":
		return JSONL, nil
	}
	return 0, fmt.Errorf("%s: name the file .csv (a header row, then one row per line) or .jsonl (one JSON object per line)", filepath.Base(path))
}

// OpenInvoices opens a file of invoices, its format told by its name.
func OpenInvoices(path string) (*Reader[finapp.InvoiceImportLine], error) {
	return open(path, func(r io.Reader, f Format) (*Reader[finapp.InvoiceImportLine], error) { return NewInvoices(r, f) })
}

// OpenOrganizations opens a file of organizations, its format told by its name.
func OpenOrganizations(path string) (*Reader[finapp.OrganizationImportLine], error) {
	return open(path, func(r io.Reader, f Format) (*Reader[finapp.OrganizationImportLine], error) {
		return NewOrganizations(r, f)
	})
}

func open[L any](path string, read func(io.Reader, Format) (*Reader[L], error)) (*Reader[L], error) {
	format, err := FormatOf(path)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	r, err := read(f, format)
	if err != nil {
		f.Close()
		return nil, err
	}
	r.closer = f
	return r, nil
}

// NewInvoices reads invoices from r. A CSV header that lacks a required column, names an
// unknown one or one twice is a *finapp.LineError on line 1.
func NewInvoices(r io.Reader, f Format) (*Reader[finapp.InvoiceImportLine], error) {
	return newReader(r, f, invoiceSchema, func(line int, t finapp.InvoiceUpsert) finapp.InvoiceImportLine {
		return finapp.InvoiceImportLine{Line: line, Invoice: t}
	})
}

// NewOrganizations reads organizations from r, as NewInvoices reads invoices.
func NewOrganizations(r io.Reader, f Format) (*Reader[finapp.OrganizationImportLine], error) {
	return newReader(r, f, organizationSchema, func(line int, t finapp.OrganizationUpsert) finapp.OrganizationImportLine {
		return finapp.OrganizationImportLine{Line: line, Organization: t}
	})
}

func newReader[T, L any](r io.Reader, f Format, s schema[T], wrap func(int, T) L) (*Reader[L], error) {
	sum := sha256.New()
	in := io.TeeReader(r, sum)
	if f == JSONL {
		return newJSONL(in, sum, s, wrap), nil
	}
	return newCSV(in, sum, s, wrap)
}

// cell checks one value as written: only bytes no request could carry are refused here.
func cell(line int, name, v string) error {
	if strings.IndexByte(v, 0) >= 0 {
		return &finapp.LineError{Line: line, Field: name, Message: "contains a NUL character"}
	}
	return nil
}

const metadataPrefix = "metadata."
