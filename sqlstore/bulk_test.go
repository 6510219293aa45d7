package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// bulkInvoice is an unpaid invoice of org numbered number.
func bulkInvoice(org, number string) *finapp.Invoice {
	return &finapp.Invoice{ID: finapp.NewID(finapp.PrefixInvoice), Number: number, OrganizationID: org, Kind: finapp.KindStandard,
		Currency: "SGD", Total: 1000, IssuedOn: "2026-12-01", DueOn: "2026-12-31", Status: finapp.InvoiceUnpaid,
		CreatedAt: time.Now().UTC(), Version: 1}
}

func bulkOrganization(t *testing.T, db *sqlstore.DB) string {
	t.Helper()
	o := &finapp.Organization{ID: finapp.NewID(finapp.PrefixOrganization), Name: "Bulk", BillingCurrency: "SGD", Status: "active",
		CreatedAt: time.Now().UTC(), Version: 1}
	if err := db.Update(context.Background(), finapp.DefaultWorkspace, func(tx finapp.Tx) error { return tx.CreateOrganization(context.Background(), o) }); err != nil {
		t.Fatal(err)
	}
	return o.ID
}

func invoiceCount(t *testing.T, db *sqlstore.DB) int {
	t.Helper()
	var n int
	err := db.View(context.Background(), finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		page, _, err := tx.ListInvoices(context.Background(), finapp.InvoiceFilter{Limit: 1000})
		n = len(page)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// A bulk job turns SQLite's foreign-key checks off for its own transaction only: every ordinary
// job after it, however the two interleave, is held to them again, and a reference to a
// missing organization is refused.
func TestUpdateBulk_ForeignKeysHoldForEveryOtherJob(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	org := bulkOrganization(t, db)
	errRollback := errors.New("rolled back on purpose")
	var wg sync.WaitGroup
	bulkErrs := make([]error, 20)
	ordinaryErrs := make([]error, 60)
	for i := range bulkErrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			bulkErrs[i] = db.UpdateBulk(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
				return tx.CreateInvoices(ctx, []*finapp.Invoice{bulkInvoice(org, fmt.Sprintf("B-%02d-1", i)), bulkInvoice(org, fmt.Sprintf("B-%02d-2", i))})
			})
		}()
	}
	for i := range ordinaryErrs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ordinaryErrs[i] = db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
				return tx.CreateInvoice(ctx, bulkInvoice("org_missing", fmt.Sprintf("O-%02d", i)))
			})
		}()
	}
	wg.Wait()
	for i, err := range bulkErrs {
		if err != nil {
			t.Fatalf("bulk job %d: %v", i, err)
		}
	}
	for i, err := range ordinaryErrs {
		if err == nil {
			t.Fatalf("ordinary job %d wrote an invoice of a missing organization", i)
		}
	}
	if n := invoiceCount(t, db); n != 2*len(bulkErrs) {
		t.Fatalf("%d invoices, want the bulk jobs' %d", n, 2*len(bulkErrs))
	}
	// The bulk transaction itself leaves references to its caller, as UpdateBulk says: the same
	// invoice is written there (and rolled back here), where Update refused it.
	err := db.UpdateBulk(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		if err := tx.CreateInvoices(ctx, []*finapp.Invoice{bulkInvoice("org_missing", "X-1")}); err != nil {
			return err
		}
		return errRollback
	})
	if !errors.Is(err, errRollback) {
		t.Fatalf("a bulk job checked the foreign keys (%v): it runs as an ordinary one", err)
	}
}

// A bulk job's INSERTs stop at a failing row without undoing the rows before it (OR FAIL); the
// job's error rolls its whole transaction back, so nothing of it is written.
func TestUpdateBulk_AFailedStatementLeavesNothing(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	org := bulkOrganization(t, db)
	err := db.UpdateBulk(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		return tx.CreateInvoices(ctx, []*finapp.Invoice{bulkInvoice(org, "D-1"), bulkInvoice(org, "D-2"), bulkInvoice(org, "D-1")})
	})
	if err == nil {
		t.Fatal("a batch with a number twice was written")
	}
	if n := invoiceCount(t, db); n != 0 {
		t.Fatalf("%d invoices written by a failed bulk job", n)
	}
	// The store goes on: the next bulk job and the next ordinary one are written.
	if err := db.UpdateBulk(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		return tx.CreateInvoices(ctx, []*finapp.Invoice{bulkInvoice(org, "D-1")})
	}); err != nil {
		t.Fatal(err)
	}
	if err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error { return tx.CreateInvoice(ctx, bulkInvoice(org, "D-2")) }); err != nil {
		t.Fatal(err)
	}
	if n := invoiceCount(t, db); n != 2 {
		t.Fatalf("%d invoices, want 2", n)
	}
}

// A bulk job's commit is not synced (synchronous=NORMAL); the next ordinary job's is again
// (FULL), which syncs the bulk commits before it too (Store.UpdateBulk).
func TestUpdateBulk_OnlyBulkCommitsSkipTheSync(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	org := bulkOrganization(t, db)
	synchronous := func() int {
		t.Helper()
		n, err := db.WriteSynchronous(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := synchronous(); n != 2 {
		t.Fatalf("synchronous = %d before any bulk job, want 2 (FULL)", n)
	}
	for i := range 3 {
		if err := db.UpdateBulk(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
			return tx.CreateInvoices(ctx, []*finapp.Invoice{bulkInvoice(org, fmt.Sprintf("S-%d", i))})
		}); err != nil {
			t.Fatal(err)
		}
		if n := synchronous(); n != 1 {
			t.Fatalf("synchronous = %d after bulk job %d, want 1 (NORMAL)", n, i)
		}
	}
	if err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error { return tx.CreateInvoice(ctx, bulkInvoice(org, "S-x")) }); err != nil {
		t.Fatal(err)
	}
	if n := synchronous(); n != 2 {
		t.Fatalf("synchronous = %d after an ordinary job, want 2 (FULL)", n)
	}
}
