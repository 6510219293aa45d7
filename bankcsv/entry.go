package bankcsv

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// entry turns one row into an entry; ok is false for a row that is skipped (empty, or a summary
// with neither a booking date nor an amount).
func (r *Reader) entry(rec []string, line int) (e finapp.BankEntry, ok bool, err error) {
	refuse := func(field, format string, args ...any) (finapp.BankEntry, bool, error) {
		return finapp.BankEntry{}, false, lineError(line, field, format, args...)
	}
	cell := func(i int) string {
		if i < 0 || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(rec[i])
	}
	t, c := r.t, &r.col
	booked := cell(c.booking)
	var amount, debit, credit string
	if t.AmountColumn != "" {
		amount = cell(c.amount)
	} else {
		debit, credit = cell(c.debit), cell(c.credit)
	}
	noAmount := amount == "" && debit == "" && credit == ""
	if booked == "" && noAmount {
		return finapp.BankEntry{}, false, nil
	}
	if booked == "" {
		return refuse("booking_date_column",
			"is empty, but the row has an amount (%q): a booked entry has its date",
			amount+debit+credit)
	}

	e = finapp.BankEntry{Statement: r.st, Status: finapp.EntryBooked}
	e.Position = "line " + strconv.Itoa(line)
	if e.BookingDate, err = r.date(booked); err != nil {
		return refuse("booking_date_column", "%v", err)
	}
	if v := cell(c.value); v != "" {
		if e.ValueDate, err = r.date(v); err != nil {
			return refuse("value_date_column", "%v", err)
		}
	}

	e.Currency = t.Currency
	if c.currency >= 0 {
		// An empty cell means the account's currency, when the template states one.
		if v := cell(c.currency); v != "" || t.Currency == "" {
			if e.Currency, err = money.ParseCurrency(v); err != nil {
				return refuse("currency_column", "%v", err)
			}
		}
	}
	if r.st.Currency == "" {
		r.st.Currency = e.Currency
	}

	if t.AmountColumn != "" {
		if amount == "" {
			return refuse("amount_column", "is empty: a row with a booking date needs an amount")
		}
		a, out, err := parseAmount(amount, t.DecimalComma, e.Currency)
		if err != nil {
			return refuse("amount_column", "%v", err)
		}
		e.Amount, e.Credit = a, !out
	} else {
		var fe *fieldError
		if e.Amount, e.Credit, fe = r.debitCredit(debit, credit, e.Currency); fe != nil {
			return refuse(fe.field, "%s", fe.msg)
		}
	}

	e.CounterpartyName = cell(c.counterparty)
	if iban := cell(c.iban); iban != "" {
		e.CounterpartyIBAN = strings.ToUpper(strings.Join(strings.Fields(iban), ""))
	}
	if ref := cell(c.reference); ref != "" {
		if compact := strings.ToUpper(strings.Join(strings.Fields(ref), "")); looksLikeRF(compact) {
			// The books check its digits: a mistyped one names no invoice.
			e.StructuredReference = compact
		} else {
			e.EndToEndID = ref
		}
	}
	e.BankReference = cell(c.bankReference)
	var text []string
	for _, i := range c.text {
		if v := cell(i); v != "" {
			// A line break in a cell is the bank wrapping its text, not part of it.
			text = append(text, strings.Join(strings.FieldsFunc(v, isLineBreak), " "))
		}
	}
	e.RemittanceText = strings.Join(text, " ")
	return e, true, nil
}

func isLineBreak(r rune) bool { return r == '\n' || r == '\r' }

// looksLikeRF says whether a reference has the shape of an ISO 11649 creditor reference: "RF" and
// two check digits. Whether the digits are right is the books' to judge.
func looksLikeRF(s string) bool {
	return len(s) >= 5 && strings.HasPrefix(s, "RF") && allDigits(s[2:4])
}

// fieldError is a refusal of one of the debit and credit columns, before its line is known.
type fieldError struct{ field, msg string }

// debitCredit reads the debit and credit cells, exactly one of which holds the amount. Some
// banks write 0.00 in the other one, so a zero there counts as empty.
func (r *Reader) debitCredit(debit, credit string, c money.Currency) (
	money.Amount, bool, *fieldError,
) {
	var d, k money.Amount
	if debit != "" {
		// A debit written as negative is still a debit.
		a, _, err := parseAmount(debit, r.t.DecimalComma, c)
		if err != nil {
			return 0, false, &fieldError{"debit_column", err.Error()}
		}
		d = a
	}
	if credit != "" {
		a, out, err := parseAmount(credit, r.t.DecimalComma, c)
		if err != nil {
			return 0, false, &fieldError{"credit_column", err.Error()}
		}
		if out && a != 0 {
			// Money out in the credit column is a reversal or a mistake; guessing either
			// would book it the wrong way.
			return 0, false, &fieldError{"credit_column",
				fmt.Sprintf("%q is negative: a credit is money in, written as a positive amount",
					credit)}
		}
		k = a
	}
	switch {
	case debit == "" && credit == "":
		return 0, false, &fieldError{"debit_column", fmt.Sprintf(
			"neither %q nor %q is filled: a row with a booking date needs an amount",
			strings.TrimSpace(r.t.DebitColumn), strings.TrimSpace(r.t.CreditColumn))}
	case credit == "" || (debit != "" && d != 0 && k == 0):
		return d, false, nil
	case debit == "" || d == 0:
		return k, true, nil
	}
	return 0, false, &fieldError{"debit_column",
		fmt.Sprintf("both the debit %q and the credit %q are filled: a row is one or the other",
			debit, credit)}
}

// date reads a date in the template's format as YYYY-MM-DD, refusing what the books could not
// date a payment by: no such day (31.02.), or a year outside 1900 to 2999.
func (r *Reader) date(s string) (string, error) {
	d, err := time.Parse(r.layout, s)
	if err != nil {
		return "", fmt.Errorf("%q is not a date in the form %s", s, r.t.DateFormat)
	}
	if d.Year() < 1900 || d.Year() > 2999 {
		return "", fmt.Errorf("%q is not a date between the years 1900 and 2999", s)
	}
	return d.Format("2006-01-02"), nil
}
