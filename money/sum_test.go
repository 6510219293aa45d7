package money

import (
	"errors"
	"math/big"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// genSum draws sums across the whole 128-bit range and near its edges and zero.
func genSum() *rapid.Generator[Sum] {
	return rapid.Custom(func(t *rapid.T) Sum {
		switch rapid.IntRange(0, 3).Draw(t, "shape") {
		case 0:
			return SumOf(Amount(rapid.Int64().Draw(t, "small")))
		case 1:
			return Sum{hi: rapid.Int64Range(-2, 1).Draw(t, "hi"), lo: rapid.Uint64().Draw(t, "lo")}
		default:
			return Sum{hi: rapid.Int64().Draw(t, "hi"), lo: rapid.Uint64().Draw(t, "lo")}
		}
	})
}

// wrap128 reduces n to a signed 128-bit value, as two's complement arithmetic does.
func wrap128(n *big.Int) *big.Int {
	mod := new(big.Int).Lsh(big.NewInt(1), 128)
	m := new(big.Int).Mod(n, mod)
	if m.Cmp(maxSum) > 0 {
		m.Sub(m, mod)
	}
	return m
}

func TestSum_ArithmeticMatchesBigInt(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		a, b := genSum().Draw(t, "a"), genSum().Draw(t, "b")
		x := Amount(rapid.Int64().Draw(t, "x"))
		A, B, X := a.Big(), b.Big(), big.NewInt(int64(x))
		check := func(name string, got Sum, want *big.Int) {
			if got.Big().Cmp(wrap128(want)) != 0 {
				t.Fatalf("%s: got %s, want %s", name, got, wrap128(want))
			}
		}
		check("Plus", a.Plus(b), new(big.Int).Add(A, B))
		check("Add", a.Add(x), new(big.Int).Add(A, X))
		check("Sub", a.Sub(b), new(big.Int).Sub(A, B))
		check("Neg", a.Neg(), new(big.Int).Neg(A))
		check("SumOf", SumOf(x), X)
		if a.Cmp(b) != A.Cmp(B) {
			t.Fatalf("Cmp(%s, %s) = %d", a, b, a.Cmp(b))
		}
		if a.Sign() != A.Sign() || a.IsZero() != (A.Sign() == 0) {
			t.Fatalf("Sign(%s) = %d", a, a.Sign())
		}
		n, ok := a.Amount()
		if fits := A.IsInt64(); ok != fits || (fits && int64(n) != A.Int64()) {
			t.Fatalf("Amount(%s) = %d, %v", a, n, ok)
		}
		if got := sumFromBig(A); got != a {
			t.Fatalf("sumFromBig(%s) = %s", A, got)
		}
	})
}

func TestSumParts_IsHighTimesTwoToThe32PlusLow(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		hi, lo := rapid.Int64().Draw(t, "hi"), rapid.Int64().Draw(t, "lo")
		want := new(big.Int).Lsh(big.NewInt(hi), 32)
		want.Add(want, big.NewInt(lo))
		if got := SumParts(hi, lo); got.Big().Cmp(want) != 0 {
			t.Fatalf("SumParts(%d, %d) = %s, want %s", hi, lo, got, want)
		}
	})
}

// The case the issue is about: 92,300 payments of MaxAmount overflow an int64, not a Sum.
func TestSum_HoldsTotalsBeyondInt64(t *testing.T) {
	var s Sum
	for range 100_000 {
		s = s.Add(MaxAmount)
	}
	if got, want := FormatSum(s, "SGD"), "100000000000000000.00"; got != want {
		t.Fatalf("100,000 × MaxAmount = %s, want %s", got, want)
	}
	if _, ok := s.Amount(); ok {
		t.Fatal("a total of 10^19 minor units claims to fit an int64")
	}
	if got := FormatSum(s.Neg(), "JPY"); got != "-10000000000000000000" {
		t.Fatalf("negated: %s", got)
	}
}

func TestFormatSum_MatchesFormatAndBigInt(t *testing.T) {
	cases := []struct {
		s    Sum
		cur  Currency
		want string
	}{
		{SumOf(123450), "SGD", "1234.50"},
		{SumOf(-250), "USD", "-2.50"},
		{Sum{}, "SGD", "0.00"},
		{Sum{}, "JPY", "0"},
		{SumOf(-1), "KWD", "-0.001"},
		{Sum{hi: 0, lo: 1 << 63}, "SGD", "92233720368547758.08"},
		{Sum{hi: -1, lo: 1<<63 - 1}, "SGD", "-92233720368547758.09"},
		{Sum{hi: 1<<63 - 1, lo: ^uint64(0)}, "JPY", "170141183460469231731687303715884105727"},
		{Sum{hi: -1 << 63}, "KWD", "-170141183460469231731687303715884105.728"},
	}
	for _, c := range cases {
		if got := FormatSum(c.s, c.cur); got != c.want {
			t.Errorf("FormatSum(%s, %s) = %q, want %q", c.s, c.cur, got, c.want)
		}
		back, err := ParseSum(c.want, c.cur)
		if err != nil || back != c.s {
			t.Errorf("ParseSum(%q) = %s, %v; want %s", c.want, back, err, c.s)
		}
	}
	rapid.Check(t, func(t *rapid.T) {
		a := Amount(rapid.Int64Range(-int64(MaxAmount), int64(MaxAmount)).Draw(t, "a"))
		for _, cur := range []Currency{"SGD", "JPY", "KWD"} {
			if got, want := FormatSum(SumOf(a), cur), Format(a, cur); got != want {
				t.Fatalf("FormatSum(%d, %s) = %q, Format = %q", a, cur, got, want)
			}
		}
	})
}

func TestParseSum_RefusesInexactOrOutOfRange(t *testing.T) {
	cases := []struct {
		in  string
		cur Currency
	}{
		{"12.345", "SGD"}, {"1.5", "JPY"}, {"1.0", "JPY"}, {"+1.00", "SGD"}, {"--1", "SGD"},
		{"1e3", "SGD"}, {"", "SGD"}, {"-", "SGD"}, {" 1.00", "SGD"}, {"1.", "SGD"}, {".5", "SGD"},
		{"-.5", "SGD"}, {"1,000.00", "SGD"}, {"NaN", "SGD"}, {"١٢", "JPY"},
		{"170141183460469231731687303715884105728", "JPY"},
		{"-170141183460469231731687303715884105729", "JPY"},
		{"1701411834604692317316873037158841057.28", "SGD"},
	}
	for _, c := range cases {
		if got, err := ParseSum(c.in, c.cur); err == nil {
			t.Errorf("ParseSum(%q, %s) = %s, want an error", c.in, c.cur, got)
		}
	}
	if _, err := ParseSum("1\x00", "JPY"); err == nil {
		t.Error("ParseSum accepted a NUL byte")
	}
	long := "1" + strings.Repeat("0", 300)
	if _, err := ParseSum(long, "JPY"); !errors.Is(err, ErrSumRange) {
		t.Errorf("ParseSum of 301 digits: %v, want ErrSumRange", err)
	}
}

// FuzzParseSum checks that whatever ParseSum accepts formats back to a string that parses to the
// same total, agrees with big.Int, and that an Amount's string reads the same as Parse reads it.
func FuzzParseSum(f *testing.F) {
	for _, s := range []string{
		"1234.50", "-1234.50", "0.00", "-0", "0", "12", "1e3", "-1", "12.345", "", "-", "1.", ".1",
		"007.10", "-007.10", "1000000000000", "100000000000000000.00", "92233720368547758.08",
		"-92233720368547758.09", "1701411834604692317316873037158841057.27",
		"1701411834604692317316873037158841057.28", "-1701411834604692317316873037158841057.28",
	} {
		f.Add(s, "SGD")
	}
	f.Add("170141183460469231731687303715884105727", "JPY")
	f.Add("-170141183460469231731687303715884105728", "JPY")
	f.Add("1.234", "KWD")
	f.Add("-0.001", "KWD")
	f.Fuzz(func(t *testing.T, s, code string) {
		c, err := ParseCurrency(code)
		if err != nil {
			return
		}
		sum, err := ParseSum(s, c)
		if err != nil {
			return
		}
		str := FormatSum(sum, c)
		back, err := ParseSum(str, c)
		if err != nil || back != sum {
			t.Fatalf("round trip of %q: %s -> %q -> %s, %v", s, sum, str, back, err)
		}
		scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(c.Digits())), nil)
		r, ok := new(big.Rat).SetString(s)
		if !ok {
			t.Fatalf("ParseSum accepted %q, which is no decimal", s)
		}
		r.Mul(r, new(big.Rat).SetInt(scale))
		if !r.IsInt() || r.Num().Cmp(sum.Big()) != 0 {
			t.Fatalf("ParseSum(%q) = %s, big.Rat reads %s", s, sum, r)
		}
		if a, err := Parse(s, c); err == nil {
			if got, ok := sum.Amount(); !ok || got != a {
				t.Fatalf("Parse(%q) = %d, ParseSum = %s", s, a, sum)
			}
		}
	})
}
