package finapp

import "context"

// IdempotencyClaim asks the use case serving a request to claim the request's Idempotency-Key
// inside its own transaction, so that the key is claimed if and only if the change committed:
// one durable commit per request instead of three, and no claim is ever left behind by a change
// that did not happen (nor a change without its claim).
type IdempotencyClaim struct {
	Key, RequestHash string

	// ClaimedBefore is set when the key was already claimed: the use case then wrote nothing,
	// and the HTTP layer answers with what the claim holds.
	ClaimedBefore bool
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
