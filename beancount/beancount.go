// Package beancount writes an export of finapp's books in Beancount's plain-text format, for
// accountants who keep their books with Beancount and Fava: an adapter kept out of the books.
package beancount

import (
	"bufio"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"

	"finapp"
	"finapp/money"
)

// openOn dates every account's open directive: the earliest business date finapp accepts, so
// that no entry comes before its account is opened.
const openOn = "1900-01-01"

// Writer writes an export (finapp.JournalWriter) as a Beancount ledger that bean-check accepts:
// every commodity and account opened up front (Assets:, Liabilities:, Income:, Expenses:), the
// customer's id as metadata of its accounts, each entry dated by business date with the day it
// was posted as metadata.
type Writer struct {
	w     *bufio.Writer
	names map[string]string
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), names: map[string]string{}}
}

var root = map[string]string{finapp.ClassAssets: "Assets", finapp.ClassLiabilities: "Liabilities", finapp.ClassEquity: "Equity",
	finapp.ClassIncome: "Income", finapp.ClassExpenses: "Expenses"}

// Begin implements finapp.JournalWriter.
func (x *Writer) Begin(accounts []finapp.ExportAccount, opening *finapp.ExportedEntry) error {
	fmt.Fprintf(x.w, "; finapp journal export: dates are business dates (a payment's received date, an invoice's issue date);\n")
	fmt.Fprintf(x.w, "; posted: the day the entry was posted. Customers' accounts carry org_id metadata.\n")
	fmt.Fprintf(x.w, "option \"title\" \"finapp\"\n\n")
	for _, c := range finapp.ExportCurrencies(accounts) {
		fmt.Fprintf(x.w, "%s commodity %s\n", openOn, c)
	}
	fmt.Fprintln(x.w)
	seen := map[string]int{}
	for _, a := range accounts {
		seen[baseName(a)]++
	}
	for _, a := range accounts {
		name := baseName(a)
		if seen[name] > 1 && a.OrganizationID != "" {
			name += "-" + strings.ToUpper(a.OrganizationID[strings.IndexByte(a.OrganizationID, '_')+1:])
		}
		x.names[a.Account] = name
		cur := make([]string, len(a.Currencies))
		for i, c := range a.Currencies {
			cur[i] = string(c)
		}
		fmt.Fprintf(x.w, "%s open %s %s\n", openOn, name, strings.Join(cur, ","))
		if a.OrganizationID != "" {
			fmt.Fprintf(x.w, "  org_id: %q\n", a.OrganizationID)
		}
	}
	fmt.Fprintln(x.w)
	if opening != nil {
		return x.Entry(opening)
	}
	return nil
}

func baseName(a finapp.ExportAccount) string {
	var parts []string
	switch {
	case a.Kind == "cash":
		parts = []string{"Cash", component(a.Method)}
	case a.OrganizationID != "":
		name := component(a.OrganizationName)
		if name == "" {
			name = component(a.OrganizationID)
		}
		parts = []string{component(a.Kind), name}
	case a.Kind == "unapplied":
		parts = []string{"Unapplied", "Unassigned"}
	default:
		parts = []string{component(a.Kind)}
	}
	return root[a.Class] + ":" + strings.Join(parts, ":")
}

// component makes text one component of a Beancount account name: ASCII letters, digits and
// dashes, starting with a capital letter or a digit ("bank_transfer" → "Bank-Transfer",
// "Société Générale" → "Societe-Generale": accents are dropped, other characters become a
// dash). Beancount refuses anything else.
func component(s string) string {
	var b strings.Builder
	dash := false
	upper := true
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) { // the accent of a letter decomposed above
			continue
		}
		switch {
		case r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r)):
			if upper {
				r = unicode.ToUpper(r)
			}
			b.WriteRune(r)
			dash, upper = false, false
		case b.Len() > 0 && !dash:
			b.WriteByte('-')
			dash, upper = true, true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out != "" && !(out[0] >= 'A' && out[0] <= 'Z' || out[0] >= '0' && out[0] <= '9') {
		out = "X" + out
	}
	return out
}

// Entry implements finapp.JournalWriter.
func (x *Writer) Entry(e *finapp.ExportedEntry) error {
	fmt.Fprintf(x.w, "%s * %q\n", e.Date, e.Operation+" "+e.EntityID)
	fmt.Fprintf(x.w, "  journal_id: %q\n  posted: %s\n", e.ID, e.PostedOn)
	for _, l := range e.Lines {
		name, ok := x.names[l.Account]
		if !ok {
			return fmt.Errorf("beancount: account %s was not opened", l.Account)
		}
		fmt.Fprintf(x.w, "  %-60s  %s %s\n", name, money.Format(l.Amount, l.Currency), l.Currency)
	}
	_, err := x.w.WriteString("\n")
	return err
}

// End implements finapp.JournalWriter.
func (x *Writer) End() error { return x.w.Flush() }
