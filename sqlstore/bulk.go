package sqlstore

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strings"
	"time"

	"finapp"
)

// Bulk writes, for imports: the rows of the one-row methods in entities.go and journal.go, many
// per INSERT. A statement per row is what bounds an import (a million payments are six million
// rows); a multi-row INSERT is one parse and one round trip for hundreds of them.

// maxParams bounds the placeholders of one INSERT, under both engines' limits (SQLite 32,766,
// PostgreSQL 65,535): a chunk's rows go in as few statements as that allows. Each statement has a
// fixed cost that grows with the transaction — at its end SQLite trims the in-memory journal of
// the group commit's savepoint, walking it from its start — so a few large statements beat many
// small ones (a third of the CPU went there with 500-row statements); full-size statements share
// one text, which the store prepares once per transaction.
const maxParams = 30000

// insertRows inserts n rows into table, as many per statement as maxParams allows. row appends
// the values of row i (one per column) to args.
func (tx *Tx) insertRows(ctx context.Context, table, columns string, n int, row func(i int, args []any) []any) error {
	cols := strings.Count(columns, ",") + 1
	per := maxParams / cols
	args := make([]any, 0, min(n, per)*cols)
	for start := 0; start < n; start += per {
		end := min(start+per, n)
		args = args[:0]
		for i := start; i < end; i++ {
			args = row(i, args)
		}
		if _, err := tx.exec(ctx, tx.insertText(table, columns, end-start), args...); err != nil {
			return err
		}
	}
	return nil
}

// insertText is insertText for tx: in a bulk transaction (Tx.bulk) the INSERT is OR FAIL.
func (tx *Tx) insertText(table, columns string, rows int) string {
	if tx.bulk {
		return insertTextAs("INSERT OR FAIL", table, columns, rows)
	}
	return insertText(table, columns, rows)
}

// insertText is `INSERT INTO table (columns) VALUES (?, …), …` for rows rows.
func insertText(table, columns string, rows int) string {
	return insertTextAs("INSERT", table, columns, rows)
}

// insertTextAs is insertText with verb ("INSERT OR FAIL") in place of INSERT.
func insertTextAs(verb, table, columns string, rows int) string {
	one := "(?" + strings.Repeat(", ?", strings.Count(columns, ",")) + ")"
	var b strings.Builder
	b.Grow(len(verb) + len(table) + len(columns) + rows*(len(one)+2) + 32)
	b.WriteString(verb + " INTO " + table + " (" + columns + ") VALUES ")
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(one)
	}
	return b.String()
}

// stamps formats the timestamps of a bulk insert, remembering the last one: the rows of a chunk
// share their time, and formatting it anew for every row was a visible share of the work.
type stamps struct {
	t time.Time
	s string
}

func (c *stamps) ts(t time.Time) string {
	if c.s == "" || !t.Equal(c.t) {
		c.t, c.s = t, ts(t)
	}
	return c.s
}

// CreatePayments implements finapp.Tx.
func (tx *Tx) CreatePayments(ctx context.Context, ps []*finapp.Payment) error {
	var at stamps
	// Rows go in in the order of the index they scatter most in (by organization): consecutive rows
	// then land on the same index page while it is cached, instead of on one page per row.
	ps = slices.Clone(ps)
	slices.SortStableFunc(ps, func(a, b *finapp.Payment) int { return strings.Compare(a.OrganizationID, b.OrganizationID) })
	return tx.insertRows(ctx, "payments", `workspace_id, id, organization_id, amount, currency, received_on, method, reference,
		invoice_hint, remark, allocated, topped_up, version, assignment_changes, created_by, created_at, updated_at, deleted_at`,
		len(ps), func(i int, args []any) []any {
			p := ps[i]
			return append(args, tx.ws, p.ID, nullable(p.OrganizationID), p.Amount, p.Currency, p.ReceivedOn, p.Method, p.Reference,
				p.InvoiceHint, p.Remark, p.Allocated, p.ToppedUp, p.Version, p.AssignmentChanges, p.CreatedBy, at.ts(p.CreatedAt),
				at.ts(p.UpdatedAt), tsPtr(p.DeletedAt))
		})
}

// AppendJournals implements finapp.Tx. The entries' sequence numbers, which their lines refer to,
// come back from the INSERT by id: neither engine promises RETURNING rows in VALUES order.
func (tx *Tx) AppendJournals(ctx context.Context, es []*finapp.JournalEntry) error {
	if len(es) == 0 {
		return nil
	}
	const columns = `workspace_id, id, at, operation, entity_id`
	if tx.db.dialect.WritableCTE {
		if done, err := tx.appendJournalsAtOnce(ctx, es, columns); done || err != nil {
			return err
		}
	}
	seqs := make(map[string]int64, len(es))
	var at stamps
	per := maxParams / 5
	args := make([]any, 0, min(len(es), per)*5)
	for start := 0; start < len(es); start += per {
		end := min(start+per, len(es))
		args = args[:0]
		for _, e := range es[start:end] {
			args = append(args, tx.ws, e.ID, at.ts(e.At), e.Operation, e.EntityID)
		}
		rows, err := tx.query(ctx, tx.insertText("journal_entries", columns, end-start)+` RETURNING seq, id`, args...)
		if err != nil {
			return err
		}
		if err := scanSeqs(rows, seqs); err != nil {
			return err
		}
	}
	type line struct {
		seq int64
		no  int
		l   finapp.JournalLine
	}
	var lines []line
	for _, e := range es {
		for n, l := range e.Lines {
			lines = append(lines, line{seqs[e.ID], n, l})
		}
	}
	// In index order, as CreatePayments does for the same reason.
	slices.SortStableFunc(lines, func(a, b line) int {
		return cmp.Or(strings.Compare(a.l.Account, b.l.Account), strings.Compare(string(a.l.Currency), string(b.l.Currency)))
	})
	return tx.insertRows(ctx, "journal_lines", `workspace_id, entry_seq, line_no, account, currency, amount`, len(lines),
		func(i int, args []any) []any {
			l := lines[i]
			return append(args, tx.ws, l.seq, l.no, l.l.Account, l.l.Currency, l.l.Amount)
		})
}

// appendJournalsAtOnce writes the entries and their lines in one statement, the lines joined to
// their entries' new sequence numbers by entry id inside it: one round trip where AppendJournals
// would take two. It does nothing (false) when they would not fit in one statement.
func (tx *Tx) appendJournalsAtOnce(ctx context.Context, es []*finapp.JournalEntry, columns string) (bool, error) {
	lines := 0
	for _, e := range es {
		lines += len(e.Lines)
	}
	if 5*len(es)+1+5*lines > maxParams || lines == 0 {
		return false, nil
	}
	var at stamps
	args := make([]any, 0, 5*len(es)+1+5*lines) // in the statement's order: entries, workspace, lines
	for _, e := range es {
		args = append(args, tx.ws, e.ID, at.ts(e.At), e.Operation, e.EntityID)
	}
	args = append(args, tx.ws)
	for _, e := range es {
		for n, l := range e.Lines {
			args = append(args, e.ID, n, l.Account, l.Currency, l.Amount)
		}
	}
	_, err := tx.exec(ctx, `WITH e AS (`+insertText("journal_entries", columns, len(es))+` RETURNING seq, id)
		INSERT INTO journal_lines (workspace_id, entry_seq, line_no, account, currency, amount)
		SELECT ?, e.seq, v.line_no, v.account, v.currency, v.amount
		FROM (VALUES `+valueRows(lines, "(?, CAST(? AS BIGINT), ?, ?, CAST(? AS BIGINT))")+`) AS v (entry_id, line_no, account, currency, amount)
		JOIN e ON e.id = v.entry_id`, args...)
	return true, err
}

// scanSeqs reads (seq, id) rows into seqs and closes rows.
func scanSeqs(rows *sql.Rows, seqs map[string]int64) error {
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var id string
		if err := rows.Scan(&seq, &id); err != nil {
			return err
		}
		seqs[id] = seq
	}
	return rows.Err()
}

// AppendAudits implements finapp.Tx. Each event carries its chain position (ChainNo); the order
// the engine numbers the rows in does not matter.
func (tx *Tx) AppendAudits(ctx context.Context, es []*finapp.AuditEvent) error {
	tx.unsealed = tx.unsealed || len(es) > 0 && tx.db.dialect.SealApart
	var at stamps
	if err := tx.insertRows(ctx, "audit_events", auditInsertColumns, len(es), func(i int, args []any) []any { return auditArgs(tx, &at, es[i], args) }); err != nil {
		return err
	}
	if known := tx.heads.get(tx.ws); known.auditKnown {
		for _, e := range es {
			if e.ChainNo > known.auditNo {
				known.auditHash, known.auditNo = e.Hash, e.ChainNo
			}
		}
		tx.heads.set(tx.ws, known)
	}
	return nil
}

const (
	auditInsertColumns = `workspace_id, id, chain_no, at, actor, source, action, entity, entity_id, before, after, prev_hash, hash, sealed_at`
	eventInsertColumns = `workspace_id, id, sequence, type, entity_id, payload, at`
)

func auditArgs(tx *Tx, at *stamps, e *finapp.AuditEvent, args []any) []any {
	return append(args, tx.ws, e.ID, e.ChainNo, at.ts(e.At), e.Actor, e.Source, e.Action, e.Entity, e.EntityID, e.Before, e.After, e.PrevHash, e.Hash,
		e.SealedAt)
}

func eventArgs(tx *Tx, at *stamps, e *finapp.Event, args []any) []any {
	return append(args, tx.ws, e.ID, e.Sequence, e.Type, e.EntityID, e.Payload, at.ts(e.At))
}

// AppendUnsealed implements finapp.Tx: where the engine runs INSERTs inside WITH and both fit
// in one statement, one round trip for the audit and the outbox events.
func (tx *Tx) AppendUnsealed(ctx context.Context, audits []*finapp.AuditEvent, events []*finapp.Event) error {
	if !tx.db.dialect.WritableCTE || len(audits) == 0 || len(events) == 0 || 14*len(audits)+7*len(events) > maxParams {
		if err := tx.AppendAudits(ctx, audits); err != nil {
			return err
		}
		return tx.AppendEvents(ctx, events)
	}
	tx.unsealed = tx.unsealed || tx.db.dialect.SealApart
	var at stamps
	args := make([]any, 0, 14*len(audits)+7*len(events))
	for _, e := range audits {
		args = auditArgs(tx, &at, e, args)
	}
	for _, e := range events {
		args = eventArgs(tx, &at, e, args)
	}
	_, err := tx.exec(ctx, `WITH a AS (`+insertText("audit_events", auditInsertColumns, len(audits))+`) `+
		insertText("events", eventInsertColumns, len(events)), args...)
	return err
}

// EventHead implements finapp.Tx: the sequence of the workspace's last numbered event. Where a
// write numbers its own events (SQLite), its one writer keeps sequences in commit order; where
// a sealer numbers them, the sealer's turn does.
// A write of the group committer asks its head cache first (heads.go).
func (tx *Tx) EventHead(ctx context.Context) (int64, error) {
	known := tx.heads.get(tx.ws)
	if known.eventKnown {
		return known.eventSeq, nil
	}
	var n int64
	err := tx.queryRow(ctx, `SELECT COALESCE(MAX(sequence), 0) FROM events WHERE workspace_id = ? AND sequence > 0`, tx.ws).Scan(&n)
	if err == nil && tx.heads != nil {
		tx.heads.reads.Add(1)
		known.eventSeq, known.eventKnown = n, true
		tx.heads.set(tx.ws, known)
	}
	return n, err
}

// AppendEvents implements finapp.Tx.
func (tx *Tx) AppendEvents(ctx context.Context, es []*finapp.Event) error {
	tx.unsealed = tx.unsealed || len(es) > 0 && tx.db.dialect.SealApart
	var at stamps
	if err := tx.insertRows(ctx, "events", eventInsertColumns, len(es), func(i int, args []any) []any { return eventArgs(tx, &at, es[i], args) }); err != nil {
		return err
	}
	if known := tx.heads.get(tx.ws); known.eventKnown {
		for _, e := range es {
			known.eventSeq = max(known.eventSeq, e.Sequence)
		}
		tx.heads.set(tx.ws, known)
	}
	return nil
}

// ListEvents implements finapp.Tx.
func (tx *Tx) ListEvents(ctx context.Context, f finapp.EventFilter) ([]*finapp.Event, error) {
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	w.add(`sequence > ?`, f.After)
	if len(f.Types) > 0 {
		marks := strings.Repeat("?, ", len(f.Types))
		args := make([]any, len(f.Types))
		for i, t := range f.Types {
			args[i] = t
		}
		w.add(`type IN (`+marks[:len(marks)-2]+`)`, args...)
	}
	rows, err := tx.query(ctx, `SELECT id, sequence, type, entity_id, payload, at FROM events`+w.sql()+` ORDER BY sequence LIMIT ?`, append(w.args, f.Limit)...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (*finapp.Event, error) {
		var e finapp.Event
		var at string
		err := s.Scan(&e.ID, &e.Sequence, &e.Type, &e.EntityID, &e.Payload, &at)
		e.At = parseTS(at)
		return &e, err
	})
}

const importColumns = `id, kind, digest, name, lines, done, created_by, created_at, updated_at, completed_at`

func scanImport(s scanner) (*finapp.Import, error) {
	var imp finapp.Import
	var created, updated string
	var completed sql.NullString
	err := s.Scan(&imp.ID, &imp.Kind, &imp.Digest, &imp.Name, &imp.Lines, &imp.Done, &imp.CreatedBy, &created, &updated, &completed)
	imp.CreatedAt, imp.UpdatedAt, imp.CompletedAt = parseTS(created), parseTS(updated), parseTSPtr(completed)
	return &imp, err
}

// ImportByDigest implements finapp.Tx.
func (tx *Tx) ImportByDigest(ctx context.Context, digest string) (*finapp.Import, error) {
	imp, err := scanImport(tx.queryRow(ctx, `SELECT `+importColumns+` FROM imports i WHERE i.workspace_id = ? AND i.digest = ?`+tx.forUpdate("i"), tx.ws, digest))
	if err != nil {
		return nil, notFound(err, "import of the file with SHA-256", digest)
	}
	return imp, nil
}

// CreateImport implements finapp.Tx.
func (tx *Tx) CreateImport(ctx context.Context, imp *finapp.Import) error {
	_, err := tx.exec(ctx, `INSERT INTO imports (workspace_id, `+importColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		tx.ws, imp.ID, imp.Kind, imp.Digest, imp.Name, imp.Lines, imp.Done, imp.CreatedBy, ts(imp.CreatedAt), ts(imp.UpdatedAt), tsPtr(imp.CompletedAt))
	if err != nil && tx.db.dialect.IsUniqueViolation(err) {
		return finapp.Errorf(finapp.EDuplicate, "this file is being imported already (import of SHA-256 %s)", imp.Digest)
	}
	return err
}

// UpdateImport implements finapp.Tx.
func (tx *Tx) UpdateImport(ctx context.Context, imp *finapp.Import) error {
	_, err := tx.exec(ctx, `UPDATE imports SET done = ?, updated_at = ?, completed_at = ? WHERE workspace_id = ? AND id = ?`,
		imp.Done, ts(imp.UpdatedAt), tsPtr(imp.CompletedAt), tx.ws, imp.ID)
	return err
}
