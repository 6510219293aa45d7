package finapp

import (
	"slices"
	"testing"
	"time"
)

// SPEC §3: an invoice with money on it cannot be voided (invoice_has_payments), a provisioned one
// never; voiding twice is a conflict, a stale If-Match a version conflict.
func TestVoidInvoice_RefusesInvoiceWithPayments(t *testing.T) {
	at := ruleNow
	for _, tc := range []struct {
		name    string
		inv     Invoice
		ifMatch int
		want    string
	}{
		{"VoidsAnUnpaidInvoice", Invoice{Status: InvoiceUnpaid, Version: 3}, 0, "accepted"},
		{"VoidsAtTheVersionRead", Invoice{Status: InvoiceUnpaid, Version: 3}, 3, "accepted"},
		{"VoidsAnInvoiceWhosePaymentsWereReleased", Invoice{Status: InvoiceUnpaid, Version: 5}, 0, "accepted"},
		{"RefusesPartiallyPaidInvoice", Invoice{Status: InvoicePartiallyPaid, Total: 100, AmountPaid: 1}, 0, EInvoiceHasPayments},
		{"RefusesPaidInvoice", Invoice{Status: InvoicePaid, Total: 100, AmountPaid: 100}, 0, EInvoiceHasPayments},
		{"RefusesProvisionedInvoice", Invoice{Kind: KindTopUp, Status: InvoiceProvisioned, Total: 100, AmountPaid: 100, ProvisionedAt: &at}, 0, EInvoiceHasPayments},
		{"RefusesVoidInvoice", Invoice{Status: InvoiceVoid, VoidedAt: &at}, 0, EConflict},
		{"RefusesStaleVersion", Invoice{Status: InvoiceUnpaid, Version: 3}, 2, EVersionConflict},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := refusal(checkVoid(&tc.inv, tc.ifMatch)); got != tc.want {
				t.Errorf("checkVoid: %s, want %s", got, tc.want)
			}
		})
	}
}

// SPEC §2: the status an invoice's amounts imply, by kind, void and provisioned for ever; and
// the derived overdue flag (as of 2026-03-01): past due_on with money still due.
func TestInvoice_StatusAndOverdueFollowTheAmounts(t *testing.T) {
	for _, tc := range []struct {
		name    string
		inv     Invoice
		status  string
		overdue bool
	}{
		{"NothingPaidIsUnpaid", Invoice{Kind: KindStandard, Total: 100, DueOn: "2026-03-01"}, InvoiceUnpaid, false},
		{"UnpaidDueYesterdayIsOverdue", Invoice{Kind: KindStandard, Total: 100, DueOn: "2026-02-28"}, InvoiceUnpaid, true},
		{"PartOfTheTotalIsPartiallyPaid", Invoice{Kind: KindTopUp, Total: 100, AmountPaid: 99, DueOn: "2026-02-01"}, InvoicePartiallyPaid, true},
		{"AllOfAStandardInvoiceIsPaid", Invoice{Kind: KindStandard, Total: 100, AmountPaid: 100, DueOn: "2026-02-01"}, InvoicePaid, false},
		{"AllOfAProformaInvoiceIsProvisioned", Invoice{Kind: KindProforma, Total: 100, AmountPaid: 100, DueOn: "2026-02-01"}, InvoiceProvisioned, false},
		{"AllOfATopUpInvoiceIsProvisioned", Invoice{Kind: KindTopUp, Total: 100, AmountPaid: 100}, InvoiceProvisioned, false},
		{"ProvisionedStaysProvisioned", Invoice{Kind: KindTopUp, Total: 100, AmountPaid: 0, ProvisionedAt: &ruleNow, DueOn: "2026-03-01"}, InvoiceProvisioned, false},
		{"VoidStaysVoidAndOwesNothing", Invoice{Kind: KindStandard, Total: 100, Status: InvoiceVoid, DueOn: "2026-02-01"}, InvoiceVoid, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inv := tc.inv
			if inv.Status = inv.statusFor(); inv.Status != tc.status || inv.Overdue("2026-03-01") != tc.overdue {
				t.Errorf("statusFor %s, overdue %v; want %s, %v", inv.Status, inv.Overdue("2026-03-01"), tc.status, tc.overdue)
			}
		})
	}
}

// The one list of statuses holds every status statusFor can give, and the list filter takes
// them all and overdue.
func TestInvoiceStatuses_AreEveryStatusAndTheFilterAddsOverdue(t *testing.T) {
	want := []string{InvoiceUnpaid, InvoicePartiallyPaid, InvoicePaid, InvoiceProvisioned, InvoiceVoid}
	if !slices.Equal(InvoiceStatuses, want) {
		t.Errorf("InvoiceStatuses %q, want %q", InvoiceStatuses, want)
	}
	if want := append(slices.Clone(want), InvoiceOverdue); !slices.Equal(InvoiceFilterStatuses, want) {
		t.Errorf("InvoiceFilterStatuses %q, want %q", InvoiceFilterStatuses, want)
	}
	at := time.Now()
	for _, inv := range []Invoice{{}, {Total: 2, AmountPaid: 1}, {Total: 1, AmountPaid: 1}, {Kind: KindProforma, ProvisionedAt: &at}, {Status: InvoiceVoid}} {
		if s := inv.statusFor(); !slices.Contains(InvoiceStatuses, s) {
			t.Errorf("statusFor gives %q, which InvoiceStatuses lacks", s)
		}
	}
}

func TestInvoiceUpdate_Apply(t *testing.T) {
	str := func(s string) *string { return &s }
	open := func() *Invoice {
		return &Invoice{Number: "A-1", Kind: KindStandard, Currency: "SGD", Total: 10000, IssuedOn: "2026-11-01", DueOn: "2026-11-30",
			Status: InvoiceUnpaid, Version: 3}
	}
	paid := func() *Invoice { i := open(); i.AmountPaid, i.Status = 4000, InvoicePartiallyPaid; return i }
	provisioned := func() *Invoice {
		i := open()
		i.Kind, i.AmountPaid, i.Status = KindProforma, 10000, InvoiceProvisioned
		return i
	}
	void := func() *Invoice { i := open(); i.Status = InvoiceVoid; return i }
	for _, c := range []struct {
		name    string
		inv     *Invoice
		ifMatch int
		u       InvoiceUpdate
		code    string // "" when applied
		field   string
	}{
		{"everything without money", open(), 3, InvoiceUpdate{Number: str("A-2"), Kind: str(KindTopUp), Total: str("120.00"), IssuedOn: str("2026-11-02"),
			DueOn: str("2026-12-01"), ExternalID: str("in_1"), Metadata: &Metadata{"k": "v"}}, "", ""},
		{"stale version", open(), 2, InvoiceUpdate{DueOn: str("2026-12-01")}, EVersionConflict, ""},
		{"void", void(), 0, InvoiceUpdate{DueOn: str("2026-12-01")}, EInvoiceVoid, ""},
		{"zero total", open(), 0, InvoiceUpdate{Total: str("0.00")}, EInvalid, "total"},
		{"bad kind", open(), 0, InvoiceUpdate{Kind: str("gift")}, EInvalid, "kind"},
		{"empty number", open(), 0, InvoiceUpdate{Number: str(" ")}, EInvalid, "number"},
		{"due before issue", open(), 0, InvoiceUpdate{IssuedOn: str("2026-12-05")}, EInvalid, "due_on"},
		{"paid: due date", paid(), 0, InvoiceUpdate{DueOn: str("2027-01-31"), Metadata: &Metadata{}}, "", ""},
		{"paid: same total is no change", paid(), 0, InvoiceUpdate{Total: str("100.00")}, "", ""},
		{"paid: total", paid(), 0, InvoiceUpdate{Total: str("90.00")}, EInvoiceHasPayments, "total"},
		{"paid: number", paid(), 0, InvoiceUpdate{Number: str("A-9")}, EInvoiceHasPayments, "number"},
		{"paid: kind", paid(), 0, InvoiceUpdate{Kind: str(KindProforma)}, EInvoiceHasPayments, "kind"},
		{"paid: issued_on", paid(), 0, InvoiceUpdate{IssuedOn: str("2026-10-01")}, EInvoiceHasPayments, "issued_on"},
		{"paid: external_id", paid(), 0, InvoiceUpdate{ExternalID: str("in_2")}, EInvoiceHasPayments, "external_id"},
		{"provisioned: due date", provisioned(), 0, InvoiceUpdate{DueOn: str("2027-01-31")}, "", ""},
		{"provisioned: kind", provisioned(), 0, InvoiceUpdate{Kind: str(KindStandard)}, EInvoiceHasPayments, "kind"},
	} {
		before := *c.inv
		got, err := c.u.apply(c.inv, c.ifMatch)
		switch {
		case c.code == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.code != "" && (ErrorCode(err) != c.code || ErrorField(err) != c.field):
			t.Errorf("%s: %v (field %q), want %s naming %q", c.name, err, ErrorField(err), c.code, c.field)
		case c.code == "" && got.Version != before.Version+1:
			t.Errorf("%s: version %d", c.name, got.Version)
		}
		if c.inv.Number != before.Number || c.inv.Total != before.Total || c.inv.Version != before.Version {
			t.Errorf("%s: the invoice itself was changed", c.name)
		}
	}
}
