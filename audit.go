package finapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"
)

// AuditEvent is one change, append-only. Hash covers the event and the previous event's hash
// (per workspace), so that editing or removing a row breaks the chain.
type AuditEvent struct {
	ID  string
	Seq int64 // the storage row's number: the order rows were inserted in, nothing more
	// ChainNo is the event's position in its workspace's hash chain, from 1: the order the chain
	// was extended in, written with the event (see changes.save).
	ChainNo  int64
	At       time.Time
	Actor    string
	Action   string // e.g. "payment.assigned"
	Entity   string // "payment", "invoice", "organization", "allocation"
	EntityID string
	Before   string // JSON, "" when created
	After    string // JSON, "" when deleted
	Source   string // the client's network address
	PrevHash string
	Hash     string
	// SealedAt is when a sealer linked the event into the chain (seal.go), "" for an event
	// linked in its own transaction (SQLite, and PostgreSQL before sealing) or not yet sealed.
	SealedAt string
}

// Sealed reports whether the event is linked into its workspace's hash chain.
func (e *AuditEvent) Sealed() bool { return e.ChainNo > 0 }

// ComputeHash is the chain link: sha256 over the previous hash and the event's fields, and the
// time it was sealed when a sealer linked it (so that a seal cannot be re-dated unnoticed).
func (e *AuditEvent) ComputeHash() string {
	fields := []string{e.PrevHash, e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Source, e.Action, e.Entity, e.EntityID, e.Before, e.After}
	if e.SealedAt != "" {
		fields = append(fields, e.SealedAt)
	}
	h := sha256.New()
	h.Write([]byte(strings.Join(fields, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}

// AuditAppender is the part of a write transaction that extends its workspace's audit trail.
type AuditAppender interface {
	// SealsApart reports whether the engine links events into the chain after they commit
	// (seal.go) rather than in the change's transaction: then AuditChainHead is not called and
	// events are appended unlinked (ChainNo 0).
	SealsApart() bool
	// AuditChainHead takes the workspace's audit chain for this transaction (PostgreSQL: an
	// advisory lock held to commit) and returns the hash and position (ChainNo) of its last
	// event, or ("", 0) for an empty chain.
	AuditChainHead(ctx context.Context) (hash string, chainNo int64, err error)
	// AppendAudits appends events already linked into the chain, in slice order, a few
	// statements for any number of them.
	AppendAudits(ctx context.Context, es []*AuditEvent) error
}

// AppendAudit appends one event to the audit trail of tx's workspace, linked into its hash chain:
// for changes kept outside the books (users, tokens, sessions) that belong in the same trail,
// written in the transaction of the change itself. after is a snapshot (nil for none).
func AppendAudit(ctx context.Context, tx AuditAppender, at time.Time, actor Actor, action, entity, entityID string, after any) error {
	c := newChanges(at, actor)
	c.record(action, entity, entityID, nil, after)
	return appendAudits(ctx, tx, c.audit)
}

// appendAudits links events (in order) to the end of the workspace's chain and appends them.
func appendAudits(ctx context.Context, tx AuditAppender, events []*AuditEvent) error {
	if len(events) == 0 {
		return nil
	}
	if tx.SealsApart() {
		return tx.AppendAudits(ctx, events)
	}
	prev, n, err := tx.AuditChainHead(ctx)
	if err != nil {
		return err
	}
	for _, e := range events {
		n++
		e.ChainNo, e.PrevHash = n, prev
		e.Hash = e.ComputeHash()
		prev = e.Hash
	}
	return tx.AppendAudits(ctx, events)
}

// AuditFilter selects audit events.
type AuditFilter struct {
	EntityID string
	Cursor   string
	Limit    int
}

// ChainBreak says where an audit chain stops being what was written: the event at Index (in
// append order) does not link to the one before it, or its hash does not match its content.
type ChainBreak struct {
	Index  int
	Event  *AuditEvent
	Reason string
}

// VerifyChain recomputes the hash chain of events (oldest first) and returns the first break, or
// nil when every link holds.
func VerifyChain(events []*AuditEvent) *ChainBreak {
	prev := ""
	for i, e := range events {
		if e.PrevHash != prev {
			return &ChainBreak{Index: i, Event: e, Reason: "prev_hash does not match the hash of the event before it (an event was removed, inserted or reordered)"}
		}
		if e.ComputeHash() != e.Hash {
			return &ChainBreak{Index: i, Event: e, Reason: "hash does not match the event's content (the event was edited)"}
		}
		if e.ChainNo != int64(i+1) {
			return &ChainBreak{Index: i, Event: e, Reason: fmt.Sprintf("chain position %d where %d was expected (an event was removed or inserted)", e.ChainNo, i+1)}
		}
		prev = e.Hash
	}
	return nil
}

// AuditVerification is the result of checking a workspace's audit chain.
type AuditVerification struct {
	Events int         // sealed events: the chain's length
	Break  *ChainBreak // nil when intact
	// Late are sealed events sealed more than LateSeal after their time, and Unsealed events
	// still unsealed that long after it (at most SealBatch are looked at): no sealer ran for
	// that long (a server stopped before sealing; the next one sealed them), or the row was
	// inserted behind finapp's back. Neither breaks the chain; both deserve a look.
	Late, Unsealed []*AuditEvent
	// Checkpoints are the checkpoints asked for that the chain no longer holds.
	Checkpoints []Checkpoint
}

// Checkpoint is a published position of a workspace's chain: the hash of its event ChainNo.
// A chain cut short or rewritten since no longer holds it (Reason says how).
type Checkpoint struct {
	ChainNo int64
	Hash    string
	Reason  string
}

// VerifyAudit recomputes the workspace's audit hash chain, and checks that it holds each of
// checkpoints (published earlier, outside the database).
func (s *Service) VerifyAudit(ctx context.Context, checkpoints ...Checkpoint) (*AuditVerification, error) {
	var v AuditVerification
	now := s.Now()
	err := s.read(ctx, func(tx Tx) error {
		events, err := tx.AuditChain(ctx)
		if err != nil {
			return err
		}
		v.Events, v.Break = len(events), VerifyChain(events)
		for _, c := range checkpoints {
			switch {
			case c.ChainNo > int64(len(events)):
				c.Reason = fmt.Sprintf("the chain holds %d events: it was cut short", len(events))
			case events[c.ChainNo-1].Hash != c.Hash:
				c.Reason = "the event at that position has another hash: the chain was rewritten"
			default:
				continue
			}
			v.Checkpoints = append(v.Checkpoints, c)
		}
		for _, e := range events {
			if sealedLate(e) {
				v.Late = append(v.Late, e)
			}
		}
		unsealed, err := tx.UnsealedAudits(ctx, SealBatch)
		if err != nil {
			return err
		}
		for _, e := range unsealed {
			if now.Sub(e.At) > LateSeal {
				v.Unsealed = append(v.Unsealed, e)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
