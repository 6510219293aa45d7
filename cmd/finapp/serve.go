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
	"os"
	"os/signal"
	"syscall"
	"time"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/web"
)

// firstUserEmail is the admin user a fresh database gets, so that the web UI can be used at once.
const firstUserEmail = "admin@finapp.local"

func serve(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	dsn := dbFlag(fs)
	addr := fs.String("addr", env("FINAPP_ADDR", "127.0.0.1:8080"), "listen address (env FINAPP_ADDR)")
	tlsCert := fs.String("tls-cert", env("FINAPP_TLS_CERT", ""), "serve HTTPS with this certificate (PEM; env FINAPP_TLS_CERT)")
	tlsKey := fs.String("tls-key", env("FINAPP_TLS_KEY", ""), "the certificate's private key (PEM; env FINAPP_TLS_KEY)")
	logFormat := fs.String("log-format", env("FINAPP_LOG_FORMAT", "json"), "json or text: the log on stderr, one line per request (env FINAPP_LOG_FORMAT)")
	hooks := webhookFlags(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	useTLS := *tlsCert != "" || *tlsKey != ""
	if useTLS && (*tlsCert == "" || *tlsKey == "") {
		return errors.New("--tls-cert and --tls-key go together")
	}
	var logger *slog.Logger
	switch *logFormat {
	case "json":
		logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	case "text":
		logger = slog.New(slog.NewTextHandler(os.Stderr, nil))
	default:
		return fmt.Errorf("--log-format %q: want json or text", *logFormat)
	}
	slog.SetDefault(logger)

	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()

	au := auth.New(db.AuthStore())
	svc := finapp.NewService(db)
	svc.WebhookTargets = hooks.policy()
	pages := web.New(web.Deps{Service: svc, Auth: au, Secure: useTLS, Logger: logger, Exports: api.Exports(api.Deps{Service: svc, Auth: au})})
	handler := api.New(api.Deps{Service: svc, Auth: au, Idempotency: db, Ready: db.Ping, Pages: pages, TLS: useTLS, Log: logger,
		Collectors: db.Collectors()})
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	url := "http://" + ln.Addr().String()
	if useTLS {
		url = "https://" + ln.Addr().String()
	}
	shown := redact(*dsn)
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
		hooks.dispatcher(svc, au, logger).Run(dispatchCtx)
	}()
	defer func() { stopDispatch(); <-dispatched }() // before the database closes
	reminded := make(chan struct{})
	go func() {
		defer close(reminded)
		runReminders(dispatchCtx, svc, au, logger)
	}()
	defer func() { stopDispatch(); <-reminded }()

	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second, WriteTimeout: 60 * time.Second}
	errc := make(chan error, 1)
	go func() {
		if useTLS {
			errc <- srv.ServeTLS(ln, *tlsCert, *tlsKey)
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
