package postgres_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/postgres"
)

// When the server drops every connection of the pool (a restart, a failover, a network cut), a
// request gets either its answer or a retryable "unavailable" error — never a 500 and never a
// half-written change — and the next request works again without restarting finapp.
func TestLostConnections_GiveRetryableErrorsAndRecover(t *testing.T) {
	url, app := ownConnections(t)
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "t", Role: finapp.RoleFinance})
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := finapp.NewService(db)
	record := func() error {
		_, err := svc.RecordPayment(ctx, finapp.PaymentCreate{Amount: "10.00", Currency: "SGD", Method: "cash"})
		return err
	}
	if err := record(); err != nil {
		t.Fatal(err)
	}

	admin, err := pgx.Connect(ctx, testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	acknowledged, refused := 1, 0
	for round := 0; round < 5; round++ {
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, app); err != nil {
			t.Fatal(err)
		}
		switch err := record(); {
		case err == nil:
			acknowledged++
		case finapp.ErrorCode(err) == finapp.EUnavailable:
			refused++
		default:
			t.Fatalf("round %d: after the connections dropped: %v (want success or %s)", round, err, finapp.EUnavailable)
		}
	}
	t.Logf("after dropped connections: %d acknowledged, %d refused as unavailable", acknowledged-1, refused)
	if err := record(); err != nil {
		t.Fatalf("finapp did not recover: %v", err)
	}
	acknowledged++
	list, _, err := svc.ListPayments(ctx, finapp.PaymentFilter{Limit: 100})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < acknowledged {
		t.Fatalf("%d payments stored, but %d were acknowledged", len(list), acknowledged)
	}
	for _, p := range list {
		if p.Amount != 1000 {
			t.Fatalf("a payment was half written: %+v", p)
		}
	}
}

// A connection lost in the middle of a transaction rolls it back and answers "unavailable" (a
// 503 at the API), so the client knows to retry and nothing is half written.
func TestConnectionLostMidTransaction_IsUnavailableNotInternal(t *testing.T) {
	url, app := ownConnections(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	admin, err := pgx.Connect(ctx, testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	err = db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		if err := tx.CreateOrganization(ctx, &finapp.Organization{ID: "org_half", Name: "Half", BillingCurrency: "SGD", Status: "active", Version: 1}); err != nil {
			return err
		}
		if _, err := admin.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $1`, app); err != nil {
			t.Fatal(err)
		}
		_, err := tx.Organization(ctx, "org_half")
		return err
	})
	if code := finapp.ErrorCode(err); code != finapp.EUnavailable {
		t.Fatalf("got %v (%s), want %s", err, code, finapp.EUnavailable)
	}
	err = db.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		_, err := tx.Organization(ctx, "org_half")
		return err
	})
	if finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("the half-done transaction left its organization behind: %v", err)
	}
}

// Over HTTP an unavailable database answers 503 problem+json with code "unavailable" and a
// Retry-After, never a 500.
func TestUnavailableDatabase_Answers503WithRetryAfter(t *testing.T) {
	proxy := newProxy(t, testdb.PostgresSchema(t))
	ctx := context.Background()
	db, err := postgres.Open(ctx, proxy.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	au := auth.New(db.AuthStore())
	token, _, err := au.CreateToken(finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleAdmin}), finapp.DefaultWorkspace, "t", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(db), Auth: au, Idempotency: db, Ready: db.Ping}))
	defer srv.Close()
	proxy.cut() // the server is unreachable: open connections drop, new ones are refused

	req, _ := http.NewRequest("POST", srv.URL+"/v1/payments", strings.NewReader(`{"amount":"1.00","currency":"SGD","method":"cash"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"code":"unavailable"`) || res.Header.Get("Retry-After") == "" {
		t.Fatalf("got %d %q (Retry-After %q), want 503 unavailable with Retry-After", res.StatusCode, body, res.Header.Get("Retry-After"))
	}
}

// proxy forwards a test's connections to the PostgreSQL server, so that the test can make the
// server unreachable for its own store alone without touching the server other tests use.
type proxy struct {
	url    string
	target string
	ln     net.Listener
	mu     sync.Mutex
	conns  []net.Conn
	// cutAfterCommit, when set, makes the next COMMIT a client sends reach the server and then
	// drops that connection before the server's answer gets back.
	cutAfterCommit atomic.Bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	u, err := neturl.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target}
	upstream := u.Host
	u.Host = ln.Addr().String()
	p.url = u.String()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", upstream)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns = append(p.conns, c, s)
			p.mu.Unlock()
			go func() { p.forward(s, c); s.Close() }()
			go func() { _, _ = io.Copy(c, s); c.Close() }()
		}
	}()
	t.Cleanup(p.cut)
	return p
}

// forward copies what the client sends to the server; once cutAfterCommit is set, it lets a COMMIT
// through (pgx sends it as the query text "commit"), closes the client's end before the answer
// can travel back, and gives the server a moment to commit before closing its end.
func (p *proxy) forward(server, client net.Conn) {
	buf := make([]byte, 64<<10)
	for {
		n, err := client.Read(buf)
		if n > 0 {
			if _, werr := server.Write(buf[:n]); werr != nil {
				return
			}
			if bytes.Contains(bytes.ToLower(buf[:n]), []byte("commit\x00")) && p.cutAfterCommit.CompareAndSwap(true, false) {
				client.Close()
				time.Sleep(300 * time.Millisecond)
				server.Close()
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// cut closes the listener and every forwarded connection.
func (p *proxy) cut() {
	p.ln.Close()
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// ownConnections returns a fresh schema's URL whose connections carry an application name of
// their own, so that the test cuts only them: the server is shared with the other packages'
// tests, which run at the same time.
func ownConnections(t *testing.T) (url, app string) {
	t.Helper()
	app = fmt.Sprintf("finapp_faults_%d", time.Now().UnixNano())
	url = testdb.PostgresSchema(t)
	sep := "?"
	if strings.Contains(url, "?") {
		sep = "&"
	}
	return url + sep + "application_name=" + app, app
}

// A connection lost after COMMIT was sent and before the server answered leaves the outcome
// unknown: the change may well be written (here it is). finapp must say exactly that, with its
// own code, and must neither re-run the transaction nor tell the client "nothing was written".
func TestConnectionLostDuringCommit_IsOutcomeUnknown(t *testing.T) {
	proxy := newProxy(t, testdb.PostgresSchema(t))
	ctx := context.Background()
	db, err := postgres.Open(ctx, proxy.url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	proxy.cutAfterCommit.Store(true)
	err = db.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		return tx.CreateOrganization(ctx, &finapp.Organization{ID: "org_maybe", Name: "Maybe", BillingCurrency: "SGD", Status: "active", Version: 1})
	})
	if code := finapp.ErrorCode(err); code != finapp.EOutcomeUnknown {
		t.Fatalf("got %v (%s), want %s", err, code, finapp.EOutcomeUnknown)
	}
	if !strings.Contains(err.Error(), "Idempotency-Key") {
		t.Fatalf("the error does not tell the client how to repeat safely: %v", err)
	}

	// The COMMIT did reach the server: the change is there, exactly once.
	check, err := postgres.Open(ctx, proxy.target)
	if err != nil {
		t.Fatal(err)
	}
	defer check.Close()
	err = check.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		_, err := tx.Organization(ctx, "org_maybe")
		return err
	})
	if err != nil {
		t.Fatalf("the committed change is not there: %v", err)
	}
}
