package mt940

import (
	"strings"
	"unicode/utf8"

	"finapp"
)

// The information to the account owner (:86:) after a statement line: free text, or the
// structured sub-fields German banks write (the DFÜ agreement's "?NN" fields), whose remittance
// lines carry SEPA keys (EREF+, SVWZ+, …).

// sepaKeys are the keys that split SEPA remittance lines into their parts. Only the text after
// SVWZ+ (and text before any key) is remittance text; EREF+ is the end-to-end id; the others
// (mandate, creditor id, original amounts, ultimate parties) are not the books'.
var sepaKeys = map[string]bool{
	"EREF+": true, "KREF+": true, "MREF+": true, "CRED+": true, "DEBT+": true, "SVWZ+": true,
	"ABWA+": true, "ABWE+": true, "COAM+": true, "OAMT+": true, "BREF+": true, "RREF+": true,
	"PURP+": true,
}

// info puts what a :86: field says into e; text holds the field's lines joined by "\n".
func info(e *finapp.BankEntry, text string) {
	flat := strings.ReplaceAll(text, "\n", "")
	if !structured(flat) {
		// Free text: the lines are wrapped at 65 characters, so a line break is a space.
		e.RemittanceText = oneSpaced(text)
		e.StructuredReference = rfIn(e.RemittanceText)
		return
	}
	// Sub-fields may wrap anywhere, even inside a word, so the lines join with nothing between.
	var remittance, name strings.Builder
	for code, val := range subfields(flat) {
		switch {
		case code == 0:
			if e.AdditionalInfo == "" {
				e.AdditionalInfo = strings.TrimSpace(val)
			}
		case (code >= 20 && code <= 29) || (code >= 60 && code <= 63):
			// A remittance line is cut where it is full (27 characters), even inside a word.
			remittance.WriteString(val)
		case code == 31:
			e.CounterpartyIBAN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(val), " ", ""))
		case code == 32 || code == 33:
			name.WriteString(val) // the name, too, is cut where ?32 is full
		}
	}
	e.CounterpartyName = strings.TrimSpace(name.String())
	var texts []string
	for key, val := range sepaParts(remittance.String()) {
		switch key {
		case "", "SVWZ+":
			if val = strings.TrimSpace(val); val != "" {
				texts = append(texts, val)
			}
		case "EREF+":
			if val = strings.TrimSpace(val); val != "NOTPROVIDED" {
				e.EndToEndID = val
			}
		}
	}
	e.RemittanceText = oneSpaced(strings.Join(texts, " "))
	e.StructuredReference = rfIn(e.RemittanceText)
	if e.StructuredReference == "" {
		e.StructuredReference = rfIn(e.EndToEndID)
	}
}

// oneSpaced is s with each run of white space (line breaks too) one space, and none at either
// end; s itself when it is so already, which is the common case and costs nothing.
func oneSpaced(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		space := c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
		if space && (c != ' ' || i == 0 || i == len(s)-1 || s[i+1] == ' ') || c >= utf8.RuneSelf {
			return strings.Join(strings.Fields(s), " ")
		}
	}
	return s
}

// structured says whether a :86: field is written in sub-fields: a business transaction code of
// three digits (or none) and then "?NN".
func structured(s string) bool {
	if len(s) >= 4 && digits(s[:3]) {
		s = s[3:]
	}
	return len(s) >= 3 && s[0] == '?' && isDigit(s[1]) && isDigit(s[2])
}

// subfields yields the "?NN" sub-fields of s with their values, in order.
func subfields(s string) func(yield func(int, string) bool) {
	return func(yield func(int, string) bool) {
		code, start := -1, 0
		for i := 0; i+2 < len(s); i++ {
			if s[i] != '?' || !isDigit(s[i+1]) || !isDigit(s[i+2]) {
				continue
			}
			if code >= 0 && !yield(code, s[start:i]) {
				return
			}
			code, start = num(s[i+1:i+3]), i+3
			i += 2
		}
		if code >= 0 {
			yield(code, s[start:])
		}
	}
}

// sepaParts yields the parts of SEPA remittance lines by key ("" for text before any key).
func sepaParts(s string) func(yield func(string, string) bool) {
	return func(yield func(string, string) bool) {
		key, start := "", 0
		for i := 4; i < len(s); i++ {
			if s[i] != '+' || !sepaKeys[s[i-4:i+1]] {
				continue
			}
			if (key != "" || i-4 > start) && !yield(key, s[start:i-4]) {
				return
			}
			key, start = s[i-4:i+1], i+1
		}
		if key != "" || start < len(s) {
			yield(key, s[start:])
		}
	}
}

// rfIn picks the first ISO 11649 creditor reference out of s ("RF" and two check digits, then up
// to 21 letters and digits, as one word or printed in groups of four) and returns it in capitals
// without spaces, or "" for none. Its check digits are the books' to judge; they serve here only
// to tell where a reference printed in groups ends when a word of four follows it.
func rfIn(s string) string {
	for i := 0; i+4 <= len(s); i++ {
		if (s[i] != 'R' && s[i] != 'r') || (s[i+1] != 'F' && s[i+1] != 'f') || !digits(s[i+2:i+4]) {
			continue
		}
		if i > 0 && isAlnum(s[i-1]) {
			continue
		}
		if ref := rfAt(s[i:]); ref != "" {
			return ref
		}
	}
	return ""
}

// rfAt reads the reference at the start of s, which starts with "RF" and two digits.
func rfAt(s string) string {
	rest := s[4:]
	if rest != "" && isAlnum(rest[0]) {
		// One word: the whole of it, or nothing.
		n := alnumRun(rest)
		if n > 21 {
			return ""
		}
		return strings.ToUpper(s[:4+n])
	}
	// Groups of four after a single space, the last possibly shorter.
	ref := strings.ToUpper(s[:4])
	var candidates []string
	for len(rest) > 1 && rest[0] == ' ' && isAlnum(rest[1]) {
		n := alnumRun(rest[1:])
		if n > 4 || len(ref)-4+n > 21 {
			break
		}
		ref += strings.ToUpper(rest[1 : 1+n])
		candidates = append(candidates, ref)
		rest = rest[1+n:]
		if n < 4 {
			break
		}
	}
	for i := len(candidates) - 1; i >= 0; i-- {
		if _, ok := finapp.ParseCreditorReference(candidates[i]); ok {
			return candidates[i]
		}
	}
	if len(candidates) == 0 {
		return ""
	}
	return candidates[len(candidates)-1]
}

func alnumRun(s string) int {
	n := 0
	for n < len(s) && isAlnum(s[n]) {
		n++
	}
	return n
}

func isAlnum(c byte) bool {
	return isDigit(c) || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')
}
