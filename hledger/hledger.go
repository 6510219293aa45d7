// Package hledger writes finapp's journal in the plain-text journal format that hledger and
// ledger read: an adapter of the books to accountants' tools, kept out of the books themselves.
package hledger

import (
	"fmt"
	"io"

	"finapp"
	"finapp/money"
)

// Write writes journal entries in the plain-text journal format that hledger and ledger
// read, one transaction per entry, amounts with the currency as commodity ("100.00 SGD").
// Account names are finapp's own (e.g. "receivable:org_…"), so the tools' balances can be
// compared with finapp's account by account.
func Write(w io.Writer, entries []*finapp.JournalEntry) error {
	for _, e := range entries {
		if _, err := fmt.Fprintf(w, "%s (%s) %s %s\n", e.At.UTC().Format("2006-01-02"), e.ID, e.Operation, e.EntityID); err != nil {
			return err
		}
		for _, l := range e.Lines {
			if _, err := fmt.Fprintf(w, "    %-50s  %s %s\n", l.Account, money.Format(l.Amount, l.Currency), l.Currency); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, "\n"); err != nil {
			return err
		}
	}
	return nil
}
