package sqlstore

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"finapp"
)

// SealsApart implements finapp.Tx: PostgreSQL links audit events and numbers outbox events
// after they commit (finapp.SealWorkspace), so that no writer of a workspace waits for another.
func (tx *Tx) SealsApart() bool { return tx.db.dialect.SealApart }

// TrySealLock implements finapp.Tx: the workspace's sealing turn, held to the end of the
// transaction. Only sealers take it; writers never do.
func (tx *Tx) TrySealLock(ctx context.Context) (bool, error) {
	if tx.db.dialect.TrySealLock == "" {
		return true, nil // one writer: whoever seals is alone
	}
	var ok bool
	err := tx.queryRow(ctx, tx.db.dialect.TrySealLock, tx.ws).Scan(&ok)
	return ok, err
}

// UnsealedAudits implements finapp.Tx, in row order.
func (tx *Tx) UnsealedAudits(ctx context.Context, limit int) ([]*finapp.AuditEvent, error) {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE workspace_id = ? AND chain_no = 0 ORDER BY seq LIMIT ?`, tx.ws, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAudit)
}

// SealAudits implements finapp.Tx, one statement for the lot. The append-only trigger lets an
// unsealed row be sealed once and nothing else of it change.
func (tx *Tx) SealAudits(ctx context.Context, es []*finapp.AuditEvent) error {
	if len(es) == 0 {
		return nil
	}
	args := make([]any, 0, 5*len(es)+1)
	for _, e := range es {
		args = append(args, e.ID, e.ChainNo, e.PrevHash, e.Hash, e.SealedAt)
	}
	res, err := tx.exec(ctx, `UPDATE audit_events SET chain_no = s.chain_no, prev_hash = s.prev_hash, hash = s.hash, sealed_at = s.sealed_at
		FROM (VALUES `+valueRows(len(es), "(?, CAST(? AS BIGINT), ?, ?, ?)")+`) AS s (id, chain_no, prev_hash, hash, sealed_at)
		WHERE audit_events.workspace_id = ? AND audit_events.id = s.id AND audit_events.chain_no = 0`, append(args, tx.ws)...)
	return updatedAll(res, err, len(es), "sealing audit events")
}

// UnsequencedEvents implements finapp.Tx, in row order.
func (tx *Tx) UnsequencedEvents(ctx context.Context, limit int) ([]string, error) {
	rows, err := tx.query(ctx, `SELECT id FROM events WHERE workspace_id = ? AND sequence = 0 ORDER BY seq LIMIT ?`, tx.ws, limit)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	})
}

// SequenceEvents implements finapp.Tx, one statement for the lot.
func (tx *Tx) SequenceEvents(ctx context.Context, ids []string, first int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(ids)+1)
	for i, id := range ids {
		args = append(args, id, first+int64(i))
	}
	res, err := tx.exec(ctx, `UPDATE events SET sequence = s.sequence FROM (VALUES `+valueRows(len(ids), "(?, CAST(? AS BIGINT))")+`) AS s (id, sequence)
		WHERE events.workspace_id = ? AND events.id = s.id AND events.sequence = 0`, append(args, tx.ws)...)
	return updatedAll(res, err, len(ids), "numbering events")
}

// valueRows is n copies of row, comma-separated, for a VALUES list.
func valueRows(n int, row string) string {
	return strings.TrimSuffix(strings.Repeat(row+", ", n), ", ")
}

// updatedAll checks that an UPDATE of the rows a sealer listed changed each of them: one that
// did not was sealed by another sealer meanwhile, and the transaction must not go on.
func updatedAll(res sql.Result, err error, want int, what string) error {
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n != int64(want) {
		return fmt.Errorf("%s: %d of %d rows changed, another sealer ran meanwhile (%v)", what, n, want, err)
	}
	return nil
}

// UnsealedWorkspaces lists the workspaces with an unsealed audit event or an unnumbered outbox
// event.
func (db *DB) UnsealedWorkspaces(ctx context.Context) ([]string, error) {
	rows, err := db.read.QueryContext(ctx, db.q(`SELECT DISTINCT workspace_id FROM audit_events WHERE chain_no = 0
		UNION SELECT DISTINCT workspace_id FROM events WHERE sequence = 0`))
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (string, error) {
		var ws string
		return ws, s.Scan(&ws)
	})
}

// SealsApart reports whether the engine seals the audit trail after commit (PostgreSQL).
func (db *DB) SealsApart() bool { return db.dialect.SealApart }

// sealer seals, in the background, what this process wrote: it is woken after each write
// transaction that appended unsealed events, and (with Sweep) also looks every sweepEvery for
// what other processes left, for a server that must seal what a stopped one did not.
type sealer struct {
	db    *DB
	wake  chan struct{}
	stop  chan struct{}
	done  chan struct{}
	mu    sync.Mutex
	dirty map[string]bool // workspaces written since their last pass
	sweep time.Duration   // 0: no sweeping
	log   *slog.Logger
	heads map[string]finapp.Sealed // each workspace's chain after its last pass, for checkpoints
	once  sync.Once
}

// sealRetry is how soon a workspace another sealer had is tried again.
const sealRetry = 20 * time.Millisecond

func newSealer(db *DB) *sealer {
	s := &sealer{db: db, wake: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{}),
		dirty: map[string]bool{}, heads: map[string]finapp.Sealed{}, log: slog.Default()}
	go s.run()
	return s
}

// wrote marks ws as having new events to seal.
func (s *sealer) wrote(ws string) {
	s.mu.Lock()
	s.dirty[ws] = true
	s.mu.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *sealer) run() {
	defer close(s.done)
	var tick <-chan time.Time
	retry := time.NewTimer(time.Hour)
	retry.Stop()
	for {
		s.mu.Lock()
		every := s.sweep
		s.mu.Unlock()
		if every > 0 && tick == nil {
			t := time.NewTicker(every)
			defer t.Stop()
			tick = t.C
		}
		select {
		case <-s.stop:
			return
		case <-s.wake:
		case <-retry.C:
		case <-tick:
			if err := s.sweepAll(context.Background()); err != nil {
				s.log.Warn("audit sealing: looking for unsealed events failed", "err", err)
			}
		}
		if busy := s.pass(context.Background()); busy {
			retry.Reset(sealRetry)
		}
	}
}

// sweepAll marks every workspace with unsealed events.
func (s *sealer) sweepAll(ctx context.Context) error {
	wss, err := s.db.UnsealedWorkspaces(ctx)
	if err != nil {
		return err
	}
	s.mu.Lock()
	for _, ws := range wss {
		s.dirty[ws] = true
	}
	s.mu.Unlock()
	return nil
}

// pass seals every dirty workspace until it has nothing left, and reports whether one was
// left because another sealer had it. A workspace whose sealing failed stays dirty for the next
// wake-up; it does not count as busy, so that closing does not wait on a database that fails.
func (s *sealer) pass(ctx context.Context) (busy bool) {
	s.mu.Lock()
	wss := make([]string, 0, len(s.dirty))
	for ws := range s.dirty {
		wss = append(wss, ws)
	}
	clear(s.dirty)
	s.mu.Unlock()
	for _, ws := range wss {
		done, err := s.sealWorkspace(ctx, ws)
		if err != nil {
			s.log.Warn("audit sealing failed; it is tried again", "workspace", ws, "err", err)
		}
		if !done {
			busy = busy || err == nil
			s.mu.Lock()
			s.dirty[ws] = true
			s.mu.Unlock()
		}
	}
	return busy
}

// sealWorkspace seals ws batch by batch until nothing is left (true), or another sealer has it
// or sealing failed (false).
func (s *sealer) sealWorkspace(ctx context.Context, ws string) (bool, error) {
	for {
		var out finapp.Sealed
		err := s.db.inTx(ctx, s.db.write, ws, true, func(t finapp.Tx) error {
			var err error
			out, err = finapp.SealWorkspace(ctx, t, time.Now())
			return err
		})
		if err != nil || out.Busy {
			return false, err
		}
		if out.Audits > 0 {
			s.mu.Lock()
			s.heads[ws] = out
			s.mu.Unlock()
		}
		if out.Audits < finapp.SealBatch && out.Events < finapp.SealBatch {
			return true, nil
		}
	}
}

// close stops the background loop and seals what is left of this process's writes, trying a
// workspace another sealer holds again for up to a few seconds.
func (s *sealer) close() {
	stopped := false
	s.once.Do(func() { stopped = true })
	if !stopped {
		return
	}
	close(s.stop)
	<-s.done
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for ctx.Err() == nil {
		if !s.pass(ctx) {
			return
		}
		select {
		case <-ctx.Done():
		case <-time.After(sealRetry):
		}
	}
	s.log.Warn("audit sealing: events left unsealed at close; the next server seals them")
}

// SealSweep makes the store also seal what other processes wrote and left unsealed (a server
// stopped before sealing, a command on another machine): at once, and then every interval. For
// `finapp serve`; a no-op on an engine that seals in the change's transaction.
func (db *DB) SealSweep(interval time.Duration) {
	if db.sealer == nil {
		return
	}
	db.sealer.mu.Lock()
	db.sealer.sweep = interval
	db.sealer.mu.Unlock()
	if err := db.sealer.sweepAll(context.Background()); err != nil {
		db.sealer.log.Warn("audit sealing: looking for unsealed events failed", "err", err)
	}
	select { // wakes the loop, which then starts its ticker
	case db.sealer.wake <- struct{}{}:
	default:
	}
}

// SealNow seals every workspace's unsealed events before it returns: for tests and for
// `finapp verify --seal`.
func (db *DB) SealNow(ctx context.Context) error {
	if db.sealer == nil {
		return nil
	}
	wss, err := db.UnsealedWorkspaces(ctx)
	if err != nil {
		return err
	}
	for _, ws := range wss {
		if err := db.sealer.sealUntilDone(ctx, ws); err != nil {
			return err
		}
	}
	return nil
}

// SealPending implements finapp.PendingSealer: it seals what was committed unsealed in ws
// before it returns, waiting its turn while another sealer has it, for a reader that must see
// every committed event. It looks first, on the read pool, and writes only when something is
// unsealed: a read does not become a write, and sealed_at keeps one clock, the sealer's.
func (db *DB) SealPending(ctx context.Context, ws string) error {
	if db.sealer == nil {
		return nil
	}
	var pending bool
	err := db.read.QueryRowContext(ctx, db.q(`SELECT EXISTS (SELECT 1 FROM audit_events WHERE workspace_id = ? AND chain_no = 0)
		OR EXISTS (SELECT 1 FROM events WHERE workspace_id = ? AND sequence = 0)`), ws, ws).Scan(&pending)
	if err != nil || !pending {
		return db.classify(err)
	}
	return db.classify(db.sealer.sealUntilDone(ctx, ws))
}

// sealUntilDone seals ws, trying again while another sealer has its turn.
func (s *sealer) sealUntilDone(ctx context.Context, ws string) error {
	for wait := time.Millisecond; ; wait = min(2*wait, 50*time.Millisecond) {
		done, err := s.sealWorkspace(ctx, ws)
		if err != nil || done {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// ChainHeads returns each workspace's chain length and head hash as this process last sealed
// them, for the published checkpoint (serve logs it).
func (db *DB) ChainHeads() map[string]finapp.Sealed {
	if db.sealer == nil {
		return nil
	}
	db.sealer.mu.Lock()
	defer db.sealer.mu.Unlock()
	out := make(map[string]finapp.Sealed, len(db.sealer.heads))
	for ws, h := range db.sealer.heads {
		out[ws] = h
	}
	return out
}
