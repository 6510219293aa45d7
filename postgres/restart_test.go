package postgres_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/conformance"
	"finapp/internal/testdb"
	"finapp/postgres"
)

// The PostgreSQL restart drill of issue 7 (docs/operations.md): while clients record payments
// through finapp, the database server restarts (pg_ctl restart -m fast: every connection is
// terminated, new ones are refused until it is back). Clients are refused with a retryable 503,
// never a 500; once PostgreSQL is back, finapp recovers without a restart within seconds; every
// acknowledged payment is in the books once, the books verify, and clients that retry refused
// requests with the same Idempotency-Key get each recorded exactly once.
//
// It restarts a PostgreSQL of its own (scripts/pg-start), never the shared test server.
func TestDrill_PostgresRestartMidLoad_Answers503AndRecovers(t *testing.T) {
	testdb.PostgresURL(t) // fails when CI=true and no PostgreSQL is configured, skips otherwise
	pg := startOwnPostgres(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, pg.url)
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
		_ = handler.Drain(ctx)
	}()

	l := startPayLoad(t, srv.URL, token, 8)
	defer l.finish()
	if !l.waitFor(func() bool { return len(l.acked) >= 30 }, 10*time.Second) {
		t.Fatal("fewer than 30 payments acknowledged in 10 s before the restart: the drill did not load the server")
	}
	start := time.Now()
	if out, err := pg.restart(); err != nil {
		t.Fatalf("restarting PostgreSQL: %v\n%s", err, out)
	}
	back := time.Now()
	var recovered time.Duration
	if !l.waitFor(func() bool {
		at, ok := l.firstAckAfter(back)
		recovered = at.Sub(back)
		return ok
	}, 10*time.Second) {
		t.Fatal("no payment acknowledged within 10 s of PostgreSQL accepting connections again")
	}
	time.Sleep(300 * time.Millisecond) // load on the recovered server
	l.finish()
	t.Logf("PostgreSQL restart took %s; %d requests answered 503 unavailable (Retry-After; the slowest in %s), %d otherwise; first write acknowledged %s after PostgreSQL was back",
		back.Sub(start).Round(time.Millisecond), l.refusals, l.slowest.Round(time.Millisecond), l.failures, recovered.Round(time.Millisecond))
	t.Logf("%d payments acknowledged, %d distinct requests refused and retried with their keys, %d of them found already applied (409)",
		len(l.acked), len(l.refused), len(l.applied))
	// A request the restart catches is either refused (503) or, when its write job was rolled
	// back with its batch before anything of it was written, run again by the group committer
	// once PostgreSQL is back and acknowledged late. Either way the drill hit the restart.
	l.mu.Lock()
	carried := l.carried(start, back)
	l.mu.Unlock()
	t.Logf("%d requests were held up by the restart and acknowledged after it", carried)
	if l.refusals == 0 && carried == 0 {
		t.Error("no request was refused or carried over while PostgreSQL restarted: the drill did not hit the restart")
	}
	if l.slowest > 5*time.Second {
		t.Errorf("a 503 took %s: a refusal must come at once", l.slowest)
	}
	if recovered > 5*time.Second {
		t.Errorf("finapp took %s to recover after PostgreSQL was back", recovered)
	}

	// Every acknowledged payment is in the books exactly once, and so is every refused request
	// that was retried, whether the retry recorded it or found it applied.
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
	for ref := range l.applied {
		if ids := byRef[ref]; len(ids) != 1 {
			t.Errorf("payment %s (answered 409: applied) is in the books as %v", ref, ids)
		}
	}
	if want := len(l.acked) + len(l.applied); len(byRef) != want {
		t.Errorf("%d references in the books, %d acknowledged or found applied", len(byRef), want)
	}
	if bad, err := conformance.CheckBooks(actx, svc); err != nil || len(bad) > 0 {
		t.Errorf("books after the drill: %v %v", err, bad)
	}
	if chain, err := svc.VerifyAudit(actx); err != nil || chain.Break != nil {
		t.Errorf("audit chain after the drill: %v %+v", err, chain)
	}
}

// ownPostgres is a throw-away PostgreSQL started by scripts/pg-start for one test.
type ownPostgres struct {
	url, dir string
}

func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	cmd := exec.Command("bash", "../scripts/pg-start")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/pg-start: %v\n%s", err, stderr.String())
	}
	// pg-start prints the URL on stdout and its directory as the last line of stderr.
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	pg := &ownPostgres{url: strings.TrimSpace(string(out)), dir: strings.TrimSpace(lines[len(lines)-1])}
	if !strings.HasPrefix(pg.dir, "/tmp/finapp-pg.") {
		t.Fatalf("scripts/pg-start printed no directory: %q", stderr.String())
	}
	t.Cleanup(func() {
		if out, err := exec.Command("bash", "../scripts/pg-stop", pg.dir).CombinedOutput(); err != nil {
			t.Errorf("scripts/pg-stop %s: %v\n%s", pg.dir, err, out)
		}
	})
	return pg
}

// restart restarts the server as an operator would: a fast shutdown (open connections are
// terminated) and a start with the same options (pg_ctl keeps them in postmaster.opts). As root,
// the server runs as the postgres user, as in pg-start.
func (pg *ownPostgres) restart() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", `bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
restart="$bindir/pg_ctl -D $1/data -l $1/log -m fast -w restart"
if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$restart"; else $restart; fi`, "restart", pg.dir)
	return cmd.CombinedOutput()
}

// payLoad is a set of clients recording payments over HTTP, each request with its own
// Idempotency-Key, retrying a request refused with 503 unavailable with the same key and body
// until it is recorded — what a well-behaved client does (after the Retry-After of 1 s; the
// drill waits 50 ms to stay short). A retry answered 409 in_flight or response_lost was applied
// by an earlier attempt whose answer was lost with its connection: the books must hold it once.
type payLoad struct {
	t          *testing.T
	url, token string
	client     *http.Client
	stop       chan struct{}
	wg         sync.WaitGroup
	once       sync.Once

	mu       sync.Mutex
	acked    map[string]string // reference → payment id
	ackedAt  []time.Time       // when each acknowledgement arrived, in order
	sentAt   []time.Time       // when the request of each acknowledgement was sent
	refused  map[string]bool   // references refused at least once
	applied  map[string]bool   // references a retry found applied (409)
	refusals int               // 503 answers
	slowest  time.Duration     // the longest a 503 took
	failures int               // answers the drill does not allow
}

func startPayLoad(t *testing.T, url, token string, clients int) *payLoad {
	l := &payLoad{t: t, url: url, token: token, stop: make(chan struct{}),
		acked: map[string]string{}, refused: map[string]bool{}, applied: map[string]bool{},
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
				if !l.record(fmt.Sprintf("pgdrill-%d-%d", c, n)) {
					return
				}
			}
		}()
	}
	return l
}

// record records one payment, retrying while it is refused as unavailable; false when it gives
// up on it.
func (l *payLoad) record(ref string) bool {
	body := fmt.Sprintf(`{"amount":"12.25","currency":"SGD","method":"bank_transfer","reference":%q}`, ref)
	deadline := time.Now().Add(30 * time.Second)
	for {
		req, _ := http.NewRequest("POST", l.url+"/v1/payments", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+l.token)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Idempotency-Key", ref)
		sent := time.Now()
		status, code, id, answer, err := l.do(req)
		took := time.Since(sent)
		l.mu.Lock()
		switch {
		case err == nil && status == http.StatusCreated:
			l.acked[ref] = id
			l.ackedAt = append(l.ackedAt, time.Now())
			l.sentAt = append(l.sentAt, sent)
			l.mu.Unlock()
			return true
		case err == nil && status == http.StatusServiceUnavailable && code == finapp.EUnavailable && answer.Get("Retry-After") != "":
			l.refused[ref] = true
			l.refusals++
			l.slowest = max(l.slowest, took)
		case err == nil && status == http.StatusConflict && l.refused[ref] &&
			(code == finapp.EIdempotencyInFlight || code == finapp.EIdempotencyResponseLost):
			l.applied[ref] = true
			l.mu.Unlock()
			return true
		default:
			// The drill fails; the client still retries with the same key, as a real one
			// would, so that the books show whether the key kept the payment to one.
			l.refused[ref] = true
			if l.failures++; l.failures <= 10 {
				l.t.Errorf("%s: %d %s %v, want 201 or 503 unavailable with Retry-After", ref, status, code, err)
			}
		}
		l.mu.Unlock()
		if time.Now().After(deadline) {
			l.t.Errorf("%s: still refused after 30 s", ref)
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (l *payLoad) do(req *http.Request) (status int, code, id string, header http.Header, err error) {
	res, err := l.client.Do(req)
	if err != nil {
		return 0, "", "", nil, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	var p struct{ ID, Code string }
	_ = json.Unmarshal(b, &p)
	return res.StatusCode, p.Code, p.ID, res.Header, err
}

// waitFor polls cond (called with l.mu held) until it holds or the timeout passes.
func (l *payLoad) waitFor(cond func() bool, timeout time.Duration) bool {
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
func (l *payLoad) firstAckAfter(t time.Time) (time.Time, bool) {
	for _, at := range l.ackedAt {
		if at.After(t) {
			return at, true
		}
	}
	return time.Time{}, false
}

// carried counts the acknowledged requests that were in flight during the restart and held up
// by it (more than 100 ms, against a few ms normally): requests finapp carried over the
// restart instead of refusing them (l.mu held).
func (l *payLoad) carried(start, back time.Time) int {
	n := 0
	for i, at := range l.ackedAt {
		if l.sentAt[i].Before(back) && at.After(start) && at.Sub(l.sentAt[i]) > 100*time.Millisecond {
			n++
		}
	}
	return n
}

// finish stops the clients after their current payment (retries included) and waits for them.
func (l *payLoad) finish() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}
