package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"finapp"
)

// Consistent tampering (issue 11): an edit made outside finapp that keeps every invariant — a
// payment's amount raised together with both lines of its journal entry — passed `finapp
// verify`, because nothing compared the books with the audit trail. Verify now replays the trail
// and names every row that differs from it. Each test edits a real database with plain SQL, on an
// SQLite file and on PostgreSQL.

// replayedBooks names the rows of a realistic mix of operations that the tests tamper with.
type replayedBooks struct {
	acme, globex                  *finapp.Organization
	plain                         *finapp.PaymentDetail // recorded to Acme, untouched since
	partial                       *finapp.PaymentDetail // allocated in part to partialInv
	partialInv, unpaidInv, proInv *finapp.Invoice
	partialAlloc                  string // partial's allocation to partialInv (active)
	released                      string // an allocation released since
	toppedUp                      *finapp.PaymentDetail
	topUp                         string
}

// mixedBooks records, assigns, allocates (by line and automatically), releases, tops up, edits,
// moves, unassigns, deletes, voids and imports, in the default workspace.
func mixedBooks(t *testing.T, dsn string) *replayedBooks {
	t.Helper()
	ctx := context.Background()
	db, err := createDB(ctx, dsn, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	svc := finapp.NewService(db)
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:test", Role: finapp.RoleFinance, Address: "192.0.2.1"})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	var b replayedBooks
	b.acme, err = svc.CreateOrganization(as, finapp.OrganizationCreate{Name: "Acme Telecom", BillingCurrency: "SGD"})
	must(err)
	b.globex, err = svc.CreateOrganization(as, finapp.OrganizationCreate{Name: "Globex", BillingCurrency: "SGD"})
	must(err)
	invoice := func(number, kind, total string, org *finapp.Organization) *finapp.Invoice {
		inv, err := svc.CreateInvoice(as, finapp.InvoiceCreate{Number: number, OrganizationID: org.ID, Kind: kind, Total: total, IssuedOn: "2026-01-05", DueOn: "2026-02-05"})
		must(err)
		return inv
	}
	pay := func(org *finapp.Organization, amount, ref string) *finapp.PaymentDetail {
		in := finapp.PaymentCreate{Amount: amount, Currency: "SGD", Method: "bank_transfer", Reference: ref, ReceivedOn: "2026-01-10", Remark: "as sent"}
		if org != nil {
			in.OrganizationID = org.ID
		}
		p, err := svc.RecordPayment(as, in)
		must(err)
		return p
	}
	b.partialInv = invoice("INV-1", "", "500.00", b.acme)
	b.unpaidInv = invoice("INV-2", "", "80.00", b.acme)
	b.proInv = invoice("PRO-1", finapp.KindProforma, "120.00", b.acme)
	topInv := invoice("TOP-1", finapp.KindTopUp, "60.00", b.globex)
	voided := invoice("INV-3", "", "45.00", b.acme)
	_, err = svc.VoidInvoice(as, voided.ID, 0)
	must(err)

	b.plain = pay(b.acme, "30.00", "DBS plain")

	b.partial = pay(nil, "300.00", "DBS partial")
	d, err := svc.Allocate(as, b.partial.ID, 0, finapp.AllocationRequest{OrganizationID: b.acme.ID,
		Lines: []finapp.AllocationLine{{InvoiceID: b.partialInv.ID, Amount: "100.00"}, {InvoiceID: b.proInv.ID, Amount: "120.00"}}})
	must(err)
	for _, a := range d.Allocations {
		if a.InvoiceID == b.partialInv.ID {
			b.partialAlloc = a.ID
		}
	}
	// An allocation made and released, then a payment edited in amount, method and text.
	edited := pay(b.acme, "50.00", "DBS edited")
	d, err = svc.Allocate(as, edited.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: b.partialInv.ID, Amount: "20.00"}}})
	must(err)
	b.released = d.Allocations[0].ID
	_, err = svc.ReleaseAllocation(as, edited.ID, b.released, 0)
	must(err)
	amount, method, remark := "55.00", "cheque", "corrected"
	_, err = svc.UpdatePayment(as, edited.ID, 0, finapp.PaymentUpdate{Amount: &amount, Method: &method, Remark: &remark})
	must(err)
	// Automatic allocation, then a move to another organization (which releases it) and back out.
	moved := pay(b.acme, "40.00", "DBS moved")
	_, err = svc.Allocate(as, moved.ID, 0, finapp.AllocationRequest{Auto: true})
	must(err)
	_, err = svc.AssignPayment(as, moved.ID, b.globex.ID, 0)
	must(err)
	_, err = svc.UnassignPayment(as, moved.ID, 0)
	must(err)
	// A top-up, and a top-up invoice paid and provisioned.
	b.toppedUp = pay(b.globex, "100.00", "DBS top-up")
	tu, err := svc.TopUp(as, b.toppedUp.ID, 0, "25.00")
	must(err)
	b.topUp = tu.ID
	_, err = svc.Allocate(as, b.toppedUp.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: topInv.ID, Amount: "60.00"}}})
	must(err)
	// A payment allocated and then deleted (its allocation released with it).
	gone := pay(b.acme, "10.00", "DBS deleted")
	_, err = svc.Allocate(as, gone.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: b.unpaidInv.ID, Amount: "10.00"}}})
	must(err)
	must(svc.DeletePayment(as, gone.ID, 0))

	// Two lines of a bank file, one of them assigned.
	path := filepath.Join(t.TempDir(), "bank.csv")
	csv := "received_on,amount,currency,method,reference,organization_id\n" +
		"2026-01-11,12.00,SGD,bank_transfer,FILE 1," + b.acme.ID + "\n" +
		"2026-01-12,13.00,SGD,bank_transfer,FILE 2,\n"
	must(os.WriteFile(path, []byte(csv), 0o600))
	var out, errOut bytes.Buffer
	if err := run(ctx, []string{"import", "payments", path, "--db", dsn}, strings.NewReader(""), &out, &errOut); err != nil {
		t.Fatalf("import: %v\n%s%s", err, out.String(), errOut.String())
	}
	return &b
}

// runVerify runs `finapp verify` and returns its output and error.
func runVerify(t *testing.T, dsn string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"verify", "--db", dsn}, strings.NewReader(""), &out, &errOut)
	return out.String(), err
}

func TestVerify_UntouchedBooksMatchTheirAuditTrail(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			dsn, _ := open(t)
			mixedBooks(t, dsn)
			if out, err := runVerify(t, dsn); err != nil || !strings.Contains(out, "all invariants hold") {
				t.Fatalf("verify of untouched books: %v\n%s", err, out)
			}
			out, err := runAuditVerify(t, dsn)
			if err != nil || !strings.Contains(out, "books match the audit trail") {
				t.Fatalf("audit verify of untouched books: %v\n%s", err, out)
			}
		})
	}
}

// entry is the seq of the journal entry of operation on entity.
const entry = `(SELECT seq FROM journal_entries WHERE entity_id = ? AND operation = ?)`

func TestVerify_FindsRowsEditedInStepWithTheirJournal(t *testing.T) {
	type tamper struct {
		edit func(b *replayedBooks) [][]any // statements, each its SQL and arguments
		want func(b *replayedBooks) []string
	}
	// shift moves amount on the two lines of an entry: debit up, credit down, still balanced.
	shift := func(entity, op string, by int) [][]any {
		return [][]any{
			{`UPDATE journal_lines SET amount = amount + ? WHERE amount > 0 AND entry_seq = ` + entry, by, entity, op},
			{`UPDATE journal_lines SET amount = amount - ? WHERE amount < 0 AND entry_seq = ` + entry, by, entity, op},
		}
	}
	cases := map[string]tamper{
		"payment amount with both journal lines": {
			edit: func(b *replayedBooks) [][]any {
				return append([][]any{{`UPDATE payments SET amount = amount + 100000 WHERE id = ?`, b.plain.ID}},
					shift(b.plain.ID, "payment.recorded", 100000)...)
			},
			want: func(b *replayedBooks) []string {
				return []string{"payments " + b.plain.ID + ": amount is \"1030.00\", the audit trail says \"30.00\""}
			},
		},
		"payment method with its cash account": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{
					{`UPDATE payments SET method = 'cash' WHERE id = ?`, b.plain.ID},
					{`UPDATE journal_lines SET account = 'cash:cash' WHERE account = 'cash:bank_transfer' AND entry_seq = ` + entry, b.plain.ID, "payment.recorded"},
				}
			},
			want: func(b *replayedBooks) []string { return []string{"payments " + b.plain.ID + ": method"} },
		},
		"payment reference": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE payments SET reference = 'DBS other' WHERE id = ?`, b.plain.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"payments " + b.plain.ID + ": reference"} },
		},
		"payment remark": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE payments SET remark = 'nothing to see' WHERE id = ?`, b.plain.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"payments " + b.plain.ID + ": remark"} },
		},
		"payment received_on": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE payments SET received_on = '2025-12-31' WHERE id = ?`, b.plain.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"payments " + b.plain.ID + ": received_on"} },
		},
		"payment organization with its unapplied account": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{
					{`UPDATE payments SET organization_id = ? WHERE id = ?`, b.globex.ID, b.plain.ID},
					{`UPDATE journal_lines SET account = ? WHERE account = ? AND entry_seq = ` + entry,
						finapp.UnappliedAccount(b.globex.ID), finapp.UnappliedAccount(b.acme.ID), b.plain.ID, "payment.recorded"},
				}
			},
			want: func(b *replayedBooks) []string { return []string{"payments " + b.plain.ID + ": organization_id"} },
		},
		"invoice total with its issue entry": {
			edit: func(b *replayedBooks) [][]any {
				return append([][]any{{`UPDATE invoices SET total = total + 100000 WHERE id = ?`, b.unpaidInv.ID}},
					shift(b.unpaidInv.ID, "invoice.issued", 100000)...)
			},
			want: func(b *replayedBooks) []string { return []string{"invoices " + b.unpaidInv.ID + ": total"} },
		},
		"invoice status": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE invoices SET status = 'paid' WHERE id = ?`, b.partialInv.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"invoices " + b.partialInv.ID + ": status"} },
		},
		"invoice number": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE invoices SET number = 'INV-9' WHERE id = ?`, b.unpaidInv.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"invoices " + b.unpaidInv.ID + ": number"} },
		},
		"allocation amount with payment, invoice and journal": {
			edit: func(b *replayedBooks) [][]any {
				return append([][]any{
					{`UPDATE allocations SET amount = amount - 5000 WHERE id = ?`, b.partialAlloc},
					{`UPDATE payments SET allocated = allocated - 5000 WHERE id = ?`, b.partial.ID},
					{`UPDATE invoices SET amount_settled = amount_settled - 5000 WHERE id = ?`, b.partialInv.ID},
				}, shift(b.partialAlloc, "allocation.created", -5000)...)
			},
			want: func(b *replayedBooks) []string {
				return []string{"allocations " + b.partialAlloc + ": amount", "payments " + b.partial.ID + ": allocated"}
			},
		},
		"allocation released_at": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE allocations SET released_at = '2026-01-01T00:00:00.000000000Z' WHERE id = ?`, b.released}}
			},
			want: func(b *replayedBooks) []string { return []string{"allocations " + b.released + ": released_at"} },
		},
		"top-up amount with payment and journal": {
			edit: func(b *replayedBooks) [][]any {
				return append([][]any{
					{`UPDATE top_ups SET amount = amount + 1000 WHERE id = ?`, b.topUp},
					{`UPDATE payments SET topped_up = topped_up + 1000 WHERE id = ?`, b.toppedUp.ID},
				}, shift(b.topUp, "payment.topped_up", 1000)...)
			},
			want: func(b *replayedBooks) []string { return []string{"top_ups " + b.topUp + ": amount"} },
		},
		"organization name": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE organizations SET name = 'Acme Holdings' WHERE id = ?`, b.acme.ID}}
			},
			want: func(b *replayedBooks) []string { return []string{"organizations " + b.acme.ID + ": name"} },
		},
		"journal line amount": {
			edit: func(b *replayedBooks) [][]any { return shift(b.plain.ID, "payment.recorded", 700) },
			want: func(b *replayedBooks) []string {
				return []string{"journal_lines jrn_", "line 0: amount is 37.00, the audit trail says 30.00"}
			},
		},
		"journal line account": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{{`UPDATE journal_lines SET account = 'cash:other' WHERE amount > 0 AND entry_seq = ` + entry, b.plain.ID, "payment.recorded"}}
			},
			want: func(b *replayedBooks) []string {
				return []string{"journal_lines jrn_", "line 0: account is \"cash:other\", the audit trail says \"cash:bank_transfer\""}
			},
		},
		"journal entry removed": {
			edit: func(b *replayedBooks) [][]any {
				return [][]any{
					{`DELETE FROM journal_lines WHERE entry_seq = ` + entry, b.unpaidInv.ID, "invoice.issued"},
					{`DELETE FROM journal_entries WHERE entity_id = ? AND operation = ?`, b.unpaidInv.ID, "invoice.issued"},
				}
			},
			want: func(b *replayedBooks) []string {
				return []string{"journal_entries " + b.unpaidInv.ID + ": row is missing, the audit trail says invoice.issued"}
			},
		},
	}
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			for what, c := range cases {
				t.Run(strings.ReplaceAll(what, " ", "_"), func(t *testing.T) {
					dsn, raw := open(t)
					b := mixedBooks(t, dsn)
					for _, stmt := range c.edit(b) {
						if err := raw.exec(t, stmt[0].(string), stmt[1:]...); err != nil {
							t.Fatalf("%s: %v", stmt[0], err)
						}
					}
					out, err := runVerify(t, dsn)
					t.Log(out)
					if err == nil {
						t.Fatalf("verify passed books edited outside finapp (%s):\n%s", what, out)
					}
					for _, want := range c.want(b) {
						if !strings.Contains(out, want) {
							t.Errorf("verify does not say %q:\n%s", want, out)
						}
					}
					if out, err := runAuditVerify(t, dsn); err == nil || !strings.Contains(out, "BOOKS DIFFER") {
						t.Errorf("audit verify passed books edited outside finapp: %v\n%s", err, out)
					}
				})
			}
		})
	}
}

// The import's audit events are one per payment (payment.recorded, naming the file's line) between
// import.started and import.completed: an import's row must count as many as the trail recorded.
func TestVerify_FindsAnImportCountEditedOutsideFinapp(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			dsn, raw := open(t)
			mixedBooks(t, dsn)
			ids := raw.query(t, `SELECT id FROM imports`)
			if len(ids) != 1 {
				t.Fatalf("%d imports", len(ids))
			}
			if err := raw.exec(t, `UPDATE imports SET done = 1 WHERE id = ?`, ids[0]); err != nil {
				t.Fatal(err)
			}
			out, err := runVerify(t, dsn)
			if want := fmt.Sprintf("imports %s: done is \"1\", the audit trail says \"2\"", ids[0]); err == nil || !strings.Contains(out, want) {
				t.Fatalf("verify does not say %q: %v\n%s", want, err, out)
			}
		})
	}
}

// The running credit balance a reservation decides on is kept by the database as journal lines
// are appended; verify checks it against the lines themselves, so one edited outside finapp is
// found.
func TestVerify_FindsARunningCreditBalanceEditedOutsideFinapp(t *testing.T) {
	for name, open := range engines() {
		t.Run(name, func(t *testing.T) {
			dsn, raw := open(t)
			b := mixedBooks(t, dsn)
			if out, err := runVerify(t, dsn); err != nil {
				t.Fatalf("verify of untouched books: %v\n%s", err, out)
			}
			if err := raw.exec(t, `UPDATE credit_balances SET lo = lo - 100 WHERE account = ?`, finapp.CreditAccount(b.toppedUp.OrganizationID)); err != nil {
				t.Fatal(err)
			}
			out, err := runVerify(t, dsn)
			if err == nil || !strings.Contains(out, "running credit balance") {
				t.Fatalf("verify passed a running credit balance edited outside finapp: %v\n%s", err, out)
			}
		})
	}
}
