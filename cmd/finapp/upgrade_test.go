package main

import (
	"context"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"finapp/internal/testdb"
)

// Books kept by every earlier version that landed (cmd/finapp/testdata/upgrade, made by
// scripts/make-upgrade-fixture with that version's own binary and API) migrate to today's
// schema and pass `finapp verify`, on both engines. The oldest wrote audit trails without the
// events of allocations and top-ups: verify says it does not replay those, instead of reporting
// every allocation as a difference.
func TestUpgrade_EarlierVersionsMigrateAndVerify(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	ext := ".sqlite"
	if testdb.Engine() == "postgres" {
		ext = ".pg.sql"
	}
	fixtures, err := filepath.Glob(filepath.Join("testdata", "upgrade", "*"+ext))
	if err != nil || len(fixtures) < 2 {
		t.Fatalf("upgrade fixtures: %v %v", fixtures, err)
	}
	incomplete := map[string]bool{"v2026-11-25": true}
	for _, f := range fixtures {
		name := strings.TrimSuffix(filepath.Base(f), ext)
		t.Run(name, func(t *testing.T) {
			db := restoreFixture(t, f)
			if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
				t.Fatalf("migrate: %v\n%s", err, out)
			}
			cmd := exec.Command(bin, "verify", "--db", db)
			var stderr strings.Builder
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("verify: %v\n%s\n%s", err, out, stderr.String())
			}
			m := regexp.MustCompile(`(\d+) audit events, 0 violations`).FindStringSubmatch(string(out))
			if m == nil || m[1] == "0" {
				t.Fatalf("verify found no books: %s", out)
			}
			if noted := strings.Contains(stderr.String(), "not replayed"); noted != incomplete[name] {
				t.Errorf("replay skipped %v, want %v: %s", noted, incomplete[name], stderr.String())
			}
		})
	}
}

// restoreFixture puts a fixture in a database of its own and returns its --db.
func restoreFixture(t *testing.T, fixture string) string {
	t.Helper()
	if strings.HasSuffix(fixture, ".sqlite") {
		raw, err := os.ReadFile(fixture)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "books.db")
		if err := os.WriteFile(path, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		return "sqlite:" + path
	}
	dsn := testdb.PostgresSchema(t)
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("search_path")
	raw, err := os.ReadFile(fixture)
	if err != nil {
		t.Fatal(err)
	}
	var script []string
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "CREATE SCHEMA ") || strings.HasPrefix(line, "\\") { // the schema exists; psql's own commands
			continue
		}
		script = append(script, strings.ReplaceAll(line, "upgrade_fixture_schema", schema))
	}
	conn, err := pgx.Connect(context.Background(), testdb.PostgresURL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(context.Background(), strings.Join(script, "\n")); err != nil {
		t.Fatalf("restoring %s: %v", fixture, err)
	}
	return dsn
}
