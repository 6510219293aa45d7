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
		planned, refused, err := planInvoiceUpserts(ctx, tx, items, today, orgCache{}, batchItemName("invoices"), false)
		if err != nil {
			return err
		}
		if len(refused) > 0 {
			bad := make([]*Error, len(refused))
			for n, r := range refused {
				bad[n] = itemError(r.Index, r.Err)
			}
			return &BatchError{Items: bad}
		}
		results, err = applyInvoiceUpserts(ctx, tx, c, planned)
		return err
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// ItemRefusal is why one item of a batch or line of a file is refused: Index is its place in the
// items checked together.
type ItemRefusal struct {
	Index int
	Err   *Error
}

// plannedUpsert is what one checked item does: issue Invoice (Before nil), correct Before to
// Invoice, or nothing (Invoice equals Before).
type plannedUpsert struct {
	Invoice, Before *Invoice
}

// orgCache remembers the organizations items named ("organization_id\x00org_…" or
// "organization_external_id\x00…"), so that the chunks of a file look each up once.
type orgCache map[string]*Organization

// planInvoiceUpserts checks items against the books as tx sees them, without writing, and
// returns what each does, or why each bad one is refused. It reads what the items name a
// statement per thousand items, not a few per item: a file of a million invoices goes through it.
// name says which item another one is ("invoices[3]", "line 57") when two claim the same key.
//
// assumeNew plans every item as a new invoice with a free number without reading either, for
// items an earlier look found new: the store's unique indexes then refuse the write (EConflict)
// if another writer took an external id or number since, and the caller plans again in full.
func planInvoiceUpserts(ctx context.Context, tx Tx, items []InvoiceUpsert, today string, orgs orgCache, name func(int) string, assumeNew bool) ([]plannedUpsert, []ItemRefusal, error) {
	p := batchPlan{tx: tx, today: today, orgs: orgs, name: name, externalIDs: map[string]int{}, numbers: map[string]int{}, assumeNew: assumeNew}
	if err := p.prefetch(ctx, items); err != nil {
		return nil, nil, err
	}
	var err error
	if p.lock, err = lockDateOf(ctx, tx); err != nil {
		return nil, nil, err
	}
	planned := make([]plannedUpsert, len(items))
	var refused []ItemRefusal
	for i, item := range items {
		inv, before, err := p.item(ctx, i, item)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) {
				return nil, nil, err
			}
			refused = append(refused, ItemRefusal{Index: i, Err: e})
			continue
		}
		planned[i] = plannedUpsert{Invoice: inv, Before: before}
	}
	return planned, refused, nil
}

// applyInvoiceUpserts writes what planInvoiceUpserts planned in tx: the new invoices in as few
// statements as the store can, each posted, recorded and announced as CreateInvoice does; the
// corrections as UpdateInvoice does. A correction refused by the store (a number taken since it
// was planned) is a *BatchError naming the item.
func applyInvoiceUpserts(ctx context.Context, tx Tx, c *changes, planned []plannedUpsert) ([]UpsertResult, error) {
	results := make([]UpsertResult, len(planned))
	var issued []*Invoice
	for i, pl := range planned {
		if pl.Before == nil {
			pl.Invoice.ID, pl.Invoice.CreatedAt, pl.Invoice.Version = NewID(PrefixInvoice), c.now, 1
			issued = append(issued, pl.Invoice)
		}
		results[i] = UpsertResult{Invoice: pl.Invoice}
	}
	// What the new invoices post, record and announce is made on another core while the store
	// writes them: for a chunk of an import it is a good share of the work. Both only read them.
	issues := make([]*changes, len(issued)) // in issued's order, which is planned's
	made := make(chan struct{})
	go func() {
		defer close(made)
		for k, inv := range issued {
			issues[k] = &changes{now: c.now, actor: c.actor, source: c.source}
			announceIssued(issues[k], inv)
		}
	}()
	err := tx.CreateInvoices(ctx, issued)
	<-made
	if err != nil {
		return nil, err
	}
	for i, pl := range planned {
		switch {
		case pl.Before == nil:
			results[i].Outcome = UpsertCreated
			c.add(issues[0])
			issues = issues[1:]
		case invoiceChanged(pl.Before, pl.Invoice):
			results[i].Outcome = UpsertUpdated
			if err := correctInvoice(ctx, tx, c, pl.Before, pl.Invoice); err != nil {
				return nil, batchItemError("invoices", i, err)
			}
		default:
			results[i] = UpsertResult{Invoice: pl.Before, Outcome: UpsertUnchanged}
		}
	}
	return results, nil
}

// batchPlan remembers what the items before have claimed, so that two items of one batch
// cannot take the same external id or number, and what the books hold under the names the
// items use.
type batchPlan struct {
	tx          Tx
	today       string
	name        func(int) string    // names an item for a person
	lock        lockDate            // the lock date, read in the plan's transaction
	externalIDs map[string]int      // external id → the item that claims it
	numbers     map[string]int      // invoice number → the item that takes it
	existing    map[string]*Invoice // external id → the invoice that has it, for every item's
	taken       map[string]string   // invoice number → the invoice that has it, for every number asked
	orgs        orgCache
	assumeNew   bool // no invoice has the items' external ids or numbers (planInvoiceUpserts)
}

// prefetch reads, a statement per thousand items, the invoices with the items' external ids,
// which of the items' numbers are taken, and the organizations they name.
func (p *batchPlan) prefetch(ctx context.Context, items []InvoiceUpsert) error {
	exts := make([]string, 0, len(items))
	numbers := make([]string, 0, len(items))
	var orgIDs, orgExts []string
	for _, it := range items {
		if it.ExternalID != "" {
			exts = append(exts, it.ExternalID)
		}
		if n := strings.TrimSpace(it.Number); n != "" {
			numbers = append(numbers, n)
		}
		switch {
		case it.OrganizationID != "":
			if _, ok := p.orgs["organization_id\x00"+it.OrganizationID]; !ok {
				orgIDs = append(orgIDs, it.OrganizationID)
			}
		case it.OrganizationExternalID != "":
			if _, ok := p.orgs["organization_external_id\x00"+it.OrganizationExternalID]; !ok {
				orgExts = append(orgExts, it.OrganizationExternalID)
			}
		}
	}
	var err error
	if p.assumeNew {
		p.existing, p.taken = map[string]*Invoice{}, map[string]string{}
	} else if p.existing, err = p.tx.InvoicesByExternalIDs(ctx, exts); err != nil {
		return err
	} else if p.taken, err = p.tx.InvoiceIDsByNumber(ctx, numbers); err != nil {
		return err
	}
	for _, n := range numbers {
		if _, ok := p.taken[n]; !ok {
			p.taken[n] = "" // asked: free
		}
	}
	byID, err := p.tx.OrganizationsByID(ctx, orgIDs)
	if err != nil {
		return err
	}
	for _, id := range orgIDs {
		p.orgs["organization_id\x00"+id] = byID[id] // nil: no such organization
	}
	byExt, err := p.tx.OrganizationsByExternalIDs(ctx, orgExts)
	if err != nil {
		return err
	}
	for _, id := range orgExts {
		p.orgs["organization_external_id\x00"+id] = byExt[id]
	}
	return nil
}

// item checks one item and returns the invoice it makes (and, for an invoice finapp has, the
// invoice as it was).
func (p *batchPlan) item(ctx context.Context, i int, item InvoiceUpsert) (inv, before *Invoice, err error) {
	ext, err := checkExternalID("external_id", item.ExternalID)
	if err != nil {
		return nil, nil, err
	}
	if ext == "" {
		return nil, nil, Invalid("external_id", "is required: it is what finds the invoice when the batch is sent again")
	}
	if j, dup := p.externalIDs[ext]; dup {
		return nil, nil, Invalid("external_id", "is also %s's", p.name(j))
	}
	p.externalIDs[ext] = i
	org, err := p.organization(item)
	if err != nil {
		return nil, nil, err
	}
	before = p.existing[ext]
	if before == nil {
		if org == nil {
			return nil, nil, Invalid("organization_id", "is required for a new invoice (or organization_external_id)")
		}
		inv, err = InvoiceCreate{Number: item.Number, OrganizationID: org.ID, Kind: item.Kind, Currency: item.Currency, Total: item.Total,
			IssuedOn: item.IssuedOn, DueOn: item.DueOn, ExternalID: ext, Metadata: item.Metadata}.validate(org, p.today)
		if err != nil {
			return nil, nil, err
		}
		inv.OrganizationName = org.Name
	} else {
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
	if err := p.lock.refuseInvoice(before, inv); err != nil {
		return nil, nil, err
	}
	if before == nil || inv.Number != before.Number {
		if j, dup := p.numbers[inv.Number]; dup {
			return nil, nil, &Error{Code: EDuplicate, Field: "number", Message: fmt.Sprintf("invoice number %s is also %s's", inv.Number, p.name(j))}
		}
		holder, asked := p.taken[inv.Number]
		if !asked && !p.assumeNew { // the number as validated is not as written: ask for it alone
			found, err := p.tx.InvoiceIDsByNumber(ctx, []string{inv.Number})
			if err != nil {
				return nil, nil, err
			}
			holder = found[inv.Number]
		}
		if holder != "" && (before == nil || holder != before.ID) {
			return nil, nil, &Error{Code: EDuplicate, Field: "number", Message: "invoice number " + inv.Number + " is already taken"}
		}
	}
	p.numbers[inv.Number] = i
	return inv, before, nil
}

// organization resolves the item's customer from what prefetch read, nil when it names none.
func (p *batchPlan) organization(item InvoiceUpsert) (*Organization, error) {
	key, field := item.OrganizationID, "organization_id"
	what := "organization"
	if key == "" {
		key, field, what = item.OrganizationExternalID, "organization_external_id", "organization with external id"
	}
	if key == "" {
		return nil, nil
	}
	org := p.orgs[field+"\x00"+key]
	if org == nil {
		return nil, Invalid(field, "%s %s not found", what, key)
	}
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

// batchItemName names the items of a batch's list by index: "invoices[3]".
func batchItemName(list string) func(int) string {
	return func(i int) string { return fmt.Sprintf("%s[%d]", list, i) }
}

// itemError names an invoice item's error by its index in the batch.
func itemError(i int, e *Error) *Error { return itemErrorOf("invoices", i, e) }

// itemErrorOf names an item's error by the batch's list and its index in it.
func itemErrorOf(list string, i int, e *Error) *Error {
	field := fmt.Sprintf("%s[%d]", list, i)
	if e.Field != "" {
		field += "." + e.Field
	}
	return &Error{Code: e.Code, Field: field, Message: e.Message}
}
