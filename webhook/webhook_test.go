package webhook_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"finapp"
	"finapp/webhook"
)

// expectedSignature computes the Standard Webhooks signature by hand, as the specification
// describes it, independently of the library the sender uses.
func expectedSignature(t *testing.T, secret, id, ts string, body []byte) string {
	t.Helper()
	key, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(secret, "whsec_"))
	if err != nil {
		t.Fatal(err)
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(id + "." + ts + "."))
	mac.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// A real receiver gets the body as sent with the three headers; each signature is the HMAC the
// specification defines, one per secret while a secret is rotated, and a receiver using the
// reference library accepts the delivery with either secret.
func TestSend_SignsAsStandardWebhooksSays(t *testing.T) {
	oldSecret, newSecret := finapp.NewWebhookSecret(), finapp.NewWebhookSecret()
	if oldSecret == newSecret || !strings.HasPrefix(newSecret, "whsec_") {
		t.Fatalf("secrets %q %q", oldSecret, newSecret)
	}
	type got struct {
		header http.Header
		body   []byte
	}
	received := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		received <- got{r.Header.Clone(), b}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	s := webhook.NewSender(webhook.Policy{AllowInsecure: true, AllowPrivate: true}, 5*time.Second)
	body := []byte(`{"type":"payment.recorded","data":{"object":{"id":"pay_1","amount":"12.50"}}}`)
	at := time.Now().Truncate(time.Second)
	a := s.Send(context.Background(), srv.URL+"/hooks", webhook.Message{ID: "evt_01", At: at, Body: body}, newSecret, oldSecret)
	if !a.Delivered() || a.Status != http.StatusNoContent {
		t.Fatalf("attempt %+v", a)
	}
	g := <-received
	if string(g.body) != string(body) {
		t.Errorf("body %q; want %q", g.body, body)
	}
	ts := strconv.FormatInt(at.Unix(), 10)
	if g.header.Get("webhook-id") != "evt_01" || g.header.Get("webhook-timestamp") != ts {
		t.Errorf("headers %v", g.header)
	}
	sigs := strings.Split(g.header.Get("webhook-signature"), " ")
	want := []string{expectedSignature(t, newSecret, "evt_01", ts, body), expectedSignature(t, oldSecret, "evt_01", ts, body)}
	if len(sigs) != 2 || sigs[0] != want[0] || sigs[1] != want[1] {
		t.Errorf("webhook-signature %q; want %q", sigs, want)
	}
	for _, secret := range []string{oldSecret, newSecret} {
		wh, err := standardwebhooks.NewWebhook(secret)
		if err != nil {
			t.Fatal(err)
		}
		if err := wh.Verify(g.body, g.header); err != nil {
			t.Errorf("the reference library refuses the delivery with one of the secrets: %v", err)
		}
	}
	other, _ := standardwebhooks.NewWebhook(finapp.NewWebhookSecret())
	if err := other.Verify(g.body, g.header); err == nil {
		t.Error("a receiver with another secret accepted the delivery")
	}
}

// Only a 2xx in time is a delivery; the response is kept as a capped snippet; a redirect is not
// followed; a receiver slower than the timeout is a failure.
func TestSend_OnlyA2xxInTimeIsDelivered(t *testing.T) {
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { followed.Add(1) }))
	defer target.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("/fail", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = io.WriteString(w, strings.Repeat("x", 100000))
	})
	mux.HandleFunc("/redirect", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL, http.StatusTemporaryRedirect)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(1500 * time.Millisecond):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/binary", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte{'o', 'k', 0xff, 0xfe}) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	s := webhook.NewSender(webhook.Policy{AllowInsecure: true, AllowPrivate: true}, 500*time.Millisecond)
	m := webhook.Message{ID: "evt_02", At: time.Now(), Body: []byte(`{}`)}
	secret := finapp.NewWebhookSecret()

	a := s.Send(context.Background(), srv.URL+"/fail", m, secret)
	if a.Delivered() || a.Status != 500 || len(a.Snippet) != 1024 {
		t.Errorf("500: delivered=%v status=%d snippet %d bytes; want a failure with a 1024-byte snippet", a.Delivered(), a.Status, len(a.Snippet))
	}
	a = s.Send(context.Background(), srv.URL+"/redirect", m, secret)
	if a.Delivered() || a.Status != http.StatusTemporaryRedirect || followed.Load() != 0 {
		t.Errorf("redirect: %+v, followed %d times; want a failure, never followed", a, followed.Load())
	}
	start := time.Now()
	a = s.Send(context.Background(), srv.URL+"/slow", m, secret)
	if a.Delivered() || a.Status != 0 || time.Since(start) > 2*time.Second {
		t.Errorf("slow receiver: %+v after %s; want a failure at the 0.5 s timeout", a, time.Since(start))
	}
	a = s.Send(context.Background(), srv.URL+"/binary", m, secret)
	if !a.Delivered() || a.Snippet != "ok\uFFFD" {
		t.Errorf("binary body: %+v; want delivered with a valid UTF-8 snippet", a)
	}
}

// Without the operator's permission, a target on loopback is refused when the connection is
// made — also when it is named by a host name (localhost) that passes the check at saving time,
// which is how DNS rebinding reaches internal services — and the receiver never sees a request.
func TestSend_RefusesPrivateTargetsAtConnectTime(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1) }))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	strict := webhook.NewSender(webhook.Policy{AllowInsecure: true}, 2*time.Second)
	m := webhook.Message{ID: "evt_03", At: time.Now(), Body: []byte(`{}`)}
	byName := "http://localhost:" + port + "/hook"
	if err := strict.Policy.CheckURL(byName); err != nil {
		t.Fatalf("a host name is judged when connecting, not when saved: %v", err)
	}
	for _, url := range []string{srv.URL + "/hook", byName} {
		a := strict.Send(context.Background(), url, m, finapp.NewWebhookSecret())
		if a.Delivered() || !webhook.IsRefusedTarget(a.Err) {
			t.Errorf("%s: %+v; want refused as a target", url, a)
		}
	}
	if hits.Load() != 0 {
		t.Errorf("the loopback receiver got %d requests", hits.Load())
	}
}

func TestCheckURL(t *testing.T) {
	strict, insecure := webhook.Policy{}, webhook.Policy{AllowInsecure: true}
	for _, c := range []struct {
		policy webhook.Policy
		url    string
		ok     bool
	}{
		{strict, "https://hooks.example.com/finapp", true},
		{strict, "https://hooks.example.com:8443/finapp?x=1", true},
		{strict, "http://hooks.example.com/finapp", false},
		{insecure, "http://hooks.example.com/finapp", true},
		{strict, "ftp://hooks.example.com/", false},
		{strict, "https:///nohost", false},
		{strict, "https://user:pass@hooks.example.com/", false},
		{strict, "https://hooks.example.com/#frag", false},
		{strict, "https://hooks.example.com:99999/", false},
		{strict, "https://127.0.0.1/", false},
		{strict, "https://[::1]/", false},
		{strict, "https://169.254.169.254/latest/meta-data", false},
		{strict, "https://10.1.2.3/", false},
		{strict, "https://[::ffff:192.168.1.1]/", false},
		{strict, "https://93.184.215.14/", true},
		{strict, "/relative", false},
		{strict, "https://hooks.example.com/" + strings.Repeat("a", 2000), false},
	} {
		err := c.policy.CheckURL(c.url)
		if (err == nil) != c.ok {
			t.Errorf("CheckURL(%q) = %v; want ok=%v", c.url, err, c.ok)
		}
		if err != nil && !errors.Is(err, webhook.ErrTarget) {
			t.Errorf("CheckURL(%q) = %v; want ErrTarget", c.url, err)
		}
	}
}

func TestCheckAddr(t *testing.T) {
	strict := webhook.Policy{}
	for addr, public := range map[string]bool{
		"127.0.0.1": false, "127.8.9.10": false, "::1": false, "10.0.0.1": false, "172.16.0.1": false,
		"172.31.255.255": false, "192.168.0.1": false, "169.254.169.254": false, "fe80::1": false,
		"fc00::1": false, "fd00:ec2::254": false, "100.64.0.1": false, "100.127.255.255": false,
		"0.0.0.0": false, "::": false, "224.0.0.1": false, "ff02::1": false, "255.255.255.255": false,
		"::ffff:127.0.0.1": false, "::ffff:10.0.0.1": false, "64:ff9b::a00:1": false, "198.18.0.1": false,
		"192.0.2.1": false, "2001:db8::1": false,
		"8.8.8.8": true, "93.184.215.14": true, "172.32.0.1": true, "100.128.0.1": true, "2606:4700::1111": true,
	} {
		err := strict.CheckAddr(netip.MustParseAddr(addr))
		if (err == nil) != public {
			t.Errorf("CheckAddr(%s) = %v; want public=%v", addr, err, public)
		}
		if err := (webhook.Policy{AllowPrivate: true}).CheckAddr(netip.MustParseAddr(addr)); err != nil {
			t.Errorf("with private targets allowed, CheckAddr(%s) = %v", addr, err)
		}
	}
}

// FuzzCheckURL: whatever a client sends as an endpoint URL, the check answers without panicking,
// and what it accepts is an https URL with a host and no credentials.
func FuzzCheckURL(f *testing.F) {
	for _, s := range []string{"https://hooks.example.com/x", "http://[::1]:80/", "https://user@h/", "https://%zz", "https://h:0/", "https://[fe80::1%25eth0]/", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if err := (webhook.Policy{}).CheckURL(raw); err == nil {
			if !strings.HasPrefix(raw, "https://") && !strings.HasPrefix(strings.ToLower(raw), "https://") {
				t.Errorf("accepted %q, which is not https", raw)
			}
			if strings.Contains(raw, "@") && strings.Index(raw, "@") < strings.IndexAny(raw[8:]+"/", "/?")+8 {
				t.Errorf("accepted %q, which carries credentials", raw)
			}
		}
	})
}
