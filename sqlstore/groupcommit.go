package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
	"time"

	"finapp"
)

// maxBatch bounds how many write transactions one group commit carries.
const maxBatch = 256

// groupCommitter turns concurrent write transactions into few durable commits: one
// goroutine owns the writes; each Store.Update becomes a job; the jobs that are waiting when a
// batch starts run one after another inside one database transaction, each inside its own
// SAVEPOINT, so each job is still all or nothing; the batch commits once (one fsync) and only
// then is each job's caller answered. A job's failure rolls back to its savepoint and touches no
// other job; a failed commit fails every job of the batch, none of which was acknowledged.
//
// Jobs run one at a time, in arrival order, against what the jobs before them wrote: the same
// serial order as one transaction per request, so every rule sees exactly what it would see
// without batching.
type groupCommitter struct {
	db      *DB
	jobs    chan *job
	mu      sync.RWMutex // held for reading while sending, for writing while closing
	closed  bool
	stopped chan struct{}
	stmts   *connStatements // SQLite: statements kept prepared on the write connection
	// bulkMode: the write connection may be set for bulk jobs (setBulkMode), as after one
	bulkMode bool
	// heads: the audit chain heads and outbox sequences the writer's own jobs left (heads.go);
	// nil where a sealer numbers events after commit
	heads *headCache
	// upkeep: the search indexes' merging while idle (searchupkeep.go); nil if none
	upkeep *searchUpkeep
}

type job struct {
	ctx  context.Context
	ws   string
	fn   func(finapp.Tx) error
	bulk bool // UpdateBulk: a batch of its own (commitBulk)
	done chan error
}

func newGroupCommitter(db *DB) *groupCommitter {
	g := &groupCommitter{db: db, jobs: make(chan *job, maxBatch), stopped: make(chan struct{})}
	if db.dialect.PrepareInBatch {
		g.stmts = newConnStatements(db.write, db.q, &db.stats)
	}
	if !db.dialect.SealApart {
		g.heads = newHeadCache()
	}
	g.upkeep = newSearchUpkeep(db.dialect.SearchUpkeep)
	go g.run()
	return g
}

// update submits fn and waits for its batch to be durable. It always waits for the outcome, even
// if ctx ends meanwhile: a caller must never be told "failed" about a change that committed.
// A bulk job (UpdateBulk) runs as a batch of its own (commitBulk).
func (g *groupCommitter) update(ctx context.Context, ws string, fn func(finapp.Tx) error, bulk bool) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		if err = g.submit(ctx, &job{ctx: ctx, ws: ws, fn: fn, bulk: bulk}); err == nil || !g.db.retryable(err) {
			break
		}
		g.db.stats.retries.Add(1)
		// A serialization failure or deadlock (PostgreSQL, against another server process), or a
		// dead pooled connection found at BEGIN: nothing of the job was written; run it again.
		select {
		case <-ctx.Done():
			return g.db.classify(ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		}
	}
	return g.db.classify(err)
}

// submit runs j as one job of a batch and returns its unclassified outcome.
func (g *groupCommitter) submit(ctx context.Context, j *job) error {
	j.done = make(chan error, 1)
	g.mu.RLock()
	if g.closed {
		g.mu.RUnlock()
		return finapp.Errorf(finapp.EUnavailable, "the database is closing")
	}
	g.jobs <- j
	g.mu.RUnlock()
	return <-j.done
}

func (g *groupCommitter) close() {
	g.mu.Lock()
	if !g.closed {
		g.closed = true
		close(g.jobs)
	}
	g.mu.Unlock()
	<-g.stopped
}

func (g *groupCommitter) run() {
	defer close(g.stopped)
	defer g.stmts.close()
	var held *job // a bulk job that arrived while a batch was gathered: the next batch
	for {
		first := held
		held = nil
		if first == nil {
			j, ok := g.upkeep.next(g.jobs, g.db.write)
			if !ok {
				return
			}
			first = j
		}
		batch := []*job{first}
	more:
		for !first.bulk && len(batch) < maxBatch {
			select {
			case j, ok := <-g.jobs:
				if !ok {
					break more
				}
				if j.bulk {
					held = j
					break more
				}
				batch = append(batch, j)
			default:
				break more
			}
		}
		if first.bulk {
			g.commitBulk(first)
		} else {
			g.commit(batch)
		}
		g.stmts.prepareWanted(context.Background())
	}
}

// commit runs one batch. The batch's own context is not any caller's: a caller that hangs up
// must not interrupt a statement, which in SQLite could roll back the whole batch.
func (g *groupCommitter) commit(batch []*job) {
	ctx := context.Background()
	results := make([]error, len(batch))
	answer := func() {
		for i, j := range batch {
			j.done <- results[i]
		}
	}
	err := g.setBulkMode(ctx, false)
	var sqlTx *sql.Tx
	if err == nil {
		sqlTx, err = g.db.write.BeginTx(ctx, nil)
	}
	if err != nil {
		for i := range results {
			results[i] = beginError{err}
		}
		answer()
		return
	}
	g.heads.startBatch(ctx, sqlTx)
	var stmts *batchStatements
	if g.db.dialect.PrepareInBatch {
		stmts = &batchStatements{tx: sqlTx, conn: g.stmts, byQuery: map[string]*sql.Stmt{}}
	}
	if len(batch) == 1 {
		// A batch of one needs no savepoint: the transaction is the job's own. That spares
		// a large job (an import chunk) SQLite's savepoint journal of every page it changes.
		g.commitOne(ctx, sqlTx, stmts, batch[0], false, results)
		answer()
		return
	}
	for i, j := range batch {
		if err := j.ctx.Err(); err != nil {
			results[i] = err // given up before it ran: nothing written
			continue
		}
		if _, err := sqlTx.ExecContext(ctx, "SAVEPOINT job"); err != nil {
			results[i] = err
			continue
		}
		results[i] = runJob(&Tx{db: g.db, tx: sqlTx, stmts: stmts, ws: j.ws, write: true, fixed: ctx, heads: g.heads}, j.fn)
		var err error
		if results[i] != nil {
			_, err = sqlTx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT job")
		}
		if err == nil {
			_, err = sqlTx.ExecContext(ctx, "RELEASE SAVEPOINT job")
		}
		g.heads.endJob(results[i] == nil && err == nil)
		if err != nil {
			g.heads.endBatch(false)
			// The batch's state is unknown — SQLite rolls back the whole transaction on some
			// errors (disk full, I/O), taking the savepoint with it: give it all up; nobody was
			// acknowledged yet. The failing job keeps its own error (a full disk is a 503, not a
			// 500); refusals stand (they wrote nothing); every other job wrote nothing either
			// now, so it is run again in a later batch.
			_ = sqlTx.Rollback()
			for k := range results {
				switch {
				case k == i && results[k] != nil:
					results[k] = fmt.Errorf("%w (and its savepoint could not be ended: %v)", results[k], err)
				case k > i || results[k] == nil:
					results[k] = batchAbandoned{err}
				}
			}
			answer()
			return
		}
	}
	written := 0
	for _, r := range results {
		if r == nil {
			written++
		}
	}
	start := time.Now()
	err = sqlTx.Commit()
	g.db.stats.committed(written, time.Since(start), err)
	g.heads.endBatch(err == nil)
	if err == nil {
		g.upkeep.committed()
	}
	if err != nil {
		for i := range results {
			if results[i] == nil {
				results[i] = commitError{err}
			}
		}
	}
	answer()
}

// commitBulk runs a bulk job as a transaction of its own, on the write connection set for bulk
// jobs (setBulkMode): its foreign-key checks off, and its commits not synced.
//
// Why no checks: SQLite has to be able to undo one statement of a transaction when it breaks a
// foreign key or a constraint, so a multi-row INSERT first copies every page it is about to
// change into a statement journal (and looks up every row's parents). A bulk job's INSERTs are
// large, and that copying was much of `finapp import`'s time (docs/benchmarks.md). The job needs
// neither: its references were checked by the import and are to rows never deleted, and a failed
// statement fails the whole transaction, which rolls back, so its INSERTs say OR FAIL (stop at
// the failing row, keep the rows before it until the rollback) instead of undoing themselves.
//
// Why no sync: waiting for the disk at each commit left the writer idle for a tenth of an
// import. In WAL mode with synchronous=NORMAL a commit is atomic and the file stays whole; a
// power cut may only lose the last commits, whole. The WAL is synced by the checkpointer, and by
// the next ordinary commit, which syncs every frame before its own: an import's last chunk is an
// ordinary job (Store.UpdateBulk), so an import that says it is done is on disk, and one cut
// short is resumed from the last chunk that survived, as its progress is in the same commits.
func (g *groupCommitter) commitBulk(j *job) {
	ctx := context.Background()
	results := []error{nil}
	defer func() { j.done <- results[0] }()
	if err := g.setBulkMode(ctx, true); err != nil {
		results[0] = beginError{err}
		return
	}
	sqlTx, err := g.db.write.BeginTx(ctx, nil)
	if err != nil {
		results[0] = beginError{err}
		return
	}
	g.heads.startBatch(ctx, sqlTx)
	var stmts *batchStatements
	if g.db.dialect.PrepareInBatch {
		stmts = &batchStatements{tx: sqlTx, conn: g.stmts, byQuery: map[string]*sql.Stmt{}}
	}
	g.commitOne(ctx, sqlTx, stmts, j, true, results)
}

// setBulkMode sets the write connection for bulk jobs (foreign-key checks off, commits not
// synced) or for every other job (checks on, each commit synced: synchronous=FULL), between two
// transactions (SQLite ignores foreign_keys inside one). The committer is the connection's only
// writer, and the pool holds that one connection, so the setting holds for every job after. It
// changes only when needed: each change of foreign_keys makes SQLite prepare the connection's
// statements again, and an import's chunks follow one another with nothing between them.
func (g *groupCommitter) setBulkMode(ctx context.Context, bulk bool) error {
	if g.bulkMode == bulk {
		return nil
	}
	fk, sync := "ON", "FULL"
	if bulk {
		fk, sync = "OFF", "NORMAL"
	}
	// Believed in bulk mode from here on until it is known out of it: a failure below is
	// retried by the next job, never taken for checks and syncs that hold.
	g.bulkMode = true
	if _, err := g.db.write.ExecContext(ctx, "PRAGMA foreign_keys = "+fk); err != nil {
		return err
	}
	if _, err := g.db.write.ExecContext(ctx, "PRAGMA synchronous = "+sync); err != nil {
		return err
	}
	g.bulkMode = bulk
	return nil
}

// commitOne runs a batch's only job as the whole transaction.
func (g *groupCommitter) commitOne(ctx context.Context, sqlTx *sql.Tx, stmts *batchStatements, j *job, bulk bool, results []error) {
	if err := j.ctx.Err(); err != nil {
		_ = sqlTx.Rollback()
		results[0] = err // given up before it ran: nothing written
		return
	}
	err := runJob(&Tx{db: g.db, tx: sqlTx, stmts: stmts, ws: j.ws, write: true, bulk: bulk, fixed: ctx, heads: g.heads}, j.fn)
	g.heads.endJob(err == nil)
	if err != nil {
		// Rolled back whole: the batch (this job) changed nothing.
		g.heads.endBatch(sqlTx.Rollback() == nil)
		results[0] = err
		return
	}
	start := time.Now()
	err = sqlTx.Commit()
	g.db.stats.committed(1, time.Since(start), err)
	g.heads.endBatch(err == nil)
	if err != nil {
		results[0] = commitError{err}
		return
	}
	g.upkeep.committed()
}

// batchAbandoned is the outcome of a job whose batch was given up before its commit: nothing of
// it was written, so it may simply run again.
type batchAbandoned struct{ err error }

func (e batchAbandoned) Error() string { return "group commit: batch rolled back: " + e.err.Error() }
func (e batchAbandoned) Unwrap() error { return e.err }

// runJob runs one job's function, turning a panic into an error so that one bad request cannot
// take the committer (and every other request) down.
func runJob(tx *Tx, fn func(finapp.Tx) error) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("panic in write transaction: %v", v)
		}
	}()
	return fn(tx)
}
