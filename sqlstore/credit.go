package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"finapp"
	"finapp/money"
)

// CreditSettings implements finapp.Tx. In a write transaction on PostgreSQL the organization's
// row is locked first (FOR NO KEY UPDATE, which payments referencing it do not wait for), so two
// changes of one customer's settings run one after the other and each audits what it replaced.
func (tx *Tx) CreditSettings(ctx context.Context, orgID string) (finapp.CreditSettings, error) {
	st := finapp.DefaultCreditSettings()
	if tx.write && tx.db.dialect.RowLocks {
		var one int
		err := tx.queryRow(ctx, `SELECT 1 FROM organizations WHERE workspace_id = ? AND id = ? FOR NO KEY UPDATE`, tx.ws, orgID).Scan(&one)
		if err != nil {
			return st, notFound(err, "organization", orgID)
		}
	}
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
