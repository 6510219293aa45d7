package api_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

// Helpers shared by the tests of this package's new files (rules, validation, lists, protocol).

// lines builds the allocations of a request from invoice id, amount pairs.
func allocLines(pairs ...string) []map[string]any {
	var out []map[string]any
	for i := 0; i+1 < len(pairs); i += 2 {
		out = append(out, map[string]any{"invoice_id": pairs[i], "amount": pairs[i+1]})
	}
	return out
}

// num returns a top-level number field of a JSON response (-1 when absent).
func (r *response) intField(field string) int {
	f, ok := r.JSON[field].(float64)
	if !ok {
		return -1
	}
	return int(f)
}

// list returns the "data" array of a list response as objects.
func (r *response) dataList() []map[string]any {
	raw, _ := r.JSON["data"].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		out = append(out, x.(map[string]any))
	}
	return out
}

// objects returns an array field of a JSON response as objects.
func (r *response) objectsOf(field string) []map[string]any {
	raw, _ := r.JSON[field].([]any)
	out := make([]map[string]any, 0, len(raw))
	for _, x := range raw {
		out = append(out, x.(map[string]any))
	}
	return out
}

func (s *testServer) fetchPayment(id string) *response {
	s.t.Helper()
	return s.must(200, "GET", "/v1/payments/"+id, nil)
}

func (s *testServer) fetchInvoice(id string) *response {
	s.t.Helper()
	return s.must(200, "GET", "/v1/invoices/"+id, nil)
}

// allocate posts to a payment's allocations (body may name organization_id, allocations or auto).
func (s *testServer) allocate(payID string, body map[string]any, headers ...string) *response {
	s.t.Helper()
	return s.call("POST", "/v1/payments/"+payID+"/allocations", body, headers...)
}

// paymentWith records a payment with extra body fields (e.g. received_on, reference) and
// returns its id. orgID may be "".
func (s *testServer) paymentWith(orgID, amount, currency string, extra ...string) string {
	s.t.Helper()
	body := map[string]any{"amount": amount, "currency": currency, "method": "bank_transfer", "reference": "REF"}
	if orgID != "" {
		body["organization_id"] = orgID
	}
	for i := 0; i+1 < len(extra); i += 2 {
		body[extra[i]] = extra[i+1]
	}
	return s.must(201, "POST", "/v1/payments", body).str("id")
}

// balance returns one of an organization's balances (outstanding, unapplied, credit_balance) in
// currency, formatted with the currency's digits; an absent balance is zero.
func (s *testServer) orgBalance(orgID, field, currency string) string {
	s.t.Helper()
	o := s.must(200, "GET", "/v1/organizations/"+orgID, nil)
	for _, m := range o.objectsOf(field) {
		if m["currency"] == currency {
			return m["amount"].(string)
		}
	}
	return money.Format(0, money.Currency(currency))
}

// countPayments counts the payments the list shows (with deleted ones when includeDeleted).
func (s *testServer) countPayments(includeDeleted bool) int {
	s.t.Helper()
	path := "/v1/payments?limit=500"
	if includeDeleted {
		path += "&include_deleted=true"
	}
	return len(s.must(200, "GET", path, nil).dataList())
}

// books is a fingerprint of everything the workspace has written: the audit trail, the journal,
// and every payment and invoice as listed. Equal fingerprints before and after a refused request
// show that it wrote nothing.
func (s *testServer) booksFingerprint() string {
	s.t.Helper()
	// What the server wrote is sealed first (PostgreSQL seals after commit), so that sealing
	// is not taken for a change.
	if err := s.DB.SealNow(context.Background()); err != nil {
		s.t.Fatal(err)
	}
	var b strings.Builder
	b.Write(s.must(200, "GET", "/v1/audit?limit=500", nil).Body)
	b.Write(s.must(200, "GET", "/v1/journal/export?format=ledger", nil).Body)
	b.Write(s.must(200, "GET", "/v1/payments?limit=500&include_deleted=true", nil).Body)
	b.Write(s.must(200, "GET", "/v1/invoices?limit=500", nil).Body)
	return b.String()
}

// auditActions lists the actions of the audit trail of one entity, oldest first.
func (s *testServer) auditActions(entityID string) []string {
	s.t.Helper()
	events := s.must(200, "GET", "/v1/audit?limit=500&entity_id="+url.QueryEscape(entityID), nil).dataList()
	out := make([]string, 0, len(events))
	for i := len(events) - 1; i >= 0; i-- {
		out = append(out, events[i]["action"].(string))
	}
	return out
}

// journalOps counts by operation the journal entries that touch an organization's accounts,
// read from the books (the statement lists documents, not journal entries).
func (s *testServer) journalOps(orgID string) map[string]int {
	s.t.Helper()
	entries, err := s.Svc.Journal(operator(context.Background(), finapp.DefaultWorkspace))
	if err != nil {
		s.t.Fatal(err)
	}
	mine := map[string]bool{finapp.ReceivableAccount(orgID): true, finapp.UnappliedAccount(orgID): true, finapp.CreditAccount(orgID): true}
	out := map[string]int{}
	for _, e := range entries {
		for _, l := range e.Lines {
			if mine[l.Account] {
				out[e.Operation]++
				break
			}
		}
	}
	return out
}

// expectInvoice checks an invoice's status, amount paid and amount due.
func (s *testServer) expectInvoice(id, status, paid, due string) {
	s.t.Helper()
	r := s.fetchInvoice(id)
	if r.str("status") != status || r.str("amount_paid") != paid || r.str("amount_due") != due {
		s.t.Fatalf("invoice %s: status %q paid %q due %q, want %q %q %q: %s", r.str("number"), r.str("status"),
			r.str("amount_paid"), r.str("amount_due"), status, paid, due, r.Body)
	}
}

// expectPayment checks a payment's status, allocated, topped up and unallocated amounts.
func (s *testServer) expectPayment(id, status, allocated, toppedUp, unallocated string) *response {
	s.t.Helper()
	r := s.fetchPayment(id)
	if r.str("status") != status || r.str("allocated") != allocated || r.str("topped_up") != toppedUp || r.str("unallocated") != unallocated {
		s.t.Fatalf("payment: status %q allocated %q topped_up %q unallocated %q, want %q %q %q %q: %s", r.str("status"),
			r.str("allocated"), r.str("topped_up"), r.str("unallocated"), status, allocated, toppedUp, unallocated, r.Body)
	}
	return r
}

// expectBalances checks an organization's outstanding, unapplied and credit balances in currency.
func (s *testServer) expectBalances(orgID, currency, outstanding, unapplied, credit string) {
	s.t.Helper()
	got := [3]string{s.orgBalance(orgID, "outstanding", currency), s.orgBalance(orgID, "unapplied", currency), s.orgBalance(orgID, "credit_balance", currency)}
	if want := [3]string{outstanding, unapplied, credit}; got != want {
		s.t.Fatalf("organization balances (outstanding, unapplied, credit) %v, want %v", got, want)
	}
}

// activeAllocations returns the ids of a payment's allocations that are not released.
func activeAllocations(p *response) []string {
	var out []string
	for _, a := range p.objectsOf("allocations") {
		if a["released_at"] == nil {
			out = append(out, a["id"].(string))
		}
	}
	return out
}

// acmeWorld is a typical customer: SGD organization "Acme Telecom" and helpers around it.
type acmeWorld struct {
	*testServer
	acme string
}

func newAcmeWorld(t *testing.T) *acmeWorld {
	s := newTestServer(t)
	return &acmeWorld{testServer: s, acme: s.org("Acme Telecom", "SGD")}
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: refusals of an allocation request. Each case builds its acmeWorld, sends one allocation
// request, expects the refusal, and then checks that nothing at all was written.

func TestAllocate_RefusalsOfSpecSection3(t *testing.T) {
	type setup func(w *acmeWorld) (payID string, body map[string]any)
	cases := []struct {
		name   string
		setup  setup
		status int
		code   string
		field  string
	}{
		{"RefusesMoreThanPaymentUnallocated", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "500.00")
			return w.payment(w.acme, "100.00", "SGD"), map[string]any{"allocations": allocLines(inv, "100.01")}
		}, 409, "over_allocation", "allocations[0]"},
		{"RefusesMoreThanPaymentUnallocatedAfterTopUp", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "500.00")
			pay := w.payment(w.acme, "100.00", "SGD")
			w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "30.00"})
			return pay, map[string]any{"allocations": allocLines(inv, "70.01")}
		}, 409, "over_allocation", "allocations[0]"},
		{"RefusesMoreThanInvoiceDue", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			return w.payment(w.acme, "500.00", "SGD"), map[string]any{"allocations": allocLines(inv, "100.01")}
		}, 409, "over_allocation", "allocations[0]"},
		{"RefusesMoreThanInvoiceDueAfterAnotherPayment", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			first := w.payment(w.acme, "60.00", "SGD")
			w.must(200, "POST", "/v1/payments/"+first+"/allocations", map[string]any{"allocations": allocLines(inv, "60.00")})
			return w.payment(w.acme, "500.00", "SGD"), map[string]any{"allocations": allocLines(inv, "40.01")}
		}, 409, "over_allocation", "allocations[0]"},
		{"RefusesTwoLinesOnOneInvoiceSummingOverDue", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			return w.payment(w.acme, "500.00", "SGD"), map[string]any{"allocations": allocLines(inv, "60.00", inv, "40.01")}
		}, 409, "over_allocation", "allocations[1]"},
		{"RefusesLinesSummingOverPaymentUnallocated", func(w *acmeWorld) (string, map[string]any) {
			a := w.invoice(w.acme, "INV-1", "standard", "100.00")
			b := w.invoice(w.acme, "INV-2", "standard", "100.00")
			return w.payment(w.acme, "150.00", "SGD"), map[string]any{"allocations": allocLines(a, "100.00", b, "50.01")}
		}, 409, "over_allocation", "allocations[1]"},
		{"RefusesUnassignedPaymentWithoutOrganization", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			return w.payment("", "100.00", "SGD"), map[string]any{"allocations": allocLines(inv, "10.00")}
		}, 409, "payment_unassigned", "organization_id"},
		{"RefusesAutoForUnassignedPaymentWithoutOrganization", func(w *acmeWorld) (string, map[string]any) {
			w.invoice(w.acme, "INV-1", "standard", "100.00")
			return w.payment("", "100.00", "SGD"), map[string]any{"auto": true}
		}, 409, "payment_unassigned", "organization_id"},
		{"RefusesInvoiceOfAnotherOrganization", func(w *acmeWorld) (string, map[string]any) {
			other := w.org("Globex", "SGD")
			inv := w.invoice(other, "INV-9", "standard", "100.00")
			return w.payment(w.acme, "100.00", "SGD"), map[string]any{"allocations": allocLines(inv, "10.00")}
		}, 422, "organization_mismatch", "allocations[0]"},
		{"RefusesAssignAndAllocateToInvoiceOfAnotherOrganization", func(w *acmeWorld) (string, map[string]any) {
			other := w.org("Globex", "SGD")
			inv := w.invoice(other, "INV-9", "standard", "100.00")
			return w.payment("", "100.00", "SGD"), map[string]any{"organization_id": w.acme, "allocations": allocLines(inv, "10.00")}
		}, 422, "organization_mismatch", "allocations[0]"},
		{"RefusesOrganizationOtherThanThePaymentsOwn", func(w *acmeWorld) (string, map[string]any) {
			other := w.org("Globex", "SGD")
			inv := w.invoice(other, "INV-9", "standard", "100.00")
			return w.payment(w.acme, "100.00", "SGD"), map[string]any{"organization_id": other, "allocations": allocLines(inv, "10.00")}
		}, 422, "organization_mismatch", "organization_id"},
		{"RefusesInvoiceInAnotherCurrency", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-USD", "standard", "100.00", "currency", "USD")
			return w.payment(w.acme, "100.00", "SGD"), map[string]any{"allocations": allocLines(inv, "10.00")}
		}, 422, "currency_mismatch", "allocations[0]"},
		{"RefusesVoidInvoice", func(w *acmeWorld) (string, map[string]any) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			w.must(200, "POST", "/v1/invoices/"+inv+"/void", nil)
			return w.payment(w.acme, "100.00", "SGD"), map[string]any{"allocations": allocLines(inv, "10.00")}
		}, 409, "invoice_void", "allocations[0]"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newAcmeWorld(t)
			pay, body := tc.setup(w)
			before := w.booksFingerprint()
			r := w.allocate(pay, body)
			expectProblem(t, r, tc.status, tc.code)
			if r.str("field") != tc.field {
				t.Errorf("field %q, want %q", r.str("field"), tc.field)
			}
			if after := w.booksFingerprint(); after != before {
				t.Fatalf("a refused allocation changed the books")
			}
		})
	}
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: several allocations in one request are all or nothing.

func TestAllocate_SeveralLinesAreAllOrNothing(t *testing.T) {
	cases := []struct {
		name string
		bad  func(w *acmeWorld) map[string]any // the second line, which must be refused
		code string
	}{
		{"SecondLineOverInvoiceDue", func(w *acmeWorld) map[string]any {
			return map[string]any{"invoice_id": w.invoice(w.acme, "INV-2", "standard", "10.00"), "amount": "10.01"}
		}, "over_allocation"},
		{"SecondLineOtherOrganization", func(w *acmeWorld) map[string]any {
			return map[string]any{"invoice_id": w.invoice(w.org("Globex", "SGD"), "INV-2", "standard", "10.00"), "amount": "5.00"}
		}, "organization_mismatch"},
		{"SecondLineOtherCurrency", func(w *acmeWorld) map[string]any {
			return map[string]any{"invoice_id": w.invoice(w.acme, "INV-2", "standard", "10.00", "currency", "USD"), "amount": "5.00"}
		}, "currency_mismatch"},
		{"SecondLineUnknownInvoice", func(w *acmeWorld) map[string]any {
			return map[string]any{"invoice_id": "inv_01jd8x0c9v7p8x2k3m4n5q6r7s", "amount": "5.00"}
		}, "validation_error"},
		{"SecondLineBadAmount", func(w *acmeWorld) map[string]any {
			return map[string]any{"invoice_id": w.invoice(w.acme, "INV-2", "standard", "10.00"), "amount": "5.001"}
		}, "validation_error"},
	}
	for _, assignToo := range []bool{false, true} {
		for _, tc := range cases {
			name := tc.name
			if assignToo {
				name = "AssignAndAllocate" + name
			}
			t.Run(name, func(t *testing.T) {
				w := newAcmeWorld(t)
				good := w.invoice(w.acme, "INV-1", "standard", "100.00")
				payOrg := w.acme
				if assignToo {
					payOrg = ""
				}
				pay := w.payment(payOrg, "200.00", "SGD")
				bad := tc.bad(w)
				before := w.fetchPayment(pay)
				books := w.booksFingerprint()
				outstanding := w.orgBalance(w.acme, "outstanding", "SGD")
				body := map[string]any{"allocations": []map[string]any{{"invoice_id": good, "amount": "50.00"}, bad}}
				if assignToo {
					body["organization_id"] = w.acme
				}
				r := w.allocate(pay, body)
				if r.Status < 400 || r.Status >= 500 || r.str("code") != tc.code {
					t.Fatalf("got %d %q, want 4xx %q: %s", r.Status, r.str("code"), tc.code, r.Body)
				}
				if !strings.HasPrefix(r.str("field"), "allocations[1]") {
					t.Errorf("field %q does not name the second line", r.str("field"))
				}
				// The first, valid line was not applied.
				w.expectInvoice(good, "unpaid", "0.00", "100.00")
				after := w.fetchPayment(pay)
				if after.intField("version") != before.intField("version") || after.str("unallocated") != "200.00" || after.str("allocated") != "0.00" ||
					len(after.objectsOf("allocations")) != 0 || after.intField("assignment_changes") != before.intField("assignment_changes") ||
					after.str("status") != before.str("status") {
					t.Fatalf("payment changed by a refused request:\nbefore %s\nafter  %s", before.Body, after.Body)
				}
				w.expectBalances(w.acme, "SGD", outstanding, map[bool]string{false: "200.00", true: "0.00"}[assignToo], "0.00")
				if w.booksFingerprint() != books {
					t.Fatal("a refused request changed the books")
				}
			})
		}
	}
}

// ---------------------------------------------------------------------------------------------
// SPEC §1 / §3: at most 5 assignment changes.

func TestAssignment_SixthChangeIsRefused(t *testing.T) {
	cases := []struct {
		name     string
		atCreate bool // the payment is recorded with its customer (the first assign)
	}{
		{"CreatedWithOrganization", true},
		{"CreatedUnassigned", false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newAcmeWorld(t)
			orgAtCreate, left := "", 5
			if tc.atCreate {
				orgAtCreate, left = w.acme, 4
			}
			pay := w.payment(orgAtCreate, "100.00", "SGD")
			assigned := tc.atCreate
			if got := w.fetchPayment(pay).intField("assignment_changes_left"); got != left {
				t.Fatalf("after create: assignment_changes_left %d, want %d", got, left)
			}
			for left > 0 {
				var r *response
				if assigned {
					r = w.must(200, "DELETE", "/v1/payments/"+pay+"/assignment", nil)
				} else {
					r = w.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": w.acme})
				}
				assigned, left = !assigned, left-1
				if got := r.intField("assignment_changes_left"); got != left {
					t.Fatalf("assignment_changes_left %d, want %d: %s", got, left, r.Body)
				}
				if got := r.intField("assignment_changes"); got != 5-left {
					t.Fatalf("assignment_changes %d, want %d", got, 5-left)
				}
				if (r.JSON["organization_id"] != nil) != assigned {
					t.Fatalf("organization_id %v, want assigned=%v", r.JSON["organization_id"], assigned)
				}
			}
			before := w.booksFingerprint()
			// The 6th change is refused whichever way it goes.
			var r *response
			if assigned {
				r = w.call("DELETE", "/v1/payments/"+pay+"/assignment", nil)
			} else {
				r = w.call("PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": w.acme})
			}
			expectProblem(t, r, 409, "assignment_limit_reached")
			if !strings.Contains(r.str("detail"), "5 assignment changes") {
				t.Errorf("detail %q does not say how many changes a payment has", r.str("detail"))
			}
			if w.booksFingerprint() != before {
				t.Fatal("the refused 6th change wrote something")
			}
			if got := w.fetchPayment(pay).intField("assignment_changes_left"); got != 0 {
				t.Fatalf("assignment_changes_left %d after refusal, want 0", got)
			}
		})
	}
}

func TestAssignment_AssignAndAllocateCountsAsAnAssignChange(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	pay := w.payment("", "100.00", "SGD")
	r := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"organization_id": w.acme, "allocations": allocLines(inv, "10.00")})
	if r.intField("assignment_changes_left") != 4 || r.intField("assignment_changes") != 1 {
		t.Fatalf("after assign & allocate: %s", r.Body)
	}
}

func TestAssignment_MovingToAnotherOrganizationCountsTwoChanges(t *testing.T) {
	w := newAcmeWorld(t)
	other := w.org("Globex", "SGD")
	pay := w.payment(w.acme, "100.00", "SGD")
	r := w.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": other})
	if r.intField("assignment_changes_left") != 2 || r.JSON["organization_id"] != other {
		t.Fatalf("after moving: %s", r.Body)
	}
	// Assigning to the organization it already has changes nothing.
	r = w.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": other})
	if r.intField("assignment_changes_left") != 2 {
		t.Fatalf("re-assigning to the same organization used a change: %s", r.Body)
	}
	// One more move (two changes) would make 5: allowed; then none is left.
	r = w.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": w.acme})
	if r.intField("assignment_changes_left") != 0 {
		t.Fatalf("after moving back: %s", r.Body)
	}
	expectProblem(t, w.call("PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": other}), 409, "assignment_limit_reached")
	w.expectBalances(w.acme, "SGD", "0.00", "100.00", "0.00")
	w.expectBalances(other, "SGD", "0.00", "0.00", "0.00")
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: unassign with allocations.

func TestUnassign_ReleasesAllocationsInTheSameTransaction(t *testing.T) {
	w := newAcmeWorld(t)
	a := w.invoice(w.acme, "INV-1", "standard", "100.00")
	b := w.invoice(w.acme, "INV-2", "standard", "80.00")
	pay := w.payment(w.acme, "150.00", "SGD")
	w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(a, "100.00", b, "30.00")})
	w.expectInvoice(a, "paid", "100.00", "0.00")
	w.expectInvoice(b, "partially_paid", "30.00", "50.00")
	w.expectBalances(w.acme, "SGD", "50.00", "20.00", "0.00")

	r := w.must(200, "DELETE", "/v1/payments/"+pay+"/assignment", nil)
	if r.str("status") != "unassigned" || r.JSON["organization_id"] != nil || r.str("allocated") != "0.00" || r.str("unallocated") != "150.00" {
		t.Fatalf("payment after unassign: %s", r.Body)
	}
	if len(r.objectsOf("allocations")) != 2 || len(activeAllocations(r)) != 0 {
		t.Fatalf("allocations after unassign (want 2, both released and kept in history): %s", r.Body)
	}
	w.expectInvoice(a, "unpaid", "0.00", "100.00")
	w.expectInvoice(b, "unpaid", "0.00", "80.00")
	w.expectBalances(w.acme, "SGD", "180.00", "0.00", "0.00")
}

func TestUnassign_RefusesUnassignedPayment(t *testing.T) {
	w := newAcmeWorld(t)
	pay := w.payment("", "100.00", "SGD")
	before := w.booksFingerprint()
	expectProblem(t, w.call("DELETE", "/v1/payments/"+pay+"/assignment", nil), 409, "payment_unassigned")
	if w.booksFingerprint() != before {
		t.Fatal("the refused unassign changed the books")
	}
	if left := w.fetchPayment(pay).intField("assignment_changes_left"); left != 5 {
		t.Fatalf("assignment_changes_left %d, want 5", left)
	}
}

func TestUnassign_RefusedWhenPaymentInUse(t *testing.T) {
	cases := []struct {
		name  string
		apply func(w *acmeWorld, pay string) // locks the payment's money in
	}{
		{"AllocationFundedProvisionedTopUpInvoice", func(w *acmeWorld, pay string) {
			inv := w.invoice(w.acme, "TU-1", "top_up", "50.00")
			w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "50.00")})
		}},
		{"AllocationFundedProvisionedProforma", func(w *acmeWorld, pay string) {
			inv := w.invoice(w.acme, "PF-1", "proforma", "50.00")
			w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "50.00")})
		}},
		{"PaymentMadeTopUp", func(w *acmeWorld, pay string) {
			w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "5.00"})
		}},
	}
	for _, op := range []string{"Unassign", "Delete", "MoveToAnotherOrganization"} {
		for _, tc := range cases {
			t.Run(op+"/"+tc.name, func(t *testing.T) {
				w := newAcmeWorld(t)
				other := w.org("Globex", "SGD")
				std := w.invoice(w.acme, "INV-1", "standard", "100.00")
				pay := w.payment(w.acme, "200.00", "SGD")
				// A plain allocation that, were the refusal partial, would be released.
				w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(std, "40.00")})
				tc.apply(w, pay)
				before := w.booksFingerprint()
				var r *response
				switch op {
				case "Unassign":
					r = w.call("DELETE", "/v1/payments/"+pay+"/assignment", nil)
				case "Delete":
					r = w.call("DELETE", "/v1/payments/"+pay, nil)
				default:
					r = w.call("PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": other})
				}
				expectProblem(t, r, 409, "payment_in_use")
				if w.booksFingerprint() != before {
					t.Fatal("a refused request changed the books")
				}
				p := w.fetchPayment(pay)
				if p.JSON["organization_id"] != w.acme || p.JSON["deleted_at"] != nil || p.intField("assignment_changes_left") != 4 {
					t.Fatalf("payment after refusal: %s", p.Body)
				}
				w.expectInvoice(std, "partially_paid", "40.00", "60.00")
			})
		}
	}
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: release.

func TestRelease_RefusesAllocationOfProvisionedInvoice(t *testing.T) {
	for _, kind := range []string{"top_up", "proforma"} {
		t.Run(kind, func(t *testing.T) {
			w := newAcmeWorld(t)
			inv := w.invoice(w.acme, "X-1", kind, "50.00")
			pay := w.payment(w.acme, "50.00", "SGD")
			p := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "50.00")})
			w.expectInvoice(inv, "provisioned", "50.00", "0.00")
			alc := activeAllocations(p)
			if len(alc) != 1 {
				t.Fatalf("allocations: %s", p.Body)
			}
			before := w.booksFingerprint()
			expectProblem(t, w.call("DELETE", "/v1/payments/"+pay+"/allocations/"+alc[0], nil), 409, "invoice_provisioned")
			if w.booksFingerprint() != before {
				t.Fatal("the refused release changed the books")
			}
			w.expectInvoice(inv, "provisioned", "50.00", "0.00")
		})
	}
}

func TestRelease_PutsTheInvoiceStatusBack(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	p1 := w.payment(w.acme, "60.00", "SGD")
	p2 := w.payment(w.acme, "40.00", "SGD")
	a1 := activeAllocations(w.must(200, "POST", "/v1/payments/"+p1+"/allocations", map[string]any{"allocations": allocLines(inv, "60.00")}))
	a2 := activeAllocations(w.must(200, "POST", "/v1/payments/"+p2+"/allocations", map[string]any{"allocations": allocLines(inv, "40.00")}))
	w.expectInvoice(inv, "paid", "100.00", "0.00")

	r := w.must(200, "DELETE", "/v1/payments/"+p2+"/allocations/"+a2[0], nil)
	if r.str("status") != "unallocated" || r.str("unallocated") != "40.00" || len(r.objectsOf("allocations")) != 1 || len(activeAllocations(r)) != 0 {
		t.Fatalf("payment after release: %s", r.Body)
	}
	w.expectInvoice(inv, "partially_paid", "60.00", "40.00")
	w.must(200, "DELETE", "/v1/payments/"+p1+"/allocations/"+a1[0], nil)
	w.expectInvoice(inv, "unpaid", "0.00", "100.00")
	w.expectBalances(w.acme, "SGD", "100.00", "100.00", "0.00")

	// A released allocation cannot be released again, and the invoice is not touched.
	expectProblem(t, w.call("DELETE", "/v1/payments/"+p1+"/allocations/"+a1[0], nil), 409, "conflict")
	w.expectInvoice(inv, "unpaid", "0.00", "100.00")
	// Another payment's allocation is not found under this payment.
	a3 := activeAllocations(w.must(200, "POST", "/v1/payments/"+p1+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")}))
	expectProblem(t, w.call("DELETE", "/v1/payments/"+p2+"/allocations/"+a3[0], nil), 404, "not_found")
	w.expectInvoice(inv, "partially_paid", "10.00", "90.00")
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: editing a payment.

func TestUpdatePayment_RefusesAmountBelowAllocatedPlusToppedUp(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	pay := w.payment(w.acme, "100.00", "SGD")
	w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "40.00")})
	w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "30.00"})

	before := w.booksFingerprint()
	r := w.call("PATCH", "/v1/payments/"+pay, map[string]any{"amount": "69.99"})
	expectProblem(t, r, 409, "amount_below_applied")
	if r.str("field") != "amount" {
		t.Errorf("field %q, want amount", r.str("field"))
	}
	if w.booksFingerprint() != before {
		t.Fatal("the refused edit changed the books")
	}
	// Exactly what is applied is fine: the payment becomes fully allocated.
	r = w.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"amount": "70.00"})
	if r.str("amount") != "70.00" || r.str("status") != "fully_allocated" || r.str("unallocated") != "0.00" {
		t.Fatalf("after edit: %s", r.Body)
	}
	w.expectBalances(w.acme, "SGD", "60.00", "0.00", "30.00")
	// And more is fine too.
	r = w.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"amount": "120.00"})
	if r.str("unallocated") != "50.00" || r.str("status") != "partially_allocated" {
		t.Fatalf("after edit: %s", r.Body)
	}
	w.expectBalances(w.acme, "SGD", "60.00", "50.00", "30.00")
}

func TestUpdatePayment_RefusesCurrencyChangeOnceApplied(t *testing.T) {
	cases := []struct {
		name  string
		apply func(w *acmeWorld, pay string)
		patch map[string]any
	}{
		{"Allocated", func(w *acmeWorld, pay string) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")})
		}, map[string]any{"currency": "USD"}},
		{"AllocatedNewAmountToo", func(w *acmeWorld, pay string) {
			inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
			w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")})
		}, map[string]any{"currency": "JPY", "amount": "10000"}},
		{"ToppedUp", func(w *acmeWorld, pay string) {
			w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "10.00"})
		}, map[string]any{"currency": "USD"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newAcmeWorld(t)
			pay := w.payment(w.acme, "100.00", "SGD")
			tc.apply(w, pay)
			before := w.booksFingerprint()
			r := w.call("PATCH", "/v1/payments/"+pay, tc.patch)
			expectProblem(t, r, 409, "payment_in_use")
			if r.str("field") != "currency" {
				t.Errorf("field %q, want currency", r.str("field"))
			}
			if w.booksFingerprint() != before {
				t.Fatal("the refused edit changed the books")
			}
			if c := w.fetchPayment(pay).str("currency"); c != "SGD" {
				t.Fatalf("currency %q", c)
			}
		})
	}
	t.Run("AllowedWhileNothingApplied", func(t *testing.T) {
		w := newAcmeWorld(t)
		pay := w.payment(w.acme, "100.00", "SGD")
		r := w.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"currency": "USD"})
		if r.str("currency") != "USD" || r.str("amount") != "100.00" {
			t.Fatalf("after edit: %s", r.Body)
		}
		w.expectBalances(w.acme, "SGD", "0.00", "0.00", "0.00")
		w.expectBalances(w.acme, "USD", "0.00", "100.00", "0.00")
	})
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: deleting a payment.

func TestDeletePayment_IsSoftReleasesAllocationsAndStaysVisibleToAuditors(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	keep := w.payment(w.acme, "5.00", "SGD")
	pay := w.payment(w.acme, "150.00", "SGD")
	w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "100.00")})
	w.expectInvoice(inv, "paid", "100.00", "0.00")

	r := w.must(204, "DELETE", "/v1/payments/"+pay, nil)
	if len(r.Body) != 0 {
		t.Errorf("204 with a body: %s", r.Body)
	}
	// Released in the same step.
	w.expectInvoice(inv, "unpaid", "0.00", "100.00")
	w.expectBalances(w.acme, "SGD", "100.00", "5.00", "0.00")
	// GET still returns it, marked deleted, with its allocations in history.
	p := w.fetchPayment(pay)
	if p.JSON["deleted_at"] == nil || len(p.objectsOf("allocations")) != 1 || len(activeAllocations(p)) != 0 {
		t.Fatalf("deleted payment: %s", p.Body)
	}
	// Lists hide it unless include_deleted=true.
	ids := func(path string) []string {
		var out []string
		for _, x := range w.must(200, "GET", path, nil).dataList() {
			out = append(out, x["id"].(string))
		}
		return out
	}
	if got := ids("/v1/payments"); len(got) != 1 || got[0] != keep {
		t.Fatalf("list shows %v, want only %s", got, keep)
	}
	if got := ids("/v1/payments?include_deleted=true"); len(got) != 2 || got[0] != pay || got[1] != keep {
		t.Fatalf("list with include_deleted shows %v", got)
	}
	// Auditors see the deletion.
	if acts := w.auditActions(pay); len(acts) == 0 || acts[len(acts)-1] != "payment.deleted" {
		t.Fatalf("audit of the payment: %v", acts)
	}
	// A deleted payment takes no more changes.
	for _, c := range []struct{ method, path string }{
		{"DELETE", "/v1/payments/" + pay},
		{"PATCH", "/v1/payments/" + pay},
		{"DELETE", "/v1/payments/" + pay + "/assignment"},
		{"POST", "/v1/payments/" + pay + "/top-ups"},
	} {
		var body any
		if c.method != "DELETE" {
			body = map[string]any{}
		}
		expectProblem(t, w.call(c.method, c.path, body), 404, "not_found")
	}
	expectProblem(t, w.allocate(pay, map[string]any{"allocations": allocLines(inv, "1.00")}), 404, "not_found")
}

func TestDeletePayment_UnassignedPaymentLeavesTheUnassignedPool(t *testing.T) {
	w := newAcmeWorld(t)
	pay := w.payment("", "100.00", "SGD")
	w.must(204, "DELETE", "/v1/payments/"+pay, nil)
	if w.countPayments(false) != 0 || w.countPayments(true) != 1 {
		t.Fatal("deleted payment still listed, or gone for auditors")
	}
	if acts := w.auditActions(pay); len(acts) != 2 || acts[0] != "payment.recorded" || acts[1] != "payment.deleted" {
		t.Fatalf("audit: %v", acts)
	}
}

// ---------------------------------------------------------------------------------------------
// SPEC §3: voiding an invoice.

func TestVoidInvoice_RefusedWithMoneyOnIt(t *testing.T) {
	cases := []struct {
		name, kind, amount string
	}{
		{"PartiallyPaid", "standard", "10.00"},
		{"Paid", "standard", "100.00"},
		{"ProvisionedTopUp", "top_up", "100.00"},
		{"ProvisionedProforma", "proforma", "100.00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newAcmeWorld(t)
			inv := w.invoice(w.acme, "INV-1", tc.kind, "100.00")
			pay := w.payment(w.acme, "100.00", "SGD")
			w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, tc.amount)})
			before := w.booksFingerprint()
			expectProblem(t, w.call("POST", "/v1/invoices/"+inv+"/void", nil), 409, "invoice_has_payments")
			if w.booksFingerprint() != before {
				t.Fatal("the refused void changed the books")
			}
		})
	}
}

func TestVoidInvoice_ReversesItAndOutstandingDrops(t *testing.T) {
	w := newAcmeWorld(t)
	a := w.invoice(w.acme, "INV-1", "standard", "100.00")
	w.invoice(w.acme, "INV-2", "standard", "30.00")
	w.expectBalances(w.acme, "SGD", "130.00", "0.00", "0.00")
	r := w.must(200, "POST", "/v1/invoices/"+a+"/void", nil)
	if r.str("status") != "void" || r.JSON["voided_at"] == nil || r.str("amount_due") != "0.00" {
		t.Fatalf("voided invoice: %s", r.Body)
	}
	if r.Header.Get("ETag") != fmt.Sprintf(`"%d"`, r.intField("version")) {
		t.Errorf("ETag %q, version %d", r.Header.Get("ETag"), r.intField("version"))
	}
	w.expectInvoice(a, "void", "0.00", "0.00")
	w.expectBalances(w.acme, "SGD", "30.00", "0.00", "0.00")
	if ops := w.journalOps(w.acme); ops["invoice.issued"] != 2 || ops["invoice.voided"] != 1 {
		t.Fatalf("journal of the organization: %v", ops)
	}
	// Voiding twice is refused and changes nothing.
	expectProblem(t, w.call("POST", "/v1/invoices/"+a+"/void", nil), 409, "conflict")
	w.expectBalances(w.acme, "SGD", "30.00", "0.00", "0.00")
	// Auto allocation skips it.
	pay := w.payment(w.acme, "200.00", "SGD")
	p := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"auto": true})
	if p.str("allocated") != "30.00" {
		t.Fatalf("auto allocation after void: %s", p.Body)
	}
	w.expectInvoice(a, "void", "0.00", "0.00")
}

func TestVoidInvoice_AllowedOnceItsPaymentsAreReleased(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	pay := w.payment(w.acme, "100.00", "SGD")
	alc := activeAllocations(w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "100.00")}))
	w.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+alc[0], nil)
	w.must(200, "POST", "/v1/invoices/"+inv+"/void", nil)
	w.expectBalances(w.acme, "SGD", "0.00", "100.00", "0.00")
}

// ---------------------------------------------------------------------------------------------
// SPEC §1: what the user does.

func TestAssignAndAllocate_InOneRequest(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	pay := w.payment("", "150.00", "SGD")
	if p := w.fetchPayment(pay); p.str("status") != "unassigned" || p.JSON["organization_id"] != nil || p.intField("assignment_changes_left") != 5 {
		t.Fatalf("recorded payment: %s", p.Body)
	}
	r := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"organization_id": w.acme, "allocations": allocLines(inv, "100.00")})
	if r.JSON["organization_id"] != w.acme || r.str("organization_name") != "Acme Telecom" || r.str("status") != "partially_allocated" ||
		r.str("allocated") != "100.00" || r.str("unallocated") != "50.00" || r.intField("assignment_changes_left") != 4 || r.intField("version") != 2 {
		t.Fatalf("after assign & allocate: %s", r.Body)
	}
	alc := r.objectsOf("allocations")
	if len(alc) != 1 || alc[0]["invoice_id"] != inv || alc[0]["invoice_number"] != "INV-1" || alc[0]["amount"] != "100.00" ||
		alc[0]["currency"] != "SGD" || alc[0]["released_at"] != nil || !strings.HasPrefix(alc[0]["id"].(string), "alc_") {
		t.Fatalf("allocations: %s", r.Body)
	}
	w.expectInvoice(inv, "paid", "100.00", "0.00")
	// The invoice shows the payment.
	ia := w.fetchInvoice(inv).objectsOf("allocations")
	if len(ia) != 1 || ia[0]["payment_id"] != pay {
		t.Fatalf("invoice allocations: %v", ia)
	}
	w.expectBalances(w.acme, "SGD", "0.00", "50.00", "0.00")
}

func TestInvoiceStatus_GoesUnpaidPartiallyPaidPaid(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "INV-1", "standard", "100.00")
	w.expectInvoice(inv, "unpaid", "0.00", "100.00")
	pay := w.payment(w.acme, "100.00", "SGD")
	steps := []struct{ amount, status, paid, due, payStatus string }{
		{"0.01", "partially_paid", "0.01", "99.99", "partially_allocated"},
		{"59.99", "partially_paid", "60.00", "40.00", "partially_allocated"},
		{"39.99", "partially_paid", "99.99", "0.01", "partially_allocated"},
		{"0.01", "paid", "100.00", "0.00", "fully_allocated"},
	}
	for _, st := range steps {
		r := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, st.amount)})
		if r.str("status") != st.payStatus {
			t.Fatalf("payment status %q, want %q", r.str("status"), st.payStatus)
		}
		w.expectInvoice(inv, st.status, st.paid, st.due)
	}
	// A paid standard invoice is not provisioned and adds no credit.
	if w.fetchInvoice(inv).JSON["provisioned_at"] != nil {
		t.Fatal("standard invoice provisioned")
	}
	w.expectBalances(w.acme, "SGD", "0.00", "0.00", "0.00")
}

func TestAutoAllocate_OldestInvoiceFirst(t *testing.T) {
	type inv struct{ number, issued, due, total string }
	// Created in an order unlike the expected one.
	invoices := []inv{
		{"C-1", "2025-01-01", "2025-03-01", "100.00"}, // due last
		{"B-2", "2025-01-10", "2025-02-01", "100.00"}, // same due and issued as B-1: by number
		{"B-1", "2025-01-10", "2025-02-01", "100.00"},
		{"A-1", "2025-01-20", "2025-01-25", "100.00"}, // due first although issued latest
		{"B-0", "2025-01-15", "2025-02-01", "100.00"}, // same due as B-1/B-2, issued later
	}
	// Oldest first: A-1, B-1, B-2, B-0, C-1.
	cases := []struct {
		name      string
		amount    string
		paid      map[string]string
		payStatus string
		left      string
	}{
		{"MoneyRunsOut", "250.00", map[string]string{"A-1": "100.00", "B-1": "100.00", "B-2": "50.00", "B-0": "0.00", "C-1": "0.00"}, "fully_allocated", "0.00"},
		{"MoneyRunsOutExactly", "300.00", map[string]string{"A-1": "100.00", "B-1": "100.00", "B-2": "100.00", "B-0": "0.00", "C-1": "0.00"}, "fully_allocated", "0.00"},
		{"InvoicesRunOut", "620.00", map[string]string{"A-1": "100.00", "B-1": "100.00", "B-2": "100.00", "B-0": "100.00", "C-1": "100.00"}, "partially_allocated", "120.00"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w := newAcmeWorld(t)
			ids := map[string]string{}
			for _, i := range invoices {
				ids[i.number] = w.invoice(w.acme, i.number, "standard", i.total, "issued_on", i.issued, "due_on", i.due)
			}
			// Invoices the auto allocation must leave alone: another organization's, another
			// currency's, and an already paid one (which is older than all of them).
			other := w.org("Globex", "SGD")
			foreign := w.invoice(other, "Z-0", "standard", "100.00", "issued_on", "2024-01-01", "due_on", "2024-01-01")
			usd := w.invoice(w.acme, "Z-1", "standard", "100.00", "currency", "USD", "issued_on", "2024-01-01", "due_on", "2024-01-01")
			paid := w.invoice(w.acme, "Z-2", "standard", "10.00", "issued_on", "2024-01-01", "due_on", "2024-01-01")
			w.must(200, "POST", "/v1/payments/"+w.payment(w.acme, "10.00", "SGD")+"/allocations", map[string]any{"auto": true})
			w.expectInvoice(paid, "paid", "10.00", "0.00")

			pay := w.payment("", tc.amount, "SGD")
			r := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"organization_id": w.acme, "auto": true})
			if r.str("status") != tc.payStatus || r.str("unallocated") != tc.left {
				t.Fatalf("payment after auto allocation: %s", r.Body)
			}
			for number, want := range tc.paid {
				got := w.fetchInvoice(ids[number]).str("amount_paid")
				if got != want {
					t.Errorf("invoice %s paid %s, want %s", number, got, want)
				}
			}
			// The allocations were made oldest first.
			var order []string
			for _, a := range r.objectsOf("allocations") {
				order = append(order, a["invoice_number"].(string))
			}
			wantOrder := []string{"A-1", "B-1", "B-2", "B-0", "C-1"}
			n := 0
			for _, number := range wantOrder {
				if tc.paid[number] != "0.00" {
					n++
				}
			}
			if strings.Join(order, ",") != strings.Join(wantOrder[:n], ",") {
				t.Errorf("allocated to %v, want %v", order, wantOrder[:n])
			}
			w.expectInvoice(foreign, "unpaid", "0.00", "100.00")
			w.expectInvoice(usd, "unpaid", "0.00", "100.00")
			w.expectInvoice(paid, "paid", "10.00", "0.00")
		})
	}
}

func TestAutoAllocate_NothingOpenChangesNothing(t *testing.T) {
	w := newAcmeWorld(t)
	pay := w.payment(w.acme, "100.00", "SGD")
	before := w.fetchPayment(pay)
	r := w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"auto": true})
	if r.intField("version") != before.intField("version") || r.str("status") != "unallocated" {
		t.Fatalf("auto allocation with no open invoice: %s", r.Body)
	}
}

func TestTopUpInvoice_ProvisionedOnceWhenFullyPaid(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "TU-1", "top_up", "100.00")
	p1 := w.payment(w.acme, "60.00", "SGD")
	p2 := w.payment(w.acme, "70.00", "SGD")

	w.must(200, "POST", "/v1/payments/"+p1+"/allocations", map[string]any{"allocations": allocLines(inv, "60.00")})
	w.expectInvoice(inv, "partially_paid", "60.00", "40.00")
	w.must(200, "POST", "/v1/payments/"+p2+"/allocations", map[string]any{"allocations": allocLines(inv, "39.99")})
	w.expectInvoice(inv, "partially_paid", "99.99", "0.01")
	w.expectBalances(w.acme, "SGD", "0.01", "30.01", "0.00")
	alc := activeAllocations(w.fetchPayment(p2))
	w.must(200, "DELETE", "/v1/payments/"+p2+"/allocations/"+alc[0], nil)
	w.expectInvoice(inv, "partially_paid", "60.00", "40.00")
	if w.fetchInvoice(inv).JSON["provisioned_at"] != nil {
		t.Fatal("partially paid top-up invoice provisioned")
	}
	w.expectBalances(w.acme, "SGD", "40.00", "70.00", "0.00")

	w.must(200, "POST", "/v1/payments/"+p2+"/allocations", map[string]any{"allocations": allocLines(inv, "40.00")})
	w.expectInvoice(inv, "provisioned", "100.00", "0.00")
	if w.fetchInvoice(inv).JSON["provisioned_at"] == nil {
		t.Fatal("provisioned invoice without provisioned_at")
	}
	w.expectBalances(w.acme, "SGD", "0.00", "30.00", "100.00")

	// No further money goes on it, and nothing provisions it again.
	expectProblem(t, w.allocate(p2, map[string]any{"allocations": allocLines(inv, "0.01")}), 409, "over_allocation")
	w.must(200, "POST", "/v1/payments/"+p2+"/allocations", map[string]any{"auto": true})
	w.expectBalances(w.acme, "SGD", "0.00", "30.00", "100.00")
	if ops := w.journalOps(w.acme); ops["invoice.provisioned"] != 1 {
		t.Fatalf("journal operations of the organization: %v", ops)
	}
}

func TestProformaInvoice_ProvisionedWhenFullyPaid(t *testing.T) {
	w := newAcmeWorld(t)
	inv := w.invoice(w.acme, "PF-1", "proforma", "80.00")
	pay := w.payment(w.acme, "100.00", "SGD")
	w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "30.00")})
	w.expectInvoice(inv, "partially_paid", "30.00", "50.00")
	w.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "50.00")})
	w.expectInvoice(inv, "provisioned", "80.00", "0.00")
	if w.fetchInvoice(inv).JSON["provisioned_at"] == nil {
		t.Fatal("provisioned invoice without provisioned_at")
	}
	// A proforma starts services; it adds no prepaid credit.
	w.expectBalances(w.acme, "SGD", "0.00", "20.00", "0.00")
}

func TestTopUp_FromPaymentGrowsCreditAndReducesUnallocated(t *testing.T) {
	w := newAcmeWorld(t)
	pay := w.payment(w.acme, "100.00", "SGD")
	r := w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "30.00"})
	if !strings.HasPrefix(r.str("id"), "top_") || r.str("amount") != "30.00" || r.str("currency") != "SGD" ||
		r.str("payment_id") != pay || r.str("organization_id") != w.acme {
		t.Fatalf("top-up: %s", r.Body)
	}
	p := w.expectPayment(pay, "partially_allocated", "0.00", "30.00", "70.00")
	if tu := p.objectsOf("top_ups"); len(tu) != 1 || tu[0]["amount"] != "30.00" {
		t.Fatalf("payment top-ups: %s", p.Body)
	}
	w.expectBalances(w.acme, "SGD", "0.00", "70.00", "30.00")

	// More than is unallocated is refused.
	before := w.booksFingerprint()
	expectProblem(t, w.call("POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "70.01"}), 409, "over_allocation")
	if w.booksFingerprint() != before {
		t.Fatal("refused top-up changed the books")
	}
	// Without an amount, all of the unallocated money.
	r = w.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{})
	if r.str("amount") != "70.00" {
		t.Fatalf("top-up of the rest: %s", r.Body)
	}
	w.expectPayment(pay, "fully_allocated", "0.00", "100.00", "0.00")
	w.expectBalances(w.acme, "SGD", "0.00", "0.00", "100.00")
	// Nothing left to top up.
	expectProblem(t, w.call("POST", "/v1/payments/"+pay+"/top-ups", map[string]any{}), 409, "over_allocation")
}

func TestTopUp_RefusesUnassignedPayment(t *testing.T) {
	w := newAcmeWorld(t)
	pay := w.payment("", "100.00", "SGD")
	before := w.booksFingerprint()
	expectProblem(t, w.call("POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "10.00"}), 409, "payment_unassigned")
	if w.booksFingerprint() != before {
		t.Fatal("refused top-up changed the books")
	}
}

func TestOrganization_BalancesFollowEveryOperation(t *testing.T) {
	w := newAcmeWorld(t)
	other := w.org("Globex", "SGD")
	w.expectBalances(w.acme, "SGD", "0.00", "0.00", "0.00")
	a := w.invoice(w.acme, "INV-1", "standard", "100.00")
	w.invoice(w.acme, "INV-2", "standard", "50.00")
	tu := w.invoice(w.acme, "TU-1", "top_up", "25.00")
	w.invoice(other, "G-1", "standard", "999.00")
	w.expectBalances(w.acme, "SGD", "175.00", "0.00", "0.00")

	unassigned := w.payment("", "300.00", "SGD")
	w.expectBalances(w.acme, "SGD", "175.00", "0.00", "0.00") // unassigned money is nobody's yet
	w.must(200, "PUT", "/v1/payments/"+unassigned+"/assignment", map[string]any{"organization_id": w.acme})
	w.expectBalances(w.acme, "SGD", "175.00", "300.00", "0.00")

	w.must(200, "POST", "/v1/payments/"+unassigned+"/allocations", map[string]any{"allocations": allocLines(a, "60.00", tu, "25.00")})
	w.expectBalances(w.acme, "SGD", "90.00", "215.00", "25.00")
	w.must(201, "POST", "/v1/payments/"+unassigned+"/top-ups", map[string]any{"amount": "15.00"})
	w.expectBalances(w.acme, "SGD", "90.00", "200.00", "40.00")
	w.expectBalances(other, "SGD", "999.00", "0.00", "0.00")

	// The organization list shows the same balances.
	for _, o := range w.must(200, "GET", "/v1/organizations?q=acme", nil).dataList() {
		got := fmt.Sprint(o["outstanding"], o["unapplied"], o["credit_balance"])
		want := "[map[amount:90.00 currency:SGD]] [map[amount:200.00 currency:SGD]] [map[amount:40.00 currency:SGD]]"
		if got != want {
			t.Fatalf("organization list balances %s, want %s", got, want)
		}
	}
}

// Amounts are kept in each currency's own minor units (SPEC §2 Money).
func TestMoney_CurrenciesKeepTheirMinorUnits(t *testing.T) {
	cases := []struct{ currency, invoice, payment, alloc, left string }{
		{"JPY", "1000", "1500", "1000", "500"},
		{"KWD", "10.125", "20.000", "10.125", "9.875"},
		{"VND", "250000", "300000", "250000", "50000"},
	}
	for _, tc := range cases {
		t.Run(tc.currency, func(t *testing.T) {
			s := newTestServer(t)
			org := s.org("Customer "+tc.currency, tc.currency)
			inv := s.invoice(org, "INV-"+tc.currency, "standard", tc.invoice)
			pay := s.payment(org, tc.payment, tc.currency)
			r := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, tc.alloc)})
			if r.str("amount") != tc.payment || r.str("unallocated") != tc.left {
				t.Fatalf("payment: %s", r.Body)
			}
			if got := s.fetchInvoice(inv); got.str("status") != "paid" || got.str("total") != tc.invoice {
				t.Fatalf("invoice: %s", got.Body)
			}
		})
	}
}
