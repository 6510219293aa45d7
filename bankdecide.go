package finapp

import (
	"cmp"
	"context"
	"fmt"
	"sync"

	"finapp/money"
)

// What people decide about a bank line (SPEC §6.4): apply it (a proposal, or a customer and
// allocations of their own), ignore it with a reason, or undo what applying did. Applying
// records the payment (received on the booking date, by bank transfer, with the payer's
// reference) and applies it through the same use cases as a payment typed in (RecordPayment's
// rule, allocate), in one transaction with the line: all of it or none.

// BankLineApply is POST /v1/bank-lines/{id}/apply as received: a proposal, or a customer and
// allocations (none: the money stays unapplied on the customer's payment).
type BankLineApply struct {
	ProposalID     string
	OrganizationID string
	Allocations    []AllocationLine
}

// BankLineProposals returns a line and its proposals, best first. Errors: ENotFound.
func (s *Service) BankLineProposals(ctx context.Context, id string) (l *BankLine, list []BankProposal, err error) {
	err = s.read(ctx, func(tx Tx) error {
		if l, err = tx.BankLine(ctx, id); err != nil {
			return err
		}
		list, err = proposalsOf(ctx, tx, l)
		return err
	})
	return l, list, err
}

// ProposalsOfBankLines returns the proposals of each line given, best first, by line id, with
// the workspace's tolerances and rules (the Reconcile page shows a page of lines), in one read
// transaction: what the books say about the lines is read for all of them at once. A line not
// proposable has none.
func (s *Service) ProposalsOfBankLines(ctx context.Context, lines []*BankLine) (made map[string][]BankProposal, err error) {
	err = s.read(ctx, func(tx Tx) error {
		made, err = proposalsOfLines(ctx, tx, lines)
		return err
	})
	return made, err
}

// OpenInvoicesOf returns a customer's open invoices in a currency, oldest due first: what a
// person may apply a bank line's money to when they edit a proposal by hand. Errors: ENotFound
// (the customer, as organization_id).
func (s *Service) OpenInvoicesOf(ctx context.Context, orgID, currency string) (list []*Invoice, err error) {
	err = s.read(ctx, func(tx Tx) error {
		if _, err := tx.Organization(ctx, orgID); err != nil {
			return asField(err, "organization_id")
		}
		list, err = tx.OpenInvoices(ctx, orgID, currency)
		return err
	})
	oldestFirst(list)
	return list, err
}

// proposalsOf makes a line's proposals with the workspace's tolerances and rules.
func proposalsOf(ctx context.Context, tx Tx, l *BankLine) ([]BankProposal, error) {
	made, err := proposalsOfLines(ctx, tx, []*BankLine{l})
	return made[l.ID], err
}

// proposalsOfLines makes the proposals of each proposable line, by line id, with the workspace's
// tolerances and rules.
func proposalsOfLines(ctx context.Context, tx Tx, lines []*BankLine) (map[string][]BankProposal, error) {
	tol, err := tx.Tolerances(ctx)
	if err != nil {
		return nil, err
	}
	rules, err := loadRules(ctx, tx)
	if err != nil {
		return nil, err
	}
	return proposeBankLines(ctx, tx, lines, tol, rules)
}

// ProposeBankLines marks proposed every unmatched line of a statement that has a proposal (and
// unmatched again one that no longer has), a page of lines at a time, and returns how many
// lines are proposed; a line whose best proposal is a rule's that applies itself (and is exact)
// is applied, and counted in applied. Errors: ENotFound.
//
// A page's proposals are made in a read transaction, which takes no locks, from what the books
// say about all its lines read at once (proposeBankLines: a few queries a page, not a few a
// line), and its statuses written in a short write transaction that re-reads the page's lines
// locked (one statement) and leaves alone one decided meanwhile; a line to be applied by a rule
// is proposed again there, so that what is applied is what the books make at that moment.
// Pages are worked on proposeWorkers at a time: much of a page's time is waiting for the database.
func (s *Service) ProposeBankLines(ctx context.Context, statementID string) (proposed, applied int, err error) {
	if _, err := s.GetBankStatement(ctx, statementID); err != nil {
		return 0, 0, err
	}
	today := s.today(ctx)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type result struct {
		proposed, applied int
		err               error
	}
	pages := make(chan []*BankLine)
	results := make(chan result)
	var workers sync.WaitGroup
	for range proposeWorkers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for lines := range pages {
				p, a, err := s.proposePageSafely(ctx, lines, today)
				results <- result{p, a, err}
			}
		}()
	}
	go func() {
		workers.Wait()
		close(results)
	}()
	listErr := make(chan error, 1)
	go func() {
		defer close(pages)
		cursor := ""
		for {
			var lines []*BankLine
			var next string
			err := s.read(ctx, func(tx Tx) (err error) {
				lines, next, err = tx.ListBankLines(ctx, BankLineFilter{StatementID: statementID, Cursor: cursor, Limit: 500})
				return err
			})
			if err != nil {
				listErr <- err
				return
			}
			select {
			case pages <- lines:
			case <-ctx.Done():
				return
			}
			if next == "" {
				return
			}
			cursor = next
		}
	}()
	for r := range results {
		if r.err != nil && err == nil {
			err = r.err
			cancel() // the other pages stop; what was written stays, as a page at a time always did
		}
		proposed, applied = proposed+r.proposed, applied+r.applied
	}
	select {
	case e := <-listErr:
		if err == nil {
			err = e
		}
	default:
	}
	return proposed, applied, err
}

// proposeWorkers is how many pages of lines are proposed at once.
const proposeWorkers = 4

// proposePageSafely is proposePage with a panic (a bug) turned into the error of the call, as a
// request's recovery would: on a goroutine of its own it would end the process.
func (s *Service) proposePageSafely(ctx context.Context, lines []*BankLine, today string) (proposed, applied int, err error) {
	defer func() {
		if v := recover(); v != nil {
			err = fmt.Errorf("finapp: proposing bank lines panicked: %v", v)
		}
	}()
	return s.proposePage(ctx, lines, today)
}

// proposePage proposes for a page of lines (see ProposeBankLines) and returns how many it marked
// proposed and applied.
func (s *Service) proposePage(ctx context.Context, lines []*BankLine, today string) (proposed, applied int, err error) {
	var made map[string][]BankProposal
	err = s.read(ctx, func(tx Tx) (err error) {
		made, err = proposalsOfLines(ctx, tx, lines)
		return err
	})
	if err != nil || len(made) == 0 {
		return 0, 0, err
	}
	err = s.write(ctx, func(tx Tx, c *changes) error {
		proposed, applied = 0, 0 // the store may run this again
		ids := make([]string, 0, len(made))
		for _, seen := range lines {
			if _, ok := made[seen.ID]; ok {
				ids = append(ids, seen.ID)
			}
		}
		locked, err := tx.BankLinesByID(ctx, ids) // locked: a decision meanwhile is not overwritten
		if err != nil {
			return err
		}
		now := make(map[string]*BankLine, len(locked))
		for _, l := range locked {
			now[l.ID] = l
		}
		set := map[string][]string{} // status → the lines to be given it
		for _, seen := range lines {
			list, ok := made[seen.ID]
			if !ok {
				continue
			}
			l := now[seen.ID]
			if l == nil {
				return Errorf(ENotFound, "bank line %s not found", seen.ID)
			}
			if !l.proposable() {
				continue
			}
			if len(list) > 0 && list[0].AutoApply && list[0].exact() {
				if list, err = proposalsOf(ctx, tx, l); err != nil { // as the books stand now
					return err
				}
				if len(list) > 0 && list[0].AutoApply && list[0].exact() {
					if err := s.applyProposal(ctx, tx, c, l, &list[0], today); err != nil {
						return err
					}
					applied++
					continue
				}
			}
			status := BankLineUnmatched
			if len(list) > 0 {
				status = BankLineProposed
				proposed++
			}
			if status != l.Status {
				set[status] = append(set[status], l.ID)
			}
		}
		// Statuses are written last, a statement for each: neither proposed nor unmatched is
		// anything a proposal of another line reads.
		for _, status := range []string{BankLineProposed, BankLineUnmatched} {
			if len(set[status]) > 0 {
				if err := tx.SetBankLinesStatus(ctx, set[status], status); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return proposed, applied, err
}

// ApplyBankLine applies a line as a proposal or the request says. Errors: ENotFound, EConflict
// (the line is decided already, is not money in, or the proposal is no longer made), EInvalid,
// and every refusal of recording and allocating a payment.
func (s *Service) ApplyBankLine(ctx context.Context, id string, in BankLineApply) (*BankLine, error) {
	if in.ProposalID != "" && (in.OrganizationID != "" || len(in.Allocations) > 0) {
		return nil, Invalid("proposal_id", "name a proposal, or a customer and allocations, not both")
	}
	if in.ProposalID == "" && in.OrganizationID == "" {
		return nil, Invalid("organization_id", "is required when no proposal_id is named")
	}
	today := s.today(ctx)
	var l *BankLine
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if l, err = tx.BankLine(ctx, id); err != nil {
			return err
		}
		if !l.proposable() {
			return Errorf(EConflict, "bank line %s is %s (%s, %s): only booked money in that is not decided yet is applied",
				l.ID, l.Status, map[bool]string{true: "money in", false: "money out"}[l.Credit], l.EntryStatus)
		}
		if l.Reversal && in.ProposalID == "" {
			return Invalid("proposal_id", "a reversal is applied by its proposal: the line it returns")
		}
		req := AllocationRequest{OrganizationID: in.OrganizationID, Lines: in.Allocations}
		if in.ProposalID != "" {
			list, err := proposalsOf(ctx, tx, l)
			if err != nil {
				return err
			}
			i := indexProposal(list, in.ProposalID)
			if i < 0 {
				return &Error{Code: EConflict, Field: "proposal_id", Message: fmt.Sprintf("proposal %s is no longer made for line %s "+
					"(the books changed since): read its proposals again", in.ProposalID, l.ID)}
			}
			return s.applyProposal(ctx, tx, c, l, &list[i], today)
		}
		return s.recordBankLine(ctx, tx, c, l, req, today)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// applyProposal applies a line as a proposal says, counting a hit for the rule that made it.
func (s *Service) applyProposal(ctx context.Context, tx Tx, c *changes, l *BankLine, prop *BankProposal, today string) error {
	if prop.RuleID != "" {
		if err := tx.AddMatchingRuleHit(ctx, prop.RuleID); err != nil {
			return err
		}
	}
	if prop.ReversesLineID != "" {
		return s.reverseBankLine(ctx, tx, c, l, prop.ReversesLineID)
	}
	if prop.PaymentID != "" {
		return s.linkBankLine(ctx, tx, c, l, prop.PaymentID)
	}
	return s.recordBankLine(ctx, tx, c, l, proposalRequest(l, prop), today)
}

func indexProposal(list []BankProposal, id string) int {
	for i := range list {
		if list[i].ID == id {
			return i
		}
	}
	return -1
}

// proposalRequest is the allocation a proposal makes.
func proposalRequest(l *BankLine, p *BankProposal) AllocationRequest {
	req := AllocationRequest{OrganizationID: p.OrganizationID}
	for _, a := range p.Allocations {
		req.Lines = append(req.Lines, AllocationLine{InvoiceID: a.InvoiceID, Amount: money.Format(a.Amount, l.Currency)})
	}
	if w := p.WriteOff; w != nil {
		reason := "short payment within tolerance (bank line " + l.ID + ")"
		if p.RuleID != "" {
			reason = "short payment settled as matching rule " + p.RuleID + " says (bank line " + l.ID + ")"
		}
		req.Lines = append(req.Lines, AllocationLine{InvoiceID: w.InvoiceID, Amount: money.Format(w.Amount, l.Currency),
			Kind: cmp.Or(p.WriteOffKind, AdjustWriteOff), Reason: reason})
	}
	return req
}

// recordBankLine records the line's money as a payment of the customer and applies it as req
// says, in the caller's transaction.
func (s *Service) recordBankLine(ctx context.Context, tx Tx, c *changes, l *BankLine, req AllocationRequest, today string) error {
	org, err := tx.Organization(ctx, req.OrganizationID)
	if err != nil {
		return asField(err, "organization_id")
	}
	in := PaymentCreate{OrganizationID: org.ID, Amount: money.Format(l.Amount, l.Currency), Currency: string(l.Currency),
		Method: "bank_transfer", Reference: l.paymentReference(), ReceivedOn: l.BookingDate}
	p, err := in.validate(today)
	if err != nil {
		return err
	}
	lock, err := lockDateOf(ctx, tx)
	if err != nil {
		return err
	}
	if err := lock.refuse("received_on", p.ReceivedOn, "a payment received on "+p.ReceivedOn); err != nil {
		return err
	}
	c.recordPayment(p, org, c.source)
	if err := tx.CreatePayment(ctx, p); err != nil {
		return err
	}
	if len(req.Lines) > 0 {
		req.OrganizationID = ""
		if err := s.allocate(ctx, tx, c, p, req, today); err != nil {
			return err
		}
	}
	return matchBankLine(ctx, tx, c, l, p.ID, BankMatchRecorded)
}

// linkBankLine links a payment recorded by hand to the line: the money is in the books already.
func (s *Service) linkBankLine(ctx context.Context, tx Tx, c *changes, l *BankLine, paymentID string) error {
	p, err := tx.Payment(ctx, paymentID)
	if err != nil {
		return err
	}
	if p.DeletedAt != nil || p.Amount != l.Amount || p.Currency != l.Currency {
		return Errorf(EConflict, "payment %s is not this line's money any more", p.ID)
	}
	return matchBankLine(ctx, tx, c, l, p.ID, BankMatchLinked)
}

func matchBankLine(ctx context.Context, tx Tx, c *changes, l *BankLine, paymentID, kind string) error {
	before := bankLineSnapshot(l)
	l.Status, l.PaymentID, l.MatchKind, l.IgnoreReason = BankLineMatched, paymentID, kind, ""
	after := bankLineSnapshot(l)
	c.record("bank_line.matched", "bank_line", l.ID, before, after)
	c.event(EventBankLineMatched, l.ID, after)
	return tx.UpdateBankLine(ctx, l)
}

// IgnoreBankLine decides a line is not the books' business (a transfer between own accounts, a
// fee booked elsewhere), for a reason. Errors: ENotFound, EInvalid, EConflict (matched).
func (s *Service) IgnoreBankLine(ctx context.Context, id, reason string) (*BankLine, error) {
	reason, err := text("reason", reason, 500)
	if err != nil {
		return nil, err
	}
	if reason == "" {
		return nil, Invalid("reason", "is required: say why the line is not the books' business")
	}
	var l *BankLine
	err = s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if l, err = tx.BankLine(ctx, id); err != nil {
			return err
		}
		switch l.Status {
		case BankLineMatched:
			return Errorf(EConflict, "bank line %s is matched: undo the match first", l.ID)
		case BankLineSplit:
			return Errorf(EConflict, "bank line %s is a batch whose details are lines of their own: decide about them", l.ID)
		}
		before := bankLineSnapshot(l)
		l.Status, l.IgnoreReason = BankLineIgnored, reason
		c.record("bank_line.ignored", "bank_line", l.ID, before, bankLineSnapshot(l))
		return tx.UpdateBankLine(ctx, l)
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// UndoBankLine undoes what deciding about a line did: a payment applying it recorded is deleted
// (its allocations released, its receipt reversed, as DeletePayment does), a linked payment is
// unlinked and stays, an ignored line is taken up again. Errors: ENotFound, EConflict (nothing
// to undo), EPaymentInUse (the payment's money is locked in).
func (s *Service) UndoBankLine(ctx context.Context, id string) (*BankLine, error) {
	var l *BankLine
	err := s.write(ctx, func(tx Tx, c *changes) error {
		var err error
		if l, err = tx.BankLine(ctx, id); err != nil {
			return err
		}
		if l.Status != BankLineMatched && l.Status != BankLineIgnored {
			return Errorf(EConflict, "bank line %s is %s: nothing was decided to undo", l.ID, l.Status)
		}
		if l.ReversedLineID() != "" {
			return Errorf(EConflict, "bank line %s reversed line %s, whose payment was deleted: a reversal is not undone; "+
				"to take the money back into the books, take up line %s again and apply it", l.ID, l.ReversedLineID(), l.ReversedLineID())
		}
		return s.unmatch(ctx, tx, c, l, BankLineUnmatched, "")
	})
	if err != nil {
		return nil, err
	}
	return l, nil
}

// unmatch undoes what deciding about l did and leaves it with status (and reason): a payment
// applying recorded is deleted, a linked one unlinked.
func (s *Service) unmatch(ctx context.Context, tx Tx, c *changes, l *BankLine, status, reason string) error {
	before := bankLineSnapshot(l)
	if l.Status == BankLineMatched && l.MatchKind == BankMatchRecorded {
		p, err := loadOpenPayment(ctx, tx, l.PaymentID, 0, "deleting")
		if err != nil {
			return err
		}
		if err := s.deletePayment(ctx, tx, c, p); err != nil {
			return err
		}
	}
	l.Status, l.PaymentID, l.MatchKind, l.IgnoreReason = status, "", "", reason
	action := "bank_line.unmatched"
	if status == BankLineIgnored {
		action = "bank_line.ignored"
	}
	c.record(action, "bank_line", l.ID, before, bankLineSnapshot(l))
	return tx.UpdateBankLine(ctx, l)
}

// reverseBankLine applies a reversal (a returned payment): what the line it reverses created is
// undone (its payment deleted, or unlinked), that line is set aside as reversed, and the
// reversal is matched to it.
func (s *Service) reverseBankLine(ctx context.Context, tx Tx, c *changes, l *BankLine, originalID string) error {
	orig, err := tx.BankLine(ctx, originalID)
	if err != nil {
		return err
	}
	if orig.Status != BankLineMatched || orig.Credit == l.Credit || orig.Amount != l.Amount || orig.Currency != l.Currency {
		return Errorf(EConflict, "bank line %s is not the applied line this reversal returns any more", orig.ID)
	}
	if err := s.unmatch(ctx, tx, c, orig, BankLineIgnored, "reversed by bank line "+l.ID); err != nil {
		return err
	}
	return matchBankLine(ctx, tx, c, l, "", BankMatchReversal+":"+orig.ID)
}

// bankLineSnapshot is how a line appears in the audit trail and event payloads.
func bankLineSnapshot(l *BankLine) map[string]any {
	return map[string]any{"id": l.ID, "bank_account_id": l.BankAccountID, "status": l.Status, "amount": money.Format(l.Amount, l.Currency),
		"currency": l.Currency, "credit": l.Credit, "booking_date": l.BookingDate, "payment_id": l.PaymentID, "match_kind": l.MatchKind,
		"ignore_reason": l.IgnoreReason}
}
