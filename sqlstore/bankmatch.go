package sqlstore

import (
	"cmp"
	"context"
	"slices"

	"finapp"
	"finapp/money"
)

// What matching a page of bank lines reads (finapp's proposeBankLines), a query for the whole
// page instead of one for each line: on PostgreSQL each query is a round trip, and a statement of
// 100,000 lines made half a million of them. The queries use the indexes their one-line
// counterparts use; none sorts in SQL (SQLite would rather walk an index in the order asked than
// sort a few rows), the results are put in order here.

// OpenInvoicesOfOrganizations implements finapp.Tx: what OpenInvoices returns (and locks), for
// each of several customers.
func (tx *Tx) OpenInvoicesOfOrganizations(ctx context.Context, orgIDs []string, currency string) (map[string][]*finapp.Invoice, error) {
	found := map[string][]*finapp.Invoice{}
	err := inChunks(orgIDs, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT `+invoiceColumns+invoiceFrom+`
			WHERE i.workspace_id = ? AND i.organization_id IN (`+marks+`) AND i.currency = ? AND i.status IN ('unpaid', 'partially_paid')`+
			tx.forUpdate("i"),
			append(append([]any{tx.ws}, args...), currency)...)
		if err != nil {
			return err
		}
		list, err := collect(rows, scanInvoice)
		for _, inv := range list {
			found[inv.OrganizationID] = append(found[inv.OrganizationID], inv)
		}
		return err
	})
	for _, list := range found {
		slices.SortFunc(list, func(a, b *finapp.Invoice) int { return cmp.Compare(a.ID, b.ID) })
	}
	return found, err
}

// OrganizationsByIBAN implements finapp.Tx: what OrganizationByIBAN returns, for each of several
// IBANs that paid a customer before.
func (tx *Tx) OrganizationsByIBAN(ctx context.Context, ibans []string) (map[string]string, error) {
	found := map[string]string{}
	latest := map[string]string{} // iban → the id of the line found for it
	err := inChunks(ibans, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT l.counterparty_iban, l.id, p.organization_id FROM bank_lines l
			JOIN payments p ON p.workspace_id = l.workspace_id AND p.id = l.payment_id
			WHERE l.workspace_id = ? AND l.counterparty_iban IN (`+marks+`) AND l.status = 'matched' AND p.organization_id IS NOT NULL`,
			append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var iban, id, org string
			if err := rows.Scan(&iban, &id, &org); err != nil {
				return err
			}
			if id > latest[iban] {
				latest[iban], found[iban] = id, org
			}
		}
		return rows.Err()
	})
	return found, err
}

// UnlinkedPayments implements finapp.Tx: the payments UnlinkedPaymentIDs would name for any of
// the amounts, every one of them (no limit), in id order, locked in a write transaction as
// Payment locks one.
func (tx *Tx) UnlinkedPayments(ctx context.Context, cur money.Currency, amounts []money.Amount, from, to string) ([]*finapp.Payment, error) {
	var out []*finapp.Payment
	// Amounts are bound as integers, a chunk at a time (inChunks binds text).
	const per = maxParams - 4
	for start := 0; start < len(amounts); start += per {
		run := amounts[start:min(start+per, len(amounts))]
		args := []any{tx.ws, from, to, cur}
		for _, a := range run {
			args = append(args, int64(a))
		}
		rows, err := tx.query(ctx, `SELECT `+paymentColumns+paymentFrom+`WHERE p.workspace_id = ? AND p.received_on BETWEEN ? AND ?
			AND p.currency = ? AND p.amount IN (`+placeholders(len(run))+`) AND p.deleted_at IS NULL
			AND NOT EXISTS (SELECT 1 FROM bank_lines l WHERE l.workspace_id = p.workspace_id AND l.payment_id = p.id AND l.payment_id <> '')`+
			tx.forUpdate("p"), args...)
		if err != nil {
			return nil, err
		}
		list, err := collect(rows, scanPayment)
		if err != nil {
			return nil, err
		}
		out = append(out, list...)
	}
	slices.SortFunc(out, func(a, b *finapp.Payment) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}

// BankLinesByID implements finapp.Tx: the lines of those ids that exist, in id order, locked in a
// write transaction as BankLine locks one.
func (tx *Tx) BankLinesByID(ctx context.Context, ids []string) ([]*finapp.BankLine, error) {
	var out []*finapp.BankLine
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT `+bankLineColumns+` FROM bank_lines l WHERE l.workspace_id = ? AND l.id IN (`+marks+`)`+
			tx.forUpdate("l"), append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		list, err := collect(rows, scanBankLine)
		out = append(out, list...)
		return err
	})
	slices.SortFunc(out, func(a, b *finapp.BankLine) int { return cmp.Compare(a.ID, b.ID) })
	return out, err
}

// SetBankLinesStatus implements finapp.Tx: the status of each of those lines, nothing else of them.
func (tx *Tx) SetBankLinesStatus(ctx context.Context, ids []string, status string) error {
	return inChunks(ids, func(marks string, args []any) error {
		_, err := tx.exec(ctx, `UPDATE bank_lines SET status = ? WHERE workspace_id = ? AND id IN (`+marks+`)`,
			append([]any{status, tx.ws}, args...)...)
		return err
	})
}
