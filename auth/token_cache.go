package auth

import (
	"sync"
	"time"
)

// tokenCacheTTL is how long an authenticated API token is trusted without reading it again.
// Revoking a token in this process takes effect at once; one revoked through another server
// process works there for at most this long.
const tokenCacheTTL = 2 * time.Second

// maxCachedTokens bounds the cache; past it, it is emptied (tokens are few; a flood of unknown
// tokens is never cached, since only found tokens are).
const maxCachedTokens = 10_000

// tokenCache remembers recently authenticated tokens by hash, so that a client's stream of
// requests does not read the token table on every request (one read transaction of the few a
// request makes; docs/benchmarks.md).
type tokenCache struct {
	mu     sync.Mutex
	byHash map[string]cachedToken
}

type cachedToken struct {
	token *Token
	until time.Time
}

func (c *tokenCache) get(hash string, now time.Time) *Token {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.byHash[hash]; ok && now.Before(e.until) {
		return e.token
	}
	return nil
}

func (c *tokenCache) put(hash string, t *Token, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil || len(c.byHash) >= maxCachedTokens {
		c.byHash = map[string]cachedToken{}
	}
	c.byHash[hash] = cachedToken{token: t, until: now.Add(tokenCacheTTL)}
}

// forget empties the cache (after a revocation).
func (c *tokenCache) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byHash = nil
}
