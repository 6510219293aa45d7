package sqlstore_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// seedPayments writes n payments (a third assigned to one of 100 organizations) straight through
// the store, in transactions of 1,000, so that list queries can be measured at scale.
func seedPayments(b *testing.B, n int) (*sqlstore.DB, []string) {
	b.Helper()
	db := testdb.SQLite(b)
	ctx := context.Background()
	var orgs []string
	now := time.Now().UTC()
	err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		for i := range 100 {
			o := &finapp.Organization{ID: finapp.NewID(finapp.PrefixOrganization), Name: fmt.Sprintf("Customer %03d", i), BillingCurrency: "SGD", Status: "active", CreatedAt: now, Version: 1}
			orgs = append(orgs, o.ID)
			if err := tx.CreateOrganization(ctx, o); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	methods := finapp.Methods
	for start := 0; start < n; start += 1000 {
		err := db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
			for i := start; i < min(n, start+1000); i++ {
				p := &finapp.Payment{ID: finapp.NewID(finapp.PrefixPayment), Amount: 12550, Currency: "SGD",
					ReceivedOn: now.AddDate(0, 0, -i%700).Format("2006-01-02"), Method: methods[i%len(methods)],
					Reference: fmt.Sprintf("REF-%06d", i), Version: 1, CreatedBy: "bench", CreatedAt: now, UpdatedAt: now}
				if i%3 == 0 {
					p.OrganizationID, p.AssignmentChanges = orgs[i%len(orgs)], 1
				}
				if err := tx.CreatePayment(ctx, p); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return db, orgs
}

// BenchmarkListPayments_100k measures the Payments page's query over 100,000 payments: the first
// page, a page deep in the cursor, and the filters the page offers.
func BenchmarkListPayments_100k(b *testing.B) {
	db, orgs := seedPayments(b, 100_000)
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "bench", Role: finapp.RoleViewer})
	svc := finapp.NewService(db)
	deep := ""
	for range 1000 { // walk 1,000 pages of 50 to get a cursor half-way down
		_, next, err := svc.ListPayments(ctx, finapp.PaymentFilter{Cursor: deep, Limit: 50})
		if err != nil || next == "" {
			b.Fatal(err)
		}
		deep = next
	}
	cases := []struct {
		name string
		f    finapp.PaymentFilter
	}{
		{"first_page", finapp.PaymentFilter{}},
		{"page_1001", finapp.PaymentFilter{Cursor: deep}},
		{"status_unassigned", finapp.PaymentFilter{Status: finapp.PaymentUnassigned}},
		{"customer", finapp.PaymentFilter{OrganizationID: orgs[7]}},
		{"method", finapp.PaymentFilter{Method: "cheque"}},
		{"received_month", finapp.PaymentFilter{ReceivedFrom: time.Now().AddDate(0, -1, 0).Format("2006-01-02"), ReceivedTo: time.Now().Format("2006-01-02")}},
		{"free_text_rare", finapp.PaymentFilter{Q: "REF-012345"}},
		// The page's default order (issue 13): newest received first, from payments_received_list.
		{"sorted_received_first_page", finapp.PaymentFilter{Sort: finapp.ListSort{Key: "received_on"}}},
		{"sorted_received_page_1001", finapp.PaymentFilter{Sort: finapp.ListSort{Key: "received_on"}, Cursor: deep}},
		{"sorted_amount_first_page", finapp.PaymentFilter{Sort: finapp.ListSort{Key: "amount"}}},
		{"sorted_received_customer", finapp.PaymentFilter{Sort: finapp.ListSort{Key: "received_on"}, OrganizationID: orgs[7]}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			c.f.Limit = 50
			for b.Loop() {
				if _, _, err := svc.ListPayments(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	// The totals line under the list: capped at finapp.TotalsCap records, whatever the filters.
	for _, c := range []struct {
		name string
		f    finapp.PaymentFilter
	}{{"totals_all", finapp.PaymentFilter{}}, {"totals_customer", finapp.PaymentFilter{OrganizationID: orgs[7]}}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.PaymentTotals(ctx, c.f); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
