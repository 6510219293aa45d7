package finapp

import "testing"

func TestCreditorReference(t *testing.T) {
	for _, c := range []struct {
		number string
		want   string // the reference, "RF??"+body when only its body is known here, "" for none
	}{
		{"539007547034", "RF18539007547034"}, // the standard's own example: RF18 5390 0754 7034
		{"INV-1001", "RF??INV1001"},
		{"inv 2026/001", "RF??INV2026001"}, // separators out, letters up
		{"123456789012345678901", "RF??123456789012345678901"},
		{"", ""},
		{"--", ""},
		{"Ünïcode-1", ""},
		{"1234567890123456789012", ""}, // 22 characters: more than a reference carries
	} {
		got := CreditorReference(c.number)
		if c.want == "" {
			if got != "" {
				t.Errorf("%q: %q, want none", c.number, got)
			}
			continue
		}
		if len(got) < 5 || (c.want[2:4] != "??" && got != c.want) || got[4:] != c.want[4:] {
			t.Errorf("%q: %q, want %q", c.number, got, c.want)
			continue
		}
		body, ok := ParseCreditorReference(FormatCreditorReference(got))
		if !ok || body != c.want[4:] {
			t.Errorf("%q: %q reads back as %q %v", c.number, got, body, ok)
		}
	}
}

func TestParseCreditorReference(t *testing.T) {
	for _, c := range []struct {
		in   string
		body string
		ok   bool
	}{
		{"RF18 5390 0754 7034", "539007547034", true},
		{"rf18539007547034", "539007547034", true},
		{"RF19 5390 0754 7034", "", false}, // a wrong check digit
		{"RF18 5390 0754 7043", "", false}, // two digits swapped
		{"RF18", "", false},
		{"XX18539007547034", "", false},
		{"RF1853900754703!", "", false},
		{"RF18" + "1234567890123456789012", "", false},
	} {
		body, ok := ParseCreditorReference(c.in)
		if body != c.body || ok != c.ok {
			t.Errorf("%q: %q %v, want %q %v", c.in, body, ok, c.body, c.ok)
		}
	}
}
