package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
)

// Tests of logins, sessions and passwords (issue 6) over a real store: SQLite by default, or
// PostgreSQL with FINAPP_TEST_ENGINE=postgres. The clock is Auth.Now, moved by the tests.

const goodPassword = "correct horse battery staple"

// authWorld is an Auth over a fresh database with a clock the test moves.
type authWorld struct {
	t    *testing.T
	ctx  context.Context
	auth *auth.Auth
	now  time.Time
}

func newAuthWorld(t *testing.T) *authWorld {
	admin := finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin}
	w := &authWorld{t: t, ctx: finapp.WithActor(context.Background(), admin), now: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	w.auth = auth.New(testdb.Open(t).AuthStore())
	w.auth.Now = func() time.Time { return w.now }
	return w
}

func (w *authWorld) user(email, role string) *auth.User {
	w.t.Helper()
	u, err := w.auth.CreateUser(w.ctx, finapp.DefaultWorkspace, email, role, goodPassword)
	if err != nil {
		w.t.Fatal(err)
	}
	return u
}

// login tries a login and returns the error code ("" on success) and the session secret.
func (w *authWorld) login(email, password, address string) (string, string) {
	w.t.Helper()
	secret, s, err := w.auth.Login(w.ctx, email, password, address)
	if err != nil {
		if finapp.ErrorCode(err) == finapp.EInternal {
			w.t.Fatalf("login %s: %v", email, err)
		}
		return finapp.ErrorCode(err), ""
	}
	if s == nil || !strings.HasPrefix(secret, auth.SessionPrefix) {
		w.t.Fatalf("login %s: session %+v, secret %q", email, s, secret)
	}
	return "", secret
}

func (w *authWorld) mustLogin(email, password, address string) string {
	w.t.Helper()
	code, secret := w.login(email, password, address)
	if code != "" {
		w.t.Fatalf("login %s from %s: %s", email, address, code)
	}
	return secret
}

func (w *authWorld) expectLogin(want, email, password, address string) {
	w.t.Helper()
	if code, _ := w.login(email, password, address); code != want {
		w.t.Fatalf("login %s from %s at %s: %q, want %q", email, address, w.now.Format(time.TimeOnly), code, want)
	}
}

// sessionWorks reports whether a session secret still stands for its user.
func (w *authWorld) sessionWorks(secret string) bool {
	w.t.Helper()
	_, _, err := w.auth.SessionActor(w.ctx, secret, "198.51.100.1")
	if err != nil && finapp.ErrorCode(err) != finapp.EUnauthorized {
		w.t.Fatalf("session: %v", err)
	}
	return err == nil
}

func TestLogin_FiveFailuresLockTheAccountUntilTheWindowPasses(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	w.user("bo@example.com", finapp.RoleFinance)
	start := w.now
	for i := 0; i < auth.MaxFailuresPerAccount; i++ {
		w.expectLogin(finapp.EUnauthorized, "ana@example.com", "wrong password "+fmt.Sprint(i), fmt.Sprintf("203.0.113.%d", i))
		w.now = w.now.Add(time.Minute)
	}
	if auth.MaxFailuresPerAccount != 5 || auth.LoginWindow != 15*time.Minute {
		t.Fatalf("throttling is %d failures per %s; docs/security.md says 5 per 15 minutes", auth.MaxFailuresPerAccount, auth.LoginWindow)
	}
	// The 6th attempt is refused even with the right password, from any address.
	w.expectLogin(finapp.ETooManyAttempts, "ana@example.com", goodPassword, "203.0.113.50")
	w.expectLogin(finapp.ETooManyAttempts, "ANA@example.com ", goodPassword, "198.51.100.9")
	// Another account is not affected.
	w.mustLogin("bo@example.com", goodPassword, "203.0.113.50")

	// The window slides: still locked while the 5 failures lie within the last 15 minutes…
	w.now = start.Add(auth.LoginWindow - time.Second)
	w.expectLogin(finapp.ETooManyAttempts, "ana@example.com", goodPassword, "203.0.113.50")
	// …and open once the first of them is older than that.
	w.now = start.Add(auth.LoginWindow + time.Second)
	secret := w.mustLogin("ana@example.com", goodPassword, "203.0.113.50")
	if !w.sessionWorks(secret) {
		t.Fatal("the session of a login after the lock does not work")
	}
}

func TestLogin_TwentyFailuresFromOneAddressBlockThatAddress(t *testing.T) {
	w := newAuthWorld(t)
	const attacker, other = "203.0.113.66", "198.51.100.20"
	// 4 failures on each of 5 accounts: 20 from one address, none of the accounts locked.
	for a := 0; a < 5; a++ {
		email := fmt.Sprintf("user%d@example.com", a)
		w.user(email, finapp.RoleViewer)
		for i := 0; i < auth.MaxFailuresPerAccount-1; i++ {
			w.expectLogin(finapp.EUnauthorized, email, "guess "+fmt.Sprint(i), attacker)
			w.now = w.now.Add(10 * time.Second)
		}
	}
	if auth.MaxFailuresPerAddress != 20 {
		t.Fatalf("throttling is %d failures per address; docs/security.md says 20", auth.MaxFailuresPerAddress)
	}
	w.user("fresh@example.com", finapp.RoleViewer)
	// That address may not log in to any account now, not even with a right password…
	w.expectLogin(finapp.ETooManyAttempts, "fresh@example.com", goodPassword, attacker)
	w.expectLogin(finapp.ETooManyAttempts, "nobody@example.com", "whatever it is", attacker)
	// …while the same accounts work from elsewhere.
	w.mustLogin("fresh@example.com", goodPassword, other)
	w.mustLogin("user0@example.com", goodPassword, other)

	// Failures on unknown accounts count too (password spraying over made-up emails).
	w.now = w.now.Add(auth.LoginWindow + time.Minute)
	w.mustLogin("fresh@example.com", goodPassword, attacker)
	for i := 0; i < auth.MaxFailuresPerAddress; i++ {
		w.expectLogin(finapp.EUnauthorized, fmt.Sprintf("ghost%d@example.com", i), "guess", attacker)
	}
	w.expectLogin(finapp.ETooManyAttempts, "fresh@example.com", goodPassword, attacker)
}

func TestLogin_WrongEmailAndWrongPasswordAnswerAlike(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	_, _, errUnknown := w.auth.Login(w.ctx, "nobody@example.com", goodPassword, "192.0.2.1")
	_, _, errWrong := w.auth.Login(w.ctx, "ana@example.com", "not the password", "192.0.2.1")
	if finapp.ErrorCode(errUnknown) != finapp.EUnauthorized || errUnknown.Error() != errWrong.Error() {
		t.Fatalf("unknown email: %v; wrong password: %v", errUnknown, errWrong)
	}
	// Logins match the email whatever its case and surrounding spaces.
	w.mustLogin("  Ana@Example.COM ", goodPassword, "192.0.2.1")
}

func TestSession_ExpiresAfterSessionTTL(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	secret := w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	actor, s, err := w.auth.SessionActor(w.ctx, secret, "192.0.2.99")
	if err != nil {
		t.Fatal(err)
	}
	if actor.Name != "user:ana@example.com" || actor.Role != finapp.RoleFinance || actor.WorkspaceID != finapp.DefaultWorkspace ||
		actor.Address != "192.0.2.99" || s.Address != "192.0.2.1" || !s.ExpiresAt.Equal(w.now.Add(auth.SessionTTL)) {
		t.Fatalf("actor %+v, session %+v", actor, s)
	}
	if auth.SessionTTL != 12*time.Hour {
		t.Fatalf("SessionTTL is %s; docs/security.md says 12h", auth.SessionTTL)
	}
	start := w.now
	w.now = start.Add(auth.SessionTTL - time.Second)
	if !w.sessionWorks(secret) {
		t.Fatal("the session ended before its TTL")
	}
	w.now = start.Add(auth.SessionTTL)
	if w.sessionWorks(secret) {
		t.Fatal("the session outlived its TTL")
	}
	if w.sessionWorks("fs_not-a-session") || w.sessionWorks("") {
		t.Fatal("a made-up session secret works")
	}
}

func TestLogout_RevokesThatSessionOnly(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	laptop := w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	phone := w.mustLogin("ana@example.com", goodPassword, "192.0.2.2")
	if laptop == phone {
		t.Fatal("two logins share a session secret")
	}
	if err := w.auth.Logout(w.ctx, laptop); err != nil {
		t.Fatal(err)
	}
	if w.sessionWorks(laptop) {
		t.Fatal("a logged-out session still works")
	}
	if !w.sessionWorks(phone) {
		t.Fatal("logging out one session ended another")
	}
}

func TestDisableUser_EndsSessionsAndLogins(t *testing.T) {
	w := newAuthWorld(t)
	ana := w.user("ana@example.com", finapp.RoleAdmin)
	w.user("bo@example.com", finapp.RoleFinance)
	secret := w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	bo := w.mustLogin("bo@example.com", goodPassword, "192.0.2.1")
	if err := w.auth.DisableUser(w.ctx, finapp.DefaultWorkspace, ana.ID); err != nil {
		t.Fatal(err)
	}
	if w.sessionWorks(secret) {
		t.Fatal("a disabled user's session still works")
	}
	w.expectLogin(finapp.EUnauthorized, "ana@example.com", goodPassword, "192.0.2.1")
	if !w.sessionWorks(bo) {
		t.Fatal("disabling one user ended another's session")
	}
	// Only within its workspace: another workspace cannot disable the user.
	other, err := w.auth.CreateWorkspace(w.ctx, "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	otherAdmin := finapp.WithActor(w.ctx, finapp.Actor{WorkspaceID: other.ID, Name: "test:admin-b", Role: finapp.RoleAdmin})
	bob, _ := w.auth.ListUsers(w.ctx, finapp.DefaultWorkspace)
	for _, u := range bob {
		if u.Email == "bo@example.com" {
			if err := w.auth.DisableUser(otherAdmin, other.ID, u.ID); finapp.ErrorCode(err) != finapp.ENotFound {
				t.Fatalf("disabling another workspace's user: %v", err)
			}
		}
	}
	if !w.sessionWorks(bo) {
		t.Fatal("another workspace ended a user's session")
	}
	if list, _ := w.auth.ListUsers(w.ctx, other.ID); len(list) != 0 {
		t.Fatalf("another workspace lists %d users of the default one", len(list))
	}
}

func TestEnableUser_LetsADisabledUserLogInAgainButNotTheOldSessions(t *testing.T) {
	w := newAuthWorld(t)
	ana := w.user("ana@example.com", finapp.RoleFinance)
	old := w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	if err := w.auth.DisableUser(w.ctx, finapp.DefaultWorkspace, ana.ID); err != nil {
		t.Fatal(err)
	}
	for range 2 { // enabling an enabled user is no change
		if err := w.auth.EnableUser(w.ctx, finapp.DefaultWorkspace, ana.ID); err != nil {
			t.Fatal(err)
		}
	}
	if u, _ := w.auth.UserByEmail(w.ctx, finapp.DefaultWorkspace, "ana@example.com"); u.DisabledAt != nil {
		t.Fatalf("enabled user still disabled at %v", u.DisabledAt)
	}
	w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	if w.sessionWorks(old) {
		t.Fatal("enabling a user brought back a session that disabling ended")
	}
	if err := w.auth.EnableUser(w.ctx, finapp.DefaultWorkspace, "usr_nobody"); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("enabling an unknown user: %v", err)
	}
}

func TestSetPassword_ReplacesThePasswordAndEndsSessions(t *testing.T) {
	w := newAuthWorld(t)
	ana := w.user("ana@example.com", finapp.RoleFinance)
	session := w.mustLogin("ana@example.com", goodPassword, "192.0.2.1")
	if err := w.auth.SetPassword(w.ctx, finapp.DefaultWorkspace, ana.ID, "short"); finapp.ErrorCode(err) != finapp.EInvalid {
		t.Fatalf("a short password: %v, want invalid", err)
	}
	if !w.sessionWorks(session) {
		t.Fatal("a refused password ended the session")
	}
	const next = "another long passphrase"
	if err := w.auth.SetPassword(w.ctx, finapp.DefaultWorkspace, ana.ID, next); err != nil {
		t.Fatal(err)
	}
	if w.sessionWorks(session) {
		t.Fatal("a session outlived the password reset")
	}
	w.expectLogin(finapp.EUnauthorized, "ana@example.com", goodPassword, "192.0.2.1")
	w.mustLogin("ana@example.com", next, "192.0.2.1")
	if u, _ := w.auth.UserByEmail(w.ctx, finapp.DefaultWorkspace, "ana@example.com"); strings.Contains(u.PasswordHash, next) {
		t.Fatal("the password is stored in clear")
	}
}

func TestUserByEmail_FindsTheLoginSpellingInItsWorkspaceOnly(t *testing.T) {
	w := newAuthWorld(t)
	ana := w.user("ana@example.com", finapp.RoleFinance)
	if u, err := w.auth.UserByEmail(w.ctx, finapp.DefaultWorkspace, "  ANA@Example.com "); err != nil || u.ID != ana.ID {
		t.Fatalf("UserByEmail: %v, %v", u, err)
	}
	other, err := w.auth.CreateWorkspace(w.ctx, "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.auth.UserByEmail(w.ctx, other.ID, "ana@example.com"); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("another workspace's user: %v, want not found", err)
	}
}

func TestPasswords_ShorterThan12CharactersAreRefused(t *testing.T) {
	w := newAuthWorld(t)
	for _, c := range []struct {
		password string
		ok       bool
	}{
		{"", false},
		{"elevenchars", false}, // 11
		{"twelve chars", true}, // 12
		{"éééééééééééé", true}, // 12 characters, 24 bytes
		{"ééééééééééé", false}, // 11 characters, 22 bytes
		{strings.Repeat("p", 1024), true},
		{strings.Repeat("p", 1025), false},
	} {
		email := fmt.Sprintf("u%d@example.com", len(c.password))
		_, err := w.auth.CreateUser(w.ctx, finapp.DefaultWorkspace, email, finapp.RoleViewer, c.password)
		if c.ok != (err == nil) {
			t.Errorf("password of %d characters: %v", len([]rune(c.password)), err)
		}
		if err != nil {
			var fe *finapp.Error
			if !errors.As(err, &fe) || fe.Code != finapp.EInvalid || fe.Field != "password" {
				t.Errorf("password of %d characters: %#v, want invalid password", len([]rune(c.password)), err)
			}
		}
	}
}

func TestPasswords_StoredAsArgon2idNeverInClear(t *testing.T) {
	w := newAuthWorld(t)
	a := w.user("ana@example.com", finapp.RoleViewer)
	b := w.user("bo@example.com", finapp.RoleViewer) // the same password
	stored, err := w.auth.Store.User(w.ctx, finapp.DefaultWorkspace, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if stored.PasswordHash != a.PasswordHash {
		t.Fatal("the stored hash is not the one made")
	}
	h := stored.PasswordHash
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") || strings.Count(h, "$") != 5 {
		t.Fatalf("stored password hash %q is not argon2id with OWASP's parameters", h)
	}
	if strings.Contains(h, goodPassword) || strings.Contains(h, "horse") {
		t.Fatalf("stored password hash %q holds the password", h)
	}
	if a.PasswordHash == b.PasswordHash {
		t.Fatal("two users with one password have the same hash: no salt")
	}
	if !auth.PasswordMatches(h, goodPassword) || auth.PasswordMatches(h, goodPassword+" ") || auth.PasswordMatches(h, "") {
		t.Fatal("PasswordMatches does not tell the password from others")
	}
	if auth.PasswordMatches("$2a$10$abcdefghijklmnopqrstuv", goodPassword) || auth.PasswordMatches(goodPassword, goodPassword) {
		t.Fatal("a hash of another scheme, or a clear password, is accepted")
	}
}
