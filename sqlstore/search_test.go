package sqlstore_test

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

// searchDB is a fresh database of one engine with a second, raw connection to it: for the changes
// the service never makes (renaming an organization, renumbering or deleting an invoice) and for
// the reference query that every search is checked against.
type searchDB struct {
	engine string
	db     *sqlstore.DB
	raw    *sql.DB
}

// searchDBs opens one searchDB per engine: SQLite always, PostgreSQL when FINAPP_TEST_POSTGRES
// is set.
func forEachSearchDB(t *testing.T, fn func(t *testing.T, s searchDB)) {
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "search.db")
		db, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, searchDB{"sqlite", db, raw})
	})
	t.Run("postgres", func(t *testing.T) {
		u := testdb.PostgresSchema(t)
		db, err := postgres.Open(context.Background(), u)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		raw, err := sql.Open("pgx", withoutPoolParams(t, u))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		fn(t, searchDB{"postgres", db, raw})
	})
}

// withoutPoolParams drops pgxpool's parameters (pool_max_conns, …) from a URL, which a plain pgx
// connection would send to the server as settings.
func withoutPoolParams(tb testing.TB, u string) string {
	v, err := url.Parse(u)
	if err != nil {
		tb.Fatal(err)
	}
	q := v.Query()
	for k := range q {
		if strings.HasPrefix(k, "pool_") {
			q.Del(k)
		}
	}
	v.RawQuery = q.Encode()
	return v.String()
}

// exec runs a statement written with ? placeholders on the raw connection.
func (s searchDB) exec(t *testing.T, query string, args ...any) {
	t.Helper()
	if _, err := s.raw.Exec(s.numbered(query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

func (s searchDB) numbered(query string) string {
	if s.engine != "postgres" {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// reference is the invoice numbers the search returned before the trigram indexes: the plain
// LIKE (ILIKE on PostgreSQL) scan over every invoice of the workspace, in the list's order.
func (s searchDB) reference(t *testing.T, ws, q, from, to string, orgID ...string) []string {
	t.Helper()
	like := "LIKE"
	if s.engine == "postgres" {
		like = "ILIKE"
	}
	p := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	query := `SELECT i.number FROM invoices i JOIN organizations o ON o.id = i.organization_id
		WHERE i.workspace_id = ? AND (o.name ` + like + ` ? ESCAPE '\' OR i.number ` + like + ` ? ESCAPE '\')`
	args := []any{ws, p, p}
	for _, o := range orgID {
		query += ` AND i.organization_id = ?`
		args = append(args, o)
	}
	order := ` ORDER BY i.id DESC`
	if from != "" {
		query += ` AND i.issued_on >= ? AND i.issued_on <= ?`
		args = append(args, from, to)
		order = ` ORDER BY i.issued_on DESC, i.id DESC`
	}
	rows, err := s.raw.Query(s.numbered(query+order), args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// searchAll pages through ListInvoices two invoices at a time and returns the numbers.
func searchAll(t *testing.T, svc *finapp.Service, ctx context.Context, f finapp.InvoiceFilter) []string {
	t.Helper()
	var out []string
	f.Limit = 2
	for range 100 {
		list, next, err := svc.ListInvoices(ctx, f)
		if err != nil {
			t.Fatalf("q=%q: %v", f.Q, err)
		}
		for _, i := range list {
			out = append(out, i.Number)
		}
		if next == "" {
			return out
		}
		f.Cursor = next
	}
	t.Fatalf("q=%q: more than 100 pages", f.Q)
	return nil
}

// searchPlans are cap settings that force each of search.go's plans: the candidates (with the
// matching organizations looked up once and passed on as a list of ids, and with them looked up
// again), the set of matching organizations, the LIKE walk (on PostgreSQL also for a q alone
// under the second), and a first walk of a few invoices before any of them.
var searchPlans = []struct {
	name                                string
	candidates, ids, orgs, budget, list int
}{
	{"candidates", 1 << 30, 1 << 30, 1 << 30, 0, 100},
	{"candidates_looked_up_again", 1 << 30, 1 << 30, 0, 0, 0},
	{"organization_set", 0, 0, 1 << 30, 0, 100},
	{"organization_set_looked_up_again", 0, 0, 1 << 30, 0, 0},
	{"like_walk", 0, 0, 0, 0, 100},
	{"first_walk", 0, 0, 0, 3, 0},
}

// searchQueries are substrings in the middle of words, in mixed case, LIKE's wildcards and escape
// character, quotes, non-ASCII letters (which LIKE compares without folding their case in
// SQLite, and FTS5 folds), and queries of 1 and 2 characters, which have no trigram.
var searchQueries = []string{
	"acme", "ACME", "aCmE", "cme", "elec", "TELECOM", "soft p", "inv-10", "NV-1", "INV-100", "G-ACME-9",
	"%", "_", `\`, "_5%", "0%", `\B`, `A\B-7`, "T_5", "V_1", "'", `"`, `"Quotes"`, "O'B", `n "Q`,
	"straße", "STRASSE", "aße &", "Söhne", "SÖHNE", "söhne", "ünï", "ÜNÏ", "ärger", "Ärger", "äbc", "ÄBC", "ü1",
	"日本", "電信電", "話-4", "a", "A", "c", "z", "é", "ü", "-", " ", "cm", "zz", "Zz", "00", "1", "nobody", "initech", "XY-9",
	// Each of their trigrams is in one name, but not in a row: the index finds them, LIKE not.
	"acmelecom", "acmetelsoft",
}

// TestListInvoices_SearchMatchesTheScan: whichever plan serves it, a q finds exactly the invoices
// the plain LIKE scan found — the organization's name or the number containing q, ASCII case
// folded, wildcards literal — only in the caller's workspace, also after an organization is
// renamed and an invoice renumbered or deleted behind the service's back, and page after page.
func TestListInvoices_SearchMatchesTheScan(t *testing.T) {
	forEachSearchDB(t, func(t *testing.T, s searchDB) {
		other := &auth.Workspace{ID: finapp.NewID("ws_"), Name: "Partner"}
		if err := s.db.AuthStore().Update(context.Background(), other.ID, func(tx auth.Tx) error { return tx.CreateWorkspace(context.Background(), other) }); err != nil {
			t.Fatal(err)
		}
		svc := finapp.NewService(s.db)
		actor := func(ws string) context.Context {
			return finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: ws, Name: "test", Role: finapp.RoleFinance})
		}
		ctxA, ctxB := actor(finapp.DefaultWorkspace), actor(other.ID)
		names := []string{"Acme Telecom", "acmesoft Pte", "Straße & Söhne GmbH", `100% Pure_Water \ Co`,
			`O'Brien "Quotes" Ltd`, "ÜNÏCODE Ärger AG", "日本電信電話", "Globex"}
		orgs := map[string]map[string]string{} // workspace → name → id
		for _, ws := range []string{finapp.DefaultWorkspace, other.ID} {
			orgs[ws] = map[string]string{}
			for _, n := range names {
				o, err := svc.CreateOrganization(actor(ws), finapp.OrganizationCreate{Name: n, BillingCurrency: "SGD"})
				if err != nil {
					t.Fatal(err)
				}
				orgs[ws][n] = o.ID
			}
		}
		invoice := func(ctx context.Context, ws, number, org, issued string) {
			t.Helper()
			_, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: number, OrganizationID: orgs[ws][org], Total: "10.00", IssuedOn: issued})
			if err != nil {
				t.Fatal(err)
			}
		}
		// Created oldest first, so that id order and issue-date order agree except for the two
		// invoices issued out of turn.
		for _, in := range [][3]string{
			// Found by number for "acmelecom", which Acme Telecom's name and the three numbers
			// after it seem to have to the trigram index and do not: the newer invoices must not
			// take its page.
			{"X-ACMELECOM", "Globex", "2024-12-01"},
			{"ACM-ELE-COM-1", "Globex", "2024-12-02"}, {"ACM-ELE-COM-2", "Globex", "2024-12-03"}, {"ACM-ELE-COM-3", "Globex", "2024-12-04"},
			{"INV-100", "Acme Telecom", "2025-01-05"}, {"INV-101", "Acme Telecom", "2025-02-10"},
			{"G-ACME-9", "Globex", "2025-02-20"}, {"TU-7", "Acme Telecom", "2025-03-15"},
			{"AS-1", "acmesoft Pte", "2025-04-01"}, {"IT_5%", `100% Pure_Water \ Co`, "2025-04-02"},
			{`A\B-7`, "Straße & Söhne GmbH", "2025-04-03"}, {`Q"1'x`, `O'Brien "Quotes" Ltd`, "2025-04-04"},
			{"ÄBC-ü1", "ÜNÏCODE Ärger AG", "2025-04-05"}, {"電話-42", "日本電信電話", "2025-04-06"},
			{"zz-aa", "Globex", "2025-04-07"}, {"INV-102", "Acme Telecom", "2025-01-20"}, {"ZZ-OLD", "Globex", "2024-12-31"},
		} {
			invoice(ctxA, finapp.DefaultWorkspace, in[0], in[1], in[2])
		}
		// The partner's books have some of the same names and numbers, and their own, created
		// in one batch (the path of imports: the store indexes their numbers a batch at a time).
		var batch []finapp.InvoiceUpsert
		for k, in := range [][3]string{{"INV-100", "Acme Telecom", "2025-01-06"}, {"ACME-B", "Globex", "2025-02-01"}, {"IT_5%", "日本電信電話", "2025-03-01"}} {
			batch = append(batch, finapp.InvoiceUpsert{ExternalID: fmt.Sprintf("bill-%d", k), Number: in[0], OrganizationID: orgs[other.ID][in[1]],
				Total: "10.00", IssuedOn: in[2]})
		}
		if _, err := svc.UpsertInvoices(ctxB, batch); err != nil {
			t.Fatal(err)
		}

		// checkPlan compares every query's answer with the scan's under the caps set (restore
		// puts them back).
		checkPlan := func(t *testing.T, stage, plan string, restore func()) {
			defer restore()
			for _, q := range searchQueries {
				for _, ws := range []struct {
					id  string
					ctx context.Context
				}{{finapp.DefaultWorkspace, ctxA}, {other.ID, ctxB}} {
					want := s.reference(t, ws.id, q, "", "")
					if got := searchAll(t, svc, ws.ctx, finapp.InvoiceFilter{Q: q}); !slices.Equal(got, want) {
						t.Errorf("%s, %s plan, workspace %s, q=%q: got %q, want %q", stage, plan, ws.id, q, got, want)
					}
					globex := orgs[ws.id]["Globex"]
					want = s.reference(t, ws.id, q, "", "", globex)
					if got := searchAll(t, svc, ws.ctx, finapp.InvoiceFilter{Q: q, OrganizationID: globex}); !slices.Equal(got, want) {
						t.Errorf("%s, %s plan, workspace %s, q=%q of Globex: got %q, want %q", stage, plan, ws.id, q, got, want)
					}
					want = s.reference(t, ws.id, q, "2025-01-10", "2025-04-04")
					f := finapp.InvoiceFilter{Q: q, IssuedFrom: "2025-01-10", IssuedTo: "2025-04-04"}
					if got := searchAll(t, svc, ws.ctx, f); !slices.Equal(got, want) {
						t.Errorf("%s, %s plan, workspace %s, q=%q issued 2025-01-10..2025-04-04: got %q, want %q", stage, plan, ws.id, q, got, want)
					}
				}
			}
		}
		check := func(t *testing.T, stage string) {
			for _, p := range searchPlans {
				checkPlan(t, stage, p.name, sqlstore.SetSearchCaps(p.candidates, p.ids, p.orgs, p.budget, p.list))
			}
		}
		want := func(ctx context.Context, q string, numbers ...string) {
			t.Helper()
			if got := searchAll(t, svc, ctx, finapp.InvoiceFilter{Q: q}); !slices.Equal(got, numbers) {
				t.Errorf("q=%q: got %q, want %q", q, got, numbers)
			}
		}

		check(t, "as created")
		// The reference is not vacuous: what the scan answers, spelled out.
		want(ctxA, "cMe", "INV-102", "AS-1", "TU-7", "G-ACME-9", "INV-101", "INV-100", "X-ACMELECOM")
		want(ctxA, "acmelecom", "X-ACMELECOM")
		want(ctxB, "cMe", "ACME-B", "INV-100")
		want(ctxA, "%", "IT_5%")
		want(ctxA, `\`, `A\B-7`, "IT_5%")
		want(ctxA, `n "q`, `Q"1'x`)
		want(ctxA, "電信", "電話-42")
		want(ctxA, "ße & sö", `A\B-7`)
		want(ctxA, "Z", "ZZ-OLD", "zz-aa")

		// Behind the service's back: the triggers (SQLite) keep the index in step.
		s.exec(t, `UPDATE organizations SET name = ? WHERE id = ?`, "Initech Telco", orgs[finapp.DefaultWorkspace]["Acme Telecom"])
		s.exec(t, `UPDATE invoices SET number = ? WHERE workspace_id = ? AND number = ?`, "XY-99", finapp.DefaultWorkspace, "AS-1")
		s.exec(t, `DELETE FROM invoices WHERE workspace_id = ? AND number = ?`, finapp.DefaultWorkspace, "zz-aa")
		s.exec(t, `UPDATE organizations SET name = ? WHERE id = ?`, "Nobody Else", orgs[other.ID]["Globex"])
		check(t, "after renaming and renumbering")
		want(ctxA, "cMe", "XY-99", "G-ACME-9", "X-ACMELECOM")
		want(ctxA, "initech", "INV-102", "TU-7", "INV-101", "INV-100")
		want(ctxA, "as-1")
		want(ctxA, "xy-9", "XY-99")
		want(ctxA, "zz-a")
		want(ctxA, "globex", "ZZ-OLD", "G-ACME-9", "ACM-ELE-COM-3", "ACM-ELE-COM-2", "ACM-ELE-COM-1", "X-ACMELECOM")
		want(ctxB, "globex")
		want(ctxB, "nobody", "ACME-B")
	})
}

// TestListInvoices_IssuedRangePagesByIssueDate: a search bounded by issue date is ordered by issue
// date, then id, and its cursor (still the last id) pages through without repeats or gaps, also
// among invoices issued on the same day and ones created out of date order.
func TestListInvoices_IssuedRangePagesByIssueDate(t *testing.T) {
	forEachSearchDB(t, func(t *testing.T, s searchDB) {
		svc := finapp.NewService(s.db)
		ctx := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleFinance})
		org, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Acme", BillingCurrency: "SGD"})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 23 {
			issued := fmt.Sprintf("2025-03-%02d", 1+(i*7)%10) // out of date order, three a day
			if _, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: fmt.Sprintf("N-%02d", i), OrganizationID: org.ID, Total: "1.00", IssuedOn: issued}); err != nil {
				t.Fatal(err)
			}
		}
		for _, q := range []string{"", "N-", "n", "acme"} {
			want := s.reference(t, finapp.DefaultWorkspace, q, "2025-03-02", "2025-03-09")
			got := searchAll(t, svc, ctx, finapp.InvoiceFilter{Q: q, IssuedFrom: "2025-03-02", IssuedTo: "2025-03-09"})
			if !slices.Equal(got, want) || len(want) != 18 {
				t.Errorf("q=%q: got %q, want %q (18)", q, got, want)
			}
		}
	})
}

// TestSearchMigration_PostgresSchemasShareTheExtension: migrations running at once in several
// schemas of a database without pg_trgm create it once, and dropping one schema (as each test's
// cleanup does) leaves it to the others.
func TestSearchMigration_PostgresSchemasShareTheExtension(t *testing.T) {
	base := testdb.PostgresURL(t)
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	name := "finapp_trgm_" + hex.EncodeToString(b)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if _, err := admin.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Error(err)
		}
	}()
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	schemaURL := func(schema string) string {
		v := *u
		q := v.Query()
		q.Set("search_path", schema)
		v.RawQuery = q.Encode()
		return v.String()
	}
	conn, err := pgx.Connect(ctx, u.String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	const n = 4
	dbs := make([]*sqlstore.DB, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for k := range n {
		if _, err := conn.Exec(ctx, fmt.Sprintf("CREATE SCHEMA s%d", k)); err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			dbs[k], errs[k] = postgres.Open(ctx, schemaURL(fmt.Sprintf("s%d", k)))
		}()
	}
	wg.Wait()
	for k := range n {
		if errs[k] != nil {
			t.Fatalf("migrating schema s%d: %v", k, errs[k])
		}
		defer dbs[k].Close()
	}
	if _, err := conn.Exec(ctx, "DROP SCHEMA s0 CASCADE"); err != nil {
		t.Fatal(err)
	}
	svc := finapp.NewService(dbs[1])
	actx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleFinance})
	org, err := svc.CreateOrganization(actx, finapp.OrganizationCreate{Name: "Acme Telecom", BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateInvoice(actx, finapp.InvoiceCreate{Number: "INV-1", OrganizationID: org.ID, Total: "1.00"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"telecom", "nv-1"} {
		list, _, err := svc.ListInvoices(actx, finapp.InvoiceFilter{Q: q})
		if err != nil || len(list) != 1 {
			t.Fatalf("q=%q after dropping another schema: %v, %v", q, list, err)
		}
	}
	if _, err := conn.Exec(ctx, "CREATE SCHEMA s9"); err != nil {
		t.Fatal(err)
	}
	db9, err := postgres.Open(ctx, schemaURL("s9"))
	if err != nil {
		t.Fatalf("migrating a new schema after dropping one: %v", err)
	}
	db9.Close()
}
