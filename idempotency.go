package finapp

import (
	"context"
	"time"
)

// StoredResponse is the first response to a request made with an Idempotency-Key, replayed for
// every repeat of that request.
type StoredResponse struct {
	RequestHash string
	Status      int // 0 while the first request's response is not stored yet
	ContentType string
	Body        []byte
	// Entity is what the claiming change wrote first ("payment pay_…"), so that a client whose
	// response was lost can be told where to look. Empty for claims made before the request ran.
	Entity    string
	ClaimedAt time.Time
}

// IdempotencyKeys remembers requests made with an Idempotency-Key, per workspace.
type IdempotencyKeys interface {
	// LookupIdempotencyKey returns the claim on key, or nil. It writes nothing.
	LookupIdempotencyKey(ctx context.Context, workspaceID, key string) (*StoredResponse, error)
	// ReserveIdempotencyKey claims key for a request with requestHash before it runs, in a
	// transaction of its own. If the key was claimed before, it returns that claim and claims
	// nothing. For requests that do not go through Service.write (administration).
	ReserveIdempotencyKey(ctx context.Context, workspaceID, key, requestHash string) (*StoredResponse, error)
	// CompleteIdempotencyKey stores the response to the request that claimed key.
	CompleteIdempotencyKey(ctx context.Context, workspaceID, key string, status int, contentType string, body []byte) error
	// ReleaseIdempotencyKey forgets an unanswered claim, so that the client may retry.
	ReleaseIdempotencyKey(ctx context.Context, workspaceID, key string) error
	// StoreIdempotentResponse claims key together with its final response (a refusal: nothing
	// else was written). If the key was claimed meanwhile, it returns that claim instead.
	StoreIdempotentResponse(ctx context.Context, workspaceID, key, requestHash string, status int, contentType string, body []byte) (*StoredResponse, error)
}

// IdempotencyClaim asks the use case serving a request to claim the request's Idempotency-Key
// inside its own transaction, so that the key is claimed if and only if the change committed:
// one durable commit per request instead of three, and no claim is ever left behind by a change
// that did not happen (nor a change without its claim).
type IdempotencyClaim struct {
	Key, RequestHash string

	// Prior is set when the key was already claimed: the use case then wrote nothing.
	Prior *StoredResponse
	// Claimed is set when the use case committed with the claim; its response is still to be
	// stored (CompleteIdempotencyKey).
	Claimed bool
}

type claimKey struct{}

// WithIdempotencyClaim returns ctx carrying c for the use case to claim.
func WithIdempotencyClaim(ctx context.Context, c *IdempotencyClaim) context.Context {
	return context.WithValue(ctx, claimKey{}, c)
}

func idempotencyClaimFrom(ctx context.Context) *IdempotencyClaim {
	c, _ := ctx.Value(claimKey{}).(*IdempotencyClaim)
	return c
}

// errClaimedBefore abandons a use case whose Idempotency-Key turned out to be claimed already;
// the HTTP layer answers from IdempotencyClaim.Prior instead.
var errClaimedBefore = &Error{Code: EIdempotencyInFlight, Message: "this Idempotency-Key was claimed by an earlier request"}
