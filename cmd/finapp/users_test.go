package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
)

// The administration commands call auth's use cases, the ones the web UI and the API call; these
// tests pin what the command line adds: finding users by email, printing a generated password
// once and no other secret, the lists as tables and as JSON.

// adminWorld is a migrated SQLite file and an Auth over it, to check what the commands did.
type adminWorld struct {
	t    *testing.T
	dsn  string
	auth *auth.Auth
}

func newAdminWorld(t *testing.T) *adminWorld {
	w := &adminWorld{t: t, dsn: "sqlite:" + filepath.Join(t.TempDir(), "f.db")}
	w.run("", "migrate")
	db, err := openDB(context.Background(), w.dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.auth = auth.New(db.AuthStore())
	return w
}

// run runs finapp with stdin and args against the world's database and returns its stdout.
func (w *adminWorld) run(stdin string, args ...string) string {
	w.t.Helper()
	out, err := w.try(stdin, args...)
	if err != nil {
		w.t.Fatalf("finapp %s: %v", strings.Join(args, " "), err)
	}
	return out
}

func (w *adminWorld) try(stdin string, args ...string) (string, error) {
	var out bytes.Buffer
	err := run(context.Background(), append(args, "--db", w.dsn), strings.NewReader(stdin), &out, io.Discard)
	return out.String(), err
}

func (w *adminWorld) loginWorks(email, password string) bool {
	_, _, err := w.auth.Login(context.Background(), email, password, "192.0.2.1")
	return err == nil
}

// shownPassword is the generated password a command printed.
func shownPassword(t *testing.T, out string) string {
	t.Helper()
	_, pw, ok := strings.Cut(out, "password (shown only now): ")
	if !ok {
		t.Fatalf("no password shown in %q", out)
	}
	return strings.TrimSpace(pw)
}

func TestUserCommands_DisableEnableAndResetPasswordByEmail(t *testing.T) {
	w := newAdminWorld(t)
	const first = "a long first passphrase"
	w.run(first+"\n", "user", "create", "--role", "finance", "--email", "ana@example.com", "--password-stdin")
	if !w.loginWorks("ana@example.com", first) {
		t.Fatal("the password given on stdin does not log in")
	}

	w.run("", "user", "disable", "ANA@example.com")
	var users []struct {
		Email      string  `json:"email"`
		DisabledAt *string `json:"disabled_at"`
	}
	list := w.run("", "user", "list", "--json")
	if err := json.Unmarshal([]byte(list), &users); err != nil || len(users) != 1 || users[0].DisabledAt == nil {
		t.Fatalf("user list --json after disable: %v\n%s", err, list)
	}
	if w.loginWorks("ana@example.com", first) {
		t.Fatal("a disabled user logs in")
	}
	w.run("", "user", "enable", "ana@example.com")
	if !w.loginWorks("ana@example.com", first) {
		t.Fatal("an enabled user cannot log in")
	}
	if table := w.run("", "user", "list"); !strings.Contains(table, "ana@example.com  finance  active") {
		t.Fatalf("user list:\n%s", table)
	}

	out := w.run("", "user", "reset-password", "ana@example.com")
	second := shownPassword(t, out)
	if strings.Count(out, second) != 1 || w.loginWorks("ana@example.com", first) || !w.loginWorks("ana@example.com", second) {
		t.Fatalf("after reset-password (%q) the new password must replace the old one", out)
	}
	if _, err := w.try("short\n", "user", "reset-password", "ana@example.com", "--password-stdin"); finapp.ErrorCode(err) != finapp.EInvalid {
		t.Fatalf("a short password: %v, want invalid", err)
	}
	if _, err := w.try("", "user", "disable", "bo@example.com"); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("disabling an unknown email: %v, want not found", err)
	}
	// No list shows a password or its hash.
	u, _ := w.auth.UserByEmail(context.Background(), finapp.DefaultWorkspace, "ana@example.com")
	for _, args := range [][]string{{"user", "list"}, {"user", "list", "--json"}} {
		if out := w.run("", args...); strings.Contains(out, second) || strings.Contains(out, u.PasswordHash) {
			t.Fatalf("finapp %v shows a secret:\n%s", args, out)
		}
	}
}

func TestTokenCommands_ListWithoutSecretsAndRevoke(t *testing.T) {
	w := newAdminWorld(t)
	secret := strings.TrimSpace(w.run("", "token", "create", "--role", "viewer", "--name", "ci", "--expires", "720h"))
	if _, err := w.auth.Authenticate(context.Background(), secret, "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	list := w.run("", "token", "list", "--json")
	var tokens []struct{ ID, Name, Role string }
	if err := json.Unmarshal([]byte(list), &tokens); err != nil || len(tokens) != 1 || tokens[0].Name != "ci" || tokens[0].Role != "viewer" {
		t.Fatalf("token list --json: %v\n%s", err, list)
	}
	table := w.run("", "token", "list")
	for _, out := range []string{list, table} {
		if strings.Contains(out, secret) || strings.Contains(out, auth.HashToken(secret)) {
			t.Fatalf("token list shows the token or its hash:\n%s", out)
		}
	}
	if !strings.Contains(table, tokens[0].ID) || !strings.Contains(table, "live") {
		t.Fatalf("token list:\n%s", table)
	}
	w.run("", "token", "revoke", tokens[0].ID)
	// A fresh Auth, as a server started now: this one trusts what it checked for 2 s.
	if _, err := auth.New(w.auth.Store).Authenticate(context.Background(), secret, "192.0.2.1"); finapp.ErrorCode(err) != finapp.EUnauthorized {
		t.Fatalf("a revoked token: %v, want unauthorized", err)
	}
	if table := w.run("", "token", "list"); !strings.Contains(table, "revoked") {
		t.Fatalf("token list after revoke:\n%s", table)
	}
	if _, err := w.try("", "token", "revoke", "tok_nope"); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("revoking an unknown token: %v, want not found", err)
	}
}

func TestWorkspaceList_TableAndJSON(t *testing.T) {
	w := newAdminWorld(t)
	id := strings.TrimSpace(w.run("", "workspace", "create", "Partner B"))
	var list []struct{ ID, Name string }
	out := w.run("", "workspace", "list", "--json")
	if err := json.Unmarshal([]byte(out), &list); err != nil || len(list) != 2 {
		t.Fatalf("workspace list --json: %v\n%s", err, out)
	}
	names := map[string]string{}
	for _, ws := range list {
		names[ws.ID] = ws.Name
	}
	if names[id] != "Partner B" || names[finapp.DefaultWorkspace] != "Default" {
		t.Fatalf("workspace list --json: %v", names)
	}
	if table := w.run("", "workspace", "list"); !strings.Contains(table, id) || !strings.Contains(table, "Partner B") {
		t.Fatalf("workspace list:\n%s", table)
	}
}
