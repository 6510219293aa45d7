package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"finapp"
	"finapp/auth"
	"finapp/reqlog"
)

// maxBodyBytes bounds every request body.
const maxBodyBytes = 1 << 20

func writeProblem(w http.ResponseWriter, p *Problem) {
	if after := retryAfter(p.Status, p.Code); after != "" {
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
				slog.Error("panic", "value", v, "path", r.URL.Path, "request_id", reqlog.ID(r.Context()))
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
func authenticate(au *auth.Auth, next http.Handler) http.Handler {
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
		actor, err := au.Authenticate(r.Context(), strings.TrimSpace(token), clientAddress(r))
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="finapp", error="invalid_token"`)
			writeProblem(w, errorProblem(err))
			return
		}
		reqlog.SetCaller(r.Context(), actor.WorkspaceID, actor.Name)
		next.ServeHTTP(w, r.WithContext(finapp.WithActor(r.Context(), actor)))
	})
}
