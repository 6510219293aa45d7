package finapp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// The books' side of importing a file of payments (`finapp import payments`, docs/import.md):
// what an import is, the rules each line is held to, and the use cases that start an import and
// record a chunk of it. Reading the file — twice, by its digest, in chunks, with progress — is
// the pipeline's (package intake), which calls these.

// PrefixImport starts the id of an import (imp_…).
const PrefixImport = "imp_"

// Import is one payment file being or having been imported. A file is known by the SHA-256 of its bytes: importing the same file again
// records nothing twice, and a run that was interrupted resumes after the last chunk it
// committed, because Done is saved in the same transaction as the chunk's payments.
type Import struct {
	ID          string
	Kind        string // what its lines hold: ImportPayments, ImportInvoices or ImportOrganizations
	Digest      string // SHA-256 of the file's bytes, hex
	Name        string // the file's name when it was first imported, for people
	Lines       int    // payment lines in the file
	Done        int    // payments recorded so far: those of the file's first Done payment lines
	CreatedBy   string
	CreatedAt   time.Time
	UpdatedAt   time.Time
	CompletedAt *time.Time
}

// Import kinds.
const (
	ImportPayments      = "payments"
	ImportInvoices      = "invoices"
	ImportOrganizations = "organizations"
)

// ImportLine is one payment line of an import file, its fields as written.
type ImportLine struct {
	Line    int // where the line starts in the file; the header is line 1
	Payment PaymentCreate
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

// LineErrorOf turns a refusal of line's content into a LineError; other errors (the database
// failing) are not the line's fault and come back as nil.
func LineErrorOf(line int, err error) *LineError {
	var le *LineError
	if errors.As(err, &le) {
		return le
	}
	var e *Error
	if errors.As(err, &e) && (e.Code == EInvalid || e.Code == EPeriodClosed) {
		return &LineError{Line: line, Field: e.Field, Message: e.Message}
	}
	return nil
}

// checkLine checks one line by RecordPayment's rules, plus the import's own: a date is required,
// because "today" would misdate every line of last month's statement.
func checkLine(l ImportLine, today string) (*Payment, error) {
	if strings.TrimSpace(l.Payment.ReceivedOn) == "" {
		return nil, Invalid("received_on", "is required in an import file (YYYY-MM-DD)")
	}
	return l.Payment.validate(today)
}

// ImportChecker holds the lines of an import file to RecordPayment's rules, remembering each
// organization it has looked up. One checker serves one pass over a file, on one goroutine.
type ImportChecker struct {
	s     *Service
	today string
	orgs  map[string]*Organization
	bad   map[string]error // organization id → why a line may not name it
	lock  lockDate         // as the check began; writing checks it again
}

// ImportChecker returns a checker for the caller's workspace. Errors: EForbidden (a role that
// may not record payments).
func (s *Service) ImportChecker(ctx context.Context) (*ImportChecker, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanWrite() {
		return nil, Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	c := &ImportChecker{s: s, today: s.today(ctx), orgs: map[string]*Organization{}, bad: map[string]error{}}
	err = s.read(ctx, func(tx Tx) (err error) { c.lock, err = lockDateOf(ctx, tx); return err })
	return c, err
}

// Check checks one line and returns the payment it records and the organization it is assigned
// to (nil for none). A refusal of the line is a *LineError naming its line and column; any
// other error is the database's.
func (c *ImportChecker) Check(ctx context.Context, l ImportLine) (*Payment, *Organization, error) {
	p, err := checkLine(l, c.today)
	if err == nil {
		err = c.lock.refuse("received_on", p.ReceivedOn, "a payment received on "+p.ReceivedOn)
	}
	if err != nil {
		if le := LineErrorOf(l.Line, err); le != nil {
			return nil, nil, le
		}
		return nil, nil, err
	}
	id := l.Payment.OrganizationID
	if id == "" {
		return p, nil, nil
	}
	if err := c.bad[id]; err != nil {
		return nil, nil, LineErrorOf(l.Line, err)
	}
	org := c.orgs[id]
	if org == nil {
		// As for RecordPayment, the organization must exist.
		err := c.s.read(ctx, func(tx Tx) error {
			var err error
			org, err = tx.Organization(ctx, id)
			return asField(err, "organization_id")
		})
		if le := LineErrorOf(l.Line, err); le != nil {
			c.bad[id] = err
			return nil, nil, le
		}
		if err != nil {
			return nil, nil, err
		}
		c.orgs[id] = org
	}
	return p, org, nil
}

// FindImport returns the import of the file with digest, or nil if there is none.
func (s *Service) FindImport(ctx context.Context, digest string) (*Import, error) {
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

// StartImport returns the unfinished import of the file with digest, or starts one of lines
// lines of kind. Errors: EForbidden, EConflict (the same file imported as another kind, another
// count of its lines, or another run starting it just now).
func (s *Service) StartImport(ctx context.Context, kind, name, digest string, lines int) (*Import, error) {
	var imp *Import
	err := s.write(ctx, func(tx Tx, c *changes) error {
		found, err := tx.ImportByDigest(ctx, digest)
		switch {
		case err == nil && found.Kind != kind:
			return Errorf(EConflict, "import %s took this file as %s, not %s", found.ID, found.Kind, kind)
		case err == nil && found.Lines != lines:
			return Errorf(EConflict, "import %s of this file counted %d payment lines, not %d", found.ID, found.Lines, lines)
		case err == nil:
			imp = found
			return nil
		case ErrorCode(err) != ENotFound:
			return err
		}
		imp = &Import{ID: NewID(PrefixImport), Kind: kind, Digest: digest, Name: name, Lines: lines, CreatedBy: c.actor, CreatedAt: c.now, UpdatedAt: c.now}
		c.record("import.started", "import", imp.ID, nil, importSnapshot(imp))
		return tx.CreateImport(ctx, imp)
	})
	if ErrorCode(err) == EDuplicate {
		return nil, Errorf(EConflict, "another run started importing this file just now; let it finish")
	}
	return imp, err
}

// ImportChunk is a chunk of an import's payments ready to be written, with what each posts,
// records and announces: it is built outside the transaction, so that building the next chunk
// can overlap with writing this one.
type ImportChunk struct {
	importID string
	start    int // payments of the file recorded before this chunk
	payments []*Payment
	orgs     []string // the organizations the payments are assigned to, each once
	c        *changes
}

// NewImportChunk starts a chunk of the payments of the import importID that follows the first
// start of them. Errors: EForbidden.
func (s *Service) NewImportChunk(ctx context.Context, importID string, start int) (*ImportChunk, error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	return &ImportChunk{importID: importID, start: start, c: newChanges(s.Now().UTC(), a)}, nil
}

// Add records p, from the file's line, as a payment of the chunk exactly as RecordPayment
// would (recordPayment), assigned to org when not nil; its audit event names the line.
func (ch *ImportChunk) Add(p *Payment, org *Organization, line int) {
	if org != nil && !slices.Contains(ch.orgs, org.ID) {
		ch.orgs = append(ch.orgs, org.ID)
	}
	ch.c.recordPayment(p, org, fmt.Sprintf("import %s line %d", ch.importID, line))
	ch.payments = append(ch.payments, p)
}

// Len is how many payments the chunk holds.
func (ch *ImportChunk) Len() int { return len(ch.payments) }

// WriteImportChunk writes one chunk of imp in one transaction and moves imp on by as many
// payments in the same transaction; imp is updated once that committed. Errors: EConflict
// (another run is importing the same file), EInvalid (an organization has gone), EUnavailable.
func (s *Service) WriteImportChunk(ctx context.Context, imp *Import, ch *ImportChunk) error {
	return s.writeImportChunk(ctx, imp, ch.start, len(ch.payments), ch.c, func(tx Tx, c *changes) error {
		for _, id := range ch.orgs {
			if _, err := tx.Organization(ctx, id); err != nil {
				return asField(err, "organization_id")
			}
		}
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		for _, p := range ch.payments {
			if err := lock.refuse("received_on", p.ReceivedOn, "a payment received on "+p.ReceivedOn); err != nil {
				return err
			}
		}
		return tx.CreatePayments(ctx, ch.payments)
	})
}

// writeImportChunk writes the n lines of imp after its first start in one transaction: write
// writes them and adds to c what they post, record and announce; imp moves on by n in the same
// transaction and is updated once that committed. c, when not nil, holds what was built before
// the transaction. Errors: EConflict (another run is importing the same file), those of write.
func (s *Service) writeImportChunk(ctx context.Context, imp *Import, start, n int, built *changes, write func(Tx, *changes) error) error {
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	if !a.CanWrite() {
		return Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	var saved Import
	// A bulk write: every row its lines refer to (the organizations, the invoices corrected)
	// was found by the import's checks, and none of them is ever deleted. The import's last
	// write is an ordinary one: it makes every chunk before it durable too (Store.UpdateBulk).
	update := s.Store.UpdateBulk
	if n > 0 && start+n == imp.Lines {
		update = s.Store.Update
	}
	err = update(ctx, a.WorkspaceID, func(tx Tx) error {
		cur, err := tx.ImportByDigest(ctx, imp.Digest)
		if err != nil {
			return err
		}
		if cur.Done != start {
			return Errorf(EConflict, "another run is importing this file too (import %s is at line %d of %d, this run at %d); let it finish",
				cur.ID, cur.Done, cur.Lines, start)
		}
		// The store may run this function again: what it adds to c must not stick.
		c := newChanges(s.Now().UTC(), a)
		if built != nil {
			c = new(changes)
			*c = *built
			c.audit = slices.Clip(c.audit)
		}
		if err := write(tx, c); err != nil {
			return err
		}
		cur.Done += n
		if n > 0 {
			cur.UpdatedAt = c.now
		}
		switch {
		case cur.Done == cur.Lines:
			at := c.now
			cur.CompletedAt = &at
			c.record("import.completed", "import", cur.ID, nil, importSnapshot(cur))
		case cur.Kind != ImportPayments && n > 0:
			// An upsert may change nothing and so leave no other trace of its lines: the trail
			// says how far the import got (payment lines each leave a payment.recorded).
			c.record("import.progressed", "import", cur.ID, nil, importSnapshot(cur))
		}
		if err := c.save(ctx, tx); err != nil {
			return err
		}
		if n == 0 { // a transaction inside a window: the import moves on with the window's last
			saved = *imp
			return nil
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
	return map[string]any{"id": imp.ID, "kind": imp.Kind, "name": imp.Name, "sha256": imp.Digest, "lines": imp.Lines, "done": imp.Done}
}
