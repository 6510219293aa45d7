package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	_ "modernc.org/sqlite"

	"finapp/sqlite"
	"finapp/sqlstore"
)

// A database migrated by a newer finapp (its schema version is past this binary's newest
// migration) is refused when opened, before anything runs against it.
func TestOpen_RefusesASchemaNewerThanThisFinapp(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "newer.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec(`INSERT INTO goose_db_version (version_id, is_applied) VALUES (99999, 1)`); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err = sqlite.Open(ctx, path)
	if err == nil {
		db.Close()
		t.Fatal("a database at schema version 99999 was opened")
	}
	if !errors.Is(err, sqlstore.ErrSchemaNewer) {
		t.Fatalf("error %v; want ErrSchemaNewer", err)
	}
}
