package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
)

var tokenSecretRe = regexp.MustCompile(`id="token-secret" value="(fa_[a-z2-7]{52})"`)

func TestAdminUsers_CreateShowsDomainErrorsInlineThenListsTheUser(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	status, body, _ := b.do("POST", "/admin/users", url.Values{"email": {"new@a.example"}, "role": {finapp.RoleFinance}, "password": {"short"}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="password-error"`) || !strings.Contains(body, `value="new@a.example"`) {
		t.Fatalf("short password: %d, want 422 with the error next to the password and the email kept\n%s", status, body)
	}
	if strings.Contains(body, `value="short"`) {
		t.Error("the refused form echoes the password")
	}
	status, body, _ = b.do("POST", "/admin/users", url.Values{"email": {"not an email"}, "role": {finapp.RoleFinance}, "password": {testPassword}})
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="email-error"`) {
		t.Fatalf("bad email: %d\n%s", status, body)
	}
	// Emails are unique across workspaces: B's admin's address is taken.
	status, body, _ = b.do("POST", "/admin/users", url.Values{"email": {adminBEmail}, "role": {finapp.RoleViewer}, "password": {testPassword}})
	if status != http.StatusConflict || strings.Contains(body, w.wsB) {
		t.Fatalf("taken email: %d, want 409 that names nothing of the other workspace\n%s", status, body)
	}
	status, _, loc := b.do("POST", "/admin/users", url.Values{"email": {"new@a.example"}, "role": {finapp.RoleFinance}, "password": {testPassword}})
	if status != http.StatusSeeOther || loc != "/admin/users?done=user-created" {
		t.Fatalf("create: %d to %q", status, loc)
	}
	_, body, _ = b.do("GET", loc, nil)
	if !strings.Contains(body, "new@a.example") || !strings.Contains(body, "User created.") {
		t.Fatalf("the list does not show the new user:\n%s", body)
	}
	if strings.Contains(body, "argon2") || strings.Contains(body, testPassword) {
		t.Fatal("the user list shows a password or its hash")
	}
	if status, _ := w.client().login("new@a.example", testPassword); status != http.StatusOK {
		t.Fatalf("the new user cannot log in: %d", status)
	}
}

func TestAdminUsers_DisableAsksFirstThenEndsTheirSessions(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	viewer := w.login(viewerEmail)
	id := w.users[finapp.RoleViewer].ID
	status, body, _ := b.do("GET", "/admin/users/"+id+"/disable", nil)
	if status != http.StatusOK || !strings.Contains(body, viewerEmail) || !strings.Contains(body, `id="confirm-disable"`) {
		t.Fatalf("confirmation: %d\n%s", status, body)
	}
	if users, _ := w.auth.ListUsers(w.ctx, finapp.DefaultWorkspace); disabled(users, id) {
		t.Fatal("opening the confirmation disabled the user")
	}
	if status, _, loc := b.do("POST", "/admin/users/"+id+"/disable", nil); status != http.StatusSeeOther || loc != "/admin/users?done=user-disabled" {
		t.Fatalf("disable: %d to %q", status, loc)
	}
	if _, _, loc := viewer.do("GET", "/payments", nil); !strings.HasPrefix(loc, "/login") {
		t.Fatal("the disabled user's session still opens pages")
	}
	if status, _ := w.client().login(viewerEmail, testPassword); status != http.StatusUnauthorized {
		t.Fatalf("the disabled user logs in: %d", status)
	}
	_, body, _ = b.do("GET", "/admin/users", nil)
	if strings.Contains(body, "/admin/users/"+id+"/disable") {
		t.Error("the list still offers to disable a disabled user")
	}
	// Disabling again keeps the first date.
	users, _ := w.auth.ListUsers(w.ctx, finapp.DefaultWorkspace)
	first := disabledAt(users, id)
	b.do("POST", "/admin/users/"+id+"/disable", nil)
	users, _ = w.auth.ListUsers(w.ctx, finapp.DefaultWorkspace)
	if !disabledAt(users, id).Equal(first) {
		t.Error("disabling a disabled user moved its date")
	}
}

func disabled(users []*auth.User, id string) bool { return !disabledAt(users, id).IsZero() }

func disabledAt(users []*auth.User, id string) time.Time {
	for _, u := range users {
		if u.ID == id && u.DisabledAt != nil {
			return *u.DisabledAt
		}
	}
	return time.Time{}
}

func TestAdminTokens_SecretShownOnceThenRevoked(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	past := w.auth.Now().AddDate(0, 0, -1).Format(time.DateOnly)
	for _, bad := range []string{past, "31/12/2030"} {
		status, body, _ := b.do("POST", "/admin/tokens", url.Values{"name": {"ci"}, "role": {finapp.RoleViewer}, "expires_at": {bad}})
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="expires_at-error"`) || tokenSecretRe.MatchString(body) {
			t.Fatalf("expiry %q: %d, want 422 with the error next to the date and no token\n%s", bad, status, body)
		}
	}
	expires := w.auth.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	status, body, _ := b.do("POST", "/admin/tokens", url.Values{"name": {"billing-sync"}, "role": {finapp.RoleFinance}, "expires_at": {expires}})
	m := tokenSecretRe.FindStringSubmatch(body)
	if status != http.StatusOK || m == nil || !strings.Contains(body, "shown only this once") {
		t.Fatalf("create: %d, want the page with the secret and its warning\n%s", status, body)
	}
	secret := m[1]
	_, list, _ := b.do("GET", "/admin/tokens", nil)
	if strings.Contains(list, secret) || strings.Contains(list, auth.HashToken(secret)) || !strings.Contains(list, "billing-sync") || !strings.Contains(list, expires+" 00:00") {
		t.Fatalf("the list shows the secret or its hash, or not the token with its expiry:\n%s", list)
	}
	api := func() int {
		req, _ := http.NewRequest("GET", w.URL+"/v1/payments", nil)
		req.Header.Set("Authorization", "Bearer "+secret)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if s := api(); s != http.StatusOK {
		t.Fatalf("the new token on the API: %d", s)
	}
	toks, _ := w.auth.ListTokens(w.ctx, finapp.DefaultWorkspace)
	var id string
	for _, k := range toks {
		if k.Name == "billing-sync" {
			id = k.ID
		}
	}
	status, body, _ = b.do("GET", "/admin/tokens/"+id+"/revoke", nil)
	if status != http.StatusOK || !strings.Contains(body, `id="confirm-revoke"`) || strings.Contains(body, secret) {
		t.Fatalf("confirmation: %d\n%s", status, body)
	}
	if s := api(); s != http.StatusOK {
		t.Fatalf("opening the confirmation revoked the token: %d", s)
	}
	if status, _, loc := b.do("POST", "/admin/tokens/"+id+"/revoke", nil); status != http.StatusSeeOther || loc != "/admin/tokens?done=token-revoked" {
		t.Fatalf("revoke: %d to %q", status, loc)
	}
	if s := api(); s != http.StatusUnauthorized {
		t.Fatalf("the revoked token on the API: %d, want 401", s)
	}
}

func TestSession_EndsAfterSessionTTL(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	h.clock.Store(int64(auth.SessionTTL - time.Minute))
	if _, body := c.get("/payments"); !strings.Contains(body, "<h1>Payments") {
		t.Fatal("the session ended before SessionTTL")
	}
	h.clock.Store(int64(auth.SessionTTL + time.Second))
	if _, body := c.get("/payments"); !strings.Contains(body, `action="/login"`) {
		t.Fatal("the session still opens pages after SessionTTL")
	}
}
