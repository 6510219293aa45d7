package finapp

import (
	"strings"
	"time"
	"unicode/utf8"

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
	inv.Number = strings.TrimSpace(in.Number)
	if inv.Number == "" {
		return nil, Invalid("number", "is required")
	}
	if utf8.RuneCountInString(inv.Number) > 64 {
		return nil, Invalid("number", "is longer than 64 characters")
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
// Status may also be "overdue", the derived flag.
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
