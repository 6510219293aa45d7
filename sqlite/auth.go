package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
)

// CreateToken implements finapp.Tokens.
func (db *DB) CreateToken(ctx context.Context, workspaceID, name, role string) (string, error) {
	if !finapp.ValidRole(role) {
		return "", finapp.Invalid("role", "must be admin, finance or viewer")
	}
	token, hash := finapp.NewToken()
	_, err := db.write.ExecContext(ctx, `INSERT INTO tokens (workspace_id, id, name, role, hash, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
		workspaceID, finapp.NewID(finapp.PrefixToken), name, role, hash, ts(time.Now()))
	if err != nil {
		return "", err
	}
	return token, nil
}

// Authenticate implements finapp.Tokens.
func (db *DB) Authenticate(ctx context.Context, token string) (finapp.Actor, error) {
	var a finapp.Actor
	var expires sql.NullString
	err := db.read.QueryRowContext(ctx, `SELECT workspace_id, name, role, expires_at FROM tokens WHERE hash = ? AND revoked_at IS NULL`,
		finapp.HashToken(token)).Scan(&a.WorkspaceID, &a.Name, &a.Role, &expires)
	if errors.Is(err, sql.ErrNoRows) || (expires.Valid && parseTS(expires.String).Before(time.Now())) {
		return a, finapp.Errorf(finapp.EUnauthorized, "the bearer token is unknown, expired or revoked")
	}
	return a, err
}

// CountTokens returns how many live tokens exist (so that serve can issue the first one).
func (db *DB) CountTokens(ctx context.Context) (int, error) {
	var n int
	err := db.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM tokens WHERE revoked_at IS NULL`).Scan(&n)
	return n, err
}

// ReserveIdempotencyKey claims key for a request with requestHash. If the key was claimed before,
// it returns that claim (and claims nothing).
func (db *DB) ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*finapp.StoredResponse, error) {
	tx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var r finapp.StoredResponse
	err = tx.QueryRowContext(ctx, `SELECT request_hash, status, header, body FROM idempotency_keys WHERE workspace_id = ? AND key = ?`,
		workspaceID, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &r.Body)
	if err == nil {
		return &r, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, header, created_at) VALUES (?, ?, ?, 0, '', ?)`,
		workspaceID, key, requestHash, ts(time.Now())); err != nil {
		return nil, err
	}
	return nil, tx.Commit()
}

// CompleteIdempotencyKey stores the response to the request that claimed key.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error {
	_, err := db.write.ExecContext(ctx, `UPDATE idempotency_keys SET status = ?, header = ?, body = ? WHERE workspace_id = ? AND key = ?`,
		status, contentType, body, workspaceID, key)
	return err
}

// ReleaseIdempotencyKey forgets a claim whose request failed without a definite answer (a 5xx),
// so that the client may retry with the same key.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error {
	_, err := db.write.ExecContext(ctx, `DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status = 0`, workspaceID, key)
	return err
}
