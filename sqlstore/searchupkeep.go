package sqlstore

import (
	"context"
	"database/sql"
	"sync/atomic"
	"time"
)

// Keeping the search indexes merged (SQLite). An FTS5 index is a set of segments: every write
// transaction that adds to it leaves one more, FTS5 merges them four at a time as they pile up,
// and a lookup seeks each of its trigrams in every segment. Organizations and invoices created
// one request at a time leave an index of ten segments or more, and a search over it costs about
// twice what it costs over a few (docs/benchmarks.md, run V).
//
// So the writer, once it has had nothing to do for upkeepIdle after a commit, merges: one bounded
// step of each index (Dialect.SearchUpkeep), in a transaction of its own, then waits to be idle
// again, until a step merges nothing. A write that arrives meanwhile waits for one step at most.
// Under a steady stream of writes the writer is never idle and FTS5 merges as it always did.
// Merging changes only how FTS5 stores its lists, never what a search finds.

// upkeepIdle is how long the writer waits for a job before a step of upkeep.
const upkeepIdle = 200 * time.Millisecond

// searchUpkeep is the writer's upkeep of the search indexes; nil where the dialect has none.
type searchUpkeep struct {
	steps []string
	idle  atomic.Int64 // upkeepIdle, unless a test set it (searchupkeep_export_test.go)
	due   bool         // a batch committed since the last step that merged nothing
	timer *time.Timer
}

func newSearchUpkeep(steps []string) *searchUpkeep {
	if len(steps) == 0 {
		return nil
	}
	t := time.NewTimer(time.Hour)
	t.Stop()
	u := &searchUpkeep{steps: steps, timer: t}
	u.idle.Store(int64(upkeepIdle))
	return u
}

// committed notes that a batch committed: the indexes may have a new segment.
func (u *searchUpkeep) committed() {
	if u != nil {
		u.due = true
	}
}

// next waits for the writer's next job; while none comes and upkeep is due, it runs a step
// each time the writer has been idle for upkeepIdle.
func (u *searchUpkeep) next(jobs <-chan *job, write *sql.DB) (*job, bool) {
	for u != nil && u.due {
		u.timer.Reset(time.Duration(u.idle.Load()))
		select {
		case j, ok := <-jobs:
			if !u.timer.Stop() {
				<-u.timer.C
			}
			return j, ok
		case <-u.timer.C:
			u.due = u.step(context.Background(), write)
		}
	}
	j, ok := <-jobs
	return j, ok
}

// step runs one merge step of every index in one transaction and reports whether any of them
// merged something. FTS5 counts a 'merge' that did nothing as one change, one that merged as
// one per page written. A failed step (a full disk) is given up until the next commit.
func (u *searchUpkeep) step(ctx context.Context, write *sql.DB) (merged bool) {
	tx, err := write.BeginTx(ctx, nil)
	if err != nil {
		return false
	}
	defer func() { _ = tx.Rollback() }()
	for _, s := range u.steps {
		var before, after int64
		if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&before); err != nil {
			return false
		}
		if _, err := tx.ExecContext(ctx, s); err != nil {
			return false
		}
		if err := tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&after); err != nil {
			return false
		}
		merged = merged || after-before > 1
	}
	return tx.Commit() == nil && merged
}
