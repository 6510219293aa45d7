package finapp

import (
	"fmt"
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

// Invoice is a claim on an organization. AmountPaid is the sum of its active money allocations,
// AmountAdjusted of its active adjustments (write-offs, bank fees, discounts), both kept in step
// with them by the rules in this package; with AmountCredited, what credit notes applied to it,
// they are what is settled of its total.
type Invoice struct {
	ID             string
	Number         string
	OrganizationID string
	Kind           string
	Currency       money.Currency
	Total          money.Amount
	AmountPaid     money.Amount
	AmountAdjusted money.Amount
	AmountCredited money.Amount // applied from credit notes
	IssuedOn       string       // YYYY-MM-DD
	DueOn          string       // YYYY-MM-DD
	Status         string
	ProvisionedAt  *time.Time
	VoidedAt       *time.Time
	CreatedAt      time.Time
	Version        int
	ExternalID     string   // the billing system's id for it, unique in the workspace; "" for none
	Metadata       Metadata // the billing system's notes on it

	OrganizationName string // read-only, filled by list queries
}

// AmountDue is what the invoice still asks for.
func (i *Invoice) AmountDue() money.Amount {
	if i.Status == InvoiceVoid {
		return 0
	}
	return i.Total - i.Settled()
}

// Settled is what of the total is paid, adjusted or credited.
func (i *Invoice) Settled() money.Amount { return i.AmountPaid + i.AmountAdjusted + i.AmountCredited }

// Accepts is the rule of SPEC §3 for whether the invoice may take money from payment p at all,
// whatever the amount: it must be of the payment's organization (of any while p is unassigned, as
// "Assign & Allocate" assigns it to the invoice's), in the payment's currency, not void, and still
// have money due. Errors: EOrganizationMismatch, ECurrencyMismatch, EInvoiceVoid, EOverAllocation.
func (i *Invoice) Accepts(p *Payment) error { return i.refusal(p, "") }

// AcceptsConverted is Accepts for money converted at a rate: an invoice in another currency than
// the payment's may take it.
func (i *Invoice) AcceptsConverted(p *Payment) error { return i.refusalIn(p, "", true) }

// refusal is Accepts' error, if any, naming field (the request line) as the field at fault.
func (i *Invoice) refusal(p *Payment, field string) error { return i.refusalIn(p, field, false) }

// refusalIn is refusal, with anyCurrency for what need not be in the payment's currency: money
// converted at a rate, and adjustments (which settle the invoice in its own currency).
func (i *Invoice) refusalIn(p *Payment, field string, anyCurrency bool) error {
	switch {
	case p.OrganizationID != "" && i.OrganizationID != p.OrganizationID:
		return &Error{Code: EOrganizationMismatch, Field: field, Message: "invoice " + i.Number + " belongs to another organization than the payment"}
	case i.Currency != p.Currency && !anyCurrency:
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
	case inv.Settled() > 0:
		return Errorf(EInvoiceHasPayments, "invoice %s has payments, adjustments or credit notes applied to it; release them before voiding", inv.Number)
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
	case i.Settled() == 0:
		return InvoiceUnpaid
	case i.Settled() < i.Total:
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
	ExternalID     string
	Metadata       Metadata
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
	if inv.ExternalID, err = checkExternalID("external_id", in.ExternalID); err != nil {
		return nil, err
	}
	if inv.Metadata, err = checkMetadata("metadata", in.Metadata); err != nil {
		return nil, err
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
	ExternalID     string
	IssuedFrom     string
	IssuedTo       string
	Status         string
	Kind           string
	Today          string   // for the overdue status, set by the service
	Sort           ListSort // zero: newest first (by issue date when the filter bounds it)
	Cursor         string
	Limit          int
}

// InvoiceUpdate is a correction of an invoice (PATCH): a nil field stays as it is; Metadata,
// when given, replaces the whole of it (an empty map clears it).
type InvoiceUpdate struct {
	Number     *string
	Kind       *string
	Total      *string
	IssuedOn   *string
	DueOn      *string
	ExternalID *string
	Metadata   *Metadata
}

// apply checks u against the invoice and returns the corrected copy. An invoice with money on it
// (paid in part or whole, or provisioned) keeps what its payments were applied to: only its due
// date and metadata may change; a void one changes no more.
func (u InvoiceUpdate) apply(inv *Invoice, ifMatch int) (*Invoice, error) {
	switch {
	case ifMatch != 0 && ifMatch != inv.Version:
		return nil, Errorf(EVersionConflict, "invoice %s is at version %d, not %d", inv.Number, inv.Version, ifMatch)
	case inv.Status == InvoiceVoid:
		return nil, Errorf(EInvoiceVoid, "invoice %s is void and cannot be changed", inv.Number)
	}
	next := *inv
	var err error
	if u.Number != nil {
		if next.Number, err = text("number", *u.Number, 64); err != nil {
			return nil, err
		}
		if next.Number == "" {
			return nil, Invalid("number", "is required")
		}
	}
	if u.Kind != nil {
		if next.Kind = *u.Kind; next.Kind != KindStandard && next.Kind != KindProforma && next.Kind != KindTopUp {
			return nil, Invalid("kind", "must be one of standard, proforma, top_up")
		}
	}
	if u.Total != nil {
		if next.Total, err = money.Parse(*u.Total, inv.Currency); err != nil {
			return nil, Invalid("total", "%v", err)
		}
	}
	if u.IssuedOn != nil {
		if next.IssuedOn, err = ParseDate("issued_on", *u.IssuedOn); err != nil {
			return nil, err
		}
	}
	if u.DueOn != nil {
		if next.DueOn, err = ParseDate("due_on", *u.DueOn); err != nil {
			return nil, err
		}
	}
	if next.DueOn < next.IssuedOn {
		return nil, Invalid("due_on", "is before issued_on")
	}
	if u.ExternalID != nil {
		if next.ExternalID, err = checkExternalID("external_id", *u.ExternalID); err != nil {
			return nil, err
		}
	}
	if u.Metadata != nil {
		if next.Metadata, err = checkMetadata("metadata", *u.Metadata); err != nil {
			return nil, err
		}
	}
	if inv.Settled() > 0 || inv.Status == InvoiceProvisioned {
		for _, f := range []struct {
			field   string
			changed bool
		}{
			{"number", next.Number != inv.Number}, {"kind", next.Kind != inv.Kind}, {"total", next.Total != inv.Total},
			{"issued_on", next.IssuedOn != inv.IssuedOn}, {"external_id", next.ExternalID != inv.ExternalID},
		} {
			if f.changed {
				return nil, &Error{Code: EInvoiceHasPayments, Field: f.field,
					Message: fmt.Sprintf("invoice %s has payments applied to it: only due_on and metadata may change; release them to correct %s", inv.Number, f.field)}
			}
		}
	}
	next.Version++
	return &next, nil
}
