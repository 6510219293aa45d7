package sqlite_test

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"finapp"
	"finapp/internal/drill"
	"finapp/sqlite"
)

// The disk-full and read-only drills of issue 7 (docs/operations.md): while clients record
// payments over real HTTP, the database file stops taking writes and then takes them again, and
// the server is never restarted. A client is refused with a retryable 503 (never a 500, never a
// hang), reads go on working, the server recovers by itself, and clients that retry their
// refused requests with the same Idempotency-Key get each recorded exactly once.
//
// The faults are SQLite's own: PRAGMA max_page_count caps the file at its current size, which is
// how SQLite documents emulating a full disk (SQLITE_FULL), and PRAGMA query_only refuses writes
// as a read-only file would (SQLITE_READONLY). Both are set on the write connection through
// sqlstore.DB.SetWritePragma.
func TestDrill_FullOrReadOnlyDatabase_Answers503AndRecoversWithoutRestart(t *testing.T) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	url, token, svc := drill.Serve(t, db)

	l := drill.Start(t, drill.Config{URL: url, Token: token, Clients: 8, Prefix: "drill"})
	defer l.Finish() // also on a failed drill: no client goroutine outlives the test
	if !l.WaitFor(func() bool { return len(l.Acked) >= 30 }, 10*time.Second) {
		t.Fatalf("only %d payments acknowledged before any fault: the drill did not load the server", l.AckCount())
	}
	faults := []struct {
		name    string
		pragma  string
		on, off int64
	}{
		// 1 is below the file's size, so SQLite caps the file at its current size; 4294967294 is
		// SQLite's largest page count, the default.
		{"disk full (max_page_count)", "max_page_count", 1, 4294967294},
		{"read-only (query_only)", "query_only", 1, 0},
	}
	defer func() { // a drill that stops early lifts its faults, so that its clients finish at once
		for _, f := range faults {
			_ = db.SetWritePragma(ctx, f.pragma, f.off)
		}
	}()
	for _, f := range faults {
		before, beforeBad := l.RefusalCount(), l.FailureCount()
		if err := db.SetWritePragma(ctx, f.pragma, f.on); err != nil {
			t.Fatalf("%s: %v", f.name, err)
		}
		faulted := time.Now()
		// Wrong answers count too, so that the drill goes on to show the rest; they fail it.
		if !l.WaitFor(func() bool { return l.Refusals-before+l.Failures-beforeBad >= 8 }, 10*time.Second) {
			t.Fatalf("%s: %d refusals in 10 s: the fault did not stop the writes", f.name, l.RefusalCount()-before)
		}
		// Reads do not need the write connection: they go on while writes are refused.
		for _, path := range []string{"/v1/payments?limit=20", "/v1/payments/" + l.AnyAcked(), "/readyz"} {
			if status, body := l.Get(path); status != http.StatusOK {
				t.Fatalf("%s: GET %s answered %d while writes were refused: %s", f.name, path, status, body)
			}
		}
		// Held for a while, so that clients retry into it more than once.
		time.Sleep(time.Until(faulted.Add(time.Second)))
		refused, bad := l.RefusalCount()-before, l.FailureCount()-beforeBad
		if err := db.SetWritePragma(ctx, f.pragma, f.off); err != nil {
			t.Fatalf("%s: undoing it: %v", f.name, err)
		}
		restored := time.Now()
		var recovered time.Duration
		if !l.WaitFor(func() bool {
			at, ok := l.FirstAckAfter(restored)
			recovered = at.Sub(restored)
			return ok
		}, 10*time.Second) {
			t.Fatalf("%s: no payment acknowledged within 10 s of the database taking writes again", f.name)
		}
		t.Logf("%s: %d requests answered 503 unavailable (Retry-After), %d answered otherwise, reads kept working; first write acknowledged %s after the fault ended",
			f.name, refused, bad, recovered.Round(time.Millisecond))
		if recovered > 5*time.Second {
			t.Errorf("%s: recovery took %s", f.name, recovered)
		}
		time.Sleep(200 * time.Millisecond) // normal load between faults and after the last
	}
	l.Finish()
	t.Logf("%d payments acknowledged in all, %d 503 answers (the slowest in %s) to %d distinct requests, each retried with its Idempotency-Key",
		len(l.Acked), l.Refusals, l.Slowest.Round(time.Millisecond), len(l.Refused))
	if l.Slowest > 5*time.Second {
		t.Errorf("a 503 took %s: a refusal must come at once", l.Slowest)
	}

	// Every acknowledged payment is in the books exactly once, retried ones included, nothing
	// else is, and nothing is half written.
	l.CheckBooks(t, ctx, svc)
	// A refused request sent once more after it succeeded is replayed, not recorded again (the
	// books above hold it once). A 409 in_flight is allowed by docs/api.md: the response of a
	// change committed just before a fault may not have been stored behind it.
	replayed, inFlight := 0, 0
	for ref := range l.Refused {
		switch res := l.Post(ref); {
		case res.Err == nil && res.Status == http.StatusCreated && res.Replayed && res.ID == l.Acked[ref]:
			replayed++
		case res.Err == nil && res.Status == http.StatusConflict && res.Code == finapp.EIdempotencyInFlight:
			inFlight++
		default:
			t.Errorf("sending %s again: %+v, want 201 replayed %s or 409 %s", ref, res, l.Acked[ref], finapp.EIdempotencyInFlight)
		}
	}
	t.Logf("the %d refused requests sent once more: %d replayed, %d answered 409 in flight (response not stored); each is in the books once",
		len(l.Refused), replayed, inFlight)
}

// The drills' hook changes only the two settings that stand for a full or read-only disk: never
// one that durability rests on.
func TestSetWritePragma_RefusesOtherSettings(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, name := range []string{"synchronous", "journal_mode", "foreign_keys", "query_only; DROP TABLE payments"} {
		if err := db.SetWritePragma(t.Context(), name, 0); err == nil {
			t.Errorf("SetWritePragma(%q) was accepted", name)
		}
	}
	if err := db.SetWritePragma(t.Context(), "query_only", 0); err != nil {
		t.Errorf("SetWritePragma(query_only): %v", err)
	}
}
