package api_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

// creditOf is the customer's credit figures in one currency, as GET …/credit answers them.
func (s *testServer) creditOf(org, currency string) map[string]any {
	s.t.Helper()
	for _, f := range s.must(200, "GET", "/v1/organizations/"+org+"/credit", nil).objectsOf("credit") {
		if f["currency"] == currency {
			return f
		}
	}
	return map[string]any{}
}

// fund gives a customer credit: a payment of amount, topped up whole.
func (s *testServer) fund(org, amount string) {
	s.t.Helper()
	pay := s.payment(org, amount, "SGD")
	s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": amount})
}

// Reserve, capture, release and expire: usable credit = balance − reserved + credit limit at every
// step, never overdrawn; a capture posts credit → revenue; closed reservations are refused.
func TestReservations_UsableCreditThroughTheirLife(t *testing.T) {
	s := newTestServer(t)
	var mu sync.Mutex
	now := time.Now().UTC()
	s.Svc.Now = func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	org := s.org("Prepaid Mobile Pte Ltd", "SGD")
	figures := func(want string) {
		t.Helper()
		f := s.creditOf(org, "SGD")
		if got := fmt.Sprintf("%v/%v/%v/%v", f["balance"], f["reserved"], f["credit_limit"], f["usable"]); got != want {
			t.Fatalf("balance/reserved/limit/usable %s, want %s", got, want)
		}
	}
	if list := s.must(200, "GET", "/v1/organizations/"+org+"/credit", nil).objectsOf("credit"); len(list) != 0 {
		t.Fatalf("a new customer has credit figures: %v", list)
	}
	s.fund(org, "100.00")
	figures("100.00/0.00/0.00/100.00")
	s.must(200, "PUT", "/v1/organizations/"+org+"/settings", map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "20.00"}})
	figures("100.00/0.00/20.00/120.00")

	reserve := func(amount string, extra ...any) *response {
		body := map[string]any{"amount": amount, "currency": "SGD", "reference": "call-" + amount}
		for i := 0; i+1 < len(extra); i += 2 {
			body[extra[i].(string)] = extra[i+1]
		}
		return s.call("POST", "/v1/organizations/"+org+"/reservations", body)
	}
	first := reserve("50.00")
	if first.Status != 201 || first.str("status") != "open" || !strings.HasPrefix(first.str("id"), "rsv_") {
		t.Fatalf("reserve: %d %s", first.Status, first.Body)
	}
	figures("100.00/50.00/20.00/70.00")
	// The credit limit may not be lowered below what the reservations use of it.
	s.must(200, "PUT", "/v1/organizations/"+org+"/settings", map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "0"}})
	figures("100.00/50.00/0.00/50.00")
	s.must(200, "PUT", "/v1/organizations/"+org+"/settings", map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "20.00"}})
	if u := s.must(200, "GET", "/v1/organizations/"+org, nil).objectsOf("usable_credit"); len(u) != 1 || u[0]["amount"] != "70.00" {
		t.Errorf("the organization's usable_credit: %v", u)
	}
	if u := s.must(200, "GET", "/v1/organizations?q=Prepaid+Mobile", nil).dataList()[0]["usable_credit"]; fmt.Sprint(u) != "[map[amount:70.00 currency:SGD]]" {
		t.Errorf("usable_credit in the list: %v", u)
	}
	r := reserve("70.01")
	expectProblem(t, r, 409, "insufficient_credit")
	if !strings.Contains(r.str("detail"), "70.00") {
		t.Errorf("the refusal does not say what is usable: %s", r.Body)
	}
	figures("100.00/50.00/20.00/70.00")

	id := first.str("id")
	expectFieldProblem(t, s.call("POST", "/v1/reservations/"+id+"/capture", map[string]any{"amount": "50.01"}), "validation_error", "amount")
	expectFieldProblem(t, s.call("POST", "/v1/reservations/"+id+"/capture", map[string]any{"amount": "1.001"}), "validation_error", "amount")
	expectFieldProblem(t, s.call("POST", "/v1/reservations/"+id+"/capture", map[string]any{"amount": "0"}), "validation_error", "amount")
	captured := s.must(200, "POST", "/v1/reservations/"+id+"/capture", map[string]any{"amount": "30.00"})
	if captured.str("status") != "captured" || captured.str("captured") != "30.00" || captured.str("closed_at") == "" {
		t.Fatalf("capture: %s", captured.Body)
	}
	figures("70.00/0.00/20.00/90.00")
	expectProblem(t, s.call("POST", "/v1/reservations/"+id+"/capture", map[string]any{"amount": "1.00"}), 409, "reservation_closed")
	expectProblem(t, s.call("DELETE", "/v1/reservations/"+id, nil), 409, "reservation_closed")
	if ops := s.journalOps(org); ops["reservation.captured"] != 1 {
		t.Errorf("journal entries on the customer's accounts: %v", ops)
	}

	second := reserve("90.00").str("id")
	figures("70.00/90.00/20.00/0.00")
	lower := s.call("PUT", "/v1/organizations/"+org+"/settings", map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "19.99"}})
	expectProblem(t, lower, 409, "insufficient_credit")
	if lower.str("field") != "credit_limit.SGD" {
		t.Errorf("the refusal names %q: %s", lower.str("field"), lower.Body)
	}
	figures("70.00/90.00/20.00/0.00")
	expectProblem(t, reserve("0.01"), 409, "insufficient_credit")
	if rel := s.must(200, "DELETE", "/v1/reservations/"+second, nil); rel.str("status") != "released" {
		t.Fatalf("release: %s", rel.Body)
	}
	figures("70.00/0.00/20.00/90.00")

	third := reserve("40.00", "expires_in", 60).str("id")
	figures("70.00/40.00/20.00/50.00")
	advance(61 * time.Second)
	figures("70.00/0.00/20.00/90.00")
	if got := s.must(200, "GET", "/v1/reservations/"+third, nil).str("status"); got != "expired" {
		t.Errorf("past its expiry: %s", got)
	}
	expectProblem(t, s.call("POST", "/v1/reservations/"+third+"/capture", map[string]any{"amount": "1.00"}), 409, "reservation_closed")

	for status, want := range map[string][]string{"open": nil, "captured": {id}, "released": {second}, "expired": {third}, "": {third, second, id}} {
		if got := s.must(200, "GET", "/v1/organizations/"+org+"/reservations?status="+status, nil).ids("id"); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("status %q: %v, want %v", status, got, want)
		}
	}
	if got := s.must(200, "GET", "/v1/events?type=reservation.captured", nil).dataList(); len(got) != 1 {
		t.Errorf("reservation.captured events: %v", got)
	}
	if acts := s.auditActions(id); fmt.Sprint(acts) != "[reservation.created reservation.captured]" {
		t.Errorf("audit of the captured reservation: %v", acts)
	}
	if mismatches, _, err := s.Svc.ReplayBooks(operator(t.Context(), "ws_default")); err != nil || len(mismatches) > 0 {
		t.Errorf("replay: %v %v", mismatches, err)
	}

	for _, bad := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"amount": "-1.00", "currency": "SGD"}, "amount"},
		{map[string]any{"amount": "0.00", "currency": "SGD"}, "amount"},
		{map[string]any{"amount": "1.005", "currency": "SGD"}, "amount"},
		{map[string]any{"amount": "1.00", "currency": "sgd"}, "currency"},
		{map[string]any{"amount": "1.00", "currency": "SGD", "expires_in": -5}, "expires_in"},
		{map[string]any{"amount": "1.00", "currency": "SGD", "expires_in": 2592001}, "expires_in"},
	} {
		expectFieldProblem(t, s.call("POST", "/v1/organizations/"+org+"/reservations", bad.body), "validation_error", bad.field)
	}
	expectFieldProblem(t, s.call("GET", "/v1/organizations/"+org+"/reservations?status=pending", nil), "validation_error", "status")
	expectProblem(t, s.call("POST", "/v1/organizations/org_01jd8x0c9v7p8x2k3m4n5q6r7s/reservations", map[string]any{"amount": "1.00", "currency": "SGD"}), 404, "not_found")
	expectProblem(t, s.call("POST", "/v1/reservations/rsv_01jd8x0c9v7p8x2k3m4n5q6r7s/capture", map[string]any{"amount": "1.00"}), 404, "not_found")
	// A currency the customer has no credit in has nothing usable.
	expectProblem(t, s.call("POST", "/v1/organizations/"+org+"/reservations", map[string]any{"amount": "1.00", "currency": "USD"}), 409, "insufficient_credit")
}

// 64 clients reserve against one customer whose credit covers exactly 20 of their reservations:
// exactly 20 succeed, the rest are refused insufficient_credit, none fails, and the credit is
// never overdrawn.
func TestReservations_ConcurrentClientsNeverOverdraw(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Big Account Pte Ltd", "SGD")
	s.fund(org, "20.00")
	var wg sync.WaitGroup
	var mu sync.Mutex
	outcomes := map[string]int{}
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := s.call("POST", "/v1/organizations/"+org+"/reservations", map[string]any{"amount": "1.00", "currency": "SGD", "reference": fmt.Sprint("call-", i)})
			key := fmt.Sprint(r.Status)
			if r.Status != 201 {
				key += " " + r.str("code")
			}
			mu.Lock()
			outcomes[key]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	if outcomes["201"] != 20 || outcomes["409 insufficient_credit"] != 44 || len(outcomes) != 2 {
		t.Fatalf("outcomes %v, want 20 reserved and 44 insufficient_credit", outcomes)
	}
	if f := s.creditOf(org, "SGD"); f["reserved"] != "20.00" || f["usable"] != "0.00" {
		t.Fatalf("credit after: %v", f)
	}
}
