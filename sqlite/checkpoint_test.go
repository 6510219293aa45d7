package sqlite_test

import (
	"context"
	"database/sql"
	"net/url"
	"path/filepath"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
	"finapp/sqlite"
)

// A committed write reaches the database file itself soon, while the store stays open and the
// WAL is far below the writer's own checkpoint threshold: the checkpointer copies it there. The
// file is read with immutable=1, which ignores the WAL, so it sees only what was checkpointed.
func TestCheckpointer_CopiesCommittedWritesIntoTheFileWhileTheStoreIsOpen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "books.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	w, err := auth.New(db.AuthStore()).CreateWorkspace(admin, "Checkpointed Ltd")
	if err != nil {
		t.Fatal(err)
	}

	file, err := sql.Open("sqlite", "file:"+path+"?"+url.Values{"immutable": {"1"}, "mode": {"ro"}}.Encode())
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	file.SetMaxOpenConns(1)
	deadline := time.Now().Add(10 * time.Second)
	for {
		var n int
		// immutable=1 lets SQLite cache what it read: a fresh connection each time.
		file.SetMaxIdleConns(0)
		err := file.QueryRowContext(ctx, "SELECT count(*) FROM workspaces WHERE id = ?", w.ID).Scan(&n)
		if err == nil && n == 1 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the new workspace is not in the database file 10 s after its commit (%d rows, %v)", n, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
