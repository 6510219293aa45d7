package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"finapp"
)

var webhookSecretRe = regexp.MustCompile(`id="webhook-secret" value="(whsec_[^"]+)"`)

// shownSecret is the signing secret a page shows, as text (the page escapes "+" in attributes).
func shownSecret(body string) string {
	m := webhookSecretRe.FindStringSubmatch(body)
	if m == nil {
		return ""
	}
	return html.UnescapeString(m[1])
}

// Admin → Webhooks: a refused URL is named next to its field; an added endpoint shows its secret
// on the answering page only; its page disables and enables it, rotates its secret (shown once
// again) and deletes it. Admin → Events lists the feed.
func TestAdminWebhooks_AddShowSecretOnceDisableRotateDelete(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	status, body, _ := b.do("POST", "/admin/webhooks", url.Values{"url": {"https://127.0.0.1/hook"}, "events": {"*"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="url-error"`) || !strings.Contains(body, "not a public address") {
		t.Fatalf("loopback URL: %d\n%s", status, body)
	}
	status, body, _ = b.do("POST", "/admin/webhooks", url.Values{"url": {"https://hooks.example.com/erp"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="events-error"`) {
		t.Fatalf("no events: %d\n%s", status, body)
	}
	status, body, _ = b.do("POST", "/admin/webhooks", url.Values{"url": {"https://hooks.example.com/erp"}, "events": {finapp.EventInvoicePaid, finapp.EventPaymentRecorded}, "description": {"ERP"}})
	secret := shownSecret(body)
	if status != http.StatusOK || secret == "" {
		t.Fatalf("add: %d, want the page with the secret\n%s", status, body)
	}
	list, _ := w.svc.ListWebhookEndpoints(w.ctx)
	if len(list) != 1 || list[0].Secret != secret {
		t.Fatalf("endpoints %v", list)
	}
	id := list[0].ID
	for _, page := range []string{"/admin/webhooks", "/admin/webhooks/" + id} {
		_, body, _ := b.do("GET", page, nil)
		if strings.Contains(html.UnescapeString(body), secret) {
			t.Errorf("%s shows the secret again", page)
		}
		if !strings.Contains(body, "hooks.example.com/erp") {
			t.Errorf("%s does not show the endpoint", page)
		}
	}
	status, _, loc := b.do("POST", "/admin/webhooks/"+id+"/enabled", url.Values{"enabled": {"false"}})
	if _, body, _ := b.do("GET", loc, nil); status != http.StatusSeeOther || !strings.Contains(body, "Disabled") || !strings.Contains(body, `id="enable-webhook"`) {
		t.Fatalf("disable: %d %s\n%s", status, loc, body)
	}
	b.do("POST", "/admin/webhooks/"+id+"/enabled", url.Values{"enabled": {"true"}})
	status, body, _ = b.do("POST", "/admin/webhooks/"+id+"/rotate", url.Values{})
	if rotated := shownSecret(body); status != http.StatusOK || rotated == "" || rotated == secret {
		t.Fatalf("rotate: %d\n%s", status, body)
	}
	w.svc.RecordPayment(w.ctx, finapp.PaymentCreate{Amount: "12.00", Currency: "SGD", Method: "cash", Reference: "feed"})
	status, body, _ = b.do("GET", "/admin/events?type=payment.recorded", nil)
	if status != http.StatusOK || !strings.Contains(body, "payment.recorded") || !strings.Contains(html.UnescapeString(body), `"reference":"feed"`) {
		t.Fatalf("events: %d\n%s", status, body)
	}
	status, _, loc = b.do("POST", "/admin/webhooks/"+id+"/delete", url.Values{})
	if _, body, _ := b.do("GET", loc, nil); status != http.StatusSeeOther || strings.Contains(body, "hooks.example.com/erp") {
		t.Fatalf("delete: %d %s\n%s", status, loc, body)
	}
}
