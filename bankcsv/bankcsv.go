// Package bankcsv reads a bank's CSV statement through the template its bank was described by
// once (finapp.BankCSVTemplate): which line is the header, the delimiter, the date format, a
// decimal comma, a signed amount column or debit and credit columns, and the columns that hold
// the counterparty, IBAN, references and text. It turns the rows into finapp.BankEntry and leaves
// every rule of the books to package finapp; it refuses only what the template cannot read,
// naming the file's line and the template's field of the column at fault, and a refusal ends the
// file (a bank file is imported whole or not at all). It reads as it goes, so a file of any
// length takes the same memory.
//
// The lines above the header are skipped unread: banks put an account summary there, in any
// shape. Below it, an empty row is skipped, and so is a row with neither a booking date nor an
// amount (banks end their exports with summary lines such as ";;Kontostand;;11.260,60 EUR;"). A
// row with one and not the other is refused rather than skipped, because skipping it could drop
// money. A CSV states no balances, so its one statement has none to check.
package bankcsv

import (
	"bufio"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"finapp"
	"finapp/internal/csvrow"
)

// Format is what Reader.Format returns.
const Format = "csv"

// MaxRowBytes bounds one row, and one line above the header: a bank's row is well under a
// kilobyte, so a longer one is a broken file, typically an unclosed quote swallowing the rest of
// it, which would otherwise be held in memory whole.
const MaxRowBytes = 1 << 20

// bufSize is the read buffer; the row bound leaves room for what it reads ahead.
const bufSize = 64 << 10

var errTooLong = errors.New("row too long")

// Reader reads the entries of one bank CSV file. It implements finapp.BankFile.
type Reader struct {
	t      *finapp.BankCSVTemplate
	layout string // the Go time layout of t.DateFormat
	csv    *csv.Reader
	in     *csvrow.Limited
	sum    hash.Hash
	header []string
	col    columns
	field  map[int]string // column index → the template field naming it, for refusals
	skip   int            // lines above the header: encoding/csv counts from the header
	end    int            // the file's line where the last row read ends
	st     *finapp.BankStatement
	err    error // the refusal that ended the file, returned again by every later Next
}

// columns are the header's indexes of the template's columns, -1 for a column not named.
type columns struct {
	booking, value, amount, debit, credit, currency int
	counterparty, iban, reference, bankReference    int
	text                                            []int
}

// New reads the lines above the header and the header of a bank CSV file by template t. A
// template that fails t.Check comes back as its *finapp.Error; a file whose header lacks a
// column the template names, or has it twice, is a *finapp.LineError on the header's line
// naming the template's field.
func New(r io.Reader, t *finapp.BankCSVTemplate) (*Reader, error) {
	rd, err := open(r, t)
	if err != nil {
		return nil, err
	}
	return rd, nil
}

// open is New, but returns the reader with the header it read also when the header does not
// fit the template, so that a preview can show the columns the file has.
func open(r io.Reader, t *finapp.BankCSVTemplate) (*Reader, error) {
	// Check again: a template stored before a rule was added, or built in code, must not
	// reach the reader unchecked (an empty delimiter would panic below).
	if err := t.Check(); err != nil {
		return nil, err
	}
	rd := &Reader{t: t, layout: finapp.BankCSVDateLayout(t.DateFormat), sum: sha256.New()}
	rd.skip = t.HeaderRow - 1
	rd.in = &csvrow.Limited{R: io.TeeReader(r, rd.sum), Max: MaxRowBytes + bufSize}
	rd.in.TooLong = errTooLong
	br := bufio.NewReaderSize(rd.in, bufSize)
	for line := 1; line < t.HeaderRow; line++ {
		rd.in.Record()
		if err := skipLine(br); errors.Is(err, io.EOF) {
			return nil, rd.noHeader()
		} else if errors.Is(err, errTooLong) {
			return nil, lineError(line, "",
				"is longer than %d bytes, which no line above a header needs", MaxRowBytes)
		} else if err != nil {
			return nil, err
		}
	}
	// br is big enough for encoding/csv to read through it rather than around it.
	rd.csv = csv.NewReader(br)
	rd.csv.Comma, _ = utf8.DecodeRuneInString(t.Delimiter)
	rd.csv.FieldsPerRecord = -1 // summary rows are shorter than entries
	rd.csv.ReuseRecord = true

	rec, line, err := rd.read()
	if errors.Is(err, io.EOF) {
		return nil, rd.noHeader()
	}
	if err != nil {
		return nil, err
	}
	if line != t.HeaderRow {
		// encoding/csv skips empty lines: the header row the template names is one.
		return nil, lineError(t.HeaderRow, "header_row",
			"line %d is empty, not the header; the next row is on line %d", t.HeaderRow, line)
	}
	rd.header = make([]string, len(rec))
	for i, h := range rec {
		if i == 0 {
			h = strings.TrimPrefix(h, "\ufeff") // the byte-order mark spreadsheets put first
		}
		rd.header[i] = h
	}
	rd.st = &finapp.BankStatement{Account: t.Account, Currency: t.Currency}
	rd.st.Position = "line " + strconv.Itoa(t.HeaderRow)
	if err := rd.findColumns(); err != nil {
		return rd, err
	}
	return rd, nil
}

func (r *Reader) noHeader() error {
	return lineError(r.t.HeaderRow, "header_row", "the file ends before line %d, its header row",
		r.t.HeaderRow)
}

func lineError(line int, field, format string, args ...any) *finapp.LineError {
	return &finapp.LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)}
}

// skipLine reads up to and including the next line break, holding at most the buffer at once.
func skipLine(br *bufio.Reader) error {
	for {
		_, err := br.ReadSlice('\n')
		if !errors.Is(err, bufio.ErrBufferFull) {
			return err
		}
	}
}

// findColumns finds each column the template names in the header, by its text trimmed and in
// any case, as people type a column's name into a template.
func (r *Reader) findColumns() error {
	t := r.t
	r.field = map[int]string{}
	r.col = columns{}
	named := []struct {
		field, name string
		index       *int
	}{
		{"booking_date_column", t.BookingDateColumn, &r.col.booking},
		{"value_date_column", t.ValueDateColumn, &r.col.value},
		{"amount_column", t.AmountColumn, &r.col.amount},
		{"debit_column", t.DebitColumn, &r.col.debit},
		{"credit_column", t.CreditColumn, &r.col.credit},
		{"currency_column", t.CurrencyColumn, &r.col.currency},
		{"counterparty_column", t.CounterpartyColumn, &r.col.counterparty},
		{"iban_column", t.IBANColumn, &r.col.iban},
		{"reference_column", t.ReferenceColumn, &r.col.reference},
		{"bank_reference_column", t.BankReferenceColumn, &r.col.bankReference},
	}
	r.col.text = make([]int, len(t.TextColumns))
	for i, name := range t.TextColumns {
		named = append(named, struct {
			field, name string
			index       *int
		}{"text_columns[" + strconv.Itoa(i) + "]", name, &r.col.text[i]})
	}
	for _, n := range named {
		*n.index = -1
		if strings.TrimSpace(n.name) == "" {
			continue
		}
		i, err := r.find(n.field, n.name)
		if err != nil {
			return err
		}
		*n.index = i
		if _, ok := r.field[i]; !ok {
			r.field[i] = n.field
		}
	}
	return nil
}

// find returns the one header column named name. A name the header has twice is refused:
// taking either could read the wrong amount.
func (r *Reader) find(field, name string) (int, error) {
	name = strings.TrimSpace(name)
	found := -1
	for i, h := range r.header {
		if !strings.EqualFold(strings.TrimSpace(h), name) {
			continue
		}
		if found >= 0 {
			return -1, lineError(r.t.HeaderRow, field,
				"column %q is in the header twice (columns %d and %d)", name, found+1, i+1)
		}
		found = i
	}
	if found < 0 {
		msg := fmt.Sprintf("column %q is not in the header", name)
		if len(r.header) == 1 && strings.ContainsAny(r.header[0], ",;\t|") {
			msg += fmt.Sprintf("; the header is one column: is the delimiter %q right?",
				r.t.Delimiter)
		}
		return -1, lineError(r.t.HeaderRow, field, "%s", msg)
	}
	return found, nil
}

// read reads the next row and returns it with the file's line it starts on. What encoding/csv
// cannot read, and cells no bank line may hold (text that is not UTF-8, NUL), are LineErrors.
func (r *Reader) read() ([]string, int, error) {
	r.in.Record()
	rec, err := r.csv.Read()
	if errors.Is(err, io.EOF) {
		return nil, 0, io.EOF
	}
	if errors.Is(err, errTooLong) {
		// The row's start is not known: encoding/csv was still looking for its end.
		return nil, 0, lineError(r.end+1, "", "a row from here on is longer than %d bytes, "+
			"which no bank line needs: is a quote left open?", MaxRowBytes)
	}
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return nil, 0, lineError(pe.StartLine+r.skip, "",
			"is not valid CSV: %v (line %d, column %d)", pe.Err, pe.Line+r.skip, pe.Column)
	}
	if err != nil {
		return nil, 0, err
	}
	line, _ := r.csv.FieldPos(0)
	line += r.skip
	r.end = line
	for i, f := range rec {
		r.end += strings.Count(f, "\n") // a quoted cell spanning lines
		field := r.field[i]
		if !utf8.ValidString(f) {
			return nil, line, lineError(line, field,
				"column %d is not UTF-8 text: save the export as UTF-8", i+1)
		}
		if strings.IndexByte(f, 0) >= 0 {
			return nil, line, lineError(line, field, "column %d contains a NUL character", i+1)
		}
	}
	return rec, line, nil
}

// Next implements finapp.BankFile: the next row's entry, or io.EOF after the last. A refusal is
// a *finapp.LineError and ends the file: every later call returns it again.
func (r *Reader) Next() (finapp.BankEntry, error) {
	if r.err != nil {
		return finapp.BankEntry{}, r.err
	}
	for {
		rec, line, err := r.read()
		if err == nil {
			var e finapp.BankEntry
			var ok bool
			if e, ok, err = r.entry(rec, line); err == nil && ok {
				return e, nil
			}
		}
		if err != nil {
			r.err = err
			return finapp.BankEntry{}, err
		}
	}
}

// Statements implements finapp.BankFile: the file's one statement. Its currency is the
// template's, or else the first entry's.
func (r *Reader) Statements() []*finapp.BankStatement { return []*finapp.BankStatement{r.st} }

// Format implements finapp.BankFile.
func (r *Reader) Format() string { return Format }

// Digest implements finapp.BankFile: the SHA-256 of the bytes read so far.
func (r *Reader) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Header is the header row as the file has it (a byte-order mark taken off).
func (r *Reader) Header() []string { return r.header }
