// Package replay keeps what a request made with an Idempotency-Key leaves for its repeats: the
// HTTP response to replay and the store that keeps it. It is the API's own bookkeeping, not the
// books': a use case only claims a key inside its transaction (finapp.IdempotencyClaim).
package replay

import (
	"context"
	"time"
)

// Response is the first response to a request made with an Idempotency-Key, replayed for
// every repeat of that request.
type Response struct {
	RequestHash string
	Status      int // 0 while the first request's response is not stored yet
	ContentType string
	Body        []byte
	// Entity is what the claiming change wrote first ("payment pay_…"), so that a client whose
	// response was lost can be told where to look. Empty for claims made before the request ran.
	Entity    string
	ClaimedAt time.Time
}

// Store remembers requests made with an Idempotency-Key, per workspace.
type Store interface {
	// LookupIdempotencyKey returns the claim on key, or nil. It writes nothing.
	LookupIdempotencyKey(ctx context.Context, workspaceID, key string) (*Response, error)
	// ReserveIdempotencyKey claims key for a request with requestHash before it runs, in a
	// transaction of its own. If the key was claimed before, it returns that claim and claims
	// nothing. For requests that do not claim their key in a use case's own transaction (administration).
	ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*Response, error)
	// CompleteIdempotencyKey stores the response to the request that claimed key.
	CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey forgets an unanswered claim, so that the client may retry.
	ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error
	// StoreIdempotentResponse claims key together with its final response (a refusal: nothing
	// else was written). If the key was claimed meanwhile, it returns that claim instead.
	StoreIdempotentResponse(ctx context.Context, workspaceID, key, requestHash string, status int, contentType string, body []byte) (*Response, error)
}
