package finapp

import (
	"context"
	"time"
)

// Sealing (SPEC §8; docs/security.md, "Sealing the chain off the commit path"). On PostgreSQL a
// change appends its audit and outbox events unlinked, in its own transaction, holding no lock
// but its rows'. A sealer then links the audit events into the workspace's hash chain and numbers
// the outbox events, in the order it finds them committed, one sealer per workspace at a time.
// No writer of a workspace waits for another's commit, and the chain stays whole: each sealed
// event's hash covers its content, the hash before it and the time it was sealed.

// SealBatch is the most events one sealing transaction links: enough that a busy workspace is
// sealed in a few transactions, few enough that each holds its rows briefly.
const SealBatch = 1000

// LateSeal is how long after its time an event may be sealed before verify reports it: longer
// means no sealer ran meanwhile, or the row was inserted behind finapp's back with an old time.
const LateSeal = time.Minute

// SealTx is what sealing needs of one workspace's write transaction.
type SealTx interface {
	// TrySealLock takes the workspace's sealing turn for this transaction, or reports that
	// another sealer has it (then nothing is sealed: that one will).
	TrySealLock(ctx context.Context) (bool, error)
	// AuditChainHead is the hash and position of the last sealed event ("", 0 for none).
	AuditChainHead(ctx context.Context) (hash string, chainNo int64, err error)
	// UnsealedAudits lists at most limit unsealed audit events, oldest row first.
	UnsealedAudits(ctx context.Context, limit int) ([]*AuditEvent, error)
	// SealAudits writes the link (ChainNo, PrevHash, Hash, SealedAt) of each event; an event
	// sealed since it was listed is an error (the transaction is rolled back).
	SealAudits(ctx context.Context, es []*AuditEvent) error
	// EventHead is the sequence of the workspace's last numbered outbox event (0 for none).
	EventHead(ctx context.Context) (int64, error)
	// UnsequencedEvents lists the ids of at most limit unnumbered outbox events, oldest first.
	UnsequencedEvents(ctx context.Context, limit int) ([]string, error)
	// SequenceEvents numbers the events ids first, first+1, … in slice order.
	SequenceEvents(ctx context.Context, ids []string, first int64) error
}

// Sealed is what one sealing pass did in a workspace.
type Sealed struct {
	Audits, Events int
	Busy           bool  // another sealer had the workspace's turn
	ChainNo        int64 // the chain's length after the pass
	Head           string
}

// SealWorkspace links at most SealBatch unsealed audit events of tx's workspace into its chain,
// at sealedAt, and numbers as many unnumbered outbox events after the last one.
func SealWorkspace(ctx context.Context, tx SealTx, sealedAt time.Time) (Sealed, error) {
	var out Sealed
	ok, err := tx.TrySealLock(ctx)
	if err != nil || !ok {
		out.Busy = !ok
		return out, err
	}
	prev, n, err := tx.AuditChainHead(ctx)
	if err != nil {
		return out, err
	}
	events, err := tx.UnsealedAudits(ctx, SealBatch)
	if err != nil {
		return out, err
	}
	at := sealedAt.UTC().Format(time.RFC3339Nano)
	for _, e := range events {
		n++
		e.ChainNo, e.PrevHash, e.SealedAt = n, prev, at
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	if err := tx.SealAudits(ctx, events); err != nil {
		return out, err
	}
	out.Audits, out.ChainNo, out.Head = len(events), n, prev
	ids, err := tx.UnsequencedEvents(ctx, SealBatch)
	if err != nil || len(ids) == 0 {
		return out, err
	}
	last, err := tx.EventHead(ctx)
	if err != nil {
		return out, err
	}
	out.Events = len(ids)
	return out, tx.SequenceEvents(ctx, ids, last+1)
}

// sealedLate reports whether e was sealed more than LateSeal after its time.
func sealedLate(e *AuditEvent) bool {
	if e.SealedAt == "" {
		return false
	}
	sealed, err := time.Parse(time.RFC3339Nano, e.SealedAt)
	return err != nil || sealed.Sub(e.At) > LateSeal
}

// PendingSealer is a store that seals after commit (PostgreSQL): SealPending seals what was
// committed unsealed in a workspace before it returns.
type PendingSealer interface {
	SealPending(ctx context.Context, workspaceID string) error
}

// sealPending seals what is left unsealed in the context's workspace, where the engine seals
// after commit: a reader that must see every committed event (the feed, the audit list, the
// webhook fan-out) calls it first. Sealing moments after each commit is the store's job, and
// so is the time of a seal; this only closes the gap between a commit and its seal.
func (s *Service) sealPending(ctx context.Context) error {
	st, ok := s.Store.(PendingSealer)
	if !ok {
		return nil
	}
	a, err := s.actor(ctx)
	if err != nil {
		return err
	}
	return st.SealPending(ctx, a.WorkspaceID)
}
