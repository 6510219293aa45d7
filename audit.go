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
}

// ComputeHash is the chain link: sha256 over the previous hash and the event's fields.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(strings.Join([]string{e.PrevHash, e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Source, e.Action, e.Entity, e.EntityID, e.Before, e.After}, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}

// AuditAppender is the part of a write transaction that extends its workspace's audit trail.
type AuditAppender interface {
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
	Events int
	Break  *ChainBreak // nil when intact
}

// VerifyAudit recomputes the workspace's audit hash chain.
func (s *Service) VerifyAudit(ctx context.Context) (*AuditVerification, error) {
	var v AuditVerification
	err := s.read(ctx, func(tx Tx) error {
		events, err := tx.AuditChain(ctx)
		if err != nil {
			return err
		}
		v.Events, v.Break = len(events), VerifyChain(events)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &v, nil
}
