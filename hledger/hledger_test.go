package hledger_test

import (
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/hledger"
	"finapp/money"
)

func entry(i int) *finapp.JournalEntry {
	amount := money.Amount(12_550 + i)
	return &finapp.JournalEntry{ID: fmt.Sprintf("jrn_%026d", i), At: time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC),
		Operation: "payment.recorded", EntityID: fmt.Sprintf("pay_%026d", i), Lines: []finapp.JournalLine{
			{Account: finapp.CashAccount("bank_transfer"), Currency: "SGD", Amount: amount},
			{Account: finapp.UnappliedAccount("org_01jd8x0c9v7p8x2k3m4n5q6r7s"), Currency: "SGD", Amount: -amount},
		}}
}

// One entry is one transaction: date, id, operation, entity, then its lines with the currency as
// commodity, amounts exact.
func TestWrite_OneTransactionPerEntry(t *testing.T) {
	var b strings.Builder
	if err := hledger.Write(&b, []*finapp.JournalEntry{entry(0)}); err != nil {
		t.Fatal(err)
	}
	want := "2026-11-25 (jrn_00000000000000000000000000) payment.recorded pay_00000000000000000000000000\n" +
		fmt.Sprintf("    %-50s  %s\n", "cash:bank_transfer", "125.50 SGD") +
		fmt.Sprintf("    %-50s  %s\n", "unapplied:org_01jd8x0c9v7p8x2k3m4n5q6r7s", "-125.50 SGD") + "\n"
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// BenchmarkWrite_10000Entries writes 10,000 two-line entries in hledger's journal format.
func BenchmarkWrite_10000Entries(b *testing.B) {
	entries := make([]*finapp.JournalEntry, 10_000)
	for i := range entries {
		entries[i] = entry(i)
	}
	var size countingWriter
	if err := hledger.Write(&size, entries); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(size))
	b.ReportAllocs()
	for b.Loop() {
		if err := hledger.Write(io.Discard, entries); err != nil {
			b.Fatal(err)
		}
	}
}

type countingWriter int

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
