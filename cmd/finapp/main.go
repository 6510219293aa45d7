// Command finapp runs the Finance App: `finapp serve` starts the server, `finapp token create`
// prints a new API token, `finapp migrate` brings the database schema up to date.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	neturl "net/url"
	"os"
	"strings"
	_ "time/tzdata" // time zones of workspaces, also where the system has none (the container)

	"finapp/api"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

const usage = `finapp — record, assign and apply the money customers send.

Usage:
  finapp serve [--db sqlite:PATH|postgres://…] [--addr HOST:PORT] [--tls-cert FILE --tls-key FILE]
               [--log-format json|text] [--allow-insecure-webhooks] [--allow-private-webhooks]
        run the server (default sqlite:finapp.db on 127.0.0.1:8080); one log line per request
        on stderr
  finapp token create --role admin|finance|viewer [--name NAME] [--workspace W] [--expires 720h]
        print a new API token and nothing else
  finapp workspace create NAME              add a partner's books; prints its id
  finapp user create --workspace W --role R --email E [--password-stdin]
        add a user (without --password-stdin a password is generated and printed once)
  finapp audit verify [--workspace W]       recompute the audit hash chain; non-zero exit if broken
  finapp verify                             check every invariant and audit chain over the whole
        database (run it while the server is stopped); non-zero exit on any violation
  finapp import payments [--workspace W] FILE.csv
        record every line of a CSV file as a payment (docs/import.md); nothing if a line is bad,
        nothing twice if run again
  finapp webhooks deliver [--allow-insecure-webhooks] [--allow-private-webhooks]
        send every webhook delivery due now and exit (serve does this all the time)
  finapp migrate                            bring the schema up to date and exit
  finapp version                            print the version, VCS revision and Go version

Every command takes --db (or FINAPP_DB); serve takes --addr (or FINAPP_ADDR). W is a workspace's
id or name; the first one is ws_default ("Default").

--db may also be given as FINAPP_DB, --addr as FINAPP_ADDR.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "finapp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch {
	case args[0] == "serve":
		return serve(ctx, args[1:], stdout)
	case args[0] == "verify":
		return verify(ctx, args[1:], stdout, stderr)
	case args[0] == "migrate":
		return migrate(ctx, args[1:], stdout)
	case args[0] == "token" && len(args) > 1 && args[1] == "create":
		return tokenCreate(ctx, args[2:], stdout)
	case args[0] == "workspace" && len(args) > 1 && args[1] == "create":
		return workspaceCreate(ctx, args[2:], stdout)
	case args[0] == "user" && len(args) > 1 && args[1] == "create":
		return userCreate(ctx, args[2:], stdin, stdout)
	case args[0] == "import" && len(args) > 1 && args[1] == "payments":
		return importPayments(ctx, args[2:], stdout, stderr)
	case args[0] == "webhooks" && len(args) > 1 && args[1] == "deliver":
		return webhooksDeliver(ctx, args[2:], stdout)
	case args[0] == "audit" && len(args) > 1 && args[1] == "verify":
		return auditVerify(ctx, args[2:], stdout)
	case args[0] == "version" || args[0] == "--version":
		b := api.ReadBuild()
		rev := b.Revision
		if rev == "" {
			rev = "unknown revision"
		} else if b.Modified {
			rev += " (modified)"
		}
		fmt.Fprintf(stdout, "finapp %s, %s, %s, API %s\n", b.Version, rev, b.GoVersion, api.Version)
		return nil
	case args[0] == "help" || args[0] == "-h" || args[0] == "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", strings.Join(args, " "))
}

func env(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// openDB opens the database a --db value names.
func openDB(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://…", dsn)
}

func dbFlag(fs *flag.FlagSet) *string {
	return fs.String("db", env("FINAPP_DB", "sqlite:finapp.db"), "database: sqlite:PATH or postgres://… (env FINAPP_DB)")
}

func migrate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, "schema is up to date")
	return db.Close()
}

// redact hides a password in a postgres:// URL before it is printed or logged.
func redact(dsn string) string {
	if u, err := neturl.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
