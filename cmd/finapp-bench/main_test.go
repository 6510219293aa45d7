package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestHistogram_PercentilesAreWithinOneBucket(t *testing.T) {
	h := newHistogram()
	for us := 1; us <= 100_000; us++ {
		h.add(time.Duration(us) * time.Microsecond)
	}
	for _, c := range []struct {
		p    float64
		want time.Duration
	}{{0.50, 50 * time.Millisecond}, {0.90, 90 * time.Millisecond}, {0.99, 99 * time.Millisecond}, {1, 100 * time.Millisecond}} {
		got := h.percentile(c.p)
		if diff := (got - c.want).Abs(); diff > c.want/subBuckets {
			t.Errorf("p%.0f = %s, want %s within 1/%d", c.p*100, got, c.want, subBuckets)
		}
	}
	if h.n != 100_000 || h.max != 100*time.Millisecond {
		t.Errorf("n %d max %s", h.n, h.max)
	}
}

func TestBucketOf_EveryLatencyFallsInsideItsBucket(t *testing.T) {
	last := -1
	for us := uint64(0); us < 1<<20; us++ {
		i := bucketOf(us)
		if lo, hi := bucketRange(i); us < lo || us > hi {
			t.Fatalf("%dµs in bucket %d of [%d, %d]", us, i, lo, hi)
		}
		if i != last && i != last+1 {
			t.Fatalf("buckets jump from %d to %d at %dµs", last, i, us)
		}
		last = i
	}
}

func TestFlags_RefuseAnythingButLoopback(t *testing.T) {
	for _, u := range []string{"http://example.com", "http://10.0.0.1:8080", "http://0.0.0.0:8080", "https://127.0.0.1:8080", "127.0.0.1:8080"} {
		if _, err := parseFlags([]string{"--workload", "raw", "--url", u}, io.Discard); err == nil {
			t.Errorf("--url %s was accepted", u)
		}
	}
	for _, u := range []string{"http://127.0.0.1:8080", "http://localhost:8080/echo", "http://[::1]:8080", "http://127.0.0.2:9"} {
		if _, err := parseFlags([]string{"--workload", "raw", "--url", u}, io.Discard); err != nil {
			t.Errorf("--url %s: %v", u, err)
		}
	}
}

func TestFlags_BoundCountsAndTime(t *testing.T) {
	for _, args := range [][]string{
		{"--clients", "0"}, {"--clients", "5000"}, {"--duration", "2h"}, {"--seed-invoices", "3000000"},
		{"--credit-orgs", "0"}, {"--credit-orgs", "300000"},
		{"--workload", "record"}, // no token
		{"--workload", "nope"},
	} {
		if _, err := parseFlags(append([]string{"--workload", "raw", "--token", ""}, args...), io.Discard); err == nil {
			t.Errorf("%v was accepted", args)
		}
	}
}

func TestRaw_MeasuresAnyLoopbackEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(w, r.Body)
	}))
	defer srv.Close()
	out := runBench(t, "--workload", "raw", "--url", srv.URL+"/echo", "--clients", "4", "--duration", "300ms")
	if !regexp.MustCompile(`(?m)^result workload=raw op=raw clients=4 .* s2xx=[1-9][0-9]* s4xx=0 s409=0 s5xx=0 errors=0$`).MatchString(out) {
		t.Fatalf("no clean result line:\n%s", out)
	}
}

// TestWorkloads_AgainstTheRealServer builds the finapp binary, serves a fresh SQLite file and runs
// every workload briefly against it: each must finish with no 5xx, no transport error and no
// failed check.
func TestWorkloads_AgainstTheRealServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and serves finapp")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "finapp")
	build := exec.Command("go", "build", "-o", bin, "finapp/cmd/finapp")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building finapp: %v\n%s", err, out)
	}
	db := "sqlite:" + filepath.Join(dir, "bench.db")
	if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil {
		t.Fatalf("finapp migrate: %v\n%s", err, out)
	}
	token, err := exec.Command(bin, "token", "create", "--role", "finance", "--db", db).Output()
	if err != nil {
		t.Fatal(err)
	}
	serve := exec.Command(bin, "serve", "--db", db, "--addr", "127.0.0.1:0")
	stdout, err := serve.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	serve.Stderr = io.Discard
	if err := serve.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	}()
	url := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+`).FindString(sc.Text()); m != "" {
				url <- m
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	var base string
	select {
	case base = <-url:
	case <-time.After(30 * time.Second):
		t.Fatal("finapp serve printed no URL")
	}
	common := []string{"--url", base, "--token", strings.TrimSpace(string(token)), "--clients", "4", "--duration", "700ms",
		"--server-pid", strconv.Itoa(serve.Process.Pid)}
	for _, w := range []struct {
		workload string
		extra    []string
		ops      []string
	}{
		{"record", nil, []string{"record", "server_memory"}},
		{"allocate", nil, []string{"allocate"}},
		{"hot", nil, []string{"allocate", "release"}},
		{"search", []string{"--seed-orgs", "20", "--seed-invoices", "200", "--tag", "test"}, []string{"search_name", "search_number", "search_issued", "search_name_issued"}},
		{"search", []string{"--seed-orgs", "20", "--seed-invoices", "200", "--tag", "test", "--skip-seed", "--queries", "number"}, []string{"search_number"}},
		{"reports", nil, []string{"aging", "receipts"}},
		{"credit", []string{"--credit-orgs", "3"}, []string{"reserve", "capture", "pairs"}},
		{"credit", []string{"--credit-orgs", "1"}, []string{"reserve", "capture", "pairs"}}, // one big account
	} {
		t.Run(w.workload, func(t *testing.T) {
			out := runBench(t, append(append([]string{"--workload", w.workload}, common...), w.extra...)...)
			for _, op := range w.ops {
				if !strings.Contains(out, "result workload="+w.workload+" op="+op+" ") {
					t.Errorf("no result line for %s", op)
				}
			}
			if !strings.Contains(out, "result workload="+w.workload+" op=checks failed=0") {
				t.Errorf("checks failed:\n%s", out)
			}
			if w.workload == "credit" && !regexp.MustCompile(creditPairs).MatchString(out) {
				t.Errorf("no pairs done, or some refused:\n%s", out)
			}
		})
	}
}

// creditPairs is a credit run's pairs line with pairs done and none refused.
const creditPairs = `(?m)^result workload=credit op=pairs clients=4 .* n=[1-9][0-9]* rps=.* insufficient_credit=0 customers=[0-9]+$`

// runBench runs finapp-bench in-process and fails the test on a non-nil error.
func runBench(t *testing.T, args ...string) string {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	if err := run(ctx, append(args, "--progress", "200ms"), &out, &errOut); err != nil {
		t.Fatalf("finapp-bench %v: %v\nstdout:\n%s\nstderr:\n%s", args, err, out.String(), errOut.String())
	}
	return out.String()
}
