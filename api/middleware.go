package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"

	"finapp"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

func writeProblem(w http.ResponseWriter, p *Problem) {
	if after := retryAfter(p.Status); after != "" {
		w.Header().Set("Retry-After", after)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

func errorProblem(err error) *Problem {
	var p *Problem
	errors.As(problem(err), &p)
	return p
}

// recoverPanics turns a panic into a logged 500 instead of a dropped connection.
func recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				slog.Error("panic", "value", v, "path", r.URL.Path)
				writeProblem(w, &Problem{Title: "Internal Server Error", Status: 500, Detail: "internal error", Code: finapp.EInternal})
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// public paths answer without a token: the API's own description.
func public(path string) bool {
	return path == "/v1/openapi.json" || path == "/v1/openapi.yaml" || strings.HasPrefix(path, "/v1/schemas/")
}

// authenticate puts the bearer token's actor into the request context, or answers 401.
func authenticate(auth *finapp.Auth, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if public(r.URL.Path) {
			next.ServeHTTP(w, r)
			return
		}
		scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			w.Header().Set("WWW-Authenticate", `Bearer realm="finapp"`)
			writeProblem(w, errorProblem(finapp.Errorf(finapp.EUnauthorized, "send an API token as Authorization: Bearer <token> (create one with: finapp token create --role finance)")))
			return
		}
		actor, err := auth.Authenticate(r.Context(), strings.TrimSpace(token), clientAddress(r))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="finapp", error="invalid_token"`)
			writeProblem(w, errorProblem(err))
			return
		}
		next.ServeHTTP(w, r.WithContext(finapp.WithActor(r.Context(), actor)))
	})
}

// recorder keeps a copy of the response so that it can be stored for idempotent replay.
type recorder struct {
	http.ResponseWriter
	status int
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	r.status = status
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// idempotent implements Idempotency-Key on POST: the first request's response is stored and
// replayed for the same key and the same request; the same key with another request is refused.
// A request that ended in a 5xx leaves no claim behind, so its client may retry.
func idempotent(keys finapp.IdempotencyKeys, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := r.Header.Get("Idempotency-Key")
		actor, ok := finapp.ActorFrom(r.Context())
		if r.Method != http.MethodPost || key == "" || !ok {
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

		prior, err := keys.ReserveIdempotencyKey(r.Context(), actor.WorkspaceID, key, hash)
		switch {
		case err != nil:
			writeProblem(w, errorProblem(err))
			return
		case prior != nil && prior.RequestHash != hash:
			writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyReused, "Idempotency-Key %q was used for a different request; use a new key for a new request", key)))
			return
		case prior != nil && prior.Status == 0:
			writeProblem(w, errorProblem(finapp.Errorf(finapp.EIdempotencyInFlight, "a request with Idempotency-Key %q is still being processed; retry shortly", key)))
			return
		case prior != nil:
			w.Header().Set("Content-Type", prior.ContentType)
			w.Header().Set("Idempotent-Replayed", "true")
			w.WriteHeader(prior.Status)
			_, _ = w.Write(prior.Body)
			return
		}
		rec := &recorder{ResponseWriter: w}
		defer func() {
			// Store the answer even if the client has gone: the change is committed either way.
			ctx := context.WithoutCancel(r.Context())
			if rec.status == 0 || rec.status >= 500 {
				_ = keys.ReleaseIdempotencyKey(ctx, actor.WorkspaceID, key)
				return
			}
			if err := keys.CompleteIdempotencyKey(ctx, actor.WorkspaceID, key, rec.status, rec.Header().Get("Content-Type"), rec.body.Bytes()); err != nil {
				slog.Error("storing idempotent response", "err", err)
			}
		}()
		next.ServeHTTP(rec, r)
	})
}
