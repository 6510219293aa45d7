// Package intake is the pipeline that brings a file of payments into the books (`finapp import
// payments`, docs/import.md): it reads the file twice — every line checked before any is
// recorded — knows the file by its digest, records it a chunk per transaction while the next
// chunk is being built, resumes an interrupted run and reports progress. Every rule a line is
// held to, and every write, is the books' (finapp.ImportChecker, StartImport, WriteImportChunk);
// a file format (package paymentcsv) only turns bytes into lines.
package intake

import (
	"context"
	"errors"
	"io"

	"finapp"
)

// Defaults of a Payments import.
const (
	// DefaultChunk is how many payments one transaction of an import records: enough that the
	// cost of a commit (one fsync) is spread thin, few enough that the server's own writes wait
	// only a moment for the database between two chunks.
	DefaultChunk = 5000
	// DefaultMaxErrors is how many bad lines an import reports; it counts them all.
	DefaultMaxErrors = 100
)

// Lines reads the payment lines of one import file, in file order. A file format (CSV: package
// paymentcsv) implements it.
type Lines interface {
	// Next returns the next line, or io.EOF after the last one. A line the format cannot read
	// (a wrong number of fields, broken quoting, bytes that are not UTF-8) comes back as a
	// *finapp.LineError and reading may go on; any other error ends the file.
	Next() (finapp.ImportLine, error)
	// Digest is the SHA-256 (hex) of every byte read so far: after io.EOF, the file's.
	Digest() string
	Close() error
}

// Import asks for a file of payments to be imported.
type Import struct {
	Name string // the file's name, for people
	// Open reads the file from its start. The import reads it twice: every line is checked before
	// any is recorded.
	Open func() (Lines, error)
	// Progress, when set, is told how far the import has got: every 10,000 lines while checking,
	// after every chunk while recording. It runs on the importing goroutine.
	Progress  func(Progress)
	Chunk     int // payments per transaction; 0 means DefaultChunk
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
	Done  int    // lines checked, or payments recorded (with those of an earlier, interrupted run)
	Total int    // payment lines in the file; 0 while checking
}

// Result is what an import did.
type Result struct {
	Import          *finapp.Import      // nil when the file was refused
	Recorded        int                 // payments this run recorded
	Skipped         int                 // payments an earlier, interrupted run had recorded; this run went on after them
	AlreadyImported bool                // the whole file had been imported before: nothing was recorded
	BadLines        int                 // lines refused; when there are any, nothing is recorded
	Errors          []*finapp.LineError // the first MaxErrors bad lines, in file order
}

func (r *Result) refuse(e *finapp.LineError, max int) {
	r.BadLines++
	if len(r.Errors) < max {
		r.Errors = append(r.Errors, e)
	}
}

// Payments records every payment line of a file exactly as RecordPayment records one payment —
// the same checks, the same row, the same balanced journal entry, audit event and outbox event —
// a chunk of payments per transaction, as the caller of ctx.
//
// It first checks every line. If any is bad it records nothing and returns EInvalid with the
// result's BadLines and Errors (line and column of each). A file imported before (the same
// bytes) records nothing again: the result says AlreadyImported. A file whose import was
// interrupted goes on after the payments already recorded (Skipped). Errors: EForbidden,
// EInvalid, EConflict (another run is importing the same file just now, or the file changed
// while it was imported), EUnavailable.
func Payments(ctx context.Context, svc *finapp.Service, in Import) (*Result, error) {
	if in.Chunk <= 0 {
		in.Chunk = DefaultChunk
	}
	if in.MaxErrors <= 0 {
		in.MaxErrors = DefaultMaxErrors
	}
	res := &Result{}
	lines, digest, err := check(ctx, svc, in, res)
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
		return res, finapp.Errorf(finapp.EInvalid, "the file has a header but no payment lines; nothing was imported")
	}
	imp, err := svc.StartImport(ctx, in.Name, digest, lines)
	if err != nil {
		return res, err
	}
	res.Import, res.Skipped = imp, imp.Done
	return res, record(ctx, svc, in, imp, res)
}

// check reads the whole file once, checking every line, and returns how many payment lines it
// has and its digest; bad lines go into res.
func check(ctx context.Context, svc *finapp.Service, in Import, res *Result) (int, string, error) {
	checker, err := svc.ImportChecker(ctx)
	if err != nil {
		return 0, "", err
	}
	r, err := in.Open()
	if err != nil {
		if le := finapp.LineErrorOf(1, err); le != nil {
			res.refuse(le, in.MaxErrors)
			return 0, "", finapp.Errorf(finapp.EInvalid, "the file cannot be read: %v; nothing was imported", le)
		}
		return 0, "", err
	}
	defer r.Close()
	n := 0
	for {
		l, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if le := finapp.LineErrorOf(0, err); le != nil {
				res.refuse(le, in.MaxErrors)
				continue
			}
			return n, "", err
		}
		n++
		if _, _, err := checker.Check(ctx, l); err != nil {
			le := finapp.LineErrorOf(l.Line, err)
			if le == nil {
				return n, "", err
			}
			res.refuse(le, in.MaxErrors)
		}
		if n%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return n, "", err
			}
			if in.Progress != nil {
				in.Progress(Progress{Phase: Checking, Done: n})
			}
		}
	}
	return n, r.Digest(), nil
}

// record reads the file a second time and records its payments after the imp.Done an earlier run
// recorded, one chunk per transaction: one goroutine reads, checks and builds chunks, this one
// writes them in order. Each line is checked again: a line that fails now, or a file whose
// digest changed, means the file was edited after it was checked.
func record(ctx context.Context, svc *finapp.Service, in Import, imp *finapp.Import, res *Result) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *finapp.ImportChunk) // one chunk built while one is written: memory stays flat
	built := make(chan error, 1)
	go func() {
		defer close(chunks)
		built <- buildChunks(ctx, svc, in, *imp, chunks)
	}()
	for ch := range chunks {
		if err := svc.WriteImportChunk(ctx, imp, ch); err != nil {
			cancel()
			for range chunks {
			}
			return err
		}
		res.Recorded += ch.Len()
		if in.Progress != nil {
			in.Progress(Progress{Phase: Recording, Done: imp.Done, Total: imp.Lines})
		}
	}
	err := <-built
	var changed fileChanged
	if errors.As(err, &changed) {
		return finapp.Errorf(finapp.EConflict, "the file changed while it was imported (%s): %d of its %d payments are recorded as import %s; "+
			"check them, and import the file again only once it no longer changes", changed.why, imp.Done, imp.Lines, imp.ID)
	}
	return err
}

// fileChanged is why a file read for recording is not the one that was checked.
type fileChanged struct{ why string }

func (e fileChanged) Error() string { return "the file changed: " + e.why }

// buildChunks reads the file and sends the payments after imp.Done, checked and built, in chunks.
// imp is the import as recording began (a copy: the writer moves the import on meanwhile). It
// returns why the file is not the one that was checked (fileChanged), why it stopped short (ctx
// ended), or nil when it sent every chunk.
func buildChunks(ctx context.Context, svc *finapp.Service, in Import, imp finapp.Import, out chan<- *finapp.ImportChunk) error {
	checker, err := svc.ImportChecker(ctx)
	if err != nil {
		return err
	}
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	var ch *finapp.ImportChunk
	send := func() bool {
		select {
		case out <- ch:
			ch = nil
			return true
		case <-ctx.Done():
			return false
		}
	}
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
			continue // recorded by an earlier run
		}
		if n > imp.Lines {
			return fileChanged{"it has more lines than when it was checked"}
		}
		p, org, err := checker.Check(ctx, l)
		if le := finapp.LineErrorOf(l.Line, err); le != nil {
			return fileChanged{le.Error()}
		}
		if err != nil {
			return err
		}
		if ch == nil {
			if ch, err = svc.NewImportChunk(ctx, imp.ID, n-1); err != nil {
				return err
			}
		}
		ch.Add(p, org, l.Line)
		if ch.Len() == in.Chunk && !send() {
			return ctx.Err()
		}
	}
	if ch != nil && !send() {
		return ctx.Err()
	}
	if n != imp.Lines || r.Digest() != imp.Digest {
		return fileChanged{"its content is not what was checked"}
	}
	return nil
}
