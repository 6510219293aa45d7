package sqlstore_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	neturl "net/url"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"finapp"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// The proposals benchmark (docs/benchmarks.md, issue 18): ProposeBankLines over one statement of
// 100,000 unmatched bank lines against 1,000,000 open invoices of 100,000 organizations. The
// invoices are the reports benchmark's seed with every invoice open (FINAPP_BENCH_MIX=open: each
// has an unassigned payment beside it, which the recorded-payment evidence must look through);
// the lines are written straight into the schema, in a mix of what banks bring:
//
//   - 40 % name an invoice in their remittance text ("Payment INV-00012345 thank you"), paying
//     its total;
//   - 20 % quote its ISO 11649 creditor reference as their structured reference;
//   - 10 % name two invoices of one customer and pay both;
//   - 30 % say nothing finapp knows (another payer's text, no reference).
//
// Each run puts every line back to unmatched first. Benchmarks only run with -bench:
//
//	go test ./sqlstore -run '^$' -bench BankProposals -benchtime 1x
//
// FINAPP_BENCH_INVOICES (default 1,000,000) and FINAPP_BENCH_LINES (default 100,000) set the
// sizes; FINAPP_BENCH_REPORT_DB=PATH keeps and reuses the SQLite file as the reports benchmark
// does (the lines are seeded once per file). With FINAPP_TEST_POSTGRES set, PostgreSQL is
// measured too.
func BenchmarkBankProposals(b *testing.B) {
	b.Setenv("FINAPP_BENCH_MIX", "open")
	n := benchSize(b, "FINAPP_BENCH_INVOICES", 1_000_000)
	lines := benchSize(b, "FINAPP_BENCH_LINES", 100_000)
	b.Run("sqlite", func(b *testing.B) {
		if os.Getenv("FINAPP_BENCH_REPORT_DB") == "" {
			b.Setenv("FINAPP_BENCH_REPORT_DB", filepath.Join(b.TempDir(), "proposals.db"))
		}
		db := openSeededSQLite(b, n)
		benchProposals(b, db, rawSQLite(b), false, lines)
	})
	if os.Getenv("FINAPP_TEST_POSTGRES") != "" {
		b.Run("postgres", func(b *testing.B) {
			if os.Getenv("FINAPP_BENCH_REPORT_PG") == "" {
				b.Setenv("FINAPP_BENCH_REPORT_PG", testdb.PostgresSchema(b))
			}
			db := openSeededPostgres(b, n)
			benchProposals(b, db, rawPostgres(b), true, lines)
		})
	}
}

func benchSize(b *testing.B, name string, def int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 10 {
		b.Fatalf("%s=%q: want a number ≥ 10", name, v)
	}
	return n
}

// rawSQLite opens the file openSeededSQLite just opened, for writing the lines directly.
func rawSQLite(b *testing.B) *sql.DB {
	path := os.Getenv("FINAPP_BENCH_REPORT_DB")
	if path == "" {
		b.Fatal("rawSQLite after openSeededSQLite with FINAPP_BENCH_REPORT_DB unset: the file is the benchmark's temporary one")
	}
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=synchronous(OFF)&_pragma=busy_timeout(10000)")
	if err != nil {
		b.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	b.Cleanup(func() { raw.Close() })
	return raw
}

// rawPostgres opens the database openSeededPostgres just seeded (it must be named by
// FINAPP_BENCH_REPORT_PG, so that both see the same one).
func rawPostgres(b *testing.B) *sql.DB {
	url := os.Getenv("FINAPP_BENCH_REPORT_PG")
	if url == "" {
		b.Fatal("the PostgreSQL proposals benchmark needs FINAPP_BENCH_REPORT_PG (a database URL it may fill)")
	}
	u, err := neturl.Parse(url)
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Del("pool_max_conns")
	u.RawQuery = q.Encode()
	raw, err := sql.Open("pgx", u.String())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { raw.Close() })
	return raw
}

func benchProposals(b *testing.B, db *sqlstore.DB, raw *sql.DB, numbered bool, lines int) {
	statement := seedBankLines(b, raw, numbered, lines)
	svc := finapp.NewService(db)
	ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "bench", Role: finapp.RoleFinance})
	var took time.Duration
	proposed := 0
	for b.Loop() {
		b.StopTimer()
		if _, err := raw.Exec(`UPDATE bank_lines SET status = 'unmatched' WHERE status = 'proposed'`); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		start := time.Now()
		var err error
		proposed, _, err = svc.ProposeBankLines(ctx, statement)
		took += time.Since(start)
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(lines*b.N)/took.Seconds(), "lines/s")
	b.ReportMetric(float64(proposed), "proposed")
}

// seedBankLines writes one statement of n lines (see BenchmarkBankProposals for the mix) unless
// the database has it already, and returns its id.
func seedBankLines(b *testing.B, raw *sql.DB, numbered bool, n int) string {
	var id string
	var have int
	err := raw.QueryRow(`SELECT id, entries FROM bank_statements WHERE bank_id = 'BENCH-PROPOSALS'`).Scan(&id, &have)
	switch {
	case err == nil && have == n:
		b.Logf("reusing statement %s (%d lines)", id, n)
		return id
	case err == nil:
		b.Fatalf("the database has a proposals statement of %d lines, not %d", have, n)
	case err != sql.ErrNoRows:
		b.Fatal(err)
	}
	start := time.Now()
	// The invoices the lines pay, drawn at random (the seed's rows are in organization order).
	rows, err := raw.Query(`SELECT number, total, currency, organization_id FROM invoices WHERE status = 'unpaid' ORDER BY number`)
	if err != nil {
		b.Fatal(err)
	}
	type inv struct {
		number, currency, org string
		total                 int64
	}
	var invoices []inv
	for rows.Next() {
		var v inv
		if err := rows.Scan(&v.number, &v.total, &v.currency, &v.org); err != nil {
			b.Fatal(err)
		}
		invoices = append(invoices, v)
	}
	if err := rows.Err(); err != nil {
		b.Fatal(err)
	}
	rows.Close()
	rng := rand.New(rand.NewPCG(18, uint64(n)))
	account, now := finapp.NewID(finapp.PrefixBankAccount), time.Now().UTC().Format("2006-01-02T15:04:05.000000000Z")
	id = finapp.NewID(finapp.PrefixBankStatement)
	cur := "SGD"
	tx, err := raw.Begin()
	if err != nil {
		b.Fatal(err)
	}
	must := func(err error) {
		if err != nil {
			_ = tx.Rollback()
			b.Fatal(err)
		}
	}
	must(insertRows(tx, numbered, "bank_accounts", []string{"workspace_id", "id", "account", "currency", "cash_account", "created_at"},
		[][]any{{finapp.DefaultWorkspace, account, "SG00BENCH0000000001", cur, "cash:bank_transfer", now}}))
	must(insertRows(tx, numbered, "bank_statements", []string{"workspace_id", "id", "bank_account_id", "format", "file_digest", "bank_id",
		"sequence", "has_balances", "opening", "opening_date", "closing", "closing_date", "entries", "created", "skipped", "imported_by",
		"imported_at"}, [][]any{{finapp.DefaultWorkspace, id, account, "camt.053", "bench", "BENCH-PROPOSALS", "1", 0, "0", "", "0", "",
		n, n, 0, "bench", now}}))
	cols := []string{"workspace_id", "id", "bank_account_id", "statement_id", "key", "status", "amount", "currency", "credit",
		"reversal", "entry_status", "booking_date", "value_date", "bank_reference", "batch", "entry_reference", "end_to_end_id",
		"transaction_id", "counterparty_name", "counterparty_iban", "remittance_text", "structured_reference", "document_numbers",
		"additional_info", "transaction_code", "charges", "payment_id", "match_kind", "ignore_reason", "created_at"}
	var chunk [][]any
	for i := range n {
		k := rng.IntN(len(invoices))
		v := invoices[k]
		amount, text, structured := v.total, "", ""
		switch r := rng.IntN(10); {
		case r < 4:
			text = "Payment " + v.number + " thank you"
		case r < 6:
			structured = finapp.CreditorReference(v.number)
			text = "Invoice payment"
		case r < 7:
			// Two invoices of the same customer: the seed writes ten per customer, numbered in a row.
			w := invoices[max(k-1, 0)]
			if k+1 < len(invoices) && invoices[k+1].org == v.org {
				w = invoices[k+1]
			}
			if w.org == v.org && w.number != v.number {
				text, amount = "Invoices "+v.number+" and "+w.number, v.total+w.total
			} else {
				text = "Payment " + v.number
			}
		default:
			text, amount = fmt.Sprintf("Transfer %d from another payer", i), int64(1000+rng.IntN(500_000))
		}
		if v.currency != cur {
			text, structured, amount = fmt.Sprintf("Transfer %d in %s", i, v.currency), "", int64(1000+rng.IntN(500_000))
		}
		ref := fmt.Sprintf("BENCH-%09d", i)
		chunk = append(chunk, []any{finapp.DefaultWorkspace, finapp.NewID(finapp.PrefixBankLine), account, id, "ref:" + ref, "unmatched",
			amount, cur, 1, 0, "BOOK", "2026-12-01", "2026-12-01", ref, "", "", fmt.Sprintf("E2E-%09d", i), "",
			fmt.Sprintf("Payer %d", i%5000), "", text, structured, "", "", "PMNT-RCDT-ESCT", 0, "", "", "", now})
		if len(chunk) == 20_000 {
			must(insertRows(tx, numbered, "bank_lines", cols, chunk))
			chunk = chunk[:0]
		}
	}
	must(insertRows(tx, numbered, "bank_lines", cols, chunk))
	must(tx.Commit())
	// PostgreSQL as autovacuum would leave it; SQLite as finapp leaves it, never analysed (with
	// statistics, SQLite plans a statement again for each value bound to an indexed column).
	if numbered {
		if _, err := raw.Exec(`VACUUM ANALYZE bank_lines`); err != nil {
			b.Fatal(err)
		}
	}
	b.Logf("seeded %d bank lines in %s", n, time.Since(start).Round(time.Second))
	return id
}
