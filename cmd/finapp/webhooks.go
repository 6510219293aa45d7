package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/auth"
	"finapp/webhook"
)

// webhookOptions are the operator's settings for webhooks out (docs/events.md).
type webhookOptions struct {
	allowInsecure, allowPrivate bool
	timeout, lease              time.Duration
}

// webhookFlags adds the webhook settings' flags to cmd.
func webhookFlags(cmd *cobra.Command, o *webhookOptions) {
	f := cmd.Flags()
	f.BoolVar(&o.allowInsecure, "allow-insecure-webhooks", false,
		"accept http:// webhook URLs, not only https:// (env FINAPP_ALLOW_INSECURE_WEBHOOKS)")
	f.BoolVar(&o.allowPrivate, "allow-private-webhooks", false,
		"accept webhook targets on loopback and private networks (env FINAPP_ALLOW_PRIVATE_WEBHOOKS)")
	f.DurationVar(&o.timeout, "webhook-timeout", 10*time.Second, "how long a webhook receiver has to answer 2xx")
	f.DurationVar(&o.lease, "webhook-lease", 0, "how long a server holds the deliveries it is sending before another may take them (default: 20 × the timeout + 30 s)")
	envFlag(cmd, "allow-insecure-webhooks", "FINAPP_ALLOW_INSECURE_WEBHOOKS")
	envFlag(cmd, "allow-private-webhooks", "FINAPP_ALLOW_PRIVATE_WEBHOOKS")
}

func (o *webhookOptions) policy() webhook.Policy {
	return webhook.Policy{AllowInsecure: o.allowInsecure, AllowPrivate: o.allowPrivate}
}

// dispatcher is the webhook dispatcher of this process over every workspace.
func (o *webhookOptions) dispatcher(svc *finapp.Service, au *auth.Auth, log *slog.Logger) *webhook.Dispatcher {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	host, _ := os.Hostname()
	return &webhook.Dispatcher{
		Service: svc, Sender: webhook.NewSender(o.policy(), o.timeout), Lease: o.lease, Log: log,
		Owner: fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b)),
		Workspaces: func(ctx context.Context) ([]string, error) {
			list, err := au.ListWorkspaces(ctx)
			ids := make([]string, 0, len(list))
			for _, w := range list {
				ids = append(ids, w.ID)
			}
			return ids, err
		},
	}
}

func newWebhooksCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "webhooks", Short: "Send webhooks out"}
	var dsn string
	var opts webhookOptions
	deliver := &cobra.Command{
		Use:   "deliver",
		Short: "Send every webhook delivery due now and exit (serve does this all the time)",
		RunE: func(cmd *cobra.Command, _ []string) error {
			return webhooksDeliver(cmd.Context(), dsn, &opts, cmd.OutOrStdout())
		},
	}
	dbFlag(deliver, &dsn)
	webhookFlags(deliver, &opts)
	cmd.AddCommand(deliver)
	return cmd
}

// webhooksDeliver is `finapp webhooks deliver`: one-shot delivery of everything due now, in every
// workspace, until a round finds nothing more to send (retries that are not yet due wait for
// the next run or for `serve`).
func webhooksDeliver(ctx context.Context, dsn string, opts *webhookOptions, stdout io.Writer) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := finapp.NewService(db)
	svc.WebhookTargets = opts.policy()
	d := opts.dispatcher(svc, auth.New(db.AuthStore()), slog.New(slog.NewTextHandler(io.Discard, nil)))
	total := 0
	for {
		n, err := d.Round(ctx)
		total += n
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	fmt.Fprintf(stdout, "%d delivery attempts made\n", total)
	return nil
}
