package web_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"finapp"
)

// With more organizations owing money than the page shows, the aging table lists the first ones
// by name and says how many more there are, while the totals still count every one.
func TestReports_AgingTableShowsTheFirstRowsAndCountsTheRest(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	now := time.Now().UTC()
	today := now.Format("2006-01-02")
	// 500 more customers owing 10.00 each, written straight into the books: the page only reads.
	err := h.svc.Store.Update(h.ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		for i := range 500 {
			o := &finapp.Organization{ID: finapp.NewID(finapp.PrefixOrganization), Name: fmt.Sprintf("Zed %03d", i), BillingCurrency: "SGD",
				Status: "active", CreatedAt: now, Version: 1}
			if err := tx.CreateOrganization(h.ctx, o); err != nil {
				return err
			}
			inv := &finapp.Invoice{ID: finapp.NewID(finapp.PrefixInvoice), Number: fmt.Sprintf("Z-%03d", i), OrganizationID: o.ID,
				Kind: finapp.KindStandard, Currency: "SGD", Total: 1000, IssuedOn: today, DueOn: today, Status: finapp.InvoiceUnpaid,
				CreatedAt: now, Version: 1}
			if err := tx.CreateInvoice(h.ctx, inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := h.client()
	c.loggedIn()
	_, body := c.get("/reports")
	// Acme Telecom (800.00 due) and Zed 000 … Zed 498 make 500 rows; Zed 499 is the one more.
	mustContain(t, "aging with 501 rows", body, "Acme Telecom Pte Ltd", ">Zed 498<", `id="aging-more"`, "and 1 more row ", "SGD 5,800.00")
	if strings.Contains(body, ">Zed 499<") {
		t.Error("the 501st row is on the page")
	}
}
