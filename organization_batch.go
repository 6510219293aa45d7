package finapp

import (
	"context"
	"errors"
	"maps"
)

// OrganizationUpsert is one customer sent by the billing system, found by its external id:
// corrected to these values when finapp has it (an empty value leaves the field as it is),
// created when it does not.
type OrganizationUpsert struct {
	ExternalID      string
	Name            string
	BillingCurrency string
	Metadata        Metadata
}

// OrganizationUpsertResult is what became of one item.
type OrganizationUpsertResult struct {
	Organization *Organization
	Outcome      string // UpsertCreated, UpsertUpdated or UpsertUnchanged
}

// UpsertOrganizations applies a batch of customers from the billing system all or nothing, as
// UpsertInvoices applies invoices: every item checked first, every bad one named by its index;
// sent twice, the second time changes nothing. Errors: *BatchError, EInvalid.
func (s *Service) UpsertOrganizations(ctx context.Context, items []OrganizationUpsert) ([]OrganizationUpsertResult, error) {
	if len(items) == 0 {
		return nil, Invalid("organizations", "is empty")
	}
	if len(items) > MaxInvoiceBatch {
		return nil, Invalid("organizations", "holds %d organizations; at most %d are allowed in one batch", len(items), MaxInvoiceBatch)
	}
	var results []OrganizationUpsertResult
	err := s.write(ctx, func(tx Tx, c *changes) error {
		planned, refused, err := planOrganizationUpserts(ctx, tx, items, batchItemName("organizations"))
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			bad := make([]*Error, len(refused))
			for n, r := range refused {
				bad[n] = itemErrorOf("organizations", r.Index, r.Err)
			}
			return &BatchError{Items: bad}
		}
		results, err = applyOrganizationUpserts(ctx, tx, c, planned)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// plannedOrganization is what one checked item does: create Organization (Before nil), correct
// Before to Organization, or nothing (equal).
type plannedOrganization struct {
	Organization, Before *Organization
}

// planOrganizationUpserts checks items against the books as tx sees them, without writing; name
// says which item another one is when two claim the same external id.
func planOrganizationUpserts(ctx context.Context, tx Tx, items []OrganizationUpsert, name func(int) string) ([]plannedOrganization, []ItemRefusal, error) {
	exts := make([]string, 0, len(items))
	for _, it := range items {
		if it.ExternalID != "" {
			exts = append(exts, it.ExternalID)
		}
	}
	existing, err := tx.OrganizationsByExternalIDs(ctx, exts)
	if err != nil {
		return nil, nil, err
	}
	claimed := map[string]int{}
	planned := make([]plannedOrganization, len(items))
	var refused []ItemRefusal
	for i, it := range items {
		o, before, err := planOrganization(it, existing, claimed, i, name)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				return nil, nil, err
			}
			refused = append(refused, ItemRefusal{Index: i, Err: e})
			continue
		}
		planned[i] = plannedOrganization{Organization: o, Before: before}
	}
	return planned, refused, nil
}

// planOrganization checks one item: the organization it makes and, for one finapp has, that
// organization as it was.
func planOrganization(it OrganizationUpsert, existing map[string]*Organization, claimed map[string]int, i int, name func(int) string) (o, before *Organization, err error) {
	ext, err := checkExternalID("external_id", it.ExternalID)
	if err != nil {
		return nil, nil, err
	}
	if ext == "" {
		return nil, nil, Invalid("external_id", "is required: it is what finds the organization when it is sent again")
	}
	if j, dup := claimed[ext]; dup {
		return nil, nil, Invalid("external_id", "is also %s's", name(j))
	}
	claimed[ext] = i
	before = existing[ext]
	if before == nil {
		o, err = OrganizationCreate{Name: it.Name, BillingCurrency: it.BillingCurrency, ExternalID: ext, Metadata: it.Metadata}.Validate()
		return o, nil, err
	}
	in := OrganizationCreate{Name: before.Name, BillingCurrency: string(before.BillingCurrency), ExternalID: ext, Metadata: before.Metadata}
	if it.Name != "" {
		in.Name = it.Name
	}
	if it.BillingCurrency != "" {
		in.BillingCurrency = it.BillingCurrency
	}
	if it.Metadata != nil {
		in.Metadata = it.Metadata
	}
	if o, err = in.Validate(); err != nil {
		return nil, nil, err
	}
	o.ID, o.CreatedAt, o.Version, o.Status = before.ID, before.CreatedAt, before.Version, before.Status
	return o, before, nil
}

// applyOrganizationUpserts writes what planOrganizationUpserts planned, each change audited.
func applyOrganizationUpserts(ctx context.Context, tx Tx, c *changes, planned []plannedOrganization) ([]OrganizationUpsertResult, error) {
	results := make([]OrganizationUpsertResult, len(planned))
	for i, pl := range planned {
		o, before := pl.Organization, pl.Before
		switch {
		case before == nil:
			o.ID, o.CreatedAt, o.Version = NewID(PrefixOrganization), c.now, 1
			c.record("organization.created", "organization", o.ID, nil, o)
			if err := tx.CreateOrganization(ctx, o); err != nil {
				return nil, batchItemError("organizations", i, err)
			}
			results[i] = OrganizationUpsertResult{Organization: o, Outcome: UpsertCreated}
		case o.Name != before.Name || o.BillingCurrency != before.BillingCurrency || !maps.Equal(o.Metadata, before.Metadata):
			o.Version++
			c.record("organization.updated", "organization", o.ID, before, o)
			if err := tx.UpdateOrganization(ctx, o); err != nil {
				return nil, batchItemError("organizations", i, err)
			}
			results[i] = OrganizationUpsertResult{Organization: o, Outcome: UpsertUpdated}
		default:
			results[i] = OrganizationUpsertResult{Organization: before, Outcome: UpsertUnchanged}
		}
	}
	return results, nil
}

// batchItemError names the item i of list at fault when the store refuses it.
func batchItemError(list string, i int, err error) error {
	var e *Error
	if errors.As(err, &e) {
		return &BatchError{Items: []*Error{itemErrorOf(list, i, e)}}
	}
	return err
}
