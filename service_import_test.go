package finapp

import (
	"testing"
	"time"

	"pgregory.net/rapid"

	"finapp/money"
)

// An imported payment's audit event and outbox event carry paymentJSON, a recorded one's carry
// paymentSnapshot: they must be the same bytes for every payment, or an imported payment would
// not read like a recorded one. A key added to paymentSnapshot fails this test until paymentJSON
// has it too.
func TestPaymentJSON_IsPaymentSnapshot(t *testing.T) {
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
		if got, want := mustJSON(paymentJSONOf(p)), snapshot(p); got != want {
			rt.Fatalf("paymentJSON\n%s\nsnapshot\n%s", got, want)
		}
	})
}
