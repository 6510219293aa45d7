package finapp

import "context"

// StoredResponse is the first response to a request made with an Idempotency-Key, replayed for
// every repeat of that request.
type StoredResponse struct {
	RequestHash string
	Status      int // 0 while the first request is still in flight
	ContentType string
	Body        []byte
}

// IdempotencyKeys remembers requests made with an Idempotency-Key, per workspace.
type IdempotencyKeys interface {
	// ReserveIdempotencyKey claims key for a request with requestHash. If the key was claimed
	// before, it returns that claim and claims nothing.
	ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*StoredResponse, error)
	// CompleteIdempotencyKey stores the response to the request that claimed key.
	CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey forgets an unanswered claim, so that the client may retry.
	ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error
}
