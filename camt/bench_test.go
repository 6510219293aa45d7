package camt

import (
	"bufio"
	"errors"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"finapp/camt/camttest"
)

// generated writes a camt.053 of n entries to a temporary file and returns its path.
func generated(tb testing.TB, n int) string {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "big.xml")
	f, err := os.Create(path)
	if err != nil {
		tb.Fatal(err)
	}
	if err := camttest.WriteStatement(f, camttest.Options{Entries: n}); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	return path
}

// readPath reads the file at path to its end and returns how many entries it gave; each is
// called with every entry.
func readPath(tb testing.TB, path string, each func(int)) int {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	r, err := New(bufio.NewReaderSize(f, 64<<10))
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
		if each != nil {
			each(n)
		}
	}
}

func BenchmarkReader(b *testing.B) {
	const n = 100_000
	path := generated(b, n)
	info, _ := os.Stat(path)
	b.SetBytes(info.Size())
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for b.Loop() {
		if got := readPath(b, path, nil); got != n {
			b.Fatalf("%d entries, want %d", got, n)
		}
	}
	b.ReportMetric(float64(n*b.N)/time.Since(start).Seconds(), "entries/s")
}

// A file of a million entries reads in the same memory as a small one. It takes a while and about
// 2 GB of disk, so it runs only when asked: FINAPP_BIG=1 go test ./camt.
func TestReader_MillionEntriesInFlatMemory(t *testing.T) {
	if testing.Short() || os.Getenv("FINAPP_BIG") != "1" {
		t.Skip("set FINAPP_BIG=1 (and not -short) to read a generated file of 1,000,000 entries")
	}
	const n = 1_000_000
	path := generated(t, n)
	start := time.Now()
	var peak uint64
	got := readPath(t, path, func(i int) {
		if i%100_000 == 0 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
	})
	if got != n {
		t.Fatalf("%d entries, want %d", got, n)
	}
	t.Logf("%d entries in %v; heap in use at most %d KiB", n, time.Since(start), peak>>10)
	if peak > 32<<20 {
		t.Errorf("heap in use reached %d KiB while reading", peak>>10)
	}
}
