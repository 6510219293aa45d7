package finapp

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"finapp/money"
)

// A payment's audit events and outbox events, recorded one by one or imported by the thousand,
// carry one snapshot form; the audit trail of every payment ever recorded has it, so it must not
// drift: the same keys, the same values, in the order JSON gives a map's keys. A key added to
// the snapshot fails this test until it is added here too, on purpose.
func TestPaymentSnapshot_KeepsTheAuditTrailsForm(t *testing.T) {
	rapid.Check(t, func(rt *rapid.T) {
		cur := money.Currency(rapid.SampledFrom([]string{"SGD", "JPY", "KWD", "USD"}).Draw(rt, "currency"))
		text := rapid.OneOf(rapid.String(), rapid.SampledFrom([]string{"", "<b>&amp;</b>", `"quoted" \ back`, "日本語", "\u2028\t\n", "\x7f"}))
		amount := money.Amount(rapid.Int64Range(1, int64(money.MaxAmount)).Draw(rt, "amount"))
		p := &Payment{ID: NewID(PrefixPayment), Amount: amount, Currency: cur, ReceivedOn: "2026-01-31",
			Method:      rapid.SampledFrom(Methods).Draw(rt, "method"),
			Reference:   text.Draw(rt, "reference"),
			InvoiceHint: text.Draw(rt, "invoice"),
			Remark:      text.Draw(rt, "remark"),
			Version:     rapid.IntRange(1, 9).Draw(rt, "version"), AssignmentChanges: rapid.IntRange(0, 5).Draw(rt, "changes")}
		if rapid.Bool().Draw(rt, "assigned") {
			p.OrganizationID = NewID(PrefixOrganization)
			p.Allocated = money.Amount(rapid.Int64Range(0, int64(amount)).Draw(rt, "allocated"))
			p.ToppedUp = money.Amount(rapid.Int64Range(0, int64(amount-p.Allocated)).Draw(rt, "topped up"))
		}
		if rapid.Bool().Draw(rt, "deleted") {
			at := time.Now()
			p.DeletedAt = &at
		}
		form := map[string]any{
			"id": p.ID, "organization_id": p.OrganizationID, "amount": money.Format(p.Amount, p.Currency),
			"currency": p.Currency, "received_on": p.ReceivedOn, "method": p.Method, "reference": p.Reference,
			"invoice_number": p.InvoiceHint, "remark": p.Remark, "allocated": money.Format(p.Allocated, p.Currency),
			"topped_up": money.Format(p.ToppedUp, p.Currency), "status": p.Status(), "version": p.Version,
			"assignment_changes": p.AssignmentChanges, "deleted": p.DeletedAt != nil,
		}
		if got, want := snapshot(p), mustJSON(form); got != want {
			rt.Fatalf("snapshot\n%s\nthe audit trail's form\n%s", got, want)
		}
	})
}
