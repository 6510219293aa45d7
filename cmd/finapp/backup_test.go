package main

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp/internal/testdb"
)

// finapp backup copies the SQLite books while the server records payments: every payment
// acknowledged before the backup began is in the copy; finapp restore puts the copy in place of
// a database (refusing one with books unless --force, and a file that is not a backup), and
// finapp verify passes on what was restored.
func TestBackupRestore_UnderLoad(t *testing.T) {
	if testing.Short() || testdb.Engine() == "postgres" {
		t.Skip("the embedded SQLite database's backup; PostgreSQL is backed up with its own tools")
	}
	bin := finappBinary(t)
	dir := t.TempDir()
	db := "sqlite:" + filepath.Join(dir, "books.db")
	migrateDB(t, bin, db)
	token := createToken(t, bin, db)
	srv, url := startServer(t, bin, db)
	defer stopServer(t, srv)
	client := &http.Client{Timeout: 10 * time.Second}

	var mu sync.Mutex
	acked := map[string]time.Time{} // reference → when its 201 came back
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for c := range 4 {
		writers.Add(1)
		go func() {
			defer writers.Done()
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				ref := fmt.Sprintf("bk-%d-%d", c, n)
				if a := postPayment(client, url, token, ref, paymentBody(ref, n)); a.status == http.StatusCreated {
					mu.Lock()
					acked[ref] = time.Now()
					mu.Unlock()
				}
			}
		}()
	}
	time.Sleep(500 * time.Millisecond)
	backup := filepath.Join(dir, "backup.db")
	began := time.Now()
	out, err := exec.Command(bin, "backup", "--db", db, "--to", backup).CombinedOutput()
	if err != nil || !strings.Contains(string(out), "sha256 ") {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	time.Sleep(300 * time.Millisecond)
	close(stop)
	writers.Wait()
	if out, err := exec.Command(bin, "backup", "--db", db, "--to", backup).CombinedOutput(); err == nil {
		t.Fatalf("a backup over an existing file was written:\n%s", out)
	}

	restored := "sqlite:" + filepath.Join(dir, "restored.db")
	if out, err := exec.Command(bin, "restore", backup, "--db", restored).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v\n%s", err, out)
	}
	verifyBooks(t, bin, restored)
	srv2, url2 := startServer(t, bin, restored)
	inBackup := paymentsByReference(t, client, url2, token)
	stopServer(t, srv2)
	mu.Lock()
	before, after := 0, 0
	for ref, at := range acked {
		if at.Before(began) {
			before++
			if len(inBackup[ref]) != 1 {
				t.Errorf("payment %s, acknowledged before the backup began, is not in it once: %v", ref, inBackup[ref])
			}
		} else {
			after++
		}
	}
	mu.Unlock()
	if before == 0 || after == 0 {
		t.Fatalf("the load did not straddle the backup: %d payments before it, %d after", before, after)
	}

	// A database with books is kept unless forced; a file that is not a backup is refused.
	if out, err := exec.Command(bin, "restore", backup, "--db", restored).CombinedOutput(); err == nil || !strings.Contains(string(out), "not empty") {
		t.Fatalf("restore over books: %v\n%s", err, out)
	}
	if out, err := exec.Command(bin, "restore", backup, "--db", restored, "--force").CombinedOutput(); err != nil {
		t.Fatalf("restore --force: %v\n%s", err, out)
	}
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte("not a database at all, just text"), 0o600); err != nil {
		t.Fatal(err)
	}
	fresh := "sqlite:" + filepath.Join(dir, "fresh.db")
	if out, err := exec.Command(bin, "restore", junk, "--db", fresh).CombinedOutput(); err == nil {
		t.Fatalf("a file that is not a backup was restored:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(dir, "fresh.db")); err == nil {
		t.Error("a refused restore left a database behind")
	}
	verifyBooks(t, bin, restored)
}
