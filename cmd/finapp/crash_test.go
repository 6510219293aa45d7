package main

import (
	"bufio"
	"bytes"
	"encoding/json"
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
// checks every invariant and the audit chain), and that the server starts again on it.
func TestCrashDrill_KillNineLosesNoAcknowledgedPayment(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "finapp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("building finapp: %v\n%s", err, out)
	}
	db := "sqlite:" + filepath.Join(dir, "books.db")
	tokenOut, err := exec.Command(bin, "token", "create", "--role", "finance", "--db", db).Output()
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(string(tokenOut))

	srv, url := startServer(t, bin, db)
	var mu sync.Mutex
	var acked []string
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
				body := fmt.Sprintf(`{"amount":"%d.25","currency":"SGD","method":"bank_transfer","reference":"crash-%d-%d"}`, 1+n%500, c, n)
				req, _ := http.NewRequest("POST", url+"/v1/payments", strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+token)
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Idempotency-Key", fmt.Sprintf("crash-%d-%d", c, n))
				res, err := client.Do(req)
				if err != nil {
					return // the server is gone
				}
				var p struct{ ID string }
				_ = json.NewDecoder(res.Body).Decode(&p)
				res.Body.Close()
				if res.StatusCode == http.StatusCreated {
					mu.Lock()
					acked = append(acked, p.ID)
					mu.Unlock()
				} else {
					t.Errorf("status %d while the server was up", res.StatusCode)
					return
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
	t.Logf("%d payments acknowledged before kill -9", len(acked))

	if out, err := exec.Command(bin, "verify", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("finapp verify after the crash: %v\n%s", err, out)
	}

	srv2, url2 := startServer(t, bin, db)
	defer func() { _ = srv2.Process.Signal(syscall.SIGTERM); _ = srv2.Wait() }()
	for _, id := range acked {
		req, _ := http.NewRequest("GET", url2+"/v1/payments/"+id, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != 200 {
			t.Fatalf("acknowledged payment %s: %d after restart", id, res.StatusCode)
		}
	}
}

// startServer starts `finapp serve` on db and returns it with its URL, read from what it prints.
func startServer(t *testing.T, bin, db string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
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
