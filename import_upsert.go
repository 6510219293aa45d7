package finapp

import (
	"context"
	"fmt"
	"hash/maphash"
	"slices"
	"strings"
	"sync"
)

// The books' side of importing a file of invoices or organizations from a billing system
// (`finapp import invoices|organizations`, docs/import.md). Each line is an upsert by external id,
// held to exactly the rules of a batch (UpsertInvoices, UpsertOrganizations), and the file is all
// or nothing: every line is checked, a thousand at a time, before any is written. Reading the
// file, chunking, resuming and progress are the pipeline's (package intake), as for payments.

// InvoiceImportLine is one invoice line of an import file, its fields as written.
type InvoiceImportLine struct {
	Line    int // where the line starts in the file
	Invoice InvoiceUpsert
}

// OrganizationImportLine is one organization line of an import file, its fields as written.
type OrganizationImportLine struct {
	Line         int
	Organization OrganizationUpsert
}

// UpsertTally counts what an import's lines did.
type UpsertTally struct {
	Created, Updated, Unchanged int
}

// Add adds o's counts to t.
func (t *UpsertTally) Add(o UpsertTally) {
	t.Created, t.Updated, t.Unchanged = t.Created+o.Created, t.Updated+o.Updated, t.Unchanged+o.Unchanged
}

func (t *UpsertTally) count(outcome string) {
	switch outcome {
	case UpsertCreated:
		t.Created++
	case UpsertUpdated:
		t.Updated++
	default:
		t.Unchanged++
	}
}

// UpsertImporter checks and writes the lines of one file of invoices or organizations (L is
// InvoiceImportLine or OrganizationImportLine). One importer serves one import, on one goroutine
// at a time: checking remembers every line's keys, so that two lines of the file, however far
// apart, cannot claim the same external id or invoice number.
type UpsertImporter[L any] struct {
	s     *Service
	today string
	orgs  orgCache
	kind  upsertKind[L]
	keys  []lineKey    // a hash of each key a checked line claims, with its line and what key it is
	bad   map[int]bool // the lines Check refused
	known lineSet      // the lines Check found a row of the books for (an invoice to correct)
	// planning makes one plan at a time: Write plans a transaction ahead, on another goroutine.
	planning sync.Mutex
	seed     maphash.Seed
}

// lineSet is a set of line numbers, a bit each: a file of a million lines takes 125 KB.
type lineSet []uint64

func (s *lineSet) add(line int) {
	for line/64 >= len(*s) {
		*s = append(*s, 0)
	}
	(*s)[line/64] |= 1 << (line % 64)
}

func (s lineSet) has(line int) bool { return line/64 < len(s) && s[line/64]&(1<<(line%64)) != 0 }

// linePlan is what upsertKind.plan made of some lines.
type linePlan struct {
	refused []ItemRefusal
	known   []int // the lines (indexes into those planned) that change a row the books hold
	apply   func(Tx, *changes) (UpsertTally, error)
}

// lineKey is a key a line claims, hashed: 16 bytes a key, so that a file of a million lines
// can be checked for duplicates without holding its text. Two different keys share a hash with a
// chance of about one in 10^7 for a million keys; such a pair is reported as a duplicate, and
// the message names both lines, so a person sees it is not.
type lineKey struct {
	hash uint64
	line int32
	what int32 // index into upsertKind.keyNames
}

// upsertKind is what differs between invoices and organizations.
type upsertKind[L any] struct {
	noun     string   // "invoice"
	keyNames []string // the keys a line claims: "external_id", "number"
	line     func(L) int
	// keys are what l claims, in keyNames order ("" for none).
	keys func(l L) []string
	// group, if set, is what a window's lines are grouped by before they are written (Write).
	group func(l L) string
	// plan checks lines against the books as tx sees them; name names another line. assumeNew
	// (only asked where assumesNew) is planInvoiceUpserts's: Check found no row for any line.
	plan func(ctx context.Context, im *UpsertImporter[L], tx Tx, lines []L, name func(int) string, assumeNew bool) (linePlan, error)
	// assumesNew: a transaction whose lines Check found all new is planned without reading
	// what they claim again (writeTx), the store's unique indexes guarding it.
	assumesNew bool
}

// InvoiceImporter returns an importer of invoice lines for the caller's workspace. Errors:
// EForbidden (a role that may not write).
func (s *Service) InvoiceImporter(ctx context.Context) (*UpsertImporter[InvoiceImportLine], error) {
	return newUpsertImporter(ctx, s, upsertKind[InvoiceImportLine]{
		noun: "invoice", keyNames: []string{"external_id", "number"},
		line: func(l InvoiceImportLine) int { return l.Line },
		keys: func(l InvoiceImportLine) []string {
			return []string{l.Invoice.ExternalID, strings.TrimSpace(l.Invoice.Number)}
		},
		// Three of the invoices' indexes and the receivables' journal lines lead with the
		// customer, whichever way the line names it.
		group: func(l InvoiceImportLine) string {
			return l.Invoice.OrganizationID + "\x00" + l.Invoice.OrganizationExternalID
		},
		plan: func(ctx context.Context, im *UpsertImporter[InvoiceImportLine], tx Tx, lines []InvoiceImportLine, name func(int) string, assumeNew bool) (linePlan, error) {
			items := make([]InvoiceUpsert, len(lines))
			for i, l := range lines {
				items[i] = l.Invoice
			}
			planned, refused, err := planInvoiceUpserts(ctx, tx, items, im.today, im.orgs, name, assumeNew)
			var known []int
			for i, pl := range planned {
				if pl.Before != nil {
					known = append(known, i)
				}
			}
			return linePlan{refused: refused, known: known, apply: func(tx Tx, c *changes) (UpsertTally, error) {
				var t UpsertTally
				results, err := applyInvoiceUpserts(ctx, tx, c, planned)
				for _, r := range results {
					t.count(r.Outcome)
				}
				return t, err
			}}, err
		},
		assumesNew: true,
	})
}

// OrganizationImporter returns an importer of organization lines for the caller's workspace.
// Errors: EForbidden.
func (s *Service) OrganizationImporter(ctx context.Context) (*UpsertImporter[OrganizationImportLine], error) {
	return newUpsertImporter(ctx, s, upsertKind[OrganizationImportLine]{
		noun: "organization", keyNames: []string{"external_id"},
		line: func(l OrganizationImportLine) int { return l.Line },
		keys: func(l OrganizationImportLine) []string { return []string{l.Organization.ExternalID} },
		plan: func(ctx context.Context, im *UpsertImporter[OrganizationImportLine], tx Tx, lines []OrganizationImportLine, name func(int) string, _ bool) (linePlan, error) {
			items := make([]OrganizationUpsert, len(lines))
			for i, l := range lines {
				items[i] = l.Organization
			}
			planned, refused, err := planOrganizationUpserts(ctx, tx, items, name)
			return linePlan{refused: refused, apply: func(tx Tx, c *changes) (UpsertTally, error) {
				var t UpsertTally
				results, err := applyOrganizationUpserts(ctx, tx, c, planned)
				for _, r := range results {
					t.count(r.Outcome)
				}
				return t, err
			}}, err
		},
	})
}

func newUpsertImporter[L any](ctx context.Context, s *Service, kind upsertKind[L]) (*UpsertImporter[L], error) {
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanWrite() {
		return nil, Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	return &UpsertImporter[L]{s: s, today: s.today(ctx), orgs: orgCache{}, kind: kind, seed: maphash.MakeSeed(), bad: map[int]bool{}}, nil
}

// lineName names the i-th of lines for a person: "line 57".
func (im *UpsertImporter[L]) lineName(lines []L) func(int) string {
	return func(i int) string { return fmt.Sprintf("line %d", im.kind.line(lines[i])) }
}

// Check checks lines, which follow those checked before in the file, against the books without
// writing, and returns a *LineError for each bad one. Any error is the database's.
func (im *UpsertImporter[L]) Check(ctx context.Context, lines []L) ([]*LineError, error) {
	var plan linePlan
	err := im.s.read(ctx, func(tx Tx) error {
		var err error
		plan, err = im.plan(ctx, tx, lines, false)
		return err
	})
	if err != nil {
		return nil, err
	}
	refused := plan.refused
	for _, i := range plan.known {
		im.known.add(im.kind.line(lines[i]))
	}
	for _, l := range lines {
		for what, k := range im.kind.keys(l) {
			if k != "" {
				im.keys = append(im.keys, lineKey{hash: maphash.String(im.seed, k), line: int32(im.kind.line(l)), what: int32(what)})
			}
		}
	}
	bad := make([]*LineError, len(refused))
	for n, r := range refused {
		bad[n] = &LineError{Line: im.kind.line(lines[r.Index]), Field: r.Err.Field, Message: r.Err.Message}
		im.bad[bad[n].Line] = true
	}
	return bad, nil
}

// Duplicates are the lines, among all checked and not refused by Check, that claim a key an
// earlier line claims: each such line once, in file order.
func (im *UpsertImporter[L]) Duplicates() []*LineError {
	keys := im.keys // checking is over: sorted in place
	slices.SortFunc(keys, func(a, b lineKey) int {
		if a.what != b.what {
			return int(a.what - b.what)
		}
		if a.hash != b.hash {
			if a.hash < b.hash {
				return -1
			}
			return 1
		}
		return int(a.line - b.line)
	})
	var dups []*LineError
	first := 0 // where the run of keys equal to keys[i] begins: its earliest line
	for i := 1; i < len(keys); i++ {
		if keys[i].what != keys[first].what || keys[i].hash != keys[first].hash {
			first = i
			continue
		}
		if !im.bad[int(keys[i].line)] {
			name := im.kind.keyNames[keys[i].what]
			dups = append(dups, &LineError{Line: int(keys[i].line), Field: name,
				Message: fmt.Sprintf("is also line %d's: an %s's %s appears once in a file", keys[first].line, im.kind.noun, name)})
		}
	}
	slices.SortStableFunc(dups, func(a, b *LineError) int { return a.Line - b.Line })
	return slices.CompactFunc(dups, func(a, b *LineError) bool { return a.Line == b.Line })
}

// grouped returns a window's lines in the order Write writes them: grouped (upsertKind.group), in
// file order within a group. The lines of a window are independent (Check refused any two that
// claim one key), so grouping them changes no outcome; it makes each transaction touch the index
// pages of its own few customers, so that a customer's pages are written once a window instead
// of once a transaction. The pipeline groups the next window while this one is written.
func (im *UpsertImporter[L]) grouped(lines []L) []L {
	if im.kind.group == nil {
		return lines
	}
	type keyed struct {
		group string
		line  int
		l     L
	}
	ks := make([]keyed, len(lines))
	for i, l := range lines {
		ks[i] = keyed{im.kind.group(l), im.kind.line(l), l}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.group, b.group); c != 0 {
			return c
		}
		return a.line - b.line
	})
	out := make([]L, len(lines))
	for i, k := range ks {
		out[i] = k.l
	}
	return out
}

// UpsertWindow is a window of a file's lines made ready for Write: grouped, and the plan of its
// first transaction under way.
type UpsertWindow[L any] struct {
	lines []L
	perTx int
	first <-chan preparedLines
}

// Window groups lines, the next window of the file (grouped), for transactions of at most perTx
// lines each, and starts planning the first of them (prepare): the pipeline makes the next window
// while this one is written, so that the writer finds its first transaction planned too.
func (im *UpsertImporter[L]) Window(ctx context.Context, lines []L, perTx int) *UpsertWindow[L] {
	if perTx <= 0 {
		perTx = len(lines)
	}
	w := &UpsertWindow[L]{lines: im.grouped(lines), perTx: perTx}
	w.first = im.prepareAhead(ctx, w.lines[:min(perTx, len(w.lines))])
	return w
}

// prepareAhead runs prepare on another goroutine; its plan comes on the channel.
func (im *UpsertImporter[L]) prepareAhead(ctx context.Context, lines []L) <-chan preparedLines {
	ahead := make(chan preparedLines, 1)
	go func() { ahead <- im.prepare(ctx, lines) }()
	return ahead
}

// Write writes w, the window of imp that follows its first start lines, in transactions of at
// most w.perTx lines each, as batches of the same lines would be written, and moves imp on by
// all of them once the last has committed; written, if set, is told after each transaction how
// many of the window's lines are written. A line refused now that passed Check means the books
// changed since (another writer), and nothing of that transaction is written. Each transaction's
// lines are planned on the read pool while the one before is written (prepare), so that the one
// writer only writes.
//
// Until the window's last transaction commits the import stays at start, so an interrupted
// window is written again from its first line by the next run, and what it had already written
// comes out unchanged. Errors: EConflict, EUnavailable.
func (im *UpsertImporter[L]) Write(ctx context.Context, imp *Import, start int, w *UpsertWindow[L], written func(int)) (UpsertTally, error) {
	lines, perTx, ahead := w.lines, w.perTx, w.first
	var tally UpsertTally
	for from := 0; from < len(lines); from += perTx {
		pre := <-ahead
		to := min(from+perTx, len(lines))
		ahead = nil
		if to < len(lines) {
			ahead = im.prepareAhead(ctx, lines[to:min(to+perTx, len(lines))])
		}
		moved := 0
		if to == len(lines) {
			moved = len(lines)
		}
		err := ctx.Err()
		var t UpsertTally
		if err == nil {
			t, err = im.writeTx(ctx, imp, start, moved, lines[from:to], pre)
		}
		if err != nil {
			if ahead != nil {
				<-ahead // this window's plans end with it; the next window's (Window) ends alone
			}
			return tally, err
		}
		tally.Add(t)
		if written != nil {
			written(to)
		}
	}
	return tally, nil
}

// preparedLines is a transaction's lines planned before the transaction (prepare); plan is nil
// when they are to be planned in it.
type preparedLines struct {
	plan *linePlan
	lock lockDate // the lock date the plan was made under
}

// prepare plans lines that Check found all new, in a read transaction and with nothing read
// again but the lock date and the customers, which are never deleted: the write's transaction
// then only checks that the lock date is the same (writePlanned). Other lines, and lines whose
// plan failed to read, are planned in the write's transaction.
func (im *UpsertImporter[L]) prepare(ctx context.Context, lines []L) preparedLines {
	if !im.newLines(lines) {
		return preparedLines{}
	}
	var pre preparedLines
	err := im.s.read(ctx, func(tx Tx) error {
		lock, err := lockDateOf(ctx, tx)
		if err != nil {
			return err
		}
		plan, err := im.plan(ctx, tx, lines, true)
		if err != nil {
			return err
		}
		pre = preparedLines{plan: &plan, lock: lock}
		return nil
	})
	if err != nil {
		return preparedLines{}
	}
	return pre
}

// newLines reports whether lines may be planned as new without reading what they claim: the
// kind allows it and Check found no row of the books for any of them.
func (im *UpsertImporter[L]) newLines(lines []L) bool {
	return im.kind.assumesNew && !slices.ContainsFunc(lines, func(l L) bool { return im.known.has(im.kind.line(l)) })
}

// plan is upsertKind.plan, one at a time: the plans share the importer's customer cache.
func (im *UpsertImporter[L]) plan(ctx context.Context, tx Tx, lines []L, assumeNew bool) (linePlan, error) {
	im.planning.Lock()
	defer im.planning.Unlock()
	return im.kind.plan(ctx, im, tx, lines, im.lineName(lines), assumeNew)
}

// writeTx writes lines in one transaction and moves imp on by moved lines; pre is their plan if
// prepare made one.
//
// When Check found every line new (and the kind allows it), the transaction does not read again
// what the lines claim: half the look-ups of a fresh import, made on the one writer. If another
// writer took one of their external ids or numbers since, the store's unique index refuses the
// write (EConflict) and nothing of it is written; the lines are then planned again in full, in
// a new transaction, which says which line it is or corrects the invoice the other writer made.
func (im *UpsertImporter[L]) writeTx(ctx context.Context, imp *Import, start, moved int, lines []L, pre preparedLines) (UpsertTally, error) {
	assumeNew := im.newLines(lines)
	tally, err := im.writePlanned(ctx, imp, start, moved, lines, assumeNew, pre)
	if assumeNew && ErrorCode(err) == EConflict {
		tally, err = im.writePlanned(ctx, imp, start, moved, lines, false, preparedLines{})
	}
	return tally, err
}

// writePlanned plans lines in a transaction (assumeNew: upsertKind.plan), unless pre planned
// them under the lock date the transaction sees, and writes them in it.
func (im *UpsertImporter[L]) writePlanned(ctx context.Context, imp *Import, start, moved int, lines []L, assumeNew bool, pre preparedLines) (UpsertTally, error) {
	var tally UpsertTally
	err := im.s.writeImportChunk(ctx, imp, start, moved, nil, func(tx Tx, c *changes) error {
		var plan linePlan
		if pre.plan != nil {
			lock, err := lockDateOf(ctx, tx)
			if err != nil {
				return err
			}
			if lock == pre.lock {
				plan = *pre.plan
			}
		}
		if plan.apply == nil {
			var err error
			if plan, err = im.plan(ctx, tx, lines, assumeNew); err != nil {
				return err
			}
		}
		if len(plan.refused) > 0 {
			r := plan.refused[0]
			le := &LineError{Line: im.kind.line(lines[r.Index]), Field: r.Err.Field, Message: r.Err.Message}
			return Errorf(EConflict, "%v, though it passed the check before: the books changed meanwhile; run the import again", le)
		}
		var err error
		tally, err = plan.apply(tx, c)
		return err
	})
	return tally, err
}
