package sqlstore

import (
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// writeStats counts the write path's work since the database was opened, for /metrics: how many
// durable commits, how many write transactions they carried (the ratio is the group commit's
// batching), how many commits failed, how many transactions were run again, and the time spent
// in COMMIT.
type writeStats struct {
	commits        atomic.Uint64
	transactions   atomic.Uint64
	commitFailures atomic.Uint64
	retries        atomic.Uint64
	commitNanos    atomic.Uint64
	prepares       atomic.Uint64 // statements parsed for the write path (SQLite)
	readsParsed    atomic.Uint64 // read queries run without a kept statement (SQLite)
}

// committed records one COMMIT that carried n write transactions and took d.
func (s *writeStats) committed(n int, d time.Duration, err error) {
	s.commitNanos.Add(uint64(d))
	if err != nil {
		s.commitFailures.Add(1)
		return
	}
	s.commits.Add(1)
	s.transactions.Add(uint64(n))
}

// Collectors returns the database's Prometheus collectors: the connection pools' statistics
// (open, in use, idle, waits) labelled db_name="write" and "read" (one pool on PostgreSQL, so
// only "write"), and the write path's commit counters.
func (db *DB) Collectors() []prometheus.Collector {
	cs := []prometheus.Collector{collectors.NewDBStatsCollector(db.write, "write")}
	if db.read != db.write {
		cs = append(cs, collectors.NewDBStatsCollector(db.read, "read"))
	}
	counter := func(name, help string, v *atomic.Uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help},
			func() float64 { return float64(v.Load()) })
	}
	s := &db.stats
	return append(cs,
		counter("finapp_db_commits_total", "Durable commits of the write path (a group-commit batch counts once).", &s.commits),
		counter("finapp_db_write_transactions_total", "Write transactions committed; divided by finapp_db_commits_total, the mean batch size.", &s.transactions),
		counter("finapp_db_commit_failures_total", "COMMITs that failed (nothing of them was acknowledged).", &s.commitFailures),
		counter("finapp_db_statements_prepared_total", "Statements parsed for the write path (SQLite keeps them prepared across batches, so this levels off).", &s.prepares),
		counter("finapp_db_read_queries_parsed_total", "Read queries parsed because no kept statement existed for them yet (SQLite; levels off once each query has run).", &s.readsParsed),
		counter("finapp_db_transaction_retries_total", "Write transactions run again after a serialization failure, deadlock or dead connection.", &s.retries),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "finapp_db_commit_seconds_total",
			Help: "Time spent in COMMIT (with fsync or the network round trip).",
		}, func() float64 { return time.Duration(s.commitNanos.Load()).Seconds() }),
	)
}
