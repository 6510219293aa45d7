package money

import "testing"

// Parse and Format run at every edge: once per amount in every request and every answer.

func BenchmarkParse(b *testing.B) {
	for _, c := range []struct {
		name, s string
		cur     Currency
	}{
		{"SGD", "1234.50", "SGD"},
		{"JPY", "125000", "JPY"},
		{"KWD", "12.345", "KWD"},
		{"SGD_max", "1000000000000.00", "SGD"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(c.s, c.cur); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParse_Refused(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Parse("12.345", "SGD"); err == nil {
			b.Fatal("three decimals of SGD were accepted")
		}
	}
}

func BenchmarkFormat(b *testing.B) {
	for _, c := range []struct {
		name string
		a    Amount
		cur  Currency
	}{
		{"SGD", 123450, "SGD"},
		{"JPY", 125000, "JPY"},
		{"negative", -123450, "SGD"},
		{"max", MaxAmount, "KWD"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = Format(c.a, c.cur)
			}
		})
	}
}
