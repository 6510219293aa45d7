package sqlstore

import "testing"

// TestFTSTrigrams: q's query for the trigram indexes covers every character of q with trigrams
// three apart and the last, counts characters rather than bytes, and keeps a double quote literal.
func TestFTSTrigrams(t *testing.T) {
	for _, c := range []struct{ q, want string }{
		{"abc", `"abc"`},
		{"abcd", `"abc" AND "bcd"`},
		{"abcdef", `"abc" AND "def"`},
		{"qzkd Org 000123", `"qzk" AND "d O" AND "rg " AND "000" AND "123"`},
		{"Straße", `"Str" AND "aße"`},
		{"日本電信", `"日本電" AND "本電信"`},
		{`n "Qu`, `"n """ AND """Qu"`},
		{`"""`, `""""""""`},
	} {
		if got := ftsTrigrams(c.q); got != c.want {
			t.Errorf("ftsTrigrams(%q) = %s, want %s", c.q, got, c.want)
		}
	}
}
