package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"strings"
	"time"
)

// TokenPrefix starts every API token and SessionPrefix every session token, so that a leaked one
// is easy to recognise in a scan.
const (
	TokenPrefix   = "fa_"
	SessionPrefix = "fs_"
)

// Token is an API token's stored form: its hash, never the token itself.
type Token struct {
	ID          string
	WorkspaceID string
	Name        string
	Role        string
	Hash        string
	CreatedAt   time.Time
	ExpiresAt   *time.Time
	RevokedAt   *time.Time
}

// Live reports whether the token may be used at now.
func (t *Token) Live(now time.Time) bool {
	return t.RevokedAt == nil && (t.ExpiresAt == nil || now.Before(*t.ExpiresAt))
}

// newSecret returns a fresh random secret with prefix and the hash under which it is stored. The
// secret itself is shown once and never stored.
func newSecret(prefix string) (secret, hash string) {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	secret = prefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return secret, HashToken(secret)
}

// NewToken returns a fresh API token and its stored hash.
func NewToken() (token, hash string) { return newSecret(TokenPrefix) }

// HashToken is the stored form of a token or session secret. A plain SHA-256 suffices: they carry
// 256 random bits, so there is nothing for a slow hash to protect.
func HashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}
