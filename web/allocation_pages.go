package web

import (
	"net/http"
	"slices"

	"finapp"
)

// allocationPage says which page of a payment's or an invoice's allocations a page shows: the
// latest (the detail's own) by default, an older one when the URL names allocations_before.
// OlderAllocations is the cursor of the page before the ones shown, if there is one.
type allocationPage struct {
	OlderAllocations string
	OlderPage        bool
}

// pageAllocations fills pg and, on an older page, replaces shown (the detail's latest, oldest
// first) by the page the URL asks for, in the same order. f names the payment or the invoice.
func (s *server) pageAllocations(r *http.Request, pg *allocationPage, shown *[]*finapp.Allocation, more bool, f finapp.AllocationFilter) error {
	before := r.URL.Query().Get("allocations_before")
	if before == "" {
		if more && len(*shown) > 0 {
			pg.OlderAllocations = (*shown)[0].ID
		}
		return nil
	}
	f.Cursor, f.Limit = before, finapp.DetailHistoryLimit
	list, next, err := s.svc.ListAllocations(r.Context(), f)
	if err != nil {
		return err
	}
	slices.Reverse(list)
	*shown, pg.OlderAllocations, pg.OlderPage = list, next, true
	return nil
}

// applicationPage is allocationPage for a credit note's applications (applications_before).
type applicationPage struct {
	OlderApplications string
	OlderPage         bool
}

// pageApplications is pageAllocations for the applications of credit note d.
func (s *server) pageApplications(r *http.Request, pg *applicationPage, d *finapp.CreditNoteDetail) error {
	before := r.URL.Query().Get("applications_before")
	if before == "" {
		if d.ApplicationsMore && len(d.Applications) > 0 {
			pg.OlderApplications = d.Applications[0].ID
		}
		return nil
	}
	list, next, err := s.svc.ListCreditNoteApplications(r.Context(), finapp.CreditNoteApplicationFilter{CreditNoteID: d.ID, Cursor: before, Limit: finapp.DetailHistoryLimit})
	if err != nil {
		return err
	}
	slices.Reverse(list)
	d.Applications, pg.OlderApplications, pg.OlderPage = list, next, true
	return nil
}
