package sqlstore

import (
	"context"
	"database/sql"
	"maps"
	"sync/atomic"
)

// Every SQLite write that appends audit or outbox events first read the workspace's audit chain
// head (the last event's hash and position) and its last outbox sequence: two queries per write
// on the one writer. The writer is the only one that appends, so headCache remembers both per
// workspace as its own jobs leave them, and the queries run only when it does not know.
//
// What a job sets stays provisional until the job ends well (a job rolled back to its savepoint
// leaves nothing behind), and what the batch's jobs set until the batch commits. A batch that
// fails to commit forgets everything: its state is not known. Another process may write to the
// same file (a `finapp import` beside `finapp serve`): each batch reads PRAGMA data_version
// inside its transaction, when no one else can write, and a change since the last batch means
// someone did, so everything is forgotten and read again.
type headCache struct {
	committed map[string]heads // as the last committed batch left them
	batch     map[string]heads // set by this batch's finished jobs
	job       map[string]heads // set by the running job
	version   int64            // PRAGMA data_version at the last batch's start; 0 before any
	reads     atomic.Uint64    // queries for a head, for tests
}

// heads is what the writer knows of one workspace's audit chain head and outbox sequence.
type heads struct {
	auditHash  string
	auditNo    int64
	auditKnown bool
	eventSeq   int64
	eventKnown bool
}

func newHeadCache() *headCache {
	return &headCache{committed: map[string]heads{}, batch: map[string]heads{}, job: map[string]heads{}}
}

// startBatch is called inside a batch's transaction, before its first job. Like the other
// methods it does nothing on a nil cache (where a sealer numbers events).
func (c *headCache) startBatch(ctx context.Context, tx *sql.Tx) {
	if c == nil {
		return
	}
	clear(c.batch)
	clear(c.job)
	var v int64
	if err := tx.QueryRowContext(ctx, "PRAGMA data_version").Scan(&v); err != nil || v != c.version {
		clear(c.committed)
		c.version = v
	}
}

// endJob ends the running job: what it set counts for the batch if it ended well.
func (c *headCache) endJob(ok bool) {
	if c == nil {
		return
	}
	if ok {
		maps.Copy(c.batch, c.job)
	}
	clear(c.job)
}

// endBatch ends the batch: what its jobs set is committed if it committed, else everything is
// forgotten.
func (c *headCache) endBatch(committed bool) {
	if c == nil {
		return
	}
	if committed {
		maps.Copy(c.committed, c.batch)
	} else {
		clear(c.committed)
	}
	clear(c.batch)
	clear(c.job)
}

// get is what the running job sees for ws (nothing known on a nil cache).
func (c *headCache) get(ws string) heads {
	if c == nil {
		return heads{}
	}
	if h, ok := c.job[ws]; ok {
		return h
	}
	if h, ok := c.batch[ws]; ok {
		return h
	}
	return c.committed[ws]
}

// set records what the running job leaves for ws.
func (c *headCache) set(ws string, h heads) {
	if c != nil {
		c.job[ws] = h
	}
}
