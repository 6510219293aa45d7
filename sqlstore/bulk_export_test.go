package sqlstore

import "context"

// WriteSynchronous reads the write connection's synchronous setting (1 NORMAL, 2 FULL), between
// two transactions, so that a test can see which mode the last job left it in.
func (db *DB) WriteSynchronous(ctx context.Context) (int, error) {
	var n int
	err := db.write.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&n)
	return n, err
}
