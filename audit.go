package finapp

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// AuditEvent is one change, append-only. Hash covers the event and the previous event's hash
// (per workspace), so that editing or removing a row breaks the chain.
type AuditEvent struct {
	ID       string
	Seq      int64
	At       time.Time
	Actor    string
	Action   string // e.g. "payment.assigned"
	Entity   string // "payment", "invoice", "organization", "allocation"
	EntityID string
	Before   string // JSON, "" when created
	After    string // JSON, "" when deleted
	PrevHash string
	Hash     string
}

// ComputeHash is the chain link: sha256 over the previous hash and the event's fields.
func (e *AuditEvent) ComputeHash() string {
	h := sha256.New()
	h.Write([]byte(strings.Join([]string{e.PrevHash, e.ID, e.At.UTC().Format(time.RFC3339Nano), e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After}, "\x1f")))
	return hex.EncodeToString(h.Sum(nil))
}

// AuditFilter selects audit events.
type AuditFilter struct {
	EntityID string
	Cursor   string
	Limit    int
}

// Event is an outbox row: a fact other systems consume (SPEC §6), written in the same transaction
// as the change it announces so that no committed change is missed.
type Event struct {
	ID       string
	Type     string // payment.recorded, payment.allocated, invoice.paid, invoice.provisioned, credit.topped_up
	EntityID string
	Payload  string // JSON
	At       time.Time
}
