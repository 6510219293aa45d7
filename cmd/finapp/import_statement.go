package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/bankfile"
)

// statementOptions are the flags of `finapp import statement`.
type statementOptions struct {
	dsn, ws          string
	format, template string
}

func newImportStatementCmd() *cobra.Command {
	var o statementOptions
	c := &cobra.Command{Use: "statement FILE", Short: "Import a bank statement: camt.053/054 (XML or ZIP), MT940, or a bank CSV by its template (docs/reconciliation.md)",
		Long: `Import a bank statement file (docs/reconciliation.md): camt.053 or camt.054 XML (or a ZIP of
them), MT940, or a bank's CSV read by its saved template (--template). The file is taken whole or not at all: a malformed, unbalanced or wrong-currency file is refused naming the line. Each entry
is kept once per bank account and bank reference: the same file again imports nothing, and an
overlapping statement only the entries not kept yet.`,
		Args: exactArgs("FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImportStatement(cmd.Context(), o, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	dbFlag(c, &o.dsn)
	workspaceFlag(c, &o.ws)
	c.Flags().StringVar(&o.format, "format", "", "camt, zip, mt940 or csv (default: from the file's name, else its first bytes)")
	c.Flags().StringVar(&o.template, "template", "", "the bank CSV template (id or name) a csv file is read by")
	return c
}

func runImportStatement(ctx context.Context, o statementOptions, path string, stdout, stderr io.Writer) error {
	name := filepath.Base(path)
	db, w, err := openWorkspace(ctx, o.dsn, o.ws)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := os.Stat(path); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx = finapp.WithActor(ctx, finapp.Actor{WorkspaceID: w.ID, Name: "cli:import", Role: finapp.RoleFinance})
	svc := finapp.NewService(db)

	format := o.format
	if format == "" {
		if format, err = bankfile.FormatOfType("", path); err != nil {
			return err
		}
	}
	var template *finapp.BankCSVTemplate
	if o.template != "" {
		if template, err = svc.BankCSVTemplate(ctx, o.template); err != nil {
			return fmt.Errorf("--template: %w", err)
		}
	}
	open, err := bankfile.Opener(path, format, template)
	if err != nil {
		return err
	}
	var shown *progress
	start := time.Now()
	imp, err := svc.ImportBankFile(ctx, open, func(p finapp.BankImportProgress) {
		if shown == nil || shown.label != name+": "+p.Phase {
			shown = newProgress(stderr, name+": "+p.Phase)
		}
		shown.show(p.Entries, 0, "entries", "")
	})
	if err != nil {
		if ctx.Err() != nil {
			err = errors.New("interrupted")
		}
		return fmt.Errorf("%s: %w; nothing was imported", name, err)
	}
	took := time.Since(start)
	fmt.Fprintf(stdout, "imported %s (%s) in %s: %s lines created, %s already kept (an overlap), sha256 %s\n",
		name, imp.Format, took.Round(time.Millisecond), count(imp.Created), count(imp.Skipped), imp.FileDigest)
	for _, st := range imp.Statements {
		fmt.Fprintf(stdout, "  statement %s: account %s %s, %s entries, %s new\n", st.ID, st.Account, st.Currency, count(st.Entries), count(st.Created))
	}
	return nil
}
