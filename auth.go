package finapp

import (
	"context"
	"strings"
	"time"
)

// AuthStore keeps workspaces, users, API tokens, sessions and login attempts. Every list and
// change names the workspace it is scoped to; lookups by secret hash or email find the workspace.
type AuthStore interface {
	CreateWorkspace(ctx context.Context, w *Workspace) error
	Workspace(ctx context.Context, idOrName string) (*Workspace, error) // ENotFound
	ListWorkspaces(ctx context.Context) ([]*Workspace, error)

	CreateUser(ctx context.Context, u *User) error                   // EDuplicate when the email is taken
	UserByEmail(ctx context.Context, email string) (*User, error)    // ENotFound
	User(ctx context.Context, workspaceID, id string) (*User, error) // ENotFound
	ListUsers(ctx context.Context, workspaceID string) ([]*User, error)
	UpdateUser(ctx context.Context, u *User) error

	CreateToken(ctx context.Context, t *Token) error
	TokenByHash(ctx context.Context, hash string) (*Token, error) // ENotFound
	ListTokens(ctx context.Context, workspaceID string) ([]*Token, error)
	RevokeToken(ctx context.Context, workspaceID, id string, at time.Time) error // ENotFound
	CountTokens(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s *Session) error
	SessionByHash(ctx context.Context, hash string) (*Session, error) // ENotFound; with the user's email and role
	RevokeSession(ctx context.Context, hash string, at time.Time) error
	RevokeUserSessions(ctx context.Context, userID string, at time.Time) error

	AddLoginAttempt(ctx context.Context, email, address string, ok bool, at time.Time) error
	// LoginFailures counts failed attempts since a time, for the email and for the address.
	LoginFailures(ctx context.Context, email, address string, since time.Time) (byEmail, byAddress int, err error)
}

// Login throttling: after this many failures within LoginWindow, further attempts for that
// account (or from that address) are refused until the window has passed, right password or not.
const (
	MaxFailuresPerAccount = 5
	MaxFailuresPerAddress = 20
	LoginWindow           = 15 * time.Minute
	// SessionTTL is how long a login lasts.
	SessionTTL = 12 * time.Hour
)

// Auth carries out who-may-do-what: workspaces, users, sessions and API tokens.
type Auth struct {
	Store AuthStore
	// Books, when set, receives an audit event for every change of users, tokens and sessions,
	// in the workspace's hash-chained trail next to the changes of its money.
	Books Store
	Now   func() time.Time

	tokens tokenCache
}

// NewAuth returns an Auth over store with the wall clock; a store that also keeps the books
// gets the administration changes in its audit trail.
func NewAuth(store AuthStore) *Auth {
	a := &Auth{Store: store, Now: func() time.Time { return time.Now().UTC() }}
	a.Books, _ = store.(Store)
	return a
}

// mayAdminister refuses a caller that is not an admin. A context without an actor is the
// operator's command line, which may.
func mayAdminister(ctx context.Context) error {
	if actor, ok := ActorFrom(ctx); ok && !actor.CanAdminister() {
		return Errorf(EForbidden, "only an admin may manage users and tokens")
	}
	return nil
}

// audit appends one administration event to a workspace's trail. The actor is the context's (an
// admin's token or session) or, for the command line, "cli".
func (a *Auth) audit(ctx context.Context, workspaceID, action, entity, entityID string, after any) error {
	if a.Books == nil {
		return nil
	}
	actor, ok := ActorFrom(ctx)
	if !ok {
		actor = Actor{Name: "cli"}
	}
	return a.Books.Update(ctx, workspaceID, func(tx Tx) error {
		c := newChanges(a.Now(), actor)
		c.record(action, entity, entityID, nil, after)
		return c.save(ctx, tx)
	})
}

// CreateWorkspace adds a partner's books. Errors: EInvalid, EDuplicate.
func (a *Auth) CreateWorkspace(ctx context.Context, name string) (*Workspace, error) {
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, Invalid("name", "is required, at most 100 characters")
	}
	w := &Workspace{ID: NewID("ws_"), Name: name, CreatedAt: a.Now()}
	return w, a.Store.CreateWorkspace(ctx, w)
}

// Workspace finds a workspace by id or name. Errors: ENotFound.
func (a *Auth) Workspace(ctx context.Context, idOrName string) (*Workspace, error) {
	return a.Store.Workspace(ctx, idOrName)
}

// ListWorkspaces lists every workspace (for operators' commands such as verify).
func (a *Auth) ListWorkspaces(ctx context.Context) ([]*Workspace, error) {
	return a.Store.ListWorkspaces(ctx)
}

// CreateUser adds a user with a password to a workspace. Errors: EInvalid, EDuplicate, ENotFound.
func (a *Auth) CreateUser(ctx context.Context, workspaceID, email, role, password string) (*User, error) {
	if err := mayAdminister(ctx); err != nil {
		return nil, err
	}
	email, err := normalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if !ValidRole(role) {
		return nil, Invalid("role", "must be admin, finance or viewer")
	}
	if err := checkPassword(password); err != nil {
		return nil, err
	}
	if _, err := a.Store.Workspace(ctx, workspaceID); err != nil {
		return nil, asField(err, "workspace")
	}
	u := &User{ID: NewID("usr_"), WorkspaceID: workspaceID, Email: email, Role: role, PasswordHash: HashPassword(password), CreatedAt: a.Now()}
	if err := a.Store.CreateUser(ctx, u); err != nil {
		return nil, err
	}
	return u, a.audit(ctx, workspaceID, "user.created", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email, "role": u.Role})
}

// ListUsers lists a workspace's users.
func (a *Auth) ListUsers(ctx context.Context, workspaceID string) ([]*User, error) {
	return a.Store.ListUsers(ctx, workspaceID)
}

// DisableUser stops a user from logging in and ends their sessions. Errors: ENotFound.
func (a *Auth) DisableUser(ctx context.Context, workspaceID, id string) error {
	if err := mayAdminister(ctx); err != nil {
		return err
	}
	u, err := a.Store.User(ctx, workspaceID, id)
	if err != nil {
		return err
	}
	if u.DisabledAt != nil {
		return nil // already disabled: keep the first date, write nothing
	}
	now := a.Now()
	u.DisabledAt = &now
	if err := a.Store.UpdateUser(ctx, u); err != nil {
		return err
	}
	if err := a.Store.RevokeUserSessions(ctx, u.ID, now); err != nil {
		return err
	}
	return a.audit(ctx, workspaceID, "user.disabled", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email})
}

// errBadLogin is the one answer to a wrong email or a wrong password, so that the answer does not
// tell which accounts exist.
var errBadLogin = Errorf(EUnauthorized, "wrong email or password")

// Login checks an email and password from address and starts a session, returning its secret (for
// the cookie). Failed attempts are throttled per account and per address.
// Errors: EUnauthorized, ETooManyAttempts.
func (a *Auth) Login(ctx context.Context, email, password, address string) (string, *Session, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	now := a.Now()
	byEmail, byAddress, err := a.Store.LoginFailures(ctx, email, address, now.Add(-LoginWindow))
	if err != nil {
		return "", nil, err
	}
	if byEmail >= MaxFailuresPerAccount || byAddress >= MaxFailuresPerAddress {
		return "", nil, Errorf(ETooManyAttempts, "too many failed logins; try again in %d minutes", int(LoginWindow.Minutes()))
	}
	u, err := a.Store.UserByEmail(ctx, email)
	// The password is hashed whether or not the account exists or is disabled, so that the time
	// taken does not tell which accounts exist.
	ok := err == nil && PasswordMatches(u.PasswordHash, password) && u.DisabledAt == nil
	if err != nil && ErrorCode(err) != ENotFound {
		return "", nil, err
	}
	if !ok && err != nil {
		HashPassword(password) // spend the same time as for a real account
	}
	if err := a.Store.AddLoginAttempt(ctx, email, address, ok, now); err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, errBadLogin
	}
	secret, hash := newSecret(SessionPrefix)
	s := &Session{ID: NewID("ses_"), WorkspaceID: u.WorkspaceID, UserID: u.ID, Email: u.Email, Role: u.Role, Hash: hash,
		Address: address, CreatedAt: now, ExpiresAt: now.Add(SessionTTL)}
	if err := a.Store.CreateSession(ctx, s); err != nil {
		return "", nil, err
	}
	loggedIn := WithActor(ctx, Actor{WorkspaceID: u.WorkspaceID, Name: "user:" + u.Email, Role: u.Role, Address: address})
	return secret, s, a.audit(loggedIn, u.WorkspaceID, "session.created", "user", u.ID, map[string]any{"session_id": s.ID, "expires_at": s.ExpiresAt})
}

// SessionActor returns who a session secret stands for. Errors: EUnauthorized.
func (a *Auth) SessionActor(ctx context.Context, secret, address string) (Actor, *Session, error) {
	s, err := a.Store.SessionByHash(ctx, HashToken(secret))
	if err != nil {
		if ErrorCode(err) == ENotFound {
			return Actor{}, nil, Errorf(EUnauthorized, "the session has ended; log in again")
		}
		return Actor{}, nil, err
	}
	if s.RevokedAt != nil || !a.Now().Before(s.ExpiresAt) {
		return Actor{}, nil, Errorf(EUnauthorized, "the session has ended; log in again")
	}
	return Actor{WorkspaceID: s.WorkspaceID, Name: "user:" + s.Email, Role: s.Role, Address: address}, s, nil
}

// Logout ends a session.
func (a *Auth) Logout(ctx context.Context, secret string) error {
	return a.Store.RevokeSession(ctx, HashToken(secret), a.Now())
}

// CreateToken makes an API token for a workspace; the secret is returned once.
// Errors: EInvalid, ENotFound.
func (a *Auth) CreateToken(ctx context.Context, workspaceID, name, role string, expiresAt *time.Time) (string, *Token, error) {
	if err := mayAdminister(ctx); err != nil {
		return "", nil, err
	}
	if !ValidRole(role) {
		return "", nil, Invalid("role", "must be admin, finance or viewer")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = role
	}
	if len(name) > 100 {
		return "", nil, Invalid("name", "is longer than 100 characters")
	}
	if expiresAt != nil && !expiresAt.After(a.Now()) {
		return "", nil, Invalid("expires_at", "is in the past")
	}
	if _, err := a.Store.Workspace(ctx, workspaceID); err != nil {
		return "", nil, asField(err, "workspace")
	}
	secret, hash := NewToken()
	t := &Token{ID: NewID(PrefixToken), WorkspaceID: workspaceID, Name: name, Role: role, Hash: hash, CreatedAt: a.Now(), ExpiresAt: expiresAt}
	if err := a.Store.CreateToken(ctx, t); err != nil {
		return "", nil, err
	}
	return secret, t, a.audit(ctx, workspaceID, "token.created", "token", t.ID, map[string]any{"id": t.ID, "name": t.Name, "role": t.Role, "expires_at": t.ExpiresAt})
}

// Authenticate returns who an API token stands for. Errors: EUnauthorized.
func (a *Auth) Authenticate(ctx context.Context, secret, address string) (Actor, error) {
	hash, now := HashToken(secret), a.Now()
	t := a.tokens.get(hash, now)
	if t == nil {
		var err error
		if t, err = a.Store.TokenByHash(ctx, hash); err != nil {
			if ErrorCode(err) == ENotFound {
				return Actor{}, Errorf(EUnauthorized, "the bearer token is unknown, expired or revoked")
			}
			return Actor{}, err
		}
		a.tokens.put(hash, t, now)
	}
	if !t.Live(now) {
		return Actor{}, Errorf(EUnauthorized, "the bearer token is unknown, expired or revoked")
	}
	return Actor{WorkspaceID: t.WorkspaceID, Name: "token:" + t.Name, Role: t.Role, Address: address}, nil
}

// ListTokens lists a workspace's API tokens (hashes only).
func (a *Auth) ListTokens(ctx context.Context, workspaceID string) ([]*Token, error) {
	return a.Store.ListTokens(ctx, workspaceID)
}

// RevokeToken ends an API token. Errors: ENotFound.
func (a *Auth) RevokeToken(ctx context.Context, workspaceID, id string) error {
	if err := mayAdminister(ctx); err != nil {
		return err
	}
	if err := a.Store.RevokeToken(ctx, workspaceID, id, a.Now()); err != nil {
		return err
	}
	a.tokens.forget()
	return a.audit(ctx, workspaceID, "token.revoked", "token", id, map[string]any{"id": id})
}

// HasTokens reports whether any live token exists (serve issues the first one otherwise).
func (a *Auth) HasTokens(ctx context.Context) (bool, error) {
	n, err := a.Store.CountTokens(ctx)
	return n > 0, err
}
