package webhook

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"
)

// Sender posts webhook messages to endpoints, one attempt per call; retries and their schedule
// belong to the dispatcher that calls it.
type Sender struct {
	Policy Policy
	// Timeout bounds one attempt, connection included (default 10 s: a 2xx later than that is
	// a failure).
	Timeout time.Duration
	// SnippetBytes is how much of a response body is kept for the delivery log (default 1 KiB);
	// no more than that is ever read.
	SnippetBytes int
	// UserAgent names finapp to the receiver.
	UserAgent string
	client    *http.Client
}

// Attempt is what one delivery attempt saw.
type Attempt struct {
	Status   int // 0 when no response arrived
	Duration time.Duration
	Snippet  string // the start of the response body, valid UTF-8
	Err      error  // nil exactly when Status is 2xx
}

// Delivered reports whether the receiver acknowledged the message (a 2xx in time).
func (a Attempt) Delivered() bool { return a.Err == nil }

// NewSender returns a sender whose connections are checked against p at connect time: the address
// a host name resolves to when the attempt runs is the one judged, so a name that resolved to a
// public address when the endpoint was saved and to an internal one now (DNS rebinding) is
// refused. Redirects are not followed, proxies from the environment are not used (a proxy would
// connect on finapp's behalf, past the check).
func NewSender(p Policy, timeout time.Duration) *Sender {
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	s := &Sender{Policy: p, Timeout: timeout, SnippetBytes: 1024, UserAgent: "finapp-webhooks/1"}
	dialer := &net.Dialer{Timeout: timeout, Control: func(_, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("%w: %s", ErrTarget, address)
		}
		return p.CheckAddr(ap.Addr())
	}}
	transport := &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   timeout,
		ResponseHeaderTimeout: timeout,
		MaxIdleConnsPerHost:   2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	s.client = &http.Client{
		Transport:     transport,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return s
}

// Send makes one attempt to deliver m to url, signed with secrets. The URL is checked against the
// policy first (a saved endpoint may predate a stricter policy).
func (s *Sender) Send(ctx context.Context, url string, m Message, secrets ...string) Attempt {
	start := time.Now()
	fail := func(err error) Attempt { return Attempt{Duration: time.Since(start), Err: err} }
	if err := s.Policy.CheckURL(url); err != nil {
		return fail(err)
	}
	h, err := Headers(m, secrets...)
	if err != nil {
		return fail(err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(m.Body))
	if err != nil {
		return fail(fmt.Errorf("%w: %v", ErrTarget, err))
	}
	req.Header = h
	req.Header.Set("User-Agent", s.UserAgent)
	res, err := s.client.Do(req)
	if err != nil {
		return fail(err)
	}
	defer res.Body.Close()
	snippet, _ := io.ReadAll(io.LimitReader(res.Body, int64(s.SnippetBytes)))
	a := Attempt{Status: res.StatusCode, Duration: time.Since(start), Snippet: validUTF8(snippet)}
	if res.StatusCode < 200 || res.StatusCode > 299 {
		a.Err = fmt.Errorf("the endpoint answered %d", res.StatusCode)
		if res.StatusCode >= 300 && res.StatusCode < 400 {
			a.Err = fmt.Errorf("the endpoint answered %d (a redirect, which is not followed)", res.StatusCode)
		}
	}
	return a
}

// IsRefusedTarget reports whether an attempt failed because its target is not allowed (rather
// than because the receiver failed).
func IsRefusedTarget(err error) bool { return errors.Is(err, ErrTarget) }

// validUTF8 keeps the snippet printable in logs and JSON: a body cut mid-character, or binary,
// loses the broken bytes.
func validUTF8(b []byte) string {
	return string(bytes.ToValidUTF8(b, []byte("\uFFFD")))
}
