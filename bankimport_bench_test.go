package finapp_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"finapp/bankfile"
	"finapp/camt/camttest"
)

// BenchmarkImportBankFile imports a camt.053 of 20,000 entries (read once, on a goroutine of
// its own, and written in one transaction) into a fresh database each time, on the engine FINAPP_TEST_ENGINE
// names, and reports entries per second. docs/benchmarks.md has the figures beside the ceilings.
func BenchmarkImportBankFile(b *testing.B) {
	const entries = 20_000
	path := filepath.Join(b.TempDir(), "statement.xml")
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := camttest.WriteStatement(f, camttest.Options{Entries: entries}); err != nil {
		b.Fatal(err)
	}
	f.Close()
	open, err := bankfile.Opener(path, "", nil)
	if err != nil {
		b.Fatal(err)
	}
	var took time.Duration
	for b.Loop() {
		b.StopTimer()
		svc, ctx := bankContext(b)
		b.StartTimer()
		start := time.Now()
		imp, err := svc.ImportBankFile(ctx, open, nil)
		took += time.Since(start)
		if err != nil || imp.Created != entries {
			b.Fatalf("%v %+v", err, imp)
		}
	}
	b.ReportMetric(float64(entries*b.N)/took.Seconds(), "entries/s")
}
