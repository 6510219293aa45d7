package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"finapp"
	"finapp/billingfile"
	"finapp/intake"
	"finapp/paymentcsv"
)

// importOptions are the flags of `finapp import payments`.
type importOptions struct {
	dsn, ws          string
	maxErrors, chunk int
}

func newImportCmd() *cobra.Command {
	cmd := &cobra.Command{Use: "import", Short: "Import outside files into the books"}
	cmd.AddCommand(
		newImportKindCmd("payments FILE.csv", "Record every line of a CSV file as a payment (docs/import.md)",
			`Record every line of a CSV file as a payment (docs/import.md): nothing if a line is bad
(every bad line is listed), nothing twice if run again; an interrupted import, run again,
records the rest.`, importPayments),
		newImportKindCmd("invoices FILE.csv|FILE.jsonl", "Create or correct invoices from a billing system's file, by external id (docs/import.md)",
			`Create or correct an invoice for every line of a CSV or JSON Lines file, found by its
external_id (docs/import.md): nothing if a line is bad (every bad line is listed); the same file
again changes nothing; an interrupted import, run again, writes the rest.`, importInvoices),
		newImportKindCmd("organizations FILE.csv|FILE.jsonl", "Create or correct organizations from a billing system's file, by external id (docs/import.md)",
			`Create or correct an organization for every line of a CSV or JSON Lines file, found by its
external_id (docs/import.md), all or nothing, as import invoices does.`, importOrganizations),
		newImportStatementCmd(),
	)
	return cmd
}

// importFunc runs one kind of import of the file at path, through the service, reporting on out.
type importFunc func(ctx context.Context, svc *finapp.Service, o importOptions, path string, out importOutput) (*intake.Result, error)

func newImportKindCmd(use, short, long string, run importFunc) *cobra.Command {
	var o importOptions
	c := &cobra.Command{Use: use, Short: short, Long: long, Args: exactArgs(strings.Fields(use)[1]),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runImport(cmd.Context(), o, args[0], strings.Fields(use)[0], cmd.OutOrStdout(), cmd.ErrOrStderr(), run)
		},
	}
	dbFlag(c, &o.dsn)
	workspaceFlag(c, &o.ws)
	c.Flags().IntVar(&o.maxErrors, "max-errors", intake.DefaultMaxErrors, "how many bad lines to list (all are counted)")
	c.Flags().IntVar(&o.chunk, "chunk", intake.DefaultChunk, "lines written per transaction")
	return c
}

// importOutput is where an import reports how far it has got.
type importOutput struct {
	name   string
	size   int64
	stderr io.Writer
	shown  *progress
}

// progress returns the Progress callback of an import of lines holding noun ("payments"),
// offset telling how far into the file checking has read.
func (o *importOutput) progress(noun string, offset func() int64) func(intake.Progress) {
	return func(p intake.Progress) {
		if o.shown == nil || o.shown.label != o.name+": "+p.Phase {
			// The rate counts from the phase's first report on.
			o.shown = newProgress(o.stderr, o.name+": "+p.Phase)
			o.shown.base = p.Done
		}
		if p.Phase == intake.Checking {
			o.shown.show(p.Done, 0, "lines", percent(offset(), o.size))
			return
		}
		o.shown.show(p.Done, p.Total, noun, "")
	}
}

func importPayments(ctx context.Context, svc *finapp.Service, o importOptions, path string, out importOutput) (*intake.Result, error) {
	var file *paymentcsv.Reader // the file as read just now, for the share of it checked
	return intake.Payments(ctx, svc, intake.Import[finapp.ImportLine]{Name: out.name, Chunk: o.chunk, MaxErrors: o.maxErrors,
		Open: func() (intake.Lines[finapp.ImportLine], error) {
			r, err := paymentcsv.Open(path)
			if err != nil {
				return nil, err
			}
			file = r
			return r, nil
		},
		Progress: out.progress("payments", func() int64 { return file.Offset() }),
	})
}

func importInvoices(ctx context.Context, svc *finapp.Service, o importOptions, path string, out importOutput) (*intake.Result, error) {
	if _, err := billingfile.FormatOf(path); err != nil {
		return nil, err
	}
	var file *billingfile.Reader[finapp.InvoiceImportLine]
	return intake.Invoices(ctx, svc, intake.Import[finapp.InvoiceImportLine]{Name: out.name, Chunk: o.chunk, MaxErrors: o.maxErrors,
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) {
			r, err := billingfile.OpenInvoices(path)
			if err != nil {
				return nil, err
			}
			file = r
			return r, nil
		},
		Progress: out.progress("invoices", func() int64 { return file.Offset() }),
	})
}

func importOrganizations(ctx context.Context, svc *finapp.Service, o importOptions, path string, out importOutput) (*intake.Result, error) {
	if _, err := billingfile.FormatOf(path); err != nil {
		return nil, err
	}
	var file *billingfile.Reader[finapp.OrganizationImportLine]
	return intake.Organizations(ctx, svc, intake.Import[finapp.OrganizationImportLine]{Name: out.name, Chunk: o.chunk, MaxErrors: o.maxErrors,
		Open: func() (intake.Lines[finapp.OrganizationImportLine], error) {
			r, err := billingfile.OpenOrganizations(path)
			if err != nil {
				return nil, err
			}
			file = r
			return r, nil
		},
		Progress: out.progress("organizations", func() int64 { return file.Offset() }),
	})
}

// runImport is `finapp import payments|invoices|organizations FILE` (docs/import.md): it checks
// every line of the file, writes nothing if any is bad (listing them), and otherwise writes the
// lines a chunk per transaction, printing a progress line to stderr now and then and a summary
// to stdout. The same file imported again writes nothing; an interrupted import, run again,
// writes the rest.
func runImport(ctx context.Context, o importOptions, path, noun string, stdout, stderr io.Writer, run importFunc) error {
	name := filepath.Base(path)
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	db, w, err := openWorkspace(ctx, o.dsn, o.ws)
	if err != nil {
		return err
	}
	defer db.Close()
	if db.Dialect().Name == "sqlite" {
		// A bigger page cache for the import's large chunks (sqlstore.SetWritePragma says why).
		if err := db.SetWritePragma(ctx, "cache_size", -64*1024); err != nil {
			return err
		}
		if err := db.SetWritePragma(ctx, "temp_store", 1); err != nil {
			return err
		}
	}
	// Ctrl-C stops between two chunks: what was committed stays, and a second run writes the rest.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	actor := finapp.Actor{WorkspaceID: w.ID, Name: "cli:import", Role: finapp.RoleFinance}
	start := time.Now()
	res, err := run(finapp.WithActor(ctx, actor), finapp.NewService(db), o, path, importOutput{name: name, size: info.Size(), stderr: stderr})
	took := time.Since(start)
	if res != nil {
		for _, e := range res.Errors {
			fmt.Fprintln(stderr, name+":", e)
		}
		if more := res.BadLines - len(res.Errors); more > 0 {
			fmt.Fprintf(stderr, "%s: … and %s more bad lines (--max-errors lists more)\n", name, count(more))
		}
	}
	if err != nil {
		if ctx.Err() != nil {
			err = errors.New("interrupted")
		}
		if res != nil && res.Import != nil && res.Import.CompletedAt == nil && res.Import.Done > 0 {
			imp := res.Import
			return fmt.Errorf("%w\n%s of the %s lines of %s are written (import %s); run the same command again to write the rest: none is written twice",
				err, count(imp.Done), count(imp.Lines), name, imp.ID)
		}
		if (res == nil || res.Import == nil) && !strings.Contains(err.Error(), "nothing was imported") {
			return fmt.Errorf("%w; nothing was imported", err)
		}
		return err
	}
	imp := res.Import
	what := count(res.Recorded) + " " + noun
	if t := res.Tally; t.Updated+t.Unchanged > 0 || t.Created != res.Recorded {
		what += fmt.Sprintf(" (%s created, %s updated, %s unchanged)", count(t.Created), count(t.Updated), count(t.Unchanged))
	}
	switch {
	case res.AlreadyImported:
		fmt.Fprintf(stdout, "%s was imported already: import %s wrote its %s %s (%s, %s); nothing was imported now\n",
			name, imp.ID, count(imp.Lines), noun, imp.CreatedBy, imp.CompletedAt.Format("2006-01-02 15:04 UTC"))
	case res.Skipped > 0:
		fmt.Fprintf(stdout, "imported %s from %s in %s (%s/s), after the %s an interrupted run had written: import %s, %s %s, sha256 %s\n",
			what, name, took.Round(time.Millisecond), count(rate(res.Recorded, took)), count(res.Skipped), imp.ID, count(imp.Lines), noun, imp.Digest)
	default:
		fmt.Fprintf(stdout, "imported %s from %s in %s (%s/s): import %s, sha256 %s\n",
			what, name, took.Round(time.Millisecond), count(rate(res.Recorded, took)), imp.ID, imp.Digest)
	}
	return nil
}

// progressEvery is how often a long command prints a progress line to stderr.
var progressEvery = 2 * time.Second

// progress prints a line now and then about work that takes long (`import payments`, `verify`):
// what is done, of what total when known, at what rate and for how long. Nothing is printed
// before progressEvery has passed, so quick runs stay quiet.
type progress struct {
	w     io.Writer
	label string
	start time.Time
	last  time.Time
	base  int // of done, what was done before start, left out of the rate
}

func newProgress(w io.Writer, label string) *progress {
	now := time.Now()
	return &progress{w: w, label: label, start: now, last: now}
}

// show prints a line if progressEvery has passed since the last one. extra, if any, is added
// after the count.
func (p *progress) show(done, total int, unit, extra string) {
	if time.Since(p.last) >= progressEvery {
		p.print(done, total, unit, extra)
	}
}

// print prints the line now.
func (p *progress) print(done, total int, unit, extra string) {
	now := time.Now()
	p.last = now
	elapsed := now.Sub(p.start)
	line := p.label + ": " + count(done)
	if total > 0 {
		line += " of " + count(total)
	}
	line += " " + unit
	if total > 0 {
		line += " (" + percent(int64(done), int64(total)) + ")"
	}
	if extra != "" {
		line += " (" + extra + ")"
	}
	r := rate(done-p.base, elapsed)
	line += fmt.Sprintf(", %s/s, %s elapsed", count(r), elapsed.Round(time.Second))
	if total > done && r > 0 {
		line += fmt.Sprintf(", about %s left", (time.Duration(total-done) * time.Second / time.Duration(r)).Round(time.Second))
	}
	fmt.Fprintln(p.w, line)
}

// rate is n per second over d.
func rate(n int, d time.Duration) int {
	if d <= 0 {
		return 0
	}
	return int(int64(n) * int64(time.Second) / int64(d))
}

// percent is part of whole as a whole percentage ("41%"), "" when whole is unknown.
func percent(part, whole int64) string {
	if whole <= 0 {
		return ""
	}
	return strconv.FormatInt(part*100/whole, 10) + "%"
}

// count writes n with thousands separators (1,000,000), as finance staff read numbers.
func count(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + count(-n)
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
