package web

import (
	"net/http"
	"slices"

	"finapp"
)

// historyPage says which page of a history (a payment's or an invoice's allocations, a credit
// note's applications) a detail page shows: the latest, which the detail carries, by default; an
// older one when the URL names where it starts (allocations_before, applications_before). Older
// is the cursor of the page before the ones shown, if there is one.
type historyPage struct {
	Older     string
	OlderPage bool
}

// pageHistory returns which page of a history the URL asks for, and on an older page replaces
// shown (the detail's latest, oldest first) by that page, in the same order. param names the
// URL's parameter, more whether the detail said older entries exist, id an entry's id (the
// cursor), list the history's list, newest first from a cursor.
func pageHistory[T any](r *http.Request, param string, shown *[]T, more bool, id func(T) string,
	list func(cursor string) ([]T, string, error)) (historyPage, error) {
	before := r.URL.Query().Get(param)
	if before == "" {
		if more && len(*shown) > 0 {
			return historyPage{Older: id((*shown)[0])}, nil
		}
		return historyPage{}, nil
	}
	page, next, err := list(before)
	if err != nil {
		return historyPage{}, err
	}
	slices.Reverse(page)
	*shown = page
	return historyPage{Older: next, OlderPage: true}, nil
}

// allocationPages is pageHistory for the allocations of the payment or invoice f names.
func (s *server) allocationPages(r *http.Request, shown *[]*finapp.Allocation, more bool, f finapp.AllocationFilter) (historyPage, error) {
	return pageHistory(r, "allocations_before", shown, more, func(a *finapp.Allocation) string { return a.ID },
		func(cursor string) ([]*finapp.Allocation, string, error) {
			f.Cursor, f.Limit = cursor, finapp.DetailHistoryLimit
			return s.svc.ListAllocations(r.Context(), f)
		})
}
