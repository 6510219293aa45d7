package bankcsv

import (
	"errors"
	"io"
	"strings"
	"testing"

	"finapp"
)

// FuzzReader feeds any bytes to the reader under one of the sample templates (chosen by which)
// and holds it to finapp.BankFile's contract: no panic, every refusal a *finapp.LineError, and
// every entry one the books can take (an amount of no sign, a real booking date).
func FuzzReader(f *testing.F) {
	for i, name := range sampleFiles {
		f.Add([]byte(sample(f, name)), uint8(i))
	}
	f.Add([]byte("Date,Description,Reference,Debit,Credit\n12/31/2999,\"\",,(1),0"), uint8(1))
	f.Add([]byte("a\n\"b\nc\nd\nBuchungstag;Betrag\n01.01.1900;-0,00\n"), uint8(0))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		tpl := template(sampleFiles[int(which)%len(sampleFiles)])
		r, err := New(strings.NewReader(string(data)), &tpl)
		if err != nil {
			var le *finapp.LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a line error: %v", err)
			}
			return
		}
		for {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var le *finapp.LineError
				if !errors.As(err, &le) {
					t.Fatalf("not a line error: %v", err)
				}
				return
			}
			if e.Amount < 0 {
				t.Fatalf("amount %d", e.Amount)
			}
			if _, err := finapp.ParseDate("booking_date", e.BookingDate); err != nil {
				t.Fatalf("booking date %q: %v", e.BookingDate, err)
			}
			if e.ValueDate != "" {
				if _, err := finapp.ParseDate("value_date", e.ValueDate); err != nil {
					t.Fatalf("value date %q: %v", e.ValueDate, err)
				}
			}
			if e.Currency == "" || e.Statement == nil || e.Statement.Currency == "" {
				t.Fatalf("no currency: %+v", e)
			}
		}
	})
}
