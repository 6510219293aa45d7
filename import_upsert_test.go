package finapp

import (
	"fmt"
	"hash/maphash"
	"testing"
)

// Duplicates names every line that claims a key an earlier line claims, each with the first line
// that claimed it, once per line, in file order; lines Check refused are not named again.
func TestUpsertImporter_DuplicatesNameTheFirstLineOfEachKey(t *testing.T) {
	im := &UpsertImporter[InvoiceImportLine]{seed: maphash.MakeSeed(), bad: map[int]bool{9: true},
		kind: upsertKind[InvoiceImportLine]{noun: "invoice", keyNames: []string{"external_id", "number"}}}
	claim := func(line int, ext, number string) {
		for what, k := range []string{ext, number} {
			im.keys = append(im.keys, lineKey{hash: maphash.String(im.seed, k), line: int32(line), what: int32(what)})
		}
	}
	claim(2, "a", "N-1")
	claim(3, "b", "N-2")
	claim(4, "a", "N-3") // a: line 2's
	claim(5, "c", "N-1") // N-1: line 2's
	claim(6, "a", "N-1") // both line 2's: named once
	claim(9, "a", "N-9") // refused by Check already
	got := ""
	for _, e := range im.Duplicates() {
		got += fmt.Sprintf("%d %s %s; ", e.Line, e.Field, e.Message[:len("is also line 2's")])
	}
	if want := "4 external_id is also line 2's; 5 number is also line 2's; 6 external_id is also line 2's; "; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}
