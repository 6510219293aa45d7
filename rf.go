package finapp

import (
	"strings"
)

// ISO 11649 creditor references (SPEC §6.4): "RF", two check digits, and up to 21 letters and
// digits. finapp prints one on every invoice whose number it can carry, so that a payer's bank
// passes it back in the structured reference of the transfer and the line names its invoice
// beyond doubt. The reference is made from the invoice number itself, its separators left out:
// no column to keep, and a person reading RF18INV2026001 still sees INV-2026-001 in it.

// rfSeparators are the characters of an invoice number a creditor reference leaves out.
const rfSeparators = "-/ ._#:"

// rfBody is what of an invoice number a creditor reference carries: its letters (upper-cased)
// and digits without separators; "" when it has any other character or too many.
func rfBody(number string) string {
	var b strings.Builder
	for _, r := range number {
		switch {
		case r >= '0' && r <= '9', r >= 'A' && r <= 'Z':
			b.WriteRune(r)
		case r >= 'a' && r <= 'z':
			b.WriteRune(r - 'a' + 'A')
		case strings.ContainsRune(rfSeparators, r):
		default:
			return ""
		}
	}
	if b.Len() == 0 || b.Len() > 21 {
		return ""
	}
	return b.String()
}

// rfMod97 is the number ISO 7064 MOD 97-10 reads in s (letters A=10 … Z=35), modulo 97.
func rfMod97(s string) int {
	m := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			m = (m*10 + int(r-'0')) % 97
		default:
			v := int(r-'A') + 10
			m = (m*100 + v) % 97
		}
	}
	return m
}

// CreditorReference is the ISO 11649 reference of an invoice number ("RF" + check digits +
// the number's letters and digits), "" when the number cannot be carried in one.
func CreditorReference(number string) string {
	body := rfBody(number)
	if body == "" {
		return ""
	}
	check := 98 - rfMod97(body+"RF00")
	return "RF" + string(rune('0'+check/10)) + string(rune('0'+check%10)) + body
}

// ParseCreditorReference reads an ISO 11649 reference as people and banks write it (any case,
// in groups of four) and returns what it carries, ok false when it is not one or its check
// digits are wrong: a mistyped reference names no invoice.
func ParseCreditorReference(s string) (body string, ok bool) {
	s = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), " ", ""))
	if len(s) < 5 || len(s) > 25 || !strings.HasPrefix(s, "RF") || s[2] < '0' || s[2] > '9' || s[3] < '0' || s[3] > '9' {
		return "", false
	}
	body = s[4:]
	for _, r := range body {
		if (r < '0' || r > '9') && (r < 'A' || r > 'Z') {
			return "", false
		}
	}
	if rfMod97(body+s[:4]) != 1 {
		return "", false
	}
	return body, true
}

// FormatCreditorReference writes a reference in groups of four, as it is printed.
func FormatCreditorReference(ref string) string {
	var b strings.Builder
	for i, r := range ref {
		if i > 0 && i%4 == 0 {
			b.WriteByte(' ')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// CreditorReference is the invoice's ISO 11649 reference in groups of four, as it is printed for
// payers to quote, "" when its number cannot be carried in one.
func (i *Invoice) CreditorReference() string {
	return FormatCreditorReference(CreditorReference(i.Number))
}
