package main

import (
	"context"
	"log/slog"
	"time"

	"finapp"
	"finapp/auth"
)

// reminderEvery is how often serve looks for reminders that became due: a new day's are found
// within this long of the day's start, and a run that finds nothing costs one query.
const reminderEvery = time.Hour

// runReminders finds the reminders due in every workspace now and then every reminderEvery,
// until ctx ends. Several servers may run it: a reminder's level is recorded once per invoice,
// so a second server's run finds nothing new (or, racing, is refused and tries again next time).
func runReminders(ctx context.Context, svc *finapp.Service, au *auth.Auth, log *slog.Logger) {
	for {
		workspaces, err := au.ListWorkspaces(ctx)
		if err != nil && ctx.Err() == nil {
			log.Error("reminders: listing workspaces", "err", err)
		}
		for _, w := range workspaces {
			due, err := svc.RunReminders(finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "system:reminders", Role: finapp.RoleFinance}))
			switch {
			case err != nil && ctx.Err() == nil:
				log.Error("reminders", "workspace", w.ID, "err", err)
			case len(due) > 0:
				log.Info("reminders due", "workspace", w.ID, "count", len(due))
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(reminderEvery):
		}
	}
}
