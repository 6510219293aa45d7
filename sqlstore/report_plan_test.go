package sqlstore_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"finapp/sqlite"
	"finapp/sqlstore"
)

// The aging report is fast only while SQLite reads it from the indexes of migration 00005 alone:
// without statistics its planner has twice picked another index and read a million table rows
// (docs/benchmarks.md §7). Every step of both queries must search a covering index or the
// handful of rows the join looks up by id — never scan a table, never read table rows by a
// range.
func TestAging_SQLiteReadsCoveringIndexesOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.db")
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Each edge twice: the sums of the amounts' high and low parts each filter by it (sums.go).
	edges := []any{"2026-03-01", "2026-03-01", "2026-01-30", "2026-01-30", "2025-12-31", "2025-12-31", "2025-12-01", "2025-12-01"}
	for name, q := range map[string]struct {
		sql  string
		args []any
		want []string
	}{
		"open now": {sqlstore.AgingOpenNow, append(edges, "2026-03-01", "ws"), []string{"COVERING INDEX invoices_open_aging"}},
		"changed since": {sqlstore.AgingChangedSince, append(edges, "ws", "c", "ws", "c", "c", "ws", "c", "ws", "c", "c", "ws", "c", "ws", "2026-03-01", "c"),
			[]string{"COVERING INDEX allocations_active_created", "COVERING INDEX allocations_released", "COVERING INDEX credit_note_applications_created",
				"COVERING INDEX credit_note_applications_released", "COVERING INDEX invoices_voided", "sqlite_autoindex_invoices_1 (id=?)"}},
	} {
		rows, err := raw.Query("EXPLAIN QUERY PLAN "+q.sql, q.args...)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		all := strings.Join(plan, "\n")
		for _, w := range q.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: the plan does not use %s:\n%s", name, w, all)
			}
		}
		for _, step := range plan {
			if strings.HasPrefix(step, "SCAN invoices") || strings.HasPrefix(step, "SCAN allocations") || strings.HasPrefix(step, "SCAN i") ||
				(strings.HasPrefix(step, "SEARCH") && !strings.Contains(step, "COVERING INDEX") && !strings.Contains(step, "(id=?)")) {
				t.Errorf("%s: %q reads table rows:\n%s", name, step, all)
			}
		}
	}
}
