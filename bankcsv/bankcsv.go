// Package bankcsv reads a bank's CSV statement through the template its bank was described by
// once (finapp.BankCSVTemplate): which row is the header, the delimiter, the date format, a
// decimal comma, a signed amount column or debit and credit columns, and the columns that hold
// the counterparty, IBAN, references and text. It turns the rows into finapp.BankEntry and
// leaves every rule to the books (package finapp); it refuses only what the template cannot
// read, naming the row and the template's field of the column at fault. It reads as it goes, so
// a file of any length takes the same memory.
//
// A row without a booking date is skipped: banks end their exports with summary rows
// ("Closing balance;;;1.234,56"), and an entry the bank booked always has its date. A CSV states no balances, so its one
// statement has none to check.
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
	"time"
	"unicode/utf8"

	"finapp"
	"finapp/internal/csvrow"
	"finapp/money"
)

// Format is what Format returns.
const Format = "csv"

// MaxRowBytes bounds one row: a bank's row is well under a kilobyte; a longer one is a broken
// file, typically an unclosed quote swallowing the rest of it.
const MaxRowBytes = 1 << 20

var errTooLong = errors.New("row too long")

// Reader reads the rows of one bank CSV file. It implements finapp.BankFile.
type Reader struct {
	t        *finapp.BankCSVTemplate
	csv      *csv.Reader
	in       *csvrow.Limited
	sum      hash.Hash
	header   []string
	col      map[string]int // template field → column index
	st       *finapp.BankStatement
	err      error
	layout   string
	lastLine int // the line of the last record read
}

// New reads the header of a bank CSV file by template t.
func New(r io.Reader, t *finapp.BankCSVTemplate) (*Reader, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	rd := &Reader{t: t, sum: sha256.New(), col: map[string]int{}, layout: finapp.BankCSVDateLayout(t.DateFormat)}
	rd.in = &csvrow.Limited{R: io.TeeReader(r, rd.sum), Max: MaxRowBytes + 64<<10, TooLong: errTooLong}
	rd.csv = csv.NewReader(bufio.NewReaderSize(rd.in, 64<<10))
	rd.csv.Comma, _ = utf8.DecodeRuneInString(t.Delimiter)
	rd.csv.FieldsPerRecord = -1
	rd.csv.ReuseRecord = false
	for {
		rec, err := rd.read()
		if err != nil {
			if errors.Is(err, io.EOF) {
				return nil, &finapp.LineError{Line: t.HeaderRow, Message: fmt.Sprintf("the file ends before its header row (line %d)", t.HeaderRow)}
			}
			return nil, err
		}
		line, _ := rd.csv.FieldPos(0)
		if line < t.HeaderRow {
			continue
		}
		rd.header = make([]string, len(rec))
		for i, h := range rec {
			rd.header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		}
		break
	}
	for _, c := range rd.columns() {
		field, name := c[0], c[1]
		if name == "" {
			continue
		}
		i := rd.index(name)
		if i < 0 {
			return nil, &finapp.LineError{Line: t.HeaderRow, Field: field, Message: fmt.Sprintf("column %q is not in the header row", name)}
		}
		rd.col[field] = i
	}
	for n, name := range t.TextColumns {
		i := rd.index(name)
		if i < 0 {
			return nil, &finapp.LineError{Line: t.HeaderRow, Field: "text_columns[" + strconv.Itoa(n) + "]",
				Message: fmt.Sprintf("column %q is not in the header row", name)}
		}
	}
	rd.st = &finapp.BankStatement{ID: t.Name, Account: t.Account, Currency: t.Currency, Position: "line " + strconv.Itoa(t.HeaderRow)}
	return rd, nil
}

// columns are the template's named columns, by field, in the order a refusal names the first.
func (r *Reader) columns() [][2]string {
	t := r.t
	return [][2]string{{"booking_date_column", t.BookingDateColumn}, {"value_date_column", t.ValueDateColumn},
		{"amount_column", t.AmountColumn}, {"debit_column", t.DebitColumn}, {"credit_column", t.CreditColumn},
		{"currency_column", t.CurrencyColumn}, {"counterparty_column", t.CounterpartyColumn}, {"iban_column", t.IBANColumn},
		{"reference_column", t.ReferenceColumn}, {"bank_reference_column", t.BankReferenceColumn}}
}

func (r *Reader) index(name string) int {
	for i, h := range r.header {
		if strings.EqualFold(h, strings.TrimSpace(name)) {
			return i
		}
	}
	return -1
}

// read reads one record, turning what the csv package refuses into a LineError.
func (r *Reader) read() ([]string, error) {
	r.in.Record()
	rec, err := r.csv.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, io.EOF
		}
		if errors.Is(err, errTooLong) {
			return nil, &finapp.LineError{Line: r.lastLine + 1, Message: fmt.Sprintf("a row is longer than %d bytes: an unclosed quote?", MaxRowBytes)}
		}
		return nil, csvrow.Error(err, r.header)
	}
	r.lastLine, _ = r.csv.FieldPos(0)
	for _, f := range rec {
		if !utf8.ValidString(f) {
			line, _ := r.csv.FieldPos(0)
			return nil, &finapp.LineError{Line: line, Message: "is not UTF-8 text: save the export as UTF-8"}
		}
	}
	return rec, nil
}

// Format names the format read.
func (r *Reader) Format() string { return Format }

// Digest is the SHA-256 of the bytes read so far.
func (r *Reader) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Statements is the file's one statement.
func (r *Reader) Statements() []*finapp.BankStatement { return []*finapp.BankStatement{r.st} }

func (r *Reader) cell(rec []string, field string) string {
	i, ok := r.col[field]
	if !ok || i >= len(rec) {
		return ""
	}
	return strings.TrimSpace(rec[i])
}

// Next returns the next row's entry, or io.EOF after the last.
func (r *Reader) Next() (finapp.BankEntry, error) {
	if r.err != nil {
		return finapp.BankEntry{}, r.err
	}
	for {
		rec, err := r.read()
		if err != nil {
			r.err = err
			return finapp.BankEntry{}, err
		}
		line, _ := r.csv.FieldPos(0)
		e, skip, err := r.entry(rec, line)
		if err != nil {
			r.err = err
			return finapp.BankEntry{}, err
		}
		if !skip {
			return e, nil
		}
	}
}

func (r *Reader) entry(rec []string, line int) (finapp.BankEntry, bool, error) {
	refuse := func(field, format string, args ...any) (finapp.BankEntry, bool, error) {
		return finapp.BankEntry{}, false, &finapp.LineError{Line: line, Field: field, Message: fmt.Sprintf(format, args...)}
	}
	booked := r.cell(rec, "booking_date_column")
	if booked == "" {
		return finapp.BankEntry{}, true, nil // an empty row, or a summary ("Closing balance;;;1.234,56")
	}
	e := finapp.BankEntry{Statement: r.st, Status: finapp.EntryBooked, Position: "line " + strconv.Itoa(line),
		CounterpartyName: r.cell(rec, "counterparty_column"), BankReference: r.cell(rec, "bank_reference_column")}
	var err error
	if e.BookingDate, err = r.date(booked); err != nil {
		return refuse("booking_date_column", "%v", err)
	}
	if v := r.cell(rec, "value_date_column"); v != "" {
		if e.ValueDate, err = r.date(v); err != nil {
			return refuse("value_date_column", "%v", err)
		}
	}
	e.Currency = r.t.Currency
	if r.t.CurrencyColumn != "" {
		c, err := money.ParseCurrency(r.cell(rec, "currency_column"))
		if err != nil {
			return refuse("currency_column", "%v", err)
		}
		e.Currency = c
	}
	if r.st.Currency == "" {
		r.st.Currency = e.Currency
	}
	if r.t.AmountColumn != "" {
		a, neg, err := r.amount(r.cell(rec, "amount_column"), e.Currency)
		if err != nil {
			return refuse("amount_column", "%v", err)
		}
		e.Amount, e.Credit = a, !neg
	} else {
		debit, credit := r.cell(rec, "debit_column"), r.cell(rec, "credit_column")
		switch {
		case debit != "" && credit != "":
			return refuse("debit_column", "both the debit %q and the credit %q are filled: a row is one or the other", debit, credit)
		case debit == "" && credit == "":
			return refuse("credit_column", "neither the debit nor the credit column is filled")
		}
		field, cell := "credit_column", credit
		if debit != "" {
			field, cell = "debit_column", debit
		}
		a, _, err := r.amount(cell, e.Currency) // a debit written as negative is still a debit
		if err != nil {
			return refuse(field, "%v", err)
		}
		e.Amount, e.Credit = a, credit != ""
	}
	if iban := r.cell(rec, "iban_column"); iban != "" {
		e.CounterpartyIBAN = strings.ToUpper(strings.ReplaceAll(iban, " ", ""))
	}
	if ref := r.cell(rec, "reference_column"); ref != "" {
		if strings.HasPrefix(strings.ToUpper(strings.ReplaceAll(ref, " ", "")), "RF") {
			e.StructuredReference = strings.ToUpper(strings.ReplaceAll(ref, " ", ""))
		} else {
			e.EndToEndID = ref
		}
	}
	var text []string
	for _, name := range r.t.TextColumns {
		if i := r.index(name); i >= 0 && i < len(rec) && strings.TrimSpace(rec[i]) != "" {
			text = append(text, strings.TrimSpace(rec[i]))
		}
	}
	e.RemittanceText = strings.Join(text, " ")
	return e, false, nil
}

func (r *Reader) date(s string) (string, error) {
	if s == "" {
		return "", errors.New("the date is empty")
	}
	t, err := time.Parse(r.layout, s)
	if err != nil || t.Year() < 1900 || t.Year() > 2999 {
		return "", fmt.Errorf("%q is not a date in the form %s", s, r.t.DateFormat)
	}
	return t.Format("2006-01-02"), nil
}

// amount reads a bank's amount: a sign before or after it or parentheses for money out, the
// template's decimal separator, the other one and spaces as grouping.
func (r *Reader) amount(s string, c money.Currency) (money.Amount, bool, error) {
	orig := s
	s = strings.TrimSpace(s)
	neg := false
	switch {
	case strings.HasPrefix(s, "(") && strings.HasSuffix(s, ")"):
		neg, s = true, s[1:len(s)-1]
	case strings.HasPrefix(s, "-"):
		neg, s = true, s[1:]
	case strings.HasSuffix(s, "-"):
		neg, s = true, s[:len(s)-1]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	decimal, group := ".", ","
	if r.t.DecimalComma {
		decimal, group = ",", "."
	}
	s = strings.NewReplacer(group, "", " ", "", "'", "", "\u00a0", "", "\u202f", "").Replace(strings.TrimSpace(s))
	if decimal == "," {
		s = strings.Replace(s, ",", ".", 1)
	}
	if whole, frac, ok := strings.Cut(s, "."); ok {
		frac = strings.TrimRight(frac, "0")
		s = whole
		if frac != "" {
			s += "." + frac
		}
	}
	if s == "" {
		return 0, false, fmt.Errorf("%q is not an amount", orig)
	}
	a, err := money.ParseNonNegative(s, c)
	if err != nil {
		return 0, false, fmt.Errorf("%q: %v", orig, err)
	}
	return a, neg, nil
}

// Preview is what a template makes of the start of a file: the header as the file has it, the
// entries of the first rows, and the first refusal, if any, with the entries read before it.
type Preview struct {
	Header  []string
	Entries []finapp.BankEntry
	Error   *finapp.LineError
}

// PreviewFile reads at most n entries of a file by template t, for a template editor that shows the
// result before anything is imported. An error is the template's own (finapp.Error) or a read
// failure; what the file says wrong is Preview.Error.
func PreviewFile(r io.Reader, t *finapp.BankCSVTemplate, n int) (Preview, error) {
	var p Preview
	rd, err := New(r, t)
	if err != nil {
		var le *finapp.LineError
		if errors.As(err, &le) {
			p.Error = le
			return p, nil
		}
		return p, err
	}
	p.Header = rd.header
	for len(p.Entries) < n {
		e, err := rd.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		var le *finapp.LineError
		if errors.As(err, &le) {
			p.Error = le
			break
		}
		if err != nil {
			return p, err
		}
		p.Entries = append(p.Entries, e)
	}
	return p, nil
}
