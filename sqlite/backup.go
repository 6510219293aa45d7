package sqlite

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pressly/goose/v3"

	"finapp/sqlstore"
)

// Copy is a finished backup or restore: where it was written, its size and its SHA-256 (so that
// the copy that reaches off-site storage can be checked against what was written).
type Copy struct {
	Path   string
	Bytes  int64
	SHA256 string
}

// Backup writes a consistent copy of the database file src to dst, which must not exist, while a
// server may be writing to src. VACUUM INTO reads one snapshot of the database — in WAL mode every
// transaction committed before it starts and none after — and writes it as a single compacted
// file with no WAL beside it, so the copy holds every write acknowledged before the backup began.
// The copy is synced to disk before Backup returns.
func Backup(ctx context.Context, src, dst string) (Copy, error) {
	if err := mustNotExist(dst); err != nil {
		return Copy{}, err
	}
	db, err := openExisting(src, "rw")
	if err != nil {
		return Copy{}, err
	}
	defer db.Close()
	if err := isFinappDatabase(ctx, db); err != nil {
		return Copy{}, fmt.Errorf("%s: %w", src, err)
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, dst); err != nil {
		return Copy{}, fmt.Errorf("copying %s to %s: %w", src, dst, err)
	}
	return syncAndSum(dst)
}

// ErrNotEmpty refuses to restore over a database that holds books, unless forced.
var ErrNotEmpty = errors.New("the target database is not empty")

// Restore replaces the database file dst with the backup src. src must be an intact finapp
// database (SQLite's integrity check passes, its schema is one this finapp can open); dst must
// not exist or hold no books unless force is set. The server must be stopped: the file is
// replaced under it. The copy is written beside dst and renamed over it, so dst is either the old
// database or the whole backup, never a mix; the old WAL and shared-memory files go with it.
func Restore(ctx context.Context, src, dst string, force bool) (Copy, error) {
	b, err := openExisting(src, "ro")
	if err != nil {
		return Copy{}, err
	}
	defer b.Close()
	if err := isFinappDatabase(ctx, b); err != nil {
		return Copy{}, fmt.Errorf("%s is not a finapp backup: %w", src, err)
	}
	var check string
	if err := b.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&check); err != nil {
		return Copy{}, fmt.Errorf("%s is not a finapp backup: %w", src, err)
	}
	if check != "ok" {
		return Copy{}, fmt.Errorf("%s is damaged: %s", src, check)
	}
	if !force {
		if err := isEmpty(ctx, dst); err != nil {
			return Copy{}, err
		}
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".restoring")
	_ = os.Remove(tmp) // a leftover of an interrupted restore
	if _, err := b.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		return Copy{}, fmt.Errorf("copying %s: %w", src, err)
	}
	c, err := syncAndSum(tmp)
	if err != nil {
		return Copy{}, err
	}
	for _, side := range []string{dst + "-wal", dst + "-shm"} {
		if err := os.Remove(side); err != nil && !errors.Is(err, os.ErrNotExist) {
			return Copy{}, err
		}
	}
	if err := os.Rename(tmp, dst); err != nil {
		return Copy{}, err
	}
	c.Path = dst
	return c, nil
}

func mustNotExist(path string) error {
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("%s already exists; a backup never overwrites a file", path)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	return nil
}

// openExisting opens the database file at path without creating it (mode "rw" or "ro").
func openExisting(path, mode string) (*sql.DB, error) {
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite path %q may not contain ? or #", path)
	}
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	q := url.Values{}
	q.Set("mode", mode)
	q.Add("_pragma", "busy_timeout(10000)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	return db, nil
}

// isFinappDatabase checks that db is an SQLite database with a finapp schema this binary can open.
func isFinappDatabase(ctx context.Context, db *sql.DB) error {
	provider, err := goose.NewProvider(goose.DialectSQLite3, db, mustSub(migrations, "migrations"))
	if err != nil {
		return err
	}
	var tables int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_schema WHERE type = 'table' AND name IN ('goose_db_version', 'workspaces')`).Scan(&tables); err != nil {
		return err
	}
	if tables != 2 {
		return errors.New("it has no finapp schema")
	}
	current, err := provider.GetDBVersion(ctx)
	if err != nil {
		return err
	}
	if sources := provider.ListSources(); current > sources[len(sources)-1].Version {
		return fmt.Errorf("%w (version %d)", sqlstore.ErrSchemaNewer, current)
	}
	return nil
}

// isEmpty accepts a target that does not exist, is an empty file, or is a finapp database with
// no payments, invoices or organizations in any workspace.
func isEmpty(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	}
	if err != nil {
		return err
	}
	db, err := openExisting(path, "ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var rows int64
	err = db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM payments) + (SELECT count(*) FROM invoices) + (SELECT count(*) FROM organizations)`).Scan(&rows)
	if err != nil {
		return fmt.Errorf("%w: %s is not a finapp database (%v); pass --force to replace it", ErrNotEmpty, path, err)
	}
	if rows > 0 {
		return fmt.Errorf("%w: %s holds %d payments, invoices and organizations; pass --force to replace it", ErrNotEmpty, path, rows)
	}
	return nil
}

// syncAndSum flushes the file at path to disk and returns its size and SHA-256.
func syncAndSum(path string) (Copy, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return Copy{}, err
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return Copy{}, err
	}
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return Copy{}, err
	}
	return Copy{Path: path, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
