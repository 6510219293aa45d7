package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"finapp"
)

// A payment's page shows its latest allocations and links on to the older ones, a page at a
// time, so the page stays the same size however long the payment's history (issue 12).
func TestPaymentPage_AllocationHistoryPages(t *testing.T) {
	h := newHarness(t, false)
	inv := h.invoice(h.acme, "HOT-1", "1000.00", finapp.KindStandard)
	d := h.pay(h.acme.ID, "1000.00", "bank_transfer", "hot")
	n := finapp.DetailHistoryLimit + 3
	for range n {
		h.allocate(d.ID, finapp.AllocationLine{InvoiceID: inv.ID, Amount: "1.00"})
	}
	c := h.client()
	c.loggedIn()
	row := regexp.MustCompile(`<td data-label="Invoice"><a href="/invoices/` + inv.ID + `">HOT-1</a></td>`)
	older := regexp.MustCompile(`href="(/payments/` + d.ID + `\?allocations_before=alc_[0-9a-z]{26})#allocations" id="older-allocations"`)

	status, body := c.get("/payments/" + d.ID)
	if status != http.StatusOK {
		t.Fatalf("payment page: %d", status)
	}
	if got := len(row.FindAllString(body, -1)); got != finapp.DetailHistoryLimit {
		t.Fatalf("the page lists %d allocations, want the latest %d", got, finapp.DetailHistoryLimit)
	}
	link := older.FindStringSubmatch(body)
	if link == nil || strings.Contains(body, `id="latest-allocations"`) {
		t.Fatalf("no link to the older allocations, or a link back to the latest on the latest:\n%s", body)
	}
	status, body = c.get(strings.ReplaceAll(link[1], "&amp;", "&"))
	if status != http.StatusOK {
		t.Fatalf("older allocations: %d", status)
	}
	if got := len(row.FindAllString(body, -1)); got != n-finapp.DetailHistoryLimit {
		t.Fatalf("the older page lists %d allocations, want the %d before the latest", got, n-finapp.DetailHistoryLimit)
	}
	if older.MatchString(body) || !strings.Contains(body, `id="latest-allocations"`) {
		t.Fatal("the oldest page links further back, or not back to the latest")
	}
	if status, body = c.get("/payments/" + d.ID + "?allocations_before=garbage"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "not a cursor") {
		t.Fatalf("a malformed allocations_before: %d, want 422 saying why:\n%s", status, body)
	}
}
