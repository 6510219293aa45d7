package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"finapp"
)

// creditNoteByNumber reads a credit note back, with its applications.
func (h *harness) creditNoteByNumber(number string) *finapp.CreditNoteDetail {
	h.t.Helper()
	list, _, err := h.svc.ListCreditNotes(h.ctx, finapp.CreditNoteFilter{Limit: finapp.MaxPageSize})
	if err != nil {
		h.t.Fatal(err)
	}
	for _, n := range list {
		if n.Number == number {
			d, err := h.svc.GetCreditNote(h.ctx, n.ID)
			if err != nil {
				h.t.Fatal(err)
			}
			return d
		}
	}
	h.t.Fatalf("no credit note %s", number)
	return nil
}

// auditCount is how many entries the audit trail holds: a refused form must add none.
func (h *harness) auditCount() int {
	h.t.Helper()
	n, cursor := 0, ""
	for {
		list, next, err := h.svc.ListAudit(h.ctx, finapp.AuditFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			h.t.Fatal(err)
		}
		n += len(list)
		if next == "" {
			return n
		}
		cursor = next
	}
}

// TestCreditNotes_IssueApplyReleaseRefundMoveIntoCreditAndVoid goes through a credit note's life
// on the pages: issued through the form, applied oldest invoice first, one application released,
// applied to a chosen invoice, part refunded, part moved into prepaid credit; a second, unused
// one voided. Each page shows the figures the books hold, and each refused form names its field
// and writes nothing.
func TestCreditNotes_IssueApplyReleaseRefundMoveIntoCreditAndVoid(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	// The oldest invoice of Acme (due first), beside the harness's INV-1001 (300.00) and INV-1002 (500.00).
	if _, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.acme.ID, Number: "INV-0900", Total: "100.00",
		IssuedOn: "2025-01-01", DueOn: "2025-01-31"}); err != nil {
		t.Fatal(err)
	}

	_, nav := c.get("/payments")
	mustContain(t, "the menu", nav, `<a href="/credit-notes">Credit notes</a>`)
	status, body := c.get("/credit-notes/new?customer=" + h.acme.ID)
	if status != http.StatusOK {
		t.Fatalf("new credit note form: %d", status)
	}
	mustContain(t, "form", body, `<option value="`+h.acme.ID+`" selected>`, "Leave empty to number it CN-000001, CN-000002, …", `action="/credit-notes"`)

	valid := func() url.Values {
		return url.Values{"organization_id": {h.acme.ID}, "amount": {"1,200.00"}, "reason": {"Service not delivered in December"}}
	}
	refusals := []struct {
		name, field, value string
		status             int
		want               string
	}{
		{"no customer", "organization_id", "", 422, `id="organization_id-error">is required`},
		{"no reason", "reason", " ", 422, `id="reason-error">is required`},
		{"no amount", "amount", "", 422, `id="amount-error"`},
		{"amount of nothing", "amount", "0", 422, `id="amount-error">must be greater than zero`},
		{"unknown invoice number", "invoice_id", "INV-9999", 422, `id="invoice_id-error">no invoice numbered INV-9999 of this customer`},
		{"more than the invoice cited", "invoice_id", "INV-1001", 409, `id="amount-error">invoice INV-1001 totals 300.00 SGD`},
		{"another currency than the invoice's", "currency", "USD", 422, `id="currency-error">invoice INV-1001 is in SGD`},
		{"bad date", "issued_on", "2026-02-30", 422, `id="issued_on-error"`},
	}
	before := h.auditCount()
	for _, r := range refusals {
		f := valid()
		f.Set(r.field, r.value)
		if r.field == "currency" {
			f.Set("invoice_id", "INV-1001")
			f.Set("amount", "10.00")
		}
		status, body := c.post("/credit-notes", csrf, f)
		if status != r.status || !strings.Contains(body, r.want) || !strings.Contains(body, `action="/credit-notes"`) {
			t.Errorf("%s: %d, want %d with %s\n%s", r.name, status, r.status, r.want, body)
		}
		if !strings.Contains(body, `id="error-summary"`) {
			t.Errorf("%s: no error summary", r.name)
		}
		if r.field == "reason" && !strings.Contains(body, `value="1,200.00"`) {
			t.Errorf("%s: the form lost the amount typed", r.name)
		}
	}
	if list, _, _ := h.svc.ListCreditNotes(h.ctx, finapp.CreditNoteFilter{}); len(list) != 0 || h.auditCount() != before {
		t.Fatalf("refused forms wrote: %d credit notes, %d audit entries more", len(list), h.auditCount()-before)
	}

	status, body = c.post("/credit-notes", csrf, valid())
	if status != http.StatusOK {
		t.Fatalf("issue: %d\n%s", status, body)
	}
	mustContain(t, "credit note page", body, "Credit note issued.", "Credit note CN-000001", `id="credit-note-status">Open`,
		`id="cn-amount">SGD 1,200.00`, `id="cn-remaining">SGD 1,200.00`, "No invoice cited", "Service not delivered in December",
		`id="void"`, `id="auto-apply"`)
	cn := h.creditNoteByNumber("CN-000001")
	id := cn.ID
	page := "/credit-notes/" + id
	ver := func() string { return strconv.Itoa(h.creditNoteByNumber("CN-000001").Version) }

	// Oldest invoice first: INV-0900, then INV-1001, then INV-1002.
	status, body = c.post(page+"/auto-apply", csrf, url.Values{"version": {ver()}})
	if status != http.StatusOK {
		t.Fatalf("auto-apply: %d\n%s", status, body)
	}
	mustContain(t, "after auto-apply", body, "Credit note applied.", `id="cn-applied">SGD 900.00`, `id="cn-remaining">SGD 300.00`, "INV-0900", "INV-1002")
	if strings.Contains(body, `id="void"`) {
		t.Error("a used credit note offers Void")
	}
	for _, number := range []string{"INV-0900", "INV-1001", "INV-1002"} {
		if inv := h.invoiceByNumber(number); inv.AmountDue() != 0 || inv.Status != finapp.InvoicePaid {
			t.Errorf("%s after auto-apply: %s, %d due", number, inv.Status, inv.AmountDue())
		}
	}

	// Release the application to INV-1002: it is due again, the note has it back.
	var release string
	for _, a := range h.creditNoteByNumber("CN-000001").Applications {
		if a.InvoiceNumber == "INV-1002" {
			release = page + "/applications/" + a.ID + "/release"
		}
	}
	if n := len(regexp.MustCompile(`action="`+page+`/applications/cna_[a-z0-9]+/release"`).FindAllString(body, -1)); n != 3 {
		t.Fatalf("%d Release buttons, want one per invoice application", n)
	}
	status, body = c.post(release, csrf, url.Values{})
	if status != http.StatusOK {
		t.Fatalf("release: %d\n%s", status, body)
	}
	mustContain(t, "after release", body, "Application released", `id="cn-applied">SGD 400.00`, `id="cn-remaining">SGD 800.00`, `class="released"`)
	if inv := h.invoiceByNumber("INV-1002"); inv.Status != finapp.InvoiceUnpaid {
		t.Fatalf("INV-1002 after the release: %s", inv.Status)
	}
	// The apply form offers the one invoice left with money due.
	mustContain(t, "apply form", body, `<option value="`+h.invoiceByNumber("INV-1002").ID+`">INV-1002 — SGD 500.00 due`)
	if strings.Contains(body, `">INV-1001 — `) {
		t.Error("the apply form offers a paid invoice")
	}

	// Bad input: refused beside the field of its own form, with what was typed kept; nothing written.
	inv1002 := h.invoiceByNumber("INV-1002").ID
	bad := []struct {
		name, path string
		form       url.Values
		status     int
		want       []string
	}{
		{"refund above what remains", "/refund", url.Values{"amount": {"9,999.00"}, "method": {"cash"}, "reason": {"asked"}}, 409,
			[]string{`id="refund_amount-error">credit note CN-000001 has only 800.00 SGD left`, `value="9,999.00"`, `<details class="editor" id="refund-editor" open>`}},
		{"refund without a reason", "/refund", url.Values{"amount": {"10.00"}, "method": {"cash"}, "reference": {"CHQ 7"}}, 422,
			[]string{`id="refund_reason-error">is required`, `value="CHQ 7"`, `Refund reason: is required`}},
		{"refund by an unknown method", "/refund", url.Values{"amount": {"10.00"}, "method": {"pigeon"}, "reason": {"asked"}}, 422,
			[]string{`id="refund_method-error">must be one of`}},
		{"move into credit above what remains", "/to-credit", url.Values{"amount": {"800.01"}}, 409,
			[]string{`id="credit_amount-error">credit note CN-000001 has only 800.00 SGD left`, `<details class="editor" id="credit-editor" open>`}},
		{"apply above what the invoice has due", "/apply", url.Values{"invoice_id": {inv1002}, "amount": {"600.00"}}, 409,
			[]string{`id="apply_amount-error">`, `<details class="editor" id="apply-editor" open>`, `value="600.00"`}},
		{"apply a malformed amount", "/apply", url.Values{"invoice_id": {inv1002}, "amount": {"1.234"}}, 422,
			[]string{`id="apply_amount-error">`}},
		{"apply to no invoice", "/apply", url.Values{"amount": {"1.00"}}, 422,
			[]string{`id="apply_invoice_id-error">is required`}},
	}
	before = h.auditCount()
	for _, b := range bad {
		b.form.Set("version", ver())
		status, body := c.post(page+b.path, csrf, b.form)
		if status != b.status {
			t.Errorf("%s: %d, want %d\n%s", b.name, status, b.status, body)
			continue
		}
		mustContain(t, b.name, body, append(b.want, `id="error-summary"`, `id="cn-remaining">SGD 800.00`)...)
	}
	if h.auditCount() != before {
		t.Fatalf("refused forms wrote %d audit entries", h.auditCount()-before)
	}

	status, body = c.post(page+"/apply", csrf, url.Values{"version": {ver()}, "invoice_id": {inv1002}, "amount": {"200.00"}})
	if status != http.StatusOK {
		t.Fatalf("apply: %d\n%s", status, body)
	}
	mustContain(t, "after apply", body, "Credit note applied.", `id="cn-applied">SGD 600.00`, `id="cn-remaining">SGD 600.00`)
	if inv := h.invoiceByNumber("INV-1002"); inv.Status != finapp.InvoicePartiallyPaid || inv.AmountDue() != 30000 {
		t.Fatalf("INV-1002 after applying 200.00: %s, %d due", inv.Status, inv.AmountDue())
	}

	status, body = c.post(page+"/refund", csrf, url.Values{"version": {ver()}, "amount": {"100.00"}, "method": {"cheque"}, "reference": {"CHQ 000123"},
		"reason": {"the customer asked for the money back"}})
	if status != http.StatusOK {
		t.Fatalf("refund: %d\n%s", status, body)
	}
	mustContain(t, "after refund", body, "Refund recorded", `id="cn-refunded">SGD 100.00`, `id="cn-remaining">SGD 500.00`, "Cheque · CHQ 000123",
		"Refund — the customer asked for the money back")

	stale := ver()
	status, body = c.post(page+"/to-credit", csrf, url.Values{"version": {stale}, "amount": {"50.00"}, "reason": {"keep it for next month"}})
	if status != http.StatusOK {
		t.Fatalf("move into credit: %d\n%s", status, body)
	}
	mustContain(t, "after moving into credit", body, "Moved into the customer&#39;s prepaid credit.", `id="cn-to-credit">SGD 50.00`, `id="cn-remaining">SGD 450.00`,
		"Prepaid credit — keep it for next month", `id="credit-note-status">Open`)

	// A form of the page as it was before the move is refused, and changes nothing.
	before = h.auditCount()
	status, body = c.post(page+"/refund", csrf, url.Values{"version": {stale}, "amount": {"10.00"}, "method": {"cash"}, "reason": {"stale"}})
	if status != http.StatusConflict || !strings.Contains(body, `id="error"`) || !strings.Contains(body, "is at version") {
		t.Fatalf("stale refund: %d, want 409 with the version refusal\n%s", status, body)
	}
	if h.auditCount() != before {
		t.Fatal("a stale form wrote")
	}

	// A second credit note, citing INV-1002 by its number, nothing of which is used: voided.
	status, body = c.post("/credit-notes", csrf, url.Values{"organization_id": {h.acme.ID}, "invoice_id": {"INV-1002"}, "amount": {"50.00"},
		"reason": {"Price corrected"}})
	if status != http.StatusOK {
		t.Fatalf("issue the second: %d\n%s", status, body)
	}
	mustContain(t, "second credit note", body, "Credit note CN-000002", `href="/invoices/`+inv1002+`" id="cn-invoice">Invoice INV-1002`, `id="void"`)
	second := h.creditNoteByNumber("CN-000002")
	status, body = c.post("/credit-notes/"+second.ID+"/void", csrf, url.Values{"version": {strconv.Itoa(second.Version)}})
	if status != http.StatusOK {
		t.Fatalf("void: %d\n%s", status, body)
	}
	mustContain(t, "voided credit note", body, "Credit note voided", `id="credit-note-status">Void`, `id="cn-remaining">SGD 0.00`, "nothing of it can be used")
	for _, form := range []string{`id="void"`, `id="auto-apply"`, `id="refund"`, `id="to-credit"`} {
		if strings.Contains(body, form) {
			t.Errorf("a void credit note still offers %s", form)
		}
	}
	// The first cannot be voided: the domain's refusal is shown, nothing changes.
	status, body = c.post(page+"/void", csrf, url.Values{"version": {ver()}})
	if status != http.StatusConflict || !strings.Contains(body, "has been used") {
		t.Fatalf("void of a used credit note: %d\n%s", status, body)
	}

	// The customer's page: what its credit notes have left, what they credited, and a link to them.
	_, org := c.get("/organizations/" + h.acme.ID)
	mustContain(t, "organization page", org, `id="credit-notes-remaining">SGD 450.00`, `id="credited">SGD 1,200.00`, `id="credit">SGD 50.00`,
		`id="outstanding">SGD 300.00`, `href="/credit-notes?organization_id=`+h.acme.ID+`"`, `href="/credit-notes/`+id+`">CN-000001</a>`)

	// The list: newest first, with each note's figures, filtered by status and customer.
	_, list := c.get("/credit-notes?organization_id=" + h.acme.ID)
	mustContain(t, "list", list, `id="status-CN-000001">Open`, `id="remaining-CN-000001">SGD 450.00`, `id="status-CN-000002">Void`,
		`id="remaining-CN-000002">SGD 0.00`, "Acme Telecom Pte Ltd", `href="/invoices/`+inv1002+`">INV-1002</a>`, `id="new-credit-note"`)
	if strings.Index(list, "CN-000002") > strings.Index(list, "CN-000001") {
		t.Error("the list is not newest first")
	}
	_, voids := c.get("/credit-notes?status=void")
	if !strings.Contains(voids, "CN-000002") || strings.Contains(voids, "CN-000001") {
		t.Error("the status filter does not select the void credit note only")
	}
	_, none := c.get("/credit-notes?customer=" + h.boreal.ID)
	if strings.Contains(none, "CN-0000") || !strings.Contains(none, "No credit notes match") {
		t.Error("the customer filter shows another customer's credit notes")
	}
	if status, body := c.get("/credit-notes?status=lost"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "Status must be one of open, applied, void") {
		t.Errorf("unknown status: %d", status)
	}
}

// TestCreditNotes_ViewerSeesNoWriteForms: a viewer reads the list and a credit note, but is
// offered no form that would change them.
func TestCreditNotes_ViewerSeesNoWriteForms(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	n, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, Amount: "40.00", Reason: "returned"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.svc.ApplyCreditNote(h.ctx, n.ID, 0, finapp.CreditNoteApplyRequest{Auto: true}); err != nil {
		t.Fatal(err)
	}
	const email = "reader@example.com"
	if _, err := h.auth.CreateUser(h.ctx, finapp.DefaultWorkspace, email, finapp.RoleViewer, testPassword); err != nil {
		t.Fatal(err)
	}
	c := h.client()
	if status, body := c.login(email, testPassword); status != http.StatusOK {
		t.Fatalf("login: %d %s", status, body)
	}
	_, list := c.get("/credit-notes")
	_, page := c.get("/credit-notes/" + n.ID)
	mustContain(t, "viewer's credit note page", page, `id="cn-applied">SGD 40.00`, "All of it is used.")
	for what, body := range map[string]string{"list": list, "credit note page": page} {
		if strings.Contains(body, `method="post" action="/credit-notes`) || strings.Contains(body, `id="new-credit-note"`) {
			t.Errorf("the viewer's %s offers a write form", what)
		}
	}
	if status, _ := c.get("/credit-notes/new"); status != http.StatusForbidden {
		t.Errorf("the viewer's new credit note form: %d, want 403", status)
	}
}

// An invoice's page shows what credit notes applied to it, each a link to its credit note, and
// offers no Void while a credit note is on it (the domain would refuse).
func TestInvoicePage_ShowsTheCreditNotesAppliedToIt(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	inv, _, err := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Number: "INV-1001", Limit: 1})
	if err != nil || len(inv) != 1 {
		t.Fatal(inv, err)
	}
	n, err := h.svc.IssueCreditNote(h.ctx, finapp.CreditNoteCreate{OrganizationID: h.acme.ID, InvoiceID: inv[0].ID, Amount: "40.00", Reason: "returned"})
	if err != nil {
		t.Fatal(err)
	}
	_, body := c.get("/invoices/" + inv[0].ID)
	mustContain(t, "an invoice with no credit note applied yet", body, `id="void"`)
	if _, err := h.svc.ApplyCreditNote(h.ctx, n.ID, 0, finapp.CreditNoteApplyRequest{Auto: true}); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/invoices/" + inv[0].ID)
	mustContain(t, "an invoice with a credit note applied", body, `id="invoice-credited">SGD 40.00`, `href="/credit-notes/`+n.ID+`"`, "SGD 260.00")
	if strings.Contains(body, `id="void"`) {
		t.Errorf("the invoice page offers Void with a credit note on the invoice:\n%s", body)
	}
}
