package finapp

import (
	"strings"
	"unicode/utf8"
)

// Text rules every string a client sends must keep, at the edges (API and pages) before anything
// reaches a use case or a database: PostgreSQL refuses a NUL byte in text outright (a 500 where
// SQLite stored it), and control characters or broken UTF-8 in a name or a number are never what
// a person meant — they only make two records that look the same differ, or corrupt what is
// shown and exported. Checking once at the edge keeps both engines answering the same.

// multilineFields are the request fields whose text may span lines: tab, line feed and carriage
// return are allowed in them, and in no other field. docs/api.md lists them.
var multilineFields = map[string]bool{
	"remark": true,
}

// MultilineText reports whether field (a name or a JSON path such as "allocations[0].remark") may
// hold multi-line text; its last member decides.
func MultilineText(field string) bool {
	if i := strings.LastIndexAny(field, ".]"); i >= 0 {
		field = field[i+1:]
	}
	return multilineFields[field]
}

// CheckText returns an EInvalid error naming field when s is not valid UTF-8 or holds a control
// character: C0 (U+0000–U+001F), DEL (U+007F) or C1 (U+0080–U+009F). Tab, line feed and carriage
// return are allowed when multiline is true. It returns nil for text that keeps the rules.
func CheckText(field, s string, multiline bool) error {
	for i, r := range s {
		switch {
		case r == utf8.RuneError && !strings.HasPrefix(s[i:], "\uFFFD"):
			return Invalid(field, "is not valid UTF-8 (byte %d)", i)
		case multiline && (r == '\t' || r == '\n' || r == '\r'):
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f):
			what := "a control character"
			if r == 0 {
				what = "a NUL byte"
			}
			return Invalid(field, "contains %s (U+%04X) at byte %d; control characters are not allowed%s", what, r, i, lineHint(multiline))
		}
	}
	return nil
}

func lineHint(multiline bool) string {
	if multiline {
		return " (tab and line breaks are)"
	}
	return " in this field, line breaks and tabs included"
}

// text is the rule for a field of free text a use case stores (a name, a number, a reference, a
// remark): trimmed, at most max characters (characters, not bytes: counting bytes refused a
// 150-character Japanese reference as "longer than 200"), and keeping CheckText's rules, so that text which
// reaches a use case by any road (API, pages, the command line, an imported file) is held to
// the same rules as at the edges.
func text(field, s string, max int) (string, error) {
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) > max {
		return "", Invalid(field, "is longer than %d characters", max)
	}
	if err := CheckText(field, s, MultilineText(field)); err != nil {
		return "", err
	}
	return s, nil
}

// printable turns text from outside that finapp keeps only to show (what a webhook receiver
// answered) into text that keeps CheckText's rules: broken UTF-8 and control characters become a
// space, and it is cut to max characters.
func printable(s string, max int) string {
	var b strings.Builder
	n := 0
	for _, r := range strings.ToValidUTF8(s, " ") {
		if n == max {
			break
		}
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r <= 0x9f) {
			r = ' '
		}
		b.WriteRune(r)
		n++
	}
	return strings.TrimSpace(b.String())
}
