package api_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/internal/testdb"
)

// lockedBuffer is a log destination the server's goroutines may write to at once.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

// lines returns the log's request lines, parsed.
func (l *lockedBuffer) lines(t *testing.T) []map[string]any {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(l.b.Bytes()))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("a log line is not JSON: %q", sc.Text())
		}
		if m["msg"] == "request" {
			out = append(out, m)
		}
	}
	return out
}

func (l *lockedBuffer) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// Every request leaves one structured line in the operator's log — route pattern, status, caller,
// request id and, for a refusal, why — and never the token or what the body held; the request id
// goes back to the client.
func TestRequestLog_OneLinePerRequestWithoutSecrets(t *testing.T) {
	var logged lockedBuffer
	db := testdb.Open(t)
	srv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(db), Auth: auth.New(db.AuthStore()), Idempotency: db,
		Ready: db.Ping, Log: slog.New(slog.NewJSONHandler(&logged, nil))}))
	defer srv.Close()
	token, _, err := auth.New(db.AuthStore()).CreateToken(operator(context.Background(), finapp.DefaultWorkspace), finapp.DefaultWorkspace, "books", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, path, body, requestID string, withToken bool) *http.Response {
		req, _ := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if withToken {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if requestID != "" {
			req.Header.Set("X-Request-Id", requestID)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, res.Body)
		res.Body.Close()
		return res
	}

	ok := send("GET", "/v1/payments?limit=5", "", "trace-0042", true)
	if got := ok.Header.Get("X-Request-Id"); got != "trace-0042" {
		t.Errorf("X-Request-Id %q, want the client's trace-0042", got)
	}
	refused := send("POST", "/v1/payments", `{"amount":"12.345","currency":"SGD","method":"cash","remark":"the customer's secret remark"}`, "", true)
	if refused.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("bad amount: %d", refused.StatusCode)
	}
	generated := refused.Header.Get("X-Request-Id")
	if generated == "" {
		t.Error("no X-Request-Id on an answer to a request without one")
	}
	forged := send("GET", "/v1/payments", "", "x\" level=ERROR msg=forged", true)
	if got := forged.Header.Get("X-Request-Id"); got == "" || strings.Contains(got, " ") {
		t.Errorf("a request id that is no plain token was kept: %q", got)
	}
	send("GET", "/v1/payments", "", "", false) // no token: 401

	lines := logged.lines(t)
	if len(lines) != 4 {
		t.Fatalf("%d request lines for 4 requests:\n%s", len(lines), logged.text())
	}
	want := []map[string]any{
		{"method": "GET", "route": "GET /v1/payments", "status": 200.0, "workspace": finapp.DefaultWorkspace, "actor": "token:books", "request_id": "trace-0042"},
		{"method": "POST", "route": "POST /v1/payments", "status": 422.0, "actor": "token:books", "request_id": generated, "code": finapp.EInvalid},
		{"status": 200.0},
		{"method": "GET", "status": 401.0, "actor": "", "code": finapp.EUnauthorized},
	}
	for i, w := range want {
		for k, v := range w {
			if lines[i][k] != v {
				t.Errorf("line %d: %s = %v, want %v (line %v)", i, k, lines[i][k], v, lines[i])
			}
		}
		for _, k := range []string{"duration_ms", "bytes"} {
			if _, ok := lines[i][k]; !ok {
				t.Errorf("line %d has no %s", i, k)
			}
		}
	}
	if reason, _ := lines[1]["reason"].(string); !strings.Contains(reason, "amount") {
		t.Errorf("the refusal's line does not say why: %v", lines[1])
	}
	for _, secret := range []string{token, "secret remark", "limit=5"} {
		if strings.Contains(logged.text(), secret) {
			t.Errorf("the log holds %q:\n%s", secret, logged.text())
		}
	}
}

// /metrics counts every answer by route and status, those refused before any API operation ran
// (401, 404, 405) and the pages' too, and says which build is running.
func TestMetrics_CountEveryAnswerAndTheBuild(t *testing.T) {
	db := testdb.Open(t)
	pages := http.NewServeMux()
	pages.HandleFunc("GET /hello", func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write([]byte("hi")) })
	srv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(db), Auth: auth.New(db.AuthStore()), Idempotency: db,
		Ready: db.Ping, Pages: pages, Log: slog.New(slog.NewJSONHandler(io.Discard, nil))}))
	defer srv.Close()
	for _, r := range []struct{ method, path string }{{"GET", "/v1/payments"}, {"GET", "/nowhere"}, {"POST", "/hello"}, {"GET", "/hello"}} {
		req, _ := http.NewRequest(r.method, srv.URL+r.path, nil)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
	}
	res, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	for _, want := range []string{
		`finapp_http_requests_total{code="401",route="/v1/"} 1`,
		`finapp_http_requests_total{code="404",route="/"} 1`,
		`finapp_http_requests_total{code="405",route="/"} 1`,
		`finapp_http_requests_total{code="200",route="/"} 1`,
		`finapp_build_info{goversion="go`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("/metrics lacks %s:\n%s", want, grepMetrics(string(body), "finapp_"))
		}
	}
}

func grepMetrics(text, prefix string) string {
	var b strings.Builder
	for _, l := range strings.Split(text, "\n") {
		if strings.HasPrefix(l, prefix) {
			b.WriteString(l + "\n")
		}
	}
	return b.String()
}
