package finapp

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Workspace is one partner's books: its organizations, invoices, payments, journal, audit trail,
// users and tokens. Nothing of one workspace is visible from another.
type Workspace struct {
	ID        string
	Name      string
	CreatedAt time.Time
}

// User is a person who logs in to the web UI, in one workspace with one role.
type User struct {
	ID           string
	WorkspaceID  string
	Email        string
	Role         string
	PasswordHash string
	CreatedAt    time.Time
	DisabledAt   *time.Time
}

// Session is a logged-in browser. Its secret is a cookie; only its hash is stored.
type Session struct {
	ID          string
	WorkspaceID string
	UserID      string
	Email       string // of the user, filled by loads
	Role        string // of the user, filled by loads
	Hash        string
	Address     string // where the login came from
	CreatedAt   time.Time
	ExpiresAt   time.Time
	RevokedAt   *time.Time
}

// MinPasswordLength follows NIST SP 800-63B's advice: long passwords, no composition rules.
const MinPasswordLength = 12

// normalizeEmail validates an address and returns it in the form it is stored and looked up in.
func normalizeEmail(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", Invalid("email", "%q is not an email address", s)
	}
	return s, nil
}

func checkPassword(pw string) error {
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return Invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return Invalid("password", "is longer than 1024 bytes")
	}
	return nil
}

// argon2id parameters: OWASP's minimum recommendation (19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// HashPassword hashes pw with argon2id and a random salt, in the PHC string format.
func HashPassword(pw string) string {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// PasswordMatches reports whether pw hashes to encoded, in constant time.
func PasswordMatches(encoded, pw string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
