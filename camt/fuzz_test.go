package camt

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"finapp"
)

func FuzzReader(f *testing.F) {
	files, _ := filepath.Glob("testdata/*.xml")
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(entryDoc(nil)))
	f.Add([]byte(`<Document><BkToCstmrDbtCdtNtfctn><Ntfctn><Acct><Id><IBAN>X</IBAN></Id></Acct>` +
		`<Ntry><Amt Ccy="EUR">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>INFO</Sts></Ntry>` +
		`</Ntfctn></BkToCstmrDbtCdtNtfctn></Document>`))
	f.Add([]byte(`<Document><BkToCstmrStmt><Stmt>`))
	f.Add([]byte(`<!DOCTYPE x><Document/>`))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := New(bytes.NewReader(data))
		check := func(err error) {
			var le *finapp.LineError
			if !errors.As(err, &le) {
				t.Fatalf("error %v (%T) is not a *finapp.LineError", err, err)
			}
		}
		if err != nil {
			check(err)
			return
		}
		for n := 0; ; n++ {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				check(err)
				if _, again := r.Next(); again != err {
					t.Fatalf("Next after %v: %v", err, again)
				}
				break
			}
			if e.Amount < 0 || e.Charges < 0 {
				t.Fatalf("entry %d: amount %d, charges %d", n, e.Amount, e.Charges)
			}
			if e.BookingDate != "" && !validDate(e.BookingDate) {
				t.Fatalf("entry %d: booking date %q", n, e.BookingDate)
			}
			if e.Statement == nil || e.Statement.Account == "" {
				t.Fatalf("entry %d has no statement or account", n)
			}
			// What the reader holds stays bounded whatever the input.
			if len(r.names) > maxDepth || cap(r.text) > 2*MaxText || len(r.out) > 2 {
				t.Fatalf("reader holds %d names, %d bytes of text, %d entries", len(r.names),
					cap(r.text), len(r.out))
			}
		}
	})
}
