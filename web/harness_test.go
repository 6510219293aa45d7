package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/sqlstore"
	"finapp/web"
	"finapp/webhook"
)

const (
	testEmail    = "finance@example.com"
	testPassword = "correct horse battery staple"
)

// harness is the real handler (API and pages, as cmd/finapp wires them) over a fresh real
// database, with one finance user and a customer with two open invoices.
type harness struct {
	t      *testing.T
	URL    string
	svc    *finapp.Service
	ctx    context.Context // an admin actor, for seeding through the same service
	acme   *finapp.Organization
	boreal *finapp.Organization
	auth   *auth.Auth
	// clock moves Auth's time forward (sessions, tokens, throttling): an offset in nanoseconds.
	clock *atomic.Int64
	log   *lockedLog // the server's request log
}

// lockedLog is a log destination the server's goroutines may write to at once.
type lockedLog struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newHarness(t *testing.T, secure bool) *harness {
	t.Helper()
	return newHarnessOn(t, testdb.Open(t), secure)
}

// newHarnessOn is newHarness over db.
func newHarnessOn(t *testing.T, db *sqlstore.DB, secure bool) *harness {
	t.Helper()
	svc, au := finapp.NewService(db), auth.New(db.AuthStore())
	svc.WebhookTargets = webhook.Policy{}
	clock := new(atomic.Int64)
	au.Now = func() time.Time { return time.Now().UTC().Add(time.Duration(clock.Load())) }
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:seed", Role: finapp.RoleAdmin})
	if _, err := au.CreateUser(ctx, finapp.DefaultWorkspace, testEmail, finapp.RoleFinance, testPassword); err != nil {
		t.Fatal(err)
	}
	logged := &lockedLog{}
	pages := web.New(web.Deps{Service: svc, Auth: au, Secure: secure, Exports: api.Exports(api.Deps{Service: svc, Auth: au})})
	srv := httptest.NewServer(api.New(api.Deps{Service: svc, Auth: au, Idempotency: db, Ready: db.Ping, Pages: pages,
		Log: slog.New(slog.NewJSONHandler(logged, nil))}))
	t.Cleanup(srv.Close)
	h := &harness{t: t, URL: srv.URL, svc: svc, ctx: ctx, auth: au, clock: clock, log: logged}
	h.acme = h.org("Acme Telecom Pte Ltd", "SGD")
	h.boreal = h.org("Borealis Cloud", "SGD")
	h.invoice(h.acme, "INV-1001", "300.00", finapp.KindStandard)
	h.invoice(h.acme, "INV-1002", "500.00", finapp.KindStandard)
	return h
}

func (h *harness) org(name, cur string) *finapp.Organization {
	h.t.Helper()
	o, err := h.svc.CreateOrganization(h.ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: cur})
	if err != nil {
		h.t.Fatal(err)
	}
	return o
}

func (h *harness) invoice(o *finapp.Organization, number, total, kind string) *finapp.Invoice {
	h.t.Helper()
	inv, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: o.ID, Number: number, Total: total, Kind: kind})
	if err != nil {
		h.t.Fatal(err)
	}
	return inv
}

// client is a browser without JavaScript: a cookie jar that follows redirects.
type client struct {
	h    *harness
	http *http.Client
}

func (h *harness) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{h: h, http: &http.Client{Jar: jar}}
}

var csrfRe = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// get fetches a page and returns its status and body.
func (c *client) get(path string) (int, string) {
	c.h.t.Helper()
	resp, err := c.http.Get(c.h.URL + path)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post submits a form as the browser would, with the CSRF token of the page it came from.
func (c *client) post(path, csrf string, form url.Values) (int, string) {
	c.h.t.Helper()
	if csrf != "" {
		form.Set("csrf", csrf)
	}
	resp, err := c.http.PostForm(c.h.URL+path, form)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token is the CSRF token a page's forms carry.
func token(t *testing.T, body string) string {
	t.Helper()
	m := csrfRe.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no CSRF token in page:\n%s", body)
	}
	return m[1]
}

func (c *client) login(email, password string) (int, string) {
	c.h.t.Helper()
	_, body := c.get("/login")
	return c.post("/login", token(c.h.t, body), url.Values{"email": {email}, "password": {password}, "next": {"/payments"}})
}

// loggedIn logs in and returns the CSRF token of the session.
func (c *client) loggedIn() string {
	c.h.t.Helper()
	status, body := c.login(testEmail, testPassword)
	if status != http.StatusOK || !strings.Contains(body, "<h1>Payments") {
		c.h.t.Fatalf("login: %d\n%s", status, body)
	}
	return token(c.h.t, body)
}
