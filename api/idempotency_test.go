package api_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/api/replay"
	"finapp/auth"
)

// The key is claimed in the change's own transaction: many clients sending the same request with
// the same key at once create the payment once; every one of them gets the first response or is
// told the first request is still in flight — never a second payment, never a 5xx.
func TestIdempotencyKey_ConcurrentRepeatsCreateOnce(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	body := map[string]any{"organization_id": org, "amount": "100.00", "currency": "SGD", "method": "bank_transfer"}
	const clients = 16
	answers := make([]*response, clients)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i] = s.call("POST", "/v1/payments", body, "Idempotency-Key", "same-key")
		}()
	}
	wg.Wait()
	var created string
	for i, r := range answers {
		switch {
		case r.Status == 201:
			if created == "" {
				created = r.str("id")
			} else if r.str("id") != created {
				t.Errorf("client %d got payment %s, another got %s: recorded twice", i, r.str("id"), created)
			}
		case r.Status == 409 && r.str("code") == "idempotency_key_in_flight":
		default:
			t.Errorf("client %d: %d %s", i, r.Status, r.Body)
		}
	}
	if created == "" {
		t.Fatal("no client got the payment")
	}
	if n := s.countPayments(true); n != 1 {
		t.Fatalf("%d payments after %d identical requests with one key, want 1", n, clients)
	}
	// Once the rush is over, every repeat gets the first response.
	again := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "same-key")
	if again.str("id") != created || again.Header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("repeat after the rush: %s %v", again.Body, again.Header)
	}
}

// A refused request stores no change and its claim stores the refusal; a request whose key lost
// the race to a different request is refused as a reuse and writes nothing.
func TestIdempotencyKey_RefusalWritesNothingButIsRemembered(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	pay := s.payment(org, "50.00", "SGD")
	before := s.booksFingerprint()
	over := map[string]any{"allocations": allocLines(inv, "60.00")}
	expectProblem(t, s.call("POST", "/v1/payments/"+pay+"/allocations", over, "Idempotency-Key", "k"), 409, "over_allocation")
	if s.booksFingerprint() != before {
		t.Fatal("a refused allocation wrote to the books")
	}
	// The same key for a request that would now succeed is a reuse: the first answer stands.
	ok := map[string]any{"allocations": allocLines(inv, "10.00")}
	expectProblem(t, s.call("POST", "/v1/payments/"+pay+"/allocations", ok, "Idempotency-Key", "k"), 422, "idempotency_key_reused")
	if s.booksFingerprint() != before {
		t.Fatal("a reused key wrote to the books")
	}
}

// failingCompletion is the real store, except that storing a response fails: what a server that
// stops between committing a change and storing its response leaves behind.
type failingCompletion struct{ replay.Store }

func (failingCompletion) CompleteIdempotencyKey(context.Context, string, string, int, string, []byte) error {
	return errors.New("server stopped")
}

// The change and its claim commit together, so a claim without a stored response means the change
// is in the books: a repeat is told so, naming what was written, instead of "in flight" forever
// or a second payment.
func TestIdempotencyKey_LostResponseIsReportedNotRepeated(t *testing.T) {
	// Long enough that a loaded CI machine answers the second request before it passes.
	const lostAfter = time.Second
	s := newTestServer(t)
	srv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(s.DB), Auth: auth.New(s.DB.AuthStore()),
		Idempotency: failingCompletion{s.DB}, LostResponseAfter: lostAfter}))
	t.Cleanup(srv.Close)
	crashy := &testServer{t: t, URL: srv.URL, DB: s.DB, Token: s.Token}
	body := map[string]any{"amount": "100.00", "currency": "SGD", "method": "cash"}
	first := crashy.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "lost-1")

	soon := crashy.call("POST", "/v1/payments", body, "Idempotency-Key", "lost-1")
	expectProblem(t, soon, 409, "idempotency_key_in_flight")
	time.Sleep(lostAfter + 200*time.Millisecond)
	late := crashy.call("POST", "/v1/payments", body, "Idempotency-Key", "lost-1")
	expectProblem(t, late, 409, "idempotency_response_lost")
	if !strings.Contains(late.str("detail"), "payment "+first.str("id")) {
		t.Errorf("the answer should name the payment that was recorded: %s", late.Body)
	}
	if n := s.countPayments(true); n != 1 {
		t.Fatalf("%d payments, want 1", n)
	}
}
