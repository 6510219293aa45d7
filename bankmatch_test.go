package finapp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

// matchWorld is a workspace with two customers and their invoices, and a way to bring bank lines
// in as a statement brings them.
type matchWorld struct {
	t    *testing.T
	svc  *finapp.Service
	ctx  context.Context
	acme *finapp.Organization
	bolt *finapp.Organization
	inv  map[string]*finapp.Invoice // by number
	n    int
}

func newMatchWorld(t *testing.T) *matchWorld {
	svc, ctx := bankContext(t)
	w := &matchWorld{t: t, svc: svc, ctx: ctx, inv: map[string]*finapp.Invoice{}}
	w.acme = w.org("Acme Telecom")
	w.bolt = w.org("Bolt SaaS")
	for _, c := range []struct {
		org                     *finapp.Organization
		number, total, currency string
	}{
		{w.acme, "INV-1001", "100.00", "EUR"},
		{w.acme, "INV-1002", "40.00", "EUR"},
		{w.acme, "INV-1003", "60.00", "EUR"},
		{w.acme, "INV-1004", "77.00", "USD"},
		{w.bolt, "B-2001", "250.00", "EUR"},
		{w.bolt, "B-2002", "100.00", "EUR"},
	} {
		inv, err := svc.CreateInvoice(ctx, finapp.InvoiceCreate{Number: c.number, OrganizationID: c.org.ID, Total: c.total, Currency: c.currency,
			IssuedOn: "2026-11-01", DueOn: "2026-11-30"})
		if err != nil {
			t.Fatal(err)
		}
		w.inv[c.number] = inv
	}
	return w
}

func (w *matchWorld) org(name string) *finapp.Organization {
	o, err := w.svc.CreateOrganization(w.ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: "EUR"})
	if err != nil {
		w.t.Fatal(err)
	}
	return o
}

// line imports one credit line of amount (EUR unless e says otherwise) as edit shapes it.
func (w *matchWorld) line(amount string, edit func(e *finapp.BankEntry)) *finapp.BankLine {
	w.t.Helper()
	w.n++
	e := finapp.BankEntry{Currency: "EUR", Credit: true, Status: finapp.EntryBooked, BookingDate: "2026-12-02",
		BankReference: fmt.Sprintf("REF-%d", w.n), Position: "line 1"}
	if edit != nil {
		edit(&e)
	}
	amt, err := money.Parse(amount, e.Currency)
	if err != nil {
		w.t.Fatal(err)
	}
	e.Amount = amt
	imp, err := w.svc.ImportBankFile(w.ctx, func() (finapp.BankFile, error) {
		st := &finapp.BankStatement{ID: "S", Account: "DE89370400440532013000", Currency: e.Currency, Position: "line 1"}
		e := e
		e.Statement = st
		return &sliceFile{digest: fmt.Sprint("file-", w.n), stmts: []*finapp.BankStatement{st}, entries: []finapp.BankEntry{e}}, nil
	}, nil)
	if err != nil {
		w.t.Fatal(err)
	}
	list, _, err := w.svc.ListBankLines(w.ctx, finapp.BankLineFilter{StatementID: imp.Statements[0].ID, Limit: 10})
	if err != nil || len(list) != 1 {
		w.t.Fatalf("%v %v", list, err)
	}
	return list[0]
}

func (w *matchWorld) proposals(l *finapp.BankLine) []finapp.BankProposal {
	w.t.Helper()
	_, list, err := w.svc.BankLineProposals(w.ctx, l.ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return list
}

// describe writes a proposal as the table below expects it: "customer: number=amount,… +writeoff
// [kinds]".
func (w *matchWorld) describe(p finapp.BankProposal) string {
	name := map[string]string{w.acme.ID: "acme", w.bolt.ID: "bolt"}[p.OrganizationID]
	var allocs []string
	for _, a := range p.Allocations {
		allocs = append(allocs, a.InvoiceNumber+"="+money.Format(a.Amount, "EUR"))
	}
	slices.Sort(allocs)
	s := name + ": " + strings.Join(allocs, ",")
	if p.WriteOff != nil {
		s += " +writeoff " + p.WriteOff.InvoiceNumber + "=" + money.Format(p.WriteOff.Amount, "EUR")
	}
	if p.PaymentID != "" {
		s += "link"
	}
	var kinds []string
	for _, e := range p.Evidence {
		if !slices.Contains(kinds, e.Kind) {
			kinds = append(kinds, e.Kind)
		}
	}
	slices.Sort(kinds)
	return s + " [" + strings.Join(kinds, " ") + "]"
}

// The matching table: each kind of evidence, several invoices, ties, a wrong customer, a foreign
// currency. Each row is a line and the proposals it gets, best first.
func TestBankLineProposals(t *testing.T) {
	w := newMatchWorld(t)
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	if _, err := w.svc.SetTolerance(admin, "EUR", "0.50"); err != nil {
		t.Fatal(err)
	}
	rf := finapp.FormatCreditorReference(finapp.CreditorReference("INV-1002"))
	for _, c := range []struct {
		name   string
		amount string
		edit   func(e *finapp.BankEntry)
		want   []string
	}{
		{"the number in the remittance text", "100.00", func(e *finapp.BankEntry) { e.RemittanceText = "Payment inv-1001 thanks" },
			[]string{"acme: INV-1001=100.00 [amount_equals_invoice invoice_number_in_text]"}},
		{"a referred document", "40.00", func(e *finapp.BankEntry) { e.DocumentNumbers = []string{"INV-1002"} },
			[]string{"acme: INV-1002=40.00 [amount_equals_invoice invoice_number_in_text structured_reference]"}},
		{"an RF reference in groups of four", "40.00", func(e *finapp.BankEntry) { e.RemittanceText = "ref " + rf },
			[]string{"acme: INV-1002=40.00 [amount_equals_invoice rf_reference]"}},
		{"an RF reference with a wrong check digit names nothing", "40.00", func(e *finapp.BankEntry) {
			e.StructuredReference = rf[:2] + map[byte]string{'9': "0"}[rf[3]] + "9" + rf[4:]
		}, nil},
		{"several invoices named", "140.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001, INV-1002" },
			[]string{"acme: INV-1001=100.00,INV-1002=40.00 [amount_equals_invoice_set invoice_number_in_text]"}},
		{"two customers named: both proposed, the one whose amount fits first", "100.00", func(e *finapp.BankEntry) {
			e.RemittanceText = "B-2002 INV-1003"
		}, []string{"bolt: B-2002=100.00 [amount_equals_invoice invoice_number_in_text]",
			"acme: INV-1003=60.00 [invoice_number_in_text]"}},
		{"a short payment within tolerance", "99.60", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001" },
			[]string{"acme: INV-1001=99.60 +writeoff INV-1001=0.40 [invoice_number_in_text within_tolerance]"}},
		{"short beyond the tolerance: no write-off", "99.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001" },
			[]string{"acme: INV-1001=99.00 [invoice_number_in_text]"}},
		{"a foreign currency invoice named is not proposed for euros", "77.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1004" }, nil},
		{"nothing to go on", "12.34", func(e *finapp.BankEntry) { e.RemittanceText = "happy birthday" }, nil},
		{"money out is not proposed", "100.00", func(e *finapp.BankEntry) { e.Credit, e.RemittanceText = false, "INV-1001" }, nil},
		{"a pending entry is not proposed", "100.00", func(e *finapp.BankEntry) { e.Status, e.RemittanceText = finapp.EntryPending, "INV-1001" }, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			w.t = t
			var got []string
			for _, p := range w.proposals(w.line(c.amount, c.edit)) {
				got = append(got, w.describe(p))
			}
			if strings.Join(got, "\n") != strings.Join(c.want, "\n") {
				t.Errorf("got\n  %s\nwant\n  %s", strings.Join(got, "\n  "), strings.Join(c.want, "\n  "))
			}
		})
	}
}

// The IBAN of a line applied once names its customer next time, and an amount equal to a set of
// its open invoices is proposed from it alone.
func TestBankLineProposals_IBANKnownAndInvoiceSet(t *testing.T) {
	w := newMatchWorld(t)
	const iban = "GB33BUKB20201555555555"
	first := w.line("250.00", func(e *finapp.BankEntry) { e.CounterpartyIBAN, e.RemittanceText = iban, "B-2001" })
	props := w.proposals(first)
	if len(props) != 1 {
		t.Fatalf("proposals %v", props)
	}
	if _, err := w.svc.ApplyBankLine(w.ctx, first.ID, finapp.BankLineApply{ProposalID: props[0].ID}); err != nil {
		t.Fatal(err)
	}
	w.svc.CreateInvoice(w.ctx, finapp.InvoiceCreate{Number: "B-2003", OrganizationID: w.bolt.ID, Total: "30.00", IssuedOn: "2026-11-02"})
	next := w.line("130.00", func(e *finapp.BankEntry) { e.CounterpartyIBAN = iban })
	var got []string
	for _, p := range w.proposals(next) {
		got = append(got, w.describe(p))
	}
	if want := "bolt: B-2002=100.00,B-2003=30.00 [amount_equals_invoice_set iban_known]"; strings.Join(got, "|") != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// A page's proposals are made from what the books say about all its lines, read at once: each
// line's are still what they are when it is proposed alone — whatever the other lines name (the
// same invoice, another customer, the same IBAN, the same money as a payment recorded by hand).
func TestProposalsOfBankLines_EachLineAsIfAlone(t *testing.T) {
	w := newMatchWorld(t)
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	if _, err := w.svc.SetTolerance(admin, "EUR", "0.50"); err != nil {
		t.Fatal(err)
	}
	const iban = "GB33BUKB20201555555555"
	known := w.line("250.00", func(e *finapp.BankEntry) { e.CounterpartyIBAN, e.RemittanceText = iban, "B-2001" })
	if props := w.proposals(known); len(props) != 1 {
		t.Fatalf("proposals %v", props)
	} else if _, err := w.svc.ApplyBankLine(w.ctx, known.ID, finapp.BankLineApply{ProposalID: props[0].ID}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.RecordPayment(w.ctx, finapp.PaymentCreate{OrganizationID: w.acme.ID, Amount: "40.00", Currency: "EUR",
		Method: "bank_transfer", Reference: "E2E-40", ReceivedOn: "2026-12-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Acme by name", OrganizationID: w.acme.ID,
		Conditions: []finapp.RuleCondition{{Field: "counterparty_name", Operator: "contains", Value: "acme"}}}); err != nil {
		t.Fatal(err)
	}
	rf := finapp.FormatCreditorReference(finapp.CreditorReference("INV-1002"))
	var lines []*finapp.BankLine
	for _, c := range []struct {
		amount string
		edit   func(e *finapp.BankEntry)
	}{
		{"100.00", func(e *finapp.BankEntry) { e.RemittanceText = "Payment inv-1001 thanks" }},
		{"100.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001 again" }},
		{"40.00", func(e *finapp.BankEntry) { e.StructuredReference = rf }},
		{"40.00", func(e *finapp.BankEntry) { e.EndToEndID = "E2E-40" }},
		{"40.00", func(e *finapp.BankEntry) { e.EndToEndID = "E2E-41" }},
		{"140.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001, INV-1002" }},
		{"100.00", func(e *finapp.BankEntry) { e.RemittanceText = "B-2002 INV-1003" }},
		{"99.60", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1001" }},
		{"100.00", func(e *finapp.BankEntry) { e.CounterpartyIBAN = iban }},
		{"77.00", func(e *finapp.BankEntry) { e.RemittanceText = "INV-1004" }},
		{"77.00", func(e *finapp.BankEntry) { e.Currency, e.RemittanceText = "USD", "INV-1004" }},
		{"12.34", func(e *finapp.BankEntry) { e.CounterpartyName = "ACME Telecom GmbH" }},
		{"12.34", func(e *finapp.BankEntry) { e.RemittanceText = "happy birthday" }},
		{"100.00", func(e *finapp.BankEntry) { e.Credit, e.RemittanceText = false, "INV-1001" }},
	} {
		lines = append(lines, w.line(c.amount, c.edit))
	}
	together, err := w.svc.ProposalsOfBankLines(w.ctx, lines)
	if err != nil {
		t.Fatal(err)
	}
	proposed := 0
	for i, l := range lines {
		alone := w.proposals(l)
		a, _ := json.Marshal(alone)
		p, _ := json.Marshal(together[l.ID])
		if string(a) != string(p) {
			t.Errorf("line %d: on a page\n  %s\nalone\n  %s", i, p, a)
		}
		if len(alone) > 0 {
			proposed++
		}
	}
	if proposed < 10 {
		t.Fatalf("only %d of %d lines have proposals: the page says too little to compare", proposed, len(lines))
	}
}
