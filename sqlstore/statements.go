package sqlstore

import (
	"context"
	"database/sql"
)

// batchStatements prepares each query once per group-commit batch and reuses it for every job of
// the batch. Without it every statement was parsed anew on every use, and SQLite's parser took a
// fifth of the committer's CPU (docs/benchmarks.md). The statements are the transaction's own,
// so they end with it; a cache that outlived the batch would need the write connection, which
// the batch holds.
type batchStatements struct {
	tx      *sql.Tx
	byQuery map[string]*sql.Stmt // only the committer goroutine touches it
}

// maxBatchStatements bounds one batch's cache; past it, queries run unprepared as before.
const maxBatchStatements = 256

// prepared returns query prepared in tx's batch, or nil outside group commit or when the query
// cannot be prepared (the caller then runs it directly, which reports the error).
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	b := tx.stmts
	if b == nil {
		return nil
	}
	if st, ok := b.byQuery[query]; ok {
		return st
	}
	if len(b.byQuery) >= maxBatchStatements {
		return nil
	}
	st, err := b.tx.PrepareContext(ctx, tx.db.q(query))
	if err != nil {
		return nil
	}
	b.byQuery[query] = st
	return st
}
