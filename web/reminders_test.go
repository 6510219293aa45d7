package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"finapp"
)

// The Reminders page lists what became due today; its button finds them at once.
func TestReminders_PageListsWhatIsDueToday(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	org := h.org("Slow Payer", "SGD")
	ctx := finapp.WithActor(t.Context(), finapp.Actor{Name: "test", Role: finapp.RoleAdmin, WorkspaceID: finapp.DefaultWorkspace})
	if _, err := h.svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: org.ID, Number: "SLOW-1", Total: "42.00", IssuedOn: "2020-01-01", DueOn: "2020-01-31"}); err != nil {
		t.Fatal(err)
	}
	status, page := c.get("/reminders")
	if status != http.StatusOK || !strings.Contains(page, "No reminders became due") || !strings.Contains(page, "7, 14, 30 days overdue") {
		t.Fatalf("before a run: %d\n%s", status, page)
	}
	status, page = c.post("/reminders/run", token(t, page), url.Values{})
	if status != http.StatusOK || !strings.Contains(page, "SLOW-1") || !strings.Contains(page, "Slow Payer") || !strings.Contains(page, "30 days") {
		t.Fatalf("after a run: %d\n%s", status, page)
	}
}
