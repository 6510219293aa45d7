package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// The WAL is copied back into the database file by a checkpointer of its own, on its own
// connection, so that the copy runs on another core while the one write connection goes on
// writing. Left to SQLite, the checkpoint runs inside the commit of whichever transaction
// crossed the threshold: that commit (an API request, or an import chunk) waits for every page
// to be copied and synced, and nothing else can be written meanwhile.
//
// The writer keeps an automatic checkpoint as a backstop, at a higher threshold: a passive
// checkpoint never waits for the writer, and SQLite starts the WAL over only when a write
// transaction begins with all of it copied, which a writer that never pauses never gives it.
// When the WAL reaches backstopPages, the writer checkpoints what is left itself (the frames of
// its last transactions, which the checkpointer had no time to copy) and the next transaction
// starts the WAL over. A lower backstop has the writer do that copying more often, in the
// commit path again (docs/benchmarks.md, run Q).
const (
	checkpointEvery = 50 * time.Millisecond
	backstopPages   = 40000
)

// checkpointer runs PRAGMA wal_checkpoint(PASSIVE) every checkpointEvery until closed.
type checkpointer struct {
	db   *sql.DB
	stop chan struct{}
	done sync.WaitGroup
}

func startCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	c := &checkpointer{db: db, stop: make(chan struct{})}
	c.done.Add(1)
	go c.run()
	return c
}

func (c *checkpointer) run() {
	defer c.done.Done()
	tick := time.NewTicker(checkpointEvery)
	defer tick.Stop()
	for {
		select {
		case <-c.stop:
			return
		case <-tick.C:
		}
		// Errors (busy, a full disk) are left for the next tick and for the writer's backstop:
		// a checkpoint is housekeeping, and every committed transaction is already in the WAL.
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		_, _ = c.db.ExecContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)")
		cancel()
	}
}

// close stops the loop and closes its connection. It may be called more than once.
func (c *checkpointer) close() {
	select {
	case <-c.stop:
	default:
		close(c.stop)
	}
	c.done.Wait()
	c.db.Close()
}
