package main

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/bits"
	"sort"
	"strconv"
	"strings"
	"time"
)

// subBuckets is how many buckets split each power of two of microseconds: a percentile read from
// the histogram is within 1/subBuckets (1.6 %) of the true latency.
const subBuckets = 64

// maxMicros caps what the histogram tells apart (about 12 days); anything longer counts there.
const maxMicros = 1 << 40

// histogram counts latencies in log-linear buckets of microseconds. It takes constant memory
// however long the run, and histograms of several clients add up by merge.
type histogram struct {
	counts []uint64
	n      uint64
	sum    time.Duration
	max    time.Duration
}

func newHistogram() *histogram {
	return &histogram{counts: make([]uint64, bucketOf(maxMicros)+1)}
}

// bucketOf is the bucket of a latency of us microseconds: values below subBuckets have a bucket
// each; above, each power of two is split into subBuckets equal parts.
func bucketOf(us uint64) int {
	if us > maxMicros {
		us = maxMicros
	}
	if us < subBuckets {
		return int(us)
	}
	e := bits.Len64(us) - bits.Len64(subBuckets) // us>>e is in [subBuckets, 2·subBuckets)
	return subBuckets + e*subBuckets + int(us>>e) - subBuckets
}

// bucketRange is the smallest and largest latency, in microseconds, that falls in bucket i.
func bucketRange(i int) (lo, hi uint64) {
	if i < subBuckets {
		return uint64(i), uint64(i)
	}
	e := (i - subBuckets) / subBuckets
	m := uint64((i-subBuckets)%subBuckets + subBuckets)
	return m << e, (m+1)<<e - 1
}

func (h *histogram) add(d time.Duration) {
	if d < 0 {
		d = 0
	}
	h.counts[bucketOf(uint64(d.Microseconds()))]++
	h.n++
	h.sum += d
	h.max = max(h.max, d)
}

func (h *histogram) merge(o *histogram) {
	for i, c := range o.counts {
		h.counts[i] += c
	}
	h.n += o.n
	h.sum += o.sum
	h.max = max(h.max, o.max)
}

// percentile is the latency that a fraction p (0 < p ≤ 1) of the requests did not exceed: the
// middle of the bucket holding the ⌈p·n⌉-th fastest request.
func (h *histogram) percentile(p float64) time.Duration {
	if h.n == 0 {
		return 0
	}
	rank := uint64(math.Ceil(p * float64(h.n)))
	rank = max(rank, 1)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			lo, hi := bucketRange(i)
			d := time.Duration((lo+hi)/2) * time.Microsecond
			return min(d, h.max)
		}
	}
	return h.max
}

// opStats is what one kind of request (an "operation") got back.
type opStats struct {
	latency  *histogram
	statuses map[int]uint64
	errors   uint64 // transport errors: no HTTP status at all
	lastErr  string
}

func newOpStats() *opStats {
	return &opStats{latency: newHistogram(), statuses: map[int]uint64{}}
}

func (s *opStats) merge(o *opStats) {
	s.latency.merge(o.latency)
	for code, n := range o.statuses {
		s.statuses[code] += n
	}
	s.errors += o.errors
	if o.lastErr != "" {
		s.lastErr = o.lastErr
	}
}

// count is how many requests of the class (2 for 2xx, …) came back.
func (s *opStats) count(class int) uint64 {
	var n uint64
	for code, c := range s.statuses {
		if code/100 == class {
			n += c
		}
	}
	return n
}

// recorder is one client's tally; it needs no lock because only its client writes to it.
type recorder struct {
	ops map[string]*opStats
}

func newRecorder() *recorder { return &recorder{ops: map[string]*opStats{}} }

func (r *recorder) op(name string) *opStats {
	s, ok := r.ops[name]
	if !ok {
		s = newOpStats()
		r.ops[name] = s
	}
	return s
}

func (r *recorder) merge(o *recorder) {
	for name, s := range o.ops {
		r.op(name).merge(s)
	}
}

// result is what a workload reports: its operations over the measured time, and any notes,
// figures and failed checks it adds.
type result struct {
	workload string
	target   string
	clients  int
	elapsed  time.Duration
	ops      *recorder
	order    []string // operations in the order to print them
	notes    []string
	extra    []string // extra "result" lines (key=value …)
	failures []string // failed correctness checks
}

func (r *result) fail(format string, args ...any) {
	r.failures = append(r.failures, fmt.Sprintf(format, args...))
}

// print writes the human table, the notes and one "result" line per operation.
func (r *result) print(w io.Writer) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "\nworkload %s: %d clients, %.1fs measured, %s\n", r.workload, r.clients, secs, r.target)
	fmt.Fprintf(w, "  %-16s %10s %10s %9s %9s %9s %9s  %s\n", "operation", "requests", "req/s", "p50", "p90", "p99", "max", "statuses")
	names := r.names()
	for _, name := range names {
		s := r.ops.ops[name]
		fmt.Fprintf(w, "  %-16s %10d %10.1f %9s %9s %9s %9s  %s\n", name, s.latency.n+s.errors, float64(s.latency.n)/secs,
			ms(s.latency.percentile(0.50)), ms(s.latency.percentile(0.90)), ms(s.latency.percentile(0.99)), ms(s.latency.max), statusList(s))
		if s.lastErr != "" {
			fmt.Fprintf(w, "  %-16s last transport error: %s\n", "", s.lastErr)
		}
	}
	for _, n := range r.notes {
		fmt.Fprintf(w, "  note: %s\n", n)
	}
	for _, f := range r.failures {
		fmt.Fprintf(w, "  CHECK FAILED: %s\n", f)
	}
	if len(r.failures) == 0 && (r.workload == "hot" || r.workload == "credit") {
		fmt.Fprintf(w, "  checks: ok\n")
	}
	for _, name := range names {
		s := r.ops.ops[name]
		fmt.Fprintf(w, "result workload=%s op=%s clients=%d seconds=%.2f n=%d rps=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f s2xx=%d s4xx=%d s409=%d s5xx=%d errors=%d\n",
			r.workload, name, r.clients, secs, s.latency.n, float64(s.latency.n)/secs,
			msf(s.latency.percentile(0.50)), msf(s.latency.percentile(0.90)), msf(s.latency.percentile(0.99)), msf(s.latency.max),
			s.count(2), s.count(4), s.statuses[409], s.count(5), s.errors)
	}
	for _, e := range r.extra {
		fmt.Fprintf(w, "result workload=%s %s\n", r.workload, e)
	}
	fmt.Fprintf(w, "result workload=%s op=checks failed=%d\n", r.workload, len(r.failures))
}

// names are the operations in print order: the declared ones first, then the rest by name, and
// "all" (every operation together) last when there is more than one.
func (r *result) names() []string {
	seen := map[string]bool{}
	var out []string
	for _, n := range r.order {
		if _, ok := r.ops.ops[n]; ok && !seen[n] {
			out, seen[n] = append(out, n), true
		}
	}
	var rest []string
	for n := range r.ops.ops {
		if !seen[n] && n != "all" {
			rest = append(rest, n)
		}
	}
	sort.Strings(rest)
	out = append(out, rest...)
	if len(out) > 1 {
		all := newOpStats()
		for _, n := range out {
			all.merge(r.ops.ops[n])
		}
		r.ops.ops["all"] = all
		out = append(out, "all")
	}
	return out
}

// verdict is the run's exit status: an error if any request failed with a 5xx or a transport
// error, or a check failed. 4xx answers are the workload's business (a hot spot expects 409s).
func (r *result) verdict() error {
	var bad []string
	for _, name := range r.names() {
		if name == "all" {
			continue
		}
		s := r.ops.ops[name]
		if n := s.count(5); n > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d answers 5xx", name, n))
		}
		if s.errors > 0 {
			bad = append(bad, fmt.Sprintf("%s: %d transport errors", name, s.errors))
		}
	}
	bad = append(bad, r.failures...)
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

func statusList(s *opStats) string {
	codes := make([]int, 0, len(s.statuses))
	for c := range s.statuses {
		codes = append(codes, c)
	}
	sort.Ints(codes)
	var parts []string
	for _, c := range codes {
		parts = append(parts, strconv.Itoa(c)+":"+strconv.FormatUint(s.statuses[c], 10))
	}
	if s.errors > 0 {
		parts = append(parts, "error:"+strconv.FormatUint(s.errors, 10))
	}
	return strings.Join(parts, " ")
}

func ms(d time.Duration) string { return strconv.FormatFloat(msf(d), 'f', 2, 64) + "ms" }

func msf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
