package sqlstore_test

import (
	"context"
	"math"
	"testing"

	"finapp/money"
	"finapp/sqlstore"
)

// Every money sum in SQL adds amounts in two parts (sums.go); that is exact only if both engines
// split a value the same way, negative ones included: x = (x / 2^32)·2^32 + x % 2^32.
func TestSums_BothEnginesSplitAmountsExactly(t *testing.T) {
	values := []int64{0, 1, -1, 4294967295, 4294967296, 4294967297, -4294967295, -4294967296, -4294967297,
		int64(money.MaxAmount), -int64(money.MaxAmount), int64(money.MaxAmount) - 1, -int64(money.MaxAmount) + 1,
		123456789012345, -123456789012345, math.MaxInt64, math.MinInt64 + 1}
	for _, engine := range reportEngines {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.open(t)
			for _, x := range values {
				hi, lo, err := sqlstore.SplitAmount(context.Background(), db, x)
				if err != nil {
					t.Fatalf("splitting %d: %v", x, err)
				}
				if got := money.SumParts(hi, lo); got != money.SumOf(money.Amount(x)) {
					t.Errorf("%d splits into %d·2^32 + %d = %s", x, hi, lo, got)
				}
				if lo <= -4294967296 || lo >= 4294967296 || (lo != 0 && (lo < 0) != (x < 0)) {
					t.Errorf("%d: low part %d is not below 2^32 with the sign of the amount", x, lo)
				}
			}
		})
	}
}
