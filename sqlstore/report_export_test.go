package sqlstore

import "context"

// The report queries, for the test that checks which indexes SQLite reads them from.
var (
	AgingOpenNow      = agingOpenNow
	AgingChangedSince = agingChangedSince[false] // SQLite's form
)

// SplitAmount is the split every money sum makes (sums.go), of one value, on db's engine.
func SplitAmount(ctx context.Context, db *DB, x int64) (hi, lo int64, err error) {
	err = db.read.QueryRowContext(ctx, db.q(`SELECT CAST(? AS BIGINT) / 4294967296, CAST(? AS BIGINT) % 4294967296`), x, x).Scan(&hi, &lo)
	return hi, lo, err
}
