package api_test

import (
	"sync"
	"testing"
)

// Many clients allocating against one payment and one invoice at once: exactly as many succeed as
// the money allows, the rest are refused with over_allocation, none sees a 5xx.
func TestConcurrentAllocations_NeverOverAllocateOverHTTP(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Hot Spot", "SGD")
	inv := s.invoice(org, "HOT-1", "standard", "8.00")
	pay := s.payment(org, "10.00", "SGD")

	const clients = 32
	var wg sync.WaitGroup
	statuses := make([]int, clients)
	codes := make([]string, clients)
	for i := 0; i < clients; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			r := s.call("POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": []map[string]any{{"invoice_id": inv, "amount": "1.00"}}})
			statuses[i], codes[i] = r.Status, r.str("code")
		}(i)
	}
	wg.Wait()
	ok := 0
	for i, st := range statuses {
		switch {
		case st == 200:
			ok++
		case st == 409 && codes[i] == "over_allocation":
		default:
			t.Errorf("client %d: status %d code %q", i, st, codes[i])
		}
	}
	if ok != 8 {
		t.Errorf("%d allocations succeeded, want 8 (the invoice's total)", ok)
	}
	if got := s.must(200, "GET", "/v1/invoices/"+inv, nil); got.str("amount_paid") != "8.00" || got.str("status") != "paid" {
		t.Errorf("invoice after the rush: %s", got.Body)
	}
	if got := s.must(200, "GET", "/v1/payments/"+pay, nil); got.str("allocated") != "8.00" || got.str("unallocated") != "2.00" {
		t.Errorf("payment after the rush: %s", got.Body)
	}
}
