package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"finapp"
	"finapp/api/replay"
)

// idempotency implements Idempotency-Key on POST: the first request's response is stored and
// replayed for the same key and the same request; the same key with another request is refused.
//
// A request served by a domain use case claims its key inside the use case's own transaction
// (finapp.IdempotencyClaim), so the key is claimed exactly when the change commits: one durable
// commit per request. Its response is then stored behind it, without making the client wait
// for a second commit. Refusals are stored with their claim in one write; a 5xx leaves no claim,
// so its client may retry. Administration requests (not use cases) reserve their key first.
type idempotency struct {
	keys replay.Store
	// lostAfter is how long a claim may wait for its response to be stored before it counts as
	// lost (the server stopped between committing the change and storing the response): far
	// longer than storing a response takes, even under load.
	lostAfter time.Duration
	pending   sync.WaitGroup
	mu        sync.Mutex
	storing   map[string]chan struct{} // workspace/key → closed when this process has stored its response
}

// reserveFirst lists the writes that are not served by a use case and so cannot claim their key
// in the change's transaction: the administration of tokens and users.
func reserveFirst(path string) bool {
	return path == "/v1/tokens" || path == "/v1/users" || strings.HasPrefix(path, "/v1/tokens/") || strings.HasPrefix(path, "/v1/users/")
}

// keyedMethod reports whether a request of method may carry an Idempotency-Key: every write
// (POST, PUT, PATCH, DELETE), so that a client may repeat any change after a lost answer and
// get the first answer again, not a second change or a confusing refusal (a release repeated
// would answer 404 for the allocation the first one released).
func keyedMethod(method string) bool {
	switch method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		return true
	}
	return false
}

func (m *idempotency) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		actor, ok := finapp.ActorFrom(r.Context())
		// A statement upload is not held for replay (it may be gigabytes): the file's digest is its
		// key, and the same file again is refused naming the statements it made.
		if !keyedMethod(r.Method) || key == "" || !ok || r.URL.Path == statementUploadPath {
			next.ServeHTTP(w, r)
			return
		}
		if len(key) > 255 {
			writeProblem(w, errorProblem(finapp.Invalid("Idempotency-Key", "is longer than 255 characters")))
			return
		}
		body, err := io.ReadAll(r.Body)
		if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
			// The same answer as without an Idempotency-Key: 413, not a 422 about an unreadable body.
			writeProblem(w, &Problem{Type: "about:blank", Title: http.StatusText(http.StatusRequestEntityTooLarge), Status: http.StatusRequestEntityTooLarge,
				Detail: fmt.Sprintf("request body is too large limit=%d bytes", tooLarge.Limit), Code: finapp.EInvalid, Field: "body"})
			return
		}
		if err != nil {
			writeProblem(w, errorProblem(finapp.Invalid("body", "could not be read: %v", err)))
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		h := sha256.New()
		h.Write([]byte(r.Method + " " + r.URL.RequestURI() + "\n"))
		h.Write(body)
		hash := hex.EncodeToString(h.Sum(nil))
		ws := actor.WorkspaceID

		if reserveFirst(r.URL.Path) {
			m.serveReserved(w, r, next, ws, key, hash)
			return
		}
		// No lookup first: the use case claims the key in its own transaction, and a repeat finds
		// the claim there and writes nothing (its work is rolled back with the savepoint). That
		// saves a read on every first request, which is nearly every request.
		claim := &finapp.IdempotencyClaim{Key: key, RequestHash: hash}
		rec := newBufferedResponse()
		next.ServeHTTP(rec, r.WithContext(finapp.WithIdempotencyClaim(r.Context(), claim)))
		switch {
		case claim.ClaimedBefore:
			// A repeat, or a concurrent request with the same key that committed first; this one
			// wrote nothing.
			prior, err := m.keys.LookupIdempotencyKey(r.Context(), ws, key)
			switch {
			case err != nil:
				writeProblem(w, errorProblem(err))
			case prior == nil: // the claim's request failed and freed the key meanwhile
				writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is being retried; retry shortly", key)))
			default:
				m.answerPrior(w, ws, key, hash, m.settled(r.Context(), ws, key, prior))
			}
		case claim.Claimed:
			rec.flushTo(w)
			m.storeBehind(ws, key, rec)
		case rec.status >= 500:
			rec.flushTo(w)
		default:
			// Refused (or answered without a change): store the answer with its claim, so that a
			// retry gets the same answer even if the books change meanwhile.
			ctx := context.WithoutCancel(r.Context())
			prior, err := m.keys.StoreIdempotentResponse(ctx, ws, key, hash, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
			switch {
			case err != nil:
				slog.Error("storing idempotent response", "err", err)
				rec.flushTo(w)
			case prior != nil:
				m.answerPrior(w, ws, key, hash, m.settled(ctx, ws, key, prior))
			default:
				rec.flushTo(w)
			}
		}
	})
}

// settled returns prior, or, when this process is still storing its response (the client had
// it already and repeats quickly), the stored response once it is stored.
func (m *idempotency) settled(ctx context.Context, ws, key string, prior *replay.Response) *replay.Response {
	if prior.Status != 0 || !m.isStoring(ws, key) {
		return prior
	}
	m.awaitStored(ctx, ws, key)
	if again, err := m.keys.LookupIdempotencyKey(ctx, ws, key); err == nil && again != nil {
		return again
	}
	return prior
}

// answerPrior answers a request whose key was claimed before.
func (m *idempotency) answerPrior(w http.ResponseWriter, ws, key, hash string, prior *replay.Response) {
	switch {
	case prior.RequestHash != hash:
		writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyReused, "Idempotency-Key %q was used for a different request; use a new key for a new request", key)))
	case prior.Status == 0 && !m.isStoring(ws, key) && time.Since(prior.ClaimedAt) > m.lostAfter:
		// Claimed long ago and nobody here is storing its response: the server stopped between
		// the commit and storing the response. The change itself is in the books (the claim
		// commits with it) — or, for administration, its outcome is unknown.
		what := "its outcome is unknown"
		if prior.Entity != "" {
			what = "it was applied (" + prior.Entity + ")"
		}
		writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyResponseLost,
			"the request with Idempotency-Key %q was received at %s, but its response was lost when the server stopped: %s; read the current state instead of retrying",
			key, prior.ClaimedAt.UTC().Format(time.RFC3339), what)))
	case prior.Status == 0:
		writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is still being processed; retry shortly", key)))
	default:
		w.Header().Set("Content-Type", prior.ContentType)
		w.Header().Set("Idempotent-Replayed", "true")
		w.WriteHeader(prior.Status)
		_, _ = w.Write(prior.Body)
	}
}

// storeBehind stores a committed request's response after the client has it. Until it is
// stored, a repeat is told the first request is still in flight.
func (m *idempotency) storeBehind(ws, key string, rec *bufferedResponse) {
	id := ws + "/" + key
	stored := make(chan struct{})
	m.mu.Lock()
	m.storing[id] = stored
	m.mu.Unlock()
	m.pending.Add(1)
	go func() {
		defer m.pending.Done()
		// A database that refuses writes for a moment (full disk, restart) must not cost the
		// stored response: retry while it says "unavailable", for up to about 30 s.
		for attempt := 1; ; attempt++ {
			err := m.keys.CompleteIdempotencyKey(context.Background(), ws, key, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes())
			if err == nil {
				break
			}
			if finapp.ErrorCode(err) != finapp.EUnavailable || attempt == 30 {
				slog.Error("storing idempotent response", "key", key, "err", err)
				break
			}
			time.Sleep(time.Duration(min(attempt*attempt*10, 1000)) * time.Millisecond)
		}
		m.mu.Lock()
		delete(m.storing, id)
		m.mu.Unlock()
		close(stored)
	}()
}

func (m *idempotency) isStoring(ws, key string) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.storing[ws+"/"+key] != nil
}

// awaitStored waits while this process stores the response for key.
func (m *idempotency) awaitStored(ctx context.Context, ws, key string) {
	m.mu.Lock()
	stored := m.storing[ws+"/"+key]
	m.mu.Unlock()
	if stored == nil {
		return
	}
	select {
	case <-stored:
	case <-ctx.Done():
	}
}

// drain waits until every response being stored behind is stored, or ctx ends.
func (m *idempotency) drain(ctx context.Context) error {
	done := make(chan struct{})
	go func() { m.pending.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// serveReserved is the path for requests that cannot claim in a use case's transaction: reserve
// the key, run the request, store its answer (or forget the claim after a 5xx).
func (m *idempotency) serveReserved(w http.ResponseWriter, r *http.Request, next http.Handler, ws, key, hash string) {
	prior, err := m.keys.ReserveIdempotencyKey(r.Context(), ws, key, hash)
	if err != nil {
		writeProblem(w, errorProblem(err))
		return
	}
	if prior != nil {
		m.answerPrior(w, ws, key, hash, prior)
		return
	}
	rec := newBufferedResponse()
	next.ServeHTTP(rec, r)
	// Store the answer even if the client has gone: the change is committed either way.
	ctx := context.WithoutCancel(r.Context())
	if rec.status >= 500 {
		_ = m.keys.ReleaseIdempotencyKey(ctx, ws, key)
	} else if err := m.keys.CompleteIdempotencyKey(ctx, ws, key, rec.status, rec.header.Get("Content-Type"), rec.body.Bytes()); err != nil {
		slog.Error("storing idempotent response", "err", err)
	}
	rec.flushTo(w)
}

// bufferedResponse holds a response until the middleware knows whether to send it: a request
// that lost the race for its key must answer with the first request's response instead.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse { return &bufferedResponse{header: http.Header{}} }

func (b *bufferedResponse) Header() http.Header { return b.header }

func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) flushTo(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}
