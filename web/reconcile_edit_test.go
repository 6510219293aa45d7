package web_test

import (
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

// The editor, clicked through: open it, change the proposed amount, apply; the line is matched
// and the invoice part paid.
func TestBrowser_ReconcileEditInPlace(t *testing.T) {
	h := newHarness(t, false)
	inv := h.invoice(h.acme, "BE-0000001", "50.00", finapp.KindStandard)
	importForPage(t, h, "BE-")
	line := reconcileLine(t, h, finapp.BankLineProposed)
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	input := `#edit-amount-` + line.ID + `-` + inv.ID
	run(t, ctx, "edit the proposal and apply it",
		chromedp.Navigate(h.URL+"/reconcile"),
		chromedp.WaitVisible(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.Click(chromedp.CSS(`#edit-open-`+line.ID)),
		chromedp.WaitVisible(chromedp.CSS(input)),
		chromedp.Clear(chromedp.CSS(input)),
		chromedp.SendKeys(chromedp.CSS(input), "45.00"),
		submit(`#edit-apply-`+line.ID),
	)
	wantText(t, ctx, ".flash.ok", "Bank line applied")
	if got := h.invoiceByNumber("BE-0000001"); got.Status != finapp.InvoicePartiallyPaid || got.AmountDue() != 500 {
		t.Fatalf("BE-0000001 %s, %d due after 45.00 of the line's 50.00", got.Status, got.AmountDue())
	}
}
