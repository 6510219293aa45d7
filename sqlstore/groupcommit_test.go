package sqlstore_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"finapp"
	"finapp/internal/testdb"
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
