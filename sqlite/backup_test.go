package sqlite_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/conformance"
	"finapp/internal/drill"
	"finapp/sqlite"
)

// A backup taken while clients record payments holds every payment acknowledged before it began,
// and its books pass the same checks as `finapp verify`; its size and SHA-256 are those of the file.
func TestBackup_UnderWriteLoad_HoldsEveryAcknowledgedWrite(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "books.db"))
	if err != nil {
		t.Fatal(err)
	}
	url, token, _ := drill.Serve(t, db)
	l := drill.Start(t, drill.Config{URL: url, Token: token, Clients: 8, Prefix: "backup"})
	defer l.Finish()
	if !l.WaitFor(func() bool { return len(l.Acked) >= 50 }, 20*time.Second) {
		t.Fatalf("only %d payments acknowledged in 20 s: the test did not load the server", l.AckCount())
	}
	before := map[string]string{}
	l.WaitFor(func() bool { // under the load's lock
		for ref, id := range l.Acked {
			before[ref] = id
		}
		return true
	}, time.Second)
	c, err := sqlite.Backup(ctx, filepath.Join(dir, "books.db"), filepath.Join(dir, "backup.db"))
	if err != nil {
		t.Fatal(err)
	}
	if !l.WaitFor(func() bool { return len(l.Acked) >= len(before)+20 }, 20*time.Second) {
		t.Fatal("the load stopped during the backup")
	}
	l.Finish()

	raw, err := os.ReadFile(c.Path)
	if err != nil {
		t.Fatal(err)
	}
	if sum := sha256.Sum256(raw); c.Bytes != int64(len(raw)) || c.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("backup reported %d bytes %s; the file has %d bytes %x", c.Bytes, c.SHA256, len(raw), sum)
	}
	copyDB, err := sqlite.Open(ctx, c.Path)
	if err != nil {
		t.Fatal(err)
	}
	defer copyDB.Close()
	svc := finapp.NewService(copyDB)
	actx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleViewer})
	for ref, id := range before {
		if _, err := svc.GetPayment(actx, id); err != nil {
			t.Errorf("payment %s (%s), acknowledged before the backup began, is not in it: %v", ref, id, err)
		}
	}
	if bad, err := conformance.CheckBooks(actx, svc); err != nil || len(bad) > 0 {
		t.Errorf("the backup's books: %v %v", err, bad)
	}
	if chain, err := svc.VerifyAudit(actx); err != nil || chain.Break != nil {
		t.Errorf("the backup's audit chain: %v %+v", err, chain)
	}
}

func TestBackup_RefusesAnExistingTargetAndAMissingSource(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src := filepath.Join(dir, "books.db")
	db, err := sqlite.Open(ctx, src)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	taken := filepath.Join(dir, "taken.db")
	if err := os.WriteFile(taken, []byte("keep me"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Backup(ctx, src, taken); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Errorf("backup over an existing file: %v; want refused", err)
	}
	if b, _ := os.ReadFile(taken); string(b) != "keep me" {
		t.Errorf("the existing file was changed to %q", b)
	}
	missing := filepath.Join(dir, "missing.db")
	if _, err := sqlite.Backup(ctx, missing, filepath.Join(dir, "out.db")); err == nil {
		t.Error("backup of a missing database succeeded")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backing up a missing database created it: %v", err)
	}
}

// Restore refuses a damaged or foreign file and a target that holds books (unless forced), and
// leaves the target as it was when it refuses.
func TestRestore_RefusesDamagedFilesAndNonEmptyTargets(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	books := filepath.Join(dir, "books.db")
	db, err := sqlite.Open(ctx, books)
	if err != nil {
		t.Fatal(err)
	}
	svc := finapp.NewService(db)
	actx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleFinance})
	p, err := svc.RecordPayment(actx, finapp.PaymentCreate{Amount: "12.50", Currency: "SGD", Method: "cash", ReceivedOn: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	backup, err := sqlite.Backup(ctx, books, filepath.Join(dir, "backup.db"))
	if err != nil {
		t.Fatal(err)
	}

	// Into a new file: works, and the payment is there.
	fresh := filepath.Join(dir, "fresh.db")
	if _, err := sqlite.Restore(ctx, backup.Path, fresh, false); err != nil {
		t.Fatal(err)
	}
	rdb, err := sqlite.Open(ctx, fresh)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := finapp.NewService(rdb).GetPayment(actx, p.ID); err != nil {
		t.Errorf("restored database lacks payment %s: %v", p.ID, err)
	}
	rdb.Close()

	// Over books: refused without --force, done with it.
	if _, err := sqlite.Restore(ctx, backup.Path, books, false); !errors.Is(err, sqlite.ErrNotEmpty) {
		t.Errorf("restore over a database with books: %v; want ErrNotEmpty", err)
	}
	if _, err := sqlite.Restore(ctx, backup.Path, books, true); err != nil {
		t.Errorf("forced restore: %v", err)
	}

	// Damaged: garbage, and a backup cut in half.
	garbage := filepath.Join(dir, "garbage.db")
	if err := os.WriteFile(garbage, []byte(strings.Repeat("not a database ", 500)), 0o600); err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(backup.Path)
	half := filepath.Join(dir, "half.db")
	if err := os.WriteFile(half, raw[:len(raw)/2], 0o600); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(dir, "target.db")
	for _, bad := range []string{garbage, half} {
		if _, err := sqlite.Restore(ctx, bad, target, true); err == nil {
			t.Errorf("restore of %s succeeded", filepath.Base(bad))
		}
		if _, err := os.Stat(target); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("a refused restore of %s left %s behind: %v", filepath.Base(bad), target, err)
		}
	}
}
