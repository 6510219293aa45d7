// Package postgres opens finapp's books in PostgreSQL 15+ through a pgx connection pool.
//
// Concurrency is correct by design: transactions run at READ COMMITTED and every write use case
// locks the rows it decides on (SELECT … FOR UPDATE) in one fixed order — its payment, then its
// invoices by id — so two requests on the same money wait for each other instead of both
// deciding on a stale read. Serialization failures and deadlock victims (which the fixed order
// should prevent) are re-run automatically. The loads and saves are shared with SQLite in
// package sqlstore.
//
// Each write request is its own transaction on its own pooled connection, many at once;
// PostgreSQL batches their WAL flushes. Nothing every writer of a workspace waits for is left:
// audit events are written unlinked and outbox events unnumbered, and a sealer links and numbers
// them after commit (sqlstore/seal.go, docs/security.md), one sealer per workspace at a time
// by an advisory lock that only sealers take. Several server processes on one database stay
// correct: they take the same row locks, and their sealers take turns.
package postgres

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"finapp/sqlstore"
)

//go:embed migrations/*.sql
var migrations embed.FS

// SQLSTATE codes the store acts on.
const (
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	uniqueViolation      = "23505"
)

// Dialect is PostgreSQL's SQL dialect and error classification.
var Dialect = sqlstore.Dialect{
	Name:           "postgres",
	NumberedParams: true,
	ILike:          "ILIKE",
	RowLocks:       true,
	SealApart:      true,
	WritableCTE:    true,
	ArrayParams:    true,
	TrySealLock:    `SELECT pg_try_advisory_xact_lock(hashtextextended('finapp.seal:' || ?, 0))`,
	LockKey:        `SELECT pg_advisory_xact_lock(hashtextextended(?, 0))`,
	Retryable: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && (e.Code == serializationFailure || e.Code == deadlockDetected)
	},
	IsUniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == uniqueViolation
	},
	IsUnavailable: isUnavailable,
	// A COMMIT the server answered with an error was rolled back; one whose answer never came
	// (the connection broke after it was sent) may have committed.
	CommitOutcomeUnknown: func(err error) bool {
		var e *pgconn.PgError
		return !errors.As(err, &e) && !errors.Is(err, sql.ErrTxDone)
	},
}

// isUnavailable: the connection failed or the server is going away or out of resources; the
// transaction did not commit, so the client may retry.
func isUnavailable(err error) bool {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code[:2] {
		case "08", "53", "57": // connection exception, insufficient resources, operator intervention
			return true
		}
		return pe.Code == "25006" // read-only transaction (a standby)
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	return errors.As(err, &ce) || errors.As(err, &ne) || pgconn.SafeToRetry(err) || pgconn.Timeout(err) ||
		// A connection that dropped mid-conversation: the server went away or the network cut.
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.EPIPE)
}

// Open connects to the database a postgres:// URL names and migrates it to the latest schema.
// The URL takes pgx's parameters: sslmode (TLS), pool_max_conns (pool size, default 4 × cores),
// pool_min_conns, and any server setting such as statement_timeout=5000 (milliseconds) or
// search_path.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres URL: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := migrate(ctx, db); err != nil {
		db.Close()
		pool.Close()
		return nil, fmt.Errorf("migrating: %w", err)
	}
	store := sqlstore.New(Dialect, db, db)
	store.OnClose(pool.Close)
	return store, nil
}

func migrate(ctx context.Context, db *sql.DB) error {
	provider, err := goose.NewProvider(goose.DialectPostgres, db, sub(migrations))
	if err != nil {
		return err
	}
	return sqlstore.Migrate(ctx, provider)
}

func sub(f fs.FS) fs.FS {
	s, err := fs.Sub(f, "migrations")
	if err != nil {
		panic(err)
	}
	return s
}
