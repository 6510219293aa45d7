package hledger

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"finapp"
	"finapp/money"
)

// Writer writes an export of the books (finapp.JournalWriter) as an hledger journal an
// accountant can open: the accounts declared up front under assets:, liabilities:, income: and
// expenses: with their types, customers named (their id kept as a tag), every commodity
// declared (so `hledger check --strict` passes), each entry dated by its business date with the
// day it was posted as the secondary date.
type Writer struct {
	w     *bufio.Writer
	names map[string]string // finapp's account → hledger's
}

// NewWriter returns a Writer that writes to w.
func NewWriter(w io.Writer) *Writer {
	return &Writer{w: bufio.NewWriterSize(w, 64<<10), names: map[string]string{}}
}

// typeCode is hledger's account type of a class.
var typeCode = map[string]string{finapp.ClassAssets: "A", finapp.ClassLiabilities: "L", finapp.ClassEquity: "E", finapp.ClassIncome: "R",
	finapp.ClassExpenses: "X"}

// Begin implements finapp.JournalWriter.
func (x *Writer) Begin(accounts []finapp.ExportAccount, opening *finapp.ExportedEntry) error {
	fmt.Fprintf(x.w, "; finapp journal export: dates are business dates (a payment's received date, an invoice's issue date),\n")
	fmt.Fprintf(x.w, "; the date after = the day the entry was posted. Customers' accounts carry org_id tags.\n\n")
	for _, c := range finapp.ExportCurrencies(accounts) {
		fmt.Fprintf(x.w, "commodity %s %s\n", money.Format(0, c), c)
	}
	fmt.Fprintln(x.w)
	seen := map[string]int{}
	for _, a := range accounts {
		seen[x.baseName(a)]++
	}
	for _, a := range accounts {
		name := x.baseName(a)
		if seen[name] > 1 && a.OrganizationID != "" { // two customers of one name stay two accounts
			name += " " + a.OrganizationID
		}
		x.names[a.Account] = name
		tags := "type: " + typeCode[a.Class]
		if a.OrganizationID != "" {
			tags += ", org_id: " + a.OrganizationID
		}
		fmt.Fprintf(x.w, "account %s  ; %s\n", name, tags)
	}
	fmt.Fprintln(x.w)
	if opening != nil {
		return x.Entry(opening)
	}
	return nil
}

// baseName is an account's hledger name before two customers of one name are told apart.
func (x *Writer) baseName(a finapp.ExportAccount) string {
	var parts []string
	switch {
	case a.Kind == "cash":
		parts = []string{"cash", a.Method}
	case a.OrganizationID != "":
		name := accountPart(a.OrganizationName)
		if name == "" {
			name = a.OrganizationID
		}
		parts = []string{strings.ReplaceAll(a.Kind, "_", " "), name} // credit_note:… is liabilities:credit note:…
	case a.Kind == "unapplied":
		parts = []string{"unapplied", "unassigned"}
	default:
		parts = []string{strings.ReplaceAll(a.Kind, "_", " ")}
	}
	return a.Class + ":" + strings.Join(parts, ":")
}

// accountPart makes text a part of an hledger account name: no ":" (which separates parts), no
// ";" (which starts a comment), and single spaces only (two end the name).
func accountPart(s string) string {
	s = strings.NewReplacer(":", "-", ";", ",").Replace(s)
	return strings.Join(strings.Fields(s), " ")
}

// Entry implements finapp.JournalWriter.
func (x *Writer) Entry(e *finapp.ExportedEntry) error {
	date := e.Date
	if e.PostedOn != e.Date {
		date += "=" + e.PostedOn
	}
	fmt.Fprintf(x.w, "%s (%s) %s %s\n", date, e.ID, e.Operation, e.EntityID)
	for _, l := range e.Lines {
		name, ok := x.names[l.Account]
		if !ok {
			return fmt.Errorf("hledger: account %s was not declared", l.Account)
		}
		fmt.Fprintf(x.w, "    %-60s  %s %s\n", name, money.Format(l.Amount, l.Currency), l.Currency)
	}
	_, err := x.w.WriteString("\n")
	return err
}

// End implements finapp.JournalWriter.
func (x *Writer) End() error { return x.w.Flush() }
