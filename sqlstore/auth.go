package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
	"finapp/auth"
)

// AuthStore is the database as auth.Store: workspaces, users, tokens, sessions and login
// attempts. Its reads run outside workspace transactions (a login or a bearer token is how the
// workspace is found in the first place); its changes run in the books' write transactions
// (Tx implements auth.Tx), so that each is committed together with its audit event.
type AuthStore struct{ db *DB }

// AuthStore returns the database as auth.Store.
func (db *DB) AuthStore() *AuthStore { return &AuthStore{db: db} }

// Update implements auth.Store: fn runs in a write transaction of the books, as Store.Update.
func (s *AuthStore) Update(ctx context.Context, workspaceID string, fn func(auth.Tx) error) error {
	return s.db.Update(ctx, workspaceID, func(tx finapp.Tx) error { return fn(tx.(*Tx)) })
}

func (s *AuthStore) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return s.db.read.QueryRowContext(ctx, s.db.q(query), args...)
}

// duplicate turns a unique violation into EDuplicate naming field.
func (db *DB) duplicate(err error, field, msg string) error {
	if err != nil && db.dialect.IsUniqueViolation(err) {
		return &finapp.Error{Code: finapp.EDuplicate, Field: field, Message: msg}
	}
	return db.classify(err)
}

// CreateWorkspace implements auth.Tx.
func (tx *Tx) CreateWorkspace(ctx context.Context, w *auth.Workspace) error {
	_, err := tx.exec(ctx, `INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`, w.ID, w.Name, ts(w.CreatedAt))
	return tx.db.duplicate(err, "name", "a workspace named "+w.Name+" exists already")
}

// Workspace implements auth.Store.
func (s *AuthStore) Workspace(ctx context.Context, idOrName string) (*auth.Workspace, error) {
	var w auth.Workspace
	var created string
	err := s.queryRow(ctx, `SELECT id, name, created_at FROM workspaces WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`,
		idOrName, idOrName, idOrName).Scan(&w.ID, &w.Name, &created)
	w.CreatedAt = parseTS(created)
	return &w, notFound(err, "workspace", idOrName)
}

// ListWorkspaces implements auth.Store.
func (s *AuthStore) ListWorkspaces(ctx context.Context) ([]*auth.Workspace, error) {
	rows, err := s.db.read.QueryContext(ctx, `SELECT id, name, created_at FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, s.db.classify(err)
	}
	return collect(rows, func(s scanner) (*auth.Workspace, error) {
		var w auth.Workspace
		var created string
		err := s.Scan(&w.ID, &w.Name, &created)
		w.CreatedAt = parseTS(created)
		return &w, err
	})
}

const userColumns = `workspace_id, id, email, role, password_hash, created_at, disabled_at`

func scanUser(s scanner) (*auth.User, error) {
	var u auth.User
	var created string
	var disabled sql.NullString
	err := s.Scan(&u.WorkspaceID, &u.ID, &u.Email, &u.Role, &u.PasswordHash, &created, &disabled)
	u.CreatedAt, u.DisabledAt = parseTS(created), parseTSPtr(disabled)
	return &u, err
}

// CreateUser implements auth.Tx.
func (tx *Tx) CreateUser(ctx context.Context, u *auth.User) error {
	_, err := tx.exec(ctx, `INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		u.WorkspaceID, u.ID, u.Email, u.Role, u.PasswordHash, ts(u.CreatedAt), tsPtr(u.DisabledAt))
	return tx.db.duplicate(err, "email", "a user with email "+u.Email+" exists already")
}

// UserByEmail implements auth.Tx: the user of any workspace with that (folded) email.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*auth.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	return u, notFound(err, "user", email)
}

// User implements auth.Tx: a user of the transaction's workspace, locked for the change.
func (tx *Tx) User(ctx context.Context, id string) (*auth.User, error) {
	u, err := scanUser(tx.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? AND id = ?`+tx.forUpdate("users"), tx.ws, id))
	return u, notFound(err, "user", id)
}

// User implements auth.Store.
func (s *AuthStore) User(ctx context.Context, workspaceID, id string) (*auth.User, error) {
	u, err := scanUser(s.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return u, s.db.classify(notFound(err, "user", id))
}

// ListUsers implements auth.Store.
func (s *AuthStore) ListUsers(ctx context.Context, workspaceID string) ([]*auth.User, error) {
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+userColumns+` FROM users WHERE workspace_id = ? ORDER BY email`), workspaceID)
	if err != nil {
		return nil, s.db.classify(err)
	}
	return collect(rows, scanUser)
}

// UpdateUser implements auth.Tx.
func (tx *Tx) UpdateUser(ctx context.Context, u *auth.User) error {
	_, err := tx.exec(ctx, `UPDATE users SET role = ?, password_hash = ?, disabled_at = ? WHERE workspace_id = ? AND id = ?`,
		u.Role, u.PasswordHash, tsPtr(u.DisabledAt), tx.ws, u.ID)
	return err
}

const tokenColumns = `workspace_id, id, name, role, hash, created_at, expires_at, revoked_at`

func scanToken(s scanner) (*auth.Token, error) {
	var t auth.Token
	var created string
	var expires, revoked sql.NullString
	err := s.Scan(&t.WorkspaceID, &t.ID, &t.Name, &t.Role, &t.Hash, &created, &expires, &revoked)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTS(created), parseTSPtr(expires), parseTSPtr(revoked)
	return &t, err
}

// CreateToken implements auth.Tx.
func (tx *Tx) CreateToken(ctx context.Context, t *auth.Token) error {
	_, err := tx.exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.WorkspaceID, t.ID, t.Name, t.Role, t.Hash, ts(t.CreatedAt), tsPtr(t.ExpiresAt), tsPtr(t.RevokedAt))
	return err
}

// TokenByHash implements auth.Store.
func (s *AuthStore) TokenByHash(ctx context.Context, hash string) (*auth.Token, error) {
	t, err := scanToken(s.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	return t, s.db.classify(notFound(err, "token", "with that secret"))
}

// ListTokens implements auth.Store.
func (s *AuthStore) ListTokens(ctx context.Context, workspaceID string) ([]*auth.Token, error) {
	rows, err := s.db.read.QueryContext(ctx, s.db.q(`SELECT `+tokenColumns+` FROM tokens WHERE workspace_id = ? ORDER BY id`), workspaceID)
	if err != nil {
		return nil, s.db.classify(err)
	}
	return collect(rows, scanToken)
}

// RevokeToken implements auth.Tx.
func (tx *Tx) RevokeToken(ctx context.Context, id string, at time.Time) error {
	res, err := tx.exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE workspace_id = ? AND id = ?`, ts(at), tx.ws, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return finapp.Errorf(finapp.ENotFound, "token %s not found", id)
	}
	return nil
}

// CountTokens implements auth.Store: live tokens of every workspace.
func (s *AuthStore) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := s.queryRow(ctx, `SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, s.db.classify(err)
}

// CreateSession implements auth.Tx.
func (tx *Tx) CreateSession(ctx context.Context, s *auth.Session) error {
	_, err := tx.exec(ctx, `INSERT INTO sessions (workspace_id, id, user_id, hash, address, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.WorkspaceID, s.ID, s.UserID, s.Hash, s.Address, ts(s.CreatedAt), ts(s.ExpiresAt))
	return err
}

// SessionByHash implements auth.Store.
func (st *AuthStore) SessionByHash(ctx context.Context, hash string) (*auth.Session, error) {
	var s auth.Session
	var created, expires string
	var revoked sql.NullString
	err := st.queryRow(ctx, `SELECT s.workspace_id, s.id, s.user_id, u.email, u.role, s.hash, s.address, s.created_at, s.expires_at, s.revoked_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND u.disabled_at IS NULL`, hash).
		Scan(&s.WorkspaceID, &s.ID, &s.UserID, &s.Email, &s.Role, &s.Hash, &s.Address, &created, &expires, &revoked)
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = parseTS(created), parseTS(expires), parseTSPtr(revoked)
	return &s, st.db.classify(notFound(err, "session", "with that secret"))
}

// RevokeSession implements auth.Tx.
func (tx *Tx) RevokeSession(ctx context.Context, hash string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE hash = ?`, ts(at), hash)
	return err
}

// RevokeUserSessions implements auth.Tx.
func (tx *Tx) RevokeUserSessions(ctx context.Context, userID string, at time.Time) error {
	_, err := tx.exec(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE user_id = ?`, ts(at), userID)
	return err
}

// LockLogin implements auth.Tx. SQLite needs no lock: it runs one writer at a time. Elsewhere
// the dialect's LockKey takes a lock on the email and then one on the address (always in that
// order, so that two logins cannot wait for each other).
func (tx *Tx) LockLogin(ctx context.Context, email, address string) error {
	lock := tx.db.dialect.LockKey
	if lock == "" {
		return nil
	}
	for _, key := range []string{"finapp.login.email:" + email, "finapp.login.address:" + address} {
		if _, err := tx.exec(ctx, lock, key); err != nil {
			return err
		}
	}
	return nil
}

// AddLoginAttempt implements auth.Tx.
func (tx *Tx) AddLoginAttempt(ctx context.Context, a *auth.LoginAttempt) error {
	flag := 0
	if a.OK {
		flag = 1
	}
	_, err := tx.exec(ctx, `INSERT INTO login_attempts (id, email, address, ok, at) VALUES (?, ?, ?, ?, ?)`, a.ID, a.Email, a.Address, flag, ts(a.At))
	return err
}

// LoginSucceeded implements auth.Tx.
func (tx *Tx) LoginSucceeded(ctx context.Context, attemptID string) error {
	_, err := tx.exec(ctx, `UPDATE login_attempts SET ok = 1 WHERE id = ?`, attemptID)
	return err
}

// LoginFailures implements auth.Tx. A successful login does not wipe earlier failures: the
// window simply passes.
func (tx *Tx) LoginFailures(ctx context.Context, email, address string, since time.Time) (int, int, error) {
	var byEmail, byAddress int
	err := tx.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM login_attempts WHERE email = ? AND ok = 0 AND at >= ?),
		(SELECT COUNT(*) FROM login_attempts WHERE address = ? AND ok = 0 AND at >= ?)`,
		email, ts(since), address, ts(since)).Scan(&byEmail, &byAddress)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return byEmail, byAddress, err
}
