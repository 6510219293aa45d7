// Package testdb opens fresh, real databases for tests: an SQLite file in a temporary directory,
// or a new schema in the PostgreSQL server that FINAPP_TEST_POSTGRES names (scripts/test starts
// one). Nothing here is a mock.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"

	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

// Engine is the engine tests run on by default: FINAPP_TEST_ENGINE ("sqlite" or "postgres").
func Engine() string {
	if e := os.Getenv("FINAPP_TEST_ENGINE"); e != "" {
		return e
	}
	return "sqlite"
}

// Open returns a fresh database of the default Engine, closed when the test ends.
func Open(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	switch Engine() {
	case "sqlite":
		return SQLite(tb)
	case "postgres":
		return Postgres(tb)
	}
	tb.Fatalf("FINAPP_TEST_ENGINE=%q: want sqlite or postgres", Engine())
	return nil
}

// SQLite returns a fresh SQLite database file in the test's temporary directory.
func SQLite(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	return SQLiteAt(tb, filepath.Join(tb.TempDir(), "finapp.db"))
}

// SQLiteAt opens (creating if needed) the SQLite database file at path until the test ends: a
// test that opens one file twice stands for two processes writing it.
func SQLiteAt(tb testing.TB, path string) *sqlstore.DB {
	tb.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL is the server tests use. Without one, a test fails when CI=true (CI must exercise
// PostgreSQL) and is skipped otherwise.
func PostgresURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv("FINAPP_TEST_POSTGRES")
	if u == "" {
		if os.Getenv("CI") == "true" {
			tb.Fatal("FINAPP_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (scripts/test starts a server)")
		}
		tb.Skip("FINAPP_TEST_POSTGRES is not set; run scripts/test to start a throw-away PostgreSQL")
	}
	return u
}

// PostgresSchema creates a new, empty schema in the test server and returns a URL whose
// search_path is that schema; the schema is dropped when the test ends.
func PostgresSchema(tb testing.TB) string {
	tb.Helper()
	base := PostgresURL(tb)
	ctx := context.Background()
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		tb.Fatalf("connecting to %s: %v", base, err)
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			tb.Errorf("dropping %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			tb.Errorf("dropping %s: %v", schema, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		tb.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	if q.Get("pool_max_conns") == "" {
		q.Set("pool_max_conns", "16")
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres returns a fresh database in a new schema of the test server (see PostgresSchema).
func Postgres(tb testing.TB) *sqlstore.DB {
	tb.Helper()
	db, err := postgres.Open(context.Background(), PostgresSchema(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() }) // runs before the schema is dropped
	return db
}
