package finapp

import (
	"context"
	"errors"
	"sync"
	"time"
)

// Service carries out finapp's use cases: each loads state through one Store transaction, applies
// the rules of this package to it, and saves the result with its journal entries, audit events and
// outbox events in that same transaction.
type Service struct {
	Store Store
	// Now is the clock; tests may replace it.
	Now func() time.Time
	// WebhookTargets is the operator's rule for webhook URLs; nil refuses every endpoint.
	WebhookTargets WebhookTargetChecker

	zones sync.Map // workspace → cachedZone (settings.go)
}

// NewService returns a Service over store with the wall clock.
func NewService(store Store) *Service {
	return &Service{Store: store, Now: func() time.Time { return time.Now().UTC() }}
}

// write runs fn as a write use case of the context's actor, with a fresh change set that is saved
// before commit. It refuses callers that may not write.
func (s *Service) write(ctx context.Context, fn func(Tx, *changes) error) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	if !a.CanWrite() {
		return Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	claim := idempotencyClaimFrom(ctx)
	if claim != nil && (claim.Claimed || claim.ClaimedBefore) {
		claim = nil // a request claims its key once, with its first change
	}
	var claimed bool
	err = s.Store.Update(ctx, a.WorkspaceID, func(tx Tx) error {
		claimed = false // the store may run fn more than once (retryable conflicts)
		c := newChanges(s.Now().UTC(), a)
		if err := fn(tx, c); err != nil {
			return err
		}
		if err := c.save(ctx, tx); err != nil {
			return err
		}
		if claim == nil {
			return nil
		}
		// Claimed last, when the change is known to be good: a refusal leaves no claim for the
		// HTTP layer to store it with. A concurrent request with the same key waits here
		// (PostgreSQL's unique index) or runs after this batch (SQLite), and then finds it.
		before, err := tx.ClaimIdempotencyKey(ctx, claim.Key, claim.RequestHash, c.firstEntity())
		if err != nil {
			return err
		}
		if before {
			claim.ClaimedBefore = true
			return errClaimedBefore
		}
		claimed = true
		return nil
	})
	if err == nil && claim != nil {
		claim.Claimed = claimed
	}
	return err
}

// read runs fn in a read-only transaction of the context's workspace.
func (s *Service) read(ctx context.Context, fn func(Tx) error) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	return s.Store.View(ctx, a.WorkspaceID, fn)
}

func (s *Service) actor(ctx context.Context) (Actor, error) {
	a, ok := ActorFrom(ctx)
	if !ok || a.WorkspaceID == "" {
		return Actor{}, Errorf(EUnauthorized, "no authenticated caller")
	}
	return a, nil
}

// CreateOrganization adds a customer. Errors: EInvalid.
func (s *Service) CreateOrganization(ctx context.Context, in OrganizationCreate) (*Organization, error) {
	org, err := in.Validate()
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func(tx Tx, c *changes) error {
		org.ID, org.CreatedAt, org.Version = NewID(PrefixOrganization), c.now, 1
		c.record("organization.created", "organization", org.ID, nil, org)
		return tx.CreateOrganization(ctx, org)
	})
	return org, err
}

// CreateInvoice issues an invoice and posts it to the ledger (SPEC §2: receivable against
// revenue, deferred revenue or top-up clearing by kind). Errors: EInvalid, EDuplicate.
func (s *Service) CreateInvoice(ctx context.Context, in InvoiceCreate) (*Invoice, error) {
	var inv *Invoice
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		if in.OrganizationID == "" {
			return Invalid("organization_id", "is required")
		}
		org, err := tx.Organization(ctx, in.OrganizationID)
		if err != nil {
			return asField(err, "organization_id")
		}
		if inv, err = in.validate(org, today); err != nil {
			return err
		}
		if lock, err := lockDateOf(ctx, tx); err != nil {
			return err
		} else if err := lock.refuseInvoice(nil, inv); err != nil {
			return err
		}
		inv.OrganizationName = org.Name
		return issueInvoice(ctx, tx, c, inv)
	})
	return inv, err
}

// issueInvoice saves a new invoice with its journal entry, audit event and invoice.created.
func issueInvoice(ctx context.Context, tx Tx, c *changes, inv *Invoice) error {
	if inv.ID == "" { // else chosen ahead (an automatic top-up's claims its day with it)
		inv.ID = NewID(PrefixInvoice)
	}
	inv.CreatedAt, inv.Version = c.now, 1
	if err := tx.CreateInvoice(ctx, inv); err != nil {
		return err
	}
	announceIssued(c, inv)
	return nil
}

// announceIssued posts, records and announces the issue of inv, which the store has just saved.
func announceIssued(c *changes, inv *Invoice) {
	c.post("invoice.issued", inv.ID, func(j *posting) {
		j.transfer(ReceivableAccount(inv.OrganizationID), issueAccount(inv.Kind), inv.Currency, inv.Total)
	})
	snap := snapshot(inv) // the audit event and the outbox event carry the same one
	c.recordSnapshots("invoice.issued", "invoice", inv.ID, "", snap)
	c.eventSnapshot(EventInvoiceCreated, inv.ID, snap)
}

// issueAccount is the account an invoice's kind credits when it is issued.
func issueAccount(kind string) string {
	switch kind {
	case KindProforma:
		return AccountDeferredRevenue
	case KindTopUp:
		return AccountTopUpClearing
	}
	return AccountRevenue
}

// VoidInvoice cancels an invoice that has no money on it and reverses its issue entry.
// Errors: ENotFound, EInvoiceHasPayments, EConflict (already void), EVersionConflict.
func (s *Service) VoidInvoice(ctx context.Context, id string, ifMatch int) (*Invoice, error) {
	var inv *Invoice
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if inv, err = tx.Invoice(ctx, id); err != nil {
			return err
		}
		if err := checkVoid(inv, ifMatch); err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "a void"); err != nil {
			return err
		}
		before := *inv
		at := c.now
		inv.Status, inv.VoidedAt = InvoiceVoid, &at
		inv.Version++
		c.touch(inv)
		c.post("invoice.voided", inv.ID, func(j *posting) {
			j.transfer(issueAccount(inv.Kind), ReceivableAccount(inv.OrganizationID), inv.Currency, inv.Total)
		})
		c.record("invoice.voided", "invoice", inv.ID, &before, inv)
		c.event(EventInvoiceVoided, inv.ID, inv)
		return nil
	})
	return inv, err
}

// UpdateInvoice corrects an invoice (the rules are InvoiceUpdate.apply's). A new total or kind
// is posted as an adjusting entry that reverses the issue and issues it again, so that the
// journal keeps what was first posted. Errors: EInvalid, EVersionConflict, EInvoiceVoid,
// EInvoiceHasPayments, EDuplicate, ENotFound.
func (s *Service) UpdateInvoice(ctx context.Context, id string, ifMatch int, u InvoiceUpdate) (*Invoice, error) {
	var inv *Invoice
	err := s.write(ctx, func(tx Tx, c *changes) error {
		before, err := tx.Invoice(ctx, id)
		if err != nil {
			return err
		}
		if inv, err = u.apply(before, ifMatch); err != nil {
			return err
		}
		if lock, err := lockDateOf(ctx, tx); err != nil {
			return err
		} else if err := lock.refuseInvoice(before, inv); err != nil {
			return err
		}
		return correctInvoice(ctx, tx, c, before, inv)
	})
	return inv, err
}

// correctInvoice saves a corrected invoice: a new total or kind is posted as an adjusting entry
// (the issue reversed, then issued again as it now is), with its audit event and invoice.updated.
func correctInvoice(ctx context.Context, tx Tx, c *changes, before, inv *Invoice) error {
	if err := tx.UpdateInvoice(ctx, inv); err != nil {
		return err
	}
	if inv.Total != before.Total || inv.Kind != before.Kind {
		c.post("invoice.adjusted", inv.ID, func(j *posting) {
			j.transfer(issueAccount(before.Kind), ReceivableAccount(before.OrganizationID), before.Currency, before.Total)
			j.transfer(ReceivableAccount(inv.OrganizationID), issueAccount(inv.Kind), inv.Currency, inv.Total)
		})
	}
	c.record("invoice.updated", "invoice", inv.ID, before, inv)
	c.event(EventInvoiceUpdated, inv.ID, inv)
	return nil
}

// asField names field on a not-found error of a referenced entity, turning it into a 422: the
// request named something that does not exist.
func asField(err error, field string) error {
	var e *Error
	if errors.As(err, &e) && e.Code == ENotFound {
		return &Error{Code: EInvalid, Field: field, Message: e.Message}
	}
	return err
}
