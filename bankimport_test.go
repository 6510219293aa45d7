package finapp_test

import (
	"context"
	"io"
	"strings"
	"testing"

	"finapp"
	"finapp/internal/testdb"
	"finapp/money"
)

// sliceFile is a bank file already read: the books' rules are tested here on entries as any
// format gives them; each format's reading is tested in its own package.
type sliceFile struct {
	digest  string
	stmts   []*finapp.BankStatement
	entries []finapp.BankEntry
	next    int
}

func (f *sliceFile) Next() (finapp.BankEntry, error) {
	if f.next == len(f.entries) {
		return finapp.BankEntry{}, io.EOF
	}
	f.next++
	return f.entries[f.next-1], nil
}
func (f *sliceFile) Statements() []*finapp.BankStatement { return f.stmts }
func (f *sliceFile) Format() string                      { return "camt.053" }
func (f *sliceFile) Digest() string                      { return f.digest }

// statementFile builds a one-statement file of account DE… in EUR whose balances add up unless
// closing is given; each entry is "ref:amount" (a negative amount is a debit, ref "" gives none).
func statementFile(digest string, entries []string, closing ...money.Amount) func() (finapp.BankFile, error) {
	return func() (finapp.BankFile, error) {
		st := &finapp.BankStatement{ID: "STMT-" + digest, Account: "DE89 3704 0044 0532 0130 00", Currency: "EUR", HasBalances: true,
			Opening: money.SumOf(100000), OpeningDate: "2026-12-01", ClosingDate: "2026-12-02", Position: "line 3"}
		f := &sliceFile{digest: digest, stmts: []*finapp.BankStatement{st}}
		sum := st.Opening
		for i, e := range entries {
			ref, amount, _ := strings.Cut(e, ":")
			a, credit := amount, true
			if strings.HasPrefix(a, "-") {
				a, credit = a[1:], false
			}
			amt, err := money.Parse(a, "EUR")
			if err != nil {
				panic(err)
			}
			be := finapp.BankEntry{Statement: st, Amount: amt, Currency: "EUR", Credit: credit, Status: finapp.EntryBooked,
				BookingDate: "2026-12-02", BankReference: ref, RemittanceText: "INV-1001", Position: "line " + string(rune('a'+i))}
			if strings.HasPrefix(ref, "pdng") {
				be.Status = finapp.EntryPending
			} else if credit {
				sum = sum.Add(amt)
			} else {
				sum = sum.Add(-amt)
			}
			f.entries = append(f.entries, be)
		}
		st.Closing = sum
		if len(closing) > 0 {
			st.Closing = money.SumOf(closing[0])
		}
		return f, nil
	}
}

func bankContext(t testing.TB) (*finapp.Service, context.Context) {
	svc := finapp.NewService(testdb.Open(t))
	return svc, finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:bank", Role: finapp.RoleFinance})
}

func bankLines(t *testing.T, svc *finapp.Service, ctx context.Context, status string) []*finapp.BankLine {
	t.Helper()
	list, _, err := svc.ListBankLines(ctx, finapp.BankLineFilter{Status: status, Limit: 200})
	if err != nil {
		t.Fatal(err)
	}
	return list
}

// A line is kept once per account and key: the same file again is refused naming its statement,
// and an overlapping statement creates only what the first did not.
func TestImportBankFile_EachLineOnce(t *testing.T) {
	svc, ctx := bankContext(t)
	imp, err := svc.ImportBankFile(ctx, statementFile("f1", []string{"A1:10.00", "A2:-2.50", ":3.00", ":3.00", "pdng1:1.00"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if imp.Created != 5 || imp.Skipped != 0 || len(imp.Statements) != 1 || imp.Statements[0].Entries != 5 {
		t.Fatalf("first import: %+v", imp)
	}
	if n := len(bankLines(t, svc, ctx, "")); n != 5 {
		t.Fatalf("%d lines, want 5 (two equal entries without a reference are two lines)", n)
	}
	if n := len(bankLines(t, svc, ctx, finapp.BankLineInformational)); n != 1 {
		t.Fatalf("%d informational lines, want the pending one", n)
	}
	_, err = svc.ImportBankFile(ctx, statementFile("f1", []string{"A1:10.00"}), nil)
	if finapp.ErrorCode(err) != finapp.EDuplicate || !strings.Contains(err.Error(), imp.Statements[0].ID) {
		t.Fatalf("the same file again: %v, want duplicate naming %s", err, imp.Statements[0].ID)
	}
	again, err := svc.ImportBankFile(ctx, statementFile("f2", []string{"A2:-2.50", ":3.00", ":3.00", ":3.00", "A3:7.00"}), nil)
	if err != nil {
		t.Fatal(err)
	}
	if again.Created != 2 || again.Skipped != 3 {
		t.Fatalf("overlap: created %d skipped %d, want 2 (a third 3.00 and A3) and 3", again.Created, again.Skipped)
	}
	if again.Statements[0].BankAccountID != imp.Statements[0].BankAccountID {
		t.Fatal("one account, two bank accounts")
	}
	st, err := svc.GetBankStatement(ctx, again.Statements[0].ID)
	if err != nil || st.Created != 2 || st.Skipped != 3 || st.Account != "DE89370400440532013000" || !st.HasBalances {
		t.Fatalf("statement kept: %+v %v", st, err)
	}
}

// A file is refused whole, naming what is wrong, and nothing of it is kept.
func TestImportBankFile_RefusedWhole(t *testing.T) {
	svc, ctx := bankContext(t)
	wrongCurrency := func() (finapp.BankFile, error) {
		f, _ := statementFile("f3", []string{"B1:1.00", "B2:2.00"})()
		sf := f.(*sliceFile)
		sf.entries[1].Currency = "USD"
		return sf, nil
	}
	for _, c := range []struct {
		name string
		open func() (finapp.BankFile, error)
		want string
	}{
		{"unbalanced", statementFile("f1", []string{"B1:10.00", "B2:5.00"}, 101000), "a difference of -5.00"},
		{"a bank reference twice", statementFile("f2", []string{"B1:10.00", "B1:5.00"}), `bank reference "B1" is given to an earlier entry`},
		{"wrong currency", wrongCurrency, "the entry is in USD, but the statement's account is in EUR"},
		{"unreadable", func() (finapp.BankFile, error) {
			return nil, &finapp.LineError{Line: 7, Field: "Ntry/Amt", Message: "is not an amount"}
		}, "line 7, Ntry/Amt: is not an amount"},
	} {
		_, err := svc.ImportBankFile(ctx, c.open, nil)
		if finapp.ErrorCode(err) != finapp.EInvalid || finapp.ErrorField(err) != "file" || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want a refusal of file saying %q", c.name, err, c.want)
		}
	}
	if n := len(bankLines(t, svc, ctx, "")); n != 0 {
		t.Fatalf("%d lines kept from refused files", n)
	}
	list, _, err := svc.ListBankStatements(ctx, finapp.BankStatementFilter{Limit: 10})
	if err != nil || len(list) != 0 {
		t.Fatalf("statements kept from refused files: %d %v", len(list), err)
	}
}

// A camt.054 brings the details of a batch a camt.053 showed once: the details are the lines to
// decide about and the batch is split, whichever file comes first, and again changes nothing.
func TestImportBankFile_BatchDetailsSplitTheBatch(t *testing.T) {
	for _, order := range []string{"statement first", "details first"} {
		t.Run(order, func(t *testing.T) {
			svc, ctx := bankContext(t)
			batch := statementFile("053", []string{"BATCH-7:30.00"})
			details := func() (finapp.BankFile, error) {
				st := &finapp.BankStatement{ID: "NTFCN-1", Account: "DE89370400440532013000", Position: "line 2"}
				f := &sliceFile{digest: "054", stmts: []*finapp.BankStatement{st}}
				for i, a := range []money.Amount{1000, 2000} {
					f.entries = append(f.entries, finapp.BankEntry{Statement: st, Amount: a, Currency: "EUR", Credit: true,
						Status: finapp.EntryBooked, BookingDate: "2026-12-02", Batch: "BATCH-7", BankReference: "BATCH-7/" + string(rune('1'+i)),
						Position: "line 9"})
				}
				return f, nil
			}
			files := []func() (finapp.BankFile, error){batch, details}
			if order == "details first" {
				files = []func() (finapp.BankFile, error){details, batch}
			}
			for _, open := range files {
				if _, err := svc.ImportBankFile(ctx, open, nil); err != nil {
					t.Fatal(err)
				}
			}
			split := bankLines(t, svc, ctx, finapp.BankLineSplit)
			if len(split) != 1 || split[0].BankReference != "BATCH-7" {
				t.Fatalf("split lines: %+v", split)
			}
			if n := len(bankLines(t, svc, ctx, finapp.BankLineUnmatched)); n != 2 {
				t.Fatalf("%d unmatched lines, want the two details", n)
			}
		})
	}
}

// lateBalanceFile states its closing balance only after its last entry, as MT940 does (:62F:
// follows the :61: lines).
type lateBalanceFile struct {
	*sliceFile
	closing money.Sum
}

func (f *lateBalanceFile) Next() (finapp.BankEntry, error) {
	e, err := f.sliceFile.Next()
	if err == io.EOF {
		f.stmts[0].Closing = f.closing
	}
	return e, err
}

// A balance the file states after its entries is the one checked and the one kept.
func TestImportBankFile_BalanceAfterEntries(t *testing.T) {
	svc, ctx := bankContext(t)
	open := func() (finapp.BankFile, error) {
		f, _ := statementFile("late", []string{"L1:10.00", "L2:-2.50"})()
		sf := f.(*sliceFile)
		late := &lateBalanceFile{sliceFile: sf, closing: sf.stmts[0].Closing}
		sf.stmts[0].Closing = money.Sum{}
		return late, nil
	}
	imp, err := svc.ImportBankFile(ctx, open, nil)
	if err != nil {
		t.Fatal(err)
	}
	st, err := svc.GetBankStatement(ctx, imp.Statements[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := money.SumOf(100750); st.Closing.Cmp(want) != 0 || st.ClosingDate != "2026-12-02" {
		t.Fatalf("closing kept %s on %s, want 1007.50 (stated after the entries)", st.Closing.Format("EUR"), st.ClosingDate)
	}
}

// panickyFile is a reader with a bug: it panics on its second entry.
type panickyFile struct{ *sliceFile }

func (f *panickyFile) Next() (finapp.BankEntry, error) {
	if f.next == 1 {
		panic("reader bug")
	}
	return f.sliceFile.Next()
}

// A reader's panic reaches the caller of the import (where a request's recovery answers 500, or
// the group committer turns it into an error), not the goroutine the file is read on, which would
// take the process down; and nothing is kept.
func TestImportBankFile_ReaderPanicReachesCaller(t *testing.T) {
	svc, ctx := bankContext(t)
	open := func() (finapp.BankFile, error) {
		f, _ := statementFile("panic", []string{"P1:10.00", "P2:5.00"})()
		return &panickyFile{f.(*sliceFile)}, nil
	}
	var recovered any
	var err error
	func() {
		defer func() { recovered = recover() }()
		_, err = svc.ImportBankFile(ctx, open, nil)
	}()
	if recovered != "reader bug" && (err == nil || !strings.Contains(err.Error(), "reader bug")) {
		t.Fatalf("recovered %v, error %v: want the reader's panic", recovered, err)
	}
	if n := len(bankLines(t, svc, ctx, "")); n != 0 {
		t.Fatalf("%d lines kept after a failed import", n)
	}
}
