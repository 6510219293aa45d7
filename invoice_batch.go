package finapp

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
)

// MaxInvoiceBatch is the most invoices one batch may hold: enough for a billing run's page, few
// enough that one transaction holds them without keeping other writers waiting long.
const MaxInvoiceBatch = 1000

// InvoiceUpsert is one invoice of a batch from the billing system, found by its external id:
// corrected to these values when finapp has it (an empty value leaves the field as it is),
// issued when it does not. The customer is named by its id or by its external id.
type InvoiceUpsert struct {
	ExternalID             string
	OrganizationID         string
	OrganizationExternalID string
	Number                 string
	Kind                   string
	Currency               string
	Total                  string
	IssuedOn               string
	DueOn                  string
	Metadata               Metadata
}

// Upsert outcomes.
const (
	UpsertCreated   = "created"
	UpsertUpdated   = "updated"
	UpsertUnchanged = "unchanged"
)

// UpsertResult is what became of one item of a batch.
type UpsertResult struct {
	Invoice *Invoice
	Outcome string // UpsertCreated, UpsertUpdated or UpsertUnchanged
}

// BatchError refuses a whole batch: every refused item, its fields named by index
// ("invoices[3].total"). Nothing of the batch was written.
type BatchError struct {
	Items []*Error
}

func (e *BatchError) Error() string {
	msgs := make([]string, 0, len(e.Items))
	for _, it := range e.Items {
		msgs = append(msgs, it.Error())
	}
	return fmt.Sprintf("%d of the batch's items were refused: %s", len(e.Items), strings.Join(msgs, "; "))
}

// UpsertInvoices applies a batch from the billing system all or nothing (SPEC §6.1): every item
// is checked first, and one bad item refuses the batch with every bad item named; a batch sent
// twice changes nothing the second time (its items are unchanged). Errors: *BatchError, EInvalid.
func (s *Service) UpsertInvoices(ctx context.Context, items []InvoiceUpsert) ([]UpsertResult, error) {
	if len(items) == 0 {
		return nil, Invalid("invoices", "is empty")
	}
	if len(items) > MaxInvoiceBatch {
		return nil, Invalid("invoices", "holds %d invoices; at most %d are allowed in one batch", len(items), MaxInvoiceBatch)
	}
	var results []UpsertResult
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		results = make([]UpsertResult, len(items))
		befores := make([]*Invoice, len(items))
		plan := batchPlan{externalIDs: map[string]int{}, numbers: map[string]int{}, orgs: map[string]*Organization{}}
		var bad []*Error
		for i, item := range items {
			inv, before, err := plan.item(ctx, tx, i, item, today)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) {
					return err
				}
				bad = append(bad, itemError(i, e))
				continue
			}
			results[i], befores[i] = UpsertResult{Invoice: inv}, before
		}
		if len(bad) > 0 {
			return &BatchError{Items: bad}
		}
		for i, r := range results {
			var err error
			switch before := befores[i]; {
			case before == nil:
				results[i].Outcome = UpsertCreated
				err = issueInvoice(ctx, tx, c, r.Invoice)
			case invoiceChanged(before, r.Invoice):
				results[i].Outcome = UpsertUpdated
				err = correctInvoice(ctx, tx, c, before, r.Invoice)
			default:
				results[i] = UpsertResult{Invoice: before, Outcome: UpsertUnchanged}
			}
			if err != nil {
				var e *Error
				if errors.As(err, &e) {
					return &BatchError{Items: []*Error{itemError(i, e)}}
				}
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// batchPlan remembers what the items before have claimed, so that two items of one batch
// cannot take the same external id or number.
type batchPlan struct {
	externalIDs map[string]int
	numbers     map[string]int
	orgs        map[string]*Organization
}

// item checks one item and returns the invoice it makes (and, for an invoice finapp has, the
// invoice as it was).
func (p *batchPlan) item(ctx context.Context, tx Tx, i int, item InvoiceUpsert, today string) (inv, before *Invoice, err error) {
	ext, err := checkExternalID("external_id", item.ExternalID)
	if err != nil {
		return nil, nil, err
	}
	if ext == "" {
		return nil, nil, Invalid("external_id", "is required: it is what finds the invoice when the batch is sent again")
	}
	if j, dup := p.externalIDs[ext]; dup {
		return nil, nil, Invalid("external_id", "is also invoices[%d]'s", j)
	}
	p.externalIDs[ext] = i
	org, err := p.organization(ctx, tx, item)
	if err != nil {
		return nil, nil, err
	}
	before, err = tx.InvoiceByExternalID(ctx, ext)
	switch {
	case ErrorCode(err) == ENotFound:
		before = nil
		if org == nil {
			return nil, nil, Invalid("organization_id", "is required for a new invoice (or organization_external_id)")
		}
		inv, err = InvoiceCreate{Number: item.Number, OrganizationID: org.ID, Kind: item.Kind, Currency: item.Currency, Total: item.Total,
			IssuedOn: item.IssuedOn, DueOn: item.DueOn, ExternalID: ext, Metadata: item.Metadata}.validate(org, today)
		if err != nil {
			return nil, nil, err
		}
		inv.OrganizationName = org.Name
	case err != nil:
		return nil, nil, err
	default:
		if org != nil && org.ID != before.OrganizationID {
			return nil, nil, Errorf(EConflict, "invoice %s is %s's; an invoice does not move to another organization", before.Number, before.OrganizationID)
		}
		if item.Currency != "" && item.Currency != string(before.Currency) {
			return nil, nil, Invalid("currency", "is %s; an invoice's currency does not change", before.Currency)
		}
		u := InvoiceUpdate{Number: given(item.Number), Kind: given(item.Kind), Total: given(item.Total), IssuedOn: given(item.IssuedOn),
			DueOn: given(item.DueOn)}
		if item.Metadata != nil {
			u.Metadata = &item.Metadata
		}
		if inv, err = u.apply(before, 0); err != nil {
			return nil, nil, err
		}
	}
	if before == nil || inv.Number != before.Number {
		if j, dup := p.numbers[inv.Number]; dup {
			return nil, nil, &Error{Code: EDuplicate, Field: "number", Message: fmt.Sprintf("invoice number %s is also invoices[%d]'s", inv.Number, j)}
		}
		if other, err := tx.InvoiceByNumber(ctx, inv.Number); err == nil && (before == nil || other.ID != before.ID) {
			return nil, nil, &Error{Code: EDuplicate, Field: "number", Message: "invoice number " + inv.Number + " is already taken"}
		} else if err != nil && ErrorCode(err) != ENotFound {
			return nil, nil, err
		}
	}
	p.numbers[inv.Number] = i
	return inv, before, nil
}

// organization resolves the item's customer, nil when it names none.
func (p *batchPlan) organization(ctx context.Context, tx Tx, item InvoiceUpsert) (*Organization, error) {
	key, field := item.OrganizationID, "organization_id"
	if key == "" {
		key, field = item.OrganizationExternalID, "organization_external_id"
	}
	if key == "" {
		return nil, nil
	}
	if org, ok := p.orgs[field+"\\x00"+key]; ok {
		return org, nil
	}
	var org *Organization
	var err error
	if field == "organization_id" {
		org, err = tx.Organization(ctx, key)
	} else {
		org, err = tx.OrganizationByExternalID(ctx, key)
	}
	if err != nil {
		return nil, asField(err, field)
	}
	p.orgs[field+"\\x00"+key] = org
	return org, nil
}

// invoiceChanged reports whether a correction changes anything the billing system sends.
func invoiceChanged(a, b *Invoice) bool {
	return a.Number != b.Number || a.Kind != b.Kind || a.Total != b.Total || a.IssuedOn != b.IssuedOn || a.DueOn != b.DueOn ||
		a.ExternalID != b.ExternalID || !maps.Equal(a.Metadata, b.Metadata)
}

func given(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// itemError names an item's error by its index in the batch.
func itemError(i int, e *Error) *Error {
	field := fmt.Sprintf("invoices[%d]", i)
	if e.Field != "" {
		field += "." + e.Field
	}
	return &Error{Code: e.Code, Field: field, Message: e.Message}
}
