// Package intake is the pipeline that brings a file into the books (`finapp import payments |
// invoices | organizations`, docs/import.md): it reads the file twice — every line checked
// before any is written — knows the file by its digest, writes it a chunk per transaction while
// the next chunk is being built, resumes an interrupted run and reports progress. Every rule a
// line is held to, and every write, is the books' (package finapp); a file format (packages
// paymentcsv, billingfile) only turns bytes into lines.
package intake

import (
	"cmp"
	"context"
	"errors"
	"io"
	"slices"

	"finapp"
)

// Defaults of an import.
const (
	// DefaultChunk is how many lines one transaction of an import writes: enough that the cost
	// of a commit (one fsync) is spread thin, few enough that the server's own writes wait only
	// a moment for the database between two chunks.
	DefaultChunk = 5000
	// DefaultUpsertWindow is how many invoice or organization lines are read, grouped by
	// customer and written together, a chunk per transaction (finapp.UpsertImporter.Write):
	// each customer's index pages are then written once a window rather than once a chunk,
	// and the window's lines are held in memory meanwhile.
	DefaultUpsertWindow = 100_000
	// DefaultMaxErrors is how many bad lines an import reports; it counts them all.
	DefaultMaxErrors = 100
	// checkRun is how many lines are checked together: the books look up what a run of lines
	// names a statement at a time.
	checkRun = 1000
)

// Lines reads the lines of one import file, in file order. A file format implements it.
type Lines[L any] interface {
	// Next returns the next line, or io.EOF after the last one. A line the format cannot read
	// (a wrong number of fields, broken quoting, bytes that are not UTF-8) comes back as a
	// *finapp.LineError and reading may go on; any other error ends the file.
	Next() (L, error)
	// Digest is the SHA-256 (hex) of every byte read so far: after io.EOF, the file's.
	Digest() string
	Close() error
}

// Books is what importing one kind of line (L) needs from the books; C is a chunk built for
// writing.
type Books[L, C any] interface {
	// Check checks lines, which follow those checked before in the file, without writing; each
	// bad line comes back as a *finapp.LineError. Any error is the database's.
	Check(ctx context.Context, lines []L) ([]*finapp.LineError, error)
	// Finish returns the refusals known only once every line was checked (two lines claiming
	// one key), in file order.
	Finish() []*finapp.LineError
	// Build prepares lines, which follow the first start lines of imp, for writing, outside any
	// transaction. A *finapp.LineError means the line no longer passes: the file changed.
	Build(ctx context.Context, imp finapp.Import, start int, lines []L) (C, error)
	// Write writes a built chunk (a window of lines: Import.Window), in one transaction or
	// several, moving imp on by its lines; written, after each transaction, is told how many of
	// them are written.
	Write(ctx context.Context, imp *finapp.Import, chunk C, written func(int)) (finapp.UpsertTally, error)
}

// Import asks for a file to be imported.
type Import[L any] struct {
	Name string // the file's name, for people
	// Kind and Noun are what the lines hold (finapp.ImportPayments) and what one line is called
	// in messages ("payment"); the kind's function (Payments, Invoices) sets them.
	Kind, Noun string
	// Open reads the file from its start. The import reads it twice: every line is checked before
	// any is written.
	Open func() (Lines[L], error)
	// Progress, when set, is told how far the import has got: every 10,000 lines while checking,
	// after every chunk while writing. It runs on the importing goroutine.
	Progress func(Progress)
	Chunk    int // lines per transaction; 0 means DefaultChunk
	// Window is how many lines are read and handed to Books.Write at a time; 0 or less than
	// Chunk means Chunk.
	Window    int
	MaxErrors int // bad lines to report; 0 means DefaultMaxErrors
}

// Import phases, as Progress reports them.
const (
	Checking  = "checking"
	Recording = "recording"
)

// Progress is how far an import has got.
type Progress struct {
	Phase string // Checking or Recording
	Done  int    // lines checked, or lines written (with those of an earlier, interrupted run)
	Total int    // lines in the file; 0 while checking
}

// Result is what an import did.
type Result struct {
	Import          *finapp.Import      // nil when the file was refused
	Recorded        int                 // lines this run wrote
	Tally           finapp.UpsertTally  // what this run's lines did (a payment line always creates)
	Skipped         int                 // lines an earlier, interrupted run had written; this run went on after them
	AlreadyImported bool                // the whole file had been imported before: nothing was written
	BadLines        int                 // lines refused; when there are any, nothing is written
	Errors          []*finapp.LineError // the first MaxErrors bad lines, in file order
}

func (r *Result) refuse(e *finapp.LineError, max int) {
	r.BadLines++
	if len(r.Errors) < max {
		r.Errors = append(r.Errors, e)
	}
}

// Run imports a file of lines L through books, as the caller of ctx.
//
// It first checks every line. If any is bad it writes nothing and returns EInvalid with the
// result's BadLines and Errors (line and column of each). A file imported before (the same
// bytes) writes nothing again: the result says AlreadyImported. A file whose import was
// interrupted goes on after the lines already written (Skipped). Errors: EForbidden,
// EInvalid, EConflict (another run is importing the same file just now, or the file changed
// while it was imported), EUnavailable.
func Run[L, C any](ctx context.Context, svc *finapp.Service, books Books[L, C], in Import[L]) (*Result, error) {
	if in.Chunk <= 0 {
		in.Chunk = DefaultChunk
	}
	if in.Window < in.Chunk {
		in.Window = in.Chunk
	}
	if in.MaxErrors <= 0 {
		in.MaxErrors = DefaultMaxErrors
	}
	res := &Result{}
	lines, digest, err := check(ctx, books, in, res)
	if err != nil {
		return res, err
	}
	prior, err := svc.FindImport(ctx, digest)
	if err != nil {
		return res, err
	}
	if prior != nil && prior.CompletedAt != nil {
		res.Import, res.AlreadyImported = prior, true
		return res, nil
	}
	switch {
	case res.BadLines > 0:
		return res, finapp.Errorf(finapp.EInvalid, "%d of the file's lines are invalid; nothing was imported", res.BadLines)
	case lines == 0:
		return res, finapp.Errorf(finapp.EInvalid, "the file has no %s lines; nothing was imported", in.Noun)
	}
	imp, err := svc.StartImport(ctx, in.Kind, in.Name, digest, lines)
	if err != nil {
		return res, err
	}
	res.Import, res.Skipped = imp, imp.Done
	return res, record(ctx, books, in, imp, res)
}

// check reads the whole file once, checking every line, and returns how many lines it has and
// its digest; bad lines go into res.
func check[L, C any](ctx context.Context, books Books[L, C], in Import[L], res *Result) (int, string, error) {
	r, err := in.Open()
	if err != nil {
		if le := finapp.LineErrorOf(1, err); le != nil {
			res.refuse(le, in.MaxErrors)
			return 0, "", finapp.Errorf(finapp.EInvalid, "the file cannot be read: %v; nothing was imported", le)
		}
		return 0, "", err
	}
	defer r.Close()
	reading, stop := context.WithCancel(ctx)
	runs := readRuns(reading, r)
	defer func() {
		stop()
		for range runs { // the reader stops before the file is closed
		}
	}()
	n := 0
	for run := range runs {
		for _, le := range run.unreadable {
			res.refuse(le, in.MaxErrors)
		}
		if run.err != nil {
			return run.n, "", run.err
		}
		if err := ctx.Err(); err != nil {
			return n, "", err
		}
		bad, err := books.Check(ctx, run.lines)
		if err != nil {
			return n, "", err
		}
		for _, le := range bad {
			res.refuse(le, in.MaxErrors)
		}
		if in.Progress != nil && run.n/10000 > n/10000 { // a run is checkRun lines: one step at most
			in.Progress(Progress{Phase: Checking, Done: run.n})
		}
		n = run.n
	}
	if err := ctx.Err(); err != nil { // the reader stopped short
		return n, "", err
	}
	// Refusals of the whole file join those of its lines in file order.
	for _, le := range books.Finish() {
		res.refuse(le, in.MaxErrors)
	}
	slices.SortStableFunc(res.Errors, func(a, b *finapp.LineError) int { return cmp.Compare(a.Line, b.Line) })
	return n, r.Digest(), nil
}

// lineRun is a run of up to checkRun lines of a file, as readRuns reads it.
type lineRun[L any] struct {
	lines      []L
	unreadable []*finapp.LineError // lines among them the format could not read
	n          int                 // the file's readable lines up to the run's last, included
	err        error               // why reading stopped after the run (not io.EOF)
}

// readRuns reads r on a goroutine of its own, a run of checkRun readable lines at a time, so
// that the file is read and parsed on one core while the books check the run before on the
// other. The channel closes after the file's last run, or after a run with err, or once ctx is
// done; r is not read after it closes.
func readRuns[L any](ctx context.Context, r Lines[L]) <-chan lineRun[L] {
	runs := make(chan lineRun[L], 1)
	go func() {
		defer close(runs)
		n := 0
		run := lineRun[L]{lines: make([]L, 0, checkRun)}
		send := func() bool {
			if ctx.Err() != nil {
				return false
			}
			run.n = n
			select {
			case runs <- run:
				run = lineRun[L]{lines: make([]L, 0, checkRun)}
				return true
			case <-ctx.Done():
				return false
			}
		}
		for {
			l, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				if le := finapp.LineErrorOf(0, err); le != nil {
					run.unreadable = append(run.unreadable, le)
					continue
				}
				run.err = err
				send()
				return
			}
			n++
			if run.lines = append(run.lines, l); len(run.lines) == checkRun && !send() {
				return
			}
		}
		send()
	}()
	return runs
}

// record reads the file a second time and writes its lines after the imp.Done an earlier run
// wrote, one chunk per transaction: one goroutine reads, checks and builds chunks, this one
// writes them in order. Each line is checked again: a line that fails now, or a file whose
// digest changed, means the file was edited after it was checked.
func record[L, C any](ctx context.Context, books Books[L, C], in Import[L], imp *finapp.Import, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type built struct {
		chunk C
		lines int
	}
	chunks := make(chan built) // one chunk built while one is written: memory stays flat
	done := make(chan error, 1)
	began := *imp // the import as writing begins: the writer moves imp on meanwhile
	go func() {
		defer close(chunks)
		done <- readChunks(ctx, in, began, func(start int, lines []L) error {
			c, err := books.Build(ctx, began, start, lines)
			if le := finapp.LineErrorOf(0, err); le != nil {
				return fileChanged{le.Error()}
			}
			if err != nil {
				return err
			}
			select {
			case chunks <- built{c, len(lines)}:
				return nil
			case <-ctx.Done():
				return ctx.Err()
			}
		})
	}()
	for ch := range chunks {
		from := imp.Done
		tally, err := books.Write(ctx, imp, ch.chunk, func(n int) {
			if in.Progress != nil && n < ch.lines { // the window's end is reported below
				in.Progress(Progress{Phase: Recording, Done: from + n, Total: imp.Lines})
			}
		})
		if err != nil {
			cancel()
			for range chunks {
			}
			return err
		}
		res.Recorded += ch.lines
		res.Tally.Add(tally)
		if in.Progress != nil {
			in.Progress(Progress{Phase: Recording, Done: imp.Done, Total: imp.Lines})
		}
	}
	err := <-done
	var changed fileChanged
	if errors.As(err, &changed) {
		return finapp.Errorf(finapp.EConflict, "the file changed while it was imported (%s): %d of its %d %ss are written as import %s; "+
			"check them, and import the file again only once it no longer changes", changed.why, imp.Done, imp.Lines, in.Noun, imp.ID)
	}
	return err
}

// fileChanged is why a file read for writing is not the one that was checked.
type fileChanged struct{ why string }

func (e fileChanged) Error() string { return "the file changed: " + e.why }

// readChunks reads the file and hands the lines after imp.Done to send in chunks of in.Window,
// each with how many lines of the file come before it. imp is the import as writing began (a
// copy: the writer moves the import on meanwhile). It returns why the file is not the one that
// was checked (fileChanged), why it stopped short, or nil when it sent every chunk.
func readChunks[L any](ctx context.Context, in Import[L], imp finapp.Import, send func(start int, lines []L) error) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var chunk []L
	n := 0
	for {
		l, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if le := finapp.LineErrorOf(0, err); le != nil {
			return fileChanged{le.Error()}
		}
		if err != nil {
			return err
		}
		if n++; n <= imp.Done {
			continue // written by an earlier run
		}
		if n > imp.Lines {
			return fileChanged{"it has more lines than when it was checked"}
		}
		if chunk = append(chunk, l); len(chunk) == in.Window {
			if err := send(n-len(chunk), chunk); err != nil {
				return err
			}
			chunk = nil // the chunk is the writer's now
		}
	}
	if len(chunk) > 0 {
		if err := send(n-len(chunk), chunk); err != nil {
			return err
		}
	}
	if n != imp.Lines || r.Digest() != imp.Digest {
		return fileChanged{"its content is not what was checked"}
	}
	return nil
}
