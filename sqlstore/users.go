package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
)

// The methods in this file implement finapp.AuthStore. They run outside workspace transactions:
// a login or a bearer token is how the workspace is found in the first place. Every list and
// change takes the workspace it is scoped to.

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.write.ExecContext(ctx, db.q(query), args...)
	return res, db.classify(err)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.read.QueryRowContext(ctx, db.q(query), args...)
}

// duplicate turns a unique violation into EDuplicate naming field.
func (db *DB) duplicate(err error, field, msg string) error {
	if err != nil && db.dialect.IsUniqueViolation(err) {
		return &finapp.Error{Code: finapp.EDuplicate, Field: field, Message: msg}
	}
	return db.classify(err)
}

// CreateWorkspace implements finapp.AuthStore.
func (db *DB) CreateWorkspace(ctx context.Context, w *finapp.Workspace) error {
	_, err := db.write.ExecContext(ctx, db.q(`INSERT INTO workspaces (id, name, created_at) VALUES (?, ?, ?)`), w.ID, w.Name, ts(w.CreatedAt))
	return db.duplicate(err, "name", "a workspace named "+w.Name+" exists already")
}

// Workspace implements finapp.AuthStore.
func (db *DB) Workspace(ctx context.Context, idOrName string) (*finapp.Workspace, error) {
	var w finapp.Workspace
	var created string
	err := db.queryRow(ctx, `SELECT id, name, created_at FROM workspaces WHERE id = ? OR name = ? ORDER BY id = ? DESC LIMIT 1`,
		idOrName, idOrName, idOrName).Scan(&w.ID, &w.Name, &created)
	w.CreatedAt = parseTS(created)
	return &w, notFound(err, "workspace", idOrName)
}

// ListWorkspaces implements finapp.AuthStore.
func (db *DB) ListWorkspaces(ctx context.Context) ([]*finapp.Workspace, error) {
	rows, err := db.read.QueryContext(ctx, `SELECT id, name, created_at FROM workspaces ORDER BY id`)
	if err != nil {
		return nil, db.classify(err)
	}
	return collect(rows, func(s scanner) (*finapp.Workspace, error) {
		var w finapp.Workspace
		var created string
		err := s.Scan(&w.ID, &w.Name, &created)
		w.CreatedAt = parseTS(created)
		return &w, err
	})
}

const userColumns = `workspace_id, id, email, role, password_hash, created_at, disabled_at`

func scanUser(s scanner) (*finapp.User, error) {
	var u finapp.User
	var created string
	var disabled sql.NullString
	err := s.Scan(&u.WorkspaceID, &u.ID, &u.Email, &u.Role, &u.PasswordHash, &created, &disabled)
	u.CreatedAt, u.DisabledAt = parseTS(created), parseTSPtr(disabled)
	return &u, err
}

// CreateUser implements finapp.AuthStore.
func (db *DB) CreateUser(ctx context.Context, u *finapp.User) error {
	_, err := db.write.ExecContext(ctx, db.q(`INSERT INTO users (`+userColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		u.WorkspaceID, u.ID, u.Email, u.Role, u.PasswordHash, ts(u.CreatedAt), tsPtr(u.DisabledAt))
	return db.duplicate(err, "email", "a user with email "+u.Email+" exists already")
}

// UserByEmail implements finapp.AuthStore.
func (db *DB) UserByEmail(ctx context.Context, email string) (*finapp.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	return u, notFound(err, "user", email)
}

// User implements finapp.AuthStore.
func (db *DB) User(ctx context.Context, workspaceID, id string) (*finapp.User, error) {
	u, err := scanUser(db.queryRow(ctx, `SELECT `+userColumns+` FROM users WHERE workspace_id = ? AND id = ?`, workspaceID, id))
	return u, notFound(err, "user", id)
}

// ListUsers implements finapp.AuthStore.
func (db *DB) ListUsers(ctx context.Context, workspaceID string) ([]*finapp.User, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+userColumns+` FROM users WHERE workspace_id = ? ORDER BY email`), workspaceID)
	if err != nil {
		return nil, db.classify(err)
	}
	return collect(rows, scanUser)
}

// UpdateUser implements finapp.AuthStore.
func (db *DB) UpdateUser(ctx context.Context, u *finapp.User) error {
	_, err := db.exec(ctx, `UPDATE users SET role = ?, password_hash = ?, disabled_at = ? WHERE workspace_id = ? AND id = ?`,
		u.Role, u.PasswordHash, tsPtr(u.DisabledAt), u.WorkspaceID, u.ID)
	return err
}

const tokenColumns = `workspace_id, id, name, role, hash, created_at, expires_at, revoked_at`

func scanToken(s scanner) (*finapp.Token, error) {
	var t finapp.Token
	var created string
	var expires, revoked sql.NullString
	err := s.Scan(&t.WorkspaceID, &t.ID, &t.Name, &t.Role, &t.Hash, &created, &expires, &revoked)
	t.CreatedAt, t.ExpiresAt, t.RevokedAt = parseTS(created), parseTSPtr(expires), parseTSPtr(revoked)
	return &t, err
}

// CreateToken implements finapp.AuthStore.
func (db *DB) CreateToken(ctx context.Context, t *finapp.Token) error {
	_, err := db.exec(ctx, `INSERT INTO tokens (`+tokenColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		t.WorkspaceID, t.ID, t.Name, t.Role, t.Hash, ts(t.CreatedAt), tsPtr(t.ExpiresAt), tsPtr(t.RevokedAt))
	return err
}

// TokenByHash implements finapp.AuthStore.
func (db *DB) TokenByHash(ctx context.Context, hash string) (*finapp.Token, error) {
	t, err := scanToken(db.queryRow(ctx, `SELECT `+tokenColumns+` FROM tokens WHERE hash = ?`, hash))
	return t, db.classify(notFound(err, "token", "with that secret"))
}

// ListTokens implements finapp.AuthStore.
func (db *DB) ListTokens(ctx context.Context, workspaceID string) ([]*finapp.Token, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT `+tokenColumns+` FROM tokens WHERE workspace_id = ? ORDER BY id`), workspaceID)
	if err != nil {
		return nil, db.classify(err)
	}
	return collect(rows, scanToken)
}

// RevokeToken implements finapp.AuthStore.
func (db *DB) RevokeToken(ctx context.Context, workspaceID, id string, at time.Time) error {
	res, err := db.exec(ctx, `UPDATE tokens SET revoked_at = COALESCE(revoked_at, ?) WHERE workspace_id = ? AND id = ?`, ts(at), workspaceID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return finapp.Errorf(finapp.ENotFound, "token %s not found", id)
	}
	return nil
}

// CountTokens implements finapp.AuthStore: live tokens of every workspace.
func (db *DB) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, db.classify(err)
}

// CreateSession implements finapp.AuthStore.
func (db *DB) CreateSession(ctx context.Context, s *finapp.Session) error {
	_, err := db.exec(ctx, `INSERT INTO sessions (workspace_id, id, user_id, hash, address, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		s.WorkspaceID, s.ID, s.UserID, s.Hash, s.Address, ts(s.CreatedAt), ts(s.ExpiresAt))
	return err
}

// SessionByHash implements finapp.AuthStore.
func (db *DB) SessionByHash(ctx context.Context, hash string) (*finapp.Session, error) {
	var s finapp.Session
	var created, expires string
	var revoked sql.NullString
	err := db.queryRow(ctx, `SELECT s.workspace_id, s.id, s.user_id, u.email, u.role, s.hash, s.address, s.created_at, s.expires_at, s.revoked_at
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND u.disabled_at IS NULL`, hash).
		Scan(&s.WorkspaceID, &s.ID, &s.UserID, &s.Email, &s.Role, &s.Hash, &s.Address, &created, &expires, &revoked)
	s.CreatedAt, s.ExpiresAt, s.RevokedAt = parseTS(created), parseTS(expires), parseTSPtr(revoked)
	return &s, db.classify(notFound(err, "session", "with that secret"))
}

// RevokeSession implements finapp.AuthStore.
func (db *DB) RevokeSession(ctx context.Context, hash string, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE hash = ?`, ts(at), hash)
	return err
}

// RevokeUserSessions implements finapp.AuthStore.
func (db *DB) RevokeUserSessions(ctx context.Context, userID string, at time.Time) error {
	_, err := db.exec(ctx, `UPDATE sessions SET revoked_at = COALESCE(revoked_at, ?) WHERE user_id = ?`, ts(at), userID)
	return err
}

// AddLoginAttempt implements finapp.AuthStore.
func (db *DB) AddLoginAttempt(ctx context.Context, email, address string, ok bool, at time.Time) error {
	flag := 0
	if ok {
		flag = 1
	}
	_, err := db.exec(ctx, `INSERT INTO login_attempts (email, address, ok, at) VALUES (?, ?, ?, ?)`, email, address, flag, ts(at))
	return err
}

// LoginFailures implements finapp.AuthStore. A successful login does not wipe earlier failures:
// the window simply passes.
func (db *DB) LoginFailures(ctx context.Context, email, address string, since time.Time) (int, int, error) {
	var byEmail, byAddress int
	err := db.queryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM login_attempts WHERE email = ? AND ok = 0 AND at >= ?),
		(SELECT COUNT(*) FROM login_attempts WHERE address = ? AND ok = 0 AND at >= ?)`,
		email, ts(since), address, ts(since)).Scan(&byEmail, &byAddress)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, 0, nil
	}
	return byEmail, byAddress, db.classify(err)
}
