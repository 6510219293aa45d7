package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// The command line's contract, through the built binary as a shell runs it: exit 0 done, 1
// failed, 2 a wrong command line; --help everywhere; flags before or after arguments.

// exitCode runs the binary and returns its exit status and combined output.
func exitCode(t *testing.T, bin string, args ...string) (int, string) {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exit):
		return exit.ExitCode(), string(out)
	}
	t.Fatalf("finapp %v: %v", args, err)
	return -1, ""
}

func TestCLI_FlagsMayFollowArguments(t *testing.T) {
	bin := finappBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	if code, out := exitCode(t, bin, "migrate", "--db", db); code != 0 {
		t.Fatalf("migrate: exit %d\n%s", code, out)
	}
	code, out := exitCode(t, bin, "workspace", "create", "alpha", "--db", db)
	if code != 0 || !strings.HasPrefix(out, "ws_") {
		t.Fatalf("workspace create alpha --db …: exit %d\n%s", code, out)
	}
	if code, out := exitCode(t, bin, "token", "create", "--db", db, "--role", "viewer", "--workspace", "alpha"); code != 0 || !tokenPattern.MatchString(strings.TrimSpace(out)) {
		t.Fatalf("token create in workspace alpha: exit %d\n%s", code, out)
	}
}

func TestCLI_HelpExitsZeroOnEveryCommand(t *testing.T) {
	bin := finappBinary(t)
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			walk(sub, append(path[:len(path):len(path)], sub.Name()))
		}
	}
	walk(newRoot(), nil)
	if len(paths) < 15 {
		t.Fatalf("only %d commands in the tree: %v", len(paths), paths)
	}
	for _, p := range paths {
		code, out := exitCode(t, bin, append(p, "--help")...)
		if code != 0 || !strings.Contains(out, "Usage:") {
			t.Errorf("finapp %s --help: exit %d\n%s", strings.Join(p, " "), code, out)
		}
	}
}

func TestCLI_WrongCommandLinesExitTwo(t *testing.T) {
	bin := finappBinary(t)
	db := "sqlite:" + filepath.Join(t.TempDir(), "x.db")
	for _, args := range [][]string{
		{},
		{"bogus"},
		{"token", "bogus"},
		{"token"},
		{"token", "create", "--bogus"},
		{"serve", "--addr"},
		{"workspace", "create", "--db", db},
		{"workspace", "create", "a", "b", "--db", db},
		{"verify", "extra", "--db", db},
		{"import", "payments", "--db", db},
		{"token", "create", "--expires", "soon", "--db", db},
	} {
		if code, out := exitCode(t, bin, args...); code != 2 || !strings.Contains(out, "--help") {
			t.Errorf("finapp %s: exit %d, want 2 and a pointer to --help\n%s", strings.Join(args, " "), code, out)
		}
	}
	// A command line that is right but fails exits 1.
	if code, out := exitCode(t, bin, "token", "create", "--role", "boss", "--db", db); code != 1 {
		t.Errorf("token create --role boss: exit %d, want 1\n%s", code, out)
	}
}

func TestCLI_CompletionPrintsAScript(t *testing.T) {
	bin := finappBinary(t)
	for _, shell := range []string{"bash", "zsh", "fish"} {
		out, err := exec.Command(bin, "completion", shell).Output()
		if err != nil || len(out) < 100 || !strings.Contains(string(out), "finapp") {
			t.Errorf("finapp completion %s: %v, %d bytes", shell, err, len(out))
		}
	}
}

// Only serve and migrate start a database's life: every other command refuses an SQLite file
// that does not exist, so that a mistyped path is not a new, empty set of books.
func TestCLI_OnlyServeAndMigrateCreateTheDatabase(t *testing.T) {
	bin := finappBinary(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "FILE.csv"), []byte("received_on,amount,currency,method,reference\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "missing.db")
	var leaves []*cobra.Command
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.HasSubCommands() && c.Flags().Lookup("db") != nil {
			leaves = append(leaves, c)
		}
	}
	walk(newRoot())
	for _, c := range leaves {
		name := strings.TrimPrefix(c.CommandPath(), "finapp ")
		args := strings.Fields(name)
		// The arguments the Use line names (NAME, EMAIL, ID, FILE.csv), then the flags a
		// command needs before it opens the database.
		use := strings.Fields(c.Use)
		for i, w := range use[1:] {
			switch {
			case strings.HasPrefix(use[i], "--"): // a flag's value
			case strings.HasPrefix(w, "FILE."): // FILE.csv, FILE.csv|FILE.jsonl
				args = append(args, "FILE.csv")
			case strings.ToUpper(w) == w:
				args = append(args, w)
			}
		}
		for flag, value := range map[string]string{"role": "viewer", "email": "someone@example.com"} {
			if c.Flags().Lookup(flag) != nil {
				args = append(args, "--"+flag, value)
			}
		}
		args = append(args, "--db", "sqlite:"+path)
		switch name {
		case "serve":
			continue // TestServe_* and deploy/ cover it
		case "restore":
			// It writes the database it is given: here from a backup that does not exist, so it
			// fails, and writes nothing.
			cmd := exec.Command(bin, args...)
			cmd.Dir = dir
			if out, err := cmd.CombinedOutput(); err == nil {
				t.Errorf("finapp restore of a missing backup: %s", out)
			}
			if _, err := os.Stat(path); err == nil {
				t.Fatalf("finapp restore of a missing backup created %s", path)
			}
			continue
		case "migrate":
			out, err := exec.Command(bin, args...).CombinedOutput()
			if err != nil || !strings.Contains(string(out), "created the database "+path) {
				t.Errorf("finapp migrate on a missing file: %v\n%s", err, out)
			}
			if err := os.Remove(path); err != nil {
				t.Fatal(err)
			}
			continue
		}
		cmd := exec.Command(bin, args...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		var exit *exec.ExitError
		if !errors.As(err, &exit) || exit.ExitCode() != 1 || !strings.Contains(string(out), "does not exist") {
			t.Errorf("finapp %s on a missing file: %v, want exit 1 saying it does not exist\n%s", strings.Join(args, " "), err, out)
		}
		if _, err := os.Stat(path); err == nil {
			t.Fatalf("finapp %s created %s", name, path)
		}
	}
	if len(leaves) < 9 {
		t.Errorf("only %d commands take --db", len(leaves))
	}
}
