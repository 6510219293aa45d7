package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	_ "modernc.org/sqlite" // the driver, registered as "sqlite", for editing the file as an attacker would

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
)

// The tamper-evident audit trail (issue 6): `finapp audit verify` recomputes a workspace's hash
// chain. Someone with write access to the database can drop the append-only triggers and edit or
// delete an event; verify must then fail and name the first broken link. Each test runs on an
// SQLite file and on PostgreSQL.

// rawDB is the database as an attacker with direct access sees it: plain SQL, no finapp.
type rawDB struct {
	exec  func(t *testing.T, query string, args ...any) error
	query func(t *testing.T, query string, args ...any) []string
	// dropGuards are the statements that remove the append-only triggers.
	dropGuards []string
}

// engines returns, per engine, a function that makes a fresh database and returns its --db value
// and a raw connection to it.
func engines() map[string]func(t *testing.T) (string, *rawDB) {
	return map[string]func(t *testing.T) (string, *rawDB){
		"sqlite": func(t *testing.T) (string, *rawDB) {
			path := filepath.Join(t.TempDir(), "finapp.db")
			return "sqlite:" + path, &rawDB{
				exec: func(t *testing.T, query string, args ...any) error {
					raw := openSQLiteFile(t, path)
					_, err := raw.Exec(query, args...)
					return err
				},
				query: func(t *testing.T, query string, args ...any) []string {
					return collectStrings(t, openSQLiteFile(t, path), query, args...)
				},
				dropGuards: []string{`DROP TRIGGER audit_events_no_update`, `DROP TRIGGER audit_events_no_delete`},
			}
		},
		"postgres": func(t *testing.T) (string, *rawDB) {
			dsn := testdb.PostgresSchema(t)
			u, err := url.Parse(dsn)
			if err != nil {
				t.Fatal(err)
			}
			q := u.Query()
			q.Del("pool_max_conns") // a pool setting, not a server parameter
			u.RawQuery = q.Encode()
			connect := func(t *testing.T) *pgx.Conn {
				conn, err := pgx.Connect(context.Background(), u.String())
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { conn.Close(context.Background()) })
				return conn
			}
			return dsn, &rawDB{
				exec: func(t *testing.T, query string, args ...any) error {
					_, err := connect(t).Exec(context.Background(), numbered(query), args...)
					return err
				},
				query: func(t *testing.T, query string, args ...any) []string {
					rows, err := connect(t).Query(context.Background(), numbered(query), args...)
					if err != nil {
						t.Fatal(err)
					}
					out, err := pgx.CollectRows(rows, pgx.RowTo[string])
					if err != nil {
						t.Fatal(err)
					}
					return out
				},
				dropGuards: []string{`DROP TRIGGER audit_events_no_update ON audit_events`},
			}
		},
	}
}

// numbered turns "?" placeholders into PostgreSQL's "$1", "$2", ….
func numbered(query string) string {
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func openSQLiteFile(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}

func collectStrings(t *testing.T, db *sql.DB, query string, args ...any) []string {
	t.Helper()
	rows, err := db.Query(query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// forEachEngine runs test on a fresh database of each engine.
func forEachEngine(t *testing.T, test func(t *testing.T, dsn string, raw *rawDB)) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			dsn, raw := open(t)
			auditedBooks(t, dsn)
			test(t, dsn, raw)
		})
	}
}

// auditedBooks makes a few changes in the default workspace and one in workspace "Partner B".
func auditedBooks(t *testing.T, dsn string) {
	t.Helper()
	ctx := context.Background()
	db, err := createDB(ctx, dsn, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := finapp.NewService(db)
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:test", Role: finapp.RoleFinance, Address: "192.0.2.1"})
	org, err := svc.CreateOrganization(as, finapp.OrganizationCreate{Name: "Acme Telecom", BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := svc.CreateInvoice(as, finapp.InvoiceCreate{Number: "INV-1", OrganizationID: org.ID, Total: "100.00"})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		p, err := svc.RecordPayment(as, finapp.PaymentCreate{OrganizationID: org.ID, Amount: "30.00", Currency: "SGD", Method: "bank_transfer",
			Reference: fmt.Sprintf("DBS %d", i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Allocate(as, p.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: "30.00"}}}); err != nil {
			t.Fatal(err)
		}
	}
	b, err := auth.New(db.AuthStore()).CreateWorkspace(operator(ctx, ""), "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	asB := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: b.ID, Name: "token:b", Role: finapp.RoleAdmin})
	if _, err := svc.CreateOrganization(asB, finapp.OrganizationCreate{Name: "B's customer", BillingCurrency: "EUR"}); err != nil {
		t.Fatal(err)
	}
}

// runAuditVerify runs `finapp audit verify` and returns its output and error.
func runAuditVerify(t *testing.T, dsn string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), append([]string{"audit", "verify", "--db", dsn}, args...), strings.NewReader(""), &out, &errOut)
	return out.String() + errOut.String(), err
}

// chainIDs lists the default workspace's audit event ids in append order.
func chainIDs(t *testing.T, raw *rawDB) []string {
	t.Helper()
	ids := raw.query(t, `SELECT id FROM audit_events WHERE workspace_id = ? ORDER BY seq`, finapp.DefaultWorkspace)
	if len(ids) < 6 {
		t.Fatalf("only %d audit events", len(ids))
	}
	return ids
}

func dropGuards(t *testing.T, raw *rawDB) {
	t.Helper()
	for _, q := range raw.dropGuards {
		if err := raw.exec(t, q); err != nil {
			t.Fatal(err)
		}
	}
}

func expectIntact(t *testing.T, dsn string, args ...string) {
	t.Helper()
	out, err := runAuditVerify(t, dsn, args...)
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("audit verify %v of untouched books: %v: %s", args, err, out)
	}
}

func TestAuditVerify_AnEditedEventBreaksTheChainThere(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string, raw *rawDB) {
		expectIntact(t, dsn)
		expectIntact(t, dsn, "--workspace", "Partner B")

		ids := chainIDs(t, raw)
		victim := ids[len(ids)/2]
		// The database itself refuses the edit…
		if err := raw.exec(t, `UPDATE audit_events SET after = after || ' ' WHERE id = ?`, victim); err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Fatalf("editing an audit event with the triggers in place: %v", err)
		}
		// …until an attacker with access to the database drops the trigger.
		dropGuards(t, raw)
		after := raw.query(t, `SELECT after FROM audit_events WHERE id = ?`, victim)[0]
		edited := strings.Replace(after, "3000", "9000", 1)
		if edited == after {
			edited = after + " "
		}
		if err := raw.exec(t, `UPDATE audit_events SET after = ? WHERE id = ?`, edited, victim); err != nil {
			t.Fatal(err)
		}

		out, err := runAuditVerify(t, dsn)
		if err == nil {
			t.Fatalf("audit verify passed an edited event: %s", out)
		}
		if !strings.Contains(out, victim) || !strings.Contains(out, "BROKEN") || !strings.Contains(out, "edited") {
			t.Fatalf("audit verify does not name the edited event %s: %v: %s", victim, err, out)
		}
		for _, id := range ids {
			if id != victim && strings.Contains(out, id) {
				t.Fatalf("audit verify names %s rather than the edited %s: %s", id, victim, out)
			}
		}
		// The chain is per workspace: B's is untouched.
		expectIntact(t, dsn, "--workspace", "Partner B")
	})
}

func TestAuditVerify_ADeletedEventBreaksTheChainAtTheNextOne(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string, raw *rawDB) {
		ids := chainIDs(t, raw)
		i := len(ids) / 2
		if err := raw.exec(t, `DELETE FROM audit_events WHERE id = ?`, ids[i]); err == nil {
			t.Fatal("deleting an audit event with the triggers in place succeeded")
		}
		dropGuards(t, raw)
		if err := raw.exec(t, `DELETE FROM audit_events WHERE id = ?`, ids[i]); err != nil {
			t.Fatal(err)
		}

		out, err := runAuditVerify(t, dsn)
		if err == nil {
			t.Fatalf("audit verify passed a chain with a deleted event: %s", out)
		}
		if !strings.Contains(out, ids[i+1]) || !strings.Contains(out, "prev_hash") {
			t.Fatalf("audit verify does not name %s, the event after the deleted %s: %v: %s", ids[i+1], ids[i], err, out)
		}
		if !strings.Contains(out, fmt.Sprintf("event %d of %d", i+1, len(ids)-1)) {
			t.Fatalf("audit verify does not say where in the chain: %s", out)
		}
	})
}

// Verify prints how many events it checked: removing the newest events leaves a chain whose links
// all hold, which only a comparison of that count (or the last hash) with an earlier copy shows.
func TestAuditVerify_ReportsHowManyEventsItChecked(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string, raw *rawDB) {
		n := len(chainIDs(t, raw))
		out, err := runAuditVerify(t, dsn)
		if err != nil || !strings.Contains(out, fmt.Sprintf("%d events", n)) {
			t.Fatalf("audit verify: %v: %s (want %d events)", err, out, n)
		}
	})
}

// The newest events can be cut off a chain without breaking a link; a checkpoint published
// earlier (serve logs one: chain position and hash) shows it.
func TestAuditVerify_ACheckpointShowsAChainCutShort(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string, raw *rawDB) {
		ids := chainIDs(t, raw)
		head := raw.query(t, `SELECT CAST(chain_no AS TEXT) || ':' || hash FROM audit_events WHERE workspace_id = ? AND chain_no > 0 ORDER BY chain_no DESC LIMIT 1`,
			finapp.DefaultWorkspace)[0]
		expectIntact(t, dsn, "--checkpoint", head)

		dropGuards(t, raw)
		for _, id := range ids[len(ids)-2:] {
			if err := raw.exec(t, `DELETE FROM audit_events WHERE id = ?`, id); err != nil {
				t.Fatal(err)
			}
		}
		// Every remaining link holds (the replay then finds the books ahead of the trail)…
		if out, _ := runAuditVerify(t, dsn); !strings.Contains(out, "audit chain of workspace Default intact") {
			t.Fatalf("audit verify of a chain cut short, without a checkpoint: %s", out)
		}
		out, err := runAuditVerify(t, dsn, "--checkpoint", head)
		if err == nil || !strings.Contains(out, "cut short") || !strings.Contains(out, head) {
			t.Fatalf("audit verify of a chain cut after checkpoint %s: %v: %s", head, err, out)
		}
		// …and a checkpoint that names a hash the chain never had is refused the same way.
		first := raw.query(t, `SELECT hash FROM audit_events WHERE workspace_id = ? AND chain_no = 1`, finapp.DefaultWorkspace)[0]
		out, err = runAuditVerify(t, dsn, "--checkpoint", "1:"+strings.Repeat("0", 64))
		if err == nil || !strings.Contains(out, "rewritten") {
			t.Fatalf("audit verify with a checkpoint the chain does not hold: %v: %s", err, out)
		}
		if out, _ := runAuditVerify(t, dsn, "--checkpoint", "1:"+first); strings.Contains(out, "does not hold") {
			t.Fatalf("audit verify with a checkpoint the chain holds: %s", out)
		}
		if out, err := runAuditVerify(t, dsn, "--checkpoint", "one:abc"); err == nil || !strings.Contains(out+err.Error(), "CHAIN_NO:HASH") {
			t.Fatalf("a malformed --checkpoint: %v: %s", err, out)
		}
	})
}

// A row inserted into the trail behind finapp's back (inserting needs no trigger dropped) is
// never silently part of the chain: unsealed, verify names it once it is older than the sealing
// threshold; sealed by a later sealer (PostgreSQL), verify names it as sealed late.
func TestAuditVerify_AnEventInsertedBehindFinappsBackIsNamed(t *testing.T) {
	forEachEngine(t, func(t *testing.T, dsn string, raw *rawDB) {
		forged := "aud_forged0000000000000000"
		old := time.Now().Add(-time.Hour).UTC().Format(time.RFC3339Nano)
		if err := raw.exec(t, `INSERT INTO audit_events (workspace_id, id, chain_no, at, actor, source, action, entity, entity_id, before, after, prev_hash, hash)
			VALUES (?, ?, 0, ?, 'user:ceo', '', 'payment.deleted', 'payment', 'pay_x', '', '', '', '')`, finapp.DefaultWorkspace, forged, old); err != nil {
			t.Fatal(err)
		}
		// The chain holds (the forged row is not in it); the replay also finds it describes a
		// change the books do not show.
		out, err := runAuditVerify(t, dsn)
		if err == nil || !strings.Contains(out, "intact") || !strings.Contains(out, "still unsealed") || !strings.Contains(out, forged) {
			t.Fatalf("audit verify with a forged unsealed event: %v: %s", err, out)
		}
		if !strings.HasPrefix(dsn, "postgres") {
			return // SQLite links every event in its own transaction: nothing seals a row later
		}
		db, err := createDB(context.Background(), dsn, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SealNow(context.Background()); err != nil {
			t.Fatal(err)
		}
		db.Close()
		out, err = runAuditVerify(t, dsn)
		if err == nil || !strings.Contains(out, "intact") || !strings.Contains(out, "sealed more than") || !strings.Contains(out, forged) ||
			strings.Contains(out, "still unsealed") {
			t.Fatalf("audit verify with a forged event sealed late: %v: %s", err, out)
		}
	})
}
