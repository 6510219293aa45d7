package conformance

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

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
	bad = append(bad, more...)
	feed, err := checkEventFeed(ctx, svc)
	if err != nil {
		return nil, err
	}
	return append(bad, feed...), nil
}

// checkEventFeed reads the workspace's event feed page by page: its sequences are 1, 2, 3, …
// without a gap or a repeat (a consumer that polls after the last one it saw misses nothing), and
// every event is of a known type and carries a resource.
func checkEventFeed(ctx context.Context, svc *finapp.Service) ([]string, error) {
	var bad []string
	want := int64(1)
	for after := int64(0); ; {
		page, more, err := svc.ListEvents(ctx, finapp.EventFilter{After: after, Limit: finapp.MaxPageSize})
		if err != nil {
			return nil, err
		}
		for _, e := range page {
			if e.Sequence != want && len(bad) < 10 {
				bad = append(bad, fmt.Sprintf("event %s has sequence %d where %d was expected (a gap or a repeat in the feed)", e.ID, e.Sequence, want))
			}
			if !slices.Contains(finapp.EventTypes, e.Type) && len(bad) < 10 {
				bad = append(bad, fmt.Sprintf("event %s has the unknown type %q", e.ID, e.Type))
			}
			if !json.Valid([]byte(e.Payload)) && len(bad) < 10 {
				bad = append(bad, fmt.Sprintf("event %s carries no valid JSON resource", e.ID))
			}
			want = e.Sequence + 1
			after = e.Sequence
		}
		if !more {
			return bad, nil
		}
	}
}
