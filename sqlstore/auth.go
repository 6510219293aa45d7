package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"finapp"
)

// ReserveIdempotencyKey implements finapp.IdempotencyKeys. The claim is one insert that either
// wins or finds the earlier claim, so two concurrent first requests cannot both win.
func (db *DB) ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*finapp.StoredResponse, error) {
	res, err := db.write.ExecContext(ctx, db.q(`INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, header, created_at)
		VALUES (?, ?, ?, 0, '', ?) ON CONFLICT (workspace_id, key) DO NOTHING`), workspaceID, key, requestHash, ts(time.Now()))
	if err != nil {
		return nil, db.classify(err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, err
	} else if n == 1 {
		return nil, nil
	}
	var r finapp.StoredResponse
	err = db.write.QueryRowContext(ctx, db.q(`SELECT request_hash, status, header, body FROM idempotency_keys WHERE workspace_id = ? AND key = ?`),
		workspaceID, key).Scan(&r.RequestHash, &r.Status, &r.ContentType, &r.Body)
	if errors.Is(err, sql.ErrNoRows) {
		// The earlier claim was released (its request failed) between our insert and this read.
		return nil, finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is being retried; retry shortly", key)
	}
	return &r, db.classify(err)
}

// CompleteIdempotencyKey implements finapp.IdempotencyKeys.
func (db *DB) CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error {
	_, err := db.write.ExecContext(ctx, db.q(`UPDATE idempotency_keys SET status = ?, header = ?, body = ? WHERE workspace_id = ? AND key = ?`),
		status, contentType, body, workspaceID, key)
	return db.classify(err)
}

// ReleaseIdempotencyKey implements finapp.IdempotencyKeys.
func (db *DB) ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error {
	_, err := db.write.ExecContext(ctx, db.q(`DELETE FROM idempotency_keys WHERE workspace_id = ? AND key = ? AND status = 0`), workspaceID, key)
	return db.classify(err)
}
