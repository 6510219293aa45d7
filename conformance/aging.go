package conformance

import (
	"context"
	"fmt"
	"slices"
	"time"

	"finapp"
	"finapp/money"
)

// checkAging holds the engine's aging report, which it sums in SQL, to the books' rule rebuilt
// invoice by invoice from full books: what each invoice had due at the end of the as-of day
// (finapp.AmountDueAsOf over its allocations and credit note applications), in the bucket of its due date
// (finapp.AgeEdgesAsOf). It asks as of today, yesterday (before this run's allocations), far
// ahead, and every issue and due date the invoices have.
func checkAging(ctx context.Context, svc *finapp.Service, b *books) ([]string, error) {
	today, _ := time.Parse("2006-01-02", b.today)
	asOfs := []string{b.today, today.AddDate(0, 0, -1).Format("2006-01-02"), today.AddDate(0, 0, 400).Format("2006-01-02")}
	for _, id := range sortedKeys(b.invoices) {
		asOfs = append(asOfs, b.invoices[id].IssuedOn, b.invoices[id].DueOn)
	}
	slices.Sort(asOfs)
	credited := map[string][]*finapp.Allocation{} // what credit notes applied, by invoice
	for _, n := range b.notes {
		for _, a := range n.Applications {
			if a.Kind == finapp.ApplicationInvoice {
				credited[a.InvoiceID] = append(credited[a.InvoiceID], a.AsAllocation())
			}
		}
	}
	var bad []string
	for _, asOf := range slices.Compact(asOfs) {
		edges := finapp.AgeEdgesAsOf(asOf)
		want := map[string][]money.Sum{}
		for _, id := range sortedKeys(b.invoices) {
			inv := b.invoices[id]
			due := finapp.AmountDueAsOf(inv.Invoice, append(slices.Clip(inv.Allocations), credited[id]...), asOf)
			if due == 0 {
				continue
			}
			k := inv.OrganizationID + " " + string(inv.Currency)
			if want[k] == nil {
				want[k] = make([]money.Sum, len(finapp.AgingBuckets))
			}
			i := edges.Bucket(inv.DueOn)
			want[k][i] = want[k][i].Add(due)
		}
		r, err := svc.Aging(ctx, asOf)
		if err != nil {
			return nil, fmt.Errorf("aging as of %s: %w", asOf, err)
		}
		got := map[string][]money.Sum{}
		for _, row := range r.Rows {
			sums := make([]money.Sum, len(finapp.AgingBuckets))
			for i, bucket := range finapp.AgingBuckets {
				sums[i] = row.Buckets[bucket]
			}
			got[row.OrganizationID+" "+string(row.Currency)] = sums
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			bad = append(bad, fmt.Sprintf("aging as of %s (organization currency: buckets %v):\n    got  %v\n    want %v", asOf, finapp.AgingBuckets, got, want))
		}
	}
	return bad, nil
}
