package camt

import (
	"fmt"
	"strings"

	"finapp/money"
)

// The values of a camt file, as ISO 20022 writes them: amounts as xs:decimal with the currency in
// an attribute, dates as xs:date or the date part of an xs:dateTime, codes in capitals.

// parseAmount reads an ISO 20022 amount as a count of c's minor units. ISO 20022 allows five
// fraction digits whatever the currency, and some banks write "12.500" for EUR: zeros beyond the
// currency's digits are taken off; a real fraction beyond them is refused, not rounded. Zero is
// accepted (a bank may report one); a sign, an exponent or anything else is refused.
func parseAmount(s string, c money.Currency, digits int) (money.Amount, error) {
	if s == "" {
		return 0, fmt.Errorf("is empty; an amount such as \"12.50\" is required")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || (hasPoint && frac == "") {
		return 0, fmt.Errorf("%q is not an amount such as \"12.50\"", s)
	}
	if len(frac) > digits {
		if strings.Trim(frac[digits:], "0") != "" || !isDigits(frac[digits:]) {
			if !isDigits(frac) {
				return 0, fmt.Errorf("%q is not an amount such as \"12.50\"", s)
			}
			return 0, fmt.Errorf("%q has more decimal places than %s's %d", s, c, digits)
		}
		frac = frac[:digits]
	}
	whole = strings.TrimLeft(whole, "0")
	if len(whole)+digits > 18 {
		if !isDigits(whole) {
			return 0, fmt.Errorf("%q is not an amount such as \"12.50\"", s)
		}
		return 0, fmt.Errorf("%q is larger than the largest amount accepted (%s)", s,
			money.Format(money.MaxAmount, c))
	}
	var n int64
	for i := 0; i < len(whole); i++ {
		d := whole[i]
		if d < '0' || d > '9' {
			return 0, notAmount(s)
		}
		n = n*10 + int64(d-'0')
	}
	for i := 0; i < digits; i++ {
		var d byte = '0'
		if i < len(frac) {
			d = frac[i]
		}
		if d < '0' || d > '9' {
			return 0, notAmount(s)
		}
		n = n*10 + int64(d-'0')
	}
	if n > int64(money.MaxAmount) {
		return 0, fmt.Errorf("%q is larger than the largest amount accepted (%s)", s,
			money.Format(money.MaxAmount, c))
	}
	return money.Amount(n), nil
}

func notAmount(s string) error {
	if strings.HasPrefix(s, "-") {
		return fmt.Errorf("%q is negative; the direction is CdtDbtInd's to say", s)
	}
	return fmt.Errorf("%q is not an amount such as \"12.50\"", s)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// parseDate returns the YYYY-MM-DD of an xs:date ("2026-03-31", perhaps with a time zone, which
// a booking day does not depend on) or, when dateTime, of an xs:dateTime ("2026-03-31T10:15:00").
func parseDate(s string, dateTime bool) (string, bool) {
	if len(s) < 10 || !validDate(s[:10]) {
		return "", false
	}
	rest := s[10:]
	if dateTime {
		// hh:mm:ss, then any fraction and zone: the date is what counts.
		if len(rest) < 9 || rest[0] != 'T' || rest[3] != ':' || rest[6] != ':' ||
			!isDigits(rest[1:3]) || !isDigits(rest[4:6]) || !isDigits(rest[7:9]) {
			return "", false
		}
		return s[:10], true
	}
	switch {
	case rest == "", rest == "Z":
	case len(rest) == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':' &&
		isDigits(rest[1:3]) && isDigits(rest[4:6]):
	default:
		return "", false
	}
	return s[:10], true
}

// validDate reports whether s is a real day written YYYY-MM-DD.
func validDate(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' || !isDigits(s[:4]) || !isDigits(s[5:7]) ||
		!isDigits(s[8:]) {
		return false
	}
	y := int(s[0]-'0')*1000 + int(s[1]-'0')*100 + int(s[2]-'0')*10 + int(s[3]-'0')
	m := int(s[5]-'0')*10 + int(s[6]-'0')
	d := int(s[8]-'0')*10 + int(s[9]-'0')
	if y == 0 || m < 1 || m > 12 || d < 1 {
		return false
	}
	days := [13]int{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[m]
	if m == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// parseBool reads an xs:boolean.
func parseBool(s string) (v, ok bool) {
	switch s {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}
