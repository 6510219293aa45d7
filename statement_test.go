package finapp

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"pgregory.net/rapid"

	"finapp/money"
)

var stmtOrg = &Organization{ID: "org_acme", Name: "Acme", BillingCurrency: "SGD"}

func at(day string) *time.Time {
	t, err := time.Parse("2006-01-02 15:04", day)
	if err != nil {
		panic(err)
	}
	return &t
}

func stmtInvoice(id, number, issued, due string, total money.Amount) *Invoice {
	return &Invoice{ID: id, Number: number, OrganizationID: stmtOrg.ID, Currency: "SGD", Total: total, IssuedOn: issued, DueOn: due, Status: InvoiceUnpaid}
}

func stmtPayment(id, ref, received string, amount money.Amount) *Payment {
	return &Payment{ID: id, OrganizationID: stmtOrg.ID, Currency: "SGD", Amount: amount, ReceivedOn: received, Reference: ref}
}

// linesOf writes a statement account's lines as "date kind number amount balance", for tables.
func linesOf(a *StatementAccount) []string {
	var out []string
	for _, l := range a.Lines {
		out = append(out, fmt.Sprintf("%s %s %s %s %s", l.Date, l.Kind, l.Number, money.Format(l.Amount, a.Currency), l.Balance.Format(a.Currency)))
	}
	return out
}

func TestBuildStatement_DocumentsByTheirOwnDateWithRunningBalance(t *testing.T) {
	voided := stmtInvoice("inv_3", "INV-3", "2026-02-10", "2026-03-10", 5000)
	voided.Status, voided.VoidedAt = InvoiceVoid, at("2026-03-05 23:59")
	oldVoid := stmtInvoice("inv_0", "INV-0", "2026-01-02", "2026-01-31", 700)
	oldVoid.Status, oldVoid.VoidedAt = InvoiceVoid, at("2026-01-03 09:00")
	deleted := stmtPayment("pay_9", "GONE", "2026-03-02", 999)
	deleted.DeletedAt = at("2026-03-03 10:00")
	other := stmtPayment("pay_8", "OTHER", "2026-03-02", 888)
	other.OrganizationID = "org_other"
	docs := StatementDocuments{
		Invoices: []*Invoice{
			stmtInvoice("inv_1", "INV-1", "2026-01-15", "2026-02-14", 10000), // before the period: opening
			stmtInvoice("inv_2", "INV-2", "2026-03-01", "2026-03-31", 20000),
			voided, oldVoid,
			stmtInvoice("inv_4", "INV-4", "2026-04-01", "2026-04-30", 30000), // after the period: left out
		},
		Payments: []*Payment{
			stmtPayment("pay_1", "DBS 1", "2026-02-20", 4000), // before: opening
			stmtPayment("pay_2", "", "2026-03-01", 15000),     // same day as INV-2: after it; no reference: its id
			deleted, other,
		},
		// Made on 2026-03-20 from a payment received then: money that no longer pays invoices.
		TopUps: []*TopUp{{ID: "top_1", PaymentID: "pay_2", OrganizationID: stmtOrg.ID, Amount: 1000, Currency: "SGD", CreatedAt: *at("2026-03-20 08:00")}},
	}
	st := BuildStatement(stmtOrg, "2026-03-01", "2026-03-31", docs)
	if len(st.Accounts) != 1 {
		t.Fatalf("accounts: %d, want SGD only", len(st.Accounts))
	}
	a := st.Accounts[0]
	// Opening: INV-1 100.00, INV-3 50.00, and INV-0 7.00 voided the next day, less DBS 1 40.00.
	if got := a.Opening.Format("SGD"); got != "110.00" {
		t.Errorf("opening %s, want 110.00", got)
	}
	want := []string{
		"2026-03-01 invoice INV-2 200.00 310.00",
		"2026-03-01 payment pay_2 -150.00 160.00",
		"2026-03-05 invoice_void INV-3 -50.00 110.00", // issued before the period, voided in it
		"2026-03-20 credit_top_up pay_2 10.00 120.00",
	}
	if got := linesOf(a); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if a.Closing.Format("SGD") != "120.00" || a.Charged.Format("SGD") != "210.00" || a.Credited.Format("SGD") != "200.00" {
		t.Errorf("closing %s charged %s credited %s, want 120.00 210.00 200.00", a.Closing.Format("SGD"), a.Charged.Format("SGD"), a.Credited.Format("SGD"))
	}
	// Nothing allocated: INV-1 (due 2026-02-14, 45 days past due on 2026-03-31) and INV-2 (due
	// that day) are open in full; the payments are unapplied.
	wantAging := [5]string{"200.00", "0.00", "100.00", "0.00", "0.00"}
	for k := range wantAging {
		if got := a.Aging[k].Format("SGD"); got != wantAging[k] {
			t.Errorf("aging %s: %s, want %s", AgingBuckets[k], got, wantAging[k])
		}
	}
	// Unapplied: the two payments less the top-up.
	if a.Open.Format("SGD") != "300.00" || a.Unapplied.Format("SGD") != "180.00" {
		t.Errorf("open %s unapplied %s, want 300.00 and 180.00", a.Open.Format("SGD"), a.Unapplied.Format("SGD"))
	}
}

func TestBuildStatement_AgesOpenInvoicesAsOfTheLastDay(t *testing.T) {
	inv := func(id, due string) *Invoice { return stmtInvoice(id, strings.ToUpper(id), "2025-01-01", due, 1000) }
	released := at("2026-06-10 12:00")
	for _, tc := range []struct {
		name        string
		invoice     *Invoice
		allocations []*Allocation
		bucket      int // -1: nothing open
		due         string
	}{
		{"due on the last day is current", inv("a", "2026-06-30"), nil, 0, "10.00"},
		{"one day past due", inv("b", "2026-06-29"), nil, 1, "10.00"},
		{"30 days past due", inv("c", "2026-05-31"), nil, 1, "10.00"},
		{"31 days past due", inv("d", "2026-05-30"), nil, 2, "10.00"},
		{"61 days past due", inv("e", "2026-04-30"), nil, 3, "10.00"},
		{"91 days past due", inv("f", "2026-03-31"), nil, 4, "10.00"},
		{"partly paid: the rest", inv("g", "2026-06-30"), []*Allocation{{InvoiceID: "g", Amount: 400, InvoiceAmount: 400, CreatedAt: *at("2026-06-01 00:00")}}, 0, "6.00"},
		{"paid after the last day: open then", inv("h", "2026-06-30"), []*Allocation{{InvoiceID: "h", Amount: 1000, InvoiceAmount: 1000, CreatedAt: *at("2026-07-01 00:00")}}, 0, "10.00"},
		{"paid, the allocation released before the last day", inv("i", "2026-06-30"), []*Allocation{{InvoiceID: "i", Amount: 1000, InvoiceAmount: 1000, CreatedAt: *at("2026-06-01 00:00"), ReleasedAt: released}}, 0, "10.00"},
		{"fully paid", inv("j", "2026-06-30"), []*Allocation{{InvoiceID: "j", Amount: 1000, InvoiceAmount: 1000, CreatedAt: *at("2026-06-01 00:00")}}, -1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := BuildStatement(stmtOrg, "", "2026-06-30", StatementDocuments{Invoices: []*Invoice{tc.invoice}, Allocations: tc.allocations})
			a := st.Accounts[0]
			for k := range a.Aging {
				want := "0.00"
				if k == tc.bucket {
					want = tc.due
				}
				if got := a.Aging[k].Format("SGD"); got != want {
					t.Errorf("bucket %s: %s, want %s", AgingBuckets[k], got, want)
				}
			}
		})
	}
}

func TestBuildStatement_OneAccountPerCurrencyBillingFirst(t *testing.T) {
	usd := stmtInvoice("inv_u", "U-1", "2026-01-01", "2026-01-01", 500)
	usd.Currency = "USD"
	eur := stmtPayment("pay_e", "E", "2026-01-02", 100)
	eur.Currency = "EUR"
	st := BuildStatement(stmtOrg, "", "2026-01-31", StatementDocuments{Invoices: []*Invoice{usd}, Payments: []*Payment{eur}})
	var got []string
	for _, a := range st.Accounts {
		got = append(got, string(a.Currency)+" "+a.Closing.Format(a.Currency))
	}
	if strings.Join(got, ", ") != "SGD 0.00, EUR -1.00, USD 5.00" {
		t.Errorf("accounts: %s", strings.Join(got, ", "))
	}
}

func TestBuildStatement_FromEmptyStartsAtTheBeginning(t *testing.T) {
	st := BuildStatement(stmtOrg, "", "2026-01-31", StatementDocuments{Invoices: []*Invoice{stmtInvoice("inv_1", "I", "1999-01-01", "1999-01-01", 100)}})
	if a := st.Accounts[0]; !a.Opening.IsZero() || len(a.Lines) != 1 || a.Closing.Format("SGD") != "1.00" {
		t.Errorf("opening %s, %d lines, closing %s", a.Opening.Format("SGD"), len(a.Lines), a.Closing.Format("SGD"))
	}
}

// Whatever the documents, a statement adds up: the closing balance is the opening plus every
// line, each line's running balance is the one before plus its amount, the aging buckets sum to
// the open amount, and the open amount less what is unapplied is the closing balance.
func TestBuildStatement_AddsUp(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		day := func(label string) string {
			return time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, rapid.IntRange(0, 200).Draw(t, label)).Format("2006-01-02")
		}
		amount := func(label string) money.Amount {
			return money.Amount(rapid.Int64Range(1, int64(money.MaxAmount)).Draw(t, label))
		}
		currency := func(label string) money.Currency {
			return money.Currency(rapid.SampledFrom([]string{"SGD", "USD"}).Draw(t, label))
		}
		var docs StatementDocuments
		for i := range rapid.IntRange(0, 12).Draw(t, "invoices") {
			issued := day("issued")
			inv := stmtInvoice(fmt.Sprintf("inv_%d", i), fmt.Sprintf("INV-%d", i), issued, max(issued, day("due")), amount("total"))
			inv.Currency = currency("invoice currency")
			if rapid.Bool().Draw(t, "void") {
				inv.Status = InvoiceVoid
				v, _ := time.Parse("2006-01-02", day("voided"))
				inv.VoidedAt = &v
			}
			paid := money.Amount(rapid.Int64Range(0, int64(inv.Total)).Draw(t, "allocated"))
			if paid > 0 {
				c, _ := time.Parse("2006-01-02", day("allocated on"))
				docs.Allocations = append(docs.Allocations, &Allocation{InvoiceID: inv.ID, Amount: paid, InvoiceAmount: paid, CreatedAt: c})
			}
			docs.Invoices = append(docs.Invoices, inv)
		}
		for i := range rapid.IntRange(0, 12).Draw(t, "payments") {
			p := stmtPayment(fmt.Sprintf("pay_%d", i), "", day("received"), amount("amount"))
			p.Currency = currency("payment currency")
			docs.Payments = append(docs.Payments, p)
			if rapid.Bool().Draw(t, "topped up") {
				c, _ := time.Parse("2006-01-02", day("topped up on"))
				docs.TopUps = append(docs.TopUps, &TopUp{ID: fmt.Sprintf("top_%d", i), PaymentID: p.ID, OrganizationID: stmtOrg.ID,
					Amount: money.Amount(rapid.Int64Range(1, int64(p.Amount)).Draw(t, "top-up")), Currency: p.Currency, CreatedAt: c})
			}
		}
		from := day("from")
		if rapid.Bool().Draw(t, "from the beginning") {
			from = ""
		}
		to := max(from, day("to"))
		st := BuildStatement(stmtOrg, from, to, docs)
		for _, a := range st.Accounts {
			sum, running := a.Opening, a.Opening
			for _, l := range a.Lines {
				if l.Date > to || (from != "" && l.Date < from) {
					t.Fatalf("line of %s outside [%s, %s]", l.Date, from, to)
				}
				sum = sum.Add(l.Amount)
				running = running.Add(l.Amount)
				if l.Balance != running {
					t.Fatalf("running balance %s after %s, want %s", l.Balance, l.DocumentID, running)
				}
			}
			if a.Closing != sum {
				t.Fatalf("%s closing %s, opening + lines %s", a.Currency, a.Closing, sum)
			}
			if a.Charged.Sub(a.Credited) != sum.Sub(a.Opening) {
				t.Fatalf("%s charged %s − credited %s ≠ lines %s", a.Currency, a.Charged, a.Credited, sum.Sub(a.Opening))
			}
			var aged money.Sum
			for _, b := range a.Aging {
				if b.Sign() < 0 {
					t.Fatalf("negative aging bucket %s", b)
				}
				aged = aged.Plus(b)
			}
			if aged != a.Open || a.Open.Sub(a.Unapplied) != a.Closing {
				t.Fatalf("%s aging %s, open %s, unapplied %s, closing %s", a.Currency, aged, a.Open, a.Unapplied, a.Closing)
			}
		}
		// Closing balances are the same whatever the period's start: the opening carries the rest.
		whole := BuildStatement(stmtOrg, "", to, docs)
		for i, a := range whole.Accounts {
			if a.Closing != st.Accounts[i].Closing {
				t.Fatalf("%s closing %s from the beginning, %s from %s", a.Currency, a.Closing, st.Accounts[i].Closing, from)
			}
		}
	})
}

// A statement carries at most so many documents: one more is refused naming from, so that the
// answer (and its PDF) is bounded whatever the age of the customer's books.
func TestStatement_SizeIsBounded(t *testing.T) {
	docs := StatementDocuments{}
	for i := range 6 {
		day := fmt.Sprintf("2026-01-%02d", i+1)
		docs.Invoices = append(docs.Invoices, stmtInvoice(fmt.Sprintf("inv_%d", i), fmt.Sprintf("I-%d", i), day, day, 100))
	}
	usd := stmtPayment("pay_usd", "R", "2026-01-02", 50)
	usd.Currency = "USD" // the bound counts every currency's lines
	docs.Payments = []*Payment{usd}
	for _, c := range []struct {
		from, to string
		max      int
		refused  bool
	}{
		{"", "2026-01-31", 7, false},
		{"", "2026-01-31", 6, true},
		{"2026-01-03", "2026-01-31", 4, false}, // a later from is the way out
		{"2026-01-03", "2026-01-31", 3, true},
		{"", "2026-01-01", 1, false}, // so is an earlier to
	} {
		err := checkStatementSize(BuildStatement(stmtOrg, c.from, c.to, docs), c.max)
		var e *Error
		switch {
		case !c.refused && err != nil:
			t.Errorf("%s..%s, at most %d: refused: %v", c.from, c.to, c.max, err)
		case c.refused && (!errors.As(err, &e) || e.Code != EInvalid || e.Field != "from"):
			t.Errorf("%s..%s, at most %d: %v, want invalid naming from", c.from, c.to, c.max, err)
		}
	}
}
