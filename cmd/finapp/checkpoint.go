package main

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"time"

	"finapp"
	"finapp/sqlstore"
)

// How often serve looks for events other servers left unsealed, and publishes checkpoints.
const (
	sealSweepEvery  = time.Second
	checkpointEvery = 5 * time.Minute
)

// publishCheckpoints logs, every interval and once more when ctx ends, the head of each
// workspace's audit chain that this server sealed since the last checkpoint: its length and
// the hash of its last event. The log is kept outside the database, so a chain later cut short
// or rewritten no longer holds what a checkpoint says (`finapp audit verify --checkpoint`).
func publishCheckpoints(ctx context.Context, db *sqlstore.DB, logger *slog.Logger, interval time.Duration) {
	if !db.SealsApart() {
		return // the chain is extended in each change's transaction; nothing is sealed here
	}
	published := map[string]finapp.Sealed{}
	publish := func() {
		heads := db.ChainHeads()
		for _, ws := range slices.Sorted(maps.Keys(heads)) {
			h := heads[ws]
			if published[ws].ChainNo == h.ChainNo {
				continue
			}
			published[ws] = h
			logger.Info("audit checkpoint", "workspace", ws, "chain_no", h.ChainNo, "head", h.Head)
		}
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			publish()
			return
		case <-t.C:
			publish()
		}
	}
}
