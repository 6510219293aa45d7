package finapp

import (
	"context"
	"sort"
	"time"

	"finapp/money"
)

// Aging buckets, by days past the due date as of the report date.
var AgingBuckets = []string{"current", "1_30", "31_60", "61_90", "over_90"}

// DueAsOf is one invoice's amount due on a past or present date, as storage reconstructs it from
// allocation history.
type DueAsOf struct {
	InvoiceID        string
	OrganizationID   string
	OrganizationName string
	Currency         money.Currency
	DueOn            string
	Due              money.Amount
}

// AgingRow is one organization's amounts due in one currency, per bucket.
type AgingRow struct {
	OrganizationID   string
	OrganizationName string
	Currency         money.Currency
	Buckets          map[string]money.Amount
	Total            money.Amount
}

// AgingReport is accounts-receivable aging as of a date.
type AgingReport struct {
	AsOf   string
	Rows   []*AgingRow                  // per organization and currency, by name
	Totals map[money.Currency]*AgingRow // per currency
}

// bucketOf names the aging bucket of an invoice due on dueOn, as of asOf.
func bucketOf(dueOn, asOf string) string {
	due, _ := time.Parse("2006-01-02", dueOn)
	at, _ := time.Parse("2006-01-02", asOf)
	days := int(at.Sub(due).Hours() / 24)
	switch {
	case days <= 0:
		return "current"
	case days <= 30:
		return "1_30"
	case days <= 60:
		return "31_60"
	case days <= 90:
		return "61_90"
	}
	return "over_90"
}

// Aging builds the AR aging report as of asOf (default today). Errors: EInvalid.
func (s *Service) Aging(ctx context.Context, asOf string) (*AgingReport, error) {
	if asOf == "" {
		asOf = s.today()
	} else if _, err := ParseDate("as_of", asOf); err != nil {
		return nil, err
	}
	var dues []DueAsOf
	err := s.read(ctx, func(tx Tx) error {
		var err error
		dues, err = tx.DuesAsOf(ctx, asOf)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := &AgingReport{AsOf: asOf, Totals: map[money.Currency]*AgingRow{}}
	rows := map[string]*AgingRow{}
	for _, d := range dues {
		key := d.OrganizationID + "/" + string(d.Currency)
		row := rows[key]
		if row == nil {
			row = &AgingRow{OrganizationID: d.OrganizationID, OrganizationName: d.OrganizationName, Currency: d.Currency, Buckets: emptyBuckets()}
			rows[key] = row
			r.Rows = append(r.Rows, row)
		}
		total := r.Totals[d.Currency]
		if total == nil {
			total = &AgingRow{Currency: d.Currency, Buckets: emptyBuckets()}
			r.Totals[d.Currency] = total
		}
		b := bucketOf(d.DueOn, asOf)
		row.Buckets[b] += d.Due
		row.Total += d.Due
		total.Buckets[b] += d.Due
		total.Total += d.Due
	}
	sort.Slice(r.Rows, func(i, j int) bool {
		if r.Rows[i].OrganizationName != r.Rows[j].OrganizationName {
			return r.Rows[i].OrganizationName < r.Rows[j].OrganizationName
		}
		return r.Rows[i].Currency < r.Rows[j].Currency
	})
	return r, nil
}

func emptyBuckets() map[string]money.Amount {
	m := map[string]money.Amount{}
	for _, b := range AgingBuckets {
		m[b] = 0
	}
	return m
}

// ReceiptGroup is money received in one group (a day, a month or a method) and one currency.
type ReceiptGroup struct {
	Key      string
	Currency money.Currency
	Amount   money.Amount
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
