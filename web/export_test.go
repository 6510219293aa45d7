package web_test

import (
	"bytes"
	"encoding/csv"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"finapp"
)

var exportRe = regexp.MustCompile(`href="(/export/[^"]*)" id="(export[^"]*)"`)

// Each list page and report has an Export button whose CSV is the list as filtered on the page
// (the API's export, as the signed-in user): here, the payments of one customer.
func TestExport_ButtonsDownloadTheFilteredList(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	acme, other := h.org("Acme Export", "SGD"), h.org("Other Export", "SGD")
	ctx := finapp.WithActor(t.Context(), finapp.Actor{Name: "test", Role: finapp.RoleAdmin, WorkspaceID: finapp.DefaultWorkspace})
	for _, o := range []*finapp.Organization{acme, acme, other} {
		if _, err := h.svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: o.ID, Amount: "12.30", Currency: "SGD", Method: "cash", Remark: "=1+1"}); err != nil {
			t.Fatal(err)
		}
	}
	_, page := c.get("/payments?customer=" + acme.ID)
	m := exportRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no Export button on the payments page:\n%s", page)
	}
	link := html.UnescapeString(m[1])
	if !strings.Contains(link, "customer="+acme.ID) {
		t.Fatalf("the Export link %q drops the page's filter", link)
	}
	resp, err := c.http.Get(h.URL + link)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body bytes.Buffer
	_, _ = body.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("%s: %d %q %s", link, resp.StatusCode, resp.Header.Get("Content-Type"), body.String())
	}
	records, err := csv.NewReader(&body).ReadAll()
	if err != nil || len(records) != 3 {
		t.Fatalf("%d records (%v), want a header and acme's 2 payments:\n%v", len(records), err, records)
	}
	for _, rec := range records[1:] {
		if !strings.Contains(strings.Join(rec, ","), acme.ID) || !strings.Contains(strings.Join(rec, ","), "'=1+1") {
			t.Errorf("row %v", rec)
		}
	}
	// Every list page and both reports carry a button, and every button downloads a CSV.
	if _, err := h.auth.CreateUser(ctx, finapp.DefaultWorkspace, "export-admin@example.com", finapp.RoleAdmin, testPassword); err != nil {
		t.Fatal(err)
	}
	admin := h.client()
	if status, body := admin.login("export-admin@example.com", testPassword); status != http.StatusOK {
		t.Fatalf("admin login: %d %s", status, body)
	}
	hook, err := h.svc.CreateWebhookEndpoint(ctx, finapp.WebhookEndpointCreate{URL: "https://hooks.example.com/export", Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/invoices", "/organizations", "/credit-notes", "/audit", "/reports", "/reminders", "/admin/events", "/admin/users", "/admin/tokens",
		"/admin/webhooks", "/admin/webhooks/" + hook.ID} {
		c := c
		if strings.HasPrefix(p, "/admin/") {
			c = admin
		}
		_, page := c.get(p)
		links := exportRe.FindAllStringSubmatch(page, -1)
		if len(links) == 0 {
			t.Errorf("%s: no Export button", p)
		}
		for _, l := range links {
			status, body := c.get(html.UnescapeString(l[1]))
			if status != http.StatusOK || strings.Count(strings.SplitN(body, "\n", 2)[0], ",") < 1 {
				t.Errorf("%s %s: %d %.200s", p, l[1], status, body)
			}
		}
	}
	if status, _ := c.get("/export/secrets"); status != http.StatusNotFound {
		t.Errorf("/export/secrets: %d, want 404", status)
	}
}
