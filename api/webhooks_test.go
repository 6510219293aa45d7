package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/webhook"
)

// receiver is a real HTTP server that records what webhooks bring and answers as told.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	got    []delivery
	answer func(n int) int // status for the n-th request (from 0)
	delay  time.Duration
}

type delivery struct {
	header http.Header
	body   []byte
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: func(int) int { return http.StatusOK }}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		n := len(r.got)
		r.got = append(r.got, delivery{req.Header.Clone(), body})
		status, delay := r.answer(n), r.delay
		r.mu.Unlock()
		if delay > 0 {
			select {
			case <-time.After(delay):
			case <-req.Context().Done():
			}
		}
		w.WriteHeader(status)
		fmt.Fprintf(w, "answer %d\n\tfrom the receiver", n)
	}))
	t.Cleanup(r.Close)
	return r
}

func (r *receiver) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

// verify checks a delivery's signature as a receiver would, by hand from the specification: any
// one of the signatures is the HMAC-SHA256 of id.timestamp.body with the secret.
func verify(t *testing.T, d delivery, secret string) bool {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	fmt.Fprintf(mac, "%s.%s.", d.header.Get("webhook-id"), d.header.Get("webhook-timestamp"))
	mac.Write(d.body)
	want := "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
	for _, sig := range strings.Fields(d.header.Get("webhook-signature")) {
		if hmac.Equal([]byte(sig), []byte(want)) {
			return true
		}
	}
	return false
}

// webhookWorld is a test server with a movable clock and a dispatcher that runs when told.
type webhookWorld struct {
	*testServer
	mu  sync.Mutex
	now time.Time
	d   *webhook.Dispatcher
}

func newWebhookWorld(t *testing.T, policy webhook.Policy, timeout time.Duration) *webhookWorld {
	w := &webhookWorld{testServer: newTestServer(t), now: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	w.Svc.Now = func() time.Time {
		w.mu.Lock()
		defer w.mu.Unlock()
		return w.now
	}
	w.Svc.WebhookTargets = webhook.Policy{AllowInsecure: true, AllowPrivate: true} // saving: loopback allowed
	w.d = &webhook.Dispatcher{Service: w.Svc, Sender: webhook.NewSender(policy, timeout), Owner: "test",
		Workspaces: func(context.Context) ([]string, error) { return []string{finapp.DefaultWorkspace}, nil }}
	return w
}

func (w *webhookWorld) advance(d time.Duration) {
	w.mu.Lock()
	w.now = w.now.Add(d)
	w.mu.Unlock()
}

func (w *webhookWorld) round() int {
	w.t.Helper()
	n, err := w.d.Round(context.Background())
	if err != nil {
		w.t.Fatal(err)
	}
	return n
}

func (w *webhookWorld) endpoint(url string, events ...string) (id, secret string) {
	w.t.Helper()
	r := w.must(201, "POST", "/v1/webhook-endpoints", map[string]any{"url": url, "events": events, "description": "ERP"}, "Authorization", "Bearer "+w.Admin)
	if loc := r.Header.Get("Location"); loc != "/v1/webhook-endpoints/"+r.str("id") {
		w.t.Errorf("Location %q", loc)
	}
	return r.str("id"), r.str("secret")
}

func (w *webhookWorld) admin(want int, method, path string, body any) *response {
	w.t.Helper()
	return w.must(want, method, path, body, "Authorization", "Bearer "+w.Admin)
}

// Events committed after an endpoint is made reach it signed with its secret, in sequence order,
// each body exactly the feed's envelope, webhook-id the event's id; only the subscribed types go;
// the secret is shown once; the delivery log lists each attempt.
func TestWebhooks_DeliverSignedEventsInOrder(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true, AllowPrivate: true}, 2*time.Second)
	rcv := newReceiver(t)
	before := w.payment("", "1.00", "SGD") // before the endpoint: not sent
	id, secret := w.endpoint(rcv.URL+"/hooks", "payment.recorded", "invoice.paid")
	if !strings.HasPrefix(secret, "whsec_") {
		t.Fatalf("secret %q", secret)
	}
	if got := w.admin(200, "GET", "/v1/webhook-endpoints/"+id, nil); strings.Contains(string(got.Body), secret) || got.JSON["secret"] != nil {
		t.Fatal("GET shows the signing secret again")
	}
	if got := w.admin(200, "GET", "/v1/webhook-endpoints", nil); strings.Contains(string(got.Body), secret) {
		t.Fatal("the list shows the signing secret")
	}
	org := w.org("Acme", "SGD")
	inv := w.invoice(org, "INV-1", "standard", "30.00")
	var pays []string
	for i := range 3 {
		pays = append(pays, w.payment(org, fmt.Sprintf("%d.00", 10*(i+1)), "SGD"))
	}
	w.must(200, "POST", "/v1/payments/"+pays[2]+"/allocations", map[string]any{"allocations": allocLines(inv, "30.00")})

	if n := w.round(); n != 4 {
		t.Fatalf("the round made %d attempts; want 4 (3 payment.recorded, 1 invoice.paid)", n)
	}
	got := rcv.deliveries()
	feed := w.must(200, "GET", "/v1/events?type=payment.recorded,invoice.paid&limit=500", nil).dataList()
	feed = feed[1:] // the payment recorded before the endpoint existed
	if len(got) != len(feed) {
		t.Fatalf("%d deliveries; want %d", len(got), len(feed))
	}
	var lastSeq float64
	for i, d := range got {
		var body map[string]any
		if err := json.Unmarshal(d.body, &body); err != nil {
			t.Fatal(err)
		}
		want, _ := json.Marshal(feed[i])
		var wantBody map[string]any
		_ = json.Unmarshal(want, &wantBody)
		if fmt.Sprint(body) != fmt.Sprint(wantBody) {
			t.Errorf("delivery %d: %s\nwant the feed's %s", i, d.body, want)
		}
		if d.header.Get("webhook-id") != body["id"] || d.header.Get("Content-Type") != "application/json" {
			t.Errorf("delivery %d: headers %v", i, d.header)
		}
		if !verify(t, d, secret) {
			t.Errorf("delivery %d: the signature does not verify with the endpoint's secret", i)
		}
		if seq := body["sequence"].(float64); seq <= lastSeq {
			t.Errorf("delivery %d has sequence %v after %v: out of order", i, seq, lastSeq)
		} else {
			lastSeq = seq
		}
		if obj := body["data"].(map[string]any)["object"].(map[string]any); obj["id"] == before {
			t.Error("an event from before the endpoint existed was sent")
		}
	}
	if n := w.round(); n != 0 || len(rcv.deliveries()) != 4 {
		t.Errorf("a second round sent %d more: a delivered event is sent once", n)
	}
	log := w.admin(200, "GET", "/v1/webhook-endpoints/"+id+"/deliveries", nil).dataList()
	if len(log) != 4 || log[0]["status"] != float64(200) || log[0]["delivered"] != true || !strings.HasPrefix(log[0]["response"].(string), "answer 3") {
		t.Errorf("delivery log %v", log)
	}
}

// A 500 or a receiver slower than the timeout is a failed attempt, logged with its status and
// the start of the answer, tried again on the schedule (about 5 s, then 30 s …) until a 2xx.
// Redelivery sends an event again with the same webhook-id. A rotated secret signs beside the new
// one for 24 hours.
func TestWebhooks_RetryRedeliverRotate(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true, AllowPrivate: true}, 300*time.Millisecond)
	rcv := newReceiver(t)
	rcv.answer = func(n int) int {
		if n == 0 {
			return http.StatusInternalServerError
		}
		return http.StatusNoContent
	}
	id, secret := w.endpoint(rcv.URL, "*")
	w.payment("", "5.00", "SGD")
	if n := w.round(); n != 1 {
		t.Fatalf("first round: %d attempts", n)
	}
	if n := w.round(); n != 0 {
		t.Fatalf("the failed delivery was retried at once (%d attempts), not on the schedule", n)
	}
	w.advance(4 * time.Second) // before the first retry (5 s, less a tenth at most)
	if n := w.round(); n != 0 {
		t.Fatalf("retried after 4 s")
	}
	w.advance(2 * time.Second)
	if n := w.round(); n != 1 {
		t.Fatalf("not retried after 6 s")
	}
	log := w.admin(200, "GET", "/v1/webhook-endpoints/"+id+"/deliveries", nil).dataList()
	if len(log) != 2 || log[1]["status"] != float64(500) || log[1]["delivered"] != false || !strings.HasPrefix(log[1]["response"].(string), "answer 0") || strings.ContainsAny(log[1]["response"].(string), "\n\t") ||
		log[0]["status"] != float64(204) || log[0]["delivered"] != true {
		t.Fatalf("delivery log %v", log)
	}
	d := rcv.deliveries()
	if len(d) != 2 || d[0].header.Get("webhook-id") != d[1].header.Get("webhook-id") {
		t.Fatalf("a retry must carry the same webhook-id: %v", d)
	}

	// Too slow: a failure with no status.
	rcv.delay = time.Second
	w.payment("", "6.00", "SGD")
	if n := w.round(); n != 1 {
		t.Fatalf("round: %d", n)
	}
	if log := w.admin(200, "GET", "/v1/webhook-endpoints/"+id+"/deliveries?limit=1", nil).dataList(); log[0]["status"] != float64(0) || log[0]["delivered"] != false {
		t.Errorf("a receiver slower than the timeout: %v", log)
	}
	rcv.delay = 0

	// Redeliver the first event; rotate the secret first: both secrets sign.
	rot := w.admin(200, "POST", "/v1/webhook-endpoints/"+id+"/rotate-secret", nil)
	newSecret := rot.str("secret")
	if newSecret == secret || rot.JSON["previous_secret_valid_until"] == nil {
		t.Fatalf("rotation: %s", rot.Body)
	}
	first := d[0].header.Get("webhook-id")
	w.admin(202, "POST", "/v1/webhook-endpoints/"+id+"/deliveries", map[string]any{"event_id": first})
	w.advance(time.Hour) // also lets the slow one's retry come due
	w.round()
	var again *delivery
	for _, x := range rcv.deliveries()[2:] {
		if x.header.Get("webhook-id") == first {
			again = &x
		}
	}
	if again == nil {
		t.Fatal("the redelivered event did not arrive")
	}
	if !verify(t, *again, newSecret) || !verify(t, *again, secret) {
		t.Error("during the grace period both the new and the old secret must verify")
	}
	w.advance(25 * time.Hour)
	w.admin(202, "POST", "/v1/webhook-endpoints/"+id+"/deliveries", map[string]any{"event_id": first})
	w.round()
	last := rcv.deliveries()[len(rcv.deliveries())-1]
	if !verify(t, last, newSecret) || verify(t, last, secret) {
		t.Error("after 24 hours only the new secret may sign")
	}
	expectFieldProblem(t, w.call("POST", "/v1/webhook-endpoints/"+id+"/deliveries", map[string]any{"event_id": "evt_01m8w5c3d7mfj8ge583rsmwx1j"},
		"Authorization", "Bearer "+w.Admin), "validation_error", "event_id")
}

// An endpoint whose every attempt fails for three days is disabled and says why; its delivery
// gives up; enabling it again starts afresh.
func TestWebhooks_DisabledAfterThreeDaysOfFailure(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true, AllowPrivate: true}, time.Second)
	rcv := newReceiver(t)
	rcv.answer = func(int) int { return http.StatusServiceUnavailable }
	id, _ := w.endpoint(rcv.URL, "payment.recorded")
	w.payment("", "5.00", "SGD")
	for i := 0; i < 40; i++ {
		w.round()
		w.advance(3 * time.Hour)
	}
	e := w.admin(200, "GET", "/v1/webhook-endpoints/"+id, nil)
	if e.JSON["enabled"] != false || !strings.Contains(e.str("disabled_reason"), "failed") {
		t.Fatalf("after 5 days of failures: %s", e.Body)
	}
	attempts := len(rcv.deliveries())
	if attempts < 8 || attempts > 20 {
		t.Errorf("%d attempts over three days; want the schedule's (5 s, 30 s, 2 min … then every 12 h)", attempts)
	}
	w.payment("", "6.00", "SGD")
	w.advance(time.Hour)
	if n := w.round(); n != 0 {
		t.Errorf("a disabled endpoint got %d attempts", n)
	}
	rcv.answer = func(int) int { return http.StatusOK }
	w.admin(200, "PATCH", "/v1/webhook-endpoints/"+id, map[string]any{"enabled": true})
	if n := w.round(); n != 1 {
		t.Errorf("after enabling: %d attempts; want the event recorded meanwhile", n)
	}
	if e := w.admin(200, "GET", "/v1/webhook-endpoints/"+id, nil); e.JSON["enabled"] != true || e.JSON["failing_since"] != nil {
		t.Errorf("enabled again: %s", e.Body)
	}
}

// Without the operator's permission, a private or loopback target is refused when saved (an IP)
// and when connecting (a host name that resolves there); plain http is refused unless allowed.
func TestWebhooks_TargetsAreCheckedWhenSavedAndWhenSending(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true}, time.Second) // sending: no private targets
	rcv := newReceiver(t)
	w.Svc.WebhookTargets = webhook.Policy{} // saving: the strict default
	for _, c := range []struct{ url, says string }{
		{"http://hooks.example.com/x", "https"},
		{"https://127.0.0.1/x", "public"},
		{"https://169.254.169.254/latest", "public"},
		{"https://[::1]:8443/x", "public"},
		{"ftp://hooks.example.com/", "https"},
	} {
		r := w.call("POST", "/v1/webhook-endpoints", map[string]any{"url": c.url, "events": []string{"*"}}, "Authorization", "Bearer "+w.Admin)
		expectFieldProblem(t, r, "validation_error", "url")
		if !strings.Contains(r.str("detail"), c.says) {
			t.Errorf("%s: %q does not say %q", c.url, r.str("detail"), c.says)
		}
	}
	// Saved by name, then sent to: the name resolves to loopback, refused at connect time.
	w.Svc.WebhookTargets = webhook.Policy{AllowInsecure: true}
	port := rcv.URL[strings.LastIndex(rcv.URL, ":"):]
	id, _ := w.endpoint("http://localhost"+port+"/hook", "*")
	w.payment("", "5.00", "SGD")
	if n := w.round(); n != 1 {
		t.Fatalf("round: %d", n)
	}
	if len(rcv.deliveries()) != 0 {
		t.Fatal("a loopback receiver was reached")
	}
	log := w.admin(200, "GET", "/v1/webhook-endpoints/"+id+"/deliveries", nil).dataList()
	if len(log) != 1 || !strings.Contains(log[0]["error"].(string), "not a public address") {
		t.Errorf("delivery log %v", log)
	}
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"url": "http://hooks.example.com/", "events": []string{}}, "events"},
		{map[string]any{"url": "http://hooks.example.com/", "events": []string{"payment.exploded"}}, "events"},
		{map[string]any{"url": "http://hooks.example.com/", "events": []string{"*", "invoice.paid"}}, "events"},
		{map[string]any{"url": "", "events": []string{"*"}}, "url"},
	} {
		expectFieldProblem(t, w.call("POST", "/v1/webhook-endpoints", c.body, "Authorization", "Bearer "+w.Admin), "validation_error", c.field)
	}
}
