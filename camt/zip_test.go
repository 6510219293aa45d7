package camt

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"strings"
	"testing"

	"finapp"
)

func sha256Hex(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// zipOf builds a ZIP of the named members, each the sample file of that name or, for a name
// given in raw, those bytes.
func zipOf(t *testing.T, names []string, raw map[string]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	for _, n := range names {
		b, ok := []byte(raw[n]), raw[n] != ""
		if !ok {
			var err error
			if b, err = os.ReadFile("testdata/" + strings.TrimPrefix(n, "sub/")); err != nil {
				t.Fatal(err)
			}
		}
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write(b)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestZip_ReadsEveryXMLMemberInNameOrder(t *testing.T) {
	b := zipOf(t, []string{"camt053_v13.xml", "readme.txt", "__MACOSX/._camt053_v02.xml",
		"camt053_v02.xml",
		"sub/camt053_v08.xml"}, map[string]string{"readme.txt": "not a statement",
		"__MACOSX/._camt053_v02.xml": "\x00\x05\x16\x07 resource fork"})
	z, err := OpenZip(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if z.Format() != Camt053 {
		t.Errorf("Format() = %q", z.Format())
	}
	entries, err := readAll(z)
	if err != nil {
		t.Fatal(err)
	}
	// camt053_v02 (4), camt053_v13 (2), sub/camt053_v08 (9)
	if len(entries) != 15 {
		t.Fatalf("%d entries, want 15", len(entries))
	}
	for i, want := range map[int]string{0: "camt053_v02.xml line 20", 4: "camt053_v13.xml line 27",
		14: "sub/camt053_v08.xml line 260"} {
		if entries[i].Position != want {
			t.Errorf("entry %d at %q, want %q", i, entries[i].Position, want)
		}
	}
	var ids []string
	for _, s := range z.Statements() {
		ids = append(ids, s.ID)
	}
	want := "FB20260115-0002-1 FB-20260430-EUR FB-20260430-JPY STMT-20260331-DE83"
	if got := strings.Join(ids, " "); got != want {
		t.Errorf("statements %s", got)
	}
	if z.Digest() != sha256Hex(b) {
		t.Errorf("Digest() is not the ZIP file's SHA-256")
	}
}

func TestZip_Refuses(t *testing.T) {
	// A member that claims to unpack to more than MaxMemberBytes is refused before it is read.
	var bomb bytes.Buffer
	w := zip.NewWriter(&bomb)
	f, _ := w.CreateRaw(&zip.FileHeader{Name: "big.xml", Method: zip.Store, CompressedSize64: 1,
		UncompressedSize64: MaxMemberBytes + 1})
	f.Write([]byte("<"))
	w.Close()
	tests := []struct {
		name string
		zip  []byte
		msg  string
	}{
		{"not a ZIP", []byte("PK\x03\x04 but nothing more"), "not a readable ZIP"},
		{"no XML member", zipOf(t, []string{"a.txt"}, map[string]string{"a.txt": "hello"}),
			"no XML file"},
		{"two formats", zipOf(t, []string{"a.xml", "b.xml"}, map[string]string{
			"a.xml": mustRead(t, "camt053_v08.xml"), "b.xml": mustRead(t, "camt054_v08.xml")}),
			"one format"},
		{"a broken member", zipOf(t, []string{"a.xml", "b.xml"}, map[string]string{
			"a.xml": mustRead(t, "camt053_v08.xml"), "b.xml": "<Document><BkToCstmrStmt><Stmt>"}),
			"(in b.xml)"},
		{"a bomb", bomb.Bytes(), "unpacks to"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			z, err := OpenZip(bytes.NewReader(tt.zip), int64(len(tt.zip)))
			if err == nil {
				_, err = readAll(z)
			}
			var le *finapp.LineError
			if !errors.As(err, &le) || !strings.Contains(le.Error(), tt.msg) {
				t.Fatalf("got %v, want a *finapp.LineError saying %q", err, tt.msg)
			}
		})
	}
}

func mustRead(t *testing.T, name string) string {
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
