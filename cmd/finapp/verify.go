package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"time"

	"finapp"
	"finapp/conformance"
)

// verify checks every invariant of SPEC §2–§3 and every audit chain over the whole database, one
// workspace after another, printing a progress line per workspace; it fails on any violation.
// Run it while the server is stopped (or idle): it reads in several transactions.
func verify(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("verify", flag.ContinueOnError)
	dsn := dbFlag(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	db, err := openDB(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	workspaces, err := finapp.NewAuth(db).ListWorkspaces(ctx)
	if err != nil {
		return err
	}
	svc := finapp.NewService(db)
	broken := 0
	for i, w := range workspaces {
		start := time.Now()
		wctx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "cli:verify", Role: finapp.RoleViewer})
		bad, err := conformance.CheckBooks(wctx, svc)
		if err != nil {
			return fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		chain, err := svc.VerifyAudit(wctx)
		if err != nil {
			return fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		if chain.Break != nil {
			bad = append(bad, fmt.Sprintf("audit chain broken at event %s: %s", chain.Break.Event.ID, chain.Break.Reason))
		}
		fmt.Fprintf(stdout, "[%d/%d] workspace %s: %d audit events, %d violations (%s)\n", i+1, len(workspaces), w.Name, chain.Events, len(bad), time.Since(start).Round(time.Millisecond))
		for _, b := range bad {
			fmt.Fprintln(stdout, "  -", b)
		}
		broken += len(bad)
	}
	if broken > 0 {
		return fmt.Errorf("%d invariant violations", broken)
	}
	fmt.Fprintln(stdout, "all invariants hold")
	return nil
}
