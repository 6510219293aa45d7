package finapp

import (
	"slices"
	"time"

	"finapp/money"
)

// Invoice kinds. A proforma or top-up invoice is provisioned once it is fully paid.
const (
	KindStandard = "standard"
	KindProforma = "proforma"
	KindTopUp    = "top_up"
)

// Invoice statuses.
const (
	InvoiceUnpaid        = "unpaid"
	InvoicePartiallyPaid = "partially_paid"
	InvoicePaid          = "paid"
	InvoiceProvisioned   = "provisioned"
	InvoiceVoid          = "void"
)

// InvoiceStatuses are the statuses an invoice can have (SPEC §2), in the order of its life. The
// API's enum, the list filters and their validation take them from here.
var InvoiceStatuses = []string{InvoiceUnpaid, InvoicePartiallyPaid, InvoicePaid, InvoiceProvisioned, InvoiceVoid}

// InvoiceOverdue selects, in InvoiceFilter.Status, the invoices with the derived overdue flag.
const InvoiceOverdue = "overdue"

// InvoiceFilterStatuses are what InvoiceFilter.Status accepts: every status, then overdue.
var InvoiceFilterStatuses = append(slices.Clip(InvoiceStatuses), InvoiceOverdue)

// Invoice is a claim on an organization. AmountPaid is the sum of its active allocations and is
// kept in step with them by the rules in this package.
type Invoice struct {
	ID             string
	Number         string
	OrganizationID string
	Kind           string
	Currency       money.Currency
	Total          money.Amount
	AmountPaid     money.Amount
	IssuedOn       string // YYYY-MM-DD
	DueOn          string // YYYY-MM-DD
	Status         string
	ProvisionedAt  *time.Time
	VoidedAt       *time.Time
	CreatedAt      time.Time
	Version        int

	OrganizationName string // read-only, filled by list queries
}

// AmountDue is what the invoice still asks for.
func (i *Invoice) AmountDue() money.Amount {
	if i.Status == InvoiceVoid {
		return 0
	}
	return i.Total - i.AmountPaid
}

// Accepts is the rule of SPEC §3 for whether the invoice may take money from payment p at all,
// whatever the amount: it must be of the payment's organization (of any while p is unassigned, as
// "Assign & Allocate" assigns it to the invoice's), in the payment's currency, not void, and still
// have money due. Errors: EOrganizationMismatch, ECurrencyMismatch, EInvoiceVoid, EOverAllocation.
func (i *Invoice) Accepts(p *Payment) error { return i.refusal(p, "") }

// refusal is Accepts' error, if any, naming field (the request line) as the field at fault.
func (i *Invoice) refusal(p *Payment, field string) error {
	switch {
	case p.OrganizationID != "" && i.OrganizationID != p.OrganizationID:
		return &Error{Code: EOrganizationMismatch, Field: field, Message: "invoice " + i.Number + " belongs to another organization than the payment"}
	case i.Currency != p.Currency:
		return &Error{Code: ECurrencyMismatch, Field: field, Message: "invoice " + i.Number + " is in " + string(i.Currency) + ", the payment in " + string(p.Currency)}
	case i.Status == InvoiceVoid:
		return &Error{Code: EInvoiceVoid, Field: field, Message: "invoice " + i.Number + " is void"}
	case i.AmountDue() <= 0:
		return i.overAllocation(field)
	}
	return nil
}

// overAllocation refuses more than the invoice's amount due.
func (i *Invoice) overAllocation(field string) error {
	return &Error{Code: EOverAllocation, Field: field, Message: "invoice " + i.Number + " has only " + money.Format(i.AmountDue(), i.Currency) + " " + string(i.Currency) + " due"}
}

// checkVoid is the rule for voiding an invoice (SPEC §3): one with money on it, provisioned or
// not, cannot be; ifMatch is the version the caller read (0: not given).
func checkVoid(inv *Invoice, ifMatch int) error {
	switch {
	case ifMatch != 0 && ifMatch != inv.Version:
		return Errorf(EVersionConflict, "invoice %s is at version %d, not %d", inv.Number, inv.Version, ifMatch)
	case inv.Status == InvoiceVoid:
		return Errorf(EConflict, "invoice %s is already void", inv.Number)
	case inv.Status == InvoiceProvisioned:
		return Errorf(EInvoiceHasPayments, "invoice %s is provisioned and cannot be voided", inv.Number)
	case inv.AmountPaid > 0:
		return Errorf(EInvoiceHasPayments, "invoice %s has payments allocated to it; release them before voiding", inv.Number)
	}
	return nil
}

// Overdue is the derived flag of SPEC §2: past its due date with money still due.
func (i *Invoice) Overdue(today string) bool {
	return i.DueOn < today && i.AmountDue() > 0
}

// provisions reports whether the invoice's kind is provisioned when fully paid.
func (i *Invoice) provisions() bool {
	return i.Kind == KindProforma || i.Kind == KindTopUp
}

// statusFor is the status an invoice's amounts imply. Provisioning is sticky: once provisioned,
// the invoice stays so (its allocations can no longer be released).
func (i *Invoice) statusFor() string {
	switch {
	case i.Status == InvoiceVoid:
		return InvoiceVoid
	case i.ProvisionedAt != nil:
		return InvoiceProvisioned
	case i.AmountPaid == 0:
		return InvoiceUnpaid
	case i.AmountPaid < i.Total:
		return InvoicePartiallyPaid
	case i.provisions():
		return InvoiceProvisioned
	default:
		return InvoicePaid
	}
}

// InvoiceCreate is the input to CreateInvoice. Amounts are decimal strings as received.
type InvoiceCreate struct {
	Number         string
	OrganizationID string
	Kind           string
	Currency       string // defaults to the organization's billing currency
	Total          string
	IssuedOn       string // defaults to today
	DueOn          string // defaults to the issue date
}

// validate checks the input against the organization it is for and returns the invoice.
func (in InvoiceCreate) validate(org *Organization, today string) (*Invoice, error) {
	inv := &Invoice{OrganizationID: org.ID, Status: InvoiceUnpaid}
	var err error
	if inv.Number, err = text("number", in.Number, 64); err != nil {
		return nil, err
	}
	if inv.Number == "" {
		return nil, Invalid("number", "is required")
	}
	inv.Kind = in.Kind
	if inv.Kind == "" {
		inv.Kind = KindStandard
	}
	if inv.Kind != KindStandard && inv.Kind != KindProforma && inv.Kind != KindTopUp {
		return nil, Invalid("kind", "must be one of standard, proforma, top_up")
	}
	inv.Currency = org.BillingCurrency
	if in.Currency != "" {
		c, err := money.ParseCurrency(in.Currency)
		if err != nil {
			return nil, Invalid("currency", "%v", err)
		}
		inv.Currency = c
	}
	total, err := money.Parse(in.Total, inv.Currency)
	if err != nil {
		return nil, Invalid("total", "%v", err)
	}
	inv.Total = total
	inv.IssuedOn = today
	if in.IssuedOn != "" {
		if inv.IssuedOn, err = ParseDate("issued_on", in.IssuedOn); err != nil {
			return nil, err
		}
	}
	inv.DueOn = inv.IssuedOn
	if in.DueOn != "" {
		if inv.DueOn, err = ParseDate("due_on", in.DueOn); err != nil {
			return nil, err
		}
	}
	if inv.DueOn < inv.IssuedOn {
		return nil, Invalid("due_on", "is before issued_on")
	}
	return inv, nil
}

// InvoiceFilter selects invoices. Q matches the organization's name or the invoice number
// (case-insensitive substring); Number matches the number exactly; the dates bound issued_on.
// Status is one of InvoiceFilterStatuses: a status, or overdue for the derived flag.
type InvoiceFilter struct {
	OrganizationID string
	Q              string
	Number         string
	IssuedFrom     string
	IssuedTo       string
	Status         string
	Kind           string
	Today          string // for the overdue status, set by the service
	Cursor         string
	Limit          int
}
