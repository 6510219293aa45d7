package mt940

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"time"
)

// generated is an MT940 file of about lines lines: messages of 500 entries, each entry a :61:
// and a structured :86: of two lines, as German banks write them.
func generated(lines int) []byte {
	var b bytes.Buffer
	n := 0
	for msg := 0; n < lines; msg++ {
		fmt.Fprintf(&b, ":20:STMT-%d\r\n:25:DE89370400440532013000\r\n", msg)
		fmt.Fprintf(&b, ":28C:%05d/001\r\n:60F:C261201EUR0,\r\n", msg)
		n += 4
		for i := 0; i < 500 && n < lines-2; i++ {
			fmt.Fprintf(&b, ":61:2612021202C%d,%02dNTRFNONREF//B%d-%d\r\n", 100+i, i%100, msg, i)
			fmt.Fprintf(&b, ":86:166?00SEPA-GUTSCHRIFT?20EREF+E2E-%d-%d?21SVWZ+Rechnung INV-%d RF18\r\n",
				msg, i, i)
			b.WriteString("?22 5390 0754 7034?31DE44500105175407324931?32Lindqvist & Soehne KG\r\n")
			n += 3
		}
		b.WriteString(":62F:C261202EUR0,\r\n-\r\n")
		n += 2
	}
	return b.Bytes()
}

func BenchmarkReader(b *testing.B) {
	data := generated(100_000)
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	entries := 0
	start := time.Now()
	for b.Loop() {
		r, err := New(bytes.NewReader(data))
		if err != nil {
			b.Fatal(err)
		}
		for {
			_, err := r.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				b.Fatal(err)
			}
			entries++
		}
	}
	b.ReportMetric(float64(entries)/time.Since(start).Seconds(), "entries/s")
}
