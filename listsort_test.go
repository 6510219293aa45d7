package finapp

import (
	"fmt"
	"testing"
)

func TestParseSort(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"", "{created false}", true},
		{"received_on", "{received_on true}", true},
		{"-received_on", "{received_on false}", true},
		{"-created", "{created false}", true},
		{"created", "{created true}", true},
		{"--amount", "", false},
		{"Amount", "", false},
		{"total", "", false}, // an invoice key, not a payment's
	} {
		got, err := ParseSort(tc.in, PaymentSortKeys)
		if (err == nil) != tc.ok || (tc.ok && fmt.Sprintf("{%s %v}", got.Key, got.Asc) != tc.want) {
			t.Errorf("ParseSort(%q) = %v, %v; want %s (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
		if err != nil && ErrorField(err) != "sort" {
			t.Errorf("ParseSort(%q): the error names %q, not sort", tc.in, ErrorField(err))
		}
		if tc.ok {
			if back, _ := ParseSort(got.String(), PaymentSortKeys); back != got {
				t.Errorf("ParseSort(%q).String() = %q reads back as %v", tc.in, got.String(), back)
			}
		}
	}
}

// The totals of a list add up at most TotalsCap records; past it they say so and give no sums,
// which would be those of an arbitrary part of the list.
func TestListTotalsCap(t *testing.T) {
	for _, tc := range []struct {
		counts []int64
		capped bool
	}{
		{nil, false},
		{[]int64{TotalsCap}, false},
		{[]int64{TotalsCap - 1, 1}, false},
		{[]int64{TotalsCap, 1}, true},
		{[]int64{TotalsCap + 1}, true},
	} {
		var in []ListTotal
		for _, n := range tc.counts {
			in = append(in, ListTotal{Currency: "SGD", Count: n})
		}
		got := capped(in)
		if got.Capped != tc.capped || (got.Capped && got.Currencies != nil) || (!got.Capped && len(got.Currencies) != len(in)) {
			t.Errorf("capped(%v) = %+v, want capped %v", tc.counts, got, tc.capped)
		}
	}
}
