package finapp

import (
	"testing"
	"time"
)

// The aging buckets are by whole days past due as of the report date: current (not yet past
// due), 1–30, 31–60, 61–90 and over 90 days.
func TestAgeEdges_BucketByWholeDaysPastDue(t *testing.T) {
	edges := AgeEdgesAsOf("2026-03-31")
	for _, tc := range []struct {
		dueOn string
		days  int
		want  string
	}{
		{"2026-05-01", -31, "current"},
		{"2026-03-31", 0, "current"},
		{"2026-03-30", 1, "1_30"},
		{"2026-03-01", 30, "1_30"},
		{"2026-02-28", 31, "31_60"},
		{"2026-01-30", 60, "31_60"},
		{"2026-01-29", 61, "61_90"},
		{"2025-12-31", 90, "61_90"},
		{"2025-12-30", 91, "over_90"},
		{"1999-01-01", 9587, "over_90"},
	} {
		if got := AgingBuckets[edges.Bucket(tc.dueOn)]; got != tc.want {
			t.Errorf("due %s (%d days before): %s, want %s", tc.dueOn, tc.days, got, tc.want)
		}
	}
}

// What an invoice had due at the end of a day is rebuilt from its history: issued by then, not
// void by then, less the allocations made by then and not yet released, never less than nothing.
func TestAmountDueAsOf_RebuiltFromTheInvoicesHistory(t *testing.T) {
	day := func(d, h int) *time.Time { t := time.Date(2026, 3, d, h, 0, 0, 0, time.UTC); return &t }
	alloc := func(amount int64, made, released *time.Time) *Allocation {
		return &Allocation{Amount: sgd(amount), InvoiceAmount: sgd(amount), CreatedAt: *made, ReleasedAt: released}
	}
	inv := func(voided *time.Time) *Invoice {
		return &Invoice{Total: sgd(100), IssuedOn: "2026-03-05", DueOn: "2026-03-20", VoidedAt: voided}
	}
	for _, tc := range []struct {
		name        string
		inv         *Invoice
		allocations []*Allocation
		asOf        string
		want        int64
	}{
		{"NothingBeforeItWasIssued", inv(nil), nil, "2026-03-04", 0},
		{"AllOfItOnTheDayItWasIssued", inv(nil), nil, "2026-03-05", 100},
		{"LessAnAllocationMadeThatDay", inv(nil), []*Allocation{alloc(30, day(5, 23), nil)}, "2026-03-05", 70},
		{"NotLessAnAllocationMadeTheDayAfter", inv(nil), []*Allocation{alloc(30, day(6, 0), nil)}, "2026-03-05", 100},
		{"NotLessAnAllocationReleasedByThen", inv(nil), []*Allocation{alloc(30, day(5, 9), day(7, 9))}, "2026-03-07", 100},
		{"LessAnAllocationReleasedLater", inv(nil), []*Allocation{alloc(30, day(5, 9), day(8, 0))}, "2026-03-07", 70},
		{"NothingOnceVoid", inv(day(9, 12)), nil, "2026-03-09", 0},
		{"AllOfItTheDayBeforeItWasVoided", inv(day(9, 12)), nil, "2026-03-08", 100},
		{"NothingWhenFullyPaid", inv(nil), []*Allocation{alloc(60, day(5, 9), nil), alloc(40, day(6, 9), nil)}, "2026-03-06", 0},
		// Clocks out of step: released at 10:00 on the 7th by a clock that ran ahead, paid again
		// on the 6th by one that waited. Paid twice on the 6th: nothing due, not less.
		{"NothingNotLessWhenPaidTwiceByClocksOutOfStep", inv(nil), []*Allocation{alloc(100, day(5, 9), day(7, 10)), alloc(100, day(6, 9), nil)}, "2026-03-06", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := AmountDueAsOf(tc.inv, tc.allocations, tc.asOf); got != sgd(tc.want) {
				t.Errorf("AmountDueAsOf %s: %d, want %d", tc.asOf, got, sgd(tc.want))
			}
		})
	}
}
