package finapp_test

import (
	"errors"
	"testing"

	"finapp"
)

func TestCheckText_RefusesControlCharactersAndBrokenUTF8(t *testing.T) {
	for _, c := range []struct {
		name      string
		s         string
		multiline bool
		ok        bool
	}{
		{"plain", "Acme Pte Ltd", false, true},
		{"empty", "", false, true},
		{"accents and CJK", "Société Générale 株式会社", false, true},
		{"emoji", "paid 💸", false, true},
		{"replacement character sent as such", "a\uFFFDb", false, true},
		{"NUL", "a\x00b", false, false},
		{"NUL alone", "\x00", false, false},
		{"NUL in multi-line text", "line\x00", true, false},
		{"SOH", "\x01", false, false},
		{"unit separator", "a\x1fb", false, false},
		{"escape", "\x1b[31mred", true, false},
		{"DEL", "a\x7f", false, false},
		{"C1 NEL", "a\u0085b", false, false},
		{"C1 first", "\u0080", false, false},
		{"C1 last", "\u009f", true, false},
		{"just after C1", "\u00a0", false, true},
		{"tab in a name", "a\tb", false, false},
		{"newline in a name", "a\nb", false, false},
		{"carriage return in a name", "a\rb", false, false},
		{"tab in a remark", "a\tb", true, true},
		{"lines in a remark", "first\r\nsecond\n", true, true},
		{"invalid byte", "a\xffb", false, false},
		{"invalid byte in multi-line text", "\xff", true, false},
		{"truncated sequence", "caf\xc3", false, false},
		{"overlong encoding", "\xc0\xaf", false, false},
		{"surrogate encoded", "\xed\xa0\x80", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			err := finapp.CheckText("name", c.s, c.multiline)
			if c.ok {
				if err != nil {
					t.Fatalf("CheckText(%q) = %v, want nil", c.s, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckText(%q) = nil, want a refusal", c.s)
			}
			var e *finapp.Error
			if !errors.As(err, &e) || e.Code != finapp.EInvalid || e.Field != "name" {
				t.Fatalf("CheckText(%q) = %#v, want EInvalid naming field name", c.s, err)
			}
		})
	}
}

func TestMultilineText_IsDecidedByTheLastMember(t *testing.T) {
	for field, want := range map[string]bool{
		"remark": true, "payments[2].remark": true, "lines[0].remark": true,
		"name": false, "reference": false, "remarks": false, "remark.name": false, "": false,
	} {
		if got := finapp.MultilineText(field); got != want {
			t.Errorf("MultilineText(%q) = %v, want %v", field, got, want)
		}
	}
}
