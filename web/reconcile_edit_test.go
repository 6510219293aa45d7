package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
	"finapp/money"
)

// reconcileLine returns the one line of the status given, failing otherwise.
func reconcileLine(t *testing.T, h *harness, status string) *finapp.BankLine {
	t.Helper()
	list, _, err := h.svc.ListBankLines(h.ctx, finapp.BankLineFilter{Status: status, Limit: 10})
	if err != nil || len(list) != 1 {
		t.Fatalf("%s lines: %v %v", status, list, err)
	}
	return list[0]
}

// editorPages imports a statement whose lines name invoices numbered with prefix and returns the
// pages with an editor open: the Reconcile page with a line's editor on its proposal's customer,
// and on a line without a proposal before its customer is chosen; a matching rule's edit form.
func editorPages(t *testing.T, h *harness, prefix string) []string {
	t.Helper()
	importForPage(t, h, prefix)
	proposed, unmatched := reconcileLine(t, h, finapp.BankLineProposed), reconcileLine(t, h, finapp.BankLineUnmatched)
	rule, err := h.svc.CreateMatchingRule(h.ctx, finapp.MatchingRule{Name: "Acme by name", OrganizationID: h.acme.ID,
		Conditions: []finapp.RuleCondition{{Field: "counterparty_name", Operator: "contains", Value: "ACME"}}})
	if err != nil {
		t.Fatal(err)
	}
	return []string{"/reconcile?edit=" + proposed.ID + "&org=" + h.acme.ID, "/reconcile?status=unmatched&edit=" + unmatched.ID,
		"/reconcile/rules?edit=" + rule.ID}
}

// Reconcile → a proposal edited in place: the editor opens on the proposal's customer with the
// amounts it proposes; the money applied another way than proposed is what the books keep; a
// refused edit (more than the line brings, an amount that is not one) keeps nothing and shows
// the editor again with what was typed; a line without a proposal is applied by hand after its
// customer is picked.
func TestReconcile_EditAProposalInPlace(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	first := w.invoice(w.acme, "ED-0000001", "50.00", finapp.KindStandard)
	third := w.invoice(w.acme, "ED-0000003", "30.00", finapp.KindStandard)
	importForPage(t, w.harness, "ED-")
	line := reconcileLine(t, w.harness, finapp.BankLineProposed)

	status, body, _ := b.do("GET", "/reconcile", nil)
	amount := `id="edit-amount-` + line.ID + `-` + first.ID + `" aria-label="Amount of the line to apply to ED-0000001"`
	if status != http.StatusOK || !strings.Contains(body, `name="amount_`+first.ID+`" value="50.00"`) || !strings.Contains(body, amount) {
		t.Fatalf("the editor does not offer the proposal's amounts: %d\n%s", status, body)
	}
	if !strings.Contains(body, `As shown, SGD 50.00 of the line's SGD 50.00 goes to invoices; SGD 0.00 stays unapplied`) {
		t.Fatalf("the editor does not say what stays unapplied:\n%s", body)
	}
	// Opened, it offers every open invoice of the customer.
	_, body, _ = b.do("GET", "/reconcile?edit="+line.ID+"&org="+w.acme.ID, nil)
	if !strings.Contains(body, `name="amount_`+first.ID+`" value="50.00"`) || !strings.Contains(body, `name="amount_`+third.ID+`" value=""`) ||
		!strings.Contains(body, `<details class="edit" open>`) {
		t.Fatalf("the opened editor does not offer the customer's open invoices:\n%s", body)
	}

	// 50.00 split 20.00 / 30.00 instead of the 50.00 proposed to ED-0000001.
	status, _, loc := b.do("POST", "/reconcile/"+line.ID+"/apply-edited", url.Values{"organization_id": {w.acme.ID},
		"amount_" + first.ID: {"20.00"}, "amount_" + third.ID: {"30.00"}})
	if status != http.StatusSeeOther || loc != "/reconcile?done=line-applied" {
		t.Fatalf("apply as edited: %d to %q", status, loc)
	}
	if got := w.invoiceByNumber("ED-0000001"); got.Status != finapp.InvoicePartiallyPaid || got.AmountDue() != 3000 {
		t.Fatalf("ED-0000001 %s, %d due after 20.00 of 50.00", got.Status, got.AmountDue())
	}
	if got := w.invoiceByNumber("ED-0000003"); got.Status != finapp.InvoicePaid {
		t.Fatalf("ED-0000003 %s", got.Status)
	}
	applied, err := w.svc.GetBankLine(w.ctx, line.ID)
	if err != nil || applied.Status != finapp.BankLineMatched {
		t.Fatalf("line %+v %v", applied, err)
	}
	pay, err := w.svc.GetPayment(w.ctx, applied.PaymentID)
	if err != nil || pay.OrganizationID != w.acme.ID || pay.Amount != 5000 || pay.Unallocated() != 0 {
		t.Fatalf("the line's payment: %+v %v", pay, err)
	}
	gave := map[string]money.Amount{}
	for _, a := range pay.Allocations {
		gave[a.InvoiceID] += a.Amount
	}
	if len(pay.Allocations) != 2 || gave[first.ID] != 2000 || gave[third.ID] != 3000 {
		t.Fatalf("the line's allocations, want 20.00 to ED-0000001 and 30.00 to ED-0000003: %+v", pay.Allocations)
	}

	// The 5.00 line names an invoice that does not exist: no proposal, but an editor to pick the
	// customer in.
	other := reconcileLine(t, w.harness, finapp.BankLineUnmatched)
	_, body, _ = b.do("GET", "/reconcile?status=unmatched", nil)
	if !strings.Contains(body, `id="edit-open-`+other.ID+`">Apply by hand…`) || !strings.Contains(body, `id="edit-more-`+other.ID+`">Choose the customer…`) {
		t.Fatalf("no editor for a line without a proposal:\n%s", body)
	}
	_, body, _ = b.do("GET", "/reconcile?status=unmatched&edit="+other.ID+"&org="+w.acme.ID, nil)
	if !strings.Contains(body, `<details class="edit" open>`) || !strings.Contains(body, `name="amount_`+first.ID+`" value=""`) {
		t.Fatalf("picking the customer does not show its open invoices:\n%s", body)
	}
	for _, c := range []struct {
		name, amount string
		status       int
		want         string
	}{
		{"more than the line brings", "7.00", http.StatusConflict, "has only 5.00 SGD"},
		{"not an amount", "seven", http.StatusUnprocessableEntity, "is not a decimal number"},
	} {
		status, body, _ = b.do("POST", "/reconcile/"+other.ID+"/apply-edited", url.Values{"organization_id": {w.acme.ID},
			"amount_" + first.ID: {c.amount}})
		beside := `aria-invalid="true" aria-describedby="edit-error-` + other.ID + `-` + first.ID + `">`
		if status != c.status || !strings.Contains(body, `<details class="edit" open>`) ||
			!strings.Contains(body, `name="amount_`+first.ID+`" value="`+c.amount+`"`) || !strings.Contains(body, c.want) ||
			!strings.Contains(body, beside) || !strings.Contains(body, `Amount for ED-0000001: `) {
			t.Errorf("%s: %d, want %d with the editor open on what was typed\n%s", c.name, status, c.status, body)
		}
		if l, _ := w.svc.GetBankLine(w.ctx, other.ID); l.Status != finapp.BankLineUnmatched || l.PaymentID != "" {
			t.Errorf("%s: a refused edit left %+v", c.name, l)
		}
	}
	if got := w.invoiceByNumber("ED-0000001"); got.AmountDue() != 3000 {
		t.Fatalf("ED-0000001 %d due after refused edits", got.AmountDue())
	}
	// None typed: the money goes to the customer, unapplied.
	if status, _, _ = b.do("POST", "/reconcile/"+other.ID+"/apply-edited", url.Values{"organization_id": {w.acme.ID}}); status != http.StatusSeeOther {
		t.Fatalf("apply unapplied: %d", status)
	}
	l, _ := w.svc.GetBankLine(w.ctx, other.ID)
	p, err := w.svc.GetPayment(w.ctx, l.PaymentID)
	if err != nil || p.OrganizationID != w.acme.ID || p.Unallocated() != 500 {
		t.Fatalf("payment of the line applied by hand: %+v %v", p, err)
	}
}

// Reconcile → an edited apply refused: more than the line brings split over two invoices, an
// amount that is not one, no customer. Each answer is the page again with the editor open on
// what was typed, the refusal beside the amount (or the customer) it is about, and nothing in
// the books: no payment, no allocation, no audit entry, the line still proposed.
func TestReconcile_EditRefusedNamesTheFieldAndWritesNothing(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	first := w.invoice(w.acme, "RF-0000001", "50.00", finapp.KindStandard)
	third := w.invoice(w.acme, "RF-0000003", "30.00", finapp.KindStandard)
	importForPage(t, w.harness, "RF-")
	line := reconcileLine(t, w.harness, finapp.BankLineProposed)
	payments := func() int {
		list, _, err := w.svc.ListPayments(w.ctx, finapp.PaymentFilter{Limit: finapp.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		return len(list)
	}
	paid, audited := payments(), w.auditCount()
	amountOf := func(inv *finapp.Invoice) string { return "amount_" + inv.ID }
	besideAmount := func(inv *finapp.Invoice) string {
		return `aria-invalid="true" aria-describedby="edit-error-` + line.ID + `-` + inv.ID + `">`
	}
	for _, c := range []struct {
		name   string
		form   url.Values
		status int
		want   []string
	}{
		{"40.00 and 30.00 of a 50.00 line", url.Values{"organization_id": {w.acme.ID}, amountOf(first): {"40.00"}, amountOf(third): {"30.00"}},
			http.StatusConflict, []string{besideAmount(third), `name="` + amountOf(first) + `" value="40.00"`, `name="` + amountOf(third) + `" value="30.00"`,
				"Amount for RF-0000003: the payment has only 10.00 SGD unallocated", "SGD 20.00 more than the line's SGD 50.00"}},
		{"not an amount", url.Values{"organization_id": {w.acme.ID}, amountOf(first): {"4O.00"}},
			http.StatusUnprocessableEntity, []string{besideAmount(first), `name="` + amountOf(first) + `" value="4O.00"`,
				"Amount for RF-0000001: &#34;4O.00&#34; is not a decimal number"}},
		{"no customer", url.Values{"organization_id": {""}, amountOf(first): {"50.00"}},
			http.StatusUnprocessableEntity, []string{`aria-invalid="true" aria-describedby="edit-org-error-` + line.ID + `"`,
				"Customer: choose the customer whose payment the line&#39;s money becomes"}},
	} {
		status, body, _ := b.do("POST", "/reconcile/"+line.ID+"/apply-edited", c.form)
		if status != c.status || !strings.Contains(body, `<details class="edit" open>`) {
			t.Errorf("%s: %d, want %d with the editor open\n%s", c.name, status, c.status, body)
			continue
		}
		for _, want := range c.want {
			if !strings.Contains(body, want) {
				t.Errorf("%s: the page does not show %s\n%s", c.name, want, body)
			}
		}
	}
	if l, err := w.svc.GetBankLine(w.ctx, line.ID); err != nil || l.Status != finapp.BankLineProposed || l.PaymentID != "" {
		t.Fatalf("refused edits left the line %+v %v", l, err)
	}
	if n, a := payments(), w.auditCount(); n != paid || a != audited {
		t.Fatalf("refused edits wrote: %d payments (were %d), %d audit entries (were %d)", n, paid, a, audited)
	}
	for _, inv := range []string{"RF-0000001", "RF-0000003"} {
		if got := w.invoiceByNumber(inv); got.Status != finapp.InvoiceUnpaid {
			t.Fatalf("%s is %s after refused edits", inv, got.Status)
		}
	}
}

// The editor, clicked through: open it, give the invoice more than the line brings and see the
// refusal beside the amount, change it to less than proposed, apply; the line is matched and
// the invoice part paid, the rest unapplied on the customer's payment.
func TestBrowser_ReconcileEditInPlace(t *testing.T) {
	h := newHarness(t, false)
	inv := h.invoice(h.acme, "BE-0000001", "50.00", finapp.KindStandard)
	importForPage(t, h, "BE-")
	line := reconcileLine(t, h, finapp.BankLineProposed)
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	input := `#edit-amount-` + line.ID + `-` + inv.ID
	run(t, ctx, "give the invoice more than the line brings",
		chromedp.Navigate(h.URL+"/reconcile"),
		chromedp.WaitVisible(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.Click(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.WaitVisible(chromedp.CSS(input)),
		chromedp.Clear(chromedp.CSS(input)),
		chromedp.SendKeys(chromedp.CSS(input), "60.00"),
		submit(`#edit-apply-`+line.ID),
	)
	wantText(t, ctx, "#error", "Amount for BE-0000001")
	wantText(t, ctx, `#edit-error-`+line.ID+`-`+inv.ID, "has only 50.00 SGD")
	run(t, ctx, "apply 45.00 instead",
		chromedp.WaitVisible(chromedp.CSS(input)), // the editor is open again on what was typed
		chromedp.Clear(chromedp.CSS(input)),
		chromedp.SendKeys(chromedp.CSS(input), "45.00"),
		submit(`#edit-apply-`+line.ID),
	)
	wantText(t, ctx, ".flash.ok", "Bank line applied")
	run(t, ctx, "the matched lines", submit(`#tab-matched`))
	wantText(t, ctx, `#line-`+line.ID, "Payment")
	if got := h.invoiceByNumber("BE-0000001"); got.Status != finapp.InvoicePartiallyPaid || got.AmountDue() != 500 {
		t.Fatalf("BE-0000001 %s, %d due after 45.00 of the line's 50.00", got.Status, got.AmountDue())
	}
	l, err := h.svc.GetBankLine(h.ctx, line.ID)
	if err != nil || l.Status != finapp.BankLineMatched {
		t.Fatalf("line %+v %v", l, err)
	}
	if p := h.getPayment(l.PaymentID); p.Unallocated() != 500 {
		t.Fatalf("the line's payment keeps %d unapplied, want 500", p.Unallocated())
	}
}

// A line no proposal was made for, applied by hand at a phone's width: open it, choose the
// customer, show its invoices, give one the line's 5.00, apply.
func TestBrowser_ReconcileApplyByHandOnAPhone(t *testing.T) {
	h := newHarness(t, false)
	h.invoice(h.acme, "BH-0000001", "50.00", finapp.KindStandard)
	importForPage(t, h, "BH-") // its 5.00 line names an invoice that does not exist
	inv := h.invoice(h.boreal, "BH-0000009", "7.00", finapp.KindStandard)
	line := reconcileLine(t, h, finapp.BankLineUnmatched)
	ctx := browser(t, 390, 844)
	run(t, ctx, "a phone's viewport", chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile))
	logIn(t, ctx, h.URL)
	input := `#edit-amount-` + line.ID + `-` + inv.ID
	run(t, ctx, "choose the customer",
		chromedp.Navigate(h.URL+"/reconcile?status=unmatched"),
		chromedp.WaitVisible(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.Click(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#edit-more-`+line.ID)),
		submit(`#edit-more-`+line.ID),
		chromedp.WaitVisible(chromedp.CSS(`#edit-org-`+line.ID)),
		chromedp.SetValue(chromedp.CSS(`#edit-org-`+line.ID), h.boreal.ID),
		submit(`#edit-show-button-`+line.ID),
		chromedp.WaitVisible(chromedp.CSS(input)),
		chromedp.SendKeys(chromedp.CSS(input), "5.00"),
		submit(`#edit-apply-`+line.ID),
	)
	wantText(t, ctx, ".flash.ok", "Bank line applied")
	if got := h.invoiceByNumber("BH-0000009"); got.Status != finapp.InvoicePartiallyPaid || got.AmountDue() != 200 {
		t.Fatalf("BH-0000009 is %s, %d due, after the line's 5.00 was applied to it by hand", got.Status, got.AmountDue())
	}
	if l, err := h.svc.GetBankLine(h.ctx, line.ID); err != nil || l.Status != finapp.BankLineMatched || h.getPayment(l.PaymentID).OrganizationID != h.boreal.ID {
		t.Fatalf("line %+v %v", l, err)
	}
}

// Reconcile → apply by hand in a workspace of more customers than the choice lists: the editor
// offers the 200 newest, and a customer beyond them is found by name, picked, and paid.
func TestReconcile_EditorFindsACustomerBeyondTheNewest(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminEmail)
	oldest := w.org("Zeppelin Freight Ltd", "SGD")
	inv := w.invoice(oldest, "ZF-OLD-1", "5.00", finapp.KindStandard)
	for i := range 200 {
		w.org(fmt.Sprintf("Newer customer %03d", i), "SGD")
	}
	w.invoice(w.acme, "FC-0000001", "50.00", finapp.KindStandard) // the statement's other line is proposed
	importForPage(t, w.harness, "FC-")
	line := reconcileLine(t, w.harness, finapp.BankLineUnmatched)
	option := `<option value="` + oldest.ID + `">Zeppelin Freight Ltd</option>`
	_, body, _ := b.do("GET", "/reconcile?status=unmatched&edit="+line.ID, nil)
	if !strings.Contains(body, `id="edit-find-`+line.ID+`"`) || strings.Contains(body, option) {
		t.Fatalf("the editor's choice before a search: a search box, and not the oldest customer\n%s", body)
	}
	_, body, _ = b.do("GET", "/reconcile?status=unmatched&edit="+line.ID+"&find=zeppelin", nil)
	if !strings.Contains(body, option) || strings.Contains(body, "Newer customer 001") || !strings.Contains(body, `value="zeppelin"`) {
		t.Fatalf("found by name: the customer, and only it\n%s", body)
	}
	_, body, _ = b.do("GET", "/reconcile?status=unmatched&edit="+line.ID+"&find=nobody+by+this+name", nil)
	if !strings.Contains(body, `id="edit-find-none-`+line.ID+`"`) {
		t.Fatalf("a search that finds nobody says so\n%s", body)
	}
	_, body, _ = b.do("GET", "/reconcile?status=unmatched&edit="+line.ID+"&find=zeppelin&org="+oldest.ID, nil)
	if !strings.Contains(body, `name="amount_`+inv.ID+`"`) {
		t.Fatalf("the customer found shows its open invoices\n%s", body)
	}
	if status, _, _ := b.do("POST", "/reconcile/"+line.ID+"/apply-edited", url.Values{"organization_id": {oldest.ID},
		"amount_" + inv.ID: {"5.00"}}); status != http.StatusSeeOther {
		t.Fatalf("apply to the customer found: %d", status)
	}
	if got := w.invoiceByNumber("ZF-OLD-1"); got.Status != finapp.InvoicePaid {
		t.Fatalf("ZF-OLD-1 is %s", got.Status)
	}
}
