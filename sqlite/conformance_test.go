package sqlite_test

import (
	"path/filepath"
	"testing"

	"finapp"
	"finapp/conformance"
	"finapp/sqlite"
)

// TestConformance runs the storage-engine conformance suite against SQLite, a fresh database file
// for every test.
func TestConformance(t *testing.T) {
	conformance.Run(t, func(t *testing.T) finapp.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "finapp.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := db.Close(); err != nil {
				t.Errorf("closing the database: %v", err)
			}
		})
		return db
	})
}
