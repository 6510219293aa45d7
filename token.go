package finapp

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every API token, so that a leaked one is easy to recognise in a scan.
const TokenPrefix = "fa_"

// NewToken returns a fresh random API token and the hash under which it is stored. The token
// itself is shown once and never stored.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	token = TokenPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return token, HashToken(token)
}

// HashToken is the stored form of a token. A plain SHA-256 suffices: tokens carry 256 random bits,
// so there is nothing for a slow hash to protect.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

// Tokens creates and checks API tokens.
type Tokens interface {
	// CreateToken stores a new token of role in workspace and returns it (shown once).
	CreateToken(ctx context.Context, workspaceID, name, role string) (string, error)
	// Authenticate returns the actor a token stands for, or EUnauthorized.
	Authenticate(ctx context.Context, token string) (Actor, error)
}

// ValidRole reports whether role is one of the three roles.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleFinance || role == RoleViewer
}
