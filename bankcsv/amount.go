package bankcsv

import (
	"fmt"
	"strings"

	"finapp/money"
)

// parseAmount reads an amount as banks write it and returns its size and whether it is money
// out: a '-' before or after the number, or parentheses around it, mean money out, and a '+' may
// stand before it. The decimal separator is ',' with decimalComma, else '.'; the other one, spaces
// and apostrophes group the thousands and are dropped. Grouping is held to groups of three digits,
// because a file read with the wrong separator ("1.50" by a decimal-comma template) must be
// refused, not read as 150. More fraction digits than the currency has are refused unless they are
// zeros (banks pad "12,5000"), since rounding them would change the amount.
func parseAmount(cell string, decimalComma bool, c money.Currency) (money.Amount, bool, error) {
	s := strings.TrimSpace(cell)
	out := false
	switch {
	case len(s) >= 2 && s[0] == '(' && s[len(s)-1] == ')':
		out, s = true, s[1:len(s)-1]
	case strings.HasPrefix(s, "-"):
		out, s = true, s[1:]
	case strings.HasPrefix(s, "\u2212"): // the minus sign typesetting exports use
		out, s = true, s[len("\u2212"):]
	case strings.HasSuffix(s, "-"):
		out, s = true, s[:len(s)-1]
	case strings.HasPrefix(s, "+"):
		s = s[1:]
	}
	s = strings.TrimSpace(s)
	point, group, example := ".", ',', `"-1,234.56"`
	if decimalComma {
		point, group, example = ",", '.', `"-1.234,56"`
	}
	bad := fmt.Errorf("%q is not an amount such as %s", cell, example)
	whole, frac, hasPoint := strings.Cut(s, point)
	if hasPoint && (frac == "" || !allDigits(frac)) {
		return 0, false, bad
	}
	whole, ok := ungroup(whole, group)
	if !ok {
		return 0, false, bad
	}
	frac = strings.TrimRight(frac, "0")
	if digits := c.Digits(); len(frac) > digits {
		if digits == 0 {
			return 0, false, fmt.Errorf("%q has a fraction, but %s has no minor units", cell, c)
		}
		return 0, false, fmt.Errorf("%q has more than %d decimal places, the most %s has",
			cell, digits, c)
	}
	if frac != "" {
		whole += "." + frac
	}
	a, err := money.ParseNonNegative(whole, c)
	if err != nil {
		return 0, false, fmt.Errorf("%q: %v", cell, err)
	}
	return a, out, nil
}

// ungroup returns the digits of a whole number written with grouping separators (group, a space,
// a no-break space or an apostrophe) between groups of three, ok false for anything else.
func ungroup(s string, group rune) (string, bool) {
	if allDigits(s) {
		return s, s != ""
	}
	var b strings.Builder
	n := 0 // digits in the current group
	first := true
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
			n++
		case r == group || r == ' ' || r == '\u00a0' || r == '\u202f' || r == '\'' || r == '\u2019':
			if n == 0 || n > 3 || (!first && n != 3) {
				return "", false
			}
			first, n = false, 0
		default:
			return "", false
		}
	}
	return b.String(), n == 3
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
