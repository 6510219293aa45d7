package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
)

// TestBrowser_ListsSortTotalAndKeepOneLinePerRow (issue 13, item 3): the payments list opens
// newest received first whatever the keying order, a click on a column header sorts by it and a
// second click turns the order round, the filters stay in the URL, a totals line per currency
// adds up everything the filters select, and on a wide screen every row is one line (a long
// reference is cut, its whole text in the title).
func TestBrowser_ListsSortTotalAndKeepOneLinePerRow(t *testing.T) {
	h := newHarness(t, false)
	for _, p := range []struct{ on, amount, ref string }{
		{"2026-03-05", "10.00", "MARCH"},
		{"2026-01-20", "2500.00", "JANUARY"},
		{"2026-02-11", "5.00", "FEBRUARY BANK TRANSFER FROM ACME TELECOM PTE LTD FOR INVOICES 1001 1002 AND 1003, WITH THANKS"},
	} {
		if _, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{OrganizationID: h.acme.ID, Amount: p.amount, Currency: "SGD", Method: "cash",
			ReceivedOn: p.on, Reference: p.ref}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{OrganizationID: h.boreal.ID, Amount: "7.00", Currency: "USD", Method: "cash",
		ReceivedOn: "2026-02-01", Reference: "DOLLARS"}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	refs := func() string {
		t.Helper()
		got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("table.list tbody td.ref")].map(td => td.title.split(" ")[0])`))
		if err != nil {
			t.Fatal(err)
		}
		return strings.Join(got, " ")
	}
	if got := refs(); got != "MARCH FEBRUARY DOLLARS JANUARY" {
		t.Errorf("the payments list opens in the order %q, want newest received first", got)
	}
	wantText(t, ctx, "#totals", "3 payments in SGD")
	wantText(t, ctx, "#totals", "2,515.00")
	wantText(t, ctx, "#totals", "1 payment in USD")

	run(t, ctx, "sort by amount", submit(`th a.sort[href*="sort=-amount"]`))
	if got := refs(); got != "JANUARY MARCH DOLLARS FEBRUARY" {
		t.Errorf("sorted by amount: %q, want the largest first", got)
	}
	run(t, ctx, "turn the order round", submit(`th[aria-sort=descending] a.sort`))
	if got := refs(); got != "FEBRUARY DOLLARS MARCH JANUARY" {
		t.Errorf("sorted by amount ascending: %q", got)
	}

	// A filter keeps the sort, and the totals are the filtered set's.
	run(t, ctx, "filter by a customer",
		chromedp.SetValue(chromedp.CSS(`select[name=customer]`), h.acme.ID),
		submit(`form.filters button[type=submit]`))
	if got := refs(); got != "FEBRUARY MARCH JANUARY" {
		t.Errorf("Acme's payments by amount: %q", got)
	}
	if u, err := chromedp.Run(ctx, chromedp.Location()); err != nil || !strings.Contains(u, "sort=amount") || !strings.Contains(u, "customer="+h.acme.ID) {
		t.Errorf("the URL %q does not keep the sort and the filter (%v)", u, err)
	}
	if got := textOf(t, ctx, "#totals"); strings.Contains(got, "USD") {
		t.Errorf("the totals of Acme's payments name another customer's currency: %q", got)
	}

	// One line per row: no row is much taller than the header's line.
	heights, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`[...document.querySelectorAll("table.list tbody tr")].map(r => Math.round(r.getBoundingClientRect().height))`))
	if err != nil {
		t.Fatal(err)
	}
	for i, px := range heights {
		if px > 48 {
			t.Errorf("row %d is %d px tall: its text wraps (heights %v)", i+1, px, heights)
		}
	}

	// The invoices and organizations lists sort by their headers too.
	run(t, ctx, "open the invoices", chromedp.Navigate(h.URL+"/invoices"), chromedp.WaitReady(chromedp.CSS(`main`)))
	run(t, ctx, "sort invoices by total", submit(`th a.sort[href*="sort=-total"]`))
	wantText(t, ctx, "table.list tbody tr:first-child", "INV-1002")
	wantText(t, ctx, "#totals", "2 invoices in SGD")
	run(t, ctx, "open the organizations", chromedp.Navigate(h.URL+"/organizations"), chromedp.WaitReady(chromedp.CSS(`main`)))
	wantText(t, ctx, "table.list tbody tr:first-child", "Acme Telecom")
	run(t, ctx, "sort organizations by name, descending", submit(`th a.sort[href*="sort=-name"]`))
	wantText(t, ctx, "table.list tbody tr:first-child", "Borealis Cloud")
}
