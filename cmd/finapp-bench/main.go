// Command finapp-bench drives a running finapp server over loopback HTTP with concurrent clients
// and reports throughput, latency percentiles and the statuses it got back. It is the load
// command behind docs/benchmarks.md and scripts/bench.
//
// Workloads:
//
//	record    POST /v1/payments, each with its own Idempotency-Key
//	allocate  Assign & Allocate a fresh payment to 2 invoices of one organization; every client
//	          has its own invoices, so no two requests ever contend for the same row
//	hot       one hot payment and one hot invoice: small allocations and their releases from
//	          every client; checks that nothing was lost or doubled and that no 5xx came back
//	search    GET /v1/invoices by organization name (q), exact number and issued range
//	reports   GET the AR aging and the receipts report over what the database already holds
//	credit    reserve 1.00 EUR of a prepaid customer's credit, then capture 0.60 of it, over
//	          --credit-orgs customers (1: every client on one big account); checks the
//	          customers' credit (50 of them at most) against what the clients were told
//	raw       POST a small JSON payment to any loopback URL (the reference server's /echo and
//	          /insert), so that the same load generator measures the machine's ceilings
//
// It talks only to loopback addresses, and every loop it runs is bounded in count and in time.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"os/signal"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"time"
)

const usage = `finapp-bench — load a running finapp server over loopback HTTP.

Usage:
  finapp-bench --workload record|allocate|hot|search|reports|credit --url http://127.0.0.1:8080 --token fa_... [flags]
  finapp-bench --workload raw --url http://127.0.0.1:18182/echo [flags]

Each workload prints a table of operations (requests, req/s, p50/p90/p99/max latency, statuses)
and one machine-readable "result ..." line per operation on stdout; progress goes to stderr.
It exits non-zero when a request failed with a 5xx or a transport error, or a check failed.

Flags:
`

// Bounds on what one run may ask for, so that a typo cannot start an endless or runaway load.
const (
	maxClients      = 1024
	maxDuration     = 30 * time.Minute
	maxSeedOrgs     = 200_000
	maxSeedInvoices = 2_000_000
	maxPool         = 2_000_000
)

// config is what the flags say.
type config struct {
	url          string
	secondURL    string // record: a second server on the same database, for the odd clients
	token        string
	workload     string
	clients      int
	duration     time.Duration
	progress     time.Duration
	seedOrgs     int
	seedInvoices int
	pool         int
	creditOrgs   int
	idempotency  bool
	queries      string
	tag          string
	skipSeed     bool
	serverPID    int
	wait         time.Duration
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return
		}
		fmt.Fprintln(os.Stderr, "finapp-bench:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	b := newBench(cfg, stdout, stderr)
	if err := b.waitForServer(ctx); err != nil {
		return err
	}
	var res *result
	switch cfg.workload {
	case "record":
		res, err = b.record(ctx)
	case "allocate":
		res, err = b.allocate(ctx)
	case "hot":
		res, err = b.hot(ctx)
	case "search":
		res, err = b.search(ctx)
	case "reports":
		res, err = b.reports(ctx)
	case "credit":
		res, err = b.credit(ctx)
	case "raw":
		res, err = b.raw(ctx)
	}
	if err != nil {
		return err
	}
	res.print(stdout)
	return res.verdict()
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("finapp-bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	fs.StringVar(&c.url, "url", "http://127.0.0.1:8080", "the finapp server (raw: the full URL to POST to); loopback only")
	fs.StringVar(&c.secondURL, "second-url", "", "record: a second finapp server on the same database; the odd-numbered clients load it (loopback only)")
	fs.StringVar(&c.token, "token", os.Getenv("FINAPP_TOKEN"), "API token of the finance role (env FINAPP_TOKEN); not used by raw")
	fs.StringVar(&c.workload, "workload", "record", "record, allocate, hot, search, reports, credit or raw")
	fs.IntVar(&c.clients, "clients", 32, "concurrent clients, each with its own keep-alive connection")
	fs.DurationVar(&c.duration, "duration", 20*time.Second, "how long to measure")
	fs.DurationVar(&c.progress, "progress", 5*time.Second, "interval of the progress line on stderr")
	fs.IntVar(&c.seedOrgs, "seed-orgs", 0, "organizations to create first (allocate: default 2 × clients; search: default 2,000)")
	fs.IntVar(&c.seedInvoices, "seed-invoices", 0, "invoices to create first (allocate: default 8 × clients; search: default 20,000)")
	fs.IntVar(&c.pool, "pool", 500_000, "allocate: most fresh payments to record before measuring (recording stops after --duration too)")
	fs.IntVar(&c.creditOrgs, "credit-orgs", 1000, "credit: prepaid customers to create and spread the clients over at random (1: all on one)")
	fs.StringVar(&c.queries, "queries", "name,number,issued,name_issued", "search: the kinds of search to take turns at (comma-separated)")
	fs.StringVar(&c.tag, "tag", "", "search: the 4 lower-case letters that name seeded data (default: new ones); with --skip-seed, an earlier run's")
	fs.BoolVar(&c.skipSeed, "skip-seed", false, "search: use what an earlier run with this --tag, --seed-orgs and --seed-invoices seeded")
	fs.BoolVar(&c.idempotency, "idempotency", true, "send an Idempotency-Key with every measured POST, as SPEC §4 asks of clients")
	fs.IntVar(&c.serverPID, "server-pid", 0, "the server's process id: report its memory (VmRSS, VmHWM from /proc) as well")
	fs.DurationVar(&c.wait, "wait", 15*time.Second, "how long to wait for the server to answer before starting")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	return c, c.validate()
}

func (c *config) validate() error {
	switch c.workload {
	case "record", "allocate", "hot", "search", "reports", "credit":
		if c.token == "" {
			return fmt.Errorf("--workload %s needs --token (create one with: finapp token create --role finance)", c.workload)
		}
	case "raw":
	default:
		return fmt.Errorf("--workload %q: want record, allocate, hot, search, reports, credit or raw", c.workload)
	}
	switch {
	case c.clients < 1 || c.clients > maxClients:
		return fmt.Errorf("--clients %d: want 1 to %d", c.clients, maxClients)
	case c.duration < 100*time.Millisecond || c.duration > maxDuration:
		return fmt.Errorf("--duration %s: want 100ms to %s", c.duration, maxDuration)
	case c.progress < 100*time.Millisecond:
		return fmt.Errorf("--progress %s: want at least 100ms", c.progress)
	case c.seedOrgs < 0 || c.seedOrgs > maxSeedOrgs:
		return fmt.Errorf("--seed-orgs %d: want 0 to %d", c.seedOrgs, maxSeedOrgs)
	case c.seedInvoices < 0 || c.seedInvoices > maxSeedInvoices:
		return fmt.Errorf("--seed-invoices %d: want 0 to %d", c.seedInvoices, maxSeedInvoices)
	case c.creditOrgs < 1 || c.creditOrgs > maxSeedOrgs:
		return fmt.Errorf("--credit-orgs %d: want 1 to %d", c.creditOrgs, maxSeedOrgs)
	case c.pool < 1 || c.pool > maxPool:
		return fmt.Errorf("--pool %d: want 1 to %d", c.pool, maxPool)
	case c.wait < 0 || c.wait > 5*time.Minute:
		return fmt.Errorf("--wait %s: want 0 to 5m", c.wait)
	}
	if c.tag != "" && !regexp.MustCompile(`^[a-z]{4}$`).MatchString(c.tag) {
		return fmt.Errorf("--tag %q: want 4 lower-case letters", c.tag)
	}
	if c.skipSeed && (c.tag == "" || c.workload != "search") {
		return errors.New("--skip-seed is for --workload search with the --tag of the run that seeded")
	}
	for _, q := range strings.Split(c.queries, ",") {
		if !slices.Contains(searchKinds, q) {
			return fmt.Errorf("--queries: %q is not one of %s", q, strings.Join(searchKinds, ", "))
		}
	}
	u, err := url.Parse(c.url)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("--url %q: want http://127.0.0.1:PORT…", c.url)
	}
	if !loopback(u.Hostname()) {
		return fmt.Errorf("--url %q: finapp-bench only loads loopback addresses (127.0.0.1, ::1, localhost)", c.url)
	}
	c.url = strings.TrimSuffix(c.url, "/")
	if c.secondURL != "" {
		if c.workload != "record" {
			return errors.New("--second-url is for --workload record")
		}
		u, err := url.Parse(c.secondURL)
		if err != nil || u.Scheme != "http" || u.Host == "" || !loopback(u.Hostname()) {
			return fmt.Errorf("--second-url %q: want http://127.0.0.1:PORT (loopback only)", c.secondURL)
		}
		c.secondURL = strings.TrimSuffix(c.secondURL, "/")
	}
	return nil
}

// loopback reports whether host names this machine's loopback interface.
func loopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
