package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// `finapp import statement` reads a camt file through the books' import (each line once), says
// what it made, refuses the same file again naming its statement, and leaves verify clean.
func TestImportStatement_CamtOnceAndRefusedAgain(t *testing.T) {
	w := newImportWorld(t)
	raw, err := os.ReadFile("../../camt/testdata/camt053_v13.xml")
	if err != nil {
		t.Fatal(err)
	}
	path := w.file("march.xml", string(raw))
	out, errOut, err := w.run("import", "statement", path)
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if !regexp.MustCompile(`^imported march\.xml \(camt\.053\) in .*: \d+ lines created, 0 already kept \(an overlap\), sha256 [0-9a-f]{64}\n  statement bs_`).MatchString(out) {
		t.Fatalf("summary %q", out)
	}
	if n := strings.Count(out, "  statement bs_"); n != 2 {
		t.Fatalf("%d statements listed, want the file's two:\n%s", n, out)
	}
	_, errOut, err = w.run("import", "statement", path)
	if said := errOut + errText(err); err == nil || !strings.Contains(said, "this file was imported on") || !strings.Contains(said, "nothing was imported") {
		t.Fatalf("the same file again: %v\n%s", err, errOut)
	}
	w.verifyPasses()
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
