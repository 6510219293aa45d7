package finapp_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

func (w *matchWorld) due(number string) string {
	w.t.Helper()
	inv, err := w.svc.GetInvoice(w.ctx, w.inv[number].ID)
	if err != nil {
		w.t.Fatal(err)
	}
	return inv.Status + " " + money.Format(inv.AmountDue(), inv.Currency)
}

// Applying a proposal records the payment and applies it (the write-off included) in one go;
// applying twice is refused; undo takes back exactly that; a proposal the books no longer make
// is refused by its id.
func TestApplyBankLine_ProposalThenUndo(t *testing.T) {
	w := newMatchWorld(t)
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	if _, err := w.svc.SetTolerance(admin, "EUR", "0.50"); err != nil {
		t.Fatal(err)
	}
	l := w.line("99.60", func(e *finapp.BankEntry) { e.RemittanceText, e.EndToEndID = "INV-1001", "E2E-1" })
	props := w.proposals(l)
	if len(props) != 1 || props[0].WriteOff == nil {
		t.Fatalf("proposals %+v", props)
	}
	got, err := w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != finapp.BankLineMatched || got.MatchKind != finapp.BankMatchRecorded || got.PaymentID == "" {
		t.Fatalf("line after apply: %+v", got)
	}
	p, err := w.svc.GetPayment(w.ctx, got.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	if p.ReceivedOn != "2026-12-02" || p.Method != "bank_transfer" || p.Reference != "E2E-1" || p.OrganizationID != w.acme.ID || p.Unallocated() != 0 {
		t.Fatalf("payment recorded: %+v", p.Payment)
	}
	if d := w.due("INV-1001"); d != "paid 0.00" {
		t.Fatalf("INV-1001 %s after apply, want paid with the 0.40 written off", d)
	}
	if _, err := w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{ProposalID: props[0].ID}); finapp.ErrorCode(err) != finapp.EConflict {
		t.Fatalf("applying twice: %v", err)
	}
	if _, err := w.svc.UndoBankLine(w.ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if d := w.due("INV-1001"); d != "unpaid 100.00" {
		t.Fatalf("INV-1001 %s after undo", d)
	}
	if p, _ := w.svc.GetPayment(w.ctx, got.PaymentID); p.DeletedAt == nil {
		t.Fatal("the payment applying recorded is still live after undo")
	}
	// The same books make the same proposal again; once INV-1001 is paid by other money, not.
	if again := w.proposals(l); len(again) != 1 || again[0].ID != props[0].ID {
		t.Fatalf("after undo: %+v", again)
	}
	other, err := w.svc.RecordPayment(w.ctx, finapp.PaymentCreate{OrganizationID: w.acme.ID, Amount: "100.00", Currency: "EUR", Method: "cash"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Allocate(w.ctx, other.ID, other.Version, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: w.inv["INV-1001"].ID, Amount: "100.00"}}}); err != nil {
		t.Fatal(err)
	}
	_, err = w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if finapp.ErrorCode(err) != finapp.EConflict || finapp.ErrorField(err) != "proposal_id" {
		t.Fatalf("a stale proposal: %v", err)
	}
	// A customer and allocations of one's own: the money goes to INV-1002 and the rest stays unapplied.
	got, err = w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{OrganizationID: w.acme.ID,
		Allocations: []finapp.AllocationLine{{InvoiceID: w.inv["INV-1002"].ID, Amount: "40.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := w.svc.GetPayment(w.ctx, got.PaymentID); p.Unallocated() != 5960 {
		t.Fatalf("explicit apply left %d unapplied, want 59.60", p.Unallocated())
	}
	// Refusals of the allocation are the allocation's, and nothing is kept of the apply.
	l2 := w.line("10.00", nil)
	_, err = w.svc.ApplyBankLine(w.ctx, l2.ID, finapp.BankLineApply{OrganizationID: w.acme.ID,
		Allocations: []finapp.AllocationLine{{InvoiceID: w.inv["B-2001"].ID, Amount: "10.00"}}})
	if finapp.ErrorCode(err) != finapp.EOrganizationMismatch {
		t.Fatalf("another customer's invoice: %v", err)
	}
	if l2, _ = w.svc.GetBankLine(w.ctx, l2.ID); l2.Status != finapp.BankLineUnmatched || l2.PaymentID != "" {
		t.Fatalf("a refused apply left %+v", l2)
	}
}

// A payment recorded by hand is linked, never recorded twice; undo unlinks it and it stays. An
// ignored line needs a reason and comes back with undo.
func TestApplyBankLine_LinksRecordedPaymentAndIgnores(t *testing.T) {
	w := newMatchWorld(t)
	hand, err := w.svc.RecordPayment(w.ctx, finapp.PaymentCreate{OrganizationID: w.bolt.ID, Amount: "250.00", Currency: "EUR",
		Method: "bank_transfer", Reference: "E2E-77", ReceivedOn: "2026-11-30"})
	if err != nil {
		t.Fatal(err)
	}
	l := w.line("250.00", func(e *finapp.BankEntry) { e.EndToEndID = "E2E-77" })
	props := w.proposals(l)
	if len(props) == 0 || props[0].PaymentID != hand.ID {
		t.Fatalf("proposals %+v, want linking %s first", props, hand.ID)
	}
	got, err := w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if got.PaymentID != hand.ID || got.MatchKind != finapp.BankMatchLinked {
		t.Fatalf("linked: %+v", got)
	}
	payments, _, _ := w.svc.ListPayments(w.ctx, finapp.PaymentFilter{Limit: 50})
	if len(payments) != 1 {
		t.Fatalf("%d payments, want the one recorded by hand only", len(payments))
	}
	if again := w.line("250.00", func(e *finapp.BankEntry) { e.EndToEndID = "E2E-77" }); len(w.proposals(again)) != 0 {
		t.Fatal("a linked payment is proposed for a second line")
	}
	if _, err := w.svc.UndoBankLine(w.ctx, l.ID); err != nil {
		t.Fatal(err)
	}
	if p, _ := w.svc.GetPayment(w.ctx, hand.ID); p.DeletedAt != nil {
		t.Fatal("undoing a link deleted the payment recorded by hand")
	}

	if _, err := w.svc.IgnoreBankLine(w.ctx, l.ID, " "); finapp.ErrorField(err) != "reason" {
		t.Fatalf("ignore without a reason: %v", err)
	}
	ig, err := w.svc.IgnoreBankLine(w.ctx, l.ID, "transfer between our own accounts")
	if err != nil || ig.Status != finapp.BankLineIgnored {
		t.Fatalf("ignore: %+v %v", ig, err)
	}
	if _, err := w.svc.ApplyBankLine(w.ctx, l.ID, finapp.BankLineApply{OrganizationID: w.bolt.ID}); finapp.ErrorCode(err) != finapp.EConflict {
		t.Fatalf("applying an ignored line: %v", err)
	}
	if back, err := w.svc.UndoBankLine(w.ctx, l.ID); err != nil || back.Status != finapp.BankLineUnmatched || back.IgnoreReason != "" {
		t.Fatalf("undo ignore: %+v %v", back, err)
	}
}

// A rule proposes its customer beside the evidence; with auto_apply it applies its proposal by
// itself when the proposal is exact, and only then; each applied line counts a hit.
func TestMatchingRules_ProposeAndAutoApplyWhenExact(t *testing.T) {
	w := newMatchWorld(t)
	rule, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Bolt's account", OrganizationID: w.bolt.ID, AutoApply: true,
		Conditions: []finapp.RuleCondition{{Field: "counterparty_iban", Operator: "equals", Value: "NL91 ABNA 0417 1643 00"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "bolt's ACCOUNT", OrganizationID: w.bolt.ID,
		Conditions: []finapp.RuleCondition{{Field: "text", Operator: "contains", Value: "x"}}}); finapp.ErrorCode(err) != finapp.EDuplicate {
		t.Fatalf("a second rule of the same name: %v", err)
	}
	from := func(e *finapp.BankEntry) { e.CounterpartyIBAN = "NL91ABNA0417164300" }
	// 250.00 is exactly Bolt's oldest open invoice: applied as the line is imported and proposed.
	exact := w.line("250.00", from)
	st, _ := w.svc.GetBankLine(w.ctx, exact.ID)
	proposed, applied, err := w.svc.ProposeBankLines(w.ctx, st.StatementID)
	if err != nil || proposed != 0 || applied != 1 {
		t.Fatalf("propose: %d proposed, %d applied, %v", proposed, applied, err)
	}
	if l, _ := w.svc.GetBankLine(w.ctx, exact.ID); l.Status != finapp.BankLineMatched {
		t.Fatalf("the exact line is %s", l.Status)
	}
	if d := w.due("B-2001"); d != "paid 0.00" {
		t.Fatalf("B-2001 %s", d)
	}
	// 120.00 leaves 20.00 over after B-2002: proposed, not applied.
	over := w.line("120.00", from)
	st, _ = w.svc.GetBankLine(w.ctx, over.ID)
	if proposed, applied, err = w.svc.ProposeBankLines(w.ctx, st.StatementID); err != nil || proposed != 1 || applied != 0 {
		t.Fatalf("propose: %d proposed, %d applied, %v", proposed, applied, err)
	}
	props := w.proposals(over)
	if len(props) == 0 || props[0].RuleID != rule.ID || w.describe(props[0]) != "bolt: B-2002=100.00 [rule]" ||
		!strings.Contains(props[0].Evidence[0].Detail, `counterparty iban equals "NL91 ABNA 0417 1643 00"`) {
		t.Fatalf("proposals %+v", props)
	}
	if _, err := w.svc.ApplyBankLine(w.ctx, over.ID, finapp.BankLineApply{ProposalID: props[0].ID}); err != nil {
		t.Fatal(err)
	}
	if r, _ := w.svc.GetMatchingRule(w.ctx, rule.ID); r.Hits != 2 {
		t.Fatalf("%d hits, want 2", r.Hits)
	}
}

// A returned payment (a debit with the reversal indicator) is proposed as the reversal of the
// line it returns: applying it deletes that line's payment, so the invoice is open again, and
// sets the line aside as reversed; a reversal is not undone.
func TestApplyBankLine_ReversalUndoesTheOriginal(t *testing.T) {
	w := newMatchWorld(t)
	paid := w.line("250.00", func(e *finapp.BankEntry) { e.RemittanceText, e.EndToEndID = "B-2001", "E2E-5" })
	props := w.proposals(paid)
	applied, err := w.svc.ApplyBankLine(w.ctx, paid.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if d := w.due("B-2001"); d != "paid 0.00" {
		t.Fatalf("B-2001 %s", d)
	}
	returned := w.line("250.00", func(e *finapp.BankEntry) { e.Credit, e.Reversal, e.EndToEndID = false, true, "E2E-5" })
	props = w.proposals(returned)
	if len(props) != 1 || props[0].ReversesLineID != paid.ID || props[0].Evidence[0].Kind != finapp.EvidenceReversal {
		t.Fatalf("proposals of the reversal: %+v", props)
	}
	if _, err := w.svc.ApplyBankLine(w.ctx, returned.ID, finapp.BankLineApply{OrganizationID: w.bolt.ID}); finapp.ErrorField(err) != "proposal_id" {
		t.Fatalf("a reversal applied without its proposal: %v", err)
	}
	got, err := w.svc.ApplyBankLine(w.ctx, returned.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if err != nil || got.Status != finapp.BankLineMatched || got.ReversedLineID() != paid.ID {
		t.Fatalf("reversal applied: %+v %v", got, err)
	}
	if d := w.due("B-2001"); d != "unpaid 250.00" {
		t.Fatalf("B-2001 %s after the payment came back", d)
	}
	orig, _ := w.svc.GetBankLine(w.ctx, paid.ID)
	if orig.Status != finapp.BankLineIgnored || !strings.Contains(orig.IgnoreReason, returned.ID) {
		t.Fatalf("the returned line: %+v", orig)
	}
	if p, _ := w.svc.GetPayment(w.ctx, applied.PaymentID); p.DeletedAt == nil {
		t.Fatal("the returned payment is still live")
	}
	if _, err := w.svc.UndoBankLine(w.ctx, returned.ID); finapp.ErrorCode(err) != finapp.EConflict {
		t.Fatalf("undoing a reversal: %v", err)
	}
	// Another payer's return of the same amount is not proposed for it.
	other := w.line("250.00", func(e *finapp.BankEntry) { e.Credit, e.Reversal, e.EndToEndID = false, true, "E2E-OTHER" })
	if props := w.proposals(other); len(props) != 0 {
		t.Fatalf("another payer's return: %+v", props)
	}
}

// A rule may settle what its money leaves short of the last invoice it reaches: as a bank fee up
// to its bound, or as a write-off, which the workspace's tolerance bounds too. Such a proposal is
// not exact, so it is never applied by itself.
func TestMatchingRules_SettleTheShortfall(t *testing.T) {
	w := newMatchWorld(t)
	from := func(e *finapp.BankEntry) { e.CounterpartyIBAN = "NL91ABNA0417164300" }
	fee, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Bolt pays through a PSP", OrganizationID: w.bolt.ID, AutoApply: true,
		Settle: finapp.AdjustBankFee, SettleUpTo: "5.00",
		Conditions: []finapp.RuleCondition{{Field: "counterparty_iban", Operator: "equals", Value: "NL91ABNA0417164300"}}})
	if err != nil {
		t.Fatal(err)
	}
	// 247.50 for B-2001 (250.00): 2.50 kept by the bank, settled as its fee.
	short := w.line("247.50", from)
	st, _ := w.svc.GetBankLine(w.ctx, short.ID)
	if proposed, applied, err := w.svc.ProposeBankLines(w.ctx, st.StatementID); err != nil || proposed != 1 || applied != 0 {
		t.Fatalf("propose: %d proposed, %d applied, %v (a settled proposal is not exact)", proposed, applied, err)
	}
	props := w.proposals(short)
	if len(props) == 0 || props[0].RuleID != fee.ID || props[0].WriteOffKind != finapp.AdjustBankFee ||
		w.describe(props[0]) != "bolt: B-2001=247.50 +writeoff B-2001=2.50 [rule]" ||
		!strings.Contains(props[0].Evidence[1].Detail, "2.50 short of what B-2001 has due, settled as a bank fee") {
		t.Fatalf("proposals %+v", props)
	}
	got, err := w.svc.ApplyBankLine(w.ctx, short.ID, finapp.BankLineApply{ProposalID: props[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	if d := w.due("B-2001"); d != "paid 0.00" {
		t.Fatalf("B-2001 %s, want paid with the 2.50 fee settled", d)
	}
	p, err := w.svc.GetPayment(w.ctx, got.PaymentID)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range p.Allocations {
		kinds = append(kinds, a.Kind+"="+money.Format(a.Amount, "EUR"))
	}
	if strings.Join(kinds, " ") != "payment=247.50 bank_fee=2.50" && strings.Join(kinds, " ") != "bank_fee=2.50 payment=247.50" {
		t.Fatalf("allocations %v", kinds)
	}
	// 90.00 for B-2002 (100.00): 10.00 short is more than the rule settles; part paid.
	far := w.line("90.00", from)
	if props := w.proposals(far); len(props) == 0 || props[0].WriteOff != nil || w.describe(props[0]) != "bolt: B-2002=90.00 [rule]" {
		t.Fatalf("a shortfall above the bound: %+v", props)
	}
	// A write-off rule settles nothing above the workspace's tolerance (none is set).
	if err := w.svc.DeleteMatchingRule(w.ctx, fee.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Bolt's small differences", OrganizationID: w.bolt.ID,
		Settle: finapp.AdjustWriteOff, SettleUpTo: "5.00",
		Conditions: []finapp.RuleCondition{{Field: "counterparty_iban", Operator: "equals", Value: "NL91ABNA0417164300"}}}); err != nil {
		t.Fatal(err)
	}
	if props := w.proposals(far); len(props) == 0 || props[0].WriteOff != nil {
		t.Fatalf("a write-off above the tolerance: %+v", props)
	}
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test:admin", Role: finapp.RoleAdmin})
	if _, err := w.svc.SetTolerance(admin, "EUR", "20.00"); err != nil {
		t.Fatal(err)
	}
	// Now within both bounds? 10.00 is above the rule's 5.00: still part paid.
	if props := w.proposals(far); len(props) == 0 || props[0].WriteOff != nil {
		t.Fatalf("a write-off above the rule's bound: %+v", props)
	}
	near := w.line("96.00", from)
	props = w.proposals(near)
	if len(props) == 0 || props[0].WriteOffKind != finapp.AdjustWriteOff || props[0].WriteOff == nil || props[0].WriteOff.Amount != 400 {
		t.Fatalf("4.00 short, within the rule and the tolerance: %+v", props)
	}
}

// A rule is edited in place: what it says changes from the next proposal on, its id and hits
// stay, the audit trail keeps what it said before, and an edit is refused as a new rule would be
// (a name another rule has, a customer that is not one, a broken condition), changing nothing.
func TestUpdateMatchingRule(t *testing.T) {
	w := newMatchWorld(t)
	cond := []finapp.RuleCondition{{Field: "counterparty_iban", Operator: "equals", Value: "NL91 ABNA 0417 1643 00"}}
	rule, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Bolt's account", OrganizationID: w.bolt.ID, AutoApply: true, Conditions: cond})
	if err != nil {
		t.Fatal(err)
	}
	other, err := w.svc.CreateMatchingRule(w.ctx, finapp.MatchingRule{Name: "Payroll", OrganizationID: w.acme.ID,
		Conditions: []finapp.RuleCondition{{Field: "text", Operator: "starts", Value: "PAYROLL"}}})
	if err != nil {
		t.Fatal(err)
	}
	from := func(e *finapp.BankEntry) { e.CounterpartyIBAN = "NL91ABNA0417164300" }
	first := w.line("250.00", from) // Bolt's B-2001, applied by the rule
	st, _ := w.svc.GetBankLine(w.ctx, first.ID)
	if _, applied, err := w.svc.ProposeBankLines(w.ctx, st.StatementID); err != nil || applied != 1 {
		t.Fatalf("propose: %d applied, %v", applied, err)
	}

	for _, c := range []struct {
		name  string
		edit  func(r *finapp.MatchingRule)
		field string
		code  string
	}{
		{"another rule's name, in other letters", func(r *finapp.MatchingRule) { r.Name = "PAYROLL" }, "name", finapp.EDuplicate},
		{"no such customer", func(r *finapp.MatchingRule) { r.OrganizationID = "org_nobody" }, "organization_id", finapp.EInvalid},
		{"a broken expression", func(r *finapp.MatchingRule) {
			r.Conditions = []finapp.RuleCondition{{Field: "text", Operator: "regex", Value: "(inv"}}
		}, "conditions[0].value", finapp.EInvalid},
	} {
		r := *rule
		r.Conditions = slices.Clone(cond)
		c.edit(&r)
		if _, err := w.svc.UpdateMatchingRule(w.ctx, rule.ID, r); finapp.ErrorField(err) != c.field || finapp.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.code, c.field)
		}
	}
	if _, err := w.svc.UpdateMatchingRule(w.ctx, "mr_nothing", *other); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Errorf("editing a rule that is not there: %v", err)
	}
	if r, _ := w.svc.GetMatchingRule(w.ctx, rule.ID); r.Name != "Bolt's account" || !r.AutoApply || r.Hits != 1 {
		t.Fatalf("refused edits changed the rule: %+v", r)
	}

	// The same rule, now for Acme's money, proposing instead of applying, tried first.
	edited, err := w.svc.UpdateMatchingRule(w.ctx, rule.ID, finapp.MatchingRule{Name: "bolt's account", Priority: 0, OrganizationID: w.acme.ID,
		Conditions: cond, AutoApply: false})
	if err != nil {
		t.Fatal(err)
	}
	if edited.ID != rule.ID || edited.Hits != 1 || !edited.CreatedAt.Equal(rule.CreatedAt) || edited.Name != "bolt's account" {
		t.Fatalf("edited %+v, want id, hits and creation kept", edited)
	}
	second := w.line("100.00", from)
	st, _ = w.svc.GetBankLine(w.ctx, second.ID)
	if proposed, applied, err := w.svc.ProposeBankLines(w.ctx, st.StatementID); err != nil || proposed != 1 || applied != 0 {
		t.Fatalf("propose after the edit: %d proposed, %d applied, %v (the rule no longer applies itself)", proposed, applied, err)
	}
	props := w.proposals(second)
	if len(props) == 0 || props[0].RuleID != rule.ID || props[0].OrganizationID != w.acme.ID {
		t.Fatalf("proposals after the edit %+v, want the rule's, for Acme, first", props)
	}
	trail, _, err := w.svc.ListAudit(w.ctx, finapp.AuditFilter{EntityID: rule.ID, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(trail) != 2 || trail[0].Action != "matching_rule.updated" || !strings.Contains(trail[0].Before, w.bolt.ID) ||
		!strings.Contains(trail[0].After, w.acme.ID) {
		t.Fatalf("audit trail %+v, want the edit with the rule before and after", trail)
	}
}
