package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	neturl "net/url"
	"os"
	"path/filepath"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", to seed PostgreSQL directly

	"finapp"
	"finapp/internal/testdb"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

// The reports benchmark (docs/benchmarks.md §7): the aging and receipts reports over 1,000,000
// invoices of 100,000 organizations and about a million payments and allocations. Seeding that
// through the service would take an hour, so the rows are written straight into the migrated
// schema with multi-row INSERTs in big transactions (about a minute on SQLite). Benchmarks only
// run with -bench, so plain `go test` never seeds anything:
//
//	go test ./sqlstore -run '^$' -bench Reports -benchtime 5x
//
// FINAPP_BENCH_INVOICES=100000 runs a smaller size. FINAPP_BENCH_MIX=open seeds the worst case
// instead: every invoice unpaid and every payment unassigned (the shape of the load test that
// found the problem, run E of docs/benchmarks.md). FINAPP_BENCH_REPORT_DB=PATH keeps the SQLite
// file at PATH and reuses it when it already holds that many invoices (of whichever mix; the data
// is dated relative to the day it was seeded). With FINAPP_TEST_POSTGRES set, the same data is
// seeded into a fresh PostgreSQL schema (about two minutes) and measured too;
// FINAPP_BENCH_REPORT_PG=URL keeps it in that database instead, likewise reused.
func BenchmarkReports(b *testing.B) {
	n := 1_000_000
	if v := os.Getenv("FINAPP_BENCH_INVOICES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 10 {
			b.Fatalf("FINAPP_BENCH_INVOICES=%q: want a number ≥ 10", v)
		}
	}
	b.Run("sqlite", func(b *testing.B) { benchReports(b, openSeededSQLite(b, n)) })
	if os.Getenv("FINAPP_TEST_POSTGRES") != "" {
		b.Run("postgres", func(b *testing.B) { benchReports(b, openSeededPostgres(b, n)) })
	}
}

func benchReports(b *testing.B, db *sqlstore.DB) {
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "bench", Role: finapp.RoleViewer})
	svc := finapp.NewService(db)
	today := time.Now().UTC()
	day := func(years, days int) string { return today.AddDate(-years, 0, -days).Format("2006-01-02") }
	cases := []struct {
		name string
		run  func() (rows int, err error)
	}{
		{"aging_today", func() (int, error) { r, err := svc.Aging(ctx, ""); return agingRows(r), err }},
		{"aging_90_days_ago", func() (int, error) { r, err := svc.Aging(ctx, day(0, 90)); return agingRows(r), err }},
		{"aging_1_year_ago", func() (int, error) { r, err := svc.Aging(ctx, day(1, 0)); return agingRows(r), err }},
		{"receipts_3y_by_month", func() (int, error) { g, err := svc.Receipts(ctx, day(3, 0), day(0, 0), "month"); return len(g), err }},
		{"receipts_3y_by_method", func() (int, error) { g, err := svc.Receipts(ctx, day(3, 0), day(0, 0), "method"); return len(g), err }},
		{"receipts_3y_by_day", func() (int, error) { g, err := svc.Receipts(ctx, day(3, 0), day(0, 0), "day"); return len(g), err }},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			peak := watchHeap()
			cpu := cpuTime()
			rows := 0
			for b.Loop() {
				var err error
				if rows, err = c.run(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N)/1e6, "cpu-ms/op")
			b.ReportMetric(float64(rows), "rows")
			b.ReportMetric(peak()/1e6, "peak-heap-MB")
		})
	}
}

func agingRows(r *finapp.AgingReport) int {
	if r == nil {
		return 0
	}
	return len(r.Rows)
}

// cpuTime is the CPU time this process has used (user and system, every thread). The machine the
// numbers in docs/benchmarks.md come from is shared; CPU per operation shows what a report costs
// when other work makes the wall-clock time wander. For SQLite it is the whole cost (the engine
// runs in this process); for PostgreSQL only the client's part.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// watchHeap samples the Go heap every millisecond until the returned function is called, which
// reports the largest heap seen (live and not yet collected objects) — what a report costs the
// server in memory, unlike B/op, which counts every allocation however short-lived.
func watchHeap() func() float64 {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var peak uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() float64 {
		close(stop)
		wg.Wait()
		return float64(peak)
	}
}

// openSeededSQLite returns an SQLite store holding n invoices of the report seed.
func openSeededSQLite(b *testing.B, n int) *sqlstore.DB {
	ctx := context.Background()
	path := os.Getenv("FINAPP_BENCH_REPORT_DB")
	if path == "" {
		path = filepath.Join(b.TempDir(), "reports.db")
	}
	db, err := sqlite.Open(ctx, path) // creates and migrates the file
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	// A connection of its own without fsync: the seed is test data, and the store's pools would
	// add nothing to it but time.
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	var have int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM invoices`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	switch have {
	case n:
		b.Logf("reusing %s (%d invoices)", path, n)
	case 0:
		seedReports(b, raw, false, n)
	default:
		b.Fatalf("%s holds %d invoices, not %d: remove it or set FINAPP_BENCH_INVOICES", path, have, n)
	}
	raw.Close()
	if db, err = sqlite.Open(ctx, path); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// openSeededPostgres returns a store holding n invoices of the report seed, vacuumed and analysed
// as autovacuum would leave it: in a fresh schema of the test server, dropped afterwards, or in
// the database FINAPP_BENCH_REPORT_PG names (a URL, which may set search_path), kept and reused
// when it already holds n invoices.
func openSeededPostgres(b *testing.B, n int) *sqlstore.DB {
	url := os.Getenv("FINAPP_BENCH_REPORT_PG")
	if url == "" {
		url = testdb.PostgresSchema(b)
	}
	db, err := postgres.Open(context.Background(), url) // migrates
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	u, err := neturl.Parse(url)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns") // the pool's setting, not the server's: a plain connection refuses it
	u.RawQuery = q.Encode()
	raw, err := sql.Open("pgx", u.String())
	if err != nil {
		b.Fatal(err)
	}
	defer raw.Close()
	var have int
	if err := raw.QueryRow(`SELECT COUNT(*) FROM invoices`).Scan(&have); err != nil {
		b.Fatal(err)
	}
	switch have {
	case n:
		b.Logf("reusing %d invoices", n)
		return db
	case 0:
	default:
		b.Fatalf("the database holds %d invoices, not %d", have, n)
	}
	seedReports(b, raw, true, n)
	if _, err := raw.Exec(`VACUUM ANALYZE`); err != nil {
		b.Fatal(err)
	}
	return db
}

// The columns the seed writes, in the order of its rows.
var (
	seedOrgColumns = []string{"workspace_id", "id", "name", "billing_currency", "status", "created_at", "version"}
	seedInvColumns = []string{"workspace_id", "id", "number", "organization_id", "kind", "currency", "total", "amount_settled",
		"issued_on", "due_on", "status", "voided_at", "created_at", "version"}
	seedPayColumns = []string{"workspace_id", "id", "organization_id", "amount", "currency", "received_on", "method", "reference",
		"invoice_hint", "remark", "allocated", "topped_up", "version", "assignment_changes", "created_by", "created_at", "updated_at", "deleted_at"}
	seedAlcColumns = []string{"workspace_id", "id", "payment_id", "invoice_id", "amount", "currency", "created_by", "created_at",
		"released_at", "released_by"}
)

// seedRows is one chunk of the seed, table by table, written in one transaction.
type seedRows struct{ orgs, invoices, payments, allocations [][]any }

// seedReports writes n invoices over n/10 organizations, dated over the last three years, in the
// mix a real receivables ledger has: most invoices older than three months are paid, some
// partially, a few void or still unpaid; recent ones are more often open. Each payment that
// pays an invoice has one allocation to it; one in twenty was first allocated, released a few
// days later and allocated again (history the as-of reconstruction must undo). About a tenth as
// many payments again are unassigned, and a fiftieth deleted. The journal and audit trail are not
// written: the reports do not read them. With FINAPP_BENCH_MIX=open every invoice is unpaid and
// each has one unassigned payment beside it.
func seedReports(b *testing.B, db *sql.DB, numbered bool, n int) {
	start := time.Now()
	rng := rand.New(rand.NewPCG(7, uint64(n)))
	now := time.Now().UTC()
	today := now.Truncate(24 * time.Hour)
	first := today.AddDate(0, 0, -3*365)
	date := func(t time.Time) string { return t.Format("2006-01-02") }
	stamp := func(t time.Time) string {
		if t.After(now) {
			t = now
		}
		return t.Format("2006-01-02T15:04:05.000000000Z")
	}
	terms := []int{0, 14, 30, 30, 30, 45, 60}
	methods := finapp.Methods
	orgs := max(1, n/10)
	allOpen := os.Getenv("FINAPP_BENCH_MIX") == "open"
	extra := 1
	if allOpen {
		extra = 0
	}
	var chunk seedRows
	nInv, nPay, nAlc := 0, 0, 0
	payment := func(orgID any, amount int64, cur string, on time.Time, allocated int64, deleted any) string {
		id := finapp.NewID(finapp.PrefixPayment)
		created := on.Add(8*time.Hour + time.Duration(rng.IntN(600))*time.Minute)
		changes := 0
		if orgID != nil {
			changes = 1
		}
		chunk.payments = append(chunk.payments, []any{finapp.DefaultWorkspace, id, orgID, amount, cur, date(on), methods[rng.IntN(len(methods))],
			fmt.Sprintf("REF-%08d", nPay), "", "", allocated, 0, 1, changes, "bench", stamp(created), stamp(created), deleted})
		nPay++
		return id
	}
	allocation := func(payID, invID string, amount int64, cur string, created time.Time, released any) {
		chunk.allocations = append(chunk.allocations, []any{finapp.DefaultWorkspace, finapp.NewID(finapp.PrefixAllocation), payID, invID,
			amount, cur, "bench", stamp(created), released, ""})
		nAlc++
	}
	for o := 0; o < orgs; o++ {
		orgID := finapp.NewID(finapp.PrefixOrganization)
		cur := "SGD"
		if o%10 == 9 {
			cur = "USD"
		}
		chunk.orgs = append(chunk.orgs, []any{finapp.DefaultWorkspace, orgID, fmt.Sprintf("Customer %06d", o), cur, "active", stamp(first), 1})
		for k := 0; k < n/orgs; k++ {
			invID := finapp.NewID(finapp.PrefixInvoice)
			issued := first.AddDate(0, 0, rng.IntN(3*365+1))
			due := issued.AddDate(0, 0, terms[rng.IntN(len(terms))])
			total := int64(1000 + rng.IntN(500_000)) // 10.00 to 5,009.99
			age := int(today.Sub(due).Hours() / 24)
			pPaid := 0.89
			switch {
			case age < 0:
				pPaid = 0.35
			case age <= 30:
				pPaid = 0.6
			case age <= 90:
				pPaid = 0.8
			}
			var paid int64
			status, voided := "unpaid", any(nil)
			switch r := rng.Float64(); {
			case allOpen:
				payment(nil, int64(1000+rng.IntN(200_000)), cur, first.AddDate(0, 0, rng.IntN(3*365+1)), 0, nil)
			case r < 0.03:
				status, voided = "void", stamp(issued.Add(33*time.Hour))
			case r < 0.03+pPaid:
				status, paid = "paid", total
			case r < 0.07+pPaid:
				status, paid = "partially_paid", total/2
			}
			if paid > 0 {
				on := due.AddDate(0, 0, rng.IntN(51)-10)
				if on.Before(issued) {
					on = issued
				}
				if on.After(today) {
					on = today
				}
				payID := payment(orgID, paid, cur, on, paid, nil)
				at := on.Add(9*time.Hour + time.Duration(rng.IntN(72*60))*time.Minute)
				if rng.IntN(20) == 0 { // allocated, released a few days later, allocated again
					released := at.Add(time.Duration(24+rng.IntN(96)) * time.Hour)
					allocation(payID, invID, paid, cur, at, stamp(released))
					at = released
				}
				allocation(payID, invID, paid, cur, at, nil)
			}
			chunk.invoices = append(chunk.invoices, []any{finapp.DefaultWorkspace, invID, fmt.Sprintf("INV-%08d", nInv),
				orgID, "standard", cur, total, paid, date(issued), date(due), status, voided, stamp(issued.Add(8 * time.Hour)), 1})
			nInv++
		}
		// Money nobody has placed yet, and payments recorded by mistake and deleted.
		for range n / orgs / 10 * extra {
			payment(nil, int64(1000+rng.IntN(200_000)), cur, first.AddDate(0, 0, rng.IntN(3*365+1)), 0, nil)
		}
		if o%5 == 0 && !allOpen {
			on := first.AddDate(0, 0, rng.IntN(3*365+1))
			payment(orgID, int64(1000+rng.IntN(200_000)), cur, on, 0, stamp(on.Add(30*time.Hour)))
		}
		if len(chunk.invoices) >= 50_000 || o == orgs-1 {
			writeSeedChunk(b, db, numbered, &chunk)
			chunk = seedRows{}
		}
	}
	b.Logf("seeded %d organizations, %d invoices, %d payments, %d allocations in %s", orgs, n, nPay, nAlc, time.Since(start).Round(time.Second))
}

func writeSeedChunk(b *testing.B, db *sql.DB, numbered bool, c *seedRows) {
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	for _, t := range []struct {
		table string
		cols  []string
		rows  [][]any
	}{{"organizations", seedOrgColumns, c.orgs}, {"invoices", seedInvColumns, c.invoices},
		{"payments", seedPayColumns, c.payments}, {"allocations", seedAlcColumns, c.allocations}} {
		if err := insertRows(tx, numbered, t.table, t.cols, t.rows); err != nil {
			_ = tx.Rollback()
			b.Fatalf("seeding %s: %v", t.table, err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
}

// insertRows writes rows with multi-row INSERTs of up to 30,000 parameters each, under both
// engines' limits (SQLite 32,766, PostgreSQL 65,535).
func insertRows(tx *sql.Tx, numbered bool, table string, cols []string, rows [][]any) error {
	per := 30_000 / len(cols)
	for len(rows) > 0 {
		part := rows[:min(per, len(rows))]
		rows = rows[len(part):]
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, len(part)*len(cols))
		for i, r := range part {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				if numbered {
					q.WriteString("$" + strconv.Itoa(len(args)+j+1))
				} else {
					q.WriteByte('?')
				}
			}
			q.WriteByte(')')
			args = append(args, r...)
		}
		if _, err := tx.Exec(q.String(), args...); err != nil {
			return err
		}
	}
	return nil
}
