package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"finapp"
	"finapp/sqlite"
)

// More concurrent reads than database/sql keeps idle by default (two) do not make the read pool
// close connections as they come back and open new ones for the next reads: each new SQLite
// connection parses the whole schema again and starts with an empty page cache and nothing
// prepared.
func TestReadPool_KeepsItsConnectionsOpen(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := finapp.NewService(db)
	actor := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleFinance})
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 50 {
				if _, _, err := svc.ListInvoices(actor, finapp.InvoiceFilter{Limit: 10}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	reg := prometheus.NewRegistry()
	reg.MustRegister(db.Collectors()...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range families {
		if f.GetName() != "go_sql_max_idle_closed_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if l.GetName() == "db_name" && l.GetValue() == "read" {
					found = true
					if n := m.GetCounter().GetValue(); n != 0 {
						t.Errorf("the read pool closed %v connections as they came back, want none", n)
					}
				}
			}
		}
	}
	if !found {
		t.Fatal("no go_sql_max_idle_closed_total for the read pool")
	}
}
