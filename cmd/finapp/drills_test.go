package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"finapp/internal/drill"
	"finapp/internal/testdb"
)

// The graceful-shutdown drill of issue 7 (docs/operations.md): SIGTERM while 16 clients record
// payments. Every request the server had accepted gets its whole answer; the ones that come
// after find the port closed (connection refused) and were never served; the process exits 0
// within seconds; after a restart every acknowledged payment is there once and the books verify.
// It runs on the engine of the run (FINAPP_TEST_ENGINE), so CI drills both.
func TestDrill_SIGTERMFinishesInFlightRequestsAndExitsZero(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := drillDB(t, bin)
	token := createToken(t, bin, db)
	srv, url := startServer(t, bin, db)

	const clients = 16
	client := &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
	var (
		mu        sync.Mutex
		acked     = map[string]string{} // reference → payment id
		ackedAt   = map[string]time.Time{}
		refused   = map[string]string{} // reference → the transport error that ended its client
		wrong     int
		stop      = make(chan struct{})
		wg        sync.WaitGroup
		signalled time.Time
	)
	for c := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; n < 100000; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ref := fmt.Sprintf("term-%d-%d", c, n)
				res := postPayment(client, url, token, ref, paymentBody(ref, n))
				mu.Lock()
				switch {
				case res.err != nil:
					// Only a request the server never accepted may fail: its connection was
					// refused (Go's client re-sends a request with an Idempotency-Key on a new
					// connection when the server closed an idle one before reading it).
					refused[ref] = res.err.Error()
					if !errors.Is(res.err, syscall.ECONNREFUSED) {
						t.Errorf("%s: %v, want an answer or a refused connection", ref, res.err)
					}
				case res.status == http.StatusCreated:
					acked[ref] = res.id
					ackedAt[ref] = time.Now()
				case res.status == http.StatusServiceUnavailable && res.code == "unavailable":
					// A clean refusal: nothing written (checked below through the books).
					refused[ref] = fmt.Sprintf("%d %s", res.status, res.code)
				default:
					if wrong++; wrong <= 10 {
						t.Errorf("%s: %d %s %s", ref, res.status, res.code, res.body)
					}
				}
				mu.Unlock()
				if res.err != nil {
					return // the server has gone
				}
			}
		}()
	}
	waitUntil(t, 10*time.Second, "100 payments acknowledged", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return len(acked) >= 100
	})

	mu.Lock()
	signalled = time.Now()
	mu.Unlock()
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- srv.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("finapp serve after SIGTERM: %v (want exit status 0); stderr: %s", err, srv.Stderr)
		}
	case <-time.After(15 * time.Second):
		_ = srv.Process.Kill()
		<-exited
		t.Fatal("finapp serve did not exit within 15 s of SIGTERM")
	}
	exitIn := time.Since(signalled)
	close(stop)
	wg.Wait()
	if exitIn > 5*time.Second {
		t.Errorf("finapp took %s to exit after SIGTERM, want a few seconds", exitIn)
	}
	answeredAfter := 0
	for _, at := range ackedAt {
		if at.After(signalled) {
			answeredAfter++
		}
	}
	t.Logf("SIGTERM with %d clients: exited in %s; %d payments acknowledged, %d of them answered after the signal (in flight), %d requests not accepted",
		clients, exitIn.Round(time.Millisecond), len(acked), answeredAfter, len(refused))
	if answeredAfter == 0 {
		t.Error("no request was answered after SIGTERM: the drill had none in flight")
	}

	verifyBooks(t, bin, db)
	srv2, url2 := startServer(t, bin, db)
	defer stopServer(t, srv2)
	books := paymentsByReference(t, client, url2, token)
	for ref, id := range acked {
		if ids := books[ref]; len(ids) != 1 || ids[0] != id {
			t.Errorf("payment %s (acknowledged as %s) is in the books as %v", ref, id, ids)
		}
	}
	// A request whose client got no answer must not have been served: else an accepted
	// request lost its answer.
	for ref, why := range refused {
		if ids := books[ref]; len(ids) != 0 {
			t.Errorf("payment %s is in the books as %v, but its client got no answer (%s)", ref, ids, why)
		}
	}
	if len(books) != len(acked) {
		t.Errorf("%d references in the books, %d acknowledged", len(books), len(acked))
	}
}

// buildOnce builds the finapp binary once for every test of the package that runs it.
var buildOnce struct {
	sync.Once
	dir, bin string
	err      error
	out      []byte
}

// finappBinary returns the path of the finapp binary built from this package.
func finappBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		buildOnce.dir, buildOnce.err = os.MkdirTemp("", "finapp-bin-")
		if buildOnce.err != nil {
			return
		}
		buildOnce.bin = filepath.Join(buildOnce.dir, "finapp")
		buildOnce.out, buildOnce.err = exec.Command("go", "build", "-o", buildOnce.bin, ".").CombinedOutput()
	})
	if buildOnce.err != nil {
		t.Fatalf("building finapp: %v\n%s", buildOnce.err, buildOnce.out)
	}
	return buildOnce.bin
}

func TestMain(m *testing.M) {
	code := m.Run()
	if buildOnce.dir != "" {
		os.RemoveAll(buildOnce.dir)
	}
	os.Exit(code)
}

// drillDB is a fresh database of the run's engine, as a --db value, created by `finapp migrate`
// as an operator would: the other commands refuse an SQLite file that does not exist.
func drillDB(t *testing.T, bin string) string {
	db := "sqlite:" + filepath.Join(t.TempDir(), "books.db")
	if testdb.Engine() == "postgres" {
		db = testdb.PostgresSchema(t)
	}
	migrateDB(t, bin, db)
	return db
}

// migrateDB runs `finapp migrate`, which creates an SQLite file.
func migrateDB(t *testing.T, bin, db string) {
	t.Helper()
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("finapp migrate: %v\n%s", err, out)
	}
}

func createToken(t *testing.T, bin, db string) string {
	t.Helper()
	out, err := exec.Command(bin, "token", "create", "--role", "finance", "--db", db).Output()
	if err != nil {
		t.Fatalf("finapp token create: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// verifyBooks runs `finapp verify` (every invariant, every audit chain) with the server stopped.
func verifyBooks(t *testing.T, bin, db string) {
	t.Helper()
	if out, err := exec.Command(bin, "verify", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("finapp verify: %v\n%s", err, out)
	}
}

// stopServer stops a server with SIGTERM and waits for it, killing it after 15 s.
func stopServer(t *testing.T, srv *exec.Cmd) {
	_ = srv.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = srv.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = srv.Process.Kill()
		<-done
		t.Error("finapp serve did not stop within 15 s of SIGTERM")
	}
}

// paymentBody is the body of the payment with this reference; the n-th payment of a client
// varies its amount. A retry sends exactly these bytes again.
func paymentBody(ref string, n int) string {
	return fmt.Sprintf(`{"amount":"%d.25","currency":"SGD","method":"bank_transfer","reference":%q}`, 1+n%500, ref)
}

type answer struct {
	status   int
	code     string
	id       string
	replayed bool
	body     string
	err      error
}

// postPayment records a payment with Idempotency-Key ref.
func postPayment(client *http.Client, url, token, ref, body string) answer {
	a := drill.PostPayment(client, url, token, ref, body)
	return answer{status: a.Status, code: a.Code, id: a.ID, replayed: a.Replayed, body: a.Body, err: a.Err}
}

// paymentsByReference reads every payment through the API: the ids recorded under each reference.
func paymentsByReference(t *testing.T, client *http.Client, url, token string) map[string][]string {
	t.Helper()
	books := map[string][]string{}
	for cursor, pages := "", 0; ; pages++ {
		if pages > 10000 {
			t.Fatal("paging the payments did not end")
		}
		req, _ := http.NewRequest("GET", url+"/v1/payments?limit=500&cursor="+cursor, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			Data []struct {
				ID        string `json:"id"`
				Reference string `json:"reference"`
			} `json:"data"`
			NextCursor string `json:"next_cursor"`
		}
		err = json.NewDecoder(res.Body).Decode(&page)
		res.Body.Close()
		if err != nil || res.StatusCode != http.StatusOK {
			t.Fatalf("listing payments: %d %v", res.StatusCode, err)
		}
		for _, p := range page.Data {
			books[p.Reference] = append(books[p.Reference], p.ID)
		}
		if page.NextCursor == "" {
			return books
		}
		cursor = page.NextCursor
	}
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	for end := time.Now().Add(timeout); !cond(); time.Sleep(5 * time.Millisecond) {
		if time.Now().After(end) {
			t.Fatalf("waited %s for %s", timeout, what)
		}
	}
}
