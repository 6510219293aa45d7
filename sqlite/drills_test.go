package sqlite_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/conformance"
	"finapp/sqlite"
)

// The disk-full and read-only drills of issue 7 (docs/operations.md): while clients record
// payments over real HTTP, the database file stops taking writes and then takes them again, and
// the server is never restarted. A client is refused with a retryable 503 (never a 500, never a
// hang), reads go on working, the server recovers by itself, and clients that retry their
// refused requests with the same Idempotency-Key get each recorded exactly once.
//
// The faults are SQLite's own: PRAGMA max_page_count caps the file at its current size, which is
// how SQLite documents emulating a full disk (SQLITE_FULL), and PRAGMA query_only refuses writes
// as a read-only file would (SQLITE_READONLY). Both are set on the write connection through
// sqlstore.DB.SetWritePragma.
func TestDrill_FullOrReadOnlyDatabase_Answers503AndRecoversWithoutRestart(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	auth := finapp.NewAuth(db)
	token, _, err := auth.CreateToken(ctx, finapp.DefaultWorkspace, "drill", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	svc := finapp.NewService(db)
	handler := api.New(api.Deps{Service: svc, Auth: auth, Idempotency: db, Ready: db.Ping})
	srv := httptest.NewServer(handler)
	defer func() {
		srv.Close()
		// Responses stored behind their commits land before the database closes, as in serve.
		_ = handler.Drain(ctx)
	}()

	l := startLoad(t, srv.URL, token, 8)
	defer l.finish() // also on a failed drill: no client goroutine outlives the test
	if !l.waitFor(func() bool { return len(l.acked) >= 30 }, 10*time.Second) {
		t.Fatalf("only %d payments acknowledged before any fault: the drill did not load the server", l.ackCount())
	}
	faults := []struct {
		name    string
		pragma  string
		on, off int64
	}{
		// 1 is below the file's size, so SQLite caps the file at its current size; 4294967294 is
		// SQLite's largest page count, the default.
		{"disk full (max_page_count)", "max_page_count", 1, 4294967294},
		{"read-only (query_only)", "query_only", 1, 0},
	}
	defer func() { // a drill that stops early lifts its faults, so that its clients finish at once
		for _, f := range faults {
			_ = db.SetWritePragma(ctx, f.pragma, f.off)
		}
	}()
	for _, f := range faults {
		before, beforeBad := l.refusalCount(), l.failureCount()
		if err := db.SetWritePragma(ctx, f.pragma, f.on); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		faulted := time.Now()
		// Wrong answers count too, so that the drill goes on to show the rest; they fail it.
		if !l.waitFor(func() bool { return l.refusals-before+l.failures-beforeBad >= 8 }, 10*time.Second) {
			t.Fatalf("%s: %d refusals in 10 s: the fault did not stop the writes", f.name, l.refusalCount()-before)
		}
		// Reads do not need the write connection: they go on while writes are refused.
		for _, path := range []string{"/v1/payments?limit=20", "/v1/payments/" + l.anyAcked(), "/readyz"} {
			if status, body := l.get(path); status != http.StatusOK {
				t.Fatalf("%s: GET %s answered %d while writes were refused: %s", f.name, path, status, body)
			}
		}
		// Held for a while, so that clients retry into it more than once.
		time.Sleep(time.Until(faulted.Add(time.Second)))
		refused, bad := l.refusalCount()-before, l.failureCount()-beforeBad
		if err := db.SetWritePragma(ctx, f.pragma, f.off); err != nil {
			t.Fatalf("%s: undoing it: %v", f.name, err)
		}
		restored := time.Now()
		var recovered time.Duration
		if !l.waitFor(func() bool {
			at, ok := l.firstAckAfter(restored)
			recovered = at.Sub(restored)
			return ok
		}, 10*time.Second) {
			t.Fatalf("%s: no payment acknowledged within 10 s of the database taking writes again", f.name)
		}
		t.Logf("%s: %d requests answered 503 unavailable (Retry-After), %d answered otherwise, reads kept working; first write acknowledged %s after the fault ended",
			f.name, refused, bad, recovered.Round(time.Millisecond))
		if recovered > 5*time.Second {
			t.Errorf("%s: recovery took %s", f.name, recovered)
		}
		time.Sleep(200 * time.Millisecond) // normal load between faults and after the last
	}
	l.finish()
	t.Logf("%d payments acknowledged in all, %d 503 answers (the slowest in %s) to %d distinct requests, each retried with its Idempotency-Key",
		len(l.acked), l.refusals, l.slowest.Round(time.Millisecond), len(l.refused))
	if l.slowest > 5*time.Second {
		t.Errorf("a 503 took %s: a refusal must come at once", l.slowest)
	}

	// Every acknowledged payment is in the books exactly once, retried ones included, and no
	// payment is there that no client was told about.
	actx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "drill", Role: finapp.RoleViewer})
	byRef := map[string][]string{}
	for cursor := ""; ; {
		page, next, err := svc.ListPayments(actx, finapp.PaymentFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			byRef[p.Reference] = append(byRef[p.Reference], p.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for ref, id := range l.acked {
		if ids := byRef[ref]; len(ids) != 1 || ids[0] != id {
			t.Errorf("payment %s (acknowledged as %s) is in the books as %v", ref, id, ids)
		}
	}
	if len(byRef) != len(l.acked) {
		t.Errorf("%d references in the books, %d acknowledged", len(byRef), len(l.acked))
	}
	// Nothing half written: every invariant and the audit chain hold (what `finapp verify` runs).
	if bad, err := conformance.CheckBooks(actx, svc); err != nil || len(bad) > 0 {
		t.Errorf("books after the drill: %v %v", err, bad)
	}
	if chain, err := svc.VerifyAudit(actx); err != nil || chain.Break != nil {
		t.Errorf("audit chain after the drill: %v %+v", err, chain)
	}
	// A refused request sent once more after it succeeded is replayed, not recorded again (the
	// books above hold it once). A 409 in_flight is allowed by docs/api.md: the response of a
	// change committed just before a fault may not have been stored behind it.
	replayed, inFlight := 0, 0
	for ref := range l.refused {
		switch res := l.post(ref); {
		case res.err == nil && res.status == http.StatusCreated && res.replayed == "true" && res.id == l.acked[ref]:
			replayed++
		case res.err == nil && res.status == http.StatusConflict && res.code == finapp.EIdempotencyInFlight:
			inFlight++
		default:
			t.Errorf("sending %s again: %+v, want 201 replayed %s or 409 %s", ref, res, l.acked[ref], finapp.EIdempotencyInFlight)
		}
	}
	t.Logf("the %d refused requests sent once more: %d replayed, %d answered 409 in flight (response not stored); each is in the books once",
		len(l.refused), replayed, inFlight)
}

// load is a set of clients recording payments over HTTP, each with its own Idempotency-Key, and
// retrying a request refused with 503 unavailable after a short pause with the same key and body
// until it is recorded — what a well-behaved client does (it would wait the Retry-After of 1 s;
// the drill waits 50 ms to stay short).
type load struct {
	t          *testing.T
	url, token string
	client     *http.Client
	stop       chan struct{}
	wg         sync.WaitGroup
	once       sync.Once

	mu       sync.Mutex
	acked    map[string]string // reference → payment id
	ackedAt  []time.Time       // when each acknowledgement arrived, in order
	refused  map[string]bool   // references turned away at least once
	refusals int               // 503 answers
	slowest  time.Duration     // the longest a 503 took
	failures int               // answers the drill does not allow
}

func startLoad(t *testing.T, url, token string, clients int) *load {
	l := &load{t: t, url: url, token: token, stop: make(chan struct{}), acked: map[string]string{}, refused: map[string]bool{},
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}}
	for c := range clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; n < 100000; n++ {
				select {
				case <-l.stop:
					return
				default:
				}
				if !l.record(fmt.Sprintf("drill-%d-%d", c, n)) {
					return
				}
			}
		}()
	}
	return l
}

// record records one payment, retrying it while it is refused as unavailable; false after an
// answer the drill does not allow.
func (l *load) record(ref string) bool {
	deadline := time.Now().Add(30 * time.Second)
	for {
		sent := time.Now()
		res := l.post(ref)
		took := time.Since(sent)
		switch {
		case res.err == nil && res.status == http.StatusCreated:
			l.mu.Lock()
			l.acked[ref] = res.id
			l.ackedAt = append(l.ackedAt, time.Now())
			l.mu.Unlock()
			return true
		case res.err == nil && res.status == http.StatusServiceUnavailable && res.code == finapp.EUnavailable && res.retryAfter != "":
			l.mu.Lock()
			l.refused[ref] = true
			l.refusals++
			l.slowest = max(l.slowest, took)
			l.mu.Unlock()
		default:
			// A 500, a 409 (a 503 promised nothing was written), a hang or a dropped connection:
			// the drill fails, but the client goes on retrying with the same key, as a real one
			// would, so that the drill still shows everything else (and the books whether the
			// key kept the payment to one).
			l.fail("%s: %+v, want 201 or 503 unavailable with Retry-After", ref, res)
			l.mu.Lock()
			l.refused[ref] = true
			l.mu.Unlock()
		}
		if time.Now().After(deadline) {
			l.fail("%s: still refused after 30 s", ref)
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *load) fail(format string, args ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failures++; l.failures <= 10 {
		l.t.Errorf(format, args...)
	}
}

type answer struct {
	status     int
	code       string
	retryAfter string
	replayed   string
	id         string
	body       string
	err        error
}

// post sends reference's payment; the body and the key derive from the reference, so a retry
// is byte for byte the same request.
func (l *load) post(ref string) answer {
	body := fmt.Sprintf(`{"amount":"12.25","currency":"SGD","method":"bank_transfer","reference":%q}`, ref)
	req, _ := http.NewRequest("POST", l.url+"/v1/payments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+l.token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", ref)
	res, err := l.client.Do(req)
	if err != nil {
		return answer{err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	var p struct{ ID, Code string }
	_ = json.Unmarshal(b, &p)
	return answer{status: res.StatusCode, code: p.Code, id: p.ID, body: string(b), err: err,
		retryAfter: res.Header.Get("Retry-After"), replayed: res.Header.Get("Idempotent-Replayed")}
}

func (l *load) get(path string) (int, string) {
	req, _ := http.NewRequest("GET", l.url+path, nil)
	req.Header.Set("Authorization", "Bearer "+l.token)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// waitFor polls cond (called with l.mu held) until it holds or the timeout passes.
func (l *load) waitFor(cond func() bool, timeout time.Duration) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		ok := cond()
		l.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// firstAckAfter is when the first acknowledgement after t arrived (l.mu held).
func (l *load) firstAckAfter(t time.Time) (time.Time, bool) {
	for _, at := range l.ackedAt {
		if at.After(t) {
			return at, true
		}
	}
	return time.Time{}, false
}

func (l *load) ackCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.acked)
}

func (l *load) refusalCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.refusals
}

func (l *load) failureCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failures
}

func (l *load) anyAcked() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range l.acked {
		return id
	}
	return ""
}

// finish stops the clients after their current payment (retries included) and waits for them.
func (l *load) finish() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}

// The drills' hook changes only the two settings that stand for a full or read-only disk: never
// one that durability rests on.
func TestSetWritePragma_RefusesOtherSettings(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"synchronous", "journal_mode", "foreign_keys", "query_only; DROP TABLE payments"} {
		if err := db.SetWritePragma(t.Context(), name, 0); err == nil {
			t.Errorf("SetWritePragma(%q) was accepted", name)
		}
	}
	if err := db.SetWritePragma(t.Context(), "query_only", 0); err != nil {
		t.Errorf("SetWritePragma(query_only): %v", err)
	}
}
