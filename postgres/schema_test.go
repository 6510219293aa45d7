package postgres_test

import (
	"context"
	"errors"
	neturl "net/url"
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
	url := testdb.PostgresSchema(t)
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	u, err := neturl.Parse(url)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns") // a pool's setting, not the server's
	u.RawQuery = q.Encode()
	cfg, err := pgx.ParseConfig(u.String())
	if err != nil {
		t.Fatal(err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, `INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, true)`); err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	db, err = postgres.Open(ctx, url)
	if err == nil {
		db.Close()
		t.Fatal("a database at schema version 99999 was opened")
	}
	if !errors.Is(err, sqlstore.ErrSchemaNewer) {
		t.Fatalf("error %v; want ErrSchemaNewer", err)
	}
}
