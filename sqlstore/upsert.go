package sqlstore

import (
	"context"
	"slices"
	"strings"

	"finapp"
)

// The reads and writes of upserts from a billing system (POST /v1/invoices/batch, `finapp import
// invoices|organizations`): many rows at a time, so that a file of a million invoices costs a
// statement per thousand of them rather than a few per invoice.

// inChunks runs query for each run of keys small enough for one statement; marks is the run's
// `?, ?, …`.
func inChunks(keys []string, query func(marks string, args []any) error) error {
	const per = maxParams - 4 // room for the few others (workspace, currency, status)
	for start := 0; start < len(keys); start += per {
		run := keys[start:min(start+per, len(keys))]
		args := make([]any, 0, len(run)+1)
		for _, k := range run {
			args = append(args, k)
		}
		marks := strings.Repeat("?, ", len(run))
		if err := query(marks[:len(marks)-2], args); err != nil {
			return err
		}
	}
	return nil
}

// InvoicesByExternalIDs implements finapp.Tx.
func (tx *Tx) InvoicesByExternalIDs(ctx context.Context, ids []string) (map[string]*finapp.Invoice, error) {
	found := make(map[string]*finapp.Invoice, len(ids))
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT `+invoiceColumns+invoiceFrom+`WHERE i.workspace_id = ? AND i.external_id IN (`+marks+`)`+
			tx.forUpdate("i"), append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		invs, err := collect(rows, scanInvoice)
		for _, inv := range invs {
			found[inv.ExternalID] = inv
		}
		return err
	})
	return found, err
}

// InvoiceIDsByNumber implements finapp.Tx.
func (tx *Tx) InvoiceIDsByNumber(ctx context.Context, numbers []string) (map[string]string, error) {
	found := map[string]string{}
	err := inChunks(numbers, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT number, id FROM invoices WHERE workspace_id = ? AND number IN (`+marks+`)`, append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var number, id string
			if err := rows.Scan(&number, &id); err != nil {
				return err
			}
			found[number] = id
		}
		return rows.Err()
	})
	return found, err
}

// OrganizationsByExternalIDs implements finapp.Tx.
func (tx *Tx) OrganizationsByExternalIDs(ctx context.Context, ids []string) (map[string]*finapp.Organization, error) {
	found := make(map[string]*finapp.Organization, len(ids))
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT `+organizationColumns+` FROM organizations o WHERE o.workspace_id = ? AND o.external_id IN (`+marks+`)`+
			tx.forUpdate("o"), append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		orgs, err := collect(rows, scanOrganization)
		for _, o := range orgs {
			found[o.ExternalID] = o
		}
		return err
	})
	return found, err
}

// OrganizationsByID implements finapp.Tx.
func (tx *Tx) OrganizationsByID(ctx context.Context, ids []string) (map[string]*finapp.Organization, error) {
	found := make(map[string]*finapp.Organization, len(ids))
	err := inChunks(ids, func(marks string, args []any) error {
		rows, err := tx.query(ctx, `SELECT `+organizationColumns+` FROM organizations o WHERE o.workspace_id = ? AND o.id IN (`+marks+`)`,
			append([]any{tx.ws}, args...)...)
		if err != nil {
			return err
		}
		orgs, err := collect(rows, scanOrganization)
		for _, o := range orgs {
			found[o.ID] = o
		}
		return err
	})
	return found, err
}

// CreateInvoices implements finapp.Tx.
func (tx *Tx) CreateInvoices(ctx context.Context, invs []*finapp.Invoice) error {
	var at stamps
	// In the order of the indexes they scatter most in (three lead with the organization), as
	// CreatePayments does.
	invs = slices.Clone(invs)
	slices.SortStableFunc(invs, func(a, b *finapp.Invoice) int { return strings.Compare(a.OrganizationID, b.OrganizationID) })
	err := tx.insertRows(ctx, "invoices", `workspace_id, id, number, organization_id, kind, currency, total, amount_settled,
		issued_on, due_on, status, provisioned_at, voided_at, created_at, version, external_id, metadata`, len(invs),
		func(n int, args []any) []any {
			i := invs[n]
			return append(args, tx.ws, i.ID, i.Number, i.OrganizationID, i.Kind, i.Currency, i.Total, i.Settled(), i.IssuedOn, i.DueOn,
				i.Status, tsPtr(i.ProvisionedAt), tsPtr(i.VoidedAt), at.ts(i.CreatedAt), i.Version, externalID(i.ExternalID), i.Metadata.String())
		})
	if err != nil && tx.db.dialect.IsUniqueViolation(err) {
		// The use case checked every number and external id first; only a writer racing it gets here.
		return finapp.Errorf(finapp.EConflict, "an invoice number or external id of the batch was taken just now; send it again")
	}
	if err != nil {
		return err
	}
	return tx.indexInvoiceNumbers(ctx, invs)
}

// UpdateOrganization implements finapp.Tx.
func (tx *Tx) UpdateOrganization(ctx context.Context, o *finapp.Organization) error {
	_, err := tx.exec(ctx, `UPDATE organizations SET name = ?, billing_currency = ?, status = ?, version = ?, external_id = ?, metadata = ?
		WHERE workspace_id = ? AND id = ?`, o.Name, o.BillingCurrency, o.Status, o.Version, externalID(o.ExternalID), o.Metadata.String(), tx.ws, o.ID)
	return tx.duplicateExternalID(err, "organization", o.ExternalID)
}
