package postgres_test

import (
	"context"
	"errors"
	neturl "net/url"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"

	"finapp/internal/testdb"
	"finapp/postgres"
	"finapp/sqlstore"
)

// A database migrated by a newer finapp (its schema version is past this binary's newest
// migration) is refused when opened, before anything runs against it.
func TestOpen_RefusesASchemaNewerThanThisFinapp(t *testing.T) {
	ctx := context.Background()
	url := migratedSchema(t)
	conn := connect(t, url)
	if _, err := conn.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	db, err := postgres.Open(ctx, url)
	if err == nil {
		db.Close()
		t.Fatal("a database at schema version 99999 was opened")
	}
	if !errors.Is(err, sqlstore.ErrSchemaNewer) {
		t.Fatalf("error %v; want ErrSchemaNewer", err)
	}
}

// The invoice search's trigram indexes take new entries in at once instead of into GIN's pending
// list, which every search would read until a vacuum merged it (migration 00029).
func TestSearchIndexes_HaveNoPendingList(t *testing.T) {
	ctx := context.Background()
	conn := connect(t, migratedSchema(t))
	defer conn.Close(ctx)
	for _, index := range []string{"invoices_number_trgm", "organizations_name_trgm"} {
		var options []string
		if err := conn.QueryRow(ctx, `SELECT coalesce(reloptions, '{}') FROM pg_class WHERE oid = $1::regclass`, index).Scan(&options); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(options, "fastupdate=off") {
			t.Errorf("%s has options %q, want fastupdate=off", index, options)
		}
	}
}

// migratedSchema is the URL of a new schema that finapp has migrated to its newest version.
func migratedSchema(t testing.TB) string {
	t.Helper()
	url := testdb.PostgresSchema(t)
	db, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	return url
}

// connect opens a connection of its own to the schema of url, past finapp's store.
func connect(t testing.TB, url string) *pgx.Conn {
	t.Helper()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns") // a pool's setting, not the server's
	u.RawQuery = q.Encode()
	conn, err := pgx.Connect(context.Background(), u.String())
	if err != nil {
		t.Fatal(err)
	}
	return conn
}
