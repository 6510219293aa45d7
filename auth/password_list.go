package auth

import (
	_ "embed"
	"strings"
)

//go:embed common_passwords.txt
var commonPasswordsText string

// commonPasswords is the embedded list, lower case.
var commonPasswords = func() map[string]bool {
	m := map[string]bool{}
	for _, line := range strings.Split(commonPasswordsText, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			m[strings.ToLower(line)] = true
		}
	}
	return m
}()

// commonPassword reports whether pw, in any case, is on the list of common passwords.
func commonPassword(pw string) bool { return commonPasswords[strings.ToLower(pw)] }
