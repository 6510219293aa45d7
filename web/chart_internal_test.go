package web

import (
	"math/big"
	"strings"
	"testing"

	"finapp/money"
)

// The y axis: round steps of 1, 2 or 5 times a power of ten whole units, at most five of them,
// reaching the largest bar; exact for totals beyond an int64.
func TestNiceStep(t *testing.T) {
	huge, _ := new(big.Int).SetString("123456789012345678901234", 10)
	for _, c := range []struct {
		top   *big.Int
		cur   money.Currency
		ticks string
	}{
		{big.NewInt(123450), "SGD", "0 500 1,000 1,500"}, // 1,234.50 SGD
		{big.NewInt(1), "SGD", "0 1"},                    // 0.01 SGD: one whole unit
		{big.NewInt(100000), "SGD", "0 200 400 600 800 1,000"},
		{big.NewInt(4999), "JPY", "0 1,000 2,000 3,000 4,000 5,000"},
		{big.NewInt(5001), "JPY", "0 2,000 4,000 6,000"},
		{huge, "SGD", "0 500,000,000,000,000,000,000 1,000,000,000,000,000,000,000 1,500,000,000,000,000,000,000"},
	} {
		step, steps := niceStep(c.top, c.cur)
		var ticks []string
		for i := 0; i <= steps; i++ {
			v := new(big.Int).Mul(step, big.NewInt(int64(i)))
			ticks = append(ticks, groupDigits(v.Quo(v, pow10(c.cur.Digits())).String()))
		}
		if got := strings.Join(ticks, " "); got != c.ticks {
			t.Errorf("axis for %s %s: %s, want %s", c.top, c.cur, got, c.ticks)
		}
	}
}
