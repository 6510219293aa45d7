// Package reqlog writes the operator's log of HTTP requests: one structured line per request —
// method, route pattern, status, duration, bytes, workspace, actor, request id, and for every
// 4xx or 5xx the reason — and carries the request id in and out (X-Request-Id). It never logs a
// header's secret, a query string or a body: the reason of a refusal is read from the problem
// document finapp itself wrote (its code and detail), which names fields, never their values'
// secrets.
package reqlog

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Header is the request id's header, accepted from the client (or a proxy before it) and
// returned on every answer.
const Header = "X-Request-Id"

// Info is what the layers of a request learn about it for its log line; each sets its part.
type Info struct {
	mu        sync.Mutex
	id        string
	route     string
	workspace string
	actor     string
	code      string
	reason    string
}

type infoKey struct{}

func from(ctx context.Context) *Info {
	i, _ := ctx.Value(infoKey{}).(*Info)
	return i
}

// ID returns the request id of ctx's request, or "".
func ID(ctx context.Context) string {
	if i := from(ctx); i != nil {
		return i.id
	}
	return ""
}

// SetRoute names the route pattern that served the request ("POST /v1/payments/{id}/allocations",
// "GET /payments/{id}"): the log's and the metrics' label, never the path with its ids.
func SetRoute(ctx context.Context, route string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.route = route
		i.mu.Unlock()
	}
}

// SetCaller names who made the request: the workspace and the actor as the audit trail names it.
func SetCaller(ctx context.Context, workspace, actor string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.workspace, i.actor = workspace, actor
		i.mu.Unlock()
	}
}

// SetReason says why the request was refused or failed, for an answer that is no problem
// document (a page): the error code and its sentence for people.
func SetReason(ctx context.Context, code, reason string) {
	if i := from(ctx); i != nil {
		i.mu.Lock()
		i.code, i.reason = code, reason
		i.mu.Unlock()
	}
}

// Observer is told of every request answered: its route ("" when none matched), status and time.
type Observer func(route string, status int, took time.Duration)

// Middleware logs every request next answers to log, and tells observe (when not nil).
func Middleware(log *slog.Logger, observe Observer, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		info := &Info{id: requestID(r.Header.Get(Header))}
		w.Header().Set(Header, info.id)
		rec := &recorder{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(rec, r.WithContext(context.WithValue(r.Context(), infoKey{}, info)))
		took := time.Since(start)

		info.mu.Lock()
		route, workspace, actor, code, reason := info.route, info.workspace, info.actor, info.code, info.reason
		info.mu.Unlock()
		if observe != nil {
			observe(route, rec.status, took)
		}
		attrs := []slog.Attr{
			slog.String("method", r.Method), slog.String("route", route), slog.Int("status", rec.status),
			slog.Float64("duration_ms", float64(took.Microseconds())/1000), slog.Int64("bytes", rec.bytes),
			slog.String("workspace", workspace), slog.String("actor", actor), slog.String("request_id", info.id),
		}
		level := slog.LevelInfo
		if rec.status >= 400 {
			level = slog.LevelWarn
			if rec.status >= 500 {
				level = slog.LevelError
			}
			if code == "" {
				code, reason = rec.reason()
			}
			attrs = append(attrs, slog.String("code", code), slog.String("reason", reason))
		}
		log.LogAttrs(r.Context(), level, "request", attrs...)
	})
}

// requestID keeps a client's request id when it is a plain token (so that it can be searched for
// and cannot forge log lines), and makes one otherwise.
func requestID(given string) string {
	if len(given) > 0 && len(given) <= 128 && strings.Trim(given, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:") == "" {
		return given
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// maxReason bounds how much of an error answer is kept to find its reason.
const maxReason = 4096

// recorder notes the status, the size and, for an error, the start of the answer.
type recorder struct {
	http.ResponseWriter
	status  int
	bytes   int64
	wrote   bool
	errBody bytes.Buffer
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.status, r.wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	r.wrote = true
	if r.status >= 400 && r.errBody.Len() < maxReason {
		r.errBody.Write(b[:min(len(b), maxReason-r.errBody.Len())])
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flushes, deadlines).
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// reason is the code and detail of the problem document an error answer carries, or the status
// text when it carries none (a page).
func (r *recorder) reason() (code, detail string) {
	var p struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	if strings.Contains(r.Header().Get("Content-Type"), "json") && json.Unmarshal(r.errBody.Bytes(), &p) == nil && p.Code != "" {
		return p.Code, p.Detail
	}
	return "", http.StatusText(r.status)
}
