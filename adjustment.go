package finapp

import (
	"fmt"
	"slices"
	"strings"

	"finapp/money"
)

// Kinds of allocation. AllocationPayment moves a payment's money onto an invoice; the adjustment
// kinds settle part of an invoice without money (SPEC §6.2), each with a reason.
const (
	AllocationPayment = "payment"
	AdjustWriteOff    = "write_off" // a small difference the customer will not pay, within the tolerance
	AdjustBankFee     = "bank_fee"  // deducted on the way by a bank or gateway
	AdjustDiscount    = "discount"  // granted to the customer after the invoice
	// AdjustFXDifference is what an invoice paid in another currency still has due because of the
	// rate: a small difference, within the tolerance, as a write-off is.
	AdjustFXDifference = "fx_difference"
)

// AdjustmentKinds are the kinds an allocation request's adjustment line may name.
var AdjustmentKinds = []string{AdjustWriteOff, AdjustBankFee, AdjustDiscount, AdjustFXDifference}

// toleratedKinds are the adjustment kinds the workspace's tolerance bounds: a write-off is a
// judgement call, while a bank fee and a discount are documented by the bank or the deal.
var toleratedKinds = []string{AdjustWriteOff, AdjustFXDifference}

// IsAdjustment reports whether the allocation settles its invoice without money.
func (a *Allocation) IsAdjustment() bool { return a.Kind != AllocationPayment }

// maxReason is the longest reason an adjustment keeps.
const maxReason = 500

// adjustmentLine checks what an adjustment line asks for, before the books are read: its kind and
// its reason. field names the line.
func adjustmentLine(l AllocationLine, field string) (kind, reason string, err error) {
	if !slices.Contains(AdjustmentKinds, l.Kind) {
		return "", "", Invalid(field+".kind", "%q is not a kind of line; one of payment, %s", l.Kind, strings.Join(AdjustmentKinds, ", "))
	}
	reason, err = text(field+".reason", l.Reason, maxReason)
	if err != nil {
		return "", "", err
	}
	if reason == "" {
		return "", "", Invalid(field+".reason", "is required: say why the invoice is settled by %s", strings.ReplaceAll(l.Kind, "_", " "))
	}
	return l.Kind, reason, nil
}

// checkAdjustment is the rule for settling amt of invoice inv by an adjustment of kind in payment
// p's allocation request: the invoice must be one the payment could pay (checkAllocation's rule
// for the invoice, not for the payment's money), amt no more than it has due, and a tolerated kind
// within tolerance for the invoice's currency, counting what that kind already settled on it
// (adjusted): splitting a write-off into small lines gains nothing.
func checkAdjustment(p *Payment, inv *Invoice, kind string, amt, adjusted, tolerance money.Amount, field string) error {
	if p.OrganizationID == "" {
		return &Error{Code: EPaymentUnassigned, Field: field, Message: "the payment is not assigned to an organization; name organization_id to assign it"}
	}
	if err := inv.refusalIn(p, field, true); err != nil {
		return err
	}
	if kind == AdjustFXDifference && inv.Currency == p.Currency {
		return Invalid(field+".kind", "fx_difference is for an invoice in another currency than the payment's (%s); use write_off", p.Currency)
	}
	if amt > inv.AmountDue() {
		return inv.overAllocation(field + ".amount")
	}
	if slices.Contains(toleratedKinds, kind) && adjusted+amt > tolerance {
		return &Error{Code: EOverTolerance, Field: field + ".amount", Message: fmt.Sprintf(
			"a %s of %s %s on invoice %s is above the workspace's tolerance of %s %s%s; an admin sets it under settings, tolerances",
			strings.ReplaceAll(kind, "_", "-"), money.Format(amt, inv.Currency), inv.Currency, inv.Number, money.Format(tolerance, inv.Currency), inv.Currency,
			alreadyText(adjusted, inv.Currency))}
	}
	return nil
}

func alreadyText(adjusted money.Amount, cur money.Currency) string {
	if adjusted == 0 {
		return ""
	}
	return fmt.Sprintf(" (the invoice has %s %s of it already)", money.Format(adjusted, cur), cur)
}

// adjustmentAccount is where an adjustment of kind on inv is debited. On a standard invoice it is
// an expense. On a proforma or top-up invoice it takes its part out of what the invoice will
// provision (deferred revenue, or the top-up's clearing): such an invoice provisions only what
// money paid (docs/domain.md), so the difference costs nothing and is no expense.
func adjustmentAccount(inv *Invoice, kind string) string {
	if inv.provisions() {
		return issueAccount(inv.Kind)
	}
	return ExpenseAccount(kind)
}

// applyAdjustment settles amt of inv by an adjustment of kind for reason, in p's allocation
// request, after checkAdjustment passed.
func (c *changes) applyAdjustment(p *Payment, inv *Invoice, kind, reason string, amt money.Amount) *Allocation {
	a := &Allocation{ID: NewID(PrefixAllocation), PaymentID: p.ID, InvoiceID: inv.ID, Kind: kind, Reason: reason, Amount: amt,
		Currency: inv.Currency, InvoiceAmount: amt, InvoiceCurrency: inv.Currency, CreatedBy: c.actor, CreatedAt: c.now, InvoiceNumber: inv.Number}
	inv.AmountAdjusted += amt
	c.post("adjustment.created", a.ID, func(j *posting) {
		j.transfer(adjustmentAccount(inv, kind), ReceivableAccount(inv.OrganizationID), inv.Currency, amt)
	})
	c.settleInvoice(inv)
	return a // its audit event is the caller's, once linkAdjustments has tied it to its money
}

// linkAdjustments ties each adjustment of one request to the request's money for the same
// invoice, if any (the last such line): the adjustment settled what that money left, so releasing
// the money releases it too.
func linkAdjustments(made []*Allocation) {
	money := map[string]string{}
	for _, a := range made {
		if !a.IsAdjustment() {
			money[a.InvoiceID] = a.ID
		}
	}
	for _, a := range made {
		if a.IsAdjustment() {
			a.MoneyAllocationID = money[a.InvoiceID]
		}
	}
}
