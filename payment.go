package finapp

import (
	"strings"
	"time"

	"finapp/money"
)

// Payment statuses (derived, never stored).
const (
	PaymentUnassigned         = "unassigned"
	PaymentUnallocated        = "unallocated"
	PaymentPartiallyAllocated = "partially_allocated"
	PaymentFullyAllocated     = "fully_allocated"
)

// MaxAssignmentChanges is how many times a payment's assignment may change in its life:
// assign, unassign, assign, unassign, assign (SPEC §1).
const MaxAssignmentChanges = 5

// Methods are the payment methods accepted (SPEC §2).
var Methods = []string{"bank_transfer", "credit_card", "debit_card", "cash", "cheque", "paypal", "stripe", "direct_debit", "other"}

// Payment is money received from a customer. Allocated and ToppedUp are kept in step with its
// active allocations and its top-ups by the rules in this package.
type Payment struct {
	ID                string
	OrganizationID    string // "" while unassigned
	Amount            money.Amount
	Currency          money.Currency
	ReceivedOn        string // YYYY-MM-DD
	Method            string
	Reference         string
	InvoiceHint       string
	Remark            string
	Allocated         money.Amount
	ToppedUp          money.Amount
	Refunded          money.Amount // paid back by refunds not reversed
	Version           int
	AssignmentChanges int
	CreatedBy         string
	CreatedAt         time.Time
	UpdatedAt         time.Time
	DeletedAt         *time.Time
	ExternalID        string   // the billing or payment system's id for it, unique in the workspace
	Metadata          Metadata // that system's notes on it

	OrganizationName string // read-only, filled by queries
}

// Unallocated is the money not yet applied to invoices or credit.
func (p *Payment) Unallocated() money.Amount { return p.Amount - p.Allocated - p.ToppedUp - p.Refunded }

// applied is the money that left the payment's unapplied pool: allocated, topped up, refunded.
func (p *Payment) applied() money.Amount { return p.Allocated + p.ToppedUp + p.Refunded }

// Status is the derived payment status of SPEC §2.
func (p *Payment) Status() string {
	switch {
	case p.OrganizationID == "":
		return PaymentUnassigned
	case p.applied() == 0:
		return PaymentUnallocated
	case p.Unallocated() > 0:
		return PaymentPartiallyAllocated
	default:
		return PaymentFullyAllocated
	}
}

// AssignmentChangesLeft is what the UI shows next to the assignment editor.
func (p *Payment) AssignmentChangesLeft() int { return MaxAssignmentChanges - p.AssignmentChanges }

// checkVersion refuses a write based on a stale read (If-Match). Zero means "not given".
func (p *Payment) checkVersion(expected int) error {
	if expected != 0 && expected != p.Version {
		return Errorf(EVersionConflict, "payment %s is at version %d, not %d; reload it and try again", p.ID, p.Version, expected)
	}
	return nil
}

// checkAssignmentChange is the 5-changes rule of SPEC §1 for n more changes.
func checkAssignmentChange(p *Payment, n int) error {
	if p.AssignmentChanges+n > MaxAssignmentChanges {
		return Errorf(EAssignmentLimit, "payment %s has used %d of its %d assignment changes", p.ID, p.AssignmentChanges, MaxAssignmentChanges)
	}
	return nil
}

// assign moves an unassigned payment to org in memory and in the ledger (one change).
func (c *changes) assign(p *Payment, org *Organization) error {
	if err := checkAssignmentChange(p, 1); err != nil {
		return err
	}
	c.post("payment.assigned", p.ID, func(j *posting) {
		j.transfer(UnappliedAccount(""), UnappliedAccount(org.ID), p.Currency, p.Unallocated())
	})
	p.OrganizationID, p.OrganizationName = org.ID, org.Name
	p.AssignmentChanges++
	return nil
}

// PaymentCreate is the input to RecordPayment; strings as received at the edge.
type PaymentCreate struct {
	OrganizationID string
	Amount         string
	Currency       string
	ReceivedOn     string // defaults to today
	Method         string
	Reference      string
	InvoiceNumber  string
	Remark         string
	ExternalID     string
	Metadata       Metadata
}

// validate checks the input and returns the payment it describes (not yet assigned).
func (in PaymentCreate) validate(today string) (*Payment, error) {
	p := &Payment{}
	cur, err := money.ParseCurrency(in.Currency)
	if err != nil {
		return nil, Invalid("currency", "%v", err)
	}
	p.Currency = cur
	if p.Amount, err = money.Parse(in.Amount, cur); err != nil {
		return nil, Invalid("amount", "%v", err)
	}
	p.ReceivedOn = today
	if in.ReceivedOn != "" {
		if p.ReceivedOn, err = ParseDate("received_on", in.ReceivedOn); err != nil {
			return nil, err
		}
	}
	if p.Method, err = parseMethod(in.Method); err != nil {
		return nil, err
	}
	if p.Reference, err = text("reference", in.Reference, 200); err != nil {
		return nil, err
	}
	if p.InvoiceHint, err = text("invoice_number", in.InvoiceNumber, 64); err != nil {
		return nil, err
	}
	if p.Remark, err = text("remark", in.Remark, 2000); err != nil {
		return nil, err
	}
	if p.ExternalID, err = checkExternalID("external_id", in.ExternalID); err != nil {
		return nil, err
	}
	if p.Metadata, err = checkMetadata("metadata", in.Metadata); err != nil {
		return nil, err
	}
	return p, nil
}

// recordPayment makes p a recorded payment: the one way RecordPayment and the import record one.
// It gives p its id and version and, when org is not nil, assigns it (the payment's first
// assignment change); posts the receipt (cash against unapplied money); and adds its audit event,
// whose source says where it came from (the caller's address, or the import file and line), and
// its payment.recorded outbox event. Both events carry the same snapshot, rendered once.
func (c *changes) recordPayment(p *Payment, org *Organization, source string) {
	p.ID, p.Version, p.CreatedBy, p.CreatedAt, p.UpdatedAt = NewID(PrefixPayment), 1, c.actor, c.now, c.now
	if org != nil {
		p.OrganizationID, p.OrganizationName, p.AssignmentChanges = org.ID, org.Name, 1
	}
	c.post("payment.recorded", p.ID, func(j *posting) {
		j.transfer(CashAccount(p.Method), UnappliedAccount(p.OrganizationID), p.Currency, p.Amount)
	})
	after := snapshot(p)
	c.audit = append(c.audit, &AuditEvent{ID: NewID(PrefixAudit), At: c.now, Actor: c.actor, Source: source, Action: "payment.recorded",
		Entity: "payment", EntityID: p.ID, After: after})
	c.events = append(c.events, &Event{ID: NewID(PrefixEvent), Type: EventPaymentRecorded, EntityID: p.ID, Payload: after, At: c.now})
}

// PaymentUpdate is the input to UpdatePayment: nil fields are left as they are.
type PaymentUpdate struct {
	Amount        *string
	Currency      *string
	ReceivedOn    *string
	Method        *string
	Reference     *string
	InvoiceNumber *string
	Remark        *string
	Metadata      *Metadata // replaces the whole of it when given
}

// apply returns a copy of p with the update applied, or the first validation error.
func (u PaymentUpdate) apply(p *Payment) (*Payment, error) {
	next := *p
	var err error
	if u.Currency != nil {
		if next.Currency, err = money.ParseCurrency(*u.Currency); err != nil {
			return nil, Invalid("currency", "%v", err)
		}
	}
	if u.Amount != nil {
		if next.Amount, err = money.Parse(*u.Amount, next.Currency); err != nil {
			return nil, Invalid("amount", "%v", err)
		}
	} else if next.Currency != p.Currency {
		// The stored amount must still be exact in the new currency.
		if _, err := money.Parse(money.Format(p.Amount, p.Currency), next.Currency); err != nil {
			return nil, Invalid("amount", "must be given again when the currency changes to one with other minor units")
		}
		next.Amount, _ = money.Parse(money.Format(p.Amount, p.Currency), next.Currency)
	}
	if u.ReceivedOn != nil {
		if next.ReceivedOn, err = ParseDate("received_on", *u.ReceivedOn); err != nil {
			return nil, err
		}
	}
	if u.Method != nil {
		if next.Method, err = parseMethod(*u.Method); err != nil {
			return nil, err
		}
	}
	if u.Reference != nil {
		if next.Reference, err = text("reference", *u.Reference, 200); err != nil {
			return nil, err
		}
	}
	if u.InvoiceNumber != nil {
		if next.InvoiceHint, err = text("invoice_number", *u.InvoiceNumber, 64); err != nil {
			return nil, err
		}
	}
	if u.Metadata != nil {
		if next.Metadata, err = checkMetadata("metadata", *u.Metadata); err != nil {
			return nil, err
		}
	}
	if u.Remark != nil {
		if next.Remark, err = text("remark", *u.Remark, 2000); err != nil {
			return nil, err
		}
	}
	return &next, nil
}

// checkEdit is the rule for editing a payment (SPEC §3): its currency may not change once money
// is applied (EPaymentInUse), nor its amount fall below what is applied (EAmountBelowApplied). It
// returns p with u applied; p itself is left as it is.
func checkEdit(p *Payment, u PaymentUpdate) (*Payment, error) {
	applied := p.applied()
	if u.Currency != nil && *u.Currency != string(p.Currency) && applied > 0 {
		return nil, &Error{Code: EPaymentInUse, Field: "currency", Message: "cannot change the currency of a payment whose money is applied; release its allocations first"}
	}
	next, err := u.apply(p)
	if err != nil {
		return nil, err
	}
	if next.Amount < applied {
		return nil, &Error{Code: EAmountBelowApplied, Field: "amount", Message: "cannot be below the " + money.Format(applied, p.Currency) + " " + string(p.Currency) + " already allocated, topped up or refunded"}
	}
	return next, nil
}

// checkTopUp is the rule for moving amount (a decimal string; "" for all that is unallocated) of
// payment p into its organization's credit: p must be assigned, and the amount more than zero and
// no more than p has unallocated. It returns the amount.
func checkTopUp(p *Payment, amount string) (money.Amount, error) {
	if p.OrganizationID == "" {
		return 0, Errorf(EPaymentUnassigned, "payment %s is not assigned; assign it to the organization whose credit it tops up", p.ID)
	}
	amt := p.Unallocated()
	if amount != "" {
		var err error
		if amt, err = money.Parse(amount, p.Currency); err != nil {
			return 0, Invalid("amount", "%v", err)
		}
	}
	if amt == 0 || amt > p.Unallocated() {
		return 0, p.overAllocation("amount")
	}
	return amt, nil
}

// overAllocation refuses more than the payment's unallocated money.
func (p *Payment) overAllocation(field string) error {
	return &Error{Code: EOverAllocation, Field: field, Message: "the payment has only " + money.Format(p.Unallocated(), p.Currency) + " " + string(p.Currency) + " unallocated"}
}

// PaymentFilter selects payments. Q matches reference, remark, invoice # hint and customer name.
type PaymentFilter struct {
	Status         string
	OrganizationID string
	Method         string
	ReceivedFrom   string
	ReceivedTo     string
	Q              string
	ExternalID     string
	IncludeDeleted bool
	Sort           ListSort // zero: newest first
	Cursor         string
	Limit          int
}

func parseMethod(s string) (string, error) {
	if s == "" {
		return "", Invalid("method", "is required, one of %s", strings.Join(Methods, ", "))
	}
	for _, m := range Methods {
		if s == m {
			return s, nil
		}
	}
	return "", Invalid("method", "%q is not one of %s", s, strings.Join(Methods, ", "))
}

// ParseDate validates a calendar date in ISO 8601 form (YYYY-MM-DD).
func ParseDate(field, s string) (string, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return "", Invalid(field, "%q is not a date in YYYY-MM-DD form", s)
	}
	if t.Year() < 1900 || t.Year() > 2999 {
		return "", Invalid(field, "%q is outside the years 1900-2999", s)
	}
	return s, nil
}
