package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
	"finapp/api/replay"
)

// bookkeeping runs fn as a write transaction of the store (a batch member under group commit), for the
// bookkeeping writes that are not domain use cases.
func (db *DB) bookkeeping(ctx context.Context, workspaceID string, fn func(tx *Tx) error) error {
	return db.Update(ctx, workspaceID, func(t finapp.Tx) error { return fn(t.(*Tx)) })
}

const selectIdempotencyKey = `SELECT request_hash, status, header, body, entity, created_at FROM idempotency_keys WHERE workspace_id = ? AND key = ?`

// idempotencyKey reads the claim on key, or nil.
func (tx *Tx) idempotencyKey(ctx context.Context, key string) (*replay.Response, error) {
	var r replay.Response
	var at string
	err := tx.queryRow(ctx, selectIdempotencyKey, tx.ws, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &r.Body, &r.Entity, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	r.ClaimedAt = parseTS(at)
	return &r, nil
}

// insertIdempotencyKey claims key, with its response if known; if the key was claimed before, it
// returns that claim. The insert either wins or finds the earlier claim, so two concurrent first
// requests cannot both win (PostgreSQL makes the second wait for the first's commit).
func (tx *Tx) insertIdempotencyKey(ctx context.Context, key, requestHash, entity string, status int, contentType string, body []byte) (*replay.Response, error) {
	res, err := tx.exec(ctx, `INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, header, body, entity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (workspace_id, key) DO NOTHING`, tx.ws, key, requestHash, status, contentType, body, entity, ts(time.Now()))
	if err != nil {
		return nil, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return nil, err
	}
	prior, err := tx.idempotencyKey(ctx, key)
	if err == nil && prior == nil {
		// The earlier claim was released (its request failed) between our insert and this read.
		err = finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is being retried; retry shortly", key)
	}
	return prior, err
}

// ClaimIdempotencyKey implements finapp.Tx: the claim made inside a use case's transaction.
func (tx *Tx) ClaimIdempotencyKey(ctx context.Context, key, requestHash, entity string) (bool, error) {
	prior, err := tx.insertIdempotencyKey(ctx, key, requestHash, entity, 0, "", nil)
	return prior != nil, err
}

// LookupIdempotencyKey implements replay.Store.
func (db *DB) LookupIdempotencyKey(ctx context.Context, workspaceID, key string) (prior *replay.Response, err error) {
	err = db.View(ctx, workspaceID, func(t finapp.Tx) error {
		prior, err = t.(*Tx).idempotencyKey(ctx, key)
		return err
	})
	return prior, err
}

// ReserveIdempotencyKey implements replay.Store.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (prior *replay.Response, err error) {
	err = db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
		prior, err = tx.insertIdempotencyKey(ctx, key, requestHash, "", 0, "", nil)
		return err
	})
	return prior, err
}

// StoreIdempotentResponse implements replay.Store.
func (db *DB) StoreIdempotentResponse(ctx context.Context, workspaceID, key, requestHash string, status int, contentType string, body []byte) (prior *replay.Response, err error) {
	err = db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
		prior, err = tx.insertIdempotencyKey(ctx, key, requestHash, "", status, contentType, body)
		return err
	})
	return prior, err
}

// CompleteIdempotencyKey implements replay.Store.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error {
	return db.bookkeepingStatement(ctx, workspaceID, `UPDATE idempotency_keys SET status = ?, header = ?, body = ? WHERE workspace_id = ? AND key = ?`,
		status, contentType, body, workspaceID, key)
}

// ReleaseIdempotencyKey implements replay.Store.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error {
	return db.bookkeepingStatement(ctx, workspaceID, `DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status = 0`, workspaceID, key)
}

// bookkeepingStatement runs one bookkeeping statement. A single statement is a transaction of
// its own, so where writers need not queue (PostgreSQL) it runs alone on the pool, one round
// trip instead of BEGIN, the statement and COMMIT; SQLite's one writer runs it in a batch.
func (db *DB) bookkeepingStatement(ctx context.Context, workspaceID, query string, args ...any) error {
	if db.group != nil {
		return db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
			_, err := tx.exec(ctx, query, args...)
			return err
		})
	}
	_, err := db.write.ExecContext(ctx, db.q(query), args...)
	return db.classify(err)
}
