package finapp

import (
	"strings"
	"testing"
	"time"

	"finapp/money"
)

// recorded is the audit event and journal entry RecordPayment writes for p.
func recorded(p *Payment) (*AuditEvent, *JournalEntry) {
	c := newChanges(time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), Actor{Name: "token:test"})
	c.post("payment.recorded", p.ID, func(j *posting) {
		j.transfer(CashAccount(p.Method), UnappliedAccount(p.OrganizationID), p.Currency, p.Amount)
	})
	c.record("payment.recorded", "payment", p.ID, nil, p)
	return c.audit[0], c.journal[0]
}

func replayPayment() *Payment {
	at := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &Payment{ID: "pay_1", Amount: 3000, Currency: "SGD", ReceivedOn: "2026-01-02", Method: "cash", Reference: "R1",
		Version: 1, CreatedAt: at, UpdatedAt: at}
}

func mismatchesText(found []Mismatch) string {
	var b strings.Builder
	for _, m := range found {
		b.WriteString(m.String() + "\n")
	}
	return b.String()
}

func TestReplay_BooksAsRecordedMatch(t *testing.T) {
	p := replayPayment()
	e, j := recorded(p)
	r := NewReplay()
	r.Audit(e)
	r.Payment(p)
	r.JournalEntry(j)
	r.AccountBalances([]AccountBalance{{Account: "cash:cash", Currency: "SGD", Balance: money.SumOf(3000)}, {Account: AccountUnappliedNoCustom, Currency: "SGD", Balance: money.SumOf(-3000)}})
	if found := r.Finish(); len(found) > 0 {
		t.Fatalf("books as recorded differ from their trail:\n%s", mismatchesText(found))
	}
}

func TestReplay_RowsAndEntriesTheTrailDoesNotKnowAreMismatches(t *testing.T) {
	p := replayPayment()
	e, j := recorded(p)
	r := NewReplay()
	r.Audit(e)
	r.Payment(p)
	r.Payment(&Payment{ID: "pay_2", Amount: 100, Currency: "SGD"})
	r.JournalEntry(j)
	r.JournalEntry(&JournalEntry{ID: "jrn_extra", Operation: "payment.recorded", EntityID: "pay_2",
		Lines: []JournalLine{{"cash:cash", "SGD", 100}, {AccountUnappliedNoCustom, "SGD", -100}}})
	got := mismatchesText(r.Finish())
	for _, want := range []string{"payments pay_2: row is a row, the audit trail says no such payment", "journal_entries jrn_extra: row"} {
		if !strings.Contains(got, want) {
			t.Errorf("replay does not say %q:\n%s", want, got)
		}
	}
}

func TestReplay_AMissingRowAndAMissingEntryAreMismatches(t *testing.T) {
	e, _ := recorded(replayPayment())
	r := NewReplay()
	r.Audit(e)
	got := mismatchesText(r.Finish())
	for _, want := range []string{"payments pay_1: row is missing", "journal_entries pay_1: row is missing, the audit trail says payment.recorded: cash:cash 30.00 SGD"} {
		if !strings.Contains(got, want) {
			t.Errorf("replay does not say %q:\n%s", want, got)
		}
	}
}

// A release of an allocation the trail never made (as trails written before allocations had
// events of their own show it) cannot be vouched for.
func TestReplay_AReleaseOfAnAllocationTheTrailNeverMadeIsAMismatch(t *testing.T) {
	r := NewReplay()
	r.Audit(&AuditEvent{ID: "aud_1", Action: "allocation.released", Entity: "allocation", EntityID: "alc_1",
		After: `{"amount":"10.00","invoice_id":"inv_1","payment_id":"pay_1"}`})
	got := mismatchesText(r.Finish())
	if !strings.Contains(got, "audit_events aud_1") || !strings.Contains(got, "never made") {
		t.Fatalf("replay accepts the release of an allocation it never saw made:\n%s", got)
	}
}

func TestSnapshotAmount_ReadsZeroAsSnapshotsWriteIt(t *testing.T) {
	for _, cur := range []money.Currency{"SGD", "JPY"} {
		if a, err := snapshotAmount(money.Format(0, cur), cur); err != nil || a != 0 {
			t.Errorf("%s: %v, %v", cur, a, err)
		}
	}
}
