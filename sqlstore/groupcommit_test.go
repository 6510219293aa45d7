package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"finapp"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// Under group commit each write transaction stays all or nothing: of many concurrent transactions
// that each write two rows, the ones that fail after their first write leave nothing behind, and
// every one that succeeded is there in full.
func TestGroupCommit_EachTransactionIsAllOrNothing(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	var wg sync.WaitGroup
	errs := make([]error, 200)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
				for k := range 2 {
					o := &finapp.Organization{ID: fmt.Sprintf("org_%03d_%d", i, k), Name: "n", BillingCurrency: "SGD", Status: "active", Version: 1}
					if err := tx.CreateOrganization(ctx, o); err != nil {
						return err
					}
					if i%3 == 0 {
						return errors.New("refused after the first write")
					}
				}
				return nil
			})
		}()
	}
	wg.Wait()
	for i, err := range errs {
		for k := range 2 {
			err2 := db.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
				_, err := tx.Organization(ctx, fmt.Sprintf("org_%03d_%d", i, k))
				return err
			})
			if (err == nil) != (err2 == nil) {
				t.Fatalf("transaction %d (error %v): row %d present = %v", i, err, k, err2 == nil)
			}
		}
	}
}

// A panic inside one write transaction fails that one and leaves the store working.
func TestGroupCommit_APanicFailsOnlyItsTransaction(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error { panic("boom") })
	if err == nil {
		t.Fatal("a panicking transaction reported success")
	}
	if err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		return tx.CreateOrganization(ctx, &finapp.Organization{ID: "org_after", Name: "n", BillingCurrency: "SGD", Status: "active", Version: 1})
	}); err != nil {
		t.Fatalf("the store did not recover: %v", err)
	}
}

// On SQLite the write path parses a statement once and then keeps it prepared on the write
// connection: batch after batch of the same use case parses nothing more. (It used to parse
// every statement again in every batch, which with batches of one job was on every request.)
func TestGroupCommit_StatementsStayPreparedAcrossBatches(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	create := func(i int) {
		t.Helper()
		err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
			return tx.CreateOrganization(ctx, &finapp.Organization{ID: fmt.Sprintf("org_prep_%03d", i), Name: "n", BillingCurrency: "SGD", Status: "active", Version: 1})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	create(0)
	create(1) // the first batches parse what they meet
	warm := preparedCount(t, db)
	if warm == 0 {
		t.Fatal("no statement was prepared: the counter does not count")
	}
	for i := 2; i < 50; i++ {
		create(i)
	}
	if after := preparedCount(t, db); after != warm {
		t.Fatalf("48 more batches of the same use case parsed %v statements again", after-warm)
	}
}

// preparedCount reads finapp_db_statements_prepared_total from db's collectors.
func preparedCount(t *testing.T, db *sqlstore.DB) float64 {
	t.Helper()
	return counterValue(t, db, "finapp_db_statements_prepared_total")
}

// counterValue reads the counter name from db's collectors.
func counterValue(t *testing.T, db *sqlstore.DB, name string) float64 {
	t.Helper()
	reg := prometheus.NewRegistry()
	reg.MustRegister(db.Collectors()...)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		if f.GetName() == name {
			return f.GetMetric()[0].GetCounter().GetValue()
		}
	}
	t.Fatal("no " + name)
	return 0
}

// Reads keep their statements prepared too: once a query has run, the read pool keeps it, and
// the same read run again parses nothing (the first runs parse it while it is being prepared).
func TestReads_StatementsStayPrepared(t *testing.T) {
	db := testdb.SQLite(t)
	ctx := context.Background()
	read := func() {
		t.Helper()
		if err := db.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
			_, _, err := tx.ListOrganizations(ctx, finapp.OrganizationFilter{Limit: 10})
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		before := counterValue(t, db, "finapp_db_read_queries_parsed_total")
		read()
		if counterValue(t, db, "finapp_db_read_queries_parsed_total") == before {
			break // kept
		}
		if time.Now().After(deadline) {
			t.Fatal("the same read still parses its query after 5 s")
		}
		time.Sleep(5 * time.Millisecond)
	}
	warm := counterValue(t, db, "finapp_db_read_queries_parsed_total")
	if warm == 0 {
		t.Fatal("no read was ever counted as parsed: the counter does not count")
	}
	for range 50 {
		read()
	}
	if after := counterValue(t, db, "finapp_db_read_queries_parsed_total"); after != warm {
		t.Fatalf("50 more runs of a kept read parsed %v queries", after-warm)
	}
}
