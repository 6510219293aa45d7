package conformance

import (
	"fmt"
	"sync"
	"testing"

	"finapp"
	"finapp/money"
)

// hammerClients and hammerRounds size the mixed load of testHammer: 64 clients, each sending
// several requests, against overlapping payments and invoices.
const (
	hammerClients = 64
	hammerRounds  = 6
)

// testHammer sends a mixed load of allocations (one or two lines, invoices named in clashing
// orders), releases, top-ups and auto allocations from 64 clients at once against three payments
// and three invoices (one a top-up invoice). No request may fail with anything but a refusal of
// the rules, every acknowledged write must be there afterwards, nothing unacknowledged may be, and
// the books must balance with every invoice provisioned at most once.
func testHammer(t *testing.T, open func(t *testing.T) finapp.Store) {
	f := newFixture(t, open)
	org := f.org("Hot Spot Pte Ltd", sgd)
	invs := []*finapp.Invoice{
		f.invoice(org.ID, "HOT-1", finapp.KindStandard, "300.00"),
		f.invoice(org.ID, "HOT-2", finapp.KindTopUp, "150.00"),
		f.invoice(org.ID, "HOT-3", finapp.KindProforma, "200.00"),
	}
	pays := []*finapp.PaymentDetail{f.payment(org.ID, "250.00", sgd), f.payment(org.ID, "250.00", sgd), f.payment(org.ID, "250.00", sgd)}

	var mu sync.Mutex
	acked := map[money.Amount]string{} // unique amount → payment id, of acknowledged allocations
	released := map[string]bool{}      // allocation ids acknowledged as released
	topUps := map[string]money.Amount{}
	done := make(chan struct{})
	var wg sync.WaitGroup
	for c := range hammerClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-done
			for r := range hammerRounds {
				pay := pays[(c+r)%len(pays)]
				amt := money.Amount(100 + c*hammerRounds + r) // unique: 1.00 … 4.83 SGD
				what := fmt.Sprintf("client %d round %d", c, r)
				switch (c + r) % 6 {
				case 0, 1, 2: // explicit allocation, one or two lines, clashing invoice orders
					first, second := invs[(c+r)%3], invs[(c+2*r+1)%3]
					lines := []finapp.AllocationLine{{InvoiceID: first.ID, Amount: money.Format(amt, sgd)}}
					if c%2 == 0 && first.ID != second.ID {
						lines = append(lines, finapp.AllocationLine{InvoiceID: second.ID, Amount: money.Format(amt+10000, sgd)})
					}
					_, err := f.svc.Allocate(f.ctx, pay.ID, 0, finapp.AllocationRequest{Lines: lines})
					if !refusal(t, what+" allocating", err, finapp.EOverAllocation) {
						mu.Lock()
						acked[amt] = pay.ID
						if len(lines) == 2 {
							acked[amt+10000] = pay.ID
						}
						mu.Unlock()
					}
				case 3: // release the payment's newest active allocation, if any
					d, err := f.svc.GetPayment(f.ctx, pay.ID)
					if err != nil {
						t.Errorf("%s reading: %v", what, err)
						continue
					}
					for i := len(d.Allocations) - 1; i >= 0; i-- {
						if a := d.Allocations[i]; a.ReleasedAt == nil {
							_, err := f.svc.ReleaseAllocation(f.ctx, pay.ID, a.ID, 0)
							if !refusal(t, what+" releasing", err, finapp.EInvoiceProvisioned, finapp.EConflict) {
								mu.Lock()
								released[a.ID] = true
								mu.Unlock()
							}
							break
						}
					}
				case 4:
					top, err := f.svc.TopUp(f.ctx, pay.ID, 0, money.Format(amt, sgd))
					if !refusal(t, what+" topping up", err, finapp.EOverAllocation) {
						mu.Lock()
						topUps[top.ID] = amt
						mu.Unlock()
					}
				case 5:
					_, err := f.svc.Allocate(f.ctx, pay.ID, 0, finapp.AllocationRequest{Auto: true})
					refusal(t, what+" auto-allocating", err, finapp.EOverAllocation)
				}
			}
		}()
	}
	close(done)
	wg.Wait()

	b := f.books() // every invariant, including one provisioning entry per provisioned invoice
	for _, p := range pays {
		d := b.payments[p.ID]
		for _, a := range d.Allocations {
			if released[a.ID] && a.ReleasedAt == nil {
				t.Errorf("allocation %s was acknowledged as released but is active", a.ID)
			}
			if pid, ok := acked[a.Amount]; ok {
				if pid != p.ID {
					t.Errorf("allocation %s of %s is on payment %s, acknowledged on %s", a.ID, fmtAmount(a.Amount, sgd), p.ID, pid)
				}
				delete(acked, a.Amount)
			}
		}
		for _, top := range d.TopUps {
			delete(topUps, top.ID)
		}
	}
	for amt, pid := range acked {
		t.Errorf("acknowledged allocation of %s from payment %s is missing", fmtAmount(amt, sgd), pid)
	}
	for id, amt := range topUps {
		t.Errorf("acknowledged top-up %s of %s is missing", id, fmtAmount(amt, sgd))
	}
}
