package finapp

import (
	"context"
	"strings"

	"finapp/money"
)

// Automatic top-up (SPEC §6.3): when a capture or a withdrawal leaves a prepaid customer's
// usable credit below its threshold, finapp issues a top_up invoice of the set amount; paying it
// provisions the credit like any top-up invoice. Two rules keep it from flooding the customer:
//   - at most one per customer and business day, exactly once however many servers decide at
//     the same instant: the store's unique key on (customer, day) is claimed in the same
//     transaction as the invoice;
//   - none while an earlier automatic top-up of the customer is still unpaid: a customer who does
//     not pay is reminded of that invoice, not sent a new one each day.

// autoTopUpPrefix starts an automatic top-up invoice's number.
const autoTopUpPrefix = "TOPUP-"

// autoTopUpNumber is the number of a customer's automatic top-up invoice of day (YYYY-MM-DD):
// unique, as there is at most one per customer and day.
func autoTopUpNumber(orgID, day string) string {
	return autoTopUpPrefix + strings.ReplaceAll(day, "-", "") + "-" + strings.TrimPrefix(orgID, PrefixOrganization)
}

// autoTopUp issues the customer's automatic top-up invoice if its settings ask for one in
// currency cur and usableAfter (its usable credit once the change is saved; called only then,
// as the common case of no automatic top-up reads no balance) is below the threshold.
func autoTopUp(ctx context.Context, tx Tx, c *changes, orgID string, cur money.Currency, today string,
	usableAfter func() (money.Sum, error)) error {
	a, err := tx.AutoTopUpSettings(ctx, orgID)
	if err != nil || !a.Enabled || a.Currency != cur {
		return err
	}
	usable, err := usableAfter()
	if err != nil || usable.Cmp(money.SumOf(a.Threshold)) >= 0 {
		return err
	}
	if pending, err := tx.AutoTopUpPending(ctx, orgID); err != nil || pending {
		return err
	}
	inv := &Invoice{ID: NewID(PrefixInvoice), Number: autoTopUpNumber(orgID, today), OrganizationID: orgID, Kind: KindTopUp,
		Currency: cur, Total: a.Amount, IssuedOn: today, DueOn: today, Status: InvoiceUnpaid}
	if claimed, err := tx.ClaimAutoTopUp(ctx, orgID, today, inv.ID); err != nil || !claimed {
		return err // claimed today already, by this server or another
	}
	if err := issueInvoice(ctx, tx, c, inv); err != nil {
		return err
	}
	c.event(EventCreditLow, orgID, map[string]any{"organization_id": orgID, "currency": cur,
		"usable": usable.Format(cur), "threshold": money.Format(a.Threshold, cur), "top_up_invoice_id": inv.ID,
		"top_up_amount": money.Format(a.Amount, cur)})
	return nil
}
