package auth_test

import (
	"errors"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
)

// An email is stored in one form, and an address that would look like another one in a list or
// in the audit trail is refused.
func TestNormalizeEmail(t *testing.T) {
	for _, c := range []struct {
		in, want string // want "" means refused
	}{
		{"ana@example.com", "ana@example.com"},
		{"  Ana@Example.COM ", "ana@example.com"},
		{"ａｎａ@example.com", "ana@example.com"},         // full-width letters fold (NFKC)
		{"ﬁnance@example.com", "finance@example.com"},  // the "fi" ligature folds
		{"josé@example.com", "josé@example.com"},       // Latin with an accent is one script
		{"jose\u0301@example.com", "josé@example.com"}, // combining accent composes
		{"иван@пример.рф", "иван@пример.рф"},           // all Cyrillic
		{"user7@example-2.com", "user7@example-2.com"}, // digits go with any script
		{"山田@例え.jp", "山田@例え.jp"},                       // Han with Hiragana (Japanese)
		{"ana\u200b@example.com", ""},                  // zero-width space
		{"an\u200da@example.com", ""},                  // zero-width joiner
		{"\ufeffana@example.com", ""},                  // byte order mark
		{"ana@exa\u00admple.com", ""},                  // soft hyphen
		{"ana\u202e@example.com", ""},                  // right-to-left override
		{"ana\x00@example.com", ""},                    // NUL
		{"ana\x7f@example.com", ""},                    // DEL
		{"ana\t@example.com", ""},                      // tab inside
		{"\u0430na@example.com", ""},                   // Cyrillic а among Latin
		{"ana@ex\u0430mple.com", ""},                   // in the domain
		{"ana@example.c\u043em", ""},                   // in the top-level domain
		{"p\u03b1ypal@example.com", ""},                // Greek alpha among Latin
		{"ana@example.com\xff", ""},                    // invalid UTF-8
		{"not an address", ""},
		{"Ana <ana@example.com>", ""},
		{"", ""},
		{strings.Repeat("a", 250) + "@example.com", ""},
	} {
		got, err := auth.NormalizeEmail(c.in)
		if c.want == "" {
			var fe *finapp.Error
			if !errors.As(err, &fe) || fe.Code != finapp.EInvalid || fe.Field != "email" {
				t.Errorf("%q: %q, %v; want refused as an invalid email", c.in, got, err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%q: %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// A user with a look-alike address cannot be created next to the real one, and a login with the
// full-width spelling of an address finds that address.
func TestCreateUser_RefusesLookAlikeEmails(t *testing.T) {
	w := newAuthWorld(t)
	w.user("ana@example.com", finapp.RoleFinance)
	for _, email := range []string{"ana\u200b@example.com", "\u0430na@example.com", "ANA@EXAMPLE.COM", "ａｎａ@example.com"} {
		if _, err := w.auth.CreateUser(w.ctx, finapp.DefaultWorkspace, email, finapp.RoleAdmin, goodPassword); err == nil {
			t.Errorf("%q: created next to ana@example.com", email)
		}
	}
	w.mustLogin("ａｎａ@example.com", goodPassword, "192.0.2.1")
}

func TestCheckPassword(t *testing.T) {
	for _, c := range []struct {
		password string
		ok       bool
	}{
		{"correct horse battery staple", true},
		{"Tr0ub4dor&3 is long now", true},
		{"twelve chars", true},
		{"ünïcödé pässwörd", true},
		{"", false},
		{"elevenchars", false},
		{strings.Repeat(" ", 12), false}, // only spaces
		{"\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000\u3000", false}, // ideographic spaces
		{" \t \t \t \t \t \t", false},
		{"long password\twith a tab", false},
		{"long password\nwith a newline", false},
		{"long password\rwith a return", false},
		{"long password\x00with a NUL", false},
		{"long password\x1bwith an escape", false},
		{"long password\u0085with NEL", false},
		{"password1234", false}, // common
		{"Password1234", false}, // in any case
		{"PASSWORD1234", false},
		{"123456789012", false},
		{"qwertyuiop12", false},
		{"qwertyuiop123", false},
		{"1q2w3e4r5t6y", false},
		{"iloveyou1234", false},
		{"welcome@2026", false},
		{"aaaaaaaaaaaa", false},
		{"bad\xffutf8 password", false},
		{strings.Repeat("p", 1025), false},
	} {
		err := auth.CheckPassword(c.password)
		if c.ok != (err == nil) {
			t.Errorf("%q: %v", c.password, err)
		}
		if err != nil {
			var fe *finapp.Error
			if !errors.As(err, &fe) || fe.Code != finapp.EInvalid || fe.Field != "password" {
				t.Errorf("%q: %#v, want invalid password", c.password, err)
			}
		}
	}
}
