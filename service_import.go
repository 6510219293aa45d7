package finapp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// PrefixImport starts the id of an import (imp_…).
const PrefixImport = "imp_"

// Defaults of a PaymentImport.
const (
	// DefaultImportChunk is how many payments one transaction of an import records: enough that
	// the cost of a commit (one fsync) is spread thin, few enough that the server's own writes
	// wait only a moment for the database between two chunks.
	DefaultImportChunk = 5000
	// DefaultImportMaxErrors is how many bad lines an import reports; it counts them all.
	DefaultImportMaxErrors = 100
)

// Import is one payment file being or having been imported (`finapp import payments`,
// docs/import.md). A file is known by the SHA-256 of its bytes: importing the same file again
// records nothing twice, and a run that was interrupted resumes after the last chunk it
// committed, because Done is saved in the same transaction as the chunk's payments.
type Import struct {
	ID          string
	Digest      string // SHA-256 of the file's bytes, hex
	Name        string // the file's name when it was first imported, for people
	Lines       int    // payment lines in the file
	Done        int    // payments recorded so far: those of the file's first Done payment lines
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// ImportLine is one payment line of an import file, its fields as written.
type ImportLine struct {
	Line    int // where the line starts in the file; the header is line 1
	Payment PaymentCreate
}

// PaymentLines reads the payment lines of one import file, in file order. A file format (CSV:
// package paymentcsv) implements it; the rules stay here.
type PaymentLines interface {
	// Next returns the next line, or io.EOF after the last one. A line the format cannot read
	// (a wrong number of fields, broken quoting, bytes that are not UTF-8) comes back as a
	// *LineError and reading may go on; any other error ends the file.
	Next() (ImportLine, error)
	// Digest is the SHA-256 (hex) of every byte read so far: after io.EOF, the file's.
	Digest() string
	Close() error
}

// LineError is what is wrong with one line of an import file: its line number (the header is
// line 1) and the column at fault ("" when the line as a whole is), as a spreadsheet shows them.
type LineError struct {
	Line    int
	Field   string
	Message string
}

func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("line %d, %s: %s", e.Line, e.Field, e.Message)
	}
	return fmt.Sprintf("line %d: %s", e.Line, e.Message)
}

// PaymentImport asks for a file of payments to be imported.
type PaymentImport struct {
	Name string // the file's name, for people
	// Open reads the file from its start. The import reads it twice: every line is checked before
	// any is recorded.
	Open func() (PaymentLines, error)
	// Progress, when set, is told how far the import has got: every 10,000 lines while checking,
	// after every chunk while recording. It runs on the importing goroutine.
	Progress  func(ImportProgress)
	Chunk     int // payments per transaction; 0 means DefaultImportChunk
	MaxErrors int // bad lines to report; 0 means DefaultImportMaxErrors
}

// Import phases, as ImportProgress reports them.
const (
	ImportChecking  = "checking"
	ImportRecording = "recording"
)

// ImportProgress is how far an import has got.
type ImportProgress struct {
	Phase string // ImportChecking or ImportRecording
	Done  int    // lines checked, or payments recorded (with those of an earlier, interrupted run)
	Total int    // payment lines in the file; 0 while checking
}

// ImportResult is what an import did.
type ImportResult struct {
	Import          *Import      // nil when the file was refused
	Recorded        int          // payments this run recorded
	Skipped         int          // payments an earlier, interrupted run had recorded; this run went on after them
	AlreadyImported bool         // the whole file had been imported before: nothing was recorded
	BadLines        int          // lines refused; when there are any, nothing is recorded
	Errors          []*LineError // the first MaxErrors bad lines, in file order
}

func (r *ImportResult) refuse(e *LineError, max int) {
	r.BadLines++
	if len(r.Errors) < max {
		r.Errors = append(r.Errors, e)
	}
}

// ImportPayments records every payment line of a file exactly as RecordPayment records one
// payment — the same checks, the same row, the same balanced journal entry, audit event and
// outbox event — a chunk of payments per transaction.
//
// It first checks every line. If any is bad it records nothing and returns EInvalid with the
// result's BadLines and Errors (line and column of each). A file imported before (the same
// bytes) records nothing again: the result says AlreadyImported. A file whose import was
// interrupted goes on after the payments already recorded (Skipped). Errors: EForbidden,
// EInvalid, EConflict (another run is importing the same file just now), EUnavailable.
func (s *Service) ImportPayments(ctx context.Context, in PaymentImport) (*ImportResult, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanWrite() {
		return nil, Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	if in.Chunk <= 0 {
		in.Chunk = DefaultImportChunk
	}
	if in.MaxErrors <= 0 {
		in.MaxErrors = DefaultImportMaxErrors
	}
	res := &ImportResult{}
	lines, digest, err := s.checkImport(ctx, in, res)
	if err != nil {
		return res, err
	}
	prior, err := s.findImport(ctx, digest)
	if err != nil {
		return res, err
	}
	if prior != nil && prior.CompletedAt != nil {
		res.Import, res.AlreadyImported = prior, true
		return res, nil
	}
	switch {
	case res.BadLines > 0:
		return res, Errorf(EInvalid, "%d of the file's lines are invalid; nothing was imported", res.BadLines)
	case lines == 0:
		return res, Errorf(EInvalid, "the file has a header but no payment lines; nothing was imported")
	}
	imp, err := s.startImport(ctx, in.Name, digest, lines)
	if err != nil {
		return res, err
	}
	res.Import, res.Skipped = imp, imp.Done
	return res, s.recordImport(ctx, in, imp, res)
}

// checkLine checks one line by RecordPayment's rules, plus the import's own: a date is required,
// because "today" would misdate every line of last month's statement.
func checkLine(l ImportLine, today string) (*Payment, error) {
	if strings.TrimSpace(l.Payment.ReceivedOn) == "" {
		return nil, Invalid("received_on", "is required in an import file (YYYY-MM-DD)")
	}
	return l.Payment.validate(today)
}

// asLineError turns a refusal of line's content into a LineError; other errors (the database
// failing) are not the line's fault and come back as nil.
func asLineError(line int, err error) *LineError {
	var le *LineError
	if errors.As(err, &le) {
		return le
	}
	var e *Error
	if errors.As(err, &e) && e.Code == EInvalid {
		return &LineError{Line: line, Field: e.Field, Message: e.Message}
	}
	return nil
}

// checkImport reads the whole file once, checking every line, and returns how many payment lines
// it has and its digest; bad lines go into res.
func (s *Service) checkImport(ctx context.Context, in PaymentImport, res *ImportResult) (int, string, error) {
	r, err := in.Open()
	if err != nil {
		if le := asLineError(1, err); le != nil {
			res.refuse(le, in.MaxErrors)
			return 0, "", Errorf(EInvalid, "the file cannot be read: %v; nothing was imported", le)
		}
		return 0, "", err
	}
	defer r.Close()
	today := s.today()
	orgs := map[string]error{} // organization id → why it cannot be assigned (nil: it can)
	n := 0
	for {
		l, err := r.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if le := asLineError(0, err); le != nil {
				res.refuse(le, in.MaxErrors)
				continue
			}
			return n, "", err
		}
		n++
		if _, err := checkLine(l, today); err != nil {
			le := asLineError(l.Line, err)
			if le == nil {
				return n, "", err
			}
			res.refuse(le, in.MaxErrors)
		} else if id := l.Payment.OrganizationID; id != "" {
			bad, seen := orgs[id]
			if !seen {
				if bad = s.checkOrganization(ctx, id); bad != nil && asLineError(l.Line, bad) == nil {
					return n, "", bad
				}
				orgs[id] = bad
			}
			if bad != nil {
				res.refuse(asLineError(l.Line, bad), in.MaxErrors)
			}
		}
		if n%10000 == 0 {
			if err := ctx.Err(); err != nil {
				return n, "", err
			}
			if in.Progress != nil {
				in.Progress(ImportProgress{Phase: ImportChecking, Done: n})
			}
		}
	}
	return n, r.Digest(), nil
}

// checkOrganization reports whether a line may name organization id: it must exist, as for
// RecordPayment. A refusal is EInvalid on organization_id.
func (s *Service) checkOrganization(ctx context.Context, id string) error {
	return s.read(ctx, func(tx Tx) error {
		_, err := tx.Organization(ctx, id)
		return asField(err, "organization_id")
	})
}

// findImport returns the import of the file with digest, or nil if there is none.
func (s *Service) findImport(ctx context.Context, digest string) (*Import, error) {
	var imp *Import
	err := s.read(ctx, func(tx Tx) error {
		var err error
		imp, err = tx.ImportByDigest(ctx, digest)
		if ErrorCode(err) == ENotFound {
			imp, err = nil, nil
		}
		return err
	})
	return imp, err
}

// startImport returns the unfinished import of the file with digest, or starts one.
func (s *Service) startImport(ctx context.Context, name, digest string, lines int) (*Import, error) {
	var imp *Import
	err := s.write(ctx, func(tx Tx, c *changes) error {
		found, err := tx.ImportByDigest(ctx, digest)
		switch {
		case err == nil && found.Lines != lines:
			return Errorf(EConflict, "import %s of this file counted %d payment lines, not %d", found.ID, found.Lines, lines)
		case err == nil:
			imp = found
			return nil
		case ErrorCode(err) != ENotFound:
			return err
		}
		imp = &Import{ID: NewID(PrefixImport), Digest: digest, Name: name, Lines: lines, CreatedBy: c.actor, CreatedAt: c.now, UpdatedAt: c.now}
		c.record("import.started", "import", imp.ID, nil, importSnapshot(imp))
		return tx.CreateImport(ctx, imp)
	})
	if ErrorCode(err) == EDuplicate {
		return nil, Errorf(EConflict, "another run started importing this file just now; let it finish")
	}
	return imp, err
}

// importChunk is a chunk of payments ready to be written, with what each posts, records and
// announces: it is built outside the transaction, so that building the next chunk overlaps with
// writing this one.
type importChunk struct {
	start    int // payments of the file recorded before this chunk
	payments []*Payment
	orgs     []string // the organizations the payments are assigned to, each once
	c        *changes
}

// recordImport reads the file a second time and records its payments after the imp.Done an
// earlier run recorded, one chunk per transaction: one goroutine reads, checks and builds
// chunks, this one writes them in order. Each line is checked again: a line that fails now, or
// a file whose digest changed, means the file was edited after it was checked.
func (s *Service) recordImport(ctx context.Context, in PaymentImport, imp *Import, res *ImportResult) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	chunks := make(chan *importChunk) // one chunk built while one is written: memory stays flat
	built := make(chan error, 1)
	go func() {
		defer close(chunks)
		built <- s.buildChunks(ctx, in, *imp, a, chunks)
	}()
	for ch := range chunks {
		if err := s.writeChunk(ctx, a, imp, ch); err != nil {
			cancel()
			for range chunks {
			}
			return err
		}
		res.Recorded += len(ch.payments)
		if in.Progress != nil {
			in.Progress(ImportProgress{Phase: ImportRecording, Done: imp.Done, Total: imp.Lines})
		}
	}
	err = <-built
	var changed fileChanged
	if errors.As(err, &changed) {
		return Errorf(EConflict, "the file changed while it was imported (%s): %d of its %d payments are recorded as import %s; "+
			"check them, and import the file again only once it no longer changes", changed.why, imp.Done, imp.Lines, imp.ID)
	}
	return err
}

// fileChanged is why a file read for recording is not the one that was checked.
type fileChanged struct{ why string }

func (e fileChanged) Error() string { return "the file changed: " + e.why }

// buildChunks reads the file and sends the payments after imp.Done, checked and built, in chunks.
// It returns why the file is not the one that was checked (fileChanged), why it stopped short
// (ctx ended), or nil when it sent every chunk.
func (s *Service) buildChunks(ctx context.Context, in PaymentImport, imp Import, a Actor, out chan<- *importChunk) error {
	r, err := in.Open()
	if err != nil {
		return err
	}
	defer r.Close()
	today := s.today()
	orgs := map[string]*Organization{}
	var ch *importChunk
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
		if le := asLineError(0, err); le != nil {
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
		p, err := checkLine(l, today)
		if err != nil {
			return fileChanged{asLineError(l.Line, err).Error()}
		}
		if ch == nil {
			ch = &importChunk{start: n - 1, c: newChanges(s.Now().UTC(), a)}
		}
		var org *Organization
		if id := l.Payment.OrganizationID; id != "" {
			if org = orgs[id]; org == nil {
				if err := s.read(ctx, func(tx Tx) error { org, err = tx.Organization(ctx, id); return err }); err != nil {
					if le := asLineError(l.Line, asField(err, "organization_id")); le != nil {
						return fileChanged{le.Error()}
					}
					return err
				}
				orgs[id] = org
			}
			if !slices.Contains(ch.orgs, id) {
				ch.orgs = append(ch.orgs, id)
			}
		}
		ch.add(p, org, fmt.Sprintf("import %s line %d", imp.ID, l.Line))
		if len(ch.payments) == in.Chunk && !send() {
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

// add records p as a payment of the chunk (recordPayment), assigned to org when not nil; its
// audit event names the file line it came from.
func (ch *importChunk) add(p *Payment, org *Organization, source string) {
	ch.c.recordPayment(p, org, source)
	ch.payments = append(ch.payments, p)
}

// writeChunk writes one chunk in one transaction and moves the import on by as many payments in
// the same transaction; imp is updated once that committed.
func (s *Service) writeChunk(ctx context.Context, a Actor, imp *Import, ch *importChunk) error {
	var saved Import
	err := s.Store.Update(ctx, a.WorkspaceID, func(tx Tx) error {
		cur, err := tx.ImportByDigest(ctx, imp.Digest)
		if err != nil {
			return err
		}
		if cur.Done != ch.start {
			return Errorf(EConflict, "another run is importing this file too (import %s is at payment %d of %d, this run at %d); let it finish",
				cur.ID, cur.Done, cur.Lines, ch.start)
		}
		for _, id := range ch.orgs {
			if _, err := tx.Organization(ctx, id); err != nil {
				return asField(err, "organization_id")
			}
		}
		if err := tx.CreatePayments(ctx, ch.payments); err != nil {
			return err
		}
		c := *ch.c // the store may run this function again: what it adds must not stick
		c.audit = slices.Clip(c.audit)
		cur.Done += len(ch.payments)
		cur.UpdatedAt = c.now
		if cur.Done == cur.Lines {
			at := c.now
			cur.CompletedAt = &at
			c.record("import.completed", "import", cur.ID, nil, importSnapshot(cur))
		}
		if err := c.save(ctx, tx); err != nil {
			return err
		}
		saved = *cur
		return tx.UpdateImport(ctx, cur)
	})
	if err == nil {
		*imp = saved
	}
	return err
}

// importSnapshot is how an import appears in the audit trail.
func importSnapshot(imp *Import) map[string]any {
	return map[string]any{"id": imp.ID, "name": imp.Name, "sha256": imp.Digest, "lines": imp.Lines, "done": imp.Done}
}
