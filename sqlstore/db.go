// Package sqlstore is finapp's storage over database/sql: the loads, saves and queries that the
// SQLite and PostgreSQL engines share. Engines differ only in a Dialect (placeholders, case-
// insensitive matching, row locks, which errors are retryable) and in how they open connections;
// the packages sqlite and postgres supply those. No business rule lives here: it loads and saves.
package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"finapp"
)

// Dialect is what differs between SQL engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// NumberedParams rewrites "?" placeholders to "$1", "$2", … (PostgreSQL).
	NumberedParams bool
	// ILike is the case-insensitive LIKE operator ("LIKE" in SQLite, "ILIKE" in PostgreSQL).
	ILike string
	// LikePattern is the placeholder of a LIKE pattern ("?" when empty). SQLite re-prepares a
	// statement whose LIKE pattern is a bare parameter each time the value bound to it changes
	// (its LIKE optimization plans for the value), so that a search parsed its SQL again on
	// every run; an expression, "(? || '')", is planned once.
	LikePattern string
	// RowLocks makes loads in a write transaction take row locks (SELECT … FOR UPDATE). SQLite
	// needs none: it runs one writer at a time.
	RowLocks bool
	// LockKey, if set, takes a lock on the text key given as its one argument, held until the
	// transaction ends (logins of one email or address take turns). SQLite needs none.
	LockKey string
	// Retryable reports whether a failed transaction may simply be run again (serialization
	// failure, deadlock victim).
	Retryable func(error) bool
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation func(error) bool
	// GroupCommit batches concurrent write transactions into one commit (see groupCommitter):
	// for an engine whose writers are serialised anyway and whose commit is one fsync (SQLite).
	GroupCommit bool
	// IsUnavailable reports whether err means the database cannot be reached or written just now
	// (connection lost, disk full, read-only): the client gets a retryable 503.
	IsUnavailable func(error) bool
	// CommitOutcomeUnknown reports whether a failed COMMIT may nevertheless have committed: the
	// connection broke after the COMMIT was sent and before the server answered (PostgreSQL over
	// a network). An engine whose failed COMMIT always rolls back (SQLite, a local file) leaves
	// it nil.
	CommitOutcomeUnknown func(error) bool
	// PrepareInBatch prepares each statement once per group-commit batch (batchStatements): for
	// a driver that would otherwise parse every statement on every use (SQLite). pgx keeps its
	// own statement cache, and preparing there would cost round trips instead of saving them.
	PrepareInBatch bool
	// WritableCTE: the engine runs INSERTs inside WITH (PostgreSQL), so that rows that refer to
	// rows inserted with them (journal lines to their entries) go in one statement, one round
	// trip.
	WritableCTE bool
	// SealApart writes audit and outbox events unlinked and unnumbered, and has a sealer link
	// and number them after commit (seal.go), so that writers of one workspace never wait for
	// each other's commits (PostgreSQL). Without it, a write links its own events.
	SealApart bool
	// TrySealLock, with SealApart, tries to take the workspace (its one argument) for one
	// sealer until the transaction ends, answering true or false.
	TrySealLock string
	// IndexesInvoiceNumbers: the store adds each new invoice to the engine's invoice number
	// search itself (SQLite's FTS5 tables; indexInvoiceNumbers). PostgreSQL's trigram index
	// follows the table by itself.
	IndexesInvoiceNumbers bool
	// ArrayParams: the engine takes a list as one parameter (PostgreSQL's arrays), so that a bulk
	// insert sends each column as one array and unnests it, rather than one parameter per value,
	// which the server parses and binds one by one.
	ArrayParams bool
	// SearchUpkeep, with GroupCommit, are the statements that merge one bounded step of each
	// search index, which the writer runs when it has nothing else to do (searchupkeep.go).
	SearchUpkeep []string
}

// DB is an open finapp database.
type DB struct {
	dialect Dialect
	write   *sql.DB // SQLite: one connection; PostgreSQL: the same pool as read
	read    *sql.DB
	queries sync.Map // query text → dialect-specific text
	onClose []func()
	group   *groupCommitter // nil unless the dialect asks for group commit
	reads   *readStatements // SQLite: the read pool's statements, kept prepared
	sealer  *sealer         // nil unless the dialect seals apart
	stats   writeStats
}

// OnClose adds fn to what Close does after closing the pools (e.g. closing a pgx pool).
func (db *DB) OnClose(fn func()) { db.onClose = append(db.onClose, fn) }

// New wraps open pools. write and read may be the same pool.
func New(d Dialect, write, read *sql.DB) *DB {
	db := &DB{dialect: d, write: write, read: read}
	if d.GroupCommit {
		db.group = newGroupCommitter(db)
	}
	if d.PrepareInBatch {
		db.reads = newReadStatements(read, db.q)
	}
	if d.SealApart {
		db.sealer = newSealer(db)
	}
	return db
}

// Dialect returns the engine's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Close closes the pools. It may be called more than once.
func (db *DB) Close() error {
	if db.sealer != nil {
		db.sealer.close()
	}
	if db.group != nil {
		db.group.close()
	}
	if db.reads != nil {
		db.reads.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	for _, fn := range db.onClose {
		fn()
	}
	return err
}

// Ping checks that the database answers (for /readyz).
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// q returns query in the dialect's form: "?" placeholders become "$n" for PostgreSQL.
func (db *DB) q(query string) string {
	if !db.dialect.NumberedParams {
		return query
	}
	if v, ok := db.queries.Load(query); ok {
		return v.(string)
	}
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	out := b.String()
	db.queries.Store(query, out)
	return out
}

// maxAttempts bounds the re-runs of a transaction that failed for a retryable reason.
const maxAttempts = 10

// Update implements finapp.Store.
func (db *DB) Update(ctx context.Context, workspaceID string, fn func(finapp.Tx) error) error {
	if db.group != nil {
		return db.group.update(ctx, workspaceID, fn, false)
	}
	return db.inTx(ctx, db.write, workspaceID, true, fn)
}

// UpdateBulk implements finapp.Store. Under group commit (SQLite) the job runs alone with the
// connection's foreign-key checks off and its INSERTs as OR FAIL (groupCommitter.commitBulk
// says why); elsewhere it is Update.
func (db *DB) UpdateBulk(ctx context.Context, workspaceID string, fn func(finapp.Tx) error) error {
	if db.group != nil {
		return db.group.update(ctx, workspaceID, fn, true)
	}
	return db.inTx(ctx, db.write, workspaceID, true, fn)
}

// View implements finapp.Store.
func (db *DB) View(ctx context.Context, workspaceID string, fn func(finapp.Tx) error) error {
	return db.inTx(ctx, db.read, workspaceID, false, fn)
}

func (db *DB) inTx(ctx context.Context, pool *sql.DB, workspaceID string, write bool, fn func(finapp.Tx) error) error {
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.tryTx(ctx, pool, workspaceID, write, fn)
		if err == nil || !db.retryable(err) {
			break
		}
		if write {
			db.stats.retries.Add(1)
		}
		// Serialization failure, deadlock victim, or a dead pooled connection found at BEGIN:
		// nothing was written; run it again after a short, growing pause.
		select {
		case <-ctx.Done():
			return db.classify(ctx.Err())
		case <-time.After(time.Duration(attempt*attempt) * time.Millisecond):
		}
	}
	return db.classify(err)
}

func (db *DB) tryTx(ctx context.Context, pool *sql.DB, workspaceID string, write bool, fn func(finapp.Tx) error) error {
	opts := &sql.TxOptions{ReadOnly: !write && db.dialect.RowLocks}
	sqlTx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return beginError{err}
	}
	tx := &Tx{db: db, tx: sqlTx, ws: workspaceID, write: write}
	done := false
	defer func() {
		if !done {
			// fn panicked: without this the connection stays in its transaction, holding its
			// locks, until the process ends (the panic goes on up to whoever recovers it).
			_ = sqlTx.Rollback()
		}
	}()
	err = fn(tx)
	done = true
	if err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	start := time.Now()
	err = sqlTx.Commit()
	if write {
		db.stats.committed(1, time.Since(start), err)
	}
	if err != nil {
		return commitError{err}
	}
	if tx.unsealed && db.sealer != nil {
		db.sealer.wrote(workspaceID)
	}
	return nil
}

// commitError is a failed COMMIT. Whether anything was written depends on why it failed (see
// Dialect.CommitOutcomeUnknown), so it is never re-run and never reported as "nothing written"
// unless the engine says so.
type commitError struct{ err error }

func (e commitError) Error() string { return "commit: " + e.err.Error() }
func (e commitError) Unwrap() error { return e.err }

// beginError is a failure to start a transaction: nothing of it reached the database.
type beginError struct{ err error }

func (e beginError) Error() string { return "begin: " + e.err.Error() }
func (e beginError) Unwrap() error { return e.err }

// retryable reports whether a failed transaction can simply run again.
func (db *DB) retryable(err error) bool {
	if db.outcomeUnknown(err) {
		return false
	}
	if db.dialect.Retryable != nil && db.dialect.Retryable(err) {
		return true
	}
	var b beginError
	var abandoned batchAbandoned
	return errors.As(err, &abandoned) ||
		errors.As(err, &b) && db.dialect.IsUnavailable != nil && db.dialect.IsUnavailable(err)
}

// outcomeUnknown reports whether err is a COMMIT that may or may not have been written.
func (db *DB) outcomeUnknown(err error) bool {
	var c commitError
	return errors.As(err, &c) && db.dialect.CommitOutcomeUnknown != nil && db.dialect.CommitOutcomeUnknown(c.err)
}

// classify turns engine errors a client can act on into domain errors: unavailable databases
// into a retryable EUnavailable, a COMMIT whose answer was lost into EOutcomeUnknown (which only
// a request with an Idempotency-Key may safely repeat). Domain errors pass through.
func (db *DB) classify(err error) error {
	var e *finapp.Error
	if err == nil || errors.As(err, &e) {
		return err
	}
	if db.outcomeUnknown(err) {
		slog.Warn("database connection lost during commit: outcome unknown", "err", err)
		return &finapp.Error{Code: finapp.EOutcomeUnknown, Message: "the connection to the database was lost while the change was being committed: " +
			"it may or may not have been written. Repeat the request only with the same Idempotency-Key, or look for the change before making it again"}
	}
	var abandoned batchAbandoned
	if db.dialect.IsUnavailable != nil && db.dialect.IsUnavailable(err) || errors.As(err, &abandoned) {
		// The client gets a bare 503; the operator needs the engine's own words (disk full,
		// read-only, connection refused).
		slog.Warn("database unavailable", "err", err)
		return &finapp.Error{Code: finapp.EUnavailable, Message: "the database is unavailable just now; nothing was written, retry shortly"}
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &finapp.Error{Code: finapp.EUnavailable, Message: "the request was cancelled or timed out; nothing was written"}
	}
	return err
}

// Tx is one transaction scoped to one workspace; it implements finapp.Tx.
type Tx struct {
	db    *DB
	tx    *sql.Tx
	stmts *batchStatements // group commit: statements prepared once per batch
	ws    string
	write bool
	bulk  bool            // UpdateBulk under group commit: foreign keys off, INSERTs as OR FAIL
	fixed context.Context // when set (group commit), used instead of the caller's context
	// unsealed: the transaction appended audit or outbox events for the sealer, which its
	// commit wakes (a transaction that appended none, the sealer's own among them, does not)
	unsealed bool
	// heads: the write connection's known audit chain heads and outbox sequences (heads.go),
	// for a write of the group committer; nil otherwise
	heads *headCache
}

func (tx *Tx) ctx(ctx context.Context) context.Context {
	if tx.fixed != nil {
		return tx.fixed
	}
	return ctx
}

func (tx *Tx) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	ctx = tx.ctx(ctx)
	if st := tx.prepared(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return tx.tx.ExecContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	ctx = tx.ctx(ctx)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return tx.tx.QueryContext(ctx, tx.db.q(query), args...)
}

func (tx *Tx) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	ctx = tx.ctx(ctx)
	if st := tx.prepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return tx.tx.QueryRowContext(ctx, tx.db.q(query), args...)
}

// forUpdate is the row-lock clause for a load in a write transaction, naming the table alias
// whose rows are locked; "" where the engine needs none.
func (tx *Tx) forUpdate(alias string) string {
	if tx.write && tx.db.dialect.RowLocks {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

// like is the case-insensitive LIKE of the dialect with backslash escapes.
func (tx *Tx) like() string {
	return " " + tx.db.dialect.ILike + " " + cmp.Or(tx.db.dialect.LikePattern, "?") + " ESCAPE '\\'"
}

// timestamps are stored as RFC 3339 text in UTC with nanoseconds, fixed width, so that they sort
// as text in both engines and one SQL text serves both.
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

// nextDay returns the day after a YYYY-MM-DD date: "up to and including day d" is "at < nextDay(d)".
func nextDay(d string) string {
	t, err := time.Parse("2006-01-02", d)
	if err != nil {
		return d
	}
	return t.AddDate(0, 0, 1).Format("2006-01-02")
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
