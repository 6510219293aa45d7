package sqlstore

import (
	"context"
	"database/sql"
)

// batchStatements hands out the prepared statements of one group-commit batch. Without them
// every statement was parsed anew on every use, and SQLite's parser took a fifth of the
// committer's CPU (docs/benchmarks.md). A statement first met in a batch is prepared in that
// batch's transaction and its query remembered in the committer's connStatements, which prepares
// it on the write connection between batches; from then on every batch reuses that one parse,
// so a batch of one job (the usual case when requests do not overlap, and every import chunk) no
// longer parses its statements again.
type batchStatements struct {
	tx      *sql.Tx
	conn    *connStatements      // nil: only this batch's own statements
	byQuery map[string]*sql.Stmt // only the committer goroutine touches it
}

// maxBatchStatements bounds one batch's cache; past it, queries run unprepared as before.
const maxBatchStatements = 256

// prepared returns query prepared for tx's batch, or nil outside group commit or when the query
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
	var st *sql.Stmt
	if kept := b.conn.get(query); kept != nil {
		// Bound to the transaction, the statement kept on the write connection runs as is:
		// database/sql finds it already prepared on the transaction's connection.
		st = b.tx.StmtContext(ctx, kept)
	} else {
		var err error
		if st, err = b.tx.PrepareContext(ctx, tx.db.q(query)); err != nil {
			return nil
		}
		tx.db.stats.prepares.Add(1)
		b.conn.want(query)
	}
	b.byQuery[query] = st
	return st
}

// connStatements keeps statements prepared on the write connection across batches. It may only
// prepare while no batch holds that connection (the pool has one), so the queries a batch met
// for the first time wait in wanted until the committer calls prepareWanted between batches.
type connStatements struct {
	db      *sql.DB
	stats   *writeStats
	q       func(string) string
	byQuery map[string]*sql.Stmt // only the committer goroutine touches it
	wanted  []string
}

// maxConnStatements bounds the statements kept on the write connection: the queries of the
// use cases are a fixed set, but a query whose text carries a list (IN (?, ?, …)) differs by
// the list's length, and those past the bound are simply prepared per batch.
const maxConnStatements = 512

func newConnStatements(db *sql.DB, q func(string) string, stats *writeStats) *connStatements {
	return &connStatements{db: db, q: q, stats: stats, byQuery: map[string]*sql.Stmt{}}
}

func (c *connStatements) get(query string) *sql.Stmt {
	if c == nil {
		return nil
	}
	return c.byQuery[query]
}

func (c *connStatements) want(query string) {
	if c != nil && len(c.byQuery)+len(c.wanted) < maxConnStatements {
		c.wanted = append(c.wanted, query)
	}
}

// prepareWanted prepares on the (idle) write connection what the last batch asked for. A query
// that cannot be prepared is dropped: the batches prepare it themselves and report its error.
func (c *connStatements) prepareWanted(ctx context.Context) {
	if c == nil {
		return
	}
	for _, q := range c.wanted {
		if _, ok := c.byQuery[q]; ok {
			continue
		}
		if st, err := c.db.PrepareContext(ctx, c.q(q)); err == nil {
			c.byQuery[q] = st
			c.stats.prepares.Add(1)
		}
	}
	c.wanted = c.wanted[:0]
}

func (c *connStatements) close() {
	if c == nil {
		return
	}
	for _, st := range c.byQuery {
		st.Close()
	}
	clear(c.byQuery)
}
