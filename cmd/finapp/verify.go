package main

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/auth"
	"finapp/conformance"
)

func newVerifyCmd() *cobra.Command {
	var dsn string
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check every invariant and audit chain over the whole database; exit 1 on any violation",
		Long: `Check every invariant and audit chain over the whole database, and replay each audit trail
over its books: every row and journal entry must be what the trail says. Run it while the server
is stopped (or idle): it reads in several transactions. Exit status 1 on any violation.`,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return verify(cmd.Context(), dsn, cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	dbFlag(cmd, &dsn)
	return cmd
}

// verify checks every invariant of SPEC §2–§3 and every audit chain over the whole database, and
// replays each audit trail over its books (every row and journal entry must be what the trail
// says), one workspace after another, printing a result line per workspace; it fails on any violation. On a
// large database it also prints a progress line to stderr every few seconds.
func verify(ctx context.Context, dsn string, stdout, stderr io.Writer) error {
	db, err := openDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	workspaces, err := auth.New(db.AuthStore()).ListWorkspaces(ctx)
	if err != nil {
		return err
	}
	read := &countingStore{Store: db}
	svc := finapp.NewService(read)
	broken := 0
	for i, w := range workspaces {
		start := time.Now()
		wctx := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "cli:verify", Role: finapp.RoleViewer})
		stopProgress := read.report(stderr, fmt.Sprintf("verify [%d/%d] workspace %s", i+1, len(workspaces), w.Name))
		bad, err := conformance.CheckBooks(wctx, svc)
		if err != nil {
			stopProgress()
			return fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		chain, err := svc.VerifyAudit(wctx)
		if err != nil {
			stopProgress()
			return fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		replayed, err := replayViolations(wctx, svc)
		stopProgress()
		if err != nil {
			return fmt.Errorf("workspace %s: %w", w.Name, err)
		}
		bad = append(bad, replayed...)
		if chain.Break != nil {
			bad = append(bad, fmt.Sprintf("audit chain broken at event %s: %s", chain.Break.Event.ID, chain.Break.Reason))
		}
		fmt.Fprintf(stdout, "[%d/%d] workspace %s: %d audit events, %d violations (%s)\n", i+1, len(workspaces), w.Name, chain.Events, len(bad), time.Since(start).Round(time.Millisecond))
		for _, b := range bad {
			fmt.Fprintln(stdout, "  -", b)
		}
		printSealWarnings(stdout, "  ", chain)
		broken += len(bad)
	}
	if broken > 0 {
		return fmt.Errorf("%d invariant violations", broken)
	}
	fmt.Fprintln(stdout, "all invariants hold")
	return nil
}

// countingStore counts the rows verify reads through it, for the progress line: the checks read
// every payment and invoice, some more than once, so the count runs past the number of rows.
type countingStore struct {
	finapp.Store
	rows atomic.Int64
}

// View implements finapp.Store, counting what fn reads.
func (s *countingStore) View(ctx context.Context, ws string, fn func(finapp.Tx) error) error {
	return s.Store.View(ctx, ws, func(tx finapp.Tx) error { return fn(countingTx{tx, &s.rows}) })
}

// report prints a progress line to w every progressEvery until the returned function is called,
// and one more then.
func (s *countingStore) report(w io.Writer, label string) (stop func()) {
	s.rows.Store(0)
	p := newProgress(w, label)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(progressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				p.print(int(s.rows.Load()), 0, "rows read", "")
			}
		}
	}()
	return func() {
		close(done)
		<-finished
		p.show(int(s.rows.Load()), 0, "rows read", "") // the last count, if the check took long enough to show any
	}
}

// countingTx counts the rows each load and list returns.
type countingTx struct {
	finapp.Tx
	rows *atomic.Int64
}

func (t countingTx) Payment(ctx context.Context, id string) (*finapp.Payment, error) {
	t.rows.Add(1)
	return t.Tx.Payment(ctx, id)
}

func (t countingTx) Invoice(ctx context.Context, id string) (*finapp.Invoice, error) {
	t.rows.Add(1)
	return t.Tx.Invoice(ctx, id)
}

func (t countingTx) ListPayments(ctx context.Context, f finapp.PaymentFilter) ([]*finapp.Payment, string, error) {
	list, next, err := t.Tx.ListPayments(ctx, f)
	t.rows.Add(int64(len(list)))
	return list, next, err
}

func (t countingTx) ListInvoices(ctx context.Context, f finapp.InvoiceFilter) ([]*finapp.Invoice, string, error) {
	list, next, err := t.Tx.ListInvoices(ctx, f)
	t.rows.Add(int64(len(list)))
	return list, next, err
}

func (t countingTx) Journal(ctx context.Context, f finapp.JournalFilter) ([]*finapp.JournalEntry, error) {
	list, err := t.Tx.Journal(ctx, f)
	t.rows.Add(int64(len(list)))
	return list, err
}

func (t countingTx) AuditChain(ctx context.Context) ([]*finapp.AuditEvent, error) {
	list, err := t.Tx.AuditChain(ctx)
	t.rows.Add(int64(len(list)))
	return list, err
}

// printSealWarnings names the audit events sealed late or still unsealed long after their time
// (finapp.AuditVerification says what that can mean): the first few of each, and how many.
func printSealWarnings(w io.Writer, indent string, v *finapp.AuditVerification) {
	for _, group := range []struct {
		what   string
		events []*finapp.AuditEvent
	}{
		{"sealed more than " + finapp.LateSeal.String() + " after their time", v.Late},
		{"still unsealed " + finapp.LateSeal.String() + " after their time", v.Unsealed},
	} {
		if len(group.events) == 0 {
			continue
		}
		fmt.Fprintf(w, "%swarning: %d audit events %s (a server stopped before sealing them, or rows written outside finapp):\n",
			indent, len(group.events), group.what)
		for _, e := range group.events[:min(5, len(group.events))] {
			fmt.Fprintf(w, "%s  %s %s %s %s at %s\n", indent, e.ID, e.Action, e.Entity, e.EntityID, e.At.Format(time.RFC3339))
		}
	}
}
