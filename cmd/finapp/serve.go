package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/web"
)

// firstUserEmail is the admin user a fresh database gets, so that the web UI can be used at once.
const firstUserEmail = "admin@finapp.local"

// serveOptions are serve's flags.
type serveOptions struct {
	dsn, addr, tlsCert, tlsKey, logFormat string
	hooks                                 webhookOptions
}

func newServeCmd() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the server; one log line per request on stderr",
		Long: `Run the server: the web UI, the JSON API, webhooks out and reminders found every hour.
A fresh database gets an admin API token and a first web user, printed once on stdout.
One log line per request goes to stderr.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return serve(cmd.Context(), o, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	dbFlag(cmd, &o.dsn)
	f := cmd.Flags()
	f.StringVar(&o.addr, "addr", "127.0.0.1:8080", "listen address (env FINAPP_ADDR)")
	f.StringVar(&o.tlsCert, "tls-cert", "", "serve HTTPS with this certificate (PEM; env FINAPP_TLS_CERT)")
	f.StringVar(&o.tlsKey, "tls-key", "", "the certificate's private key (PEM; env FINAPP_TLS_KEY)")
	f.StringVar(&o.logFormat, "log-format", "json", "json or text: the log on stderr, one line per request (env FINAPP_LOG_FORMAT)")
	envFlag(cmd, "addr", "FINAPP_ADDR")
	envFlag(cmd, "tls-cert", "FINAPP_TLS_CERT")
	envFlag(cmd, "tls-key", "FINAPP_TLS_KEY")
	envFlag(cmd, "log-format", "FINAPP_LOG_FORMAT")
	webhookFlags(cmd, &o.hooks)
	return cmd
}

func serve(ctx context.Context, o serveOptions, stdout, stderr io.Writer) error {
	useTLS := o.tlsCert != "" || o.tlsKey != ""
	if useTLS && (o.tlsCert == "" || o.tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	var logger *slog.Logger
	switch o.logFormat {
	case "json":
		logger = slog.New(slog.NewJSONHandler(stderr, nil))
	case "text":
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	default:
		return fmt.Errorf("--log-format %q: want json or text", o.logFormat)
	}
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := createDB(ctx, o.dsn, stderr)
	if err != nil {
		return err
	}
	defer db.Close()

	au := auth.New(db.AuthStore())
	svc := finapp.NewService(db)
	svc.WebhookTargets = o.hooks.policy()
	pages := web.New(web.Deps{Service: svc, Auth: au, Secure: useTLS, Logger: logger, Exports: api.Exports(api.Deps{Service: svc, Auth: au})})
	handler := api.New(api.Deps{Service: svc, Auth: au, Idempotency: db, Ready: db.Ping, Pages: pages, TLS: useTLS, Log: logger,
		Collectors: db.Collectors()})
	ln, err := net.Listen("tcp", o.addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if useTLS {
		url = "https://" + ln.Addr().String()
	}
	shown := redact(o.dsn)
	build := api.ReadBuild()
	logger.Info("started", "url", url, "db", shown, "version", build.Version, "revision", build.Revision)
	fmt.Fprintf(stdout, "finapp is serving %s on %s\n", shown, url)
	fmt.Fprintf(stdout, "Web UI: %s/ (log in with a user's email and password)\n", url)
	fmt.Fprintf(stdout, "API: %s/v1 (OpenAPI at %s/v1/openapi.json)\n", url, url)
	if has, err := au.HasTokens(ctx); err == nil && !has {
		token, _, err := au.CreateToken(operator(ctx, finapp.DefaultWorkspace), finapp.DefaultWorkspace, "first-admin", finapp.RoleAdmin, nil)
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "First start: an admin API token was created (shown only now):\n  %s\n", token)
		if users, err := au.ListUsers(ctx, finapp.DefaultWorkspace); err == nil && len(users) == 0 {
			password := generatePassword()
			if _, err := au.CreateUser(operator(ctx, finapp.DefaultWorkspace), finapp.DefaultWorkspace, firstUserEmail, finapp.RoleAdmin, password); err != nil {
				return err
			}
			fmt.Fprintf(stdout, "First start: log in to the web UI at %s/ as %s with password %s (shown only now)\n", url, firstUserEmail, password)
		}
	}
	if users, err := au.ListUsers(ctx, finapp.DefaultWorkspace); err == nil && len(users) == 0 {
		fmt.Fprintf(stdout, "No user yet: create one to log in to the web UI (it prints a generated password):\n  finapp user create --workspace %s --role admin --email you@example.com --db %s\n", finapp.DefaultWorkspace, shown)
	}
	fmt.Fprintf(stdout, "More tokens: finapp token create --role admin|finance|viewer --db %s\n", shown)
	fmt.Fprintf(stdout, "Try: curl -H 'Authorization: Bearer <token>' %s/v1/payments\n", url)

	// Webhooks go out from every server; deliveries are leased, so servers share the work.
	dispatchCtx, stopDispatch := context.WithCancel(context.Background())
	dispatched := make(chan struct{})
	go func() {
		defer close(dispatched)
		o.hooks.dispatcher(svc, au, logger).Run(dispatchCtx)
	}()
	defer func() { stopDispatch(); <-dispatched }() // before the database closes
	// Seal what other servers left unsealed, and publish the chain's head now and then
	// (docs/security.md); the store seals this server's own writes as they commit.
	db.SealSweep(sealSweepEvery)
	checkpointed := make(chan struct{})
	go func() {
		defer close(checkpointed)
		publishCheckpoints(dispatchCtx, db, logger, checkpointEvery)
	}()
	defer func() { stopDispatch(); <-checkpointed }()
	reminded := make(chan struct{})
	go func() {
		defer close(reminded)
		runReminders(dispatchCtx, svc, au, logger)
	}()
	defer func() { stopDispatch(); <-reminded }()
	expired := make(chan struct{})
	go func() {
		defer close(expired)
		expireReservations(dispatchCtx, svc, au, logger)
	}()
	defer func() { stopDispatch(); <-expired }()

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- srv.ServeTLS(ln, o.tlsCert, o.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Graceful shutdown: stop accepting, let in-flight requests finish.
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	// Responses stored behind their commits (Idempotency-Key) land before the database closes.
	err = errors.Join(err, handler.Drain(shutdownCtx))
	logger.Info("stopped", "err", err)
	return err
}
