package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/prometheus/client_golang/prometheus"

	"finapp"
	"finapp/internal/testdb"
	"finapp/postgres"
	"finapp/sqlstore"
)

// Sealing the audit trail off the commit path (issue 12; docs/security.md): two stores on one
// database — two servers — write to one workspace at once, each request its own transaction,
// and neither waits for the other's commits. Each store seals what it wrote. Afterwards every
// audit event is sealed exactly once into one chain that verifies, and the outbox events are
// numbered 1…N without a gap or a repeat, in an order consistent with each writer's own order.
func TestSealing_TwoStoresWritingAtOnceMakeOneWholeChain(t *testing.T) {
	dsn := testdb.PostgresSchema(t)
	ctx := context.Background()
	var dbs [2]interface {
		finapp.Store
		Close() error
		SealNow(context.Context) error
	}
	for i := range dbs {
		db, err := postgres.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:test", Role: finapp.RoleFinance})
	org, err := finapp.NewService(dbs[0]).CreateOrganization(as, finapp.OrganizationCreate{Name: "Acme", BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	const writers, each = 16, 15
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			svc := finapp.NewService(dbs[w%2])
			for i := 0; i < each; i++ {
				if _, err := svc.RecordPayment(as, finapp.PaymentCreate{OrganizationID: org.ID, Amount: "1.00", Currency: "SGD",
					Method: "bank_transfer", Reference: fmt.Sprintf("w%d-%d", w, i)}); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	// Sealing follows the writes within moments, without anyone asking.
	svc := finapp.NewService(dbs[1])
	viewer := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:auditor", Role: finapp.RoleViewer})
	want := 1 + writers*each
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := svc.VerifyAudit(viewer)
		if err != nil {
			t.Fatal(err)
		}
		if v.Break != nil {
			t.Fatalf("chain broken at %d: %s", v.Break.Index, v.Break.Reason)
		}
		if v.Events == want {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d audit events sealed 5 s after the last write", v.Events, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	for _, db := range dbs {
		if err := db.Close(); err != nil {
			t.Fatal(err)
		}
	}

	db, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc = finapp.NewService(db)
	v, err := svc.VerifyAudit(viewer)
	if err != nil {
		t.Fatal(err)
	}
	if v.Break != nil || v.Events != want || len(v.Late) > 0 || len(v.Unsealed) > 0 {
		t.Fatalf("after both stores closed: %d events (want %d), break %v, %d late, %d unsealed", v.Events, want, v.Break, len(v.Late), len(v.Unsealed))
	}
	// The outbox: every event numbered once, 1…N, and each writer's payments in its order.
	var seen []*finapp.Event
	err = db.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		for after := int64(0); ; {
			page, err := tx.ListEvents(ctx, finapp.EventFilter{After: after, Limit: 500})
			if err != nil || len(page) == 0 {
				return err
			}
			seen = append(seen, page...)
			after = page[len(page)-1].Sequence
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(seen) != writers*each { // payment.recorded; an organization announces nothing
		t.Fatalf("%d outbox events numbered, want %d", len(seen), writers*each)
	}
	last := map[string]int{} // writer → the last payment index seen
	for i, e := range seen {
		if e.Sequence != int64(i+1) {
			t.Fatalf("event %d of the feed has sequence %d", i+1, e.Sequence)
		}
		var w, n int
		if _, err := fmt.Sscanf(referenceOf(e.Payload), "w%d-%d", &w, &n); err != nil {
			t.Fatalf("event %s is not one of the payments: %s", e.ID, e.Payload)
		}
		key := fmt.Sprint(w)
		if prev, ok := last[key]; ok && n <= prev {
			t.Fatalf("writer %d's payment %d is numbered after its payment %d", w, prev, n)
		}
		last[key] = n
	}
}

// openFresh opens a store on a schema of its own, closed when the test ends.
func openFresh(t *testing.T) (*sqlstore.DB, string) {
	t.Helper()
	dsn := testdb.PostgresSchema(t)
	db, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, dsn
}

// withoutPoolParams drops pgxpool's parameters from a URL, which a plain connection refuses.
func withoutPoolParams(t *testing.T, dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	return u.String()
}

// referenceOf reads a payment event's reference ("" for another event).
func referenceOf(payload string) string {
	var p struct {
		Reference string `json:"reference"`
	}
	_ = json.Unmarshal([]byte(payload), &p)
	return p.Reference
}

// A server killed before it sealed its last writes leaves them unsealed; a server sweeping for
// them (serve does, every second) seals them without being written to itself.
func TestSealing_ASweepingStoreSealsWhatAnotherLeft(t *testing.T) {
	ctx := context.Background()
	db, dsn := openFresh(t)
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:test", Role: finapp.RoleFinance})
	if _, err := finapp.NewService(db).CreateOrganization(as, finapp.OrganizationCreate{Name: "Acme", BillingCurrency: "SGD"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SealNow(ctx); err != nil {
		t.Fatal(err)
	}
	// What a killed server left: an event appended unsealed, as a change appends it (written
	// here past the store, whose own sealer would seal it at once).
	raw, err := pgx.Connect(ctx, withoutPoolParams(t, dsn))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close(ctx)
	if _, err := raw.Exec(ctx, `INSERT INTO audit_events (workspace_id, id, chain_no, at, actor, source, action, entity, entity_id, before, after, prev_hash, hash)
		VALUES ($1, $2, 0, $3, 'token:test', '', 'organization.updated', 'organization', 'org_x', '{}', '{}', '', '')`,
		finapp.DefaultWorkspace, finapp.NewID(finapp.PrefixAudit), time.Now().UTC().Format(time.RFC3339Nano)); err != nil {
		t.Fatal(err)
	}
	sweeper, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer sweeper.Close()
	viewer := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:auditor", Role: finapp.RoleViewer})
	sweeper.SealSweep(50 * time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for {
		v, err := finapp.NewService(sweeper).VerifyAudit(viewer)
		if err != nil {
			t.Fatal(err)
		}
		if v.Break != nil {
			t.Fatalf("chain broken: %s", v.Break.Reason)
		}
		if v.Events == 2 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events sealed 5 s after the sweeper started; want 2", v.Events)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Reading the feed or the audit list seals first only when something is unsealed, so a read of
// a sealed workspace writes nothing; and only a transaction that appended events wakes the
// sealer, so a write without events (a stored response, the sealer's own) costs one commit.
func TestSealing_ReadsAndEventlessWritesCommitNothingMore(t *testing.T) {
	ctx := context.Background()
	db, _ := openFresh(t)
	reg := prometheus.NewRegistry()
	reg.MustRegister(db.Collectors()...)
	commits := func() float64 {
		t.Helper()
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			if mf.GetName() == "finapp_db_commits_total" {
				return mf.GetMetric()[0].GetCounter().GetValue()
			}
		}
		t.Fatal("no finapp_db_commits_total")
		return 0
	}
	settled := func() float64 { // the background sealer has done what the last commit woke it for
		t.Helper()
		last := commits()
		for i := 0; i < 50; i++ {
			time.Sleep(100 * time.Millisecond)
			n := commits()
			if n == last {
				return n
			}
			last = n
		}
		t.Fatal("the store kept committing with nothing to do")
		return 0
	}
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:test", Role: finapp.RoleFinance})
	svc := finapp.NewService(db)
	if _, err := svc.RecordPayment(as, finapp.PaymentCreate{Amount: "1.00", Currency: "SGD", Method: "cash"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SealNow(ctx); err != nil {
		t.Fatal(err)
	}
	before := settled()
	list, _, err := svc.ListEvents(as, finapp.EventFilter{Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("feed: %d events, %v", len(list), err)
	}
	if _, _, err := svc.ListAudit(as, finapp.AuditFilter{Limit: 10}); err != nil {
		t.Fatal(err)
	}
	if after := settled(); after != before {
		t.Errorf("reading a sealed workspace's feed and audit list committed %v times", after-before)
	}
	if err := db.Update(ctx, finapp.DefaultWorkspace, func(finapp.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if after := settled(); after != before+1 {
		t.Errorf("a write that appended no events took %v commits, want 1 (the sealer was woken)", after-before)
	}
}
