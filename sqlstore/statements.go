package sqlstore

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// batchStatements hands out the prepared statements of one group-commit batch. Without them
// every statement was parsed anew on every use, and SQLite's parser was a large share of the
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

// prepared returns query prepared for tx's batch, or for a read transaction the read pool's kept
// statement; nil when there is none (yet) or the query cannot be prepared: the caller then runs
// it directly, which reports any error.
func (tx *Tx) prepared(ctx context.Context, query string) *sql.Stmt {
	b := tx.stmts
	if b == nil {
		if r := tx.db.reads; r != nil && !tx.write {
			if kept := r.get(query); kept != nil {
				return tx.tx.StmtContext(ctx, kept)
			}
			tx.db.stats.readsParsed.Add(1)
		}
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

// readStatements keeps the read pool's statements prepared (SQLite, whose parser was otherwise a
// large share of the server's CPU under the invoice search: docs/benchmarks.md). A read
// transaction asks for its query; one not kept yet runs unprepared this time and is handed to a
// goroutine that prepares it on the pool, which it may have to wait for: a transaction must not,
// since it already holds one of the pool's connections and all of them might be waiting so.
// Once kept, database/sql prepares the statement on each connection the first time that
// connection runs it, and reuses it after.
type readStatements struct {
	pool    *sql.DB
	q       func(string) string
	byQuery sync.Map // query → *sql.Stmt
	kept    atomic.Int32
	wanted  chan string
	stop    context.CancelFunc
	ctx     context.Context
	stopped chan struct{}
}

// maxReadStatements bounds the statements kept for reads; queries whose text carries a list of
// varying length are distinct texts, and those past the bound are simply parsed each time.
const maxReadStatements = 512

func newReadStatements(pool *sql.DB, q func(string) string) *readStatements {
	ctx, stop := context.WithCancel(context.Background())
	r := &readStatements{pool: pool, q: q, wanted: make(chan string, 64), ctx: ctx, stop: stop, stopped: make(chan struct{})}
	go r.run()
	return r
}

// get returns query kept prepared, or nil after asking for it to be.
func (r *readStatements) get(query string) *sql.Stmt {
	if st, ok := r.byQuery.Load(query); ok {
		return st.(*sql.Stmt)
	}
	if r.kept.Load() < maxReadStatements {
		select {
		case r.wanted <- query:
		default: // the preparer is busy: a later transaction will ask again
		}
	}
	return nil
}

func (r *readStatements) run() {
	defer close(r.stopped)
	for {
		select {
		case <-r.ctx.Done():
			return
		case q := <-r.wanted:
			if _, ok := r.byQuery.Load(q); ok || r.kept.Load() >= maxReadStatements {
				continue
			}
			if st, err := r.pool.PrepareContext(r.ctx, r.q(q)); err == nil {
				r.byQuery.Store(q, st)
				r.kept.Add(1)
			}
		}
	}
}

// close stops the preparer and closes what it kept; before the pool is closed.
func (r *readStatements) close() {
	r.stop()
	<-r.stopped
	r.byQuery.Range(func(_, st any) bool {
		st.(*sql.Stmt).Close()
		return true
	})
}
