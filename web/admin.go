package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"finapp"
	"finapp/auth"
)

// The administration pages: a workspace's users and API tokens, for its admins only (as in the
// API's access table). Every list and change is scoped to the admin's own workspace, so another
// workspace's user or token id is "not found", exactly like an id that exists nowhere.

// userFields and tokenFields are the admin forms' fields, named as the domain's errors name them.
var (
	userFields  = []string{"email", "role", "password"}
	tokenFields = []string{"name", "role", "expires_at"}
	roles       = []string{finapp.RoleViewer, finapp.RoleFinance, finapp.RoleAdmin}
)

// adminFlashes are the messages of the admin pages' redirects.
var adminFlashes = map[string]string{
	"user-created":    "User created. Tell them their password through a separate channel.",
	"user-disabled":   "User disabled. Their sessions have ended and they can no longer log in.",
	"token-revoked":   "Token revoked. It stops working on its next request.",
	"settings-saved":  "Settings saved.",
	"period-closed":   "Period closed. Nothing may now post on or before the lock date.",
	"period-reopened": "Period reopened. The reason is in the audit trail.",
}

// admin wraps an administration page: a logged-in admin only; anyone else gets 403.
func (s *server) admin(h func(http.ResponseWriter, *http.Request, *page)) http.Handler {
	return s.authed(func(w http.ResponseWriter, r *http.Request, p *page) {
		a, _ := finapp.ActorFrom(r.Context())
		if !a.CanAdminister() {
			p.Title = "Not allowed"
			p.Error = "Only an admin may manage users, API tokens and webhooks."
			s.render(w, http.StatusForbidden, "error", p)
			return
		}
		if msg, ok := adminFlashes[r.URL.Query().Get("done")]; ok {
			p.Flash = msg
		}
		h(w, r, p)
	})
}

// workspace is the workspace of the request's actor (set by authed).
func workspace(r *http.Request) string {
	a, _ := finapp.ActorFrom(r.Context())
	return a.WorkspaceID
}

type userAdmin struct {
	Users  []*auth.User
	Values url.Values // the create form, as typed (never the password)
	Roles  []string
}

func (d *userAdmin) Get(k string) string { return d.Values.Get(k) }

func (s *server) listUsers(w http.ResponseWriter, r *http.Request, p *page) {
	s.showUsers(w, r, p, http.StatusOK, url.Values{"role": {finapp.RoleViewer}})
}

func (s *server) showUsers(w http.ResponseWriter, r *http.Request, p *page, status int, form url.Values) {
	list, err := s.auth.ListUsers(r.Context(), workspace(r))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Users", "users", &userAdmin{Users: list, Values: form, Roles: roles}
	s.render(w, status, "admin_users", p)
}

func (s *server) createUser(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	_, err := s.auth.CreateUser(r.Context(), workspace(r), v.Get("email"), v.Get("role"), v.Get("password"))
	if err != nil {
		status := s.refusal(p, err, userFields...)
		s.showUsers(w, r, p, status, url.Values{"email": {v.Get("email")}, "role": {v.Get("role")}})
		return
	}
	redirect(w, r, "/admin/users", "user-created")
}

// findUser is a user of the actor's workspace. Errors: ENotFound.
func (s *server) findUser(r *http.Request) (*auth.User, error) {
	return s.auth.Store.User(r.Context(), workspace(r), r.PathValue("id"))
}

type userDisable struct {
	*auth.User
	Self bool
}

func (s *server) confirmDisableUser(w http.ResponseWriter, r *http.Request, p *page) {
	u, err := s.findUser(r)
	if err != nil {
		s.adminFail(w, p, err, "This user")
		return
	}
	p.Title, p.Nav, p.Data = "Disable user", "users", &userDisable{User: u, Self: u.Email == p.User}
	s.render(w, http.StatusOK, "admin_user_disable", p)
}

func (s *server) disableUser(w http.ResponseWriter, r *http.Request, p *page) {
	u, err := s.findUser(r)
	if err == nil && u.DisabledAt != nil {
		// Disabling again would move the date it was disabled on; there is nothing left to end.
		redirect(w, r, "/admin/users", "user-disabled")
		return
	}
	if err == nil {
		err = s.auth.DisableUser(r.Context(), workspace(r), u.ID)
	}
	if err != nil {
		s.adminFail(w, p, err, "This user")
		return
	}
	redirect(w, r, "/admin/users", "user-disabled")
}

type tokenAdmin struct {
	Tokens []*auth.Token
	Values url.Values
	Roles  []string
	Now    time.Time
	// Tomorrow is the earliest expiry date the form offers (a date means 00:00 UTC that day).
	Tomorrow string
	// Created and Secret are set on the page that answers a create, the only one that shows it.
	Created *auth.Token
	Secret  string
}

func (d *tokenAdmin) Get(k string) string { return d.Values.Get(k) }

func (s *server) listTokens(w http.ResponseWriter, r *http.Request, p *page) {
	s.showTokens(w, r, p, http.StatusOK, &tokenAdmin{Values: url.Values{"role": {finapp.RoleViewer}}})
}

func (s *server) showTokens(w http.ResponseWriter, r *http.Request, p *page, status int, d *tokenAdmin) {
	list, err := s.auth.ListTokens(r.Context(), workspace(r))
	if err != nil {
		s.fail(w, p, err)
		return
	}
	d.Tokens, d.Roles, d.Now = list, roles, s.auth.Now()
	d.Tomorrow = d.Now.AddDate(0, 0, 1).Format(time.DateOnly)
	p.Title, p.Nav, p.Data = "API tokens", "tokens", d
	s.render(w, status, "admin_tokens", p)
}

// createToken answers with the page that shows the new token's secret, once: there is no
// redirect, so the secret is never in a URL, and the page is not cached (render sets no-store).
func (s *server) createToken(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	form := url.Values{"name": {v.Get("name")}, "role": {v.Get("role")}, "expires_at": {v.Get("expires_at")}}
	var expires *time.Time
	var err error
	if d := strings.TrimSpace(v.Get("expires_at")); d != "" {
		var t time.Time
		if t, err = time.Parse(time.DateOnly, d); err != nil {
			err = finapp.Invalid("expires_at", "must be a date (YYYY-MM-DD)")
		}
		expires = &t
	}
	var secret string
	var t *auth.Token
	if err == nil {
		secret, t, err = s.auth.CreateToken(r.Context(), workspace(r), v.Get("name"), v.Get("role"), expires)
	}
	if err != nil {
		status := s.refusal(p, err, tokenFields...)
		s.showTokens(w, r, p, status, &tokenAdmin{Values: form})
		return
	}
	p.Flash = "Token created."
	s.showTokens(w, r, p, http.StatusOK, &tokenAdmin{Values: url.Values{"role": {finapp.RoleViewer}}, Created: t, Secret: secret})
}

// findToken is a token of the actor's workspace. Errors: ENotFound.
func (s *server) findToken(r *http.Request) (*auth.Token, error) {
	id := r.PathValue("id")
	list, err := s.auth.ListTokens(r.Context(), workspace(r))
	if err != nil {
		return nil, err
	}
	for _, t := range list {
		if t.ID == id {
			return t, nil
		}
	}
	return nil, finapp.Errorf(finapp.ENotFound, "token not found")
}

func (s *server) confirmRevokeToken(w http.ResponseWriter, r *http.Request, p *page) {
	t, err := s.findToken(r)
	if err != nil {
		s.adminFail(w, p, err, "This token")
		return
	}
	p.Title, p.Nav, p.Data = "Revoke token", "tokens", t
	s.render(w, http.StatusOK, "admin_token_revoke", p)
}

func (s *server) revokeToken(w http.ResponseWriter, r *http.Request, p *page) {
	t, err := s.findToken(r)
	if err == nil && t.RevokedAt == nil {
		err = s.auth.RevokeToken(r.Context(), workspace(r), t.ID)
	}
	if err != nil {
		s.adminFail(w, p, err, "This token")
		return
	}
	redirect(w, r, "/admin/tokens", "token-revoked")
}

// adminFail is fail with the admin pages' wording of "not found".
func (s *server) adminFail(w http.ResponseWriter, p *page, err error, what string) {
	if finapp.ErrorCode(err) == finapp.ENotFound {
		s.notFound(w, p, what)
		return
	}
	s.fail(w, p, err)
}
