// Command finapp runs the Finance App: `finapp serve` starts the server, `finapp token create`
// prints a new API token, `finapp migrate` brings the database schema up to date; `finapp
// --help` lists every command. The commands are cobra commands, one constructor per command
// beside the code it runs; this file holds the root, the exit codes and what every command shares.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	neturl "net/url"
	"os"
	"runtime/pprof"
	"strings"
	_ "time/tzdata" // time zones of workspaces, also where the system has none (the container)

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"finapp/api"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

// Exit codes: a script tells a mistyped command line (2, as flag parsing and POSIX utilities
// do) from a command that ran and failed (1).
const (
	exitFailure = 1
	exitUsage   = 2
)

func main() {
	stopProfile := startCPUProfile(os.Getenv("FINAPP_CPUPROFILE"))
	err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stopProfile()
	if err != nil {
		fmt.Fprintln(os.Stderr, "finapp:", err)
		var usage *usageError
		if errors.As(err, &usage) {
			if usage.cmd != "" {
				fmt.Fprintf(os.Stderr, "Run '%s --help' for usage.\n", usage.cmd)
			}
			os.Exit(exitUsage)
		}
		os.Exit(exitFailure)
	}
}

// startCPUProfile writes a CPU profile of the whole command to path (FINAPP_CPUPROFILE), for
// measuring a long command such as an import (docs/benchmarks.md); it returns what ends it.
func startCPUProfile(path string) (stop func()) {
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, "finapp: FINAPP_CPUPROFILE:", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		fmt.Fprintln(os.Stderr, "finapp: FINAPP_CPUPROFILE:", err)
		f.Close()
		return func() {}
	}
	return func() {
		pprof.StopCPUProfile()
		f.Close()
	}
}

// run runs the command line args (without the program's name) and returns its error: a
// *usageError when the command line itself is wrong.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRoot()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	var usage *usageError
	if errors.As(err, &usage) && usage.cmd == "" && cmd != nil {
		usage.cmd = cmd.CommandPath()
	}
	return err
}

// usageError is a command line that names no command, an unknown one, an unknown flag or a
// flag's bad value, or the wrong number of arguments: nothing ran.
type usageError struct {
	err error
	cmd string // the command whose --help explains it
}

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{err: fmt.Errorf(format, args...)}
}

// newRoot builds the whole command tree.
func newRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "finapp",
		Short: "Record, assign and apply the money customers send",
		Long: `finapp — record, assign and apply the money customers send.

Every command that reads the books takes --db (or FINAPP_DB): sqlite:PATH (default
sqlite:finapp.db) or postgres://…. A workspace (--workspace W) is named by its id or its name;
the first one is ws_default ("Default"). Exit status: 0 done, 1 failed, 2 a wrong command line.`,
		Version:           versionLine(),
		SilenceErrors:     true, // main prints the error once, and the exit code says which kind
		SilenceUsage:      true,
		PersistentPreRunE: applyEnv,
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err: err} })
	root.AddCommand(
		newServeCmd(),
		newMigrateCmd(),
		newVerifyCmd(),
		newAuditCmd(),
		newTokenCmd(),
		newUserCmd(),
		newWorkspaceCmd(),
		newImportCmd(),
		newWebhooksCmd(),
		newRunDueCmd(),
		newBackupCmd(),
		newRestoreCmd(),
		newVersionCmd(),
	)
	root.InitDefaultCompletionCmd()
	strictArgs(root)
	return root
}

// strictArgs makes every command of the tree refuse a command line it cannot run as a usage
// error: a command that only groups others (and the root) refuses an unknown subcommand or none
// at all, which cobra would answer with the help text and exit 0; a leaf that declares no
// arguments takes none, which cobra would silently accept.
func strictArgs(c *cobra.Command) {
	for _, sub := range c.Commands() {
		strictArgs(sub)
	}
	if c.HasSubCommands() && !c.Runnable() {
		c.Args = cobra.ArbitraryArgs // checked below, with suggestions
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				cmd.SetOut(cmd.ErrOrStderr())
				_ = cmd.Help()
				return usageErrorf("%s needs a command", cmd.CommandPath())
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "; did you mean " + strings.Join(s, " or ") + "?"
			}
			return &usageError{err: errors.New(msg)}
		}
		return
	}
	validate := c.Args
	if validate == nil {
		validate = cobra.NoArgs
	}
	c.Args = func(cmd *cobra.Command, args []string) error {
		if err := validate(cmd, args); err != nil {
			var usage *usageError
			if errors.As(err, &usage) {
				return err
			}
			return &usageError{err: err}
		}
		return nil
	}
}

// exactArgs takes exactly the arguments named, as in the command's Use line.
func exactArgs(names ...string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		switch {
		case len(args) < len(names):
			return usageErrorf("%s needs %s", cmd.CommandPath(), strings.Join(names[len(args):], " "))
		case len(args) > len(names):
			return usageErrorf("%s takes %d argument(s), not %q too", cmd.CommandPath(), len(names), args[len(names):])
		}
		return nil
	}
}

// envAnnotation names, on a flag, the environment variable that sets it when the flag is not
// given. The variable is read when the command runs rather than as the flag's default, so that
// --help never shows a value from the environment (a postgres:// URL with its password).
const envAnnotation = "finapp_env"

// envFlag binds flag name of cmd to the environment variable env.
func envFlag(cmd *cobra.Command, name, env string) {
	if err := cmd.Flags().SetAnnotation(name, envAnnotation, []string{env}); err != nil {
		panic(err) // a flag misnamed in this package
	}
}

// applyEnv sets every flag not given on the command line from its environment variable.
func applyEnv(cmd *cobra.Command, _ []string) error {
	var err error
	cmd.Flags().VisitAll(func(f *pflag.Flag) {
		names := f.Annotations[envAnnotation]
		if err != nil || f.Changed || len(names) == 0 {
			return
		}
		if v := os.Getenv(names[0]); v != "" {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", names[0], v, e)
			}
		}
	})
	return err
}

// dbFlag adds --db (env FINAPP_DB) to cmd.
func dbFlag(cmd *cobra.Command, dsn *string) {
	cmd.Flags().StringVar(dsn, "db", "sqlite:finapp.db", "database: sqlite:PATH or postgres://… (env FINAPP_DB)")
	envFlag(cmd, "db", "FINAPP_DB")
}

// openDB opens the database a --db value names, which must exist: a mistyped SQLite path would
// otherwise become a new, empty database, and the command would act on books that nobody serves
// (a token that logs in nowhere, an import into nothing). serve and migrate create it (createDB).
func openDB(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	if err := mustExist(dsn); err != nil {
		return nil, err
	}
	return open(ctx, dsn)
}

// mustExist refuses an SQLite --db naming a file that does not exist (openDB's rule).
func mustExist(dsn string) error {
	if path, ok := sqlitePath(dsn); ok {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("the database %s does not exist; create it with: finapp migrate --db %s", path, dsn)
		}
	}
	return nil
}

// createDB opens the database a --db value names, creating an SQLite file that does not exist
// yet and saying so on stderr, where a typo in the path shows.
func createDB(ctx context.Context, dsn string, stderr io.Writer) (*sqlstore.DB, error) {
	path, ok := sqlitePath(dsn)
	if !ok {
		return open(ctx, dsn)
	}
	_, err := os.Stat(path)
	missing := errors.Is(err, fs.ErrNotExist)
	db, err := open(ctx, dsn)
	if err == nil && missing {
		fmt.Fprintf(stderr, "finapp: created the database %s\n", path)
	}
	return db, err
}

// sqlitePath is the file a sqlite: --db value names.
func sqlitePath(dsn string) (string, bool) {
	return strings.CutPrefix(dsn, "sqlite:")
}

func open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://…", dsn)
}

func newMigrateCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Create the database or bring its schema up to date, and exit",
		RunE: func(cmd *cobra.Command, _ []string) error {
			db, err := createDB(cmd.Context(), dsn, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			fmt.Fprintln(cmd.OutOrStdout(), "schema is up to date")
			return db.Close()
		},
	}
	dbFlag(cmd, &dsn)
	return cmd
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, VCS revision, Go version and API version",
		RunE: func(cmd *cobra.Command, _ []string) error {
			fmt.Fprintln(cmd.OutOrStdout(), versionLine())
			return nil
		},
	}
}

// versionLine is what `finapp version` and `finapp --version` print.
func versionLine() string {
	b := api.ReadBuild()
	rev := b.Revision
	if rev == "" {
		rev = "unknown revision"
	} else if b.Modified {
		rev += " (modified)"
	}
	return fmt.Sprintf("finapp %s, %s, %s, API %s", b.Version, rev, b.GoVersion, api.Version)
}

// redact hides a password in a postgres:// URL before it is printed or logged.
func redact(dsn string) string {
	if u, err := neturl.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
