package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// LockCredit implements finapp.Tx. On PostgreSQL it locks the organization's row FOR NO KEY
// UPDATE, which the inserts referencing the organization (payments, invoices) do not wait for;
// on SQLite the one writer is lock enough.
func (tx *Tx) LockCredit(ctx context.Context, orgID string) error {
	q := `SELECT 1 FROM organizations WHERE workspace_id = ? AND id = ?`
	if tx.write && tx.db.dialect.RowLocks {
		q += ` FOR NO KEY UPDATE`
	}
	var one int
	return notFound(tx.queryRow(ctx, q, tx.ws, orgID).Scan(&one), "organization", orgID)
}

// CreditSettings implements finapp.Tx.
func (tx *Tx) CreditSettings(ctx context.Context, orgID string) (finapp.CreditSettings, error) {
	st := finapp.DefaultCreditSettings()
	var enabled int
	var threshold, amount int64
	var updated string
	err := tx.queryRow(ctx, `SELECT billing_mode, auto_top_up, auto_top_up_currency, auto_top_up_threshold, auto_top_up_amount,
		updated_at FROM credit_settings WHERE workspace_id = ? AND organization_id = ?`, tx.ws, orgID).
		Scan(&st.BillingMode, &enabled, &st.AutoTopUp.Currency, &threshold, &amount, &updated)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return st, err
	default:
		st.AutoTopUp.Enabled = enabled == 1
		st.AutoTopUp.Threshold, st.AutoTopUp.Amount = money.Amount(threshold), money.Amount(amount)
		st.UpdatedAt = parseTS(updated)
	}
	rows, err := tx.query(ctx, `SELECT currency, amount FROM credit_limits WHERE workspace_id = ? AND organization_id = ?`, tx.ws, orgID)
	if err != nil {
		return st, err
	}
	defer rows.Close()
	for rows.Next() {
		var c money.Currency
		var a int64
		if err := rows.Scan(&c, &a); err != nil {
			return st, err
		}
		st.CreditLimits[c] = money.Amount(a)
	}
	return st, rows.Err()
}

// SetCreditSettings implements finapp.Tx.
func (tx *Tx) SetCreditSettings(ctx context.Context, orgID string, st finapp.CreditSettings) error {
	enabled := 0
	if st.AutoTopUp.Enabled {
		enabled = 1
	}
	if _, err := tx.exec(ctx, `INSERT INTO credit_settings (workspace_id, organization_id, billing_mode, auto_top_up,
		auto_top_up_currency, auto_top_up_threshold, auto_top_up_amount, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (workspace_id, organization_id) DO UPDATE SET billing_mode = excluded.billing_mode,
		auto_top_up = excluded.auto_top_up, auto_top_up_currency = excluded.auto_top_up_currency,
		auto_top_up_threshold = excluded.auto_top_up_threshold, auto_top_up_amount = excluded.auto_top_up_amount,
		updated_at = excluded.updated_at`,
		tx.ws, orgID, st.BillingMode, enabled, st.AutoTopUp.Currency, int64(st.AutoTopUp.Threshold),
		int64(st.AutoTopUp.Amount), ts(st.UpdatedAt)); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, `DELETE FROM credit_limits WHERE workspace_id = ? AND organization_id = ?`, tx.ws, orgID); err != nil {
		return err
	}
	for c, a := range st.CreditLimits {
		if _, err := tx.exec(ctx, `INSERT INTO credit_limits (workspace_id, organization_id, currency, amount) VALUES (?, ?, ?, ?)`,
			tx.ws, orgID, c, int64(a)); err != nil {
			return err
		}
	}
	return nil
}

// CreditBalance implements finapp.Tx from the running balances the journal's trigger keeps
// (migration 00033).
func (tx *Tx) CreditBalance(ctx context.Context, orgID string) (map[money.Currency]money.Sum, error) {
	rows, err := tx.query(ctx, `SELECT currency, hi, lo FROM credit_balances WHERE workspace_id = ? AND account = ?`,
		tx.ws, finapp.CreditAccount(orgID))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[money.Currency]money.Sum{}
	for rows.Next() {
		var c money.Currency
		var hi, lo int64
		if err := rows.Scan(&c, &hi, &lo); err != nil {
			return nil, err
		}
		out[c] = money.SumParts(hi, lo)
	}
	return out, rows.Err()
}

// CreditHeld implements finapp.Tx, in one query: the open reservations' sums (kind 0) and the
// credit limits (kind 1). The reservations' sum is bounded by a rule (every open reservation
// fits the customer's usable credit), but is summed in two parts like every other (sums.go).
func (tx *Tx) CreditHeld(ctx context.Context, orgIDs []string, now time.Time) (map[string]map[money.Currency]money.Sum,
	map[string]map[money.Currency]money.Amount, error) {
	reserved := map[string]map[money.Currency]money.Sum{}
	limits := map[string]map[money.Currency]money.Amount{}
	if len(orgIDs) == 0 {
		return reserved, limits, nil
	}
	in := `(?` + strings.Repeat(`, ?`, len(orgIDs)-1) + `)`
	args := make([]any, 0, 2*len(orgIDs)+3)
	args = append(args, tx.ws)
	for _, id := range orgIDs {
		args = append(args, id)
	}
	args = append(args, ts(now), tx.ws)
	for _, id := range orgIDs {
		args = append(args, id)
	}
	rows, err := tx.query(ctx, `SELECT 0, organization_id, currency, CAST(SUM(amount / 4294967296) AS BIGINT),
		CAST(SUM(amount % 4294967296) AS BIGINT) FROM reservations
		WHERE workspace_id = ? AND organization_id IN `+in+` AND status = 'open' AND expires_at > ? GROUP BY organization_id, currency
		UNION ALL SELECT 1, organization_id, currency, amount, 0 FROM credit_limits WHERE workspace_id = ? AND organization_id IN `+in, args...)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind int
		var org string
		var c money.Currency
		var hi, lo int64
		if err := rows.Scan(&kind, &org, &c, &hi, &lo); err != nil {
			return nil, nil, err
		}
		if kind == 1 {
			if limits[org] == nil {
				limits[org] = map[money.Currency]money.Amount{}
			}
			limits[org][c] = money.Amount(hi)
			continue
		}
		if reserved[org] == nil {
			reserved[org] = map[money.Currency]money.Sum{}
		}
		reserved[org][c] = money.SumParts(hi, lo)
	}
	return reserved, limits, rows.Err()
}

const reservationColumns = `id, organization_id, currency, amount, captured, status, reference, expires_at, created_at, closed_at, version`

func scanReservation(s scanner) (*finapp.Reservation, error) {
	var r finapp.Reservation
	var expires, created string
	var closed sql.NullString
	var amount, captured int64
	err := s.Scan(&r.ID, &r.OrganizationID, &r.Currency, &amount, &captured, &r.Status, &r.Reference, &expires, &created, &closed, &r.Version)
	r.Amount, r.Captured = money.Amount(amount), money.Amount(captured)
	r.ExpiresAt, r.CreatedAt, r.ClosedAt = parseTS(expires), parseTS(created), parseTSPtr(closed)
	return &r, err
}

// CreateReservation implements finapp.Tx.
func (tx *Tx) CreateReservation(ctx context.Context, r *finapp.Reservation) error {
	_, err := tx.exec(ctx, `INSERT INTO reservations (workspace_id, `+reservationColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, r.ID, r.OrganizationID, r.Currency, int64(r.Amount), int64(r.Captured), r.Status, r.Reference, ts(r.ExpiresAt),
		ts(r.CreatedAt), tsPtr(r.ClosedAt), r.Version)
	return err
}

// Reservation implements finapp.Tx.
func (tx *Tx) Reservation(ctx context.Context, id string) (*finapp.Reservation, error) {
	r, err := scanReservation(tx.queryRow(ctx, `SELECT `+reservationColumns+` FROM reservations r WHERE workspace_id = ? AND id = ?`+
		tx.forUpdate("r"), tx.ws, id))
	return r, notFound(err, "reservation", id)
}

// UpdateReservation implements finapp.Tx.
func (tx *Tx) UpdateReservation(ctx context.Context, r *finapp.Reservation) error {
	res, err := tx.exec(ctx, `UPDATE reservations SET captured = ?, status = ?, closed_at = ?, version = ?
		WHERE workspace_id = ? AND id = ? AND version = ?`,
		int64(r.Captured), r.Status, tsPtr(r.ClosedAt), r.Version, tx.ws, r.ID, r.Version-1)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n != 1 {
		return finapp.Errorf(finapp.EReservationClosed, "the reservation was closed meanwhile")
	}
	return nil
}

// ExpireReservation implements finapp.Tx.
func (tx *Tx) ExpireReservation(ctx context.Context, r *finapp.Reservation) (bool, error) {
	res, err := tx.exec(ctx, `UPDATE reservations SET status = 'expired', closed_at = expires_at, version = version + 1
		WHERE workspace_id = ? AND id = ? AND status = 'open' AND version = ?`, tx.ws, r.ID, r.Version)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err == nil && n == 1 {
		expired := r.ExpiresAt
		r.Status, r.ClosedAt = finapp.ReservationExpired, &expired
		r.Version++
	}
	return n == 1, err
}

// ListReservations implements finapp.Tx.
func (tx *Tx) ListReservations(ctx context.Context, f finapp.ReservationFilter) ([]*finapp.Reservation, string, error) {
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	if f.OrganizationID != "" {
		w.add(`organization_id = ?`, f.OrganizationID)
	}
	switch f.Status {
	case finapp.ReservationOpen:
		w.add(`status = 'open' AND expires_at > ?`, ts(f.Now))
	case finapp.ReservationExpired:
		w.add(`(status = 'expired' OR (status = 'open' AND expires_at <= ?))`, ts(f.Now))
	case "":
	default:
		w.add(`status = ?`, f.Status)
	}
	if f.Cursor != "" {
		w.add(`id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+reservationColumns+` FROM reservations`+w.sql()+` ORDER BY id DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanReservation)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(r *finapp.Reservation) string { return r.ID })
}

// ExpiredReservations implements finapp.Tx (through the index of open reservations).
func (tx *Tx) ExpiredReservations(ctx context.Context, now time.Time, limit int) ([]*finapp.Reservation, error) {
	rows, err := tx.query(ctx, `SELECT `+reservationColumns+` FROM reservations
		WHERE workspace_id = ? AND status = 'open' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?`, tx.ws, ts(now), limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanReservation)
}
