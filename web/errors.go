package web

import (
	"slices"
	"sort"
)

// fieldError is one line of a form's error summary: the field's id, a name people read and what
// is wrong with it.
type fieldError struct{ ID, Label, Message string }

// formFieldOrder is the order in which the forms show their fields, so that the summary reads
// top to bottom as the form does; a field not named here comes after, by name.
var formFieldOrder = []string{"organization_id", "number", "kind", "amount", "currency", "total", "invoice_id", "received_on", "issued_on",
	"due_on", "method", "reference", "invoice_number", "reason", "remark"}

// fieldNames are how the summary names a field where its id is not plain words.
var fieldNames = map[string]string{"organization_id": "Customer", "invoice_number": "Invoice #", "invoice_id": "Invoice"}

// fieldErrors lists the refusals of a page's fields in the form's order, for the error summary at
// the top of a form (whose links lead to each field, and whose first field the script focuses).
func fieldErrors(p *page) []fieldError {
	ids := make([]string, 0, len(p.Fields))
	for id := range p.Fields {
		ids = append(ids, id)
	}
	rank := func(id string) int {
		if i := slices.Index(formFieldOrder, id); i >= 0 {
			return i
		}
		return len(formFieldOrder)
	}
	sort.Slice(ids, func(i, j int) bool {
		if a, b := rank(ids[i]), rank(ids[j]); a != b {
			return a < b
		}
		return ids[i] < ids[j]
	})
	out := make([]fieldError, 0, len(ids))
	for _, id := range ids {
		name := fieldNames[id]
		if name == "" {
			name = label(id)
		}
		out = append(out, fieldError{ID: id, Label: name, Message: p.Fields[id]})
	}
	return out
}
