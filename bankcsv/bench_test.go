package bankcsv

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
)

// BenchmarkReader reads a generated German-style file of 100,000 rows, the size of a busy
// account's year.
func BenchmarkReader(b *testing.B) {
	const rows = 100_000
	var buf bytes.Buffer
	buf.WriteString("Kontoauszug;Girokonto\r\nIBAN;DE89 3704 0044 0532 0130 00\r\nZeitraum;2026\r\n\r\n")
	buf.WriteString("Buchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Betrag\r\n")
	for i := range rows {
		fmt.Fprintf(&buf, "%02d.%02d.2026;%02d.%02d.2026;Kunde %d GmbH;DE06 4306 0967 0042 4242 42;\"Rechnung INV-2026-%06d, Teil 1\";%s%d.%03d,%02d\r\n",
			i%28+1, i%12+1, i%28+1, i%12+1, i, i, []string{"", "-"}[i%2], i%900+1, i%1000, i%100)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		tpl := template("de_bank.csv")
		r, err := New(bytes.NewReader(data), &tpl)
		if err != nil {
			b.Fatal(err)
		}
		n := 0
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			n++
		}
		if n != rows {
			b.Fatalf("%d rows, want %d", n, rows)
		}
	}
	b.ReportMetric(float64(rows)*float64(b.N)/b.Elapsed().Seconds(), "rows/s")
}
