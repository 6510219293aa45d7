package auth

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
	"golang.org/x/text/unicode/norm"

	"finapp"
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

// LoginAttempt is one login tried: stored as a failure before the password is checked, so that
// the throttling counts it whatever happens next, and marked ok once the password matched.
type LoginAttempt struct {
	ID      string
	Email   string
	Address string
	OK      bool
	At      time.Time
}

// MinPasswordLength follows NIST SP 800-63B's advice: long passwords, no composition rules.
const MinPasswordLength = 12

// foldEmail is the form in which an address is stored and looked up: NFKC (so that a
// full-width or ligature spelling is the same address), lower case, without surrounding space.
func foldEmail(s string) string {
	return strings.ToLower(strings.TrimSpace(norm.NFKC.String(s)))
}

// NormalizeEmail validates an address and returns it in the form it is stored and looked up in.
// Besides the syntax it refuses what would let two addresses look alike in lists and in the
// audit trail: invisible (format) and control characters, and a local part or domain label that
// mixes scripts (a Cyrillic "а" among Latin letters). Errors: EInvalid naming "email".
func NormalizeEmail(s string) (string, error) {
	if !utf8.ValidString(s) {
		return "", finapp.Invalid("email", "is not valid UTF-8")
	}
	s = foldEmail(s)
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Cf, r):
			return "", finapp.Invalid("email", "holds an invisible character (U+%04X)", r)
		case unicode.IsControl(r):
			return "", finapp.Invalid("email", "holds a control character (U+%04X)", r)
		}
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		return "", finapp.Invalid("email", "%q is not an email address", s)
	}
	local, domain, _ := strings.Cut(s, "@")
	parts := append([]string{local}, strings.Split(domain, ".")...)
	for _, p := range parts {
		if mixedScripts(p) {
			return "", finapp.Invalid("email", "%q mixes scripts (e.g. Latin and Cyrillic letters) in %q, which can pass for another address", s, p)
		}
	}
	return s, nil
}

// scripts an address's letters are checked against; a letter of none of them counts as its own.
var scripts = []*unicode.RangeTable{unicode.Latin, unicode.Cyrillic, unicode.Greek, unicode.Armenian, unicode.Hebrew,
	unicode.Arabic, unicode.Georgian, unicode.Cherokee, unicode.Thai, unicode.Devanagari, unicode.Hangul,
	unicode.Han, unicode.Hiragana, unicode.Katakana}

// mixedScripts reports whether s holds letters of more than one script. Digits and punctuation
// (the Common script) go with any. Japanese mixes Han, Hiragana and Katakana by nature, so those
// count as one.
func mixedScripts(s string) bool {
	seen := -1
	for _, r := range s {
		if !unicode.IsLetter(r) {
			continue
		}
		script := len(scripts)
		for i, t := range scripts {
			if unicode.Is(t, r) {
				script = i
				break
			}
		}
		if t := scripts[min(script, len(scripts)-1)]; script < len(scripts) && (t == unicode.Hiragana || t == unicode.Katakana) {
			script = slices.Index(scripts, unicode.Han)
		}
		if seen >= 0 && script != seen {
			return true
		}
		seen = script
	}
	return false
}

// CheckPassword refuses a password that is too short or too long, blank, holds a control
// character, or is one of the most common passwords. Errors: EInvalid naming "password".
func CheckPassword(pw string) error {
	if !utf8.ValidString(pw) {
		return finapp.Invalid("password", "is not valid UTF-8")
	}
	if utf8.RuneCountInString(pw) < MinPasswordLength {
		return finapp.Invalid("password", "must be at least %d characters", MinPasswordLength)
	}
	if len(pw) > 1024 {
		return finapp.Invalid("password", "is longer than 1024 bytes")
	}
	if strings.TrimFunc(pw, unicode.IsSpace) == "" {
		return finapp.Invalid("password", "is only spaces")
	}
	for _, r := range pw {
		if unicode.IsControl(r) {
			return finapp.Invalid("password", "holds a control character (tab, line break or similar)")
		}
	}
	if commonPassword(pw) {
		return finapp.Invalid("password", "is one of the most common passwords; choose another")
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
