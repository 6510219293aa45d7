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
	var o importOptions
	payments := &cobra.Command{
		Use:   "payments FILE.csv",
		Short: "Record every line of a CSV file as a payment (docs/import.md)",
		Long: `Record every line of a CSV file as a payment (docs/import.md): nothing if a line is bad
(every bad line is listed), nothing twice if run again; an interrupted import, run again,
records the rest.`,
		Args: exactArgs("FILE.csv"),
		RunE: func(cmd *cobra.Command, args []string) error {
			return importPayments(cmd.Context(), o, args[0], cmd.OutOrStdout(), cmd.ErrOrStderr())
		},
	}
	dbFlag(payments, &o.dsn)
	workspaceFlag(payments, &o.ws)
	payments.Flags().IntVar(&o.maxErrors, "max-errors", intake.DefaultMaxErrors, "how many bad lines to list (all are counted)")
	payments.Flags().IntVar(&o.chunk, "chunk", intake.DefaultChunk, "payments recorded per transaction")
	cmd.AddCommand(payments)
	return cmd
}

// importPayments is `finapp import payments FILE.csv` (docs/import.md): it checks every line of
// the file, records nothing if any is bad (listing them), and otherwise records each line as a
// payment, a chunk per transaction, printing a progress line to stderr now and then and a summary
// to stdout. The same file imported again records nothing; an interrupted import, run again,
// records the rest.
func importPayments(ctx context.Context, o importOptions, path string, stdout, stderr io.Writer) error {
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
	}
	// Ctrl-C stops between two chunks: what was committed stays, and a second run records the rest.
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()

	var file *paymentcsv.Reader // the file as read just now, for the share of it checked
	var shown *progress
	in := intake.Import{Name: name, Chunk: o.chunk, MaxErrors: o.maxErrors,
		Open: func() (intake.Lines, error) {
			r, err := paymentcsv.Open(path)
			if err != nil {
				return nil, err
			}
			file = r
			return r, nil
		},
		Progress: func(p intake.Progress) {
			if shown == nil || shown.label != name+": "+p.Phase {
				// The rate counts from the phase's first report on.
				shown = newProgress(stderr, name+": "+p.Phase)
				shown.base = p.Done
			}
			if p.Phase == intake.Checking {
				shown.show(p.Done, 0, "lines", percent(file.Offset(), info.Size()))
				return
			}
			shown.show(p.Done, p.Total, "payments", "")
		},
	}
	actor := finapp.Actor{WorkspaceID: w.ID, Name: "cli:import", Role: finapp.RoleFinance}
	start := time.Now()
	res, err := intake.Payments(finapp.WithActor(ctx, actor), finapp.NewService(db), in)
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
			return fmt.Errorf("%w\n%s of the %s payments of %s are recorded (import %s); run the same command again to record the rest: none is recorded twice",
				err, count(imp.Done), count(imp.Lines), name, imp.ID)
		}
		if (res == nil || res.Import == nil) && !strings.Contains(err.Error(), "nothing was imported") {
			return fmt.Errorf("%w; nothing was imported", err)
		}
		return err
	}
	imp := res.Import
	switch {
	case res.AlreadyImported:
		fmt.Fprintf(stdout, "%s was imported already: import %s recorded its %s payments (%s, %s); nothing was imported now\n",
			name, imp.ID, count(imp.Lines), imp.CreatedBy, imp.CompletedAt.Format("2006-01-02 15:04 UTC"))
	case res.Skipped > 0:
		fmt.Fprintf(stdout, "imported %s payments from %s in %s (%s/s), after the %s an interrupted run had recorded: import %s, %s payments, sha256 %s\n",
			count(res.Recorded), name, took.Round(time.Millisecond), count(rate(res.Recorded, took)), count(res.Skipped), imp.ID, count(imp.Lines), imp.Digest)
	default:
		fmt.Fprintf(stdout, "imported %s payments from %s in %s (%s/s): import %s, sha256 %s\n",
			count(res.Recorded), name, took.Round(time.Millisecond), count(rate(res.Recorded, took)), imp.ID, imp.Digest)
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
