package conformance

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"finapp"
)

// The Tx methods' own contracts, pinned once for every engine (riverqueue's driver tests have
// this shape): what a use case relies on from a method, whatever the engine does underneath.

// testAuditChainOrder: the chain's order is the position each event was given (ChainNo), not
// the order in which the engine numbers inserted rows — a multi-row INSERT promises none. The
// events are handed over out of chain order; the chain must still read back linked and whole,
// and a second event claiming a taken position (a fork) must be refused.
func testAuditChainOrder(t *testing.T, open func(t *testing.T) finapp.Store) {
	store := open(t)
	ctx := context.Background()
	at := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	var events []*finapp.AuditEvent
	prev := ""
	for i := range 5 {
		e := &finapp.AuditEvent{ID: finapp.NewID(finapp.PrefixAudit), ChainNo: int64(i + 1), At: at, Actor: "conformance",
			Action: "organization.created", Entity: "organization", EntityID: finapp.NewID("org_"), After: "{}", PrevHash: prev}
		e.Hash = e.ComputeHash()
		prev = e.Hash
		events = append(events, e)
	}
	shuffled := []*finapp.AuditEvent{events[3], events[0], events[4], events[2], events[1]}
	err := store.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		if _, _, err := tx.AuditChainHead(ctx); err != nil {
			return err
		}
		return tx.AppendAudits(ctx, shuffled)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = store.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		chain, err := tx.AuditChain(ctx)
		if err != nil {
			return err
		}
		if len(chain) != len(events) {
			t.Fatalf("chain has %d events, want %d", len(chain), len(events))
		}
		for i, e := range chain {
			if e.ID != events[i].ID {
				t.Fatalf("chain[%d] is %s (position %d), want %s: the chain was read in insert order", i, e.ID, e.ChainNo, events[i].ID)
			}
		}
		if b := finapp.VerifyChain(chain); b != nil {
			t.Fatalf("the chain reads as broken at %d: %s", b.Index, b.Reason)
		}
		hash, n, err := tx.AuditChainHead(ctx)
		if err != nil {
			return err
		}
		if hash != events[4].Hash || n != 5 {
			t.Fatalf("chain head is (%s, %d), want (%s, 5)", hash, n, events[4].Hash)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	fork := &finapp.AuditEvent{ID: finapp.NewID(finapp.PrefixAudit), ChainNo: 5, At: at, Actor: "conformance",
		Action: "organization.created", Entity: "organization", EntityID: "org_fork", After: "{}", PrevHash: events[3].Hash}
	fork.Hash = fork.ComputeHash()
	err = store.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		return tx.AppendAudits(ctx, []*finapp.AuditEvent{fork})
	})
	if err == nil {
		t.Fatal("a second event at chain position 5 (a fork of the chain) was stored")
	}
}

// testOrganizationDocuments: OrganizationAllocations lists every allocation to the
// organization's invoices, released ones too, by id, and OrganizationTopUps every top-up of its
// credit, by id; another organization's are never among them. (The customer statement ages
// invoices and counts top-ups from them.)
func testOrganizationDocuments(t *testing.T, open func(t *testing.T) finapp.Store) {
	store := open(t)
	svc := finapp.NewService(store)
	ctx := financeContext(context.Background())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	type books struct {
		org         *finapp.Organization
		allocations []string
		topUps      []string
	}
	var all []*books
	for _, name := range []string{"Acme", "Globex"} {
		b := &books{}
		var err error
		b.org, err = svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: "SGD"})
		must(err)
		inv, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: b.org.ID, Number: name + "-1", Total: "100.00"})
		must(err)
		p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: b.org.ID, Amount: "100.00", Currency: "SGD", Method: "cash"})
		must(err)
		d, err := svc.Allocate(ctx, p.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: "30.00"}}})
		must(err)
		released := d.Allocations[0].ID
		_, err = svc.ReleaseAllocation(ctx, p.ID, released, 0)
		must(err)
		d, err = svc.Allocate(ctx, p.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: "40.00"}}})
		must(err)
		for _, a := range d.Allocations {
			b.allocations = append(b.allocations, a.ID)
		}
		top, err := svc.TopUp(ctx, p.ID, 0, "10.00")
		must(err)
		b.topUps = []string{top.ID}
		all = append(all, b)
	}
	must(store.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		for _, b := range all {
			as, err := tx.OrganizationAllocations(ctx, b.org.ID)
			if err != nil {
				return err
			}
			var got []string
			for _, a := range as {
				got = append(got, a.ID)
			}
			if fmt.Sprint(got) != fmt.Sprint(sorted(b.allocations)) || len(got) != 2 || (as[0].ReleasedAt == nil) == (as[1].ReleasedAt == nil) {
				t.Errorf("%s: allocations %v, want %v, one of them released", b.org.Name, got, sorted(b.allocations))
			}
			ts, err := tx.OrganizationTopUps(ctx, b.org.ID)
			if err != nil {
				return err
			}
			if len(ts) != 1 || ts[0].ID != b.topUps[0] || ts[0].Amount != 1000 || ts[0].Currency != "SGD" {
				t.Errorf("%s: top-ups %+v, want %v", b.org.Name, ts, b.topUps)
			}
		}
		return nil
	}))
}

func sorted(ids []string) []string {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}
