package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
)

// segments counts the segments of the FTS5 index table, read through a connection of its own.
func segments(t *testing.T, file *sql.DB, table string) int {
	t.Helper()
	var n int
	if err := file.QueryRow(`SELECT count(DISTINCT segid) FROM ` + table + `_idx`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// Organizations and invoices created one request at a time leave the search indexes in many
// segments, each of which every search looks into; the idle writer merges them, and every search
// finds the same afterwards.
func TestSearchUpkeep_TheIdleWriterMergesTheIndexes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "finapp.db")
	db := testdb.SQLiteAt(t, path)
	db.SetSearchUpkeepIdle(time.Hour) // not while the test writes
	file, err := sql.Open("sqlite", "file:"+path+"?_pragma=query_only(1)")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	svc := finapp.NewService(db)
	ctx := finapp.WithActor(context.Background(), financeActor)
	const n = 60
	for i := range n {
		o, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: fmt.Sprintf("Upkeep Org %04d Telecom", i), BillingCurrency: "SGD"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: fmt.Sprintf("UPK-%05d", i), OrganizationID: o.ID, Total: "10.00"}); err != nil {
			t.Fatal(err)
		}
	}
	orgs, numbers := segments(t, file, "organization_name_search"), segments(t, file, "invoice_number_search")
	if orgs < 4 || numbers < 4 {
		t.Fatalf("before upkeep: %d and %d segments; the test wants an index of several", orgs, numbers)
	}

	t.Logf("before upkeep: %d and %d segments", orgs, numbers)
	db.SetSearchUpkeepIdle(5 * time.Millisecond)
	// The writer waits for its next job, or for the idle time to pass, before it looks at the
	// setting again: one more write starts it.
	if _, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Upkeep Last", BillingCurrency: "SGD"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for segments(t, file, "organization_name_search") > 2 || segments(t, file, "invoice_number_search") > 2 {
		if time.Now().After(deadline) {
			t.Fatalf("after upkeep: %d and %d segments (from %d and %d), want 2 at most",
				segments(t, file, "organization_name_search"), segments(t, file, "invoice_number_search"), orgs, numbers)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for _, c := range []struct {
		q    string
		want int
	}{{"Org 0042", 1}, {"org 004", 10}, {"telecom", n}, {"UPK-0005", 10}, {"upk-", n}} {
		list, _, err := svc.ListInvoices(ctx, finapp.InvoiceFilter{Q: c.q, Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != c.want {
			t.Errorf("q=%q after upkeep: %d invoices, want %d", c.q, len(list), c.want)
		}
	}
}
