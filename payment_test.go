package finapp

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"finapp/money"
)

// SPEC §1: assign, unassign, assign, unassign, assign — five changes in a payment's life, the
// one made at recording counting as the first; the sixth is refused.
func TestAssign_SixthChangeIsRefused(t *testing.T) {
	org := &Organization{ID: acme, Name: "Acme"}
	for used := 0; used <= MaxAssignmentChanges; used++ {
		p := paymentOf("", sgd(100))
		p.AssignmentChanges = used
		want := "accepted"
		if used == MaxAssignmentChanges {
			want = EAssignmentLimit
		}
		c := ruleChanges()
		if got := refusal(c.assign(p, org)); got != want {
			t.Errorf("assigning after %d changes: %s, want %s", used, got, want)
		}
		if got := refusal(checkAssignmentChange(&Payment{AssignmentChanges: used}, 1)); got != want {
			t.Errorf("one more change after %d: %s, want %s", used, got, want)
		}
		if want == EAssignmentLimit && (p.OrganizationID != "" || p.AssignmentChanges != used || len(c.journal) != 0) {
			t.Errorf("a refused assignment changed the payment: %+v, %d entries", *p, len(c.journal))
		}
		if want == "accepted" && (p.OrganizationID != acme || p.AssignmentChanges != used+1) {
			t.Errorf("assigned after %d changes: organization %q, %d changes", used, p.OrganizationID, p.AssignmentChanges)
		}
	}
	if p := (&Payment{AssignmentChanges: 4}); refusal(checkAssignmentChange(p, 2)) != EAssignmentLimit || p.AssignmentChangesLeft() != 1 {
		t.Errorf("moving a payment with 1 change left to another organization (2 changes) must be refused")
	}
	if err := checkAssignmentChange(&Payment{AssignmentChanges: 3}, 2); err != nil {
		t.Errorf("moving a payment with 2 changes left: %v", err)
	}
}

// Assigning moves the payment's unallocated money from the unassigned pool to the customer.
func TestAssign_MovesTheUnallocatedMoneyToTheCustomer(t *testing.T) {
	c, p := ruleChanges(), paymentOf("", sgd(100))
	if err := c.assign(p, &Organization{ID: acme, Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	if want := []string{"payment.assigned unapplied:unassigned > unapplied:org_acme 100.00 SGD"}; !slices.Equal(c.postings(), want) {
		t.Errorf("postings %q, want %q", c.postings(), want)
	}
	if p.OrganizationName != "Acme" || p.Status() != PaymentUnallocated {
		t.Errorf("assigned payment %+v is %s", *p, p.Status())
	}
}

// SPEC §3: an edit may not bring the amount below what is allocated and topped up
// (amount_below_applied), nor change the currency once money is applied (payment_in_use).
func TestEditPayment_RefusesAmountBelowAppliedAndCurrencyOnceApplied(t *testing.T) {
	s := func(v string) *string { return &v }
	applied := func() *Payment {
		p := paymentOf(acme, sgd(100))
		p.Allocated, p.ToppedUp = sgd(50), sgd(10)
		return p
	}
	for _, tc := range []struct {
		name string
		p    *Payment
		u    PaymentUpdate
		want string
	}{
		{"RefusesAmountBelowAllocatedPlusToppedUp", applied(), PaymentUpdate{Amount: s("59.99")}, "amount_below_applied on amount"},
		{"TakesAmountEqualToApplied", applied(), PaymentUpdate{Amount: s("60.00")}, "accepted"},
		{"RefusesCurrencyChangeOnceApplied", applied(), PaymentUpdate{Currency: s("USD")}, "payment_in_use on currency"},
		{"RefusesCurrencyChangeOnceToppedUp", &Payment{OrganizationID: acme, Amount: sgd(100), ToppedUp: 1, Currency: "SGD"}, PaymentUpdate{Currency: s("USD")}, "payment_in_use on currency"},
		{"TakesTheSameCurrencyOnceApplied", applied(), PaymentUpdate{Currency: s("SGD"), Amount: s("80.00")}, "accepted"},
		{"TakesCurrencyChangeWithNothingApplied", paymentOf(acme, sgd(100)), PaymentUpdate{Currency: s("USD")}, "accepted"},
		{"RefusesCurrencyWithOtherMinorUnitsWithoutAmount", &Payment{Amount: 12345, Currency: "SGD"}, PaymentUpdate{Currency: s("JPY")}, "validation_error on amount"},
		{"RefusesMalformedAmount", paymentOf(acme, sgd(100)), PaymentUpdate{Amount: s("1.234")}, "validation_error on amount"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := *tc.p
			next, err := checkEdit(tc.p, tc.u)
			if got := refusal(err); got != tc.want {
				t.Fatalf("checkEdit: %s (%v), want %s", got, err, tc.want)
			}
			if !reflect.DeepEqual(*tc.p, before) {
				t.Errorf("the loaded payment was changed: %+v, was %+v", *tc.p, before)
			}
			if err == nil && next == tc.p {
				t.Errorf("checkEdit returned the loaded payment itself, not the edited copy")
			}
		})
	}
}

// A top-up needs an assigned payment and at most its unallocated money; no amount means all of it.
func TestTopUp_RefusesUnassignedPaymentAndMoreThanUnallocated(t *testing.T) {
	partly := paymentOf(acme, sgd(100))
	partly.Allocated = sgd(70)
	full := paymentOf(acme, sgd(100))
	full.Allocated = sgd(100)
	for _, tc := range []struct {
		name   string
		p      *Payment
		amount string
		want   string
		amt    money.Amount
	}{
		{"TakesAllUnallocatedByDefault", partly, "", "accepted", sgd(30)},
		{"TakesPartOfUnallocated", partly, "12.50", "accepted", 1250},
		{"RefusesMoreThanUnallocated", partly, "30.01", "over_allocation on amount", 0},
		{"RefusesAFullyAllocatedPayment", full, "", "over_allocation on amount", 0},
		{"RefusesUnassignedPayment", paymentOf("", sgd(100)), "", EPaymentUnassigned, 0},
		{"RefusesMalformedAmount", partly, "ten", "validation_error on amount", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			amt, err := checkTopUp(tc.p, tc.amount)
			if got := refusal(err); got != tc.want || amt != tc.amt {
				t.Errorf("checkTopUp: %s %d, want %s %d", got, amt, tc.want, tc.amt)
			}
		})
	}
}

// Recording a payment, over the API or from an import file, makes the same payment, posts the
// receipt and records and announces it with one snapshot.
func TestRecordPayment_MakesThePaymentPostsTheReceiptAuditsAndAnnounces(t *testing.T) {
	for _, tc := range []struct {
		name    string
		org     *Organization
		changes int
		posting string
	}{
		{"Unassigned", nil, 0, "payment.recorded cash:bank_transfer > unapplied:unassigned 100.00 SGD"},
		{"AssignedAtRecording", &Organization{ID: acme, Name: "Acme"}, 1, "payment.recorded cash:bank_transfer > unapplied:org_acme 100.00 SGD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, p := ruleChanges(), paymentOf("", sgd(100))
			p.ID, p.Version = "", 0
			c.recordPayment(p, tc.org, "import imp_1 line 7")
			if !strings.HasPrefix(p.ID, PrefixPayment) || p.Version != 1 || p.CreatedBy != c.actor || !p.CreatedAt.Equal(ruleNow) || p.AssignmentChanges != tc.changes {
				t.Errorf("recorded payment %+v", *p)
			}
			if tc.org != nil && (p.OrganizationID != tc.org.ID || p.OrganizationName != tc.org.Name) {
				t.Errorf("assigned to %q %q", p.OrganizationID, p.OrganizationName)
			}
			if got := c.postings(); !slices.Equal(got, []string{tc.posting}) {
				t.Errorf("postings %q, want %q", got, tc.posting)
			}
			if len(c.audit) != 1 || len(c.events) != 1 {
				t.Fatalf("%d audit events, %d outbox events; want one each", len(c.audit), len(c.events))
			}
			a, e := c.audit[0], c.events[0]
			if a.Action != "payment.recorded" || a.Entity != "payment" || a.EntityID != p.ID || a.Source != "import imp_1 line 7" || a.Actor != c.actor || a.Before != "" {
				t.Errorf("audit event %+v", *a)
			}
			if e.Type != "payment.recorded" || e.EntityID != p.ID || e.Payload != a.After || a.After != snapshot(p) {
				t.Errorf("outbox event %+v; its payload must be the audit event's snapshot %s", *e, a.After)
			}
		})
	}
}

// SPEC §2: a payment's status is derived from its assignment and amounts.
func TestPaymentStatus_DerivedFromAssignmentAndAmounts(t *testing.T) {
	for _, tc := range []struct {
		p    Payment
		want string
	}{
		{Payment{Amount: 100}, PaymentUnassigned},
		{Payment{OrganizationID: acme, Amount: 100}, PaymentUnallocated},
		{Payment{OrganizationID: acme, Amount: 100, Allocated: 40}, PaymentPartiallyAllocated},
		{Payment{OrganizationID: acme, Amount: 100, ToppedUp: 40}, PaymentPartiallyAllocated},
		{Payment{OrganizationID: acme, Amount: 100, Allocated: 60, ToppedUp: 40}, PaymentFullyAllocated},
	} {
		if got := tc.p.Status(); got != tc.want {
			t.Errorf("%+v is %s, want %s", tc.p, got, tc.want)
		}
	}
}
