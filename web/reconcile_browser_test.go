package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"finapp"
	"finapp/bankfile"
	"finapp/camt/camttest"
	"finapp/money"
)

// reconcileFile writes a camt.053 of two incoming SGD lines to a file: 50.00 paying
// prefix+"0000001" (its number and RF reference in the structured fields) and 5.00 paying
// prefix+"0000002", which does not exist.
func reconcileFile(t *testing.T, prefix string) string {
	t.Helper()
	var b strings.Builder
	if err := camttest.WriteStatement(&b, camttest.Options{Entries: 2, IBAN: "SG00RECON" + prefix, Currency: "SGD", InvoicePrefix: prefix,
		Amount: func(i int) money.Amount { return money.Amount(5000 - 4500*i) }}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "statement.xml")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// The Reconcile page, clicked through: upload the bank's file, see the proposal for the line that
// pays an invoice with its evidence in words, confirm it (the invoice is paid), ignore the other
// line with a reason, and undo the confirmation.
func TestBrowser_ReconcileUploadConfirmIgnoreUndo(t *testing.T) {
	h := newHarness(t, false)
	inv := h.invoice(h.acme, "BR-0000001", "50.00", finapp.KindStandard)
	file := reconcileFile(t, "BR-")
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)

	run(t, ctx, "upload the statement",
		submit(`header nav a[href="/reconcile"]`),
		chromedp.SetUploadFiles(chromedp.CSS(`#file`), []string{file}),
		submit(`#upload`),
	)
	wantText(t, ctx, ".flash.ok", "Statement imported")
	wantText(t, ctx, "#bank-lines", "Acme Telecom Pte Ltd")
	wantText(t, ctx, "#bank-lines", "BR-0000001")
	wantText(t, ctx, "#bank-lines", "the creditor reference of BR-0000001")

	run(t, ctx, "confirm it", submit(`#bank-lines button[id^="apply-"]`))
	wantText(t, ctx, ".flash.ok", "Bank line applied")
	if got := h.invoiceByNumber("BR-0000001"); got.Status != finapp.InvoicePaid {
		t.Fatalf("%s is %s after confirming its bank line", inv.Number, got.Status)
	}

	run(t, ctx, "ignore the other line",
		chromedp.Navigate(h.URL+"/reconcile?status=unmatched"),
		chromedp.WaitVisible(chromedp.CSS(`#bank-lines summary[id^="ignore-open-"]`)),
		chromedp.Click(chromedp.CSS(`#bank-lines summary[id^="ignore-open-"]`)),
		chromedp.SendKeys(chromedp.CSS(`#bank-lines input[id^="reason-"]`), "interest credited by the bank"),
		submit(`#bank-lines button[id^="ignore-"]`),
	)
	wantText(t, ctx, ".flash.ok", "Bank line ignored")

	run(t, ctx, "undo the confirmation",
		chromedp.Navigate(h.URL+"/reconcile?status=matched"),
		chromedp.WaitVisible(chromedp.CSS(`#bank-lines button[id^="undo-"]`)),
		submit(`#bank-lines button[id^="undo-"]`),
	)
	wantText(t, ctx, ".flash.ok", "Undone")
	if got := h.invoiceByNumber("BR-0000001"); got.Status != finapp.InvoiceUnpaid {
		t.Fatalf("%s is %s after undo", inv.Number, got.Status)
	}
}

// importForPage brings a statement in as the page's upload does, for pages that show its lines.
func importForPage(t *testing.T, h *harness, prefix string) {
	t.Helper()
	open, err := bankfile.Opener(reconcileFile(t, prefix), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := h.svc.ImportBankFile(h.ctx, open, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := h.svc.ProposeBankLines(h.ctx, imp.Statements[0].ID); err != nil {
		t.Fatal(err)
	}
}

// The setup pages, clicked through: a bank CSV template written in the form and a file previewed
// by it; a matching rule written in the form, listed with its conditions.
func TestBrowser_TemplateWithPreviewAndARule(t *testing.T) {
	h := newHarness(t, false)
	csvFile := filepath.Join(t.TempDir(), "export.csv")
	if err := os.WriteFile(csvFile, []byte("Datum;Betrag;Text\r\n01.12.2026;1.250,00;INV-1001\r\n02.12.2026;-9,90;Gebühr\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 1280, 900)
	logIn(t, ctx, h.URL)
	run(t, ctx, "write a template",
		chromedp.Navigate(h.URL+"/reconcile"),
		submit(`#templates-link`),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Sparkasse"),
		chromedp.SendKeys(chromedp.CSS(`#account`), "DE89370400440532013000"),
		chromedp.SendKeys(chromedp.CSS(`#currency`), "EUR"),
		chromedp.SendKeys(chromedp.CSS(`#booking_date_column`), "Datum"),
		chromedp.SendKeys(chromedp.CSS(`#amount_column`), "Betrag"),
		chromedp.SendKeys(chromedp.CSS(`#text_columns`), "Text"),
		chromedp.SetValue(chromedp.CSS(`#delimiter`), ";"),
		chromedp.SetValue(chromedp.CSS(`#date_format`), "DD.MM.YYYY"),
		chromedp.Click(chromedp.CSS(`#decimal_comma`)),
		submit(`#save-template`),
	)
	wantText(t, ctx, ".flash.ok", "Template saved")
	wantText(t, ctx, "#templates", "Sparkasse")
	run(t, ctx, "preview a file",
		chromedp.SetUploadFiles(chromedp.CSS(`input[id^="preview-file-"]`), []string{csvFile}),
		submit(`button[id^="preview-"]`),
	)
	wantText(t, ctx, "#preview", "1250.00 EUR")
	wantText(t, ctx, "#preview", "−9.90 EUR")
	wantText(t, ctx, "#preview", "INV-1001")

	// The template edited: the form opens with what it says (the delimiter, the date format and
	// the decimal comma too), a new name is saved, and the same file still reads.
	run(t, ctx, "edit the template", submit(`a[id^="edit-"]`))
	wantText(t, ctx, "#template-form h2", "Edit template")
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[document.querySelector("#delimiter").value, document.querySelector("#date_format").value,
		document.querySelector("#decimal_comma").checked, document.querySelector("#text_columns").value].join(" ")`)); err != nil || got != "; DD.MM.YYYY true Text" {
		t.Fatalf("the edit form opens with %q (%v), want the template's delimiter, date format, decimal comma and text column", got, err)
	}
	run(t, ctx, "rename the template",
		clearInput(`#name`),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Sparkasse Köln"),
		submit(`#save-template`),
	)
	wantText(t, ctx, ".flash.ok", "Template changed")
	wantText(t, ctx, "#templates", "Sparkasse Köln")
	run(t, ctx, "preview the file again",
		chromedp.SetUploadFiles(chromedp.CSS(`input[id^="preview-file-"]`), []string{csvFile}),
		submit(`button[id^="preview-"]`),
	)
	wantText(t, ctx, "#preview", "1250.00 EUR")

	run(t, ctx, "write a rule",
		chromedp.Navigate(h.URL+"/reconcile/rules"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), "Acme's account"),
		chromedp.SetValue(chromedp.CSS(`#field_0`), "counterparty_iban"),
		chromedp.SetValue(chromedp.CSS(`#operator_0`), "equals"),
		chromedp.SendKeys(chromedp.CSS(`#value_0`), "DE06 4306 0967 0042 4242 42"),
		chromedp.SetValue(chromedp.CSS(`#organization_id`), h.acme.ID),
		submit(`#save-rule`),
	)
	wantText(t, ctx, ".flash.ok", "Matching rule saved")
	wantText(t, ctx, "#rules", "Acme's account")
	wantText(t, ctx, "#rules", "DE06 4306 0967 0042 4242 42")

	run(t, ctx, "edit the rule", submit(`#rules a[id^="edit-"]`))
	if got, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[document.querySelector("#field_0").value, document.querySelector("#value_0").value,
		document.querySelector("#organization_id").value].join(" ")`)); err != nil || got != "counterparty_iban DE06 4306 0967 0042 4242 42 "+h.acme.ID {
		t.Fatalf("the rule's edit form opens with %q (%v)", got, err)
	}
	run(t, ctx, "change the rule's account",
		clearInput(`#value_0`),
		chromedp.SendKeys(chromedp.CSS(`#value_0`), "DE06 4306 0967 0042 4242 43"),
		submit(`#save-rule`),
	)
	wantText(t, ctx, ".flash.ok", "Matching rule changed")
	wantText(t, ctx, "#rules", "DE06 4306 0967 0042 4242 43")
}
