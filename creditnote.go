package finapp

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"finapp/money"
)

// Credit notes (SPEC §6.2): what a business owes its customer back — goods returned, a price
// corrected, a service not delivered. A credit note is issued to an organization (revenue →
// credit_note:<org>), optionally citing the invoice it corrects, and then used like money the
// customer paid: applied to its unpaid invoices (credit_note:<org> → receivable:<org>), refunded
// (→ cash:<method>) or turned into prepaid credit (→ credit:<org>). What is left of it is its
// remaining balance; it is void only while nothing of it was used.
//
// Credit notes are for standard invoices only: a proforma or a top-up invoice asks for money in
// advance and books nothing to revenue until it is paid, so there is no revenue to credit; one
// that should not be paid is voided instead (docs/domain.md).

// PrefixCreditNote starts a credit note's id; PrefixCreditNoteApplication an application's.
const (
	PrefixCreditNote            = "cn_"
	PrefixCreditNoteApplication = "cna_"
)

// Credit note statuses: open while some of it remains, applied once all of it is used, void.
const (
	CreditNoteOpen    = "open"
	CreditNoteApplied = "applied"
	CreditNoteVoid    = "void"
)

// CreditNoteStatuses are what a credit note's status can be, for the API's enum and filters.
var CreditNoteStatuses = []string{CreditNoteOpen, CreditNoteApplied, CreditNoteVoid}

// Kinds of a credit note's applications: to an invoice, paid back, or moved into prepaid credit.
const (
	ApplicationInvoice = "invoice"
	ApplicationRefund  = "refund"
	ApplicationCredit  = "prepaid_credit"
)

// CreditNoteAccount holds what an organization's credit notes still owe it.
func CreditNoteAccount(orgID string) string { return "credit_note:" + orgID }

// CreditNote is an amount owed back to a customer. Applied, Refunded and ToCredit are the sums
// of its active applications of each kind; Amount less all three is what remains.
type CreditNote struct {
	ID             string
	Number         string
	OrganizationID string
	InvoiceID      string // the invoice it corrects, "" for none
	Currency       money.Currency
	Amount         money.Amount
	Applied        money.Amount
	Refunded       money.Amount
	ToCredit       money.Amount
	Reason         string
	IssuedOn       string // YYYY-MM-DD
	Status         string
	VoidedAt       *time.Time
	CreatedBy      string
	CreatedAt      time.Time
	Version        int

	InvoiceNumber string // read-only: the cited invoice's number
}

// Remaining is what of the credit note is still to use.
func (n *CreditNote) Remaining() money.Amount {
	if n.Status == CreditNoteVoid {
		return 0
	}
	return n.Amount - n.Applied - n.Refunded - n.ToCredit
}

// statusFor is the status its amounts imply.
func (n *CreditNote) statusFor() string {
	switch {
	case n.VoidedAt != nil:
		return CreditNoteVoid
	case n.Remaining() == 0:
		return CreditNoteApplied
	}
	return CreditNoteOpen
}

// CreditNoteApplication is one use of a credit note: Kind says which; InvoiceID is set for an
// invoice, Method and Reference for a refund.
type CreditNoteApplication struct {
	ID           string
	CreditNoteID string
	Kind         string
	InvoiceID    string
	Amount       money.Amount
	Currency     money.Currency
	Method       string
	Reference    string
	Reason       string
	CreatedBy    string
	CreatedAt    time.Time
	ReleasedAt   *time.Time
	ReleasedBy   string

	InvoiceNumber string // read-only
}

// AsAllocation is an application to an invoice as AmountDueAsOf counts it: what the invoice
// received, from when it was made until it was released.
func (a *CreditNoteApplication) AsAllocation() *Allocation {
	return &Allocation{ID: a.ID, InvoiceID: a.InvoiceID, Kind: a.Kind, Amount: a.Amount, Currency: a.Currency, InvoiceAmount: a.Amount,
		InvoiceCurrency: a.Currency, CreatedAt: a.CreatedAt, ReleasedAt: a.ReleasedAt}
}

// CreditNoteCreate is the input to IssueCreditNote.
type CreditNoteCreate struct {
	OrganizationID string
	Number         string // "" numbers it CN-000001, CN-000002, … in the workspace
	InvoiceID      string // the invoice it corrects, optional
	Amount         string
	Currency       string // "" for the cited invoice's, else the organization's billing currency
	Reason         string
	IssuedOn       string // "" for today
}

// CreditNoteFilter selects credit notes, newest first.
type CreditNoteFilter struct {
	OrganizationID string
	Status         string
	Cursor         string
	Limit          int
}

// CreditNoteLine is one explicit application to an invoice.
type CreditNoteLine struct {
	InvoiceID string
	Amount    string
}

// CreditNoteApplyRequest applies a credit note: the explicit Lines, or with Auto the
// organization's open invoices oldest first.
type CreditNoteApplyRequest struct {
	Lines []CreditNoteLine
	Auto  bool
}

// CreditNoteRefund is the input to RefundCreditNote.
type CreditNoteRefund struct {
	Amount    string // "" for all that remains
	Method    string
	Reference string
	Reason    string
}

// CreditNoteDetail is a credit note with its applications, oldest first.
type CreditNoteDetail struct {
	*CreditNote
	Applications     []*CreditNoteApplication // the latest DetailHistoryLimit, oldest first
	ApplicationsMore bool                     // older ones exist: ListCreditNoteApplications pages them
}

// validate checks in against org and the invoice it cites (nil for none), whose earlier credit
// notes (not void) add up to cited; it returns the credit note, not yet numbered or saved.
func (in CreditNoteCreate) validate(org *Organization, inv *Invoice, cited money.Amount, today string) (*CreditNote, error) {
	n := &CreditNote{OrganizationID: org.ID, Currency: org.BillingCurrency, Status: CreditNoteOpen, IssuedOn: today}
	if inv != nil {
		n.Currency, n.InvoiceID, n.InvoiceNumber = inv.Currency, inv.ID, inv.Number
	}
	if in.Currency != "" {
		c, err := money.ParseCurrency(in.Currency)
		if err != nil {
			return nil, Invalid("currency", "%v", err)
		}
		if inv != nil && c != inv.Currency {
			return nil, &Error{Code: ECurrencyMismatch, Field: "currency", Message: "invoice " + inv.Number + " is in " + string(inv.Currency) + "; a credit note citing it is too"}
		}
		n.Currency = c
	}
	var err error
	if n.Number, err = text("number", in.Number, 64); err != nil {
		return nil, err
	}
	if n.Amount, err = money.Parse(in.Amount, n.Currency); err != nil {
		return nil, Invalid("amount", "%v", err)
	}
	if n.Amount <= 0 {
		return nil, Invalid("amount", "must be more than zero")
	}
	if n.Reason, err = text("reason", in.Reason, 500); err != nil {
		return nil, err
	}
	if n.Reason == "" {
		return nil, Invalid("reason", "is required: say what the customer is credited for")
	}
	if in.IssuedOn != "" {
		if n.IssuedOn, err = ParseDate("issued_on", in.IssuedOn); err != nil {
			return nil, err
		}
	}
	if inv == nil {
		return n, nil
	}
	switch {
	case inv.OrganizationID != org.ID:
		return nil, &Error{Code: EOrganizationMismatch, Field: "invoice_id", Message: "invoice " + inv.Number + " belongs to another organization"}
	case inv.Kind != KindStandard:
		return nil, Invalid("invoice_id", "invoice %s is a %s invoice; credit notes correct standard invoices (void a %s invoice that should not be paid)",
			inv.Number, inv.Kind, inv.Kind)
	case inv.Status == InvoiceVoid:
		return nil, &Error{Code: EInvoiceVoid, Field: "invoice_id", Message: "invoice " + inv.Number + " is void"}
	case n.IssuedOn < inv.IssuedOn:
		return nil, Invalid("issued_on", "is before invoice %s was issued (%s)", inv.Number, inv.IssuedOn)
	case cited+n.Amount > inv.Total:
		return nil, &Error{Code: ECreditAboveInvoice, Field: "amount", Message: fmt.Sprintf("invoice %s totals %s %s and has %s %s credited already: at most %s %s more",
			inv.Number, money.Format(inv.Total, inv.Currency), inv.Currency, money.Format(cited, inv.Currency), inv.Currency,
			money.Format(inv.Total-cited, inv.Currency), inv.Currency)}
	}
	return n, nil
}

// creditNoteNumber is the automatic number of a workspace's seq-th credit note.
func creditNoteNumber(seq int64) string { return fmt.Sprintf("CN-%06d", seq) }

// usable refuses a change to credit note n that needs some of it left (what says the change).
func (n *CreditNote) usable(what string) error {
	if n.Status == CreditNoteVoid {
		return Errorf(EConflict, "credit note %s is void", n.Number)
	}
	if n.Remaining() <= 0 {
		return &Error{Code: EOverAllocation, Field: "amount", Message: "credit note " + n.Number + " has nothing left to " + what}
	}
	return nil
}

// checkCreditNoteAmount parses amount ("" for all that remains) for a use of n and checks that it
// is above zero and within what remains.
func (n *CreditNote) checkAmount(field, amount string) (money.Amount, error) {
	amt := n.Remaining()
	if amount != "" {
		var err error
		if amt, err = money.Parse(amount, n.Currency); err != nil {
			return 0, Invalid(field, "%v", err)
		}
	}
	if amt <= 0 {
		return 0, Invalid(field, "must be more than zero")
	}
	if amt > n.Remaining() {
		return 0, &Error{Code: EOverAllocation, Field: field, Message: "credit note " + n.Number + " has only " +
			money.Format(n.Remaining(), n.Currency) + " " + string(n.Currency) + " left"}
	}
	return amt, nil
}

// acceptsCreditNote is the rule for whether inv may take amt of credit note n (field names the
// request line): the customer's own standard invoice in the note's currency, not void, with at
// least amt due.
func (inv *Invoice) acceptsCreditNote(n *CreditNote, amt money.Amount, field string) error {
	switch {
	case inv.OrganizationID != n.OrganizationID:
		return &Error{Code: EOrganizationMismatch, Field: field + ".invoice_id", Message: "invoice " + inv.Number + " belongs to another organization than the credit note"}
	case inv.Currency != n.Currency:
		return &Error{Code: ECurrencyMismatch, Field: field + ".invoice_id", Message: "invoice " + inv.Number + " is in " + string(inv.Currency) + ", the credit note in " + string(n.Currency)}
	case inv.Kind != KindStandard:
		return Invalid(field+".invoice_id", "invoice %s is a %s invoice; credit notes apply to standard invoices", inv.Number, inv.Kind)
	case inv.Status == InvoiceVoid:
		return &Error{Code: EInvoiceVoid, Field: field + ".invoice_id", Message: "invoice " + inv.Number + " is void"}
	case amt > inv.AmountDue():
		return inv.overAllocation(field + ".amount")
	}
	return nil
}

// checkCreditNoteRefund checks a refund of n and returns its application, not yet saved.
func (n *CreditNote) checkRefund(in CreditNoteRefund) (*CreditNoteApplication, error) {
	if err := n.usable("refund"); err != nil {
		return nil, err
	}
	amt, err := n.checkAmount("amount", in.Amount)
	if err != nil {
		return nil, err
	}
	a := &CreditNoteApplication{CreditNoteID: n.ID, Kind: ApplicationRefund, Amount: amt, Currency: n.Currency, Method: in.Method}
	if !slices.Contains(Methods, a.Method) {
		return nil, Invalid("method", "must be one of %s", strings.Join(Methods, ", "))
	}
	if a.Reference, err = text("reference", in.Reference, 200); err != nil {
		return nil, err
	}
	if a.Reason, err = text("reason", in.Reason, 500); err != nil {
		return nil, err
	}
	if a.Reason == "" {
		return nil, Invalid("reason", "is required: say why the money goes back")
	}
	return a, nil
}

// checkCreditNoteVoid is the rule for voiding n: only while nothing of it was used.
func checkCreditNoteVoid(n *CreditNote, ifMatch int) error {
	switch {
	case ifMatch != 0 && ifMatch != n.Version:
		return Errorf(EVersionConflict, "credit note %s is at version %d, not %d", n.Number, n.Version, ifMatch)
	case n.Status == CreditNoteVoid:
		return Errorf(EConflict, "credit note %s is already void", n.Number)
	case n.Applied+n.Refunded+n.ToCredit > 0:
		return Errorf(ECreditNoteInUse, "credit note %s has been used (applied, refunded or moved into credit); release its invoice applications first", n.Number)
	}
	return nil
}

// creditNoteSnapshot is how a credit note appears in the audit trail and in event payloads.
func creditNoteSnapshot(n *CreditNote) map[string]any {
	f := func(a money.Amount) string { return money.Format(a, n.Currency) }
	return map[string]any{
		"id": n.ID, "number": n.Number, "organization_id": n.OrganizationID, "invoice_id": n.InvoiceID, "currency": n.Currency,
		"amount": f(n.Amount), "applied": f(n.Applied), "refunded": f(n.Refunded), "to_credit": f(n.ToCredit), "remaining": f(n.Remaining()),
		"reason": n.Reason, "issued_on": n.IssuedOn, "status": n.Status, "version": n.Version,
	}
}

// applicationSnapshot is how a credit note application appears in the trail and in events.
func applicationSnapshot(a *CreditNoteApplication) map[string]any {
	return map[string]any{
		"id": a.ID, "credit_note_id": a.CreditNoteID, "kind": a.Kind, "invoice_id": a.InvoiceID, "amount": money.Format(a.Amount, a.Currency),
		"currency": a.Currency, "method": a.Method, "reference": a.Reference, "reason": a.Reason, "released": a.ReleasedAt != nil,
	}
}
