package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
)

func TestPages_RequireLogin(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	status, body := c.get("/payments")
	if status != http.StatusOK || !strings.Contains(body, `action="/login"`) {
		t.Fatalf("GET /payments without a session: %d, want the login form", status)
	}
}

func TestLogin_SetsHttpOnlyLaxCookie_SecureWhenServedOverTLS(t *testing.T) {
	for _, secure := range []bool{false, true} {
		h := newHarness(t, secure)
		c := h.client()
		_, body := c.get("/login")
		c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		resp, err := c.http.PostForm(h.URL+"/login", url.Values{"csrf": {token(t, body)}, "email": {testEmail}, "password": {testPassword}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/payments" {
			t.Fatalf("login answered %d to %q, want 303 to /payments", resp.StatusCode, resp.Header.Get("Location"))
		}
		var session *http.Cookie
		for _, ck := range resp.Cookies() {
			if ck.Name == "finapp_session" {
				session = ck
			}
		}
		if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode || session.Secure != secure {
			t.Fatalf("Deps.Secure=%v: session cookie %+v, want HttpOnly, SameSite=Lax, Secure=%v", secure, session, secure)
		}
	}
}

func TestPost_WithoutValidCSRFTokenIsRefusedAndChangesNothing(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	form := func() url.Values {
		return url.Values{"amount": {"10.00"}, "currency": {"SGD"}, "method": {"cash"}}
	}
	for name, tok := range map[string]string{"missing": "", "wrong": strings.Repeat("ab", 32), "another session's": otherSessionToken(h)} {
		status, body := c.post("/payments", tok, form())
		if status != http.StatusForbidden || !strings.Contains(body, "security token") {
			t.Errorf("%s token: %d, want 403 with an explanation", name, status)
		}
	}
	// A cross-site form carries the right token only if the attacker could read it; the Origin
	// check refuses it anyway.
	req, _ := http.NewRequest("POST", h.URL+"/payments", strings.NewReader(url.Values{"csrf": {csrf}, "amount": {"10.00"}, "currency": {"SGD"}, "method": {"cash"}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	resp, err := c.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-origin POST with a valid token: %d, want 403", resp.StatusCode)
	}
	if list, _, _ := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{}); len(list) != 0 {
		t.Fatalf("%d payments recorded by refused forms", len(list))
	}
	if status, _ := c.post("/payments", csrf, form()); status != http.StatusOK {
		t.Fatalf("the same form with the session's token: %d", status)
	}
	if list, _, _ := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{}); len(list) != 1 {
		t.Fatalf("%d payments after a valid form, want 1", len(list))
	}
}

func otherSessionToken(h *harness) string {
	return h.client().loggedIn()
}

func TestLoginForm_WithoutItsTokenIsRefused(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	status, body := c.post("/login", "", url.Values{"email": {testEmail}, "password": {testPassword}})
	if status != http.StatusForbidden || !strings.Contains(body, "expired") {
		t.Fatalf("login without the form's token: %d", status)
	}
}

func TestUserStrings_AreEscaped(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	evil := `<script>alert("x")</script>`
	status, body := c.post("/payments", csrf, url.Values{"amount": {"10.00"}, "currency": {"SGD"}, "method": {"cash"},
		"reference": {evil}, "remark": {evil + `"><img src=x onerror=alert(1)>`}})
	if status != http.StatusOK {
		t.Fatalf("record: %d\n%s", status, body)
	}
	_, list := c.get("/payments")
	for page, b := range map[string]string{"view": body, "list": list} {
		if strings.Contains(b, "<script>alert") || strings.Contains(b, "<img src=x") {
			t.Errorf("%s page contains the raw markup", page)
		}
		if !strings.Contains(b, "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") {
			t.Errorf("%s page does not show the escaped reference", page)
		}
	}
}

func TestLogin_ThrottledAfterFiveFailures(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	for i := 0; i < auth.MaxFailuresPerAccount; i++ {
		status, body := c.login(testEmail, "wrong password!")
		if status != http.StatusUnauthorized || !strings.Contains(body, "Wrong email or password") {
			t.Fatalf("failure %d: %d", i+1, status)
		}
	}
	status, body := c.login(testEmail, testPassword)
	if status != http.StatusTooManyRequests || !strings.Contains(body, "Too many failed logins") {
		t.Fatalf("right password after 5 failures: %d, want 429 with the throttling message", status)
	}
}

func TestLogout_EndsTheSession(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	u, _ := url.Parse(h.URL)
	old := c.http.Jar.Cookies(u)
	status, body := c.post("/logout", csrf, url.Values{})
	if status != http.StatusOK || !strings.Contains(body, "You are logged out") {
		t.Fatalf("logout: %d", status)
	}
	// The old cookie, replayed, no longer opens a page.
	replay := h.client()
	replay.http.Jar.SetCookies(u, old)
	if _, body := replay.get("/payments"); !strings.Contains(body, `action="/login"`) {
		t.Fatal("the session cookie still works after logout")
	}
}

func TestNewPayment_ShowsTheDomainErrorNextToItsField(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	status, body := c.post("/payments", csrf, url.Values{"amount": {"12.345"}, "currency": {"SGD"}, "method": {"cash"}, "reference": {"kept"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d, want 422", status)
	}
	if !strings.Contains(body, `id="amount-error"`) || !strings.Contains(body, `value="kept"`) {
		t.Fatalf("no inline amount error, or the form lost what was typed:\n%s", body)
	}
}

func TestAssignment_SixthChangeIsRefused(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	status, body := c.post("/payments", csrf, url.Values{"organization_id": {h.acme.ID}, "amount": {"50.00"}, "currency": {"SGD"}, "method": {"cash"}})
	if status != http.StatusOK || !strings.Contains(body, "4 of 5 assignment changes left") {
		t.Fatalf("record with customer: %d", status)
	}
	list, _, _ := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{})
	id := list[0].ID
	version := func() string {
		d, _ := h.svc.GetPayment(h.ctx, id)
		return strconv.Itoa(d.Version)
	}
	for i := 0; i < 2; i++ {
		if status, _ = c.post("/payments/"+id+"/unassign", csrf, url.Values{"version": {version()}}); status != http.StatusOK {
			t.Fatalf("unassign: %d", status)
		}
		if status, body = c.post("/payments/"+id+"/assign", csrf, url.Values{"version": {version()}, "organization_id": {h.acme.ID}}); status != http.StatusOK {
			t.Fatalf("assign: %d", status)
		}
	}
	if !strings.Contains(body, "0 of 5 assignment changes left") || !strings.Contains(body, `id="unassign" disabled`) {
		t.Fatalf("after 5 changes the page does not disable the editor:\n%s", body)
	}
	status, body = c.post("/payments/"+id+"/unassign", csrf, url.Values{"version": {version()}})
	if status != http.StatusConflict || !strings.Contains(body, `id="error"`) || !strings.Contains(body, "5") {
		t.Fatalf("6th change: %d, want 409 with the refusal shown", status)
	}
}
