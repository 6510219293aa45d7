package money

import (
	"strings"
	"testing"
)

func TestParse_AcceptsExactAmountsPerCurrencyDigits(t *testing.T) {
	cases := []struct {
		in   string
		cur  Currency
		want Amount
	}{
		{"1234.50", "SGD", 123450},
		{"12.5", "SGD", 1250},
		{"12", "SGD", 1200},
		{"0.01", "SGD", 1},
		{"1000", "JPY", 1000},
		{"15000", "VND", 15000},
		{"1.234", "KWD", 1234},
		{"1000000000000", "SGD", 100_000_000_000_000},
	}
	for _, c := range cases {
		got, err := Parse(c.in, c.cur)
		if err != nil || got != c.want {
			t.Errorf("Parse(%q, %s) = %d, %v; want %d", c.in, c.cur, got, err, c.want)
		}
	}
}

func TestParse_RefusesInexactOrOutOfRange(t *testing.T) {
	cases := []struct {
		in  string
		cur Currency
	}{
		{"12.345", "SGD"}, {"1.5", "JPY"}, {"1.0", "JPY"}, {"1.2345", "KWD"},
		{"0", "SGD"}, {"0.00", "SGD"}, {"-1.00", "SGD"}, {"+1.00", "SGD"},
		{"1e3", "SGD"}, {"", "SGD"}, {"abc", "SGD"}, {" 1.00", "SGD"}, {"1.", "SGD"},
		{".5", "SGD"}, {"1,000.00", "SGD"}, {"1000000000000.01", "SGD"},
		{"99999999999999999999999999", "SGD"}, {"NaN", "SGD"}, {"Infinity", "SGD"},
	}
	for _, c := range cases {
		if got, err := Parse(c.in, c.cur); err == nil {
			t.Errorf("Parse(%q, %s) = %d, want an error", c.in, c.cur, got)
		}
	}
}

func TestFormat_WritesCurrencyDigits(t *testing.T) {
	cases := []struct {
		a    Amount
		cur  Currency
		want string
	}{
		{123450, "SGD", "1234.50"}, {1, "SGD", "0.01"}, {0, "SGD", "0.00"},
		{1000, "JPY", "1000"}, {1234, "KWD", "1.234"}, {-250, "USD", "-2.50"},
	}
	for _, c := range cases {
		if got := Format(c.a, c.cur); got != c.want {
			t.Errorf("Format(%d, %s) = %q, want %q", c.a, c.cur, got, c.want)
		}
	}
}

func TestParseCurrency_RefusesUnknownCodes(t *testing.T) {
	for _, s := range []string{"", "sgd", "XXXX", "ABC", "12"} {
		if _, err := ParseCurrency(s); err == nil {
			t.Errorf("ParseCurrency(%q) succeeded, want an error", s)
		}
	}
	if _, err := ParseCurrency("SGD"); err != nil {
		t.Fatal(err)
	}
}

func TestAdd_DetectsOverflow(t *testing.T) {
	if _, err := Add(1<<62, 1<<62); err != ErrOverflow {
		t.Fatalf("want ErrOverflow, got %v", err)
	}
	if s, err := Add(2, 3); err != nil || s != 5 {
		t.Fatalf("Add(2,3) = %d, %v", s, err)
	}
}

// FuzzParse checks that whatever Parse accepts is positive, bounded and formats back to a string
// that parses to the same amount (no rounding anywhere).
func FuzzParse(f *testing.F) {
	for _, s := range []string{"1234.50", "0.01", "12", "1e3", "-1", "12.345", "", "1000000000000", "007.10", "1.", ".1"} {
		f.Add(s, "SGD")
	}
	f.Add("1000", "JPY")
	f.Add("1.234", "KWD")
	f.Fuzz(func(t *testing.T, s, code string) {
		c, err := ParseCurrency(code)
		if err != nil {
			return
		}
		a, err := Parse(s, c)
		if err != nil {
			return
		}
		if a <= 0 || a > MaxAmount {
			t.Fatalf("Parse(%q) = %d, outside (0, MaxAmount]", s, a)
		}
		back, err := Parse(Format(a, c), c)
		if err != nil || back != a {
			t.Fatalf("round trip of %q: %d -> %q -> %d, %v", s, a, Format(a, c), back, err)
		}
	})
}

func TestUngroup(t *testing.T) {
	for in, want := range map[string]string{
		"12,500.00":   "12500.00",
		"1,234,567.8": "1234567.8",
		"1,000":       "1000",
		"12500.00":    "12500.00",
		"12,50":       "12,50",     // a decimal comma is not guessed at: Parse refuses it
		"1,2345.00":   "1,2345.00", // not groups of three
		",100":        ",100",
		"12,500.001":  "12500.001", // over-precision stays for Parse to refuse
		"-1,000.00":   "-1,000.00",
		"1 000.00":    "1 000.00",
	} {
		if got := Ungroup(in); got != want {
			t.Errorf("Ungroup(%q) = %q, want %q", in, got, want)
		}
	}
	if _, err := Parse(Ungroup("12,500.001"), "SGD"); err == nil {
		t.Error("over-precision accepted once ungrouped")
	}
}

// FuzzUngroup: ungrouping only ever takes commas out of an amount that is all digits in groups
// of three, and what it gives Parse is taken or refused, never misread.
func FuzzUngroup(f *testing.F) {
	for _, s := range []string{"12,500.00", "1,000", "12,50", "1,2345.00", "", "-1,000.00", "9,223,372,036,854,775.807", "1,,000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		u := Ungroup(s)
		if u != s && (strings.ReplaceAll(s, ",", "") != u || strings.ContainsAny(u, ",-+ ")) {
			t.Fatalf("Ungroup(%q) = %q", s, u)
		}
		if a, err := Parse(u, "SGD"); err == nil && Format(a, "SGD") != strings.TrimLeft(u, "0") && !strings.HasPrefix(u, "0") {
			// A taken amount reads back as the digits keyed (leading zeros aside).
			if Format(a, "SGD") != u && Format(a, "SGD") != u+".00" && Format(a, "SGD") != u+"0" {
				t.Fatalf("Parse(Ungroup(%q)) = %s", s, Format(a, "SGD"))
			}
		}
	})
}
