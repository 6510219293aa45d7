package conformance

import (
	"context"

	"finapp"
)

// CheckBooks reads a whole workspace through the service (the actor in ctx names it) and returns
// every broken invariant of SPEC §2–§3 it finds, one sentence each: payments and invoices against
// their allocations and top-ups, statuses against amounts, the journal balanced per currency and
// every balance shown equal to the journal's. The suite checks with it after every step; `finapp
// verify` runs it over a database. Run it while nothing writes: it reads in several transactions.
func CheckBooks(ctx context.Context, svc *finapp.Service) ([]string, error) {
	b, err := loadBooks(ctx, svc, true)
	if err != nil {
		return nil, err
	}
	bad := b.check()
	more, err := checkFilters(ctx, svc, b)
	if err != nil {
		return nil, err
	}
	return append(bad, more...), nil
}
