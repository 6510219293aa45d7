package money

import (
	"errors"
	"fmt"
	"math/big"
	"strings"
)

// Rate is an exchange rate: how many units of one currency one unit of another buys, exactly as
// written ("1.3512"). It is kept as a fraction, never as a float.
type Rate struct {
	text string
	r    *big.Rat
}

// Rates have at most this many digits before and after the point: enough for any quoted rate
// (JPY per KWD is in the hundreds, KWD per IDR needs many decimals), and a bound that keeps
// every conversion small.
const (
	maxRateWhole    = 9
	maxRateFraction = 12
)

// ParseRate reads a positive decimal rate. Signs, exponents, spaces, zero and more digits than a
// quoted rate has are refused.
func ParseRate(s string) (Rate, error) {
	if s == "" {
		return Rate{}, errors.New("is required, as a decimal string such as \"1.3512\"")
	}
	whole, frac, hasPoint := strings.Cut(s, ".")
	if whole == "" || (hasPoint && frac == "") {
		return Rate{}, fmt.Errorf("%q is not a decimal number such as \"1.3512\"", s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return Rate{}, fmt.Errorf("%q is not a positive decimal number such as \"1.3512\"", s)
			}
		}
	}
	if len(strings.TrimLeft(whole, "0")) > maxRateWhole || len(frac) > maxRateFraction {
		return Rate{}, fmt.Errorf("%q has more digits than a rate has (at most %d before the point and %d after)", s, maxRateWhole, maxRateFraction)
	}
	r, ok := new(big.Rat).SetString(whole + "." + frac + "0")
	if !ok {
		return Rate{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if r.Sign() == 0 {
		return Rate{}, errors.New("must be greater than zero")
	}
	return Rate{text: s, r: r}, nil
}

// String is the rate as written.
func (r Rate) String() string { return r.text }

// Convert turns a of currency from into currency to at r (units of to per unit of from): the
// exact product, rounded half away from zero to to's minor units. The result is refused when it
// rounds to nothing or exceeds MaxAmount.
func (r Rate) Convert(a Amount, from, to Currency) (Amount, error) {
	// a minor units of from are a / 10^df units; times r units of to; times 10^dt minor units.
	n := new(big.Rat).SetInt64(int64(a))
	n.Mul(n, r.r)
	n.Mul(n, new(big.Rat).SetFrac(pow10(to.Digits()), pow10(from.Digits())))
	q, m := new(big.Int).QuoRem(n.Num(), n.Denom(), new(big.Int))
	if new(big.Int).Mul(m, big.NewInt(2)).Cmp(n.Denom()) >= 0 { // a half or more rounds up (a is positive)
		q.Add(q, big.NewInt(1))
	}
	switch {
	case q.Sign() == 0:
		return 0, fmt.Errorf("%s %s at %s is less than the smallest amount of %s", Format(a, from), from, r.text, to)
	case q.Cmp(big.NewInt(int64(MaxAmount))) > 0:
		return 0, fmt.Errorf("%s %s at %s is more than the largest amount accepted", Format(a, from), from, r.text)
	}
	return Amount(q.Int64()), nil
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }
