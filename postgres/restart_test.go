package postgres_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"finapp/internal/drill"
	"finapp/internal/testdb"
	"finapp/postgres"
)

// The PostgreSQL restart drill of issue 7 (docs/operations.md): while clients record payments
// through finapp, the database server restarts (pg_ctl restart -m fast: every connection is
// terminated, new ones are refused until it is back). Clients are refused with a retryable 503,
// never a 500; once PostgreSQL is back, finapp recovers without a restart within seconds; every
// acknowledged payment is in the books once, the books verify, and clients that retry refused
// requests with the same Idempotency-Key get each recorded exactly once.
//
// It restarts a PostgreSQL of its own (scripts/pg-start), never the shared test server.
func TestDrill_PostgresRestartMidLoad_Answers503AndRecovers(t *testing.T) {
	testdb.PostgresURL(t) // fails when CI=true and no PostgreSQL is configured, skips otherwise
	pg := startOwnPostgres(t)
	ctx := context.Background()
	db, err := postgres.Open(ctx, pg.url)
	if err != nil {
		t.Fatal(err)
	}
	url, token, svc := drill.Serve(t, db)

	l := drill.Start(t, drill.Config{URL: url, Token: token, Clients: 8, Prefix: "pgdrill", AcceptApplied: true})
	defer l.Finish()
	if !l.WaitFor(func() bool { return len(l.Acked) >= 30 }, 10*time.Second) {
		t.Fatal("fewer than 30 payments acknowledged in 10 s before the restart: the drill did not load the server")
	}
	start := time.Now()
	if out, err := pg.restart(); err != nil {
		t.Fatalf("restarting PostgreSQL: %v\n%s", err, out)
	}
	back := time.Now()
	var recovered time.Duration
	if !l.WaitFor(func() bool {
		at, ok := l.FirstAckAfter(back)
		recovered = at.Sub(back)
		return ok
	}, 10*time.Second) {
		t.Fatal("no payment acknowledged within 10 s of PostgreSQL accepting connections again")
	}
	time.Sleep(300 * time.Millisecond) // load on the recovered server
	l.Finish()
	t.Logf("PostgreSQL restart took %s; %d requests answered 503 unavailable (Retry-After; the slowest in %s), %d otherwise; first write acknowledged %s after PostgreSQL was back",
		back.Sub(start).Round(time.Millisecond), l.Refusals, l.Slowest.Round(time.Millisecond), l.Failures, recovered.Round(time.Millisecond))
	t.Logf("%d payments acknowledged, %d distinct requests refused and retried with their keys, %d of them found already applied (409)",
		len(l.Acked), len(l.Refused), len(l.Applied))
	// A request the restart catches is either refused (503) or, when its transaction failed
	// before anything of it was written (a dead connection at BEGIN), run again by the store
	// once PostgreSQL is back and acknowledged late. Either way the drill hit the restart.
	carried := l.Carried(start, back)
	t.Logf("%d requests were held up by the restart and acknowledged after it", carried)
	if l.Refusals == 0 && carried == 0 {
		t.Error("no request was refused or carried over while PostgreSQL restarted: the drill did not hit the restart")
	}
	if l.Slowest > 5*time.Second {
		t.Errorf("a 503 took %s: a refusal must come at once", l.Slowest)
	}
	if recovered > 5*time.Second {
		t.Errorf("finapp took %s to recover after PostgreSQL was back", recovered)
	}

	// Every acknowledged payment is in the books exactly once, retried ones included, nothing
	// else is, and nothing is half written.
	l.CheckBooks(t, ctx, svc)
}

// ownPostgres is a throw-away PostgreSQL started by scripts/pg-start for one test.
type ownPostgres struct {
	url, dir string
}

func startOwnPostgres(t *testing.T) *ownPostgres {
	t.Helper()
	cmd := exec.Command("bash", "../scripts/pg-start")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("scripts/pg-start: %v\n%s", err, stderr.String())
	}
	// pg-start prints the URL on stdout and its directory as the last line of stderr.
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	pg := &ownPostgres{url: strings.TrimSpace(string(out)), dir: strings.TrimSpace(lines[len(lines)-1])}
	if !strings.HasPrefix(pg.dir, "/tmp/finapp-pg.") {
		t.Fatalf("scripts/pg-start printed no directory: %q", stderr.String())
	}
	t.Cleanup(func() {
		if out, err := exec.Command("bash", "../scripts/pg-stop", pg.dir).CombinedOutput(); err != nil {
			t.Errorf("scripts/pg-stop %s: %v\n%s", pg.dir, err, out)
		}
	})
	return pg
}

// restart restarts the server as an operator would: a fast shutdown (open connections are
// terminated) and a start with the same options (pg_ctl keeps them in postmaster.opts). As root,
// the server runs as the postgres user, as in pg-start.
func (pg *ownPostgres) restart() ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "-c", `bindir=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
restart="$bindir/pg_ctl -D $1/data -l $1/log -m fast -w restart"
if [ "$(id -u)" = 0 ]; then su postgres -s /bin/sh -c "$restart"; else $restart; fi`, "restart", pg.dir)
	return cmd.CombinedOutput()
}
