package finapp

import (
	"slices"
	"strings"

	"finapp/money"
)

// ListSort orders a list: by Key (one of the list's sort keys; SortCreated is the order in which
// the records were made), descending unless Asc, and then by id in the same direction, so that
// records with equal keys keep one order and a page's last id is a cursor for the next (the
// store reads the key of the cursor's record back rather than carrying it in the cursor).
type ListSort struct {
	Key string
	Asc bool
}

// SortCreated orders a list by when its records were made (their ids): every list's default.
const SortCreated = "created"

// The keys each list sorts by (the API's sort parameter and the pages' column headers).
var (
	PaymentSortKeys      = []string{SortCreated, "received_on", "amount"}
	InvoiceSortKeys      = []string{SortCreated, "issued_on", "due_on", "total", "number"}
	OrganizationSortKeys = []string{SortCreated, "name"}
)

// ParseSort reads a sort parameter: a key of keys for ascending order, "-" and the key for
// descending, "" for the default (newest first).
func ParseSort(s string, keys []string) (ListSort, error) {
	if s == "" {
		return ListSort{Key: SortCreated}, nil
	}
	key, desc := strings.CutPrefix(s, "-")
	if !slices.Contains(keys, key) {
		return ListSort{}, Invalid("sort", "must be one of %s, each optionally preceded by - for descending order", strings.Join(keys, ", "))
	}
	return ListSort{Key: key, Asc: !desc}, nil
}

// String is the sort as ParseSort reads it.
func (s ListSort) String() string {
	if s.Key == "" || (s.Key == SortCreated && !s.Asc) {
		return ""
	}
	if s.Asc {
		return s.Key
	}
	return "-" + s.Key
}

// check refuses a sort whose key is not one of keys (the zero sort is the default).
func (s ListSort) check(keys []string) error {
	if s.Key == "" || slices.Contains(keys, s.Key) {
		return nil
	}
	return Invalid("sort", "must be one of %s", strings.Join(keys, ", "))
}

// ListTotal is what a filtered list adds up to in one currency: how many records, their amounts
// (a payment's amount, an invoice's total) and, for invoices, what they have due.
type ListTotal struct {
	Currency money.Currency
	Count    int64
	Amount   money.Sum
	Due      money.Sum
}

// TotalsCap is the most records a list's totals add up. A page must load in a fraction of a
// second over a million records, and a sum over all of them is the reports' work: past the cap
// the totals say only that the filters select more than it (narrow them to see the sums).
const TotalsCap = 10_000

// ListTotals are what a filtered list adds up to, per currency in currency order; Capped when
// the filters select more than TotalsCap records, and then no sums are given.
type ListTotals struct {
	Currencies []ListTotal
	Capped     bool
}

// capped makes the totals of at most TotalsCap+1 records into ListTotals.
func capped(t []ListTotal) ListTotals {
	var n int64
	for _, c := range t {
		n += c.Count
	}
	if n > TotalsCap {
		return ListTotals{Capped: true}
	}
	return ListTotals{Currencies: t}
}
