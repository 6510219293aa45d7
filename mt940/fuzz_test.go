package mt940

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"

	"finapp"
)

// Whatever the bytes, the reader neither panics nor runs away: it gives entries the books can
// take (a direction, an amount not below zero, dates in full, UTF-8 text) or a *LineError.
func FuzzReader(f *testing.F) {
	files, err := filepath.Glob("testdata/*.sta")
	if err != nil || len(files) == 0 {
		f.Fatalf("no sample files: %v", err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{
		"",
		"-",
		":20:S\n:25:X\n:60F:C261201EUR1,\n:61:2612021202RC1,NTRF//\n:86:?20\n:62F:D261202EUR0,\n-",
		"{1:}{4:\n:20:\n-}",
		":20:A\n:25:X\n:60F:D991231JPY1,\n:61:0001011231RDY5,S103NONREF\n\n" +
			":86:166?3\n1?32\n:62M:C000101JPY0,",
		":86:RF18 5390 0754 7034",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := New(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			if i > len(data) {
				t.Fatalf("more entries than bytes")
			}
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var le *finapp.LineError
				if !errors.As(err, &le) || le.Line < 1 {
					t.Fatalf("not a line error: %#v", err)
				}
				return
			}
			if e.Amount < 0 || e.Statement == nil || e.Currency == "" || e.Status != finapp.EntryBooked {
				t.Fatalf("entry %+v", e)
			}
			for _, d := range []string{e.BookingDate, e.ValueDate} {
				if _, err := finapp.ParseDate("date", d); err != nil {
					t.Fatalf("date %q: %v", d, err)
				}
			}
			for _, s := range []string{e.RemittanceText, e.AdditionalInfo, e.CounterpartyName,
				e.EntryReference, e.BankReference, e.EndToEndID, e.StructuredReference} {
				if !utf8.ValidString(s) {
					t.Fatalf("not UTF-8: %q", s)
				}
			}
		}
	})
}
