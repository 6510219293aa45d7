package drill

import (
	"context"
	"testing"

	"finapp"
	"finapp/conformance"
)

// CheckBooks checks the books after a drill (call it after Finish): every acknowledged payment is
// in them exactly once under the id its client was told, so is every refused request whose retry
// found it applied, no payment is there that no client was told about, and every invariant and
// the audit chain hold (what `finapp verify` runs).
func (l *Load) CheckBooks(t testing.TB, ctx context.Context, svc *finapp.Service) {
	t.Helper()
	actx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "drill", Role: finapp.RoleViewer})
	byRef := map[string][]string{}
	for cursor := ""; ; {
		page, next, err := svc.ListPayments(actx, finapp.PaymentFilter{Limit: 500, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			byRef[p.Reference] = append(byRef[p.Reference], p.ID)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for ref, id := range l.Acked {
		if ids := byRef[ref]; len(ids) != 1 || ids[0] != id {
			t.Errorf("payment %s (acknowledged as %s) is in the books as %v", ref, id, ids)
		}
	}
	for ref := range l.Applied {
		if ids := byRef[ref]; len(ids) != 1 {
			t.Errorf("payment %s (answered 409: applied) is in the books as %v", ref, ids)
		}
	}
	if want := len(l.Acked) + len(l.Applied); len(byRef) != want {
		t.Errorf("%d references in the books, %d acknowledged or found applied", len(byRef), want)
	}
	if bad, err := conformance.CheckBooks(actx, svc); err != nil || len(bad) > 0 {
		t.Errorf("books after the drill: %v %v", err, bad)
	}
	if chain, err := svc.VerifyAudit(actx); err != nil || chain.Break != nil {
		t.Errorf("audit chain after the drill: %v %+v", err, chain)
	}
}
