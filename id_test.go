package finapp_test

import (
	"strings"
	"testing"

	"finapp"
)

func TestCheckCursor_TakesOnlyAnIdOfTheListsKind(t *testing.T) {
	id := finapp.NewID(finapp.PrefixPayment)
	u := strings.TrimPrefix(id, finapp.PrefixPayment)
	for cursor, ok := range map[string]bool{
		"": true,
		id: true,
		finapp.PrefixPayment + strings.Repeat("0", 26):       true,
		finapp.PrefixPayment + "7" + strings.Repeat("z", 25): true,
		finapp.PrefixPayment + "8" + strings.Repeat("0", 25): false, // beyond 2^128
		finapp.PrefixInvoice + u:                             false,
		strings.ToUpper(id):                                  false,
		finapp.PrefixPayment + strings.ToUpper(u):            false,
		id + "0":             false,
		id[:len(id)-1]:       false,
		finapp.PrefixPayment: false,
		finapp.PrefixPayment + strings.Repeat("u", 26): false, // u is not Crockford base32
		"garbage": false,
		u:         false,
	} {
		err := finapp.CheckCursor(cursor, finapp.PrefixPayment)
		if ok != (err == nil) {
			t.Errorf("CheckCursor(%q) = %v, want ok=%v", cursor, err, ok)
		}
		if err != nil && (finapp.ErrorCode(err) != finapp.EInvalid || err.(*finapp.Error).Field != "cursor") {
			t.Errorf("CheckCursor(%q) = %#v, want EInvalid naming cursor", cursor, err)
		}
	}
}
