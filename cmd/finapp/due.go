package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/auth"
)

// expiryEvery is how often serve marks expired reservations. An expired reservation holds no
// credit from its expiry on whether or not it is marked (finapp.Reservation.StatusAt); marking
// keeps the open ones few and closes them in the audit trail.
const expiryEvery = time.Minute

// expireReservations marks expired reservations in every workspace, now and every expiryEvery,
// until ctx ends. Several servers may run it: a reservation is marked once (a second server's
// update finds it closed and skips it).
func expireReservations(ctx context.Context, svc *finapp.Service, au *auth.Auth, log *slog.Logger) {
	for {
		if _, err := expireAll(ctx, svc, au); err != nil && ctx.Err() == nil {
			log.Error("expiring reservations", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(expiryEvery):
		}
	}
}

// expireAll marks the expired reservations of every workspace and returns how many.
func expireAll(ctx context.Context, svc *finapp.Service, au *auth.Auth) (int, error) {
	workspaces, err := au.ListWorkspaces(ctx)
	if err != nil {
		return 0, err
	}
	total := 0
	for _, w := range workspaces {
		n, err := svc.ExpireReservations(finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "system:reservations", Role: finapp.RoleFinance}))
		total += n
		if err != nil {
			return total, fmt.Errorf("workspace %s: %w", w.ID, err)
		}
	}
	return total, nil
}

func newRunDueCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "run-due",
		Short: "Do once, in every workspace, what serve does on a timer (expire reservations, find due reminders), for cron",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDue(cmd.Context(), dsn, cmd.OutOrStdout())
		},
	}
	dbFlag(cmd, &dsn)
	return cmd
}

// runDue is `finapp run-due`.
func runDue(ctx context.Context, dsn string, stdout io.Writer) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	svc, au := finapp.NewService(db), auth.New(db.AuthStore())
	expired, err := expireAll(ctx, svc, au)
	if err != nil {
		return err
	}
	workspaces, err := au.ListWorkspaces(ctx)
	if err != nil {
		return err
	}
	reminders := 0
	for _, w := range workspaces {
		due, err := svc.RunReminders(finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "system:reminders", Role: finapp.RoleFinance}))
		if err != nil {
			return fmt.Errorf("reminders of workspace %s: %w", w.ID, err)
		}
		reminders += len(due)
	}
	fmt.Fprintf(stdout, "%d reservations expired, %d reminders due\n", expired, reminders)
	return nil
}
