package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"finapp"
)

const endpointColumns = `id, url, description, events, secret, previous_secret, previous_secret_until, enabled, disabled_reason,
	failing_since, cursor, created_at, updated_at, deleted_at, version`

func scanEndpoint(s scanner) (*finapp.WebhookEndpoint, error) {
	var e finapp.WebhookEndpoint
	var events, created, updated string
	var until, failing, deleted sql.NullString
	var enabled int
	err := s.Scan(&e.ID, &e.URL, &e.Description, &events, &e.Secret, &e.PreviousSecret, &until, &enabled, &e.DisabledReason,
		&failing, &e.Cursor, &created, &updated, &deleted, &e.Version)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &e.Events); err != nil {
		return nil, err
	}
	e.Enabled = enabled == 1
	e.PreviousSecretUntil, e.FailingSince, e.DeletedAt = parseTSPtr(until), parseTSPtr(failing), parseTSPtr(deleted)
	e.CreatedAt, e.UpdatedAt = parseTS(created), parseTS(updated)
	return &e, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// WebhookEndpoint implements finapp.Tx.
func (tx *Tx) WebhookEndpoint(ctx context.Context, id string) (*finapp.WebhookEndpoint, error) {
	e, err := scanEndpoint(tx.queryRow(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e
		WHERE e.workspace_id = ? AND e.id = ? AND e.deleted_at IS NULL`+tx.forUpdate("e"), tx.ws, id))
	if err == sql.ErrNoRows {
		return nil, finapp.Errorf(finapp.ENotFound, "webhook endpoint %s not found", id)
	}
	return e, err
}

// WebhookEndpoints implements finapp.Tx.
func (tx *Tx) WebhookEndpoints(ctx context.Context) ([]*finapp.WebhookEndpoint, error) {
	rows, err := tx.query(ctx, `SELECT `+endpointColumns+` FROM webhook_endpoints e
		WHERE e.workspace_id = ? AND e.deleted_at IS NULL ORDER BY e.id`+tx.forUpdate("e"), tx.ws)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanEndpoint)
}

// CreateWebhookEndpoint implements finapp.Tx.
func (tx *Tx) CreateWebhookEndpoint(ctx context.Context, e *finapp.WebhookEndpoint) error {
	events, err := json.Marshal(e.Events)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO webhook_endpoints (workspace_id, `+endpointColumns+`)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, e.ID, e.URL, e.Description, string(events), e.Secret, e.PreviousSecret, tsPtr(e.PreviousSecretUntil), boolInt(e.Enabled),
		e.DisabledReason, tsPtr(e.FailingSince), e.Cursor, ts(e.CreatedAt), ts(e.UpdatedAt), tsPtr(e.DeletedAt), e.Version)
	return err
}

// UpdateWebhookEndpoint implements finapp.Tx.
func (tx *Tx) UpdateWebhookEndpoint(ctx context.Context, e *finapp.WebhookEndpoint) error {
	events, err := json.Marshal(e.Events)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE webhook_endpoints SET url = ?, description = ?, events = ?, secret = ?, previous_secret = ?,
		previous_secret_until = ?, enabled = ?, disabled_reason = ?, failing_since = ?, cursor = ?, updated_at = ?, deleted_at = ?,
		version = ? WHERE workspace_id = ? AND id = ?`,
		e.URL, e.Description, string(events), e.Secret, e.PreviousSecret, tsPtr(e.PreviousSecretUntil), boolInt(e.Enabled),
		e.DisabledReason, tsPtr(e.FailingSince), e.Cursor, ts(e.UpdatedAt), tsPtr(e.DeletedAt), e.Version, tx.ws, e.ID)
	return err
}

const deliveryColumns = `id, endpoint_id, event_id, event_sequence, event_type, status, attempts, next_attempt_at, first_attempt_at,
	lease_owner, lease_until, last_status, last_error, created_at, delivered_at`

func scanDelivery(s scanner) (*finapp.WebhookDelivery, error) {
	var d finapp.WebhookDelivery
	var next, created string
	var first, lease, delivered sql.NullString
	err := s.Scan(&d.ID, &d.EndpointID, &d.EventID, &d.EventSequence, &d.EventType, &d.Status, &d.Attempts, &next, &first,
		&d.LeaseOwner, &lease, &d.LastStatus, &d.LastError, &created, &delivered)
	if err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.CreatedAt = parseTS(next), parseTS(created)
	d.FirstAttemptAt, d.LeaseUntil, d.DeliveredAt = parseTSPtr(first), parseTSPtr(lease), parseTSPtr(delivered)
	return &d, nil
}

// CreateDeliveries implements finapp.Tx.
func (tx *Tx) CreateDeliveries(ctx context.Context, ds []*finapp.WebhookDelivery) error {
	var at stamps
	return tx.insertRows(ctx, "webhook_deliveries", `workspace_id, `+deliveryColumns, len(ds), func(i int, args []any) []any {
		d := ds[i]
		return append(args, tx.ws, d.ID, d.EndpointID, d.EventID, d.EventSequence, d.EventType, d.Status, d.Attempts,
			at.ts(d.NextAttemptAt), tsPtr(d.FirstAttemptAt), d.LeaseOwner, tsPtr(d.LeaseUntil), d.LastStatus, d.LastError,
			at.ts(d.CreatedAt), tsPtr(d.DeliveredAt))
	})
}

// DueDeliveries implements finapp.Tx. On PostgreSQL the rows are locked SKIP LOCKED: two
// dispatchers asking at once get different deliveries instead of waiting for each other.
func (tx *Tx) DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*finapp.WebhookDelivery, error) {
	lock := ""
	if tx.write && tx.db.dialect.RowLocks {
		lock = " FOR UPDATE SKIP LOCKED"
	}
	n := ts(now)
	rows, err := tx.query(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries
		WHERE workspace_id = ? AND status = 'pending' AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?)
		ORDER BY event_sequence, id LIMIT ?`+lock, tx.ws, n, n, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanDelivery)
}

// Delivery implements finapp.Tx.
func (tx *Tx) Delivery(ctx context.Context, id string) (*finapp.WebhookDelivery, error) {
	d, err := scanDelivery(tx.queryRow(ctx, `SELECT `+deliveryColumns+` FROM webhook_deliveries d
		WHERE d.workspace_id = ? AND d.id = ?`+tx.forUpdate("d"), tx.ws, id))
	if err == sql.ErrNoRows {
		return nil, finapp.Errorf(finapp.ENotFound, "webhook delivery %s not found", id)
	}
	return d, err
}

// UpdateDelivery implements finapp.Tx.
func (tx *Tx) UpdateDelivery(ctx context.Context, d *finapp.WebhookDelivery) error {
	_, err := tx.exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = ?, next_attempt_at = ?, first_attempt_at = ?,
		lease_owner = ?, lease_until = ?, last_status = ?, last_error = ?, delivered_at = ? WHERE workspace_id = ? AND id = ?`,
		d.Status, d.Attempts, ts(d.NextAttemptAt), tsPtr(d.FirstAttemptAt), d.LeaseOwner, tsPtr(d.LeaseUntil), d.LastStatus,
		d.LastError, tsPtr(d.DeliveredAt), tx.ws, d.ID)
	return err
}

const attemptColumns = `id, delivery_id, endpoint_id, event_id, event_type, at, status, duration_ms, snippet, error`

// AppendAttempt implements finapp.Tx.
func (tx *Tx) AppendAttempt(ctx context.Context, a *finapp.WebhookAttempt) error {
	_, err := tx.exec(ctx, `INSERT INTO webhook_attempts (workspace_id, `+attemptColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, a.ID, a.DeliveryID, a.EndpointID, a.EventID, a.EventType, ts(a.At), a.Status, a.DurationMS, a.Snippet, a.Error)
	return err
}

// ListAttempts implements finapp.Tx.
func (tx *Tx) ListAttempts(ctx context.Context, endpointID, cursor string, limit int) ([]*finapp.WebhookAttempt, string, error) {
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	w.add(`endpoint_id = ?`, endpointID)
	if cursor != "" {
		w.add(`id < ?`, cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+attemptColumns+` FROM webhook_attempts`+w.sql()+` ORDER BY id DESC LIMIT ?`, append(w.args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, func(s scanner) (*finapp.WebhookAttempt, error) {
		var a finapp.WebhookAttempt
		var at string
		err := s.Scan(&a.ID, &a.DeliveryID, &a.EndpointID, &a.EventID, &a.EventType, &at, &a.Status, &a.DurationMS, &a.Snippet, &a.Error)
		a.At = parseTS(at)
		return &a, err
	})
	if err != nil {
		return nil, "", err
	}
	return page(list, limit, func(a *finapp.WebhookAttempt) string { return a.ID })
}

// Event implements finapp.Tx.
func (tx *Tx) Event(ctx context.Context, id string) (*finapp.Event, error) {
	var e finapp.Event
	var at string
	err := tx.queryRow(ctx, `SELECT id, sequence, type, entity_id, payload, at FROM events WHERE workspace_id = ? AND id = ?`, tx.ws, id).
		Scan(&e.ID, &e.Sequence, &e.Type, &e.EntityID, &e.Payload, &at)
	if err == sql.ErrNoRows {
		return nil, finapp.Errorf(finapp.ENotFound, "event %s not found", id)
	}
	e.At = parseTS(at)
	return &e, err
}
