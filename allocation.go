package finapp

import (
	"sort"
	"time"

	"finapp/money"
)

// Allocation applies part of a payment to an invoice (Kind AllocationPayment), or settles part of
// the invoice without money, as a line of the payment's allocation request (an adjustment: Kind
// one of AdjustmentKinds, with its Reason). A released allocation stays in history.
type Allocation struct {
	ID        string
	PaymentID string
	InvoiceID string
	Kind      string // AllocationPayment, or one of AdjustmentKinds
	Reason    string // an adjustment's reason; "" for money
	// MoneyAllocationID is, for an adjustment made in one request with money for the same
	// invoice, that money's allocation: releasing it releases the adjustment too. "" otherwise.
	MoneyAllocationID string
	Amount            money.Amount   // what the payment gave (an adjustment: what it settled)
	Currency          money.Currency // the payment's currency when made (an adjustment: the invoice's)
	// InvoiceAmount of InvoiceCurrency is what the invoice received: Amount itself, or, for money
	// applied across currencies, Amount converted at Rate (units of the invoice's currency per
	// unit of the payment's; "" when no conversion).
	InvoiceAmount   money.Amount
	InvoiceCurrency money.Currency
	Rate            string
	CreatedBy       string
	CreatedAt       time.Time
	ReleasedAt      *time.Time
	ReleasedBy      string

	InvoiceNumber string // read-only, filled by queries
	InvoiceStatus string // read-only, filled by queries: its invoice's status when read
}

// TopUp moves a payment's unallocated money into its organization's credit balance.
type TopUp struct {
	ID             string
	PaymentID      string
	OrganizationID string
	Amount         money.Amount
	Currency       money.Currency
	CreatedBy      string
	CreatedAt      time.Time
}

// AllocationRequest is the input to Allocate: explicit lines, or Auto (oldest invoice first).
// OrganizationID, when given for an unassigned payment, assigns it in the same transaction.
type AllocationRequest struct {
	OrganizationID string
	Auto           bool
	Lines          []AllocationLine
}

// AllocationLine asks for Amount (a decimal string) of the payment to go to InvoiceID, or, with
// Kind one of AdjustmentKinds, for Amount of the invoice to be settled that way for Reason.
type AllocationLine struct {
	InvoiceID string
	Amount    string
	Rate      string // money for an invoice in another currency: units of its currency per unit of the payment's
	Kind      string // "" (or AllocationPayment): money of the payment
	Reason    string // required for an adjustment
}

// checkAllocation is the rule of SPEC §3 for moving amt of payment p onto invoice inv, which
// receives invAmt of its own currency (amt itself, or amt converted at a rate when converted): an
// assigned payment, an invoice that accepts its money (Invoice.Accepts; in another currency only
// when converted), and no more than either has left. field names the request line for errors.
func checkAllocation(p *Payment, inv *Invoice, amt, invAmt money.Amount, converted bool, field string) error {
	if p.OrganizationID == "" {
		return &Error{Code: EPaymentUnassigned, Field: field, Message: "the payment is not assigned to an organization; name organization_id to assign it"}
	}
	if err := inv.refusalIn(p, field, converted); err != nil {
		return err
	}
	switch {
	case amt > p.Unallocated():
		return p.overAllocation(field)
	case invAmt > inv.AmountDue():
		return inv.overAllocation(field)
	}
	return nil
}

// applyAllocation moves amt from p onto inv, which receives invAmt (converted at rate, or amt
// itself with rate ""), after checkAllocation passed; posts the journal and provisions the
// invoice if this payment completes it.
func (c *changes) applyAllocation(p *Payment, inv *Invoice, amt, invAmt money.Amount, rate string) *Allocation {
	a := &Allocation{ID: NewID(PrefixAllocation), PaymentID: p.ID, InvoiceID: inv.ID, Kind: AllocationPayment, Amount: amt, Currency: p.Currency,
		InvoiceAmount: invAmt, InvoiceCurrency: inv.Currency, Rate: rate, CreatedBy: c.actor, CreatedAt: c.now, InvoiceNumber: inv.Number}
	p.Allocated += amt
	inv.AmountPaid += invAmt
	c.post("allocation.created", a.ID, func(j *posting) { a.post(j, p.OrganizationID, inv.OrganizationID, false) })
	c.record("allocation.created", "allocation", a.ID, nil, allocationSnapshot(a))
	c.settleInvoice(inv)
	return a
}

// post writes money allocation a's movement (or with release, its reverse): the payment's
// unapplied money to the invoice's receivable, through the conversion account of the two
// currencies when it was converted, so that each currency balances on its own.
func (a *Allocation) post(j *posting, paymentOrg, invoiceOrg string, release bool) {
	from, to := UnappliedAccount(paymentOrg), ReceivableAccount(invoiceOrg)
	if a.Rate == "" {
		if release {
			from, to = to, from
		}
		j.transfer(from, to, a.Currency, a.Amount)
		return
	}
	conversion := ConversionAccount(a.Currency, a.InvoiceCurrency)
	if release {
		j.transfer(conversion, from, a.Currency, a.Amount)
		j.transfer(to, conversion, a.InvoiceCurrency, a.InvoiceAmount)
		return
	}
	j.transfer(from, conversion, a.Currency, a.Amount)
	j.transfer(conversion, to, a.InvoiceCurrency, a.InvoiceAmount)
}

// settleInvoice recomputes the invoice's status after its settled amount changed and provisions a
// fully settled proforma or top-up invoice, exactly once (ProvisionedAt is set once and never
// cleared). It provisions what money paid: its adjustments already took their part out of
// topup_clearing or deferred_revenue (adjustmentAccount).
func (c *changes) settleInvoice(inv *Invoice) {
	before := inv.Status
	inv.Status = inv.statusFor()
	inv.Version++
	c.touch(inv)
	if inv.Status == InvoiceProvisioned && inv.ProvisionedAt == nil {
		at := c.now
		inv.ProvisionedAt = &at
		c.post("invoice.provisioned", inv.ID, func(j *posting) {
			from, to := provisionAccounts(inv)
			j.transfer(from, to, inv.Currency, inv.AmountPaid) // nothing when adjustments settled all of it
		})
		c.event(EventInvoicePaid, inv.ID, inv)
		c.event(EventInvoiceProvisioned, inv.ID, inv)
	} else if inv.Status != before {
		switch inv.Status {
		case InvoicePaid:
			c.event(EventInvoicePaid, inv.ID, inv)
		case InvoicePartiallyPaid:
			c.event(EventInvoicePartiallyPaid, inv.ID, inv)
		}
	}
}

// checkRelease is the rule for undoing an allocation: money on a provisioned invoice stays.
func checkRelease(a *Allocation, inv *Invoice) error {
	if a.ReleasedAt != nil {
		return Errorf(EConflict, "allocation %s was already released", a.ID)
	}
	if inv.Status == InvoiceProvisioned {
		return Errorf(EInvoiceProvisioned, "invoice %s is provisioned; its payments can no longer be released", inv.Number)
	}
	return nil
}

// ReleaseRefusal says why a, as read, cannot be released ("" when it can), by checkRelease's
// rule: the pages offer Release only where it can succeed.
func (a *Allocation) ReleaseRefusal() string {
	if err := checkRelease(a, &Invoice{Status: a.InvoiceStatus, Number: a.InvoiceNumber}); err != nil {
		return err.(*Error).Message
	}
	return ""
}

// applyRelease undoes allocation a (money or adjustment) after checkRelease passed.
func (c *changes) applyRelease(p *Payment, inv *Invoice, a *Allocation) {
	at := c.now
	a.ReleasedAt, a.ReleasedBy = &at, c.actor
	if a.IsAdjustment() {
		inv.AmountAdjusted -= a.Amount
		c.post("adjustment.released", a.ID, func(j *posting) {
			j.transfer(ReceivableAccount(inv.OrganizationID), adjustmentAccount(inv, a.Kind), a.Currency, a.Amount)
		})
	} else {
		p.Allocated -= a.Amount
		inv.AmountPaid -= a.InvoiceAmount
		c.post("allocation.released", a.ID, func(j *posting) { a.post(j, p.OrganizationID, inv.OrganizationID, true) })
	}
	c.record("allocation.released", "allocation", a.ID, nil, allocationSnapshot(a))
	c.event(EventAllocationReleased, a.ID, allocationSnapshot(a))
	c.settleInvoice(inv)
}

// checkDetach is the rule shared by unassign and delete: a payment whose money reached a
// provisioned invoice or the customer's credit cannot leave its customer.
func checkDetach(p *Payment, active []*Allocation, invoices map[string]*Invoice) error {
	if p.ToppedUp > 0 {
		return Errorf(EPaymentInUse, "payment %s topped up the customer's credit with %s %s; that cannot be undone", p.ID, money.Format(p.ToppedUp, p.Currency), p.Currency)
	}
	if p.Refunded > 0 {
		return Errorf(EPaymentInUse, "payment %s paid %s %s back by refund; reverse the refund first", p.ID, money.Format(p.Refunded, p.Currency), p.Currency)
	}
	for _, a := range active {
		if inv := invoices[a.InvoiceID]; inv.Status == InvoiceProvisioned {
			return Errorf(EPaymentInUse, "payment %s funded provisioned invoice %s", p.ID, inv.Number)
		}
	}
	return nil
}

// oldestFirst orders invoices for automatic allocation (SPEC §1): by due date, then issue date,
// then number.
func oldestFirst(list []*Invoice) {
	sort.SliceStable(list, func(i, j int) bool {
		a, b := list[i], list[j]
		if a.DueOn != b.DueOn {
			return a.DueOn < b.DueOn
		}
		if a.IssuedOn != b.IssuedOn {
			return a.IssuedOn < b.IssuedOn
		}
		return a.Number < b.Number
	})
}

// autoPlan chooses, oldest invoice first, how much of the payment's unallocated money goes to
// each invoice until either runs out. It sorts open in place; the amounts follow that order.
func autoPlan(p *Payment, open []*Invoice) []money.Amount {
	oldestFirst(open)
	left := p.Unallocated()
	plan := make([]money.Amount, len(open))
	for i, inv := range open {
		if left == 0 {
			break
		}
		if inv.Accepts(p) != nil {
			continue
		}
		plan[i] = money.Min(left, inv.AmountDue())
		left -= plan[i]
	}
	return plan
}
