package conformance

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/hledger"
	"finapp/money"
)

// hledgerSteps is how many random steps follow the scripted start of the hledger scenario.
const hledgerSteps = 60

// testHledger exports the journal of a scenario that makes every kind of posting with
// finapp.WriteLedger and checks that hledger, reading the file, arrives at the same balance for
// every account as finapp does (SPEC §2: "those tools must agree with finapp's own balances").
func testHledger(t *testing.T, open func(t *testing.T) finapp.Store) {
	bin, err := exec.LookPath("hledger")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("hledger is not on PATH; CI must have it to cross-check the journal (scripts/test installs Debian's hledger)")
		}
		t.Skip("hledger is not on PATH; install it (apt-get install hledger) to cross-check the journal")
	}
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("FINAPP_CONFORMANCE_SEED"); s != "" {
		if seed, err = strconv.ParseUint(s, 10, 64); err != nil {
			t.Fatalf("FINAPP_CONFORMANCE_SEED: %v", err)
		}
	}
	t.Logf("random steps from seed %d (set FINAPP_CONFORMANCE_SEED=%d to replay them)", seed, seed)

	f := newFixture(t, open)
	ledgerPrelude(f)
	rng := rand.New(rand.NewPCG(seed, 0x5eed))
	s := newScenario(t, func(_ string, lo, hi int) int { return lo + rng.IntN(hi-lo+1) }, f.ctx, f.svc)
	s.numbers = 100
	if bad := s.load(true).check(); len(bad) > 0 {
		t.Fatalf("after the scripted start the books are wrong:\n  %s", strings.Join(bad, "\n  "))
	}
	s.run(hledgerSteps)
	s.finish()

	entries, err := f.svc.Journal(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "finapp.journal")
	var buf bytes.Buffer
	if err := hledger.Write(&buf, entries); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := hledgerBalances(bin, path)
	if err != nil {
		t.Fatal(err)
	}
	balances, err := f.svc.AccountBalances(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := (&books{balances: balances}).ledger()
	if len(want) < 10 {
		t.Fatalf("the scenario left only %d accounts with a balance; it is meant to touch every kind of account", len(want))
	}
	if diff := diffLedgers("finapp", want, "hledger", got); len(diff) > 0 {
		t.Errorf("hledger disagrees with finapp on %d accounts (journal kept at %s):\n  %s", len(diff), path, strings.Join(diff, "\n  "))
	}
}

// ledgerPrelude makes every kind of journal posting at least once: invoices of each kind issued
// and one voided, payments recorded assigned and unassigned in SGD and JPY, allocation explicit
// and automatic, release, provisioning of a proforma and of top-up invoices, top-ups, edits of
// amount, currency and method, unassign and delete; credit notes issued, applied, released,
// refunded, moved into credit and voided.
func ledgerPrelude(f *fixture) {
	f.t.Helper()
	must := func(what string, err error) {
		f.t.Helper()
		if err != nil {
			f.t.Fatalf("%s: %v", what, err)
		}
	}
	a, b := f.org("Ledger Alpha", sgd), f.org("Ledger Beta", jpy)
	std := f.invoice(a.ID, "L-STD", finapp.KindStandard, "100.00")
	pro := f.invoice(a.ID, "L-PRO", finapp.KindProforma, "50.00")
	top := f.invoice(a.ID, "L-TOP", finapp.KindTopUp, "30.00")
	f.invoice(b.ID, "L-BSTD", finapp.KindStandard, "5000")
	f.invoice(b.ID, "L-BTOP", finapp.KindTopUp, "2000")
	void := f.invoice(a.ID, "L-VOID", finapp.KindStandard, "1.00")
	_, err := f.svc.VoidInvoice(f.ctx, void.ID, 0)
	must("voiding", err)

	p1 := f.payment(a.ID, "200.00", sgd)
	d, err := f.svc.Allocate(f.ctx, p1.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{
		{InvoiceID: std.ID, Amount: "60.00"}, {InvoiceID: pro.ID, Amount: "50.00"}, {InvoiceID: top.ID, Amount: "30.00"}}})
	must("allocating to three invoices", err)
	for _, al := range d.Allocations {
		if al.InvoiceID == std.ID {
			_, err = f.svc.ReleaseAllocation(f.ctx, p1.ID, al.ID, 0)
			must("releasing", err)
		}
	}
	_, err = f.svc.Allocate(f.ctx, p1.ID, 0, finapp.AllocationRequest{Auto: true})
	must("allocating automatically", err)
	_, err = f.svc.UpdatePayment(f.ctx, p1.ID, 0, finapp.PaymentUpdate{Amount: ptr("210.00"), Method: ptr("cash")})
	must("editing amount and method", err)
	_, err = f.svc.TopUp(f.ctx, p1.ID, 0, "5.00")
	must("topping up", err)

	p2 := f.payment("", "7000", jpy)
	_, err = f.svc.Allocate(f.ctx, p2.ID, 0, finapp.AllocationRequest{OrganizationID: b.ID, Auto: true})
	must("assigning and allocating", err)

	p3 := f.payment("", "12.34", sgd)
	_, err = f.svc.UpdatePayment(f.ctx, p3.ID, 0, finapp.PaymentUpdate{Currency: ptr("JPY"), Amount: ptr("1234")})
	must("changing currency", err)
	_, err = f.svc.AssignPayment(f.ctx, p3.ID, b.ID, 0)
	must("assigning", err)
	_, err = f.svc.TopUp(f.ctx, p3.ID, 0, "234")
	must("topping up", err)

	p4 := f.payment(a.ID, "5.00", sgd)
	_, err = f.svc.UnassignPayment(f.ctx, p4.ID, 0)
	must("unassigning", err)
	_, err = f.svc.AssignPayment(f.ctx, p4.ID, b.ID, 0)
	must("reassigning", err)
	must("deleting", f.svc.DeletePayment(f.ctx, p4.ID, 0))

	cnInv := f.invoice(a.ID, "L-CN", finapp.KindStandard, "40.00")
	cn, err := f.svc.IssueCreditNote(f.ctx, finapp.CreditNoteCreate{OrganizationID: a.ID, InvoiceID: cnInv.ID, Amount: "30.00", Reason: "returned"})
	must("issuing a credit note", err)
	applied, err := f.svc.ApplyCreditNote(f.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: cnInv.ID, Amount: "12.00"}}})
	must("applying a credit note", err)
	_, err = f.svc.ReleaseCreditNoteApplication(f.ctx, cn.ID, applied.Applications[0].ID)
	must("releasing a credit note application", err)
	_, err = f.svc.ApplyCreditNote(f.ctx, cn.ID, 0, finapp.CreditNoteApplyRequest{Auto: true})
	must("applying a credit note oldest first", err)
	cn2, err := f.svc.IssueCreditNote(f.ctx, finapp.CreditNoteCreate{OrganizationID: b.ID, Amount: "900", Reason: "goodwill"})
	must("issuing a second credit note", err)
	_, err = f.svc.RefundCreditNote(f.ctx, cn2.ID, 0, finapp.CreditNoteRefund{Amount: "300", Method: "paypal", Reason: "asked for it"})
	must("refunding a credit note", err)
	_, err = f.svc.CreditNoteToCredit(f.ctx, cn2.ID, 0, "200", "prepaid")
	must("moving a credit note into credit", err)
	cn3, err := f.svc.IssueCreditNote(f.ctx, finapp.CreditNoteCreate{OrganizationID: a.ID, Amount: "1.00", Reason: "mistake"})
	must("issuing a third credit note", err)
	_, err = f.svc.VoidCreditNote(f.ctx, cn3.ID, 0)
	must("voiding a credit note", err)
}

// hledgerBalances runs `hledger balance` on a journal file and returns every account's balance
// per commodity, read exactly from hledger's decimal strings.
func hledgerBalances(bin, path string) (map[account]money.Sum, error) {
	// --layout=bare (hledger 1.19 and later) puts each commodity on its own row with its own column.
	out, err := run(bin, "-f", path, "balance", "-O", "csv", "--no-total", "--layout=bare")
	bare := err == nil
	if err != nil {
		// Older hledger: one cell per account, commodities joined by ", ".
		if out, err = run(bin, "-f", path, "balance", "-O", "csv", "--no-total"); err != nil {
			return nil, err
		}
	}
	rows, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		return nil, fmt.Errorf("reading hledger's CSV: %w\n%s", err, out)
	}
	if len(rows) == 0 {
		return nil, fmt.Errorf("hledger printed no CSV header")
	}
	got := map[account]money.Sum{}
	add := func(acct, commodity, amount string) error {
		if amount == "0" {
			return nil
		}
		cur, err := money.ParseCurrency(commodity)
		if err != nil {
			return fmt.Errorf("hledger's commodity for %s: %w", acct, err)
		}
		a, err := money.ParseSum(amount, cur)
		if err != nil {
			return fmt.Errorf("hledger's balance of %s: %w", acct, err)
		}
		if k := (account{acct, cur}); !a.IsZero() {
			got[k] = got[k].Plus(a)
		}
		return nil
	}
	for _, row := range rows[1:] {
		switch {
		case bare && len(row) == 3:
			if err := add(row[0], row[1], row[2]); err != nil {
				return nil, err
			}
		case !bare && len(row) == 2:
			for _, part := range strings.Split(row[1], ", ") {
				amount, commodity, _ := strings.Cut(strings.TrimSpace(part), " ")
				if err := add(row[0], commodity, amount); err != nil {
					return nil, err
				}
			}
		default:
			return nil, fmt.Errorf("unexpected hledger CSV row %q", row)
		}
	}
	return got, nil
}

func run(bin string, args ...string) ([]byte, error) {
	var stderr bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w: %s", bin, strings.Join(args, " "), err, stderr.String())
	}
	return out, nil
}
