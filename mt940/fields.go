package mt940

import (
	"fmt"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// The fields of a statement that have a fixed layout: balances (:60F:, :62F:) and statement
// lines (:61:), with their dates and amounts. Each parser returns an error whose text is the
// sentence of the refusal; the reader adds the line and the tag.

// balance is a :60F:/:60M:/:62F:/:62M: field.
type balance struct {
	sum      money.Sum // negative for a D (debit) balance
	date     string    // YYYY-MM-DD
	currency money.Currency
}

// parseBalance reads mark (C or D), date YYMMDD, currency and amount: "C261201EUR1234,56".
func parseBalance(val string) (balance, error) {
	s := strings.TrimSpace(val)
	if len(s) < 12 || (s[0] != 'C' && s[0] != 'D') {
		return balance{}, fmt.Errorf("%q is not a balance such as C261201EUR1234,56", clip(s))
	}
	d, ok := date(s[1:7])
	if !ok {
		return balance{}, fmt.Errorf("%q is not a date (YYMMDD)", s[1:7])
	}
	cur, err := money.ParseCurrency(s[7:10])
	if err != nil {
		return balance{}, fmt.Errorf("%q is not a balance such as C261201EUR1234,56: %v", clip(s), err)
	}
	a, err := amount(s[10:], cur)
	if err != nil {
		return balance{}, err
	}
	b := balance{sum: money.SumOf(a), date: d.Format(time.DateOnly), currency: cur}
	if s[0] == 'D' {
		b.sum = b.sum.Neg()
	}
	return b, nil
}

// parseLine reads a :61: statement line, whose amount is in cur: value date YYMMDD, optional
// entry date MMDD, mark (C, D, RC, RD), optional funds code, amount, transaction type, customer
// reference and optional "//" bank reference: "2612021202C1250,00NTRFNONREF//DB-0001".
func parseLine(val string, cur money.Currency) (finapp.BankEntry, error) {
	s := strings.TrimSpace(val)
	if len(s) < 6 || !digits(s[:6]) {
		return finapp.BankEntry{}, fmt.Errorf("%q does not start with a value date (YYMMDD)", clip(s))
	}
	value, ok := date(s[:6])
	if !ok {
		return finapp.BankEntry{}, fmt.Errorf("the value date %q is not a date (YYMMDD)", s[:6])
	}
	s = s[6:]
	booked := value
	if len(s) >= 4 && digits(s[:4]) {
		if booked, ok = entryDate(s[:4], value); !ok {
			return finapp.BankEntry{}, fmt.Errorf("the entry date %q is not a date (MMDD)", s[:4])
		}
		s = s[4:]
	}
	var mark string
	switch {
	case strings.HasPrefix(s, "RC"), strings.HasPrefix(s, "RD"):
		mark, s = s[:2], s[2:]
	case strings.HasPrefix(s, "C"), strings.HasPrefix(s, "D"):
		mark, s = s[:1], s[1:]
	default:
		return finapp.BankEntry{}, fmt.Errorf(
			"%q does not start with a debit/credit mark (C, D, RC or RD)", clip(s))
	}
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		s = s[1:] // the funds code: the third letter of the currency, which the statement gives
	}
	n := 0
	for n < len(s) && (isDigit(s[n]) || s[n] == ',') {
		n++
	}
	if n < len(s) && s[n] == '.' {
		return finapp.BankEntry{}, fmt.Errorf(
			"the amount %q has a decimal point: MT940 amounts have a decimal comma, such as 1234,56",
			clip(s))
	}
	a, err := amount(s[:n], cur)
	if err != nil {
		return finapp.BankEntry{}, err
	}
	s = s[n:]
	if !isType(s) {
		return finapp.BankEntry{}, fmt.Errorf(
			"%q after the amount is not a transaction type such as NTRF", clip(s))
	}
	e := finapp.BankEntry{
		Amount:          a,
		Currency:        cur,
		Credit:          mark == "C" || mark == "RD", // RD undoes a debit: the money comes back
		Reversal:        mark[0] == 'R',
		Status:          finapp.EntryBooked,
		BookingDate:     booked.Format(time.DateOnly),
		ValueDate:       value.Format(time.DateOnly),
		TransactionCode: s[:4],
	}
	customer, bank, _ := strings.Cut(s[4:], "//")
	if customer = strings.TrimSpace(customer); customer != "NONREF" {
		e.EntryReference = customer
	}
	e.BankReference = strings.TrimSpace(bank)
	return e, nil
}

// isType says whether s starts with a transaction type: N or F and three letters or digits (a
// SWIFT code such as NTRF, FCHG), or S and three digits (the SWIFT message type it came as).
func isType(s string) bool {
	if len(s) < 4 {
		return false
	}
	switch s[0] {
	case 'N', 'F':
		for i := 1; i < 4; i++ {
			if !isDigit(s[i]) && (s[i] < 'A' || s[i] > 'Z') {
				return false
			}
		}
		return true
	case 'S':
		return digits(s[1:4])
	}
	return false
}

// amount reads an MT940 amount in currency c: digits with a decimal comma and no sign. Zeros
// past the currency's minor units are harmless ("12,500" in EUR); other digits there are refused
// rather than rounded.
func amount(s string, c money.Currency) (money.Amount, error) {
	whole, frac, comma := strings.Cut(s, ",")
	if !comma || !digits(whole) || !digits(frac) || whole == "" {
		return 0, fmt.Errorf("%q is not an amount such as 1234,56 (digits with a decimal comma)", clip(s))
	}
	frac = strings.TrimRight(frac, "0")
	if len(frac) > c.Digits() {
		return 0, fmt.Errorf("the amount %q has more decimal places than %s has (%d)",
			clip(s), c, c.Digits())
	}
	text := whole
	if frac != "" {
		text += "." + frac
	}
	a, err := money.ParseNonNegative(text, c)
	if err != nil {
		return 0, fmt.Errorf("the amount %q is refused: %v", clip(s), err)
	}
	return a, nil
}

// digits says whether s holds only the digits 0–9 ("" does).
func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// date reads YYMMDD, six digits: the year is 20YY below 80 and 19YY from 80, which covers the
// statements a business still imports and the archives a bank sends back.
func date(s string) (time.Time, bool) {
	if len(s) != 6 || !digits(s) {
		return time.Time{}, false
	}
	yy := num(s[:2])
	year := 2000 + yy
	if yy >= 80 {
		year = 1900 + yy
	}
	return dateOf(year, num(s[2:4]), num(s[4:6]))
}

// entryDate reads the entry date MMDD of a line with value date value. It has no year: it takes
// the one that puts it nearest the value date, so that a line valued on 31 December and booked
// on 2 January is booked in the next year, and one valued on 2 January and booked on 31
// December in the year before.
func entryDate(s string, value time.Time) (time.Time, bool) {
	var best time.Time
	found := false
	for _, y := range []int{value.Year() - 1, value.Year(), value.Year() + 1} {
		t, ok := dateOf(y, num(s[:2]), num(s[2:]))
		if ok && (!found || absDays(t.Sub(value)) < absDays(best.Sub(value))) {
			best, found = t, true
		}
	}
	return best, found
}

func absDays(d time.Duration) time.Duration { return max(d, -d) }

// dateOf is the date year-month-day, ok false when there is no such day.
func dateOf(year, month, day int) (time.Time, bool) {
	if month < 1 || month > 12 || day < 1 {
		return time.Time{}, false
	}
	t := time.Date(year, time.Month(month), day, 0, 0, 0, 0, time.UTC)
	return t, t.Day() == day
}

// num reads a string of digits, which the caller has checked.
func num(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}
