package money

import "testing"

// Rates are read exactly and refused rather than guessed at; conversions round half away from
// zero to the target currency's minor units.
func TestParseRate(t *testing.T) {
	for _, s := range []string{"", "0", "0.000", "-1.2", "+1.2", "1e3", "1.", ".5", " 1.2", "1,2", "1234567890.1", "1.1234567890123",
		"1." + "0000000000000000000000000000000000000001"} {
		if _, err := ParseRate(s); err == nil {
			t.Errorf("ParseRate(%q) accepted", s)
		}
	}
	for _, s := range []string{"1", "1.3512", "0.000000000001", "123456789.123456789012", "007.5"} {
		if r, err := ParseRate(s); err != nil || r.String() != s {
			t.Errorf("ParseRate(%q) = %v, %v", s, r, err)
		}
	}
}

func TestRate_Convert(t *testing.T) {
	for _, c := range []struct {
		amount   Amount
		from, to Currency
		rate     string
		want     Amount
		err      bool
	}{
		{10000, "USD", "SGD", "1.35", 13500, false},    // 100.00 USD → 135.00 SGD
		{10000, "USD", "SGD", "1.34125", 13413, false}, // 134.125 rounds half up to 134.13
		{10000, "USD", "SGD", "1.34124", 13412, false},
		{10000, "USD", "JPY", "151.505", 15151, false}, // 15150.5 JPY → 15151 (no minor units)
		{15151, "JPY", "USD", "0.0066", 10000, false},  // 100.0 USD: 151.51 JPY... 15151 × 0.0066 = 99.9966 → 100.00
		{1000, "KWD", "SGD", "4.4", 440, false},        // 1.000 KWD → 4.40 SGD
		{1, "SGD", "USD", "0.4", 0, true},              // 0.004 rounds to nothing
		{MaxAmount, "SGD", "IDR", "12000", 0, true},    // above the largest amount
	} {
		r, err := ParseRate(c.rate)
		if err != nil {
			t.Fatal(err)
		}
		got, err := r.Convert(c.amount, c.from, c.to)
		if (err != nil) != c.err || got != c.want {
			t.Errorf("%s %s at %s to %s = %s, %v; want %s (error %v)", Format(c.amount, c.from), c.from, c.rate, c.to, Format(got, c.to), err, Format(c.want, c.to), c.err)
		}
	}
}

// FuzzParseRate: whatever is sent, a rate either is refused or converts exactly and boundedly.
func FuzzParseRate(f *testing.F) {
	for _, s := range []string{"1.35", "0.0066", "151.505", "0", "1e3", "999999999.999999999999"} {
		f.Add(s, int64(10000))
	}
	f.Fuzz(func(t *testing.T, s string, a int64) {
		r, err := ParseRate(s)
		if err != nil {
			return
		}
		if r.String() != s {
			t.Fatalf("ParseRate(%q) reads back as %q", s, r.String())
		}
		if a <= 0 || Amount(a) > MaxAmount {
			return
		}
		got, err := r.Convert(Amount(a), "SGD", "JPY")
		if err == nil && (got <= 0 || got > MaxAmount) {
			t.Fatalf("%d at %s converts to %d", a, s, got)
		}
	})
}
