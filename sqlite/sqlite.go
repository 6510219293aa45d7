// Package sqlite opens finapp's books in one embedded SQLite file (modernc.org/sqlite, no cgo).
//
// Writers are serialised: one write connection, BEGIN IMMEDIATE, WAL and synchronous=FULL, so a
// committed transaction is durable and no two writers ever interleave; readers use a separate pool
// and see consistent snapshots. The loads and saves themselves are shared with PostgreSQL in
// package sqlstore.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"finapp/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Dialect is SQLite's SQL dialect and error classification.
var Dialect = sqlstore.Dialect{
	Name:        "sqlite",
	ILike:       "LIKE", // case-insensitive for ASCII
	LikePattern: "(? || '')",
	// One writer and one fsync per commit: batching concurrent writes is what lifts the ceiling.
	GroupCommit:           true,
	PrepareInBatch:        true,
	IndexesInvoiceNumbers: true,
	// Bounded steps (64 leaf pages each) of the two trigram indexes' merging, two segments of a
	// level at a time (their usermerge, migration 00029).
	SearchUpkeep: []string{
		`INSERT INTO organization_name_search (organization_name_search, rank) VALUES ('merge', 64)`,
		`INSERT INTO invoice_number_search (invoice_number_search, rank) VALUES ('merge', 64)`,
	},
	IsUniqueViolation: func(err error) bool {
		var e *sqlite.Error
		return errors.As(err, &e) && (e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
	},
	IsUnavailable: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		switch e.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN:
			return true
		}
		return false
	},
}

// Open opens (creating if needed) the database file at path and migrates it to the latest schema.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite path %q may not contain ? or #", path)
	}
	// temp_store=MEMORY keeps SQLite's statement and savepoint journals in memory: group commit
	// runs every job in a SAVEPOINT, and with the default (a temporary file) each changed page
	// was first written to that file (15 % of the server's CPU under the record benchmark).
	// The journals hold only what one transaction changed; durability rests on the WAL.
	dsn := func(extra string) string {
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)", "temp_store(MEMORY)"} {
			q.Add("_pragma", p)
		}
		return "file:" + path + "?" + q.Encode() + extra
	}
	write, err := sql.Open("sqlite", dsn(fmt.Sprintf("&_txlock=immediate&_pragma=wal_autocheckpoint(%d)", backstopPages)))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	if err := migrate(ctx, write); err != nil {
		write.Close()
		return nil, fmt.Errorf("migrating %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		write.Close()
		return nil, err
	}
	// Every read connection stays open once opened. database/sql keeps two idle by default and
	// closes the others as they come back, so that under more than two concurrent reads most
	// reads opened a connection of their own: the pragmas, the whole schema parsed again, FTS5's
	// tables connected again, an empty page cache and none of the statements kept prepared
	// (readStatements).
	reads := max(4, runtime.NumCPU()*2)
	read.SetMaxOpenConns(reads)
	read.SetMaxIdleConns(reads)
	ckpt, err := sql.Open("sqlite", dsn(""))
	if err != nil {
		write.Close()
		read.Close()
		return nil, err
	}
	db := sqlstore.New(Dialect, write, read)
	db.OnClose(startCheckpointer(ckpt).close)
	return db, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return err
	}
	return sqlstore.Migrate(ctx, provider)
}
