package postgres_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// BenchmarkFloor measures what PostgreSQL itself can do for the rows of one recorded payment,
// beside one INSERT per request (the `/pginsert` ceiling issue 12's PostgreSQL rows are held
// against), in the same run on the same server. Nothing of finapp runs: no HTTP, no JSON, no
// use case; the statements are those the store sends for one POST /v1/payments, as
// pg_stat_statements lists them (the period-lock read, the Idempotency-Key claim, the payment,
// the journal entry and its lines, the audit event with its outbox event, and the stored answer).
// It shows how far a change of round trips alone can go, so it must follow the store's
// statements when they change (docs/benchmarks.md, run W).
//
//	FINAPP_TEST_POSTGRES=URL go test ./postgres -run '^$' -bench Floor -benchtime 8s
//
// Sub-benchmarks, each with 16 requests at once on a pool of 16 connections:
//   - insert: one INSERT of one row with one index, autocommit (the `/pginsert` shape);
//   - record_sequential: one round trip per statement, the answer stored by a second
//     transaction (what the store does);
//   - record_pipelined: each of the two transactions sent as one pipeline;
//   - record_one_commit: one pipeline, one commit, the answer stored with the claim.
func BenchmarkFloor(b *testing.B) {
	url := floorSchema(b)
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		b.Fatal(err)
	}
	cfg.MaxConns = 16
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()
	var ids atomic.Int64
	ids.Store(time.Now().UnixNano())
	for _, mode := range []string{"insert", "record_sequential", "record_pipelined", "record_one_commit"} {
		b.Run(mode, func(b *testing.B) {
			b.SetParallelism(16)
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := floorRequest(ctx, pool, mode, fmt.Sprint(ids.Add(1))); err != nil {
						b.Error(err)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "requests/s")
		})
	}
}

// The floor's statements still fit the schema: each shape runs once and writes what a record
// writes (so BenchmarkFloor measures the store's rows, not errors).
func TestFloor_StatementsFitTheSchema(t *testing.T) {
	url := floorSchema(t)
	ctx := context.Background()
	conn := connect(t, url)
	defer conn.Close(ctx)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	modes := []string{"insert", "record_sequential", "record_pipelined", "record_one_commit"}
	for i, mode := range modes {
		if err := floorRequest(ctx, pool, mode, fmt.Sprint(i)); err != nil {
			t.Fatalf("%s: %v", mode, err)
		}
	}
	var payments, lines, audits, events, answered int
	if err := conn.QueryRow(ctx, `SELECT (SELECT count(*) FROM payments), (SELECT count(*) FROM journal_lines),
		(SELECT count(*) FROM audit_events), (SELECT count(*) FROM events),
		(SELECT count(*) FROM idempotency_keys WHERE status = 201)`).Scan(&payments, &lines, &audits, &events, &answered); err != nil {
		t.Fatal(err)
	}
	if payments != 3 || lines != 6 || audits != 3 || events != 3 || answered != 3 {
		t.Fatalf("three records should have written 3 payments, 6 journal lines, 3 audit events, 3 events and 3 answers; got %d, %d, %d, %d, %d",
			payments, lines, audits, events, answered)
	}
}

// floorSchema is a migrated schema with the one-row table of the insert shape (`/pginsert`'s).
func floorSchema(tb testing.TB) string {
	url := migratedSchema(tb)
	conn := connect(tb, url)
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), `CREATE TABLE floor_payments (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		amount text, currency text, reference text)`); err != nil {
		tb.Fatal(err)
	}
	return url
}

// floorAfter is a payment's audit snapshot as the store writes it (its size matters, not its
// values).
const floorAfter = `{"allocated":"0.00","amount":"125.50","assignment_changes":0,"currency":"SGD",` +
	`"deleted":false,"id":"pay_01m91vx88cwg004eh5za4cyrn0","invoice_number":"",` +
	`"method":"bank_transfer","organization_id":"","received_on":"2026-12-05",` +
	`"reference":"TT-godd-1-1394","remark":"","status":"unassigned","topped_up":"0.00","version":1}`

// floorAnswer is the size of the stored answer to a POST /v1/payments.
var floorAnswer = []byte(strings.Repeat("x", 525))

type floorStatement struct {
	sql  string
	args []any
}

func floorRequest(ctx context.Context, pool *pgxpool.Pool, mode, id string) error {
	if mode == "insert" {
		_, err := pool.Exec(ctx, `INSERT INTO floor_payments (amount, currency, reference) VALUES ($1, $2, $3)`, "125.50", "SGD", "TT-"+id)
		return err
	}
	const ws = "ws_default"
	at := time.Now().UTC().Format(time.RFC3339Nano)
	status, answer := 0, []byte(nil)
	if mode == "record_one_commit" {
		status, answer = 201, floorAnswer
	}
	change := []floorStatement{
		{`SELECT lock_date FROM workspaces WHERE id = $1 FOR SHARE`, []any{ws}},
		{`INSERT INTO idempotency_keys (workspace_id, key, request_hash, status, header, body, entity, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (workspace_id, key) DO NOTHING`,
			[]any{ws, "key-" + id, strings.Repeat("a", 64), status, "", answer, "", at}},
		{`INSERT INTO payments (workspace_id, id, organization_id, amount, currency, received_on, method,
		reference, invoice_hint, remark, allocated, topped_up, version, assignment_changes, created_by, created_at,
		updated_at, deleted_at, external_id, metadata)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)`,
			[]any{ws, "pay_" + id, nil, 12550, "SGD", "2026-12-05", "bank_transfer", "TT-" + id, "", "", 0, 0, 1, 0,
				"token:finance", at, at, nil, nil, "{}"}},
		{`WITH e AS (INSERT INTO journal_entries (workspace_id, id, at, operation, entity_id) VALUES ($1, $2, $3, $4, $5) RETURNING seq, id)
		INSERT INTO journal_lines (workspace_id, entry_seq, line_no, account, currency, amount)
		SELECT $6, e.seq, v.line_no, v.account, v.currency, v.amount
		FROM (VALUES ($7, CAST($8 AS BIGINT), $9, $10, CAST($11 AS BIGINT)), ($12, CAST($13 AS BIGINT), $14, $15, CAST($16 AS BIGINT)))
		AS v (entry_id, line_no, account, currency, amount) JOIN e ON e.id = v.entry_id`,
			[]any{ws, "jrn_" + id, at, "payment.recorded", "pay_" + id, ws, "jrn_" + id, 0, "cash:bank_transfer", "SGD", 12550,
				"jrn_" + id, 1, "unapplied:unassigned", "SGD", -12550}},
		{`WITH a AS (INSERT INTO audit_events (workspace_id, id, chain_no, at, actor, source, action, entity, entity_id,
		before, after, prev_hash, hash, sealed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14))
		INSERT INTO events (workspace_id, id, sequence, type, entity_id, payload, at) VALUES ($15, $16, $17, $18, $19, $20, $21)`,
			[]any{ws, "aud_" + id, 0, at, "token:finance", "127.0.0.1", "payment.recorded", "payment", "pay_" + id, "",
				floorAfter, "", "", "", ws, "evt_" + id, 0, "payment.recorded", "pay_" + id, floorAfter, at}},
	}
	store := floorStatement{`UPDATE idempotency_keys SET status = $1, header = $2, body = $3 WHERE workspace_id = $4 AND key = $5`,
		[]any{201, "application/json", floorAnswer, ws, "key-" + id}}
	switch mode {
	case "record_sequential":
		if err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			for _, s := range change {
				if _, err := tx.Exec(ctx, s.sql, s.args...); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, store.sql, store.args...)
			return err
		})
	case "record_pipelined":
		if err := floorPipeline(ctx, pool, change); err != nil {
			return err
		}
		return floorPipeline(ctx, pool, []floorStatement{store})
	case "record_one_commit":
		return floorPipeline(ctx, pool, change)
	}
	return fmt.Errorf("unknown mode %q", mode)
}

// floorPipeline sends BEGIN, the statements and COMMIT as one pipeline: one round trip.
func floorPipeline(ctx context.Context, pool *pgxpool.Pool, statements []floorStatement) error {
	batch := &pgx.Batch{}
	batch.Queue("BEGIN")
	for _, s := range statements {
		batch.Queue(s.sql, s.args...)
	}
	batch.Queue("COMMIT")
	return pool.SendBatch(ctx, batch).Close()
}
