package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx", for seeding
	"github.com/oklog/ulid/v2"

	"finapp"
	"finapp/internal/testdb"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

// BenchmarkSearchInvoices measures GET /v1/invoices's searches (issue 7) over 1,000,000 invoices
// of 100,000 organizations, through finapp.Service, and reports each kind's p50 and p99.
// FINAPP_BENCH_INVOICES=N seeds N invoices instead (N/10 organizations), for quick runs;
// FINAPP_BENCH_DIR=DIR keeps the SQLite file there for the next run; the PostgreSQL variant runs
// when FINAPP_TEST_POSTGRES is set. Benchmarks run only with -bench, so plain `go test` never
// seeds a million rows. Use e.g. -benchtime=300x so that each p99 stands on a few hundred
// samples (seeding takes about a minute per engine):
//
//	go test ./sqlstore -run '^$' -bench SearchInvoices -benchtime=300x -timeout 60m
func BenchmarkSearchInvoices(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("FINAPP_BENCH_INVOICES"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil || n < 1000 {
			b.Fatalf("FINAPP_BENCH_INVOICES=%q: want a number ≥ 1000", s)
		}
	}
	b.Run("sqlite", func(b *testing.B) {
		// FINAPP_BENCH_DIR keeps the seeded file there and uses it again on the next run.
		dir, keep := os.LookupEnv("FINAPP_BENCH_DIR")
		if !keep {
			dir = b.TempDir()
		}
		path := filepath.Join(dir, fmt.Sprintf("search-%d.db", n))
		_, err := os.Stat(path)
		seeded := keep && err == nil
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=synchronous(OFF)&_pragma=foreign_keys(1)")
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		if !seeded {
			seedSearch(b, raw, false, n)
		}
		benchSearches(b, db, n)
	})
	b.Run("postgres", func(b *testing.B) {
		if os.Getenv("FINAPP_TEST_POSTGRES") == "" {
			b.Skip("FINAPP_TEST_POSTGRES is not set")
		}
		url := testdb.PostgresSchema(b)
		db, err := postgres.Open(context.Background(), url)
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		raw, err := sql.Open("pgx", withoutPoolParams(b, url))
		if err != nil {
			b.Fatal(err)
		}
		defer raw.Close()
		seedSearch(b, raw, true, n)
		if _, err := raw.Exec(`VACUUM ANALYZE`); err != nil { // as autovacuum does after a bulk load
			b.Fatal(err)
		}
		benchSearches(b, db, n)
	})
}

// syllables make organization names that are unique, pronounceable and searchable in the middle
// of a word ("Kovarin Logistics Pte Ltd").
var syllables = strings.Fields("ka ko va rin lo mi tu sen da pe ri zo nu bel gar fi ta mon de lu " +
	"cor vi sa nel po tra xi hu jen bo qua ly ste wen ga dor mas ki pul ren")

var industries = strings.Fields("Logistics Trading Software Telecom Foods Engineering Media Textiles Shipping Energy " +
	"Consulting Robotics Pharma Realty Motors Aviation Security Printing Hospitality Farms")

var suffixes = []string{"Pte Ltd", "Ltd", "LLC", "GmbH", "Inc.", "S.A.", "Sdn Bhd", "& Co", "K.K.", "BV"}

// orgName is organization i's name: a made-up word from a scrambled i, so neighbours differ.
func orgName(i int) string {
	x := (i*7919 + 13) % (len(syllables) * len(syllables) * len(syllables) * len(syllables))
	var w strings.Builder
	for range 4 {
		w.WriteString(syllables[x%len(syllables)])
		x /= len(syllables)
	}
	word := strings.ToUpper(w.String()[:1]) + w.String()[1:]
	return word + " " + industries[i%len(industries)] + " " + suffixes[(i/len(industries))%len(suffixes)]
}

// seedSearch writes n invoices of n/10 organizations with multi-row INSERTs in transactions of
// 100,000 rows, past the service: the migrations' triggers (SQLite) and GIN indexes (PostgreSQL)
// index them exactly as they index the service's inserts. Invoice i is the i-th created: ids and
// issue dates both grow with i, over two years, as they do in a live workspace.
func seedSearch(b testing.TB, raw *sql.DB, numbered bool, n int) {
	b.Helper()
	start := time.Now()
	orgs := max(1, n/10)
	created := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).Format("2006-01-02T15:04:05.000000000Z")
	orgIDs := make([]string, orgs)
	t0 := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range orgIDs {
		orgIDs[i] = finapp.PrefixOrganization + strings.ToLower(ulid.MustNew(ulid.Timestamp(t0)+uint64(i), ulid.DefaultEntropy()).String())
	}
	insert(b, raw, numbered, `INSERT INTO organizations (workspace_id, id, name, billing_currency, status, created_at, version) VALUES `, 7, orgs,
		func(i int, row []any) {
			copy(row, []any{finapp.DefaultWorkspace, orgIDs[i], orgName(i), "SGD", "active", created, 1})
		})
	days := 730
	insert(b, raw, numbered, `INSERT INTO invoices (workspace_id, id, number, organization_id, kind, currency, total, amount_settled,
		issued_on, due_on, status, provisioned_at, voided_at, created_at, version) VALUES `, 15, n,
		func(i int, row []any) {
			issued := t0.AddDate(0, 0, i*days/n)
			id := finapp.PrefixInvoice + strings.ToLower(ulid.MustNew(ulid.Timestamp(issued)+uint64(i%86_400_000), ulid.DefaultEntropy()).String())
			total := int64(1000 + (i*37)%500_000) // minor units
			paid, status := total, finapp.InvoicePaid
			if i > n*9/10 || i%7 == 0 {
				paid, status = 0, finapp.InvoiceUnpaid
			}
			// Organisation of invoice i: scrambled, so that every organization has invoices
			// all through the two years.
			org := orgIDs[(i*104729)%orgs]
			copy(row, []any{finapp.DefaultWorkspace, id, fmt.Sprintf("INV-%07d", i+1), org, finapp.KindStandard, "SGD", total, paid,
				issued.Format("2006-01-02"), issued.AddDate(0, 0, 30).Format("2006-01-02"), status, nil, nil, created, 1})
		})
	if !numbered { // SQLite: the store, not a trigger, indexes new invoice numbers (indexInvoiceNumbers)
		for _, q := range []string{
			`INSERT INTO invoice_search_docs (workspace_id, invoice_id) SELECT workspace_id, id FROM invoices ORDER BY id`,
			`INSERT INTO invoice_number_search (rowid, number) SELECT d.doc, i.number FROM invoice_search_docs d JOIN invoices i ON i.id = d.invoice_id`,
		} {
			if _, err := raw.Exec(q); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Logf("seeded %d invoices of %d organizations in %s", n, orgs, time.Since(start).Round(time.Second))
}

// insert writes count rows of cols columns, 1,000 a statement, 100,000 a transaction; fill sets
// row i's values.
func insert(b testing.TB, raw *sql.DB, numbered bool, head string, cols, count int, fill func(i int, row []any)) {
	b.Helper()
	const perStmt, perTx = 1000, 100_000
	stmt := func(rows int) string {
		var s strings.Builder
		s.WriteString(head)
		p := 0
		for r := range rows {
			if r > 0 {
				s.WriteString(",")
			}
			s.WriteString("(")
			for c := range cols {
				if c > 0 {
					s.WriteString(",")
				}
				if p++; numbered {
					s.WriteString("$" + strconv.Itoa(p))
				} else {
					s.WriteString("?")
				}
			}
			s.WriteString(")")
		}
		return s.String()
	}
	full := stmt(perStmt)
	args := make([]any, perStmt*cols)
	for txStart := 0; txStart < count; txStart += perTx {
		tx, err := raw.Begin()
		if err != nil {
			b.Fatal(err)
		}
		for s := txStart; s < min(count, txStart+perTx); s += perStmt {
			rows := min(perStmt, count-s)
			for r := range rows {
				fill(s+r, args[r*cols:(r+1)*cols])
			}
			q := full
			if rows < perStmt {
				q = stmt(rows)
			}
			if _, err := tx.Exec(q, args[:rows*cols]...); err != nil {
				b.Fatal(err)
			}
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// benchSearches times each kind of search through the service; each kind cycles through several
// values, so that no one lucky value stands for its kind.
func benchSearches(b *testing.B, db *sqlstore.DB, n int) {
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "bench", Role: finapp.RoleViewer})
	svc := finapp.NewService(db)
	number := func(i int) string { return fmt.Sprintf("INV-%07d", i+1) }
	orgs := max(1, n/10)
	var kinds = []struct {
		name    string
		filters []finapp.InvoiceFilter
	}{
		{name: "number_exact"}, {name: "q_number_part"}, {name: "q_org_word_part"}, {name: "q_industry"},
		{name: "q_suffix"}, {name: "q_short"}, {name: "issued_week"}, {name: "issued_week_page_2"}, {name: "q_org_issued_month"},
		{name: "first_page"},
	}
	for v := range 20 {
		i := (v*7_777_777 + 12345) % n
		o := (v*3_331 + 17) % orgs
		word := strings.Fields(orgName(o))[0]
		week := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, 7*(v*5%100))
		month := time.Date(2024, time.Month(1+v%24), 1, 0, 0, 0, 0, time.UTC)
		add := func(k int, f finapp.InvoiceFilter) { kinds[k].filters = append(kinds[k].filters, f) }
		add(0, finapp.InvoiceFilter{Number: number(i)})
		add(1, finapp.InvoiceFilter{Q: number(i)[5:]})                                      // "0123456" of INV-0123456
		add(2, finapp.InvoiceFilter{Q: strings.ToLower(word[2:7])})                         // the middle of a made-up word
		add(3, finapp.InvoiceFilter{Q: strings.ToLower(industries[v%len(industries)][1:])}) // 1/20 of the organizations
		add(4, finapp.InvoiceFilter{Q: suffixes[v%len(suffixes)]})                          // 1/10, or more ("Ltd")
		add(5, finapp.InvoiceFilter{Q: syllables[v%len(syllables)][:2]})
		add(6, finapp.InvoiceFilter{IssuedFrom: week.Format("2006-01-02"), IssuedTo: week.AddDate(0, 0, 6).Format("2006-01-02")})
		wf := finapp.InvoiceFilter{IssuedFrom: week.Format("2006-01-02"), IssuedTo: week.AddDate(0, 0, 6).Format("2006-01-02"), Limit: 50}
		if _, wf.Cursor, _ = svc.ListInvoices(ctx, wf); wf.Cursor == "" {
			b.Fatalf("a week of %d invoices has one page", n)
		}
		add(7, wf)
		add(8, finapp.InvoiceFilter{Q: strings.ToLower(word[1:6]), IssuedFrom: month.Format("2006-01-02"), IssuedTo: month.AddDate(0, 1, -1).Format("2006-01-02")})
		add(9, finapp.InvoiceFilter{})
	}
	for _, k := range kinds {
		b.Run(k.name, func(b *testing.B) {
			var took []time.Duration
			found := 0
			for b.Loop() {
				f := k.filters[len(took)%len(k.filters)]
				f.Limit = 50
				t := time.Now()
				list, _, err := svc.ListInvoices(ctx, f)
				took = append(took, time.Since(t))
				if err != nil {
					b.Fatal(err)
				}
				found += len(list)
			}
			slices.Sort(took)
			ms := func(q float64) float64 {
				return float64(took[min(len(took)-1, int(q*float64(len(took))))].Microseconds()) / 1000
			}
			b.ReportMetric(ms(0.50), "p50-ms")
			b.ReportMetric(ms(0.99), "p99-ms")
			b.ReportMetric(float64(found)/float64(len(took)), "rows/op")
		})
	}
}
