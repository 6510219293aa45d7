package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// The webhook kill -9 drill (issue 17): while `finapp serve` delivers payment.recorded events to a
// slow receiver, the process is killed outright; after a restart every event of every
// acknowledged payment reaches the receiver — at least once, a crash included. Deliveries the
// dead server had leased are taken again when their lease runs out.
func TestDrill_WebhooksSurviveKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := drillDB(t, bin)
	token := createToken(t, bin, db)
	out, err := exec.Command(bin, "token", "create", "--role", "admin", "--db", db).Output()
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(out))

	var mu sync.Mutex
	received := map[string]int{} // payment id → deliveries of its payment.recorded
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(30 * time.Millisecond) // slow enough that deliveries are in flight at the kill
		var e struct {
			Type string `json:"type"`
			Data struct {
				Object struct {
					ID string `json:"id"`
				} `json:"object"`
			} `json:"data"`
		}
		body, _ := io.ReadAll(r.Body)
		if json.Unmarshal(body, &e) == nil && e.Type == "payment.recorded" {
			mu.Lock()
			received[e.Data.Object.ID]++
			mu.Unlock()
		}
	}))
	defer rcv.Close()
	count := func() int {
		mu.Lock()
		defer mu.Unlock()
		return len(received)
	}

	flags := []string{"--allow-insecure-webhooks", "--allow-private-webhooks", "--webhook-timeout", "2s", "--webhook-lease", "3s"}
	srv, url := startServer(t, bin, db, flags...)
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("POST", url+"/v1/webhook-endpoints", strings.NewReader(fmt.Sprintf(`{"url":%q,"events":["payment.recorded"]}`, rcv.URL+"/hook")))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("creating the endpoint: %v %v", err, res)
	}
	res.Body.Close()

	acked := map[string]bool{}
	for n := range 80 {
		ref := fmt.Sprintf("hook-%d", n)
		a := postPayment(client, url, token, ref, paymentBody(ref, n))
		if a.status != http.StatusCreated {
			t.Fatalf("%s: %d %s %v", ref, a.status, a.body, a.err)
		}
		acked[a.id] = true
	}
	waitUntil(t, 20*time.Second, "10 deliveries before the kill", func() bool { return count() >= 10 })
	if err := srv.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	before := count()
	if before >= len(acked) {
		t.Fatalf("all %d events were delivered before the kill: the drill did not kill a server with work left", before)
	}

	srv2, _ := startServer(t, bin, db, flags...)
	defer stopServer(t, srv2)
	waitUntil(t, 60*time.Second, "every acknowledged payment's event delivered after the restart", func() bool {
		mu.Lock()
		defer mu.Unlock()
		for id := range acked {
			if received[id] == 0 {
				return false
			}
		}
		return true
	})
	mu.Lock()
	twice := 0
	for _, n := range received {
		if n > 1 {
			twice++
		}
	}
	mu.Unlock()
	t.Logf("kill -9 with %d of %d events delivered; after the restart all %d arrived (%d more than once)", before, len(acked), len(acked), twice)
}

// `finapp webhooks deliver` sends what is due and exits, saying how many attempts it made.
func TestWebhooksDeliver_OneShot(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := drillDB(t, bin)
	got := make(chan string, 10)
	rcv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Get("webhook-id")
	}))
	defer rcv.Close()
	// The endpoint and a payment, through a server that does not deliver (its targets refused).
	out, err := exec.Command(bin, "token", "create", "--role", "admin", "--db", db).Output()
	if err != nil {
		t.Fatal(err)
	}
	admin := strings.TrimSpace(string(out))
	srv, url := startServer(t, bin, db, "--allow-insecure-webhooks", "--allow-private-webhooks", "--webhook-lease", "1h")
	client := &http.Client{Timeout: 10 * time.Second}
	req, _ := http.NewRequest("POST", url+"/v1/webhook-endpoints", strings.NewReader(fmt.Sprintf(`{"url":%q,"events":["*"]}`, rcv.URL)))
	req.Header.Set("Authorization", "Bearer "+admin)
	req.Header.Set("Content-Type", "application/json")
	if res, err := client.Do(req); err != nil || res.StatusCode != http.StatusCreated {
		t.Fatalf("creating the endpoint: %v %v", err, res)
	}
	stopServer(t, srv)
	// Written while no server runs: only the one-shot command can send it.
	csvFile := filepath.Join(t.TempDir(), "one.csv")
	if err := os.WriteFile(csvFile, []byte("received_on,amount,currency,method,reference\n2026-12-01,12.00,SGD,cash,one-shot\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "import", "payments", "--db", db, csvFile).CombinedOutput(); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	out, err = exec.Command(bin, "webhooks", "deliver", "--db", db, "--allow-insecure-webhooks", "--allow-private-webhooks").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "1 delivery attempts made") {
		t.Fatalf("webhooks deliver: %v\n%s", err, out)
	}
	select {
	case id := <-got:
		if !strings.HasPrefix(id, "evt_") {
			t.Errorf("webhook-id %q", id)
		}
	default:
		t.Fatal("the receiver got nothing")
	}
}
