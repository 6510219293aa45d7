package finapp

import (
	"context"
	"fmt"

	"finapp/money"
)

// Credit note use cases (SPEC §6.2); the rules are in creditnote.go.

// IssueCreditNote issues a credit note to an organization and posts it: revenue →
// credit_note:<org>. Errors: EInvalid, ENotFound (naming organization_id or invoice_id),
// EOrganizationMismatch, ECurrencyMismatch, EInvoiceVoid, ECreditAboveInvoice, EDuplicate,
// EPeriodClosed.
func (s *Service) IssueCreditNote(ctx context.Context, in CreditNoteCreate) (*CreditNote, error) {
	if in.OrganizationID == "" {
		return nil, Invalid("organization_id", "is required")
	}
	var n *CreditNote
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		org, err := tx.Organization(ctx, in.OrganizationID)
		if err != nil {
			return asField(err, "organization_id")
		}
		var inv *Invoice
		var cited money.Amount
		if in.InvoiceID != "" {
			if inv, err = tx.Invoice(ctx, in.InvoiceID); err != nil {
				return asField(err, "invoice_id")
			}
			if cited, err = tx.CitedCredit(ctx, inv.ID); err != nil {
				return err
			}
		}
		if n, err = in.validate(org, inv, cited, today); err != nil {
			return err
		}
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		if err := lock.refuse("issued_on", n.IssuedOn, "a credit note issued on "+n.IssuedOn); err != nil {
			return err
		}
		if n.Number == "" {
			for {
				seq, err := tx.NextCreditNoteSeq(ctx)
				if err != nil {
					return err
				}
				n.Number = creditNoteNumber(seq)
				if taken, err := tx.CreditNoteNumberTaken(ctx, n.Number); err != nil || !taken {
					if err != nil {
						return err
					}
					break
				}
			}
		}
		n.ID, n.CreatedBy, n.CreatedAt, n.Version = NewID(PrefixCreditNote), c.actor, c.now, 1
		c.post("credit_note.issued", n.ID, func(j *posting) {
			j.transfer(AccountRevenue, CreditNoteAccount(n.OrganizationID), n.Currency, n.Amount)
		})
		c.record("credit_note.issued", "credit_note", n.ID, nil, creditNoteSnapshot(n))
		c.event(EventCreditNoteIssued, n.ID, creditNoteSnapshot(n))
		return tx.CreateCreditNote(ctx, n)
	})
	return n, err
}

// loadCreditNote loads credit note id for a change, checking the version the caller read.
func loadCreditNote(ctx context.Context, tx Tx, id string, ifMatch int) (*CreditNote, error) {
	n, err := tx.CreditNote(ctx, id)
	if err != nil {
		return nil, err
	}
	if ifMatch != 0 && ifMatch != n.Version {
		return nil, Errorf(EVersionConflict, "credit note %s is at version %d, not %d", n.Number, n.Version, ifMatch)
	}
	return n, nil
}

// saveCreditNote records credit note n's change (before is its snapshot as loaded) and saves it.
func saveCreditNote(ctx context.Context, tx Tx, c *changes, n *CreditNote, action string, before map[string]any) error {
	n.Status = n.statusFor()
	n.Version++
	c.record(action, "credit_note", n.ID, before, creditNoteSnapshot(n))
	return tx.UpdateCreditNote(ctx, n)
}

// ApplyCreditNote applies a credit note to its organization's invoices: the explicit lines of
// req, or with req.Auto its open standard invoices in the note's currency, oldest first, until
// either runs out. All or nothing. Errors: ENotFound, EInvalid, EVersionConflict, EConflict
// (void), EOverAllocation, EOrganizationMismatch, ECurrencyMismatch, EInvoiceVoid, EPeriodClosed.
func (s *Service) ApplyCreditNote(ctx context.Context, id string, ifMatch int, req CreditNoteApplyRequest) (*CreditNoteDetail, error) {
	if err := checkApplying(req.Auto, len(req.Lines)); err != nil {
		return nil, err
	}
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		n, err := loadCreditNote(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		if err := n.usable("apply"); err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "applying a credit note"); err != nil {
			return err
		}
		before := creditNoteSnapshot(n)
		type line struct {
			inv *Invoice
			amt money.Amount
		}
		var plan []line
		if req.Auto {
			open, err := tx.OpenInvoices(ctx, n.OrganizationID, string(n.Currency))
			if err != nil {
				return err
			}
			oldestFirst(open)
			left := n.Remaining()
			for _, inv := range open {
				if left == 0 {
					break
				}
				if inv.Kind != KindStandard || inv.AmountDue() <= 0 {
					continue
				}
				amt := money.Min(left, inv.AmountDue())
				plan = append(plan, line{inv, amt})
				left -= amt
			}
		} else {
			invoices := map[string]*Invoice{}
			for i, l := range req.Lines {
				field := fmt.Sprintf("allocations[%d]", i)
				if l.InvoiceID == "" {
					return Invalid(field+".invoice_id", "is required")
				}
				inv := invoices[l.InvoiceID]
				if inv == nil {
					if inv, err = tx.Invoice(ctx, l.InvoiceID); err != nil {
						return asField(err, field+".invoice_id")
					}
					invoices[inv.ID] = inv
				}
				amt, err := money.Parse(l.Amount, n.Currency)
				if err != nil {
					return Invalid(field+".amount", "%v", err)
				}
				if amt <= 0 {
					return Invalid(field+".amount", "must be more than zero")
				}
				plan = append(plan, line{inv, amt})
			}
		}
		for i, l := range plan {
			field := fmt.Sprintf("allocations[%d]", i)
			if err := l.inv.acceptsCreditNote(n, l.amt, field); err != nil {
				return err
			}
			if l.amt > n.Remaining() {
				return &Error{Code: EOverAllocation, Field: field + ".amount", Message: "credit note " + n.Number + " has only " +
					money.Format(n.Remaining(), n.Currency) + " " + string(n.Currency) + " left"}
			}
			a := &CreditNoteApplication{ID: NewID(PrefixCreditNoteApplication), CreditNoteID: n.ID, Kind: ApplicationInvoice, InvoiceID: l.inv.ID,
				Amount: l.amt, Currency: n.Currency, CreatedBy: c.actor, CreatedAt: c.now, InvoiceNumber: l.inv.Number}
			n.Applied += l.amt
			l.inv.AmountCredited += l.amt
			c.post("credit_note.applied", a.ID, func(j *posting) {
				j.transfer(CreditNoteAccount(n.OrganizationID), ReceivableAccount(l.inv.OrganizationID), n.Currency, l.amt)
			})
			c.record("credit_note_application.created", "credit_note_application", a.ID, nil, applicationSnapshot(a))
			c.event(EventCreditNoteApplied, a.ID, applicationSnapshot(a))
			c.settleInvoice(l.inv)
			if err := tx.CreateCreditNoteApplication(ctx, a); err != nil {
				return err
			}
		}
		if len(plan) == 0 {
			return nil // auto found nothing to do
		}
		return saveCreditNote(ctx, tx, c, n, "credit_note.applied", before)
	})
	if err != nil {
		return nil, err
	}
	return s.GetCreditNote(ctx, id)
}

// ReleaseCreditNoteApplication undoes one application of a credit note to an invoice: the
// amount is due on the invoice again and the credit note has it back. Errors: ENotFound,
// EConflict (released already, or not an invoice application), EPeriodClosed.
func (s *Service) ReleaseCreditNoteApplication(ctx context.Context, creditNoteID, applicationID string) (*CreditNoteDetail, error) {
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		n, err := tx.CreditNote(ctx, creditNoteID)
		if err != nil {
			return err
		}
		a, err := tx.CreditNoteApplication(ctx, applicationID)
		if err != nil {
			return err
		}
		switch {
		case a.CreditNoteID != n.ID:
			return Errorf(ENotFound, "credit note %s has no application %s", n.Number, applicationID)
		case a.ReleasedAt != nil:
			return Errorf(EConflict, "application %s was already released", a.ID)
		case a.Kind != ApplicationInvoice:
			return Errorf(EConflict, "application %s is a %s; only an application to an invoice can be released", a.ID, a.Kind)
		}
		if err := refuseTodayIn(ctx, tx, today, "a release"); err != nil {
			return err
		}
		inv, err := tx.Invoice(ctx, a.InvoiceID)
		if err != nil {
			return err
		}
		before := creditNoteSnapshot(n)
		at := c.now
		a.ReleasedAt, a.ReleasedBy = &at, c.actor
		n.Applied -= a.Amount
		inv.AmountCredited -= a.Amount
		c.post("credit_note.application_released", a.ID, func(j *posting) {
			j.transfer(ReceivableAccount(inv.OrganizationID), CreditNoteAccount(n.OrganizationID), a.Currency, a.Amount)
		})
		c.record("credit_note_application.released", "credit_note_application", a.ID, nil, applicationSnapshot(a))
		c.event(EventCreditNoteApplicationReleased, a.ID, applicationSnapshot(a))
		c.settleInvoice(inv)
		if err := tx.UpdateCreditNoteApplication(ctx, a); err != nil {
			return err
		}
		return saveCreditNote(ctx, tx, c, n, "credit_note.application_released", before)
	})
	if err != nil {
		return nil, err
	}
	return s.GetCreditNote(ctx, creditNoteID)
}

// RefundCreditNote pays what remains of a credit note (or part of it) back to the customer:
// credit_note:<org> → cash:<method>. Errors: ENotFound, EInvalid, EVersionConflict, EConflict
// (void), EOverAllocation, EPeriodClosed.
func (s *Service) RefundCreditNote(ctx context.Context, id string, ifMatch int, in CreditNoteRefund) (*CreditNoteDetail, error) {
	return s.useCreditNote(ctx, id, ifMatch, func(n *CreditNote) (*CreditNoteApplication, error) { return n.checkRefund(in) })
}

// CreditNoteToCredit moves what remains of a credit note (or part of it) into the customer's
// prepaid credit: credit_note:<org> → credit:<org>. Errors as RefundCreditNote.
func (s *Service) CreditNoteToCredit(ctx context.Context, id string, ifMatch int, amount, reason string) (*CreditNoteDetail, error) {
	return s.useCreditNote(ctx, id, ifMatch, func(n *CreditNote) (*CreditNoteApplication, error) {
		if err := n.usable("move into credit"); err != nil {
			return nil, err
		}
		amt, err := n.checkAmount("amount", amount)
		if err != nil {
			return nil, err
		}
		a := &CreditNoteApplication{CreditNoteID: n.ID, Kind: ApplicationCredit, Amount: amt, Currency: n.Currency}
		if a.Reason, err = text("reason", reason, 500); err != nil {
			return nil, err
		}
		return a, nil
	})
}

// useCreditNote makes the refund or the move into credit that check returns, after it passed.
func (s *Service) useCreditNote(ctx context.Context, id string, ifMatch int, check func(*CreditNote) (*CreditNoteApplication, error)) (*CreditNoteDetail, error) {
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		n, err := loadCreditNote(ctx, tx, id, ifMatch)
		if err != nil {
			return err
		}
		a, err := check(n)
		if err != nil {
			return err
		}
		to, op, what := CashAccount(a.Method), EventCreditNoteRefunded, "a refund"
		if a.Kind == ApplicationCredit {
			to, op, what = CreditAccount(n.OrganizationID), EventCreditNoteToCredit, "moving a credit note into prepaid credit"
		}
		if err := refuseTodayIn(ctx, tx, today, what); err != nil {
			return err
		}
		before := creditNoteSnapshot(n)
		a.ID, a.CreatedBy, a.CreatedAt = NewID(PrefixCreditNoteApplication), c.actor, c.now
		if a.Kind == ApplicationRefund {
			n.Refunded += a.Amount
		} else {
			n.ToCredit += a.Amount
		}
		// The journal operation, the audit action and the event type are one name.
		c.post(op, a.ID, func(j *posting) { j.transfer(CreditNoteAccount(n.OrganizationID), to, a.Currency, a.Amount) })
		c.record("credit_note_application.created", "credit_note_application", a.ID, nil, applicationSnapshot(a))
		c.event(op, a.ID, applicationSnapshot(a))
		if err := tx.CreateCreditNoteApplication(ctx, a); err != nil {
			return err
		}
		return saveCreditNote(ctx, tx, c, n, op, before)
	})
	if err != nil {
		return nil, err
	}
	return s.GetCreditNote(ctx, id)
}

// VoidCreditNote cancels a credit note nothing of which was used and reverses its issue entry.
// Errors: ENotFound, EVersionConflict, EConflict (void already), ECreditNoteInUse, EPeriodClosed.
func (s *Service) VoidCreditNote(ctx context.Context, id string, ifMatch int) (*CreditNote, error) {
	var n *CreditNote
	today := s.today(ctx)
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if n, err = tx.CreditNote(ctx, id); err != nil {
			return err
		}
		if err := checkCreditNoteVoid(n, ifMatch); err != nil {
			return err
		}
		if err := refuseTodayIn(ctx, tx, today, "voiding a credit note"); err != nil {
			return err
		}
		before := creditNoteSnapshot(n)
		at := c.now
		n.VoidedAt = &at
		c.post("credit_note.voided", n.ID, func(j *posting) {
			j.transfer(CreditNoteAccount(n.OrganizationID), AccountRevenue, n.Currency, n.Amount)
		})
		c.event(EventCreditNoteVoided, n.ID, creditNoteSnapshot(n))
		return saveCreditNote(ctx, tx, c, n, "credit_note.voided", before)
	})
	return n, err
}

// GetCreditNote returns a credit note with the latest DetailHistoryLimit of its applications,
// oldest first. Errors: ENotFound.
func (s *Service) GetCreditNote(ctx context.Context, id string) (*CreditNoteDetail, error) {
	var d CreditNoteDetail
	err := s.read(ctx, func(tx Tx) (err error) {
		if d.CreditNote, err = tx.CreditNote(ctx, id); err != nil {
			return err
		}
		d.Applications, d.ApplicationsMore, err = recentHistory(tx.ListCreditNoteApplications(ctx, CreditNoteApplicationFilter{CreditNoteID: id, Limit: DetailHistoryLimit}))
		return err
	})
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// ListCreditNotes lists credit notes, newest first. Errors: EInvalid.
func (s *Service) ListCreditNotes(ctx context.Context, f CreditNoteFilter) (list []*CreditNote, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixCreditNote); err != nil {
		return nil, "", err
	}
	if f.Status != "" && f.Status != CreditNoteOpen && f.Status != CreditNoteApplied && f.Status != CreditNoteVoid {
		return nil, "", Invalid("status", "must be one of open, applied, void")
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListCreditNotes(ctx, f)
		return err
	})
	return list, next, err
}

// InvoiceCreditNotes lists what credit notes applied to an invoice, released ones too.
func (s *Service) InvoiceCreditNotes(ctx context.Context, invoiceID string) ([]*CreditNoteApplication, error) {
	var list []*CreditNoteApplication
	err := s.read(ctx, func(tx Tx) (err error) { list, err = tx.InvoiceCreditNoteApplications(ctx, invoiceID); return err })
	return list, err
}
