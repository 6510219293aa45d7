package finapp

import (
	"context"
	"sort"
	"time"

	"finapp/money"
)

// Aging buckets, by days past the due date as of the report date.
var AgingBuckets = []string{"current", "1_30", "31_60", "61_90", "over_90"}

// AgedDues is what storage sums for the aging report: one organization's amounts due in one
// currency at the end of a day, split by due date into the AgingBuckets (Due[k] is bucket k).
type AgedDues struct {
	OrganizationID   string
	OrganizationName string
	Currency         money.Currency
	Due              [5]money.Sum
}

// AgeEdges are the due dates that split amounts due into the AgingBuckets as of a date: bucket 0
// holds what is due on or after Edges[0], bucket k what is due before Edges[k-1] and on or after
// Edges[k], the last bucket what is due before Edges[3]. Dates compare as YYYY-MM-DD text, so
// storage can split by them in SQL on any engine without date arithmetic.
type AgeEdges [4]string

// AgeEdgesAsOf are the edges of the buckets by whole days past due as of asOf: current (due on
// or after asOf), 1–30, 31–60, 61–90 days, and over 90 days.
func AgeEdgesAsOf(asOf string) AgeEdges {
	at, _ := time.Parse("2006-01-02", asOf)
	day := func(n int) string { return at.AddDate(0, 0, -n).Format("2006-01-02") }
	return AgeEdges{asOf, day(30), day(60), day(90)}
}

// Bucket is the index in AgingBuckets of an amount due on dueOn.
func (e AgeEdges) Bucket(dueOn string) int {
	for k, edge := range e {
		if dueOn >= edge {
			return k
		}
	}
	return len(e)
}

// AmountDueAsOf is the rule the aging report sums (Tx.AgedDues implements it in SQL): what the
// invoice had due at the end of the day asOf (UTC), rebuilt from its history. An invoice issued
// after that day, or void by its end, had nothing due; otherwise its total less the allocations
// made before the end of the day and not released by then. allocations are the invoice's, the
// released ones too. Clocks out of step can make an invoice look paid twice at some instant; it
// then had nothing due, not less than nothing.
func AmountDueAsOf(inv *Invoice, allocations []*Allocation, asOf string) money.Amount {
	at, _ := time.Parse("2006-01-02", asOf)
	end := at.AddDate(0, 0, 1)
	if inv.IssuedOn > asOf || (inv.VoidedAt != nil && inv.VoidedAt.Before(end)) {
		return 0
	}
	due := inv.Total
	for _, a := range allocations {
		if a.CreatedAt.Before(end) && (a.ReleasedAt == nil || !a.ReleasedAt.Before(end)) {
			due -= a.InvoiceAmount
		}
	}
	return max(due, 0)
}

// AgingRow is one organization's amounts due in one currency, per bucket.
type AgingRow struct {
	OrganizationID   string
	OrganizationName string
	Currency         money.Currency
	Buckets          map[string]money.Sum
	Total            money.Sum
}

// AgingReport is accounts-receivable aging as of a date.
type AgingReport struct {
	AsOf   string
	Rows   []*AgingRow                  // per organization and currency, by name
	Totals map[money.Currency]*AgingRow // per currency
}

// Aging builds the AR aging report as of asOf (default today). Errors: EInvalid.
func (s *Service) Aging(ctx context.Context, asOf string) (*AgingReport, error) {
	if asOf == "" {
		asOf = s.today(ctx)
	} else if _, err := ParseDate("as_of", asOf); err != nil {
		return nil, err
	}
	var dues []AgedDues
	err := s.read(ctx, func(tx Tx) error {
		var err error
		dues, err = tx.AgedDues(ctx, asOf, AgeEdgesAsOf(asOf))
		return err
	})
	if err != nil {
		return nil, err
	}
	r := &AgingReport{AsOf: asOf, Totals: map[money.Currency]*AgingRow{}, Rows: make([]*AgingRow, 0, len(dues))}
	for _, d := range dues {
		row := &AgingRow{OrganizationID: d.OrganizationID, OrganizationName: d.OrganizationName, Currency: d.Currency, Buckets: emptyBuckets()}
		total := r.Totals[d.Currency]
		if total == nil {
			total = &AgingRow{Currency: d.Currency, Buckets: emptyBuckets()}
			r.Totals[d.Currency] = total
		}
		for k, b := range AgingBuckets {
			row.Buckets[b] = d.Due[k]
			row.Total = row.Total.Plus(d.Due[k])
			total.Buckets[b] = total.Buckets[b].Plus(d.Due[k])
			total.Total = total.Total.Plus(d.Due[k])
		}
		r.Rows = append(r.Rows, row)
	}
	sort.Slice(r.Rows, func(i, j int) bool {
		a, b := r.Rows[i], r.Rows[j]
		if a.OrganizationName != b.OrganizationName {
			return a.OrganizationName < b.OrganizationName
		}
		if a.Currency != b.Currency {
			return a.Currency < b.Currency
		}
		return a.OrganizationID < b.OrganizationID // two organizations may share a name
	})
	return r, nil
}

func emptyBuckets() map[string]money.Sum {
	m := make(map[string]money.Sum, len(AgingBuckets))
	for _, b := range AgingBuckets {
		m[b] = money.Sum{}
	}
	return m
}

// ReceiptGroup is money received in one group (a day, a month or a method) and one currency.
type ReceiptGroup struct {
	Key      string
	Currency money.Currency
	Amount   money.Sum
	Count    int
}

// ReceiptsGroupings are the values of the receipts report's group_by.
var ReceiptsGroupings = []string{"day", "month", "method"}

// Receipts sums the live payments received between from and to (inclusive), grouped by day,
// month or method. Errors: EInvalid.
func (s *Service) Receipts(ctx context.Context, from, to, groupBy string) ([]ReceiptGroup, error) {
	if groupBy == "" {
		groupBy = "day"
	}
	if !contains(ReceiptsGroupings, groupBy) {
		return nil, Invalid("group_by", "must be day, month or method")
	}
	if err := checkDates(&from, &to, "from", "to"); err != nil {
		return nil, err
	}
	var out []ReceiptGroup
	err := s.read(ctx, func(tx Tx) error {
		var err error
		out, err = tx.Receipts(ctx, from, to, groupBy)
		return err
	})
	return out, err
}
