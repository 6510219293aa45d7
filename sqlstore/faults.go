package sqlstore

import (
	"context"
	"fmt"
	"strconv"
)

// writePragmas are the SQLite settings SetWritePragma may change: the two that make the file
// behave as a full or a read-only disk would, and two of memory that a bulk import tunes.
// Anything else is refused, so that the hook cannot turn off what durability rests on
// (synchronous, journal_mode, foreign_keys).
var writePragmas = map[string]bool{
	// max_page_count caps the file at that many pages (a value below the current size caps it at
	// its current size): writes that need a new page fail with SQLITE_FULL — SQLite's documented
	// way to emulate a full disk.
	"max_page_count": true,
	// query_only = 1 refuses every write with SQLITE_READONLY, as a file on a read-only disk.
	"query_only": true,
	// cache_size (negative: KiB) sizes the write connection's page cache. `finapp import` asks
	// for 64 MiB: its chunks of 5,000 payments otherwise re-read the index pages they just
	// evicted (1M payments 81.9 s → 70.4 s). The server keeps SQLite's 2 MiB: with 64 MiB its
	// resident memory under the record load rose from 40 MB to 180 MB (docs/benchmarks.md).
	"cache_size": true,
	// temp_store = 1 (FILE) puts the statement journal in a temporary file rather than in
	// memory. A multi-row INSERT into a table with foreign keys journals every page it touches
	// (the keys are checked once the statement ends, which may have to undo it); in memory that
	// is malloc and free in the pure-Go SQLite, and `finapp import` spent a quarter of its time
	// there (docs/benchmarks.md, runs L and Q). Its chunks now run as bulk jobs, which keep no
	// such journal (groupCommitter.commitBulk), and in memory measured the same since (run R);
	// the import keeps FILE for what journal is left. The OS page cache holds the file; nothing
	// is synced, and nothing durable depends on it.
	"temp_store": true,
}

// SetWritePragma sets one of SQLite's per-connection settings, max_page_count, query_only,
// cache_size or temp_store, on the write connection; reads are untouched. It is an operations and test hook: the drills of
// docs/operations.md use it to make the database full or read-only while the server runs, and
// then writable again, without a restart. While it holds, writes answer EUnavailable (a 503
// with Retry-After at the API) and nothing is written.
//
// It runs between write transactions, not as one of them: the write pool has one connection, so
// the statement waits for the batch in progress and then applies to the connection every later
// write uses. (As a job it could not undo query_only, which refuses BEGIN IMMEDIATE itself.) The
// setting lasts as long as that connection; one the pool replaces starts from Open's settings.
// PostgreSQL writes through a pool of connections and has no such settings: it is refused there.
func (db *DB) SetWritePragma(ctx context.Context, name string, value int64) error {
	if db.dialect.Name != "sqlite" {
		return fmt.Errorf("SetWritePragma: %s has no per-connection write settings", db.dialect.Name)
	}
	if !writePragmas[name] {
		return fmt.Errorf("SetWritePragma: %q is not max_page_count, query_only, cache_size or temp_store", name)
	}
	// Both the name (from the list above) and the number are safe to put in the statement text;
	// PRAGMA takes no bound parameters.
	_, err := db.write.ExecContext(ctx, "PRAGMA "+name+" = "+strconv.FormatInt(value, 10))
	return err
}
