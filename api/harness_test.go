package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/sqlstore"
	"finapp/webhook"
)

// testServer is finapp's real HTTP API over a real SQLite file in a temporary directory.
type testServer struct {
	t      testing.TB
	URL    string
	DB     *sqlstore.DB
	Svc    *finapp.Service // the server's use cases (its clock, for tests that move time)
	Token  string          // finance role
	Admin  string
	Viewer string
}

// operator is an admin of workspaceID ("" for none), as the command line acts: Auth refuses a
// caller without an actor.
func operator(ctx context.Context, workspaceID string) context.Context {
	return finapp.WithActor(ctx, finapp.Actor{WorkspaceID: workspaceID, Name: "test:operator", Role: finapp.RoleAdmin})
}

func newTestServer(t testing.TB) *testServer {
	t.Helper()
	ctx := context.Background()
	db := testdb.Open(t) // SQLite, or PostgreSQL with FINAPP_TEST_ENGINE=postgres
	var err error
	svc := finapp.NewService(db)
	// Webhook endpoints on loopback (the tests' receivers): allowed here, refused by default.
	svc.WebhookTargets = webhook.Policy{AllowInsecure: true, AllowPrivate: true}
	srv := httptest.NewServer(api.New(api.Deps{Service: svc, Auth: auth.New(db.AuthStore()), Idempotency: db, Ready: db.Ping,
		Collectors: db.Collectors()}))
	t.Cleanup(srv.Close)
	s := &testServer{t: t, URL: srv.URL, DB: db, Svc: svc}
	for role, dst := range map[string]*string{finapp.RoleFinance: &s.Token, finapp.RoleAdmin: &s.Admin, finapp.RoleViewer: &s.Viewer} {
		if *dst, _, err = auth.New(db.AuthStore()).CreateToken(operator(ctx, finapp.DefaultWorkspace), finapp.DefaultWorkspace, "test-"+role, role, nil); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// response is what a client saw.
type response struct {
	Status int
	Header http.Header
	Body   []byte
	JSON   map[string]any
}

// str returns a top-level string field of a JSON response ("" when absent).
func (r *response) str(field string) string {
	s, _ := r.JSON[field].(string)
	return s
}

// call sends method path with body (a string is sent as is, anything else as JSON) as the finance
// role; headers are name, value pairs (an "Authorization" pair replaces the default token).
func (s *testServer) call(method, path string, body any, headers ...string) *response {
	s.t.Helper()
	var raw []byte
	switch b := body.(type) {
	case nil:
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(b); err != nil {
			s.t.Fatal(err)
		}
	}
	return s.send(method, path, s.Token, raw, body != nil, headers...)
}

// send sends method path with the bearer token and body (as JSON when isJSON is set); headers are
// name, value pairs that replace those set before them.
func (s *testServer) send(method, path, token string, body []byte, isJSON bool, headers ...string) *response {
	s.t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+path, rd)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if isJSON {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := &response{Status: res.StatusCode, Header: res.Header, Body: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

// must is call that fails the test unless the status is want; it returns the response.
func (s *testServer) must(want int, method, path string, body any, headers ...string) *response {
	s.t.Helper()
	r := s.call(method, path, body, headers...)
	if r.Status != want {
		s.t.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// org creates an organization and returns its id.
func (s *testServer) org(name, currency string) string {
	s.t.Helper()
	return s.must(201, "POST", "/v1/organizations", map[string]any{"name": name, "billing_currency": currency}).str("id")
}

// invoice issues an invoice (kind standard, proforma or top_up) and returns its id.
func (s *testServer) invoice(orgID, number, kind, total string, extra ...string) string {
	s.t.Helper()
	body := map[string]any{"organization_id": orgID, "number": number, "kind": kind, "total": total}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return s.must(201, "POST", "/v1/invoices", body).str("id")
}

// payment records a payment (orgID may be "") and returns its id.
func (s *testServer) payment(orgID, amount, currency string) string {
	s.t.Helper()
	body := map[string]any{"amount": amount, "currency": currency, "method": "bank_transfer", "reference": "REF"}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	return s.must(201, "POST", "/v1/payments", body).str("id")
}

// expectProblem checks a refusal: status, problem+json content type and the stable code.
func expectProblem(t *testing.T, r *response, status int, code string) {
	t.Helper()
	if r.Status != status || r.str("code") != code {
		t.Fatalf("got %d %q, want %d %q: %s", r.Status, r.str("code"), status, code, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json", ct)
	}
}
