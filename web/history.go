package web

import (
	"encoding/json"
	"fmt"
	"strings"

	"finapp"
)

// historyFields are the payment fields a history line reports, in the order it reports them,
// with the words people use for them. Version, status and the like follow from these.
var historyFields = []struct{ key, name string }{
	{"amount", "amount"}, {"currency", "currency"}, {"received_on", "received"}, {"method", "method"},
	{"reference", "reference"}, {"invoice_number", "invoice #"}, {"remark", "remark"},
	{"allocated", "allocated"}, {"topped_up", "topped up"}, {"refunded", "refunded"},
}

// historyEntry is one line of a payment's timeline: what happened, who did it, and what changed
// ("amount 70.00 → 50.00", "assigned to Acme"), with customers by name.
type historyEntry struct {
	*finapp.AuditEvent
	Changes []string
}

// describeHistory turns a payment's audit events into timeline entries; names maps organization
// ids to names.
func describeHistory(events []*finapp.AuditEvent, names map[string]string) []historyEntry {
	out := make([]historyEntry, len(events))
	for i, e := range events {
		out[i] = historyEntry{AuditEvent: e, Changes: changesOf(e, names)}
	}
	return out
}

// changesOf compares an event's before and after snapshots field by field.
func changesOf(e *finapp.AuditEvent, names map[string]string) []string {
	var before, after map[string]any
	if json.Unmarshal([]byte(e.After), &after) != nil {
		return nil
	}
	_ = json.Unmarshal([]byte(e.Before), &before) // none when recorded
	text := func(m map[string]any, k string) string {
		if m == nil || m[k] == nil {
			return ""
		}
		return fmt.Sprint(m[k])
	}
	name := func(id string) string {
		if n := names[id]; n != "" {
			return n
		}
		return id
	}
	var changes []string
	if before == nil {
		if org := text(after, "organization_id"); org != "" {
			changes = append(changes, "for "+name(org))
		}
		return append(changes, text(after, "amount")+" "+text(after, "currency"))
	}
	was, now := text(before, "organization_id"), text(after, "organization_id")
	switch {
	case was == "" && now != "":
		changes = append(changes, "assigned to "+name(now))
	case was != "" && now == "":
		changes = append(changes, "unassigned from "+name(was))
	case was != now:
		changes = append(changes, "moved from "+name(was)+" to "+name(now))
	}
	for _, f := range historyFields {
		a, b := text(before, f.key), text(after, f.key)
		if a == b || (f.key == "refunded" && a == "" && b == "0.00") {
			continue
		}
		if a == "" {
			a = "—"
		}
		if b == "" {
			b = "—"
		}
		changes = append(changes, f.name+" "+a+" → "+b)
	}
	return changes
}

// joinChanges writes a history entry's changes as one phrase.
func joinChanges(c []string) string { return strings.Join(c, "; ") }
