package main

import (
	"errors"
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
