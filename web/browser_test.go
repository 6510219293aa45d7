package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"finapp"
)

// chromiumPath finds Debian's Chromium (FINAPP_CHROMIUM overrides). Without it the browser tests
// fail when CI=true (CI must run them; scripts/test installs it) and are skipped otherwise.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("FINAPP_CHROMIUM"), "chromium", "/usr/bin/chromium"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("Chromium is not installed: CI must run the browser tests (scripts/test installs Debian's chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium, or run scripts/test)")
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a tab's context.
func browser(t *testing.T, width, height int) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(width, height),
	}
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	tab, cancelTab := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelTab(); cancelAlloc() })
	if err := chromedp.Do(tab); err != nil { // starts the browser, without a deadline of its own
		t.Fatalf("starting Chromium: %v", err)
	}
	ctx, cancel := context.WithTimeout(tab, 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// submit clicks sel and waits until the next page has loaded (the current one is marked first,
// so that a selector present on both pages cannot match the old one).
func submit(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Evaluate[chromedp.Void](`document.body.setAttribute("data-stale", "1")`),
		chromedp.Click(chromedp.CSS(sel)),
		chromedp.WaitReady(chromedp.CSS(`body:not([data-stale])`)),
	)
}

// clearInput empties a field (SetValue refuses the empty string).
func clearInput(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).value = ""`, sel))
}

func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
}

func textOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading %s: %v", sel, err)
	}
	return strings.TrimSpace(s)
}

func valueOf(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("reading the value of %s: %v", sel, err)
	}
	return s
}

func wantText(t *testing.T, ctx context.Context, sel, want string) {
	t.Helper()
	if got := textOf(t, ctx, sel); !strings.Contains(got, want) {
		t.Fatalf("%s reads %q, want %q", sel, got, want)
	}
}

// logIn fills in the login form as a user would and lands on the Payments list.
func logIn(t *testing.T, ctx context.Context, base string) {
	t.Helper()
	run(t, ctx, "log in",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name=email]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name=email]`), testEmail),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), testPassword),
		submit(`#login`),
	)
	wantText(t, ctx, "h1", "Payments")
}

// TestBrowser_RecordAssignAllocateTopUpAndAssignmentLimit is the Payment tab, clicked through in
// Chromium: record a payment, assign & allocate it to two invoices, see both invoices' statuses
// change, top up the remainder, and find the 6th assignment change refused.
func TestBrowser_RecordAssignAllocateTopUpAndAssignmentLimit(t *testing.T) {
	h := newHarness(t, false)
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)

	run(t, ctx, "record a payment",
		submit(`#new-payment`),
		chromedp.SetValue(chromedp.CSS(`#amount`), "1000.00"),
		chromedp.SendKeys(chromedp.CSS(`#reference`), "DBS 0042"),
		chromedp.SendKeys(chromedp.CSS(`#invoice_number`), "INV-1001"),
		submit(`#save`),
	)
	wantText(t, ctx, ".flash.ok", "Payment recorded")
	wantText(t, ctx, "#payment-status", "Unassigned")
	wantText(t, ctx, "#changes-left", "5 of 5")

	// The editor opens on the invoice # the payer quoted; search the customer for both invoices.
	run(t, ctx, "search the customer's invoices",
		chromedp.WaitVisible(chromedp.CSS(`#pick-INV-1001`)),
		clearInput(`#search-number`),
		chromedp.SendKeys(chromedp.CSS(`#search-org`), "Acme"),
		submit(`#search`),
		chromedp.WaitVisible(chromedp.CSS(`#pick-INV-1002`)),
	)
	first, second := valueOf(t, ctx, `#amount-INV-1001`), valueOf(t, ctx, `#amount-INV-1002`)
	if first != "300.00" || second != "500.00" {
		t.Fatalf("pre-filled amounts %q and %q, want what each invoice still asks for", first, second)
	}
	// The invoice the payer quoted is suggested, so it comes ticked; the other is ticked by hand.
	if ticked, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("pick-INV-1001").checked && !document.getElementById("pick-INV-1002").checked`)); err != nil || !ticked {
		t.Fatalf("the quoted invoice should come ticked and the other not (%v)", err)
	}
	run(t, ctx, "assign & allocate",
		chromedp.Click(chromedp.CSS(`#pick-INV-1002`)),
		clearInput(`#amount-INV-1002`),
		chromedp.SendKeys(chromedp.CSS(`#amount-INV-1002`), "250.00"),
	)
	wantText(t, ctx, "#remainder", "450.00")
	run(t, ctx, "assign & allocate", submit(`#assign-allocate`))
	wantText(t, ctx, ".flash.ok", "Allocated")
	wantText(t, ctx, "#assigned-org", "Acme Telecom")
	wantText(t, ctx, "#allocated", "SGD 550.00")
	wantText(t, ctx, "#unallocated", "SGD 450.00")
	wantText(t, ctx, "#changes-left", "4 of 5")

	run(t, ctx, "invoices list", chromedp.Navigate(h.URL+"/invoices"), chromedp.WaitVisible(chromedp.CSS(`#status-INV-1001`)))
	wantText(t, ctx, "#status-INV-1001", "Paid")
	wantText(t, ctx, "#status-INV-1002", "Partially paid")

	run(t, ctx, "from the invoice back to its payment",
		submit(`td a[href^="/invoices/inv_"]`),
		submit(`a[href^="/payments/pay_"]`),
		chromedp.WaitVisible(chromedp.CSS(`#topup-amount`)),
	)
	if topUp := valueOf(t, ctx, `#topup-amount`); topUp != "450.00" {
		t.Fatalf("top-up pre-filled with %q, want the remainder 450.00", topUp)
	}
	run(t, ctx, "top up", submit(`#top-up`))
	wantText(t, ctx, ".flash.ok", "Credit topped up")
	wantText(t, ctx, "#topped-up", "SGD 450.00")
	wantText(t, ctx, "#payment-status", "Fully allocated")
	run(t, ctx, "customer page", submit(`#assigned-org`))
	wantText(t, ctx, "#credit", "SGD 450.00")
	wantText(t, ctx, "#outstanding", "SGD 250.00")

	// A second payment, recorded with the customer (the first change), goes through the
	// remaining four changes; the sixth is refused.
	run(t, ctx, "record with a customer",
		chromedp.Navigate(h.URL+"/payments/new"),
		chromedp.WaitVisible(chromedp.CSS(`#organization_id`)),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		chromedp.SetValue(chromedp.CSS(`#amount`), "50.00"),
		submit(`#save`),
	)
	wantText(t, ctx, "#changes-left", "4 of 5")
	for i := 0; i < 2; i++ {
		run(t, ctx, "unassign",
			chromedp.Click(chromedp.CSS(`#assignment summary`)),
			submit(`#unassign`))
		run(t, ctx, "assign",
			chromedp.WaitVisible(chromedp.CSS(`#assign-org`)),
			chromedp.SetValue(chromedp.CSS(`#assign-org`), h.acme.ID),
			submit(`#assign`))
	}
	wantText(t, ctx, "#changes-left", "0 of 5")
	run(t, ctx, "open the editor", chromedp.Click(chromedp.CSS(`#assignment summary`)))
	if disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("unassign").disabled`)); err != nil || !disabled {
		t.Fatal("the Unassign button is enabled with no changes left")
	}
	// Even a forced click (the control re-enabled by hand) is refused by the server.
	run(t, ctx, "forced 6th change",
		chromedp.Evaluate[chromedp.Void](`document.getElementById("unassign").disabled = false`),
		submit(`#unassign`))
	wantText(t, ctx, "#error", "5")
	wantText(t, ctx, "#assigned-org", "Acme Telecom")
}

// TestBrowser_WriteOffTheRestAndRefundTheOverpayment settles differences on purpose, clicked
// through in Chromium (issue 15): a customer pays 849.97 for invoices of 300.00 and 500.00; the
// 0.03 it short-paid on the first is written off within the tolerance, and the 50.00 it overpaid
// is refunded.
func TestBrowser_WriteOffTheRestAndRefundTheOverpayment(t *testing.T) {
	h := newHarness(t, false)
	if _, err := h.svc.SetTolerances(h.ctx, []finapp.ToleranceInput{{Currency: "SGD", Amount: "0.05"}}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)

	run(t, ctx, "record the customer's payment",
		chromedp.Navigate(h.URL+"/payments/new"),
		chromedp.WaitVisible(chromedp.CSS(`#organization_id`)),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		chromedp.SetValue(chromedp.CSS(`#amount`), "849.97"),
		chromedp.SendKeys(chromedp.CSS(`#reference`), "DBS 7781"),
		submit(`#save`),
		chromedp.WaitVisible(chromedp.CSS(`#pick-INV-1001`)),
	)
	if opt, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector("#settle-INV-1001 option[value=write_off]").textContent`)); err != nil || !strings.Contains(opt, "SGD 0.05") {
		t.Fatalf("the write-off option reads %q; it should show the tolerance", opt)
	}
	run(t, ctx, "allocate 299.97 and write off the rest, and 500.00",
		chromedp.Click(chromedp.CSS(`#pick-INV-1001`)),
		clearInput(`#amount-INV-1001`),
		chromedp.SendKeys(chromedp.CSS(`#amount-INV-1001`), "299.97"),
		chromedp.SetValue(chromedp.CSS(`#settle-INV-1001`), "write_off"),
		chromedp.SendKeys(chromedp.CSS(`#reason-INV-1001`), "rounding by the customer's bank"),
		chromedp.Click(chromedp.CSS(`#pick-INV-1002`)),
	)
	wantText(t, ctx, "#remainder", "50.00")
	run(t, ctx, "allocate", submit(`#assign-allocate`))
	wantText(t, ctx, ".flash.ok", "Allocated")
	wantText(t, ctx, "#allocated", "SGD 799.97")
	wantText(t, ctx, "#unallocated", "SGD 50.00")
	wantText(t, ctx, "#allocation table", "Write off — rounding by the customer's bank")

	run(t, ctx, "refund the overpayment",
		chromedp.Click(chromedp.CSS(`#refund-editor summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#refund-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#refund-reason`), "overpaid"),
		submit(`#refund`),
	)
	wantText(t, ctx, ".flash.ok", "Refund recorded")
	wantText(t, ctx, "#refunded", "SGD 50.00")
	wantText(t, ctx, "#unallocated", "SGD 0.00")
	wantText(t, ctx, "#payment-status", "Fully allocated")

	run(t, ctx, "invoices list", chromedp.Navigate(h.URL+"/invoices"), chromedp.WaitVisible(chromedp.CSS(`#status-INV-1001`)))
	wantText(t, ctx, "#status-INV-1001", "Paid")
	wantText(t, ctx, "#status-INV-1002", "Paid")

	// Above the tolerance the write-off is refused, with the reason beside the line.
	inv := h.invoice(h.acme, "INV-1003", "100.00", finapp.KindStandard)
	run(t, ctx, "a second payment, short by more than the tolerance",
		chromedp.Navigate(h.URL+"/payments/new"),
		chromedp.WaitVisible(chromedp.CSS(`#organization_id`)),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		chromedp.SetValue(chromedp.CSS(`#amount`), "99.00"),
		submit(`#save`),
		chromedp.WaitVisible(chromedp.CSS(`#pick-INV-1003`)),
		chromedp.Click(chromedp.CSS(`#pick-INV-1003`)),
		chromedp.SetValue(chromedp.CSS(`#settle-INV-1003`), "write_off"),
		chromedp.SendKeys(chromedp.CSS(`#reason-INV-1003`), "rounding"),
		submit(`#assign-allocate`),
	)
	wantText(t, ctx, "#error", "tolerance")
	if got, err := h.svc.GetInvoice(h.ctx, inv.ID); err != nil || got.AmountPaid != 0 || got.AmountAdjusted != 0 {
		t.Fatalf("the refused request wrote something: %+v %v", got, err)
	}
}

// TestBrowser_AssignmentChangesSayTheirCost (issue 13, item 6): every assignment action says how
// many of the payment's changes it uses before it is clicked, a move to another customer is one
// action that uses two, and the payments list flags payments with one change or none left.
func TestBrowser_AssignmentChangesSayTheirCost(t *testing.T) {
	h := newHarness(t, false)
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	run(t, ctx, "record with a customer",
		chromedp.Navigate(h.URL+"/payments/new"),
		chromedp.WaitVisible(chromedp.CSS(`#organization_id`)),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		chromedp.SetValue(chromedp.CSS(`#amount`), "75.00"),
		chromedp.SendKeys(chromedp.CSS(`#reference`), "MOVE-ME"),
		submit(`#save`),
		chromedp.Click(chromedp.CSS(`#assignment summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#move`)),
	)
	wantText(t, ctx, "#unassign", "uses 1 of 4 changes left")
	wantText(t, ctx, "#move", "uses 2 of 4 changes left")
	run(t, ctx, "move to another customer in one action",
		chromedp.SetValue(chromedp.CSS(`#move-org`), h.boreal.ID),
		submit(`#move`))
	wantText(t, ctx, "#assigned-org", "Borealis Cloud")
	wantText(t, ctx, "#changes-left", "2 of 5")
	run(t, ctx, "unassign", chromedp.Click(chromedp.CSS(`#assignment summary`)), submit(`#unassign`))
	run(t, ctx, "the last change", chromedp.WaitVisible(chromedp.CSS(`#assign`)))
	wantText(t, ctx, "#assign", "uses 1 of 1 change left")

	run(t, ctx, "payments list", chromedp.Navigate(h.URL+"/payments"), chromedp.WaitVisible(chromedp.CSS(`.badge.changes-low`)))
	wantText(t, ctx, ".badge.changes-low", "1 change left")

	run(t, ctx, "assign with the last change",
		chromedp.Navigate(h.URL+"/payments?q=MOVE-ME"),
		submit(`a.view`),
		chromedp.WaitVisible(chromedp.CSS(`#assign-org`)),
		chromedp.SetValue(chromedp.CSS(`#assign-org`), h.acme.ID),
		submit(`#assign`),
		chromedp.Click(chromedp.CSS(`#assignment summary`)),
	)
	for _, id := range []string{"unassign", "move"} {
		if disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("`+id+`").disabled`)); err != nil || !disabled {
			t.Errorf("#%s is enabled with no changes left", id)
		}
	}
	run(t, ctx, "payments list again", chromedp.Navigate(h.URL+"/payments"), chromedp.WaitVisible(chromedp.CSS(`.badge.changes-low`)))
	wantText(t, ctx, ".badge.changes-low", "No changes left")
}

// TestBrowser_RemainderIsWrittenLikeTheTilesAndBlocksOverAllocation (issue 13, item 4): the
// editor's running remainder reads "SGD 4,700.00" as the page's other amounts do, and while it is
// below zero the form cannot be sent.
func TestBrowser_RemainderIsWrittenLikeTheTilesAndBlocksOverAllocation(t *testing.T) {
	h := newHarness(t, false)
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	p := h.pay(h.acme.ID, "5000.00", "bank_transfer", "BIG-ONE")
	run(t, ctx, "open the editor",
		chromedp.Navigate(h.URL+"/payments/"+p.ID),
		chromedp.WaitVisible(chromedp.CSS(`#pick-INV-1001`)),
		chromedp.Click(chromedp.CSS(`#pick-INV-1001`)),
	)
	wantText(t, ctx, "#remainder", "SGD 4,700.00")
	run(t, ctx, "type more than the payment holds",
		chromedp.Click(chromedp.CSS(`#pick-INV-1002`)),
		clearInput(`#amount-INV-1002`),
		chromedp.SendKeys(chromedp.CSS(`#amount-INV-1002`), "4800.00"),
	)
	wantText(t, ctx, "#remainder", "SGD −100.00")
	if disabled, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById("assign-allocate").disabled`)); err != nil || !disabled {
		t.Fatal("the form can be sent with a negative remainder")
	}
	run(t, ctx, "fix it", clearInput(`#amount-INV-1002`), chromedp.SendKeys(chromedp.CSS(`#amount-INV-1002`), "500.00"))
	wantText(t, ctx, "#remainder", "SGD 4,200.00")
	run(t, ctx, "allocate", submit(`#assign-allocate`))
	wantText(t, ctx, "#allocated", "SGD 800.00")
}

// TestBrowser_ReportsReadLikeCharts (issue 13, item 7): the charts have a y axis with values and
// their currency in the title, a bar tells its amount when focused from the keyboard, and the
// receipts and the aging sit side by side on a wide screen.
func TestBrowser_ReportsReadLikeCharts(t *testing.T) {
	h := newHarness(t, false)
	h.pay(h.acme.ID, "1234.50", "bank_transfer", "R-1")
	ctx := browser(t, 1440, 900)
	logIn(t, ctx, h.URL)
	run(t, ctx, "reports", chromedp.Navigate(h.URL+"/reports"), chromedp.WaitVisible(chromedp.CSS(`#receipts figure.chart`)))
	wantText(t, ctx, "#receipts .chart-title", "Money received in SGD")
	ticks, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("#receipts text.ytick")].map(t => t.textContent)`))
	if err != nil || strings.Join(ticks, " ") != "0 500 1,000 1,500" {
		t.Fatalf("the receipts chart's y axis reads %q (%v)", ticks, err)
	}
	shown, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => {
		const bar = [...document.querySelectorAll("#receipts g.bar")].find(g => g.querySelector("rect").getAttribute("height") !== "0");
		bar.focus();
		const v = bar.querySelector("text.focus-value");
		return document.activeElement === bar && getComputedStyle(v).visibility === "visible" ? v.textContent : "not shown";
	})()`))
	if err != nil || shown != "SGD 1,234.50" {
		t.Fatalf("a focused bar shows %q (%v), want its amount", shown, err)
	}
	side, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => {
		const a = document.getElementById("receipts").getBoundingClientRect(), b = document.getElementById("aging").getBoundingClientRect();
		return Math.abs(a.top - b.top) < 2 && b.left >= a.right;
	})()`))
	if err != nil || !side {
		t.Fatalf("the receipts and the aging are not side by side at 1440 px (%v)", err)
	}
}

// TestBrowser_IssueACreditNoteAndApplyItToAnInvoice (issue 15, item 6) is the Credit notes page,
// clicked through in Chromium: issue a credit note correcting an invoice, apply it to that
// invoice with the amount left blank (as much as it takes), and find the invoice and the
// customer's balances changed.
func TestBrowser_IssueACreditNoteAndApplyItToAnInvoice(t *testing.T) {
	h := newHarness(t, false)
	inv := h.invoiceByNumber("INV-1002")
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)

	run(t, ctx, "issue a credit note",
		submit(`header nav a[href="/credit-notes"]`),
		submit(`#new-credit-note`),
		chromedp.WaitVisible(chromedp.CSS(`#organization_id`)),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		chromedp.SendKeys(chromedp.CSS(`#amount`), "120.00"),
		chromedp.SendKeys(chromedp.CSS(`#invoice_id`), "INV-1002"),
		chromedp.SendKeys(chromedp.CSS(`#reason`), "Two licences returned"),
		submit(`#save`),
	)
	wantText(t, ctx, ".flash.ok", "Credit note issued")
	wantText(t, ctx, "h1", "Credit note CN-000001")
	wantText(t, ctx, "#credit-note-status", "Open")
	wantText(t, ctx, "#cn-remaining", "SGD 120.00")
	wantText(t, ctx, "#cn-invoice", "INV-1002")

	run(t, ctx, "apply it to the invoice it corrects",
		chromedp.Click(chromedp.CSS(`#apply-editor summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#apply_invoice_id`)),
		chromedp.SetValue(chromedp.CSS(`#apply_invoice_id`), inv.ID),
		submit(`#apply`),
	)
	wantText(t, ctx, ".flash.ok", "Credit note applied")
	wantText(t, ctx, "#cn-applied", "SGD 120.00")
	wantText(t, ctx, "#cn-remaining", "SGD 0.00")
	wantText(t, ctx, "#credit-note-status", "Applied")
	wantText(t, ctx, "#applications", "INV-1002")

	run(t, ctx, "invoices list", chromedp.Navigate(h.URL+"/invoices"), chromedp.WaitVisible(chromedp.CSS(`#status-INV-1002`)))
	wantText(t, ctx, "#status-INV-1002", "Partially paid")
	if due := h.invoiceByNumber("INV-1002").AmountDue(); due != 38000 {
		t.Fatalf("INV-1002 has %d minor units due, want 380.00", due)
	}

	run(t, ctx, "the customer's page",
		chromedp.Navigate(h.URL+"/credit-notes"),
		submit(`td a[href^="/credit-notes/cn_"]`),
		submit(`#cn-customer`),
	)
	wantText(t, ctx, "#credited", "SGD 120.00")
	wantText(t, ctx, "#outstanding", "SGD 680.00")
}
