package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
)

// bookkeeping runs fn as a write transaction of the store (a batch member under group commit), for the
// bookkeeping writes that are not domain use cases.
func (db *DB) bookkeeping(ctx context.Context, workspaceID string, fn func(tx *Tx) error) error {
	return db.Update(ctx, workspaceID, func(t finapp.Tx) error { return fn(t.(*Tx)) })
}

// ReserveIdempotencyKey implements finapp.IdempotencyKeys. The claim is one insert that either
// wins or finds the earlier claim, so two concurrent first requests cannot both win.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*finapp.StoredResponse, error) {
	var prior *finapp.StoredResponse
	err := db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
		res, err := tx.exec(ctx, `INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, header, created_at)
			VALUES (?, ?, ?, 0, '', ?) ON CONFLICT (workspace_id, key) DO NOTHING`, workspaceID, key, requestHash, ts(time.Now()))
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil || n == 1 {
			return err
		}
		var r finapp.StoredResponse
		if err := tx.queryRow(ctx, `SELECT request_hash, status, header, body FROM idempotency_keys WHERE workspace_id = ? AND key = ?`,
			workspaceID, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &r.Body); errors.Is(err, sql.ErrNoRows) {
			// The earlier claim was released (its request failed) between our insert and this read.
			return finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is being retried; retry shortly", key)
		} else if err != nil {
			return err
		}
		prior = &r
		return nil
	})
	return prior, err
}

// CompleteIdempotencyKey implements finapp.IdempotencyKeys.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error {
	return db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
		_, err := tx.exec(ctx, `UPDATE idempotency_keys SET status = ?, header = ?, body = ? WHERE workspace_id = ? AND key = ?`,
			status, contentType, body, workspaceID, key)
		return err
	})
}

// ReleaseIdempotencyKey implements finapp.IdempotencyKeys.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error {
	return db.bookkeeping(ctx, workspaceID, func(tx *Tx) error {
		_, err := tx.exec(ctx, `DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status = 0`, workspaceID, key)
		return err
	})
}
