// Package auth is who may use finapp: workspaces, users and their passwords, web sessions, API
// tokens, login throttling. It is not the books: it keeps its own store (Store), and it turns a
// password, session or token into a finapp.Actor, whose role the books check. What each role may
// do is decided in one place, finapp.Actor's methods. Every change it makes is written in one
// transaction with its event in the workspace's hash-chained audit trail (finapp.AppendAudit).
package auth

import (
	"context"
	"errors"
	"strings"
	"time"

	"finapp"
)

// Store keeps workspaces, users, API tokens, sessions and login attempts. Reads run outside
// workspace transactions: a login or a bearer token is how the workspace is found in the first
// place. Every list names the workspace it is scoped to.
type Store interface {
	// Update runs fn in one write transaction of a workspace's (the one whose audit trail the
	// change goes to; "" for none) and commits it if fn returns nil.
	Update(ctx context.Context, workspaceID string, fn func(Tx) error) error

	Workspace(ctx context.Context, idOrName string) (*Workspace, error) // ENotFound
	ListWorkspaces(ctx context.Context) ([]*Workspace, error)
	User(ctx context.Context, workspaceID, id string) (*User, error) // ENotFound
	ListUsers(ctx context.Context, workspaceID string) ([]*User, error)
	TokenByHash(ctx context.Context, hash string) (*Token, error) // ENotFound
	ListTokens(ctx context.Context, workspaceID string) ([]*Token, error)
	// CountTokens counts the live tokens of every workspace.
	CountTokens(ctx context.Context) (int, error)
	SessionByHash(ctx context.Context, hash string) (*Session, error) // ENotFound; with the user's email and role
}

// Tx is one write transaction of a Store. It appends audit events to the workspace's trail
// (finapp.AuditAppender) in the same transaction as the change they record.
type Tx interface {
	finapp.AuditAppender

	CreateWorkspace(ctx context.Context, w *Workspace) error // EDuplicate when the name is taken
	CreateUser(ctx context.Context, u *User) error           // EDuplicate when the email is taken
	// User loads a user of the transaction's workspace for a change (ENotFound).
	User(ctx context.Context, id string) (*User, error)
	UserByEmail(ctx context.Context, email string) (*User, error) // ENotFound
	UpdateUser(ctx context.Context, u *User) error
	RevokeUserSessions(ctx context.Context, userID string, at time.Time) error

	CreateToken(ctx context.Context, t *Token) error
	RevokeToken(ctx context.Context, id string, at time.Time) error // ENotFound in the workspace

	CreateSession(ctx context.Context, s *Session) error
	RevokeSession(ctx context.Context, hash string, at time.Time) error

	// LockLogin serialises, until the transaction ends, the logins of one email and of one
	// address with others of the same, across server processes.
	LockLogin(ctx context.Context, email, address string) error
	// LoginFailures counts failed attempts since a time, for the email and for the address.
	LoginFailures(ctx context.Context, email, address string, since time.Time) (byEmail, byAddress int, err error)
	AddLoginAttempt(ctx context.Context, a *LoginAttempt) error
	// LoginSucceeded marks an attempt ok: it no longer counts as a failure.
	LoginSucceeded(ctx context.Context, attemptID string) error
}

// SessionTTL is how long a login lasts.
const SessionTTL = 12 * time.Hour

// Auth carries out who-may-do-what: workspaces, users, sessions and API tokens.
type Auth struct {
	Store Store
	Now   func() time.Time

	tokens tokenCache
	hashes hashLimiter
}

// New returns an Auth over store with the wall clock.
func New(store Store) *Auth {
	return &Auth{Store: store, Now: func() time.Time { return time.Now().UTC() }, hashes: newHashLimiter(0)}
}

// mayAdminister refuses a caller that is not an admin of workspaceID. A context without an actor
// is refused too: every caller says who it is, the command line included (as "cli").
func mayAdminister(ctx context.Context, workspaceID string) error {
	actor, ok := finapp.ActorFrom(ctx)
	if !ok {
		return finapp.Errorf(finapp.EForbidden, "no caller is known; only an admin may manage users and tokens")
	}
	if !actor.CanAdminister() {
		return finapp.Errorf(finapp.EForbidden, "only an admin may manage users and tokens")
	}
	if workspaceID != "" && actor.WorkspaceID != workspaceID {
		return finapp.Errorf(finapp.EForbidden, "an admin manages the users and tokens of their own workspace only")
	}
	return nil
}

// audit appends one administration event to the trail of tx's workspace, by the context's actor.
func (a *Auth) audit(ctx context.Context, tx Tx, action, entity, entityID string, after any) error {
	actor, _ := finapp.ActorFrom(ctx)
	return finapp.AppendAudit(ctx, tx, a.Now(), actor, action, entity, entityID, after)
}

// CreateWorkspace adds a partner's books; only an admin (the command line's) may.
// Errors: EForbidden, EInvalid, EDuplicate.
func (a *Auth) CreateWorkspace(ctx context.Context, name string) (*Workspace, error) {
	if err := mayAdminister(ctx, ""); err != nil {
		return nil, err
	}
	name = strings.TrimSpace(name)
	if name == "" || len(name) > 100 {
		return nil, finapp.Invalid("name", "is required, at most 100 characters")
	}
	w := &Workspace{ID: finapp.NewID("ws_"), Name: name, CreatedAt: a.Now()}
	return w, a.Store.Update(ctx, w.ID, func(tx Tx) error { return tx.CreateWorkspace(ctx, w) })
}

// Workspace finds a workspace by id or name. Errors: ENotFound.
func (a *Auth) Workspace(ctx context.Context, idOrName string) (*Workspace, error) {
	return a.Store.Workspace(ctx, idOrName)
}

// ListWorkspaces lists every workspace (for operators' commands such as verify).
func (a *Auth) ListWorkspaces(ctx context.Context) ([]*Workspace, error) {
	return a.Store.ListWorkspaces(ctx)
}

// CreateUser adds a user with a password to a workspace, and its audit event, in one
// transaction. Errors: EForbidden, EInvalid, EDuplicate, ENotFound, EBusy (the server is busy
// hashing other passwords).
func (a *Auth) CreateUser(ctx context.Context, workspaceID, email, role, password string) (*User, error) {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return nil, err
	}
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	if !finapp.ValidRole(role) {
		return nil, finapp.Invalid("role", "must be admin, finance or viewer")
	}
	if err := CheckPassword(password); err != nil {
		return nil, err
	}
	if _, err := a.Store.Workspace(ctx, workspaceID); err != nil {
		return nil, asField(err, "workspace")
	}
	var hash string
	if err := a.hashes.run(ctx, func() { hash = HashPassword(password) }); err != nil {
		return nil, err
	}
	u := &User{ID: finapp.NewID("usr_"), WorkspaceID: workspaceID, Email: email, Role: role, PasswordHash: hash, CreatedAt: a.Now()}
	err = a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return a.audit(ctx, tx, "user.created", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email, "role": u.Role})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// ListUsers lists a workspace's users.
func (a *Auth) ListUsers(ctx context.Context, workspaceID string) ([]*User, error) {
	return a.Store.ListUsers(ctx, workspaceID)
}

// DisableUser stops a user from logging in and ends their sessions, with its audit event, in one
// transaction. Errors: EForbidden, ENotFound.
func (a *Auth) DisableUser(ctx context.Context, workspaceID, id string) error {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return err
	}
	return a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if u.DisabledAt != nil {
			return nil // already disabled: keep the first date, write nothing
		}
		now := a.Now()
		u.DisabledAt = &now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeUserSessions(ctx, u.ID, now); err != nil {
			return err
		}
		return a.audit(ctx, tx, "user.disabled", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email})
	})
}

// EnableUser lets a disabled user log in again, with its audit event, in one transaction; their
// old sessions stay ended. Enabling a user who is not disabled writes nothing.
// Errors: EForbidden, ENotFound.
func (a *Auth) EnableUser(ctx context.Context, workspaceID, id string) error {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return err
	}
	return a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		if u.DisabledAt == nil {
			return nil
		}
		u.DisabledAt = nil
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return a.audit(ctx, tx, "user.enabled", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email})
	})
}

// SetPassword gives a user a new password and ends their sessions (a reset is what follows a
// password that leaked), with its audit event, in one transaction. The password obeys the
// rules of CheckPassword; it is never written to the audit trail. A disabled user stays
// disabled. Errors: EForbidden, EInvalid, ENotFound, EBusy (the server is busy hashing other
// passwords).
func (a *Auth) SetPassword(ctx context.Context, workspaceID, id, password string) error {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return err
	}
	if err := CheckPassword(password); err != nil {
		return err
	}
	var hash string
	if err := a.hashes.run(ctx, func() { hash = HashPassword(password) }); err != nil {
		return err
	}
	return a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.RevokeUserSessions(ctx, u.ID, a.Now()); err != nil {
			return err
		}
		return a.audit(ctx, tx, "user.password_set", "user", u.ID, map[string]any{"id": u.ID, "email": u.Email})
	})
}

// UserByEmail finds a workspace's user by email, spelled as at login (NormalizeEmail).
// Errors: EInvalid, ENotFound.
func (a *Auth) UserByEmail(ctx context.Context, workspaceID, email string) (*User, error) {
	email, err := NormalizeEmail(email)
	if err != nil {
		return nil, err
	}
	users, err := a.Store.ListUsers(ctx, workspaceID)
	if err != nil {
		return nil, err
	}
	for _, u := range users {
		if u.Email == email {
			return u, nil
		}
	}
	return nil, finapp.Errorf(finapp.ENotFound, "no user %s in this workspace", email)
}

// SessionActor returns who a session secret stands for. Errors: EUnauthorized.
func (a *Auth) SessionActor(ctx context.Context, secret, address string) (finapp.Actor, *Session, error) {
	s, err := a.Store.SessionByHash(ctx, HashToken(secret))
	if err != nil {
		if finapp.ErrorCode(err) == finapp.ENotFound {
			return finapp.Actor{}, nil, finapp.Errorf(finapp.EUnauthorized, "the session has ended; log in again")
		}
		return finapp.Actor{}, nil, err
	}
	if s.RevokedAt != nil || !a.Now().Before(s.ExpiresAt) {
		return finapp.Actor{}, nil, finapp.Errorf(finapp.EUnauthorized, "the session has ended; log in again")
	}
	return finapp.Actor{WorkspaceID: s.WorkspaceID, Name: "user:" + s.Email, Role: s.Role, Address: address}, s, nil
}

// Logout ends a session.
func (a *Auth) Logout(ctx context.Context, secret string) error {
	return a.Store.Update(ctx, "", func(tx Tx) error { return tx.RevokeSession(ctx, HashToken(secret), a.Now()) })
}

// CreateToken makes an API token for a workspace, and its audit event, in one transaction; the
// secret is returned once. Errors: EForbidden, EInvalid, ENotFound.
func (a *Auth) CreateToken(ctx context.Context, workspaceID, name, role string, expiresAt *time.Time) (string, *Token, error) {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return "", nil, err
	}
	if !finapp.ValidRole(role) {
		return "", nil, finapp.Invalid("role", "must be admin, finance or viewer")
	}
	name = strings.TrimSpace(name)
	if name == "" {
		name = role
	}
	if len(name) > 100 {
		return "", nil, finapp.Invalid("name", "is longer than 100 characters")
	}
	if expiresAt != nil && !expiresAt.After(a.Now()) {
		return "", nil, finapp.Invalid("expires_at", "is in the past")
	}
	if _, err := a.Store.Workspace(ctx, workspaceID); err != nil {
		return "", nil, asField(err, "workspace")
	}
	secret, hash := NewToken()
	t := &Token{ID: finapp.NewID(finapp.PrefixToken), WorkspaceID: workspaceID, Name: name, Role: role, Hash: hash, CreatedAt: a.Now(), ExpiresAt: expiresAt}
	err := a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return a.audit(ctx, tx, "token.created", "token", t.ID, map[string]any{"id": t.ID, "name": t.Name, "role": t.Role, "expires_at": t.ExpiresAt})
	})
	if err != nil {
		return "", nil, err
	}
	return secret, t, nil
}

// Authenticate returns who an API token stands for. Errors: EUnauthorized.
func (a *Auth) Authenticate(ctx context.Context, secret, address string) (finapp.Actor, error) {
	hash, now := HashToken(secret), a.Now()
	t := a.tokens.get(hash, now)
	if t == nil {
		var err error
		if t, err = a.Store.TokenByHash(ctx, hash); err != nil {
			if finapp.ErrorCode(err) == finapp.ENotFound {
				return finapp.Actor{}, finapp.Errorf(finapp.EUnauthorized, "the bearer token is unknown, expired or revoked")
			}
			return finapp.Actor{}, err
		}
		a.tokens.put(hash, t, now)
	}
	if !t.Live(now) {
		return finapp.Actor{}, finapp.Errorf(finapp.EUnauthorized, "the bearer token is unknown, expired or revoked")
	}
	return finapp.Actor{WorkspaceID: t.WorkspaceID, Name: "token:" + t.Name, Role: t.Role, Address: address}, nil
}

// ListTokens lists a workspace's API tokens (hashes only).
func (a *Auth) ListTokens(ctx context.Context, workspaceID string) ([]*Token, error) {
	return a.Store.ListTokens(ctx, workspaceID)
}

// RevokeToken ends an API token, with its audit event, in one transaction.
// Errors: EForbidden, ENotFound.
func (a *Auth) RevokeToken(ctx context.Context, workspaceID, id string) error {
	if err := mayAdminister(ctx, workspaceID); err != nil {
		return err
	}
	err := a.Store.Update(ctx, workspaceID, func(tx Tx) error {
		if err := tx.RevokeToken(ctx, id, a.Now()); err != nil {
			return err
		}
		return a.audit(ctx, tx, "token.revoked", "token", id, map[string]any{"id": id})
	})
	if err != nil {
		return err
	}
	a.tokens.forget()
	return nil
}

// HasTokens reports whether any live token exists (serve issues the first one otherwise).
func (a *Auth) HasTokens(ctx context.Context) (bool, error) {
	n, err := a.Store.CountTokens(ctx)
	return n > 0, err
}

// asField turns a missing reference into EInvalid naming the field that named it.
func asField(err error, field string) error {
	var e *finapp.Error
	if errors.As(err, &e) && e.Code == finapp.ENotFound {
		return &finapp.Error{Code: finapp.EInvalid, Field: field, Message: e.Message}
	}
	return err
}
