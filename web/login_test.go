package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
)

var nextFieldRe = regexp.MustCompile(`name="next" value="([^"]*)"`)

// A login sends the browser on only to a page of this site: every other ?next= falls back to
// the Payments page, whether it comes in the login page's address or in the posted form.
func TestLogin_NextOnlyLeadsToAPageOfThisSite(t *testing.T) {
	h := newHarness(t, false)
	for _, c := range []struct{ next, want string }{
		{"/invoices?status=open", "/invoices?status=open"},
		{"/payments/pay_01abc", "/payments/pay_01abc"},
		{"", "/payments"},
		{"//evil.example/x", "/payments"},
		{"///evil.example/x", "/payments"},
		{`/\evil.example/x`, "/payments"},
		{`\\evil.example/x`, "/payments"},
		{`/a\b`, "/payments"},
		{"/\t/evil.example/x", "/payments"},
		{"/\n/evil.example/x", "/payments"},
		{"/\r\n/evil.example/x", "/payments"},
		{"/ /evil.example/x", "/payments"},
		{"/%09/evil.example/x", "/payments"},
		{"/%0d%0a/evil.example/x", "/payments"},
		{"/%2F/evil.example/x", "/payments"},
		{"/%5C/evil.example/x", "/payments"},
		{"%2F%2Fevil.example/x", "/payments"},
		{"https://evil.example/x", "/payments"},
		{"http:/evil.example", "/payments"},
		{"HTTPS://evil.example", "/payments"},
		{"javascript:alert(1)", "/payments"},
		{"/javascript:alert(1)", "/javascript:alert(1)"}, // a path on this site, harmless
		{"data:text/html,<script>alert(1)</script>", "/payments"},
		{"evil.example", "/payments"},
		{"/\x00/evil.example", "/payments"},
		{"/\u2028/evil.example", "/payments"},
		{"/\u200b/evil.example", "/payments"},
		{"/%", "/payments"},
		{"/payments#x", "/payments#x"},
	} {
		if finapp.CheckText("next", c.next, false) != nil {
			// Control characters or broken UTF-8: the pages refuse the request before any
			// handler sees it (web/edge.go), so no Location can come of it at all.
			if status, _ := h.client().get("/login?next=" + url.QueryEscape(c.next)); status != http.StatusUnprocessableEntity {
				t.Errorf("next %q: the login page answered %d, want 422", c.next, status)
			}
			if got := loginRefused(t, h, c.next); got != "" {
				t.Errorf("next %q: a refused login sends the browser to %q", c.next, got)
			}
			continue
		}
		// The login page carries ?next= into its form, filtered.
		_, body := h.client().get("/login?next=" + url.QueryEscape(c.next))
		m := nextFieldRe.FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("next %q: no next field on the login page", c.next)
		}
		if got := html.UnescapeString(m[1]); got != c.want {
			t.Errorf("next %q: the login form carries %q, want %q", c.next, got, c.want)
		}
		// A posted next (the form can be forged) is filtered again before it becomes Location.
		if got := loginLocation(t, h, c.next); got != c.want {
			t.Errorf("next %q: login redirects to %q, want %q", c.next, got, c.want)
		}
	}
}

// postLogin logs in with next and returns the answer's status and Location.
func postLogin(t *testing.T, h *harness, next string) (int, string) {
	t.Helper()
	c := h.client()
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	_, body := c.get("/login")
	form := url.Values{"email": {testEmail}, "password": {testPassword}, "next": {next}, "csrf": {token(t, body)}}
	resp, err := c.http.PostForm(h.URL+"/login", form)
	if err != nil {
		// The client refuses a Location it cannot parse (control characters); a browser might not.
		t.Errorf("login with next %q: %v", next, err)
		return 0, "(unparsable)"
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, resp.Header.Get("Location")
}

// loginRefused posts a login with next, which the pages must refuse (422), and returns the
// answer's Location, which must be "".
func loginRefused(t *testing.T, h *harness, next string) string {
	t.Helper()
	status, loc := postLogin(t, h, next)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("login with next %q: %d, want 422", next, status)
	}
	return loc
}

// loginLocation logs in with next and returns where the answer sends the browser.
func loginLocation(t *testing.T, h *harness, next string) string {
	t.Helper()
	status, loc := postLogin(t, h, next)
	if status == 0 {
		return loc
	}
	if status != http.StatusSeeOther {
		t.Fatalf("login with next %q: %d", next, status)
	}
	if strings.ContainsAny(loc, "\t\r\n") {
		t.Fatalf("Location %q holds a control character", loc)
	}
	return loc
}

// A throttled login says so on the page and tells the browser when to come back.
func TestLogin_ThrottledAnswerCarriesRetryAfter(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	for i := 0; i < auth.MaxFailuresPerAccount; i++ {
		c.login(testEmail, "wrong password!")
	}
	_, body := c.get("/login")
	form := url.Values{"email": {testEmail}, "password": {testPassword}, "next": {"/payments"}, "csrf": {token(t, body)}}
	resp, err := c.http.PostForm(h.URL+"/login", form)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(string(b), "Too many failed logins; try again in 15 minutes") {
		t.Fatalf("throttled login: %d\n%s", resp.StatusCode, b)
	}
	if got := resp.Header.Get("Retry-After"); got != "900" {
		t.Fatalf("Retry-After %q, want 900 (the throttling window)", got)
	}
}
