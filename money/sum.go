package money

import (
	"errors"
	"fmt"
	"math/big"
	"math/bits"
	"strings"
)

// Sum is an exact total of amounts: a signed 128-bit integer of minor units, two's complement in
// two words. One Amount is at most MaxAmount (10^14 < 2^47), so a Sum holds the total of more
// than 10^24 of them: more rows than any database will ever hold, which is why Add and Plus do
// not report overflow. An int64 holds only about 92,000 amounts at the bound, which is why every
// total finapp computes (balances, reports, checks) is a Sum and never an Amount.
//
// The zero value is zero. Sums compare with Cmp, not ==, only for readability: == is exact too.
type Sum struct {
	hi int64  // the high 64 bits, signed
	lo uint64 // the low 64 bits
}

// SumOf is a as a Sum.
func SumOf(a Amount) Sum {
	return Sum{hi: int64(a) >> 63, lo: uint64(a)}
}

// SumParts is hi·2^32 + lo: how storage hands back a total it summed in two parts, the amounts'
// high and low halves (see sqlstore's splitSum), each of which fits an int64 for billions of rows.
func SumParts(hi, lo int64) Sum {
	// hi·2^32 as a 128-bit number: shift the sign-extended value left by 32.
	h := Sum{hi: hi >> 32, lo: uint64(hi) << 32}
	return h.Plus(Sum{hi: lo >> 63, lo: uint64(lo)})
}

// Add returns s + a.
func (s Sum) Add(a Amount) Sum { return s.Plus(SumOf(a)) }

// Plus returns s + t.
func (s Sum) Plus(t Sum) Sum {
	lo, carry := bits.Add64(s.lo, t.lo, 0)
	return Sum{hi: s.hi + t.hi + int64(carry), lo: lo}
}

// Sub returns s − t.
func (s Sum) Sub(t Sum) Sum { return s.Plus(t.Neg()) }

// Neg returns −s.
func (s Sum) Neg() Sum {
	lo, borrow := bits.Sub64(0, s.lo, 0)
	return Sum{hi: -s.hi - int64(borrow), lo: lo}
}

// Sign is −1, 0 or +1.
func (s Sum) Sign() int {
	switch {
	case s.hi < 0:
		return -1
	case s.hi == 0 && s.lo == 0:
		return 0
	default:
		return 1
	}
}

// IsZero reports whether s is zero.
func (s Sum) IsZero() bool { return s.hi == 0 && s.lo == 0 }

// Cmp is −1, 0 or +1 as s is less than, equal to or greater than t.
func (s Sum) Cmp(t Sum) int {
	switch {
	case s.hi < t.hi:
		return -1
	case s.hi > t.hi:
		return 1
	case s.lo < t.lo:
		return -1
	case s.lo > t.lo:
		return 1
	}
	return 0
}

// Amount returns s as an Amount and true when it fits an int64, or 0 and false. A Sum is only
// narrowed where the total is bounded by a rule (one payment's allocations never exceed it).
func (s Sum) Amount() (Amount, bool) {
	if s.hi != int64(s.lo)>>63 {
		return 0, false
	}
	return Amount(s.lo), true
}

// Big returns s as a big.Int, for tests and for formatting totals beyond an int64.
func (s Sum) Big() *big.Int {
	n := new(big.Int).SetInt64(s.hi)
	n.Lsh(n, 64)
	return n.Add(n, new(big.Int).SetUint64(s.lo))
}

// sumFromBig is n as a Sum; n must fit 128 bits signed.
func sumFromBig(n *big.Int) Sum {
	m := new(big.Int).Set(n)
	neg := m.Sign() < 0
	if neg {
		m.Neg(m)
	}
	lo := new(big.Int).And(m, new(big.Int).SetUint64(^uint64(0))).Uint64()
	hi := new(big.Int).Rsh(m, 64).Uint64()
	s := Sum{hi: int64(hi), lo: lo}
	if neg {
		s = s.Neg()
	}
	return s
}

// minSum and maxSum bound what ParseSum accepts: the range of a Sum.
var (
	maxSum = new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 127), big.NewInt(1))
	minSum = new(big.Int).Neg(new(big.Int).Lsh(big.NewInt(1), 127))
)

// FormatSum writes s as a decimal string with exactly the currency's number of minor digits,
// as Format does for an Amount ("-1234.50"). A total that fits an int64 costs what Format costs.
func FormatSum(s Sum, c Currency) string {
	if a, ok := s.Amount(); ok {
		return Format(a, c)
	}
	digits := c.Digits()
	n := s.Big()
	neg := n.Sign() < 0
	if neg {
		n.Neg(n)
	}
	str := n.String()
	if len(str) <= digits {
		str = strings.Repeat("0", digits-len(str)+1) + str
	}
	if digits > 0 {
		str = str[:len(str)-digits] + "." + str[len(str)-digits:]
	}
	if neg {
		str = "-" + str
	}
	return str
}

// Format is FormatSum(s, c).
func (s Sum) Format(c Currency) string { return FormatSum(s, c) }

// String writes s in minor units ("-123450"), for logs and test failures; pages and the API use
// Format with the currency.
func (s Sum) String() string { return s.Big().String() }

// ErrSumRange is returned by ParseSum for a number outside a Sum's range.
var ErrSumRange = errors.New("is outside the range of a total")

// ParseSum reads a decimal total as FormatSum writes it: an optional leading minus, digits, and
// when the currency has minor units optionally a point and at most that many fraction digits.
// Like Parse it refuses rather than rounds, and refuses a plus sign, spaces and exponents.
// Zero and negative totals are accepted: a balance may be either.
func ParseSum(s string, c Currency) (Sum, error) {
	body, neg := strings.CutPrefix(s, "-")
	whole, frac, hasPoint := strings.Cut(body, ".")
	if whole == "" || (hasPoint && frac == "") {
		return Sum{}, fmt.Errorf("%q is not a decimal number such as \"-12.50\"", s)
	}
	for _, part := range []string{whole, frac} {
		for _, r := range part {
			if r < '0' || r > '9' {
				return Sum{}, fmt.Errorf("%q is not a decimal number such as \"-12.50\"", s)
			}
		}
	}
	digits := c.Digits()
	if len(frac) > digits {
		if digits == 0 {
			return Sum{}, fmt.Errorf("%q has a fraction, but %s has no minor units", s, c)
		}
		return Sum{}, fmt.Errorf("%q has more than %d decimal places, the most %s allows", s, digits, c)
	}
	// A longer string cannot be in range whatever its leading zeros; refusing it first keeps
	// big.Int from parsing megabytes of digits.
	if len(whole)+digits > 200 {
		return Sum{}, fmt.Errorf("%q %w", s, ErrSumRange)
	}
	frac += strings.Repeat("0", digits-len(frac))
	n, ok := new(big.Int).SetString(whole+frac, 10)
	if !ok {
		return Sum{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if neg {
		n.Neg(n)
	}
	if n.Cmp(maxSum) > 0 || n.Cmp(minSum) < 0 {
		return Sum{}, fmt.Errorf("%q %w", s, ErrSumRange)
	}
	return sumFromBig(n), nil
}
