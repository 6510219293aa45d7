package api_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/auth"
)

// Tests of issue 6's administration routes and of the security properties every response has:
// API tokens (shown once, stored hashed, revoked, expired), users (created, listed, disabled), the
// audit trail's who and where, security headers and the body size limit.

var apiTokenPattern = regexp.MustCompile(`^fa_[a-z2-7]{52}$`)

func (s *testServer) asAdmin() []string { return []string{"Authorization", "Bearer " + s.Admin} }

func TestTokens_ShownOnceListedWithoutSecretStoredHashed(t *testing.T) {
	s := newTestServer(t)
	created := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "ci deploy", "role": "finance"}, s.asAdmin()...)
	secret, id := created.str("token"), created.str("id")
	if !apiTokenPattern.MatchString(secret) || !strings.HasPrefix(id, "tok_") {
		t.Fatalf("created token: %s", created.Body)
	}
	if created.str("name") != "ci deploy" || created.str("role") != "finance" {
		t.Fatalf("created token: %s", created.Body)
	}
	// The token works at once.
	r := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Made by CI", "billing_currency": "SGD"}, "Authorization", "Bearer "+secret)
	if got := s.must(200, "GET", "/v1/audit?entity_id="+r.str("id"), nil).dataList()[0]["actor"]; got != "token:ci deploy" {
		t.Fatalf("audit actor %v, want token:ci deploy", got)
	}

	// The list names the token but shows neither its secret nor its hash.
	list := s.must(200, "GET", "/v1/tokens", nil, s.asAdmin()...)
	hash := auth.HashToken(secret)
	if bytes.Contains(list.Body, []byte(secret)) || bytes.Contains(list.Body, []byte(hash)) ||
		bytes.Contains(list.Body, []byte(`"token"`)) || bytes.Contains(list.Body, []byte(`"hash"`)) {
		t.Fatalf("the token list shows a secret or a hash: %s", list.Body)
	}
	found := false
	for _, tok := range list.dataList() {
		if tok["id"] == id {
			found = tok["name"] == "ci deploy" && tok["role"] == "finance" && tok["revoked_at"] == nil && tok["expires_at"] == nil
		}
		for _, secretish := range []string{"fa_", "fs_"} {
			for k, v := range tok {
				if str, ok := v.(string); ok && strings.HasPrefix(str, secretish) {
					t.Errorf("token list member %s holds a secret: %v", k, v)
				}
			}
		}
	}
	if !found {
		t.Fatalf("the new token is not listed as created: %s", list.Body)
	}

	// Stored: the SHA-256 of the secret, never the secret itself.
	stored, err := s.DB.AuthStore().ListTokens(context.Background(), finapp.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range stored {
		if strings.Contains(tok.Hash, "fa_") || tok.Hash == secret {
			t.Fatalf("token %s is stored in clear: %q", tok.ID, tok.Hash)
		}
		if tok.ID == id && (tok.Hash != hash || !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(tok.Hash)) {
			t.Fatalf("token %s is stored as %q, want the hex SHA-256 of its secret", id, tok.Hash)
		}
	}
	if _, err := s.DB.AuthStore().TokenByHash(context.Background(), secret); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("looking the secret itself up as a stored value: %v", err)
	}
}

func TestTokens_RevokedOrExpiredTokenIs401(t *testing.T) {
	s := newTestServer(t)
	created := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "old", "role": "viewer"}, s.asAdmin()...)
	secret, id := created.str("token"), created.str("id")
	s.must(200, "GET", "/v1/payments", nil, "Authorization", "Bearer "+secret)

	s.must(204, "DELETE", "/v1/tokens/"+id, nil, s.asAdmin()...)
	r := s.call("GET", "/v1/payments", nil, "Authorization", "Bearer "+secret)
	expectProblem(t, r, 401, finapp.EUnauthorized)
	if !strings.Contains(r.Header.Get("WWW-Authenticate"), "invalid_token") {
		t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
	}
	// Revoked stays revoked and is listed so.
	for _, tok := range s.must(200, "GET", "/v1/tokens", nil, s.asAdmin()...).dataList() {
		if tok["id"] == id && tok["revoked_at"] == nil {
			t.Fatalf("revoked token listed without revoked_at: %v", tok)
		}
	}
	expectProblem(t, s.call("DELETE", "/v1/tokens/"+finapp.NewID("tok_"), nil, s.asAdmin()...), 404, finapp.ENotFound)

	// Expiry: a token whose expiry has passed. It is made with a clock two hours back, so that its
	// expiry (one hour ago) was in the future when it was made.
	past := auth.New(s.DB.AuthStore())
	past.Now = func() time.Time { return time.Now().UTC().Add(-2 * time.Hour) }
	expiry := time.Now().UTC().Add(-time.Hour)
	expired, _, err := past.CreateToken(operator(context.Background(), finapp.DefaultWorkspace), finapp.DefaultWorkspace, "expired", finapp.RoleAdmin, &expiry)
	if err != nil {
		t.Fatal(err)
	}
	expectProblem(t, s.call("GET", "/v1/payments", nil, "Authorization", "Bearer "+expired), 401, finapp.EUnauthorized)

	// Over the API: an expiry in the future is kept and listed, one in the past is refused.
	until := time.Now().UTC().Add(24 * time.Hour).Truncate(time.Second)
	live := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "a day", "role": "viewer", "expires_at": until}, s.asAdmin()...)
	s.must(200, "GET", "/v1/payments", nil, "Authorization", "Bearer "+live.str("token"))
	if got, _ := time.Parse(time.RFC3339, live.str("expires_at")); !got.Equal(until) {
		t.Fatalf("expires_at %q, want %s", live.str("expires_at"), until)
	}
	expectProblem(t, s.call("POST", "/v1/tokens", map[string]any{"name": "late", "role": "viewer", "expires_at": time.Now().UTC().Add(-time.Minute)},
		s.asAdmin()...), 422, finapp.EInvalid)
}

func TestUsers_CreateListDisable_EndsLoginAndSessions(t *testing.T) {
	s := newTestServer(t)
	const password = "a long enough passphrase"
	u := s.must(201, "POST", "/v1/users", map[string]any{"email": "Ana@Example.com", "role": "finance", "password": password}, s.asAdmin()...)
	id := u.str("id")
	if !strings.HasPrefix(id, "usr_") || u.str("email") != "ana@example.com" || u.str("role") != "finance" || u.JSON["disabled_at"] != nil {
		t.Fatalf("created user: %s", u.Body)
	}
	if bytes.Contains(u.Body, []byte(password)) || bytes.Contains(u.Body, []byte("argon2")) {
		t.Fatalf("the answer shows the password or its hash: %s", u.Body)
	}
	list := s.must(200, "GET", "/v1/users", nil, s.asAdmin()...)
	if bytes.Contains(list.Body, []byte(password)) || bytes.Contains(list.Body, []byte("argon2")) || bytes.Contains(list.Body, []byte("password")) {
		t.Fatalf("the user list shows a password or its hash: %s", list.Body)
	}
	if len(list.dataList()) != 1 || list.dataList()[0]["id"] != id {
		t.Fatalf("user list: %s", list.Body)
	}
	// Refusals: a taken email, a short password, an unknown role.
	expectProblem(t, s.call("POST", "/v1/users", map[string]any{"email": "ana@example.com", "role": "viewer", "password": password}, s.asAdmin()...), 409, finapp.EDuplicate)
	expectProblem(t, s.call("POST", "/v1/users", map[string]any{"email": "bo@example.com", "role": "viewer", "password": "too short"}, s.asAdmin()...), 422, finapp.EInvalid)
	expectProblem(t, s.call("POST", "/v1/users", map[string]any{"email": "bo@example.com", "role": "owner", "password": password}, s.asAdmin()...), 422, finapp.EInvalid)

	// The user logs in (as the web UI does) and the session stands for them.
	ctx := context.Background()
	au := auth.New(s.DB.AuthStore())
	secret, _, err := au.Login(ctx, "ana@example.com", password, "192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	actor, _, err := au.SessionActor(ctx, secret, "192.0.2.7")
	if err != nil || actor.Name != "user:ana@example.com" || actor.Role != finapp.RoleFinance || actor.WorkspaceID != finapp.DefaultWorkspace {
		t.Fatalf("session actor %+v, %v", actor, err)
	}

	// Disabled: the session stops working and so does the password.
	s.must(204, "DELETE", "/v1/users/"+id, nil, s.asAdmin()...)
	if _, _, err := au.SessionActor(ctx, secret, "192.0.2.7"); finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("a disabled user's session: %v", err)
	}
	if _, _, err := au.Login(ctx, "ana@example.com", password, "192.0.2.7"); finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("a disabled user's login: %v", err)
	}
	if list := s.must(200, "GET", "/v1/users", nil, s.asAdmin()...); list.dataList()[0]["disabled_at"] == nil {
		t.Fatalf("disabled user listed without disabled_at: %s", list.Body)
	}
	expectProblem(t, s.call("DELETE", "/v1/users/"+finapp.NewID("usr_"), nil, s.asAdmin()...), 404, finapp.ENotFound)
}

func TestAudit_RecordsWhoFromWhereAndWhen(t *testing.T) {
	s := newTestServer(t)
	before := time.Now().UTC().Add(-time.Second)
	org := s.org("Acme Telecom", "SGD") // finance token "test-finance"
	pay := s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": "10.00", "currency": "SGD", "method": "cash"},
		s.asAdmin()...).str("id")
	after := time.Now().UTC().Add(time.Second)

	for _, c := range []struct{ entity, actor string }{{org, "token:test-finance"}, {pay, "token:test-admin"}} {
		events := s.must(200, "GET", "/v1/audit?entity_id="+c.entity, nil, "Authorization", "Bearer "+s.Viewer).dataList()
		if len(events) == 0 {
			t.Fatalf("no audit event of %s", c.entity)
		}
		e := events[len(events)-1]
		at, _ := time.Parse(time.RFC3339Nano, e["at"].(string))
		if e["actor"] != c.actor || e["source"] != "127.0.0.1" || at.Before(before) || at.After(after) {
			t.Errorf("audit event of %s: actor %v source %v at %v, want %s from 127.0.0.1 between %s and %s", c.entity,
				e["actor"], e["source"], e["at"], c.actor, before, after)
		}
		if e["hash"] == "" || e["prev_hash"] == nil {
			t.Errorf("audit event without its chain link: %v", e)
		}
	}
	v := s.must(200, "GET", "/v1/audit/verify", nil, "Authorization", "Bearer "+s.Viewer)
	if v.JSON["intact"] != true || v.intField("events") < 2 {
		t.Fatalf("audit verify: %s", v.Body)
	}
}

// checkSecurityHeaders checks the headers every answer carries.
func checkSecurityHeaders(t *testing.T, what string, h http.Header, hsts bool) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors 'none'") || !strings.Contains(csp, "default-src 'self'") ||
		strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "unsafe-eval") {
		t.Errorf("%s: Content-Security-Policy %q", what, csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", what, got)
	}
	switch got := h.Get("Referrer-Policy"); got {
	case "no-referrer", "same-origin", "strict-origin", "strict-origin-when-cross-origin":
	default:
		t.Errorf("%s: Referrer-Policy %q", what, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", what, got)
	}
	if got := h.Get("Strict-Transport-Security"); (got != "") != hsts {
		t.Errorf("%s: Strict-Transport-Security %q (served over TLS: %v)", what, got, hsts)
	}
}

func TestSecurityHeaders_OnEveryResponse(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	viewer := []string{"Authorization", "Bearer " + s.Viewer}
	cases := []struct {
		name         string
		method, path string
		body         any
		headers      []string
		status       int
	}{
		{"health", "GET", "/healthz", nil, nil, 200},
		{"ready", "GET", "/readyz", nil, nil, 200},
		{"openapi", "GET", "/v1/openapi.json", nil, nil, 200},
		{"read", "GET", "/v1/organizations/" + org, nil, nil, 200},
		{"create", "POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash"}, nil, 201},
		{"no token", "GET", "/v1/payments", nil, []string{"Authorization", ""}, 401},
		{"bad token", "GET", "/v1/payments", nil, []string{"Authorization", "Bearer fa_nope"}, 401},
		{"forbidden", "POST", "/v1/organizations", map[string]any{"name": "X", "billing_currency": "SGD"}, viewer, 403},
		{"unknown id", "GET", "/v1/payments/" + finapp.NewID("pay_"), nil, nil, 404},
		{"unknown route", "GET", "/v1/nothing-here", nil, nil, 404},
		{"outside the API", "GET", "/", nil, nil, 404},
		{"invalid", "POST", "/v1/payments", map[string]any{"amount": "x"}, nil, 422},
		{"too large", "POST", "/v1/payments", `{"remark":"` + strings.Repeat("x", 2<<20) + `"}`, nil, 413},
	}
	for _, c := range cases {
		r := s.call(c.method, c.path, c.body, c.headers...)
		if r.Status != c.status {
			t.Errorf("%s: %s %s: %d, want %d: %.300s", c.name, c.method, c.path, r.Status, c.status, r.Body)
		}
		checkSecurityHeaders(t, c.name, r.Header, false)
	}

	// Served over TLS, the answers also carry HSTS.
	tlsSrv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(s.DB), Auth: auth.New(s.DB.AuthStore()), Idempotency: s.DB, TLS: true}))
	defer tlsSrv.Close()
	for _, path := range []string{"/healthz", "/v1/payments"} {
		res, err := http.Get(tlsSrv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		checkSecurityHeaders(t, "TLS "+path, res.Header, true)
	}
}

func TestBodyLimit_Over1MiBIs413(t *testing.T) {
	s := newTestServer(t)
	pay := s.payment("", "10.00", "SGD")
	fill := strings.Repeat("x", 1<<20)
	cases := []struct {
		method, path, body string
		headers            []string
	}{
		{"POST", "/v1/payments", `{"amount":"1.00","currency":"SGD","method":"cash","remark":"` + fill + `"}`, nil},
		{"POST", "/v1/payments", `{"amount":"1.00","currency":"SGD","method":"cash","remark":"` + fill + `"}`, []string{"Idempotency-Key", "big-1"}},
		{"PATCH", "/v1/payments/" + pay, `{"remark":"` + fill + `"}`, nil},
		{"POST", "/v1/tokens", `{"role":"viewer","name":"` + fill + `"}`, s.asAdmin()},
		{"POST", "/v1/users", `{"role":"viewer","email":"a@example.com","password":"` + fill + `"}`, append(s.asAdmin(), "Idempotency-Key", "big-2")},
	}
	for _, c := range cases {
		r := s.call(c.method, c.path, c.body, c.headers...)
		if r.Status != 413 || r.Header.Get("Content-Type") != "application/problem+json" || r.str("code") == "" {
			t.Errorf("%s %s with %d bytes (headers %v): %d %s: %.300s", c.method, c.path, len(c.body), c.headers, r.Status,
				r.Header.Get("Content-Type"), r.Body)
		}
	}
	if n := s.countPayments(true); n != 1 {
		t.Fatalf("oversized requests recorded payments: %d", n)
	}
	// Just under the limit is read and judged on its content.
	under := `{"amount":"1.00","currency":"SGD","method":"cash","remark":"` + strings.Repeat("x", 1<<20-200) + `"}`
	if r := s.call("POST", "/v1/payments", under); r.Status == 413 {
		t.Fatalf("a body under 1 MiB was refused as too large")
	}
}

// Secrets never reach the log: a token's secret, a session's secret and a password, through
// every path that could log them (successful calls, refusals, unknown tokens).
func TestLogs_HoldNoSecrets(t *testing.T) {
	var logs bytes.Buffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	s := newTestServer(t)
	const password = "a long enough passphrase"
	tok := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "n", "role": "finance"}, s.asAdmin()...).str("token")
	s.must(201, "POST", "/v1/users", map[string]any{"email": "ana@example.com", "role": "finance", "password": password}, s.asAdmin()...)
	au := auth.New(s.DB.AuthStore())
	session, _, err := au.Login(context.Background(), "ana@example.com", password, "192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	_, _, _ = au.Login(context.Background(), "ana@example.com", password+"x", "192.0.2.1")
	s.call("GET", "/v1/payments", nil, "Authorization", "Bearer "+tok)
	s.call("GET", "/v1/payments", nil, "Authorization", "Bearer "+session)
	s.call("GET", "/v1/payments", nil, "Authorization", "Bearer "+tok+"x")
	s.call("POST", "/v1/payments", `{"amount":`, "Authorization", "Bearer "+tok)
	for _, secret := range []string{tok, session, password, s.Admin, s.Token, s.Viewer} {
		if strings.Contains(logs.String(), secret) {
			t.Fatalf("the log holds a secret: %s", logs.String())
		}
	}
}
