// Package sqlite stores finapp's books in one embedded SQLite file (modernc.org/sqlite, no cgo).
//
// Writers are serialised: one write connection, BEGIN IMMEDIATE, WAL and synchronous=FULL, so a
// committed transaction is durable and no two writers ever interleave; readers use a separate pool
// and see consistent snapshots. The package holds no business rule: it loads and saves.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"time"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver

	"finapp"
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is an open finapp SQLite database.
type DB struct {
	path  string
	write *sql.DB // one connection: SQLite has one writer at a time anyway
	read  *sql.DB
}

// Open opens (creating if needed) the database file at path and migrates it to the latest schema.
func Open(ctx context.Context, path string) (*DB, error) {
	dsn := func(extra string) string {
		q := url.Values{}
		for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
			q.Add("_pragma", p)
		}
		q.Set("_time_format", "sqlite")
		return "file:" + path + "?" + q.Encode() + extra
	}
	write, err := sql.Open("sqlite", dsn("&_txlock=immediate"))
	if err != nil {
		return nil, err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)
	read, err := sql.Open("sqlite", dsn("&_pragma=query_only(1)"))
	if err != nil {
		write.Close()
		return nil, err
	}
	read.SetMaxOpenConns(max(4, runtime.NumCPU()*2))
	db := &DB{path: path, write: write, read: read}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrating %s: %w", path, err)
	}
	return db, nil
}

func (db *DB) migrate(ctx context.Context) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, db.write, mustSub(migrations, "migrations"))
	if err != nil {
		return err
	}
	_, err = provider.Up(ctx)
	return err
}

// Close closes both pools.
func (db *DB) Close() error {
	return errors.Join(db.read.Close(), db.write.Close())
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Update implements finapp.Store.
func (db *DB) Update(ctx context.Context, workspaceID string, fn func(finapp.Tx) error) error {
	return db.inTx(ctx, db.write, workspaceID, fn)
}

// View implements finapp.Store.
func (db *DB) View(ctx context.Context, workspaceID string, fn func(finapp.Tx) error) error {
	return db.inTx(ctx, db.read, workspaceID, fn)
}

func (db *DB) inTx(ctx context.Context, pool *sql.DB, workspaceID string, fn func(finapp.Tx) error) error {
	sqlTx, err := pool.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, ws: workspaceID}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// Tx is one transaction scoped to one workspace; it implements finapp.Tx.
type Tx struct {
	tx *sql.Tx
	ws string
}

// timestamps are stored as RFC 3339 text in UTC with nanoseconds, so they sort as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

func ts(t time.Time) string { return t.UTC().Format(timeLayout) }

func tsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return ts(*t)
}

func parseTS(s string) time.Time {
	t, _ := time.Parse(timeLayout, s)
	return t
}

func parseTSPtr(s sql.NullString) *time.Time {
	if !s.Valid {
		return nil
	}
	t := parseTS(s.String)
	return &t
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// notFound turns sql.ErrNoRows into ENotFound naming what was looked for.
func notFound(err error, what, id string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return finapp.Errorf(finapp.ENotFound, "%s %s not found", what, id)
	}
	return err
}
