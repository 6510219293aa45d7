package main

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The crash drill of issue 7: kill -9 the server while clients record payments, then check that
// the database holds every payment a client saw acknowledged, nothing half-written (finapp verify
// checks every invariant and the audit chain), and that the server starts again on it. Then every
// request that was in flight at the kill, and so never answered, is sent again with its same
// Idempotency-Key and body, as a client would: each ends up recorded exactly once — recorded now
// (201), replayed (201, the kill came after its response was stored), or found applied (409
// idempotency_key_in_flight or idempotency_response_lost: committed, its response lost).
func TestCrashDrill_KillNineLosesNoAcknowledgedPayment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "books.db")
	migrateDB(t, bin, db)
	token := createToken(t, bin, db)

	srv, url := startServer(t, bin, db)
	type request struct{ ref, body string }
	var mu sync.Mutex
	acked := map[string]string{} // reference → payment id
	var unanswered []request     // in flight at the kill, or sent just after it
	stop := make(chan struct{})
	var wg sync.WaitGroup
	client := &http.Client{Timeout: 5 * time.Second}
	for c := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ref := fmt.Sprintf("crash-%d-%d", c, n)
				body := paymentBody(ref, n)
				res := postPayment(client, url, token, ref, body)
				mu.Lock()
				switch {
				case res.err != nil:
					unanswered = append(unanswered, request{ref, body})
				case res.status == http.StatusCreated:
					acked[ref] = res.id
				default:
					t.Errorf("status %d while the server was up: %s", res.status, res.body)
				}
				mu.Unlock()
				if res.err != nil || res.status != http.StatusCreated {
					return // the server is gone
				}
			}
		}()
	}
	time.Sleep(1500 * time.Millisecond)
	if err := srv.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = srv.Wait()
	close(stop)
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(acked) < 50 {
		t.Fatalf("only %d payments acknowledged before the kill: the drill did not load the server", len(acked))
	}

	verifyBooks(t, bin, db)

	srv2, url2 := startServer(t, bin, db)
	defer stopServer(t, srv2)
	// The unanswered requests again, same key and body. A 409 in_flight is "already there":
	// after a crash no one is storing its response, and it turns into response_lost only after
	// api.Deps.LostResponseAfter (a minute); the books below show whether it is there.
	var fresh, replayed, applied int
	for _, r := range unanswered {
		res := postPayment(client, url2, token, r.ref, r.body)
		switch {
		case res.err == nil && res.status == http.StatusCreated && res.replayed:
			replayed++
		case res.err == nil && res.status == http.StatusCreated:
			fresh++
		case res.err == nil && res.status == http.StatusConflict && (res.code == "idempotency_key_in_flight" || res.code == "idempotency_response_lost"):
			applied++
		default:
			t.Errorf("%s sent again after the restart: %d %s %v", r.ref, res.status, res.body, res.err)
		}
	}
	t.Logf("kill -9 under 16 clients: %d payments acknowledged; the %d unanswered sent again after the restart: %d recorded now, %d replayed, %d found applied (409)",
		len(acked), len(unanswered), fresh, replayed, applied)
	books := paymentsByReference(t, client, url2, token)
	for ref, id := range acked {
		if ids := books[ref]; len(ids) != 1 || ids[0] != id {
			t.Errorf("acknowledged payment %s (%s) is in the books as %v after the restart", ref, id, ids)
		}
	}
	for _, r := range unanswered {
		if ids := books[r.ref]; len(ids) != 1 {
			t.Errorf("payment %s, sent again with its key after the crash, is in the books as %v (want once)", r.ref, ids)
		}
	}
	if want := len(acked) + len(unanswered); len(books) != want {
		t.Errorf("%d references in the books, want %d", len(books), want)
	}
}

// startServer starts `finapp serve` on db (with more flags, if given) and returns it with its URL,
// read from what it prints.
func startServer(t *testing.T, bin, db string, flags ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"serve", "--db", db, "--addr", "127.0.0.1:0"}, flags...)...)
	cmd.Stderr = &bytes.Buffer{}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if i := strings.Index(sc.Text(), "http://"); i >= 0 {
				select {
				case found <- strings.Fields(sc.Text()[i:])[0]:
				default:
				}
			}
		}
	}()
	select {
	case url := <-found:
		return cmd, url
	case <-time.After(30 * time.Second):
		t.Fatalf("serve printed no URL; stderr: %s", cmd.Stderr)
	}
	return nil, ""
}
