package web

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"finapp"
	"finapp/auth"
	"finapp/reqlog"
)

// Cookies. The session cookie holds the session secret from auth.Auth.Login; the login cookie
// holds a random value that the login form echoes (double submit), so that another site cannot
// log a browser in to an account of its choosing.
const (
	sessionCookie = "finapp_session"
	loginCookie   = "finapp_login"
	csrfField     = "csrf"
)

// csrfToken is the anti-forgery token of a session: an HMAC of the session secret, so that it
// needs no storage, survives restarts and is worthless without the (HttpOnly) cookie's secret.
func csrfToken(secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte("finapp web csrf v1"))
	return hex.EncodeToString(m.Sum(nil))
}

func sameToken(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// address is the client's network address, for login throttling and the audit trail.
func address(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// sameOrigin refuses a cross-site POST outright when the browser says where it comes from
// (Origin, or Sec-Fetch-Site); the CSRF token is the check that does not rely on headers.
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site == "cross-site" || site == "same-site" {
		return false
	}
	origin := r.Header.Get("Origin")
	if origin == "" || origin == "null" {
		return origin == ""
	}
	u, err := url.Parse(origin)
	return err == nil && u.Host == r.Host
}

func (s *server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

// authed wraps a page handler: it resolves the session cookie to an actor (or sends the browser
// to the login page), checks the CSRF token of every POST, and hands the handler a page with
// the layout's fields filled in.
func (s *server) authed(h func(http.ResponseWriter, *http.Request, *page)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := r.Cookie(sessionCookie)
		var actor finapp.Actor
		if err == nil {
			actor, _, err = s.auth.SessionActor(r.Context(), c.Value, address(r))
		}
		if err != nil {
			if finapp.ErrorCode(err) != finapp.EUnauthorized && c != nil {
				s.log.Error("reading session", "err", err)
			}
			next := ""
			if r.Method == http.MethodGet {
				next = r.URL.RequestURI()
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(next), http.StatusSeeOther)
			return
		}
		reqlog.SetCaller(r.Context(), actor.WorkspaceID, actor.Name)
		p := &page{User: strings.TrimPrefix(actor.Name, "user:"), Role: actor.Role, CanWrite: actor.CanWrite(), CSRF: csrfToken(c.Value), ctx: r.Context()}
		if r.Method == http.MethodPost {
			if !sameOrigin(r) || !sameToken(r.PostFormValue(csrfField), p.CSRF) {
				p.Title = "Form expired"
				p.Error = "This form could not be accepted (missing or wrong security token). Go back, reload the page and try again."
				s.render(w, http.StatusForbidden, "error", p)
				return
			}
		}
		if msg, ok := flashes[r.URL.Query().Get("done")]; ok {
			p.Flash = msg
		}
		h(w, r.WithContext(finapp.WithActor(r.Context(), actor)), p)
	})
}

type loginData struct {
	Email string
	Next  string
}

// safeNext keeps a post-login redirect on this site: it returns next only when it is a path of
// this site, and the Payments page otherwise. Browsers forgive a lot in a Location ("/\t/evil",
// "/\evil" and "//evil" all lead to evil), so the rule is narrow rather than a list of known
// tricks: printable ASCII only (what the pages put in ?next= is always escaped), one leading "/"
// and no backslash, before and after decoding, and nothing url.Parse reads as a scheme or host.
func safeNext(next string) string {
	const home = "/payments"
	if !sitePath(next) {
		return home
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !sitePath(u.Path) {
		return home
	}
	return next
}

// sitePath reports whether p starts with exactly one "/" and holds only printable ASCII other
// than the space and the backslash.
func sitePath(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return false
	}
	for i := 0; i < len(p); i++ {
		if c := p[i]; c <= ' ' || c >= 0x7f || c == '\\' {
			return false
		}
	}
	return true
}

func (s *server) loginForm(w http.ResponseWriter, r *http.Request) {
	p := &page{Title: "Log in", Data: loginData{Next: safeNext(r.URL.Query().Get("next"))}, ctx: r.Context()}
	if msg, ok := flashes[r.URL.Query().Get("done")]; ok {
		p.Flash = msg
	}
	s.renderLogin(w, http.StatusOK, p)
}

// renderLogin shows the login form with a fresh double-submit token.
func (s *server) renderLogin(w http.ResponseWriter, status int, p *page) {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	p.CSRF = hex.EncodeToString(b)
	s.setCookie(w, loginCookie, p.CSRF, 3600)
	s.render(w, status, "login", p)
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	d := loginData{Email: r.PostFormValue("email"), Next: safeNext(r.PostFormValue("next"))}
	p := &page{Title: "Log in", Data: d, ctx: r.Context()}
	c, err := r.Cookie(loginCookie)
	if err != nil || !sameOrigin(r) || !sameToken(r.PostFormValue(csrfField), c.Value) {
		p.Error = "The login form expired. Please try again."
		s.renderLogin(w, http.StatusForbidden, p)
		return
	}
	secret, _, err := s.auth.Login(r.Context(), d.Email, r.PostFormValue("password"), address(r))
	if err != nil {
		status := s.refusal(p, err)
		if code := finapp.ErrorCode(err); code == finapp.ETooManyAttempts || code == finapp.EBusy {
			w.Header().Set("Retry-After", loginRetryAfter(err))
		}
		s.renderLogin(w, status, p)
		return
	}
	s.setCookie(w, loginCookie, "", -1)
	s.setCookie(w, sessionCookie, secret, int(auth.SessionTTL.Seconds()))
	http.Redirect(w, r, d.Next, http.StatusSeeOther)
}

// loginRetryAfter is the Retry-After of a refused login, in seconds: a moment when the server was
// too busy to check the password, the throttling window when the account or address is locked.
func loginRetryAfter(err error) string {
	if errors.Is(err, auth.ErrBusy) {
		return "1"
	}
	return strconv.Itoa(int(auth.LoginWindow.Seconds()))
}

func (s *server) logout(w http.ResponseWriter, r *http.Request, p *page) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(r.Context(), c.Value); err != nil {
			s.fail(w, p, err)
			return
		}
	}
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login?done=logged-out", http.StatusSeeOther)
}
