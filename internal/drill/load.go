// Package drill is the reliability drills' load client (docs/operations.md): clients recording
// payments over real HTTP with Idempotency-Keys, retrying the requests finapp refuses as
// unavailable, and recording what they were told. It is used only by tests.
package drill

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
)

// Config says how a Load runs.
type Config struct {
	URL, Token string // the server and the bearer token of its clients
	Clients    int    // how many clients record payments at once
	Prefix     string // references (and keys) are Prefix-<client>-<n>
	// AcceptApplied allows a retry of a refused request to be answered 409 in_flight or
	// response_lost: an earlier attempt was applied but its answer was lost with its connection
	// (the books must hold it once). Without it, every 409 is an answer the drill does not allow.
	AcceptApplied bool
}

// Load is a set of clients recording payments over HTTP, each request with its own
// Idempotency-Key, retrying a request refused with 503 unavailable with the same key and body
// until it is recorded — what a well-behaved client does (after the Retry-After of 1 s; the
// drill waits 50 ms to stay short).
//
// Its exported fields are guarded by the load's lock: read them in a WaitFor condition or after
// Finish.
type Load struct {
	t      testing.TB
	cfg    Config
	client *http.Client
	stop   chan struct{}
	wg     sync.WaitGroup
	once   sync.Once

	mu       sync.Mutex
	Acked    map[string]string // reference → payment id
	AckedAt  []time.Time       // when each acknowledgement arrived, in order
	SentAt   []time.Time       // when the request of each acknowledgement was sent
	Refused  map[string]bool   // references refused (or wrongly answered) at least once
	Applied  map[string]bool   // references a retry found applied (409, with AcceptApplied)
	Refusals int               // 503 answers
	Slowest  time.Duration     // the longest a 503 took
	Failures int               // answers the drill does not allow
}

// Start starts cfg.Clients clients against cfg.URL; a wrong answer fails t (the first 10 are
// reported). Call Finish before the test ends.
func Start(t testing.TB, cfg Config) *Load {
	l := &Load{t: t, cfg: cfg, stop: make(chan struct{}),
		Acked: map[string]string{}, Refused: map[string]bool{}, Applied: map[string]bool{},
		client: &http.Client{Timeout: 15 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: cfg.Clients}}}
	for c := range cfg.Clients {
		l.wg.Add(1)
		go func() {
			defer l.wg.Done()
			for n := 0; n < 100000; n++ {
				select {
				case <-l.stop:
					return
				default:
				}
				if !l.record(fmt.Sprintf("%s-%d-%d", cfg.Prefix, c, n)) {
					return
				}
			}
		}()
	}
	return l
}

// record records one payment, retrying while it is refused as unavailable; false when it gives
// up on it.
func (l *Load) record(ref string) bool {
	deadline := time.Now().Add(30 * time.Second)
	for {
		sent := time.Now()
		res := l.Post(ref)
		took := time.Since(sent)
		l.mu.Lock()
		switch {
		case res.Err == nil && res.Status == http.StatusCreated:
			l.Acked[ref] = res.ID
			l.AckedAt = append(l.AckedAt, time.Now())
			l.SentAt = append(l.SentAt, sent)
			l.mu.Unlock()
			return true
		case res.Err == nil && res.Status == http.StatusServiceUnavailable &&
			(res.Code == finapp.EUnavailable && res.RetryAfter != "" || res.Code == finapp.EOutcomeUnknown):
			// Unavailable, or cut off while committing: the load's requests carry an
			// Idempotency-Key, so repeating either is safe (a committed one answers as applied).
			l.Refused[ref] = true
			l.Refusals++
			l.Slowest = max(l.Slowest, took)
		case l.cfg.AcceptApplied && res.Err == nil && res.Status == http.StatusConflict && l.Refused[ref] &&
			(res.Code == finapp.EIdempotencyInFlight || res.Code == finapp.EIdempotencyResponseLost):
			l.Applied[ref] = true
			l.mu.Unlock()
			return true
		default:
			// A 500, a 409 not allowed, a hang or a dropped connection: the drill fails, but the
			// client goes on retrying with the same key, as a real one would, so that the drill
			// still shows everything else (and the books whether the key kept the payment to one).
			l.Refused[ref] = true
			if l.Failures++; l.Failures <= 10 {
				l.t.Errorf("%s: %+v, want 201 or 503 unavailable with Retry-After", ref, res)
			}
		}
		l.mu.Unlock()
		if time.Now().After(deadline) {
			l.t.Errorf("%s: still refused after 30 s", ref)
			return false
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Answer is what the server answered to a request.
type Answer struct {
	Status     int
	Code       string // the error code of the body
	ID         string // the id of the body
	RetryAfter string // the Retry-After header
	Replayed   bool   // Idempotent-Replayed: true
	Body       string
	Err        error
}

// PaymentBody is the body of the load's payment with this reference.
func PaymentBody(ref string) string {
	return fmt.Sprintf(`{"amount":"12.25","currency":"SGD","method":"bank_transfer","reference":%q}`, ref)
}

// Post sends reference's payment; the body and the key derive from the reference, so a retry
// is byte for byte the same request.
func (l *Load) Post(ref string) Answer {
	return PostPayment(l.client, l.cfg.URL, l.cfg.Token, ref, PaymentBody(ref))
}

// PostPayment records a payment with this body and Idempotency-Key ref.
func PostPayment(client *http.Client, url, token, ref, body string) Answer {
	req, _ := http.NewRequest("POST", url+"/v1/payments", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Idempotency-Key", ref)
	res, err := client.Do(req)
	if err != nil {
		return Answer{Err: err}
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	var p struct{ ID, Code string }
	_ = json.Unmarshal(b, &p)
	return Answer{Status: res.StatusCode, Code: p.Code, ID: p.ID, Body: string(b), Err: err,
		RetryAfter: res.Header.Get("Retry-After"), Replayed: res.Header.Get("Idempotent-Replayed") == "true"}
}

// Get reads path with the load's token: the status and the body (or the transport error).
func (l *Load) Get(path string) (int, string) {
	req, _ := http.NewRequest("GET", l.cfg.URL+path, nil)
	req.Header.Set("Authorization", "Bearer "+l.cfg.Token)
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

// WaitFor polls cond (called with the load's lock held) until it holds or the timeout passes.
func (l *Load) WaitFor(cond func() bool, timeout time.Duration) bool {
	for end := time.Now().Add(timeout); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		l.mu.Lock()
		ok := cond()
		l.mu.Unlock()
		if ok {
			return true
		}
	}
	return false
}

// FirstAckAfter is when the first acknowledgement after t arrived. It reads the load's state
// unlocked: call it in a WaitFor condition or after Finish.
func (l *Load) FirstAckAfter(t time.Time) (time.Time, bool) {
	for _, at := range l.AckedAt {
		if at.After(t) {
			return at, true
		}
	}
	return time.Time{}, false
}

// Carried counts the acknowledged requests that were in flight between start and back and held
// up by it (more than 100 ms, against a few ms normally): requests finapp carried over the
// outage instead of refusing them.
func (l *Load) Carried(start, back time.Time) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for i, at := range l.AckedAt {
		if l.SentAt[i].Before(back) && at.After(start) && at.Sub(l.SentAt[i]) > 100*time.Millisecond {
			n++
		}
	}
	return n
}

// AckCount is the number of payments acknowledged so far.
func (l *Load) AckCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.Acked)
}

// RefusalCount is the number of 503 answers so far.
func (l *Load) RefusalCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Refusals
}

// FailureCount is the number of answers the drill does not allow so far.
func (l *Load) FailureCount() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.Failures
}

// AnyAcked is the id of an acknowledged payment, "" when there is none yet.
func (l *Load) AnyAcked() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, id := range l.Acked {
		return id
	}
	return ""
}

// Finish stops the clients after their current payment (retries included) and waits for them.
func (l *Load) Finish() {
	l.once.Do(func() { close(l.stop) })
	l.wg.Wait()
}
