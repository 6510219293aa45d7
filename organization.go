package finapp

import (
	"time"

	"finapp/money"
)

// Organization is a customer: the party that receives invoices and sends payments.
type Organization struct {
	ID              string
	Name            string
	BillingCurrency money.Currency
	Status          string // "active"
	CreatedAt       time.Time
	Version         int
	ExternalID      string   // the billing system's id for the customer, unique in the workspace
	Metadata        Metadata // the billing system's notes on it
}

// Balances are an organization's derived money figures, per currency, read from the journal.
// They are totals over any number of payments and invoices, hence money.Sum.
type Balances struct {
	Outstanding map[money.Currency]money.Sum // receivable:<org>: what its invoices still ask for
	Unapplied   map[money.Currency]money.Sum // unapplied:<org>: its payments' money not yet applied
	Credit      map[money.Currency]money.Sum // credit:<org>: its prepaid credit balance
	CreditNotes map[money.Currency]money.Sum // credit_note:<org>: what its credit notes have left to use
	// UsableCredit is Credit − reserved + credit limit (SPEC §6.3), in every currency the
	// customer has credit, reservations or a credit limit in.
	UsableCredit map[money.Currency]money.Sum
}

// OrganizationCreate is the input to CreateOrganization.
type OrganizationCreate struct {
	Name            string
	BillingCurrency string
	ExternalID      string
	Metadata        Metadata
}

// Validate checks the input and returns the organization it describes.
func (in OrganizationCreate) Validate() (*Organization, error) {
	name, err := text("name", in.Name, 200)
	if err != nil {
		return nil, err
	}
	if name == "" {
		return nil, Invalid("name", "is required")
	}
	cur, err := money.ParseCurrency(in.BillingCurrency)
	if err != nil {
		return nil, Invalid("billing_currency", "%v", err)
	}
	o := &Organization{Name: name, BillingCurrency: cur, Status: "active"}
	if o.ExternalID, err = checkExternalID("external_id", in.ExternalID); err != nil {
		return nil, err
	}
	if o.Metadata, err = checkMetadata("metadata", in.Metadata); err != nil {
		return nil, err
	}
	return o, nil
}

// OrganizationFilter selects organizations; Q matches the name, case-insensitively; ExternalID
// the billing system's id exactly.
type OrganizationFilter struct {
	Q          string
	ExternalID string
	Sort       ListSort // zero: newest first
	Cursor     string
	Limit      int
}
