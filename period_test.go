package finapp

import (
	"testing"
)

// The lock date's rules, one table: which business dates are closed, and which invoice
// corrections a closed issue date still allows.
func TestLockDate_ClosesEveryDayThroughIt(t *testing.T) {
	for _, c := range []struct {
		lock, date string
		closed     bool
	}{
		{"", "1999-01-01", false},
		{"2026-10-31", "2026-10-30", true},
		{"2026-10-31", "2026-10-31", true},
		{"2026-10-31", "2026-11-01", false},
		{"2026-10-31", "2025-12-31", true},
	} {
		l := lockDate(c.lock)
		if got := l.closed(c.date); got != c.closed {
			t.Errorf("lock %q, date %s: closed %v, want %v", c.lock, c.date, got, c.closed)
		}
		err := l.refuse("received_on", c.date, "a payment received on "+c.date)
		if (err != nil) != c.closed {
			t.Errorf("lock %q, date %s: refusal %v", c.lock, c.date, err)
		}
		if err != nil && (ErrorCode(err) != EPeriodClosed || err.(*Error).Field != "received_on") {
			t.Errorf("refusal %#v, want period_closed on received_on", err)
		}
	}
}

func TestLockDate_RefusesInvoiceChangesThatReportsRead(t *testing.T) {
	october := Invoice{Number: "A-1", Kind: KindStandard, Total: 10000, IssuedOn: "2026-10-02", DueOn: "2026-10-31"}
	with := func(f func(*Invoice)) *Invoice { i := october; f(&i); return &i }
	lock := lockDate("2026-10-31")
	for _, c := range []struct {
		name          string
		before, after *Invoice
		refused       bool
	}{
		{"issue dated in the closed period", nil, &october, true},
		{"issue dated after it", nil, with(func(i *Invoice) { i.IssuedOn, i.DueOn = "2026-11-01", "2026-11-30" }), false},
		{"metadata only", &october, with(func(i *Invoice) { i.Metadata = Metadata{"k": "v"} }), false},
		{"external id only", &october, with(func(i *Invoice) { i.ExternalID = "bill-1" }), false},
		{"total", &october, with(func(i *Invoice) { i.Total = 9000 }), true},
		{"due date", &october, with(func(i *Invoice) { i.DueOn = "2026-11-30" }), true},
		{"number", &october, with(func(i *Invoice) { i.Number = "A-1b" }), true},
		{"moved out of the closed period", &october, with(func(i *Invoice) { i.IssuedOn, i.DueOn = "2026-11-02", "2026-11-30" }), true},
		{"moved into it", with(func(i *Invoice) { i.IssuedOn, i.DueOn = "2026-11-02", "2026-11-30" }), &october, true},
		{"an open invoice's total", with(func(i *Invoice) { i.IssuedOn = "2026-11-02" }), with(func(i *Invoice) { i.IssuedOn, i.Total = "2026-11-02", 1 }), false},
	} {
		err := lock.refuseInvoice(c.before, c.after)
		if (err != nil) != c.refused || (err != nil && ErrorCode(err) != EPeriodClosed) {
			t.Errorf("%s: %v, refused want %v", c.name, err, c.refused)
		}
	}
	if err := lockDate("").refuseInvoice(nil, &october); err != nil {
		t.Errorf("no lock date: %v", err)
	}
}
