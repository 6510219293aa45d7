package conformance

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

// testPageLookups: what matching a page of bank lines reads in a few statements (finapp's
// proposeBankLines) is what it says for every customer, IBAN, amount and line asked about, and
// nothing of another's: open invoices only (not paid ones, not another currency's), by customer
// in id order; for an IBAN, the customer of the latest matched line paid from it; payments of the
// amounts and days asked that no line is linked to and that are not deleted; lines by id, whose
// status alone SetBankLinesStatus changes.
func testPageLookups(t *testing.T, open func(t *testing.T) finapp.Store) {
	store := open(t)
	svc := finapp.NewService(store)
	ctx := financeContext(context.Background())
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	orgs := map[string]*finapp.Organization{}
	invoices := map[string]*finapp.Invoice{} // by number
	for _, name := range []string{"Acme", "Bolt", "Core"} {
		o, err := svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: "EUR"})
		must(err)
		orgs[name] = o
		for i, c := range []struct{ total, currency string }{{"100.00", "EUR"}, {"40.00", "EUR"}, {"60.00", "USD"}} {
			number := fmt.Sprintf("%s-%d", name, i+1)
			inv, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: number, OrganizationID: o.ID, Total: c.total, Currency: c.currency,
				IssuedOn: "2026-11-01", DueOn: "2026-11-30"})
			must(err)
			invoices[number] = inv
		}
	}
	// Acme-2 is paid whole, so it is open no more.
	p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: orgs["Acme"].ID, Amount: "40.00", Currency: "EUR", Method: "cash", ReceivedOn: "2026-11-10"})
	must(err)
	_, err = svc.Allocate(ctx, p.ID, 0, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: invoices["Acme-2"].ID, Amount: "40.00"}}})
	must(err)

	// Payments recorded by hand, of which a bank line will be linked to one and one is deleted.
	hand := map[string]*finapp.Payment{}
	for _, c := range []struct{ name, org, amount, on string }{
		{"in", "Bolt", "250.00", "2026-12-01"}, {"other-amount", "Bolt", "251.00", "2026-12-01"},
		{"too-early", "Bolt", "250.00", "2026-11-01"}, {"linked", "Core", "250.00", "2026-12-02"},
		{"deleted", "Core", "250.00", "2026-12-02"}, {"usd", "Core", "250.00", "2026-12-02"},
	} {
		cur := "EUR"
		if c.name == "usd" {
			cur = "USD"
		}
		p, err := svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: orgs[c.org].ID, Amount: c.amount, Currency: cur,
			Method: "bank_transfer", Reference: "HAND-" + c.name, ReceivedOn: c.on})
		must(err)
		hand[c.name] = p.Payment
	}
	must(svc.DeletePayment(ctx, hand["deleted"].ID, 0))

	// Bank lines: one paid from an IBAN applied to Bolt, then a later one from it applied to
	// Core (the latest says whose the IBAN is), one linked to the payment recorded by hand.
	lines := map[string]*finapp.BankLine{}
	for i, c := range []struct{ name, iban, amount string }{
		{"bolt-first", "DE02100100100006820101", "10.00"}, {"core-later", "DE02100100100006820101", "20.00"},
		{"link", "", "250.00"}, {"open", "NL91ABNA0417164300", "5.00"},
	} {
		amount, err := money.Parse(c.amount, "EUR")
		must(err)
		e := finapp.BankEntry{Currency: "EUR", Credit: true, Status: finapp.EntryBooked, BookingDate: "2026-12-02", Amount: amount,
			BankReference: "REF-" + c.name, CounterpartyIBAN: c.iban, Position: "line 1"}
		if c.name == "link" {
			e.EndToEndID = "HAND-linked" // the reference of the payment recorded by hand
		}
		imp, err := svc.ImportBankFile(ctx, func() (finapp.BankFile, error) {
			st := &finapp.BankStatement{ID: "S-" + c.name, Account: "DE89370400440532013000", Currency: "EUR", Position: "line 1"}
			e.Statement = st
			return &entriesFile{digest: fmt.Sprint("contract-", i), stmts: []*finapp.BankStatement{st}, entries: []finapp.BankEntry{e}}, nil
		}, nil)
		must(err)
		list, _, err := svc.ListBankLines(ctx, finapp.BankLineFilter{StatementID: imp.Statements[0].ID, Limit: 10})
		must(err)
		lines[c.name] = list[0]
	}
	apply := func(line string, in finapp.BankLineApply) {
		t.Helper()
		_, err := svc.ApplyBankLine(ctx, lines[line].ID, in)
		must(err)
	}
	apply("bolt-first", finapp.BankLineApply{OrganizationID: orgs["Bolt"].ID})
	apply("core-later", finapp.BankLineApply{OrganizationID: orgs["Core"].ID})
	_, props, err := svc.BankLineProposals(ctx, lines["link"].ID)
	must(err)
	linked := slices.IndexFunc(props, func(p finapp.BankProposal) bool { return p.PaymentID == hand["linked"].ID })
	if linked < 0 {
		t.Fatalf("line %s: no proposal links the payment recorded by hand; proposals %+v", lines["link"].ID, props)
	}
	apply("link", finapp.BankLineApply{ProposalID: props[linked].ID})

	must(store.View(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		ids := []string{orgs["Acme"].ID, orgs["Bolt"].ID, "org_nobody"}
		open, err := tx.OpenInvoicesOfOrganizations(ctx, ids, "EUR")
		if err != nil {
			return err
		}
		numbers := func(list []*finapp.Invoice) string {
			var out []string
			for _, inv := range list {
				out = append(out, inv.Number)
			}
			return strings.Join(out, " ")
		}
		for org, want := range map[string]string{orgs["Acme"].ID: "Acme-1", orgs["Bolt"].ID: "Bolt-1 Bolt-2", "org_nobody": ""} {
			if got := numbers(open[org]); got != want {
				t.Errorf("OpenInvoicesOfOrganizations[%s] = %q, want %q (open, EUR, in id order)", org, got, want)
			}
			if org == "org_nobody" {
				continue
			}
			one, err := tx.OpenInvoices(ctx, org, "EUR")
			if err != nil {
				return err
			}
			if got := numbers(open[org]); got != numbers(one) {
				t.Errorf("OpenInvoicesOfOrganizations[%s] = %q, OpenInvoices = %q", org, got, numbers(one))
			}
		}
		if len(open) != 2 {
			t.Errorf("OpenInvoicesOfOrganizations answered for %d customers, want 2 (Core was not asked about)", len(open))
		}

		byIBAN, err := tx.OrganizationsByIBAN(ctx, []string{"DE02100100100006820101", "NL91ABNA0417164300", "FR1420041010050500013M02606"})
		if err != nil {
			return err
		}
		if want := map[string]string{"DE02100100100006820101": orgs["Core"].ID}; fmt.Sprint(byIBAN) != fmt.Sprint(want) {
			t.Errorf("OrganizationsByIBAN = %v, want %v (the latest matched line's customer; an unmatched line's IBAN names none)", byIBAN, want)
		}

		amounts := []money.Amount{25000, 999}
		pays, err := tx.UnlinkedPayments(ctx, "EUR", amounts, "2026-11-25", "2026-12-09")
		if err != nil {
			return err
		}
		var got []string
		for _, p := range pays {
			got = append(got, p.ID)
		}
		if want := []string{hand["in"].ID}; fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("UnlinkedPayments = %v, want %v (not linked, not deleted, of the amounts, days and currency)", got, want)
		}
		return nil
	}))

	must(store.Update(ctx, finapp.DefaultWorkspace, func(tx finapp.Tx) error {
		ids := []string{lines["open"].ID, lines["link"].ID, "bl_nothing"}
		got, err := tx.BankLinesByID(ctx, ids)
		if err != nil {
			return err
		}
		if len(got) != 2 || !slices.IsSortedFunc(got, func(a, b *finapp.BankLine) int { return strings.Compare(a.ID, b.ID) }) {
			t.Fatalf("BankLinesByID returned %d lines, want the 2 that exist in id order", len(got))
		}
		for _, l := range got {
			one, err := tx.BankLine(ctx, l.ID)
			if err != nil {
				return err
			}
			if fmt.Sprintf("%+v", *one) != fmt.Sprintf("%+v", *l) {
				t.Errorf("BankLinesByID %s = %+v, BankLine = %+v", l.ID, *l, *one)
			}
		}
		return tx.SetBankLinesStatus(ctx, []string{lines["open"].ID}, finapp.BankLineProposed)
	}))
	after, err := svc.GetBankLine(ctx, lines["open"].ID)
	must(err)
	before := *lines["open"]
	before.Status = finapp.BankLineProposed
	if fmt.Sprintf("%+v", *after) != fmt.Sprintf("%+v", before) {
		t.Errorf("SetBankLinesStatus changed more than the status:\n got %+v\nwant %+v", *after, before)
	}
	if l, err := svc.GetBankLine(ctx, lines["link"].ID); err != nil || l.Status != finapp.BankLineMatched {
		t.Errorf("SetBankLinesStatus touched a line not named: %+v %v", l, err)
	}
}

// entriesFile is a bank file of entries already read.
type entriesFile struct {
	digest  string
	stmts   []*finapp.BankStatement
	entries []finapp.BankEntry
	next    int
}

func (f *entriesFile) Next() (finapp.BankEntry, error) {
	if f.next == len(f.entries) {
		return finapp.BankEntry{}, io.EOF
	}
	f.next++
	return f.entries[f.next-1], nil
}
func (f *entriesFile) Statements() []*finapp.BankStatement { return f.stmts }
func (f *entriesFile) Format() string                      { return "camt.053" }
func (f *entriesFile) Digest() string                      { return f.digest }
