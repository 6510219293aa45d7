// Package money holds exact amounts of money: integer minor units inside, decimal strings at the
// edges. No binary floating point ever touches an amount.
package money

import (
	"errors"
	"fmt"
	"math/big"
	"regexp"
	"slices"
	"strings"

	"github.com/bojanz/currency"
)

// Amount is a count of a currency's minor units (cents for SGD, yen for JPY, fils for KWD).
// It carries no currency of its own: every entity that holds an Amount holds its Currency beside it.
type Amount int64

// MaxAmount bounds every single amount the system accepts: 10^14 minor units (one trillion SGD).
// An int64 holds only about 92,000 such amounts, so every total of amounts is a Sum (128 bits),
// which holds more than 10^24 of them; an Amount is only ever one amount, or a total that a rule
// bounds by one amount (a payment's allocations, an invoice's amount paid).
const MaxAmount Amount = 100_000_000_000_000

// ErrOverflow is returned by Add and Sub when a result would leave the representable range.
var ErrOverflow = errors.New("amount overflows")

// Currency is an ISO 4217 alphabetic code such as "SGD".
type Currency string

// ParseCurrency validates an ISO 4217 code. Lower-case input is refused rather than guessed at,
// so that what is stored is exactly what was sent.
func ParseCurrency(s string) (Currency, error) {
	if len(s) != 3 || strings.ToUpper(s) != s || !currency.IsValid(s) {
		return "", fmt.Errorf("%q is not an ISO 4217 currency code (e.g. SGD, USD, JPY)", s)
	}
	return Currency(s), nil
}

// Currencies are the ISO 4217 codes finapp knows, in code order (the currency pickers' choices).
func Currencies() []Currency {
	codes := currency.GetCurrencyCodes()
	out := make([]Currency, 0, len(codes))
	for _, c := range codes {
		out = append(out, Currency(c))
	}
	slices.Sort(out)
	return out
}

// Digits is the number of minor-unit digits of the currency, from the CLDR data that
// github.com/bojanz/currency maintains (SGD 2, VND 0, JPY 0, KWD 3).
func (c Currency) Digits() int {
	d, ok := currency.GetDigits(string(c))
	if !ok {
		return 2
	}
	return int(d)
}

// Parse reads a decimal string ("1234.50") as a positive amount of currency c. It refuses, rather
// than rounds, anything that is not exact: signs, exponents, spaces, more fraction digits than the
// currency has, zero, and anything above MaxAmount.
func Parse(s string, c Currency) (Amount, error) {
	a, err := parseNonNegative(s, c)
	if err != nil {
		return 0, err
	}
	if a == 0 {
		return 0, errors.New("must be greater than zero")
	}
	return a, nil
}

// ParseNonNegative is Parse that also accepts zero, for limits such as a tolerance.
func ParseNonNegative(s string, c Currency) (Amount, error) { return parseNonNegative(s, c) }

func parseNonNegative(s string, c Currency) (Amount, error) {
	if s == "" {
		return 0, errors.New("is required, as a decimal string such as \"12.50\"")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || (hasPoint && frac == "") {
		return 0, fmt.Errorf("%q is not a decimal number such as \"12.50\"", s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				if r == '-' {
					return 0, errors.New("must be positive")
				}
				return 0, fmt.Errorf("%q is not a decimal number such as \"12.50\"", s)
			}
		}
	}
	digits := c.Digits()
	if len(frac) > digits {
		if digits == 0 {
			return 0, fmt.Errorf("%q has a fraction, but %s has no minor units", s, c)
		}
		return 0, fmt.Errorf("%q has more than %d decimal places, the most %s allows", s, digits, c)
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok {
		return 0, fmt.Errorf("%q is not a decimal number", s)
	}
	if n.Cmp(big.NewInt(int64(MaxAmount))) > 0 {
		return 0, fmt.Errorf("%q is larger than the largest amount accepted (%s)", s, Format(MaxAmount, c))
	}
	return Amount(n.Int64()), nil
}

// Format writes a as a decimal string with exactly the currency's number of minor digits:
// Format(123450, "SGD") == "1234.50", Format(1000, "JPY") == "1000". Negative amounts (journal
// balances) get a leading minus.
func Format(a Amount, c Currency) string {
	digits := c.Digits()
	neg := a < 0
	u := uint64(a)
	if neg {
		u = uint64(-a)
	}
	s := fmt.Sprintf("%0*d", digits+1, u)
	if digits > 0 {
		s = s[:len(s)-digits] + "." + s[len(s)-digits:]
	}
	if neg {
		s = "-" + s
	}
	return s
}

// Add returns a+b, or ErrOverflow.
func Add(a, b Amount) (Amount, error) {
	s := a + b
	if (b > 0 && s < a) || (b < 0 && s > a) {
		return 0, ErrOverflow
	}
	return s, nil
}

// Min returns the smaller of a and b.
func Min(a, b Amount) Amount {
	if a < b {
		return a
	}
	return b
}

// groupedAmount is an amount as banks print it, with a comma between each group of three
// digits: 12,500.00.
var groupedAmount = regexp.MustCompile(`^[0-9]{1,3}(,[0-9]{3})+(\.[0-9]+)?$`)

// Ungroup takes the grouping commas out of an amount typed as banks print it ("12,500.00" →
// "12500.00"), for the forms people key amounts into; anything else comes back as it is, for
// Parse to take or refuse. A comma in another place ("1,2" or "12,50") is not grouping and is
// left for Parse to refuse, rather than guessed to be a decimal comma.
func Ungroup(s string) string {
	if groupedAmount.MatchString(s) {
		return strings.ReplaceAll(s, ",", "")
	}
	return s
}
