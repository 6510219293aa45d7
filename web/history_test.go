package web_test

import (
	"net/http"
	"regexp"
	"strings"
	"testing"

	"finapp"
)

// A payment's page (an invoice's, a credit note's) shows its latest allocations and links on to the older ones, a page at a
// time, so the page stays the same size however long the payment's history (issue 12).
func TestDetailPages_HistoriesPageToOlderEntries(t *testing.T) {
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
	// The invoice's page pages its allocations the same way.
	invoiceRow := regexp.MustCompile(`<a href="/payments/` + d.ID + `" class="payment-link">`)
	invoiceOlder := regexp.MustCompile(`href="(/invoices/` + inv.ID + `\?allocations_before=alc_[0-9a-z]{26})#allocations" id="older-allocations"`)
	_, body = c.get("/invoices/" + inv.ID)
	link = invoiceOlder.FindStringSubmatch(body)
	if got := len(invoiceRow.FindAllString(body, -1)); got != finapp.DetailHistoryLimit || link == nil {
		t.Fatalf("the invoice page lists %d allocations (want %d) with older link %v", got, finapp.DetailHistoryLimit, link)
	}
	_, body = c.get(link[1])
	if got := len(invoiceRow.FindAllString(body, -1)); got != n-finapp.DetailHistoryLimit || !strings.Contains(body, `id="latest-allocations"`) {
		t.Fatalf("the invoice's older page lists %d allocations, want %d, and a link back", got, n-finapp.DetailHistoryLimit)
	}

	// A credit note's page pages its applications.
	cn, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, Amount: "500.00", Reason: "a year of credits"})
	if err != nil {
		t.Fatal(err)
	}
	target := h.invoice(h.acme, "HOT-2", "1000.00", finapp.KindStandard)
	for range n {
		if _, err := h.svc.ApplyCreditNote(h.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: target.ID, Amount: "1.00"}}}); err != nil {
			t.Fatal(err)
		}
	}
	cnRow := regexp.MustCompile(`<td data-label="Invoice"><a href="/invoices/` + target.ID + `">HOT-2</a></td>`)
	cnOlder := regexp.MustCompile(`href="(/credit-notes/` + cn.ID + `\?applications_before=cna_[0-9a-z]{26})#applications" id="older-applications"`)
	_, body = c.get("/credit-notes/" + cn.ID)
	link = cnOlder.FindStringSubmatch(body)
	if got := len(cnRow.FindAllString(body, -1)); got != finapp.DetailHistoryLimit || link == nil {
		t.Fatalf("the credit note page lists %d applications (want %d) with older link %v", got, finapp.DetailHistoryLimit, link)
	}
	_, body = c.get(link[1])
	if got := len(cnRow.FindAllString(body, -1)); got != n-finapp.DetailHistoryLimit || !strings.Contains(body, `id="latest-applications"`) {
		t.Fatalf("the credit note's older page lists %d applications, want %d, and a link back", got, n-finapp.DetailHistoryLimit)
	}

	if status, body = c.get("/payments/" + d.ID + "?allocations_before=garbage"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "not a cursor") {
		t.Fatalf("a malformed allocations_before: %d, want 422 saying why:\n%s", status, body)
	}
}
