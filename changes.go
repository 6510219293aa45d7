package finapp

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// changes collects what one use case produces besides the entities it edits: journal entries,
// audit events, outbox events and touched invoices, so that they are saved together in the use
// case's one transaction.
type changes struct {
	now      time.Time
	actor    string
	source   string
	journal  []*JournalEntry
	audit    []*AuditEvent
	events   []*Event
	invoices map[string]*Invoice
	order    []string // invoice ids in the order first touched, so saves lock in a stable order
}

func newChanges(now time.Time, a Actor) *changes {
	return &changes{now: now, actor: a.Name, source: a.Address, invoices: map[string]*Invoice{}}
}

// post adds a journal entry built by fill.
func (c *changes) post(operation, entityID string, fill func(*posting)) {
	var p posting
	fill(&p)
	if len(p.lines) == 0 {
		return
	}
	c.journal = append(c.journal, &JournalEntry{ID: NewID(PrefixJournal), At: c.now, Operation: operation, EntityID: entityID, Lines: p.lines})
}

// record adds an audit event; before and after are snapshots (nil for none).
func (c *changes) record(action, entity, entityID string, before, after any) {
	c.recordSnapshots(action, entity, entityID, snapshot(before), snapshot(after))
}

// recordSnapshots adds an audit event whose snapshots are made already.
func (c *changes) recordSnapshots(action, entity, entityID, before, after string) {
	c.audit = append(c.audit, &AuditEvent{ID: NewID(PrefixAudit), At: c.now, Actor: c.actor, Source: c.source, Action: action,
		Entity: entity, EntityID: entityID, Before: before, After: after})
}

func (c *changes) event(typ, entityID string, payload any) {
	c.eventSnapshot(typ, entityID, snapshot(payload))
}

// eventSnapshot adds an outbox event whose payload is made already.
func (c *changes) eventSnapshot(typ, entityID, payload string) {
	c.events = append(c.events, &Event{ID: NewID(PrefixEvent), Type: typ, EntityID: entityID, Payload: payload, At: c.now})
}

// add appends what o collected (journal entries, audit and outbox events; not invoices), made
// apart from c for the same change.
func (c *changes) add(o *changes) {
	c.journal = append(c.journal, o.journal...)
	c.audit = append(c.audit, o.audit...)
	c.events = append(c.events, o.events...)
}

func (c *changes) touch(inv *Invoice) {
	if _, ok := c.invoices[inv.ID]; !ok {
		c.order = append(c.order, inv.ID)
	}
	c.invoices[inv.ID] = inv
}

// save writes everything collected, each kind in as few statements as the store can (one row
// for a payment recorded over the API, thousands for an import chunk). Every journal entry is
// checked to balance first: an unbalanced entry is a bug, and the transaction is abandoned
// rather than committed. Audit events are linked into the workspace's hash chain in order.
func (c *changes) save(ctx context.Context, tx Tx) error {
	for _, id := range c.order {
		if err := tx.UpdateInvoice(ctx, c.invoices[id]); err != nil {
			return err
		}
	}
	for _, e := range c.journal {
		if err := e.Balanced(); err != nil {
			return fmt.Errorf("refusing to post: %w", err)
		}
	}
	if err := tx.AppendJournals(ctx, c.journal); err != nil {
		return err
	}
	if tx.SealsApart() {
		return tx.AppendUnsealed(ctx, c.audit, c.events)
	}
	if err := appendAudits(ctx, tx, c.audit); err != nil {
		return err
	}
	return appendEvents(ctx, tx, c.events)
}

// firstEntity names what the change wrote first ("payment pay_…"), or "".
func (c *changes) firstEntity() string {
	if len(c.audit) == 0 {
		return ""
	}
	return c.audit[0].Entity + " " + c.audit[0].EntityID
}

// snapshot renders v as JSON for audit before/after and event payloads.
func snapshot(v any) string {
	if v == nil {
		return ""
	}
	switch x := v.(type) {
	case *Payment:
		if x == nil {
			return ""
		}
		return mustJSON(snapshotOfPayment(x))
	case *Invoice:
		if x == nil {
			return ""
		}
		return mustJSON(invoiceSnapshot(x))
	}
	return mustJSON(v)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%q", err.Error())
	}
	return string(b)
}
