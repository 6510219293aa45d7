// Command finapp runs the Finance App: `finapp serve` starts the server, `finapp token create`
// prints a new API token, `finapp migrate` brings the database schema up to date.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	neturl "net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"finapp"
	"finapp/api"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

const usage = `finapp — record, assign and apply the money customers send.

Usage:
  finapp serve [--db sqlite:PATH] [--addr HOST:PORT]   run the server (default sqlite:finapp.db, 127.0.0.1:8080)
  finapp token create --role admin|finance|viewer [--name NAME] [--db ...]   print a new API token
  finapp migrate [--db ...]                            bring the schema up to date and exit

--db may also be given as FINAPP_DB, --addr as FINAPP_ADDR.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "finapp:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch {
	case args[0] == "serve":
		return serve(ctx, args[1:], stdout)
	case args[0] == "migrate":
		return migrate(ctx, args[1:], stdout)
	case args[0] == "token" && len(args) > 1 && args[1] == "create":
		return tokenCreate(ctx, args[2:], stdout)
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

func tokenCreate(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	dsn := dbFlag(fs)
	role := fs.String("role", "", "admin, finance or viewer")
	name := fs.String("name", "", "a name for the token, shown in the audit trail (default: the role)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if !finapp.ValidRole(*role) {
		return errors.New("--role must be admin, finance or viewer")
	}
	if *name == "" {
		*name = "token:" + *role
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := db.CreateToken(ctx, finapp.DefaultWorkspace, *name, *role)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, token)
	return nil
}

func serve(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := dbFlag(fs)
	addr := fs.String("addr", env("FINAPP_ADDR", "127.0.0.1:8080"), "listen address (env FINAPP_ADDR)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	handler := api.New(api.Deps{Service: finapp.NewService(db), Tokens: db, Idempotency: db, Ready: db.Ping})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	shown := redact(*dsn)
	fmt.Fprintf(stdout, "finapp is serving %s on %s\n", shown, url)
	fmt.Fprintf(stdout, "API: %s/v1 (OpenAPI at %s/v1/openapi.json)\n", url, url)
	if n, err := db.CountTokens(ctx); err == nil && n == 0 {
		token, err := db.CreateToken(ctx, finapp.DefaultWorkspace, "first-admin", finapp.RoleAdmin)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "First start: an admin API token was created (shown only now):\n  %s\n", token)
	}
	fmt.Fprintf(stdout, "More tokens: finapp token create --role admin|finance|viewer --db %s\n", shown)
	fmt.Fprintf(stdout, "Try: curl -H 'Authorization: Bearer <token>' %s/v1/payments\n", url)

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let in-flight requests finish.
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// redact hides a password in a postgres:// URL before it is printed or logged.
func redact(dsn string) string {
	if u, err := neturl.Parse(dsn); err == nil && u.User != nil {
		return u.Redacted()
	}
	return dsn
}
