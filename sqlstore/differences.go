package sqlstore

import (
	"context"

	"finapp"
	"finapp/money"
)

// OrganizationDifferences implements finapp.Tx: its invoices' active adjustments by kind, its
// refunds not reversed (of payments and of credit notes) and its credit notes not void, each summed in two parts (sums.go) so that no count of them overflows.
func (tx *Tx) OrganizationDifferences(ctx context.Context, orgID string) (finapp.Differences, error) {
	rows, err := tx.query(ctx, `
		SELECT a.kind, a.currency, CAST(SUM(a.amount / 4294967296) AS BIGINT), CAST(SUM(a.amount % 4294967296) AS BIGINT)
		FROM allocations a JOIN invoices i ON i.id = a.invoice_id
		WHERE a.workspace_id = ? AND i.workspace_id = ? AND i.organization_id = ? AND a.kind <> 'payment' AND a.released_at IS NULL
		GROUP BY a.kind, a.currency
		UNION ALL
		SELECT 'refunded', currency, CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT)
		FROM refunds WHERE workspace_id = ? AND organization_id = ? AND reversed_at IS NULL
		GROUP BY currency
		UNION ALL
		SELECT 'credited', currency, CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT)
		FROM credit_notes WHERE workspace_id = ? AND organization_id = ? AND status <> 'void'
		GROUP BY currency
		UNION ALL
		SELECT 'refunded', a.currency, CAST(SUM(a.amount / 4294967296) AS BIGINT), CAST(SUM(a.amount % 4294967296) AS BIGINT)
		FROM credit_note_applications a JOIN credit_notes n ON n.id = a.credit_note_id
		WHERE a.workspace_id = ? AND n.workspace_id = ? AND n.organization_id = ? AND a.kind = 'refund'
		GROUP BY a.currency`, tx.ws, tx.ws, orgID, tx.ws, orgID, tx.ws, orgID, tx.ws, tx.ws, orgID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	d := finapp.Differences{}
	for rows.Next() {
		var kind string
		var cur money.Currency
		var hi, lo int64
		if err := rows.Scan(&kind, &cur, &hi, &lo); err != nil {
			return nil, err
		}
		d.Add(kind, cur, money.SumParts(hi, lo))
	}
	return d, rows.Err()
}
