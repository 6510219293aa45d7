package conformance

import (
	"context"

	"finapp"
)

// replayed replays the workspace's audit trail over its books (finapp.Service.ReplayBooks) and
// returns every row and journal entry that is not what the trail says: after any sequence of use
// cases, on any engine and under any concurrency, there must be none.
func replayed(ctx context.Context, svc *finapp.Service) ([]string, error) {
	found, _, err := svc.ReplayBooks(ctx)
	var bad []string
	for _, m := range found {
		bad = append(bad, "not what the audit trail says: "+m.String())
	}
	return bad, err
}
