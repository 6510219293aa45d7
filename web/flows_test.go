package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"finapp"
)

// pay records a payment through the service (the seed actor), as another user would have.
func (h *harness) pay(orgID, amount, method, reference string) *finapp.PaymentDetail {
	h.t.Helper()
	d, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{OrganizationID: orgID, Amount: amount, Currency: "SGD", Method: method, Reference: reference})
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// payment reads a payment back.
func (h *harness) getPayment(id string) *finapp.PaymentDetail {
	h.t.Helper()
	d, err := h.svc.GetPayment(h.ctx, id)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

// version is the payment's current version, as its page's forms carry it.
func (h *harness) version(id string) string {
	h.t.Helper()
	return strconv.Itoa(h.getPayment(id).Version)
}

func (h *harness) invoiceByNumber(number string) *finapp.InvoiceDetail {
	h.t.Helper()
	list, _, err := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{Number: number, Limit: 10})
	if err != nil || len(list) != 1 {
		h.t.Fatalf("invoice %s: %v (%d found)", number, err, len(list))
	}
	d, err := h.svc.GetInvoice(h.ctx, list[0].ID)
	if err != nil {
		h.t.Fatal(err)
	}
	return d
}

func (h *harness) allocate(paymentID string, lines ...finapp.AllocationLine) {
	h.t.Helper()
	if _, err := h.svc.Allocate(h.ctx, paymentID, 0, finapp.AllocationRequest{Lines: lines}); err != nil {
		h.t.Fatal(err)
	}
}

func mustContain(t *testing.T, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Fatalf("%s does not contain %q:\n%s", what, w, body)
		}
	}
}

func TestRelease_OneAllocationPutsTheInvoiceStatusBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	p := h.pay(h.acme.ID, "500.00", "bank_transfer", "R1")
	inv1, inv2 := h.invoiceByNumber("INV-1001"), h.invoiceByNumber("INV-1002")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: inv1.ID, Amount: "300.00"}, finapp.AllocationLine{InvoiceID: inv2.ID, Amount: "200.00"})

	_, body := c.get("/payments/" + p.ID)
	release := regexp.MustCompile(`action="(/payments/`+p.ID+`/allocations/alc_[a-z0-9]+/release)"`).FindAllStringSubmatch(body, -1)
	if len(release) != 2 {
		t.Fatalf("%d release forms on the payment page, want 2:\n%s", len(release), body)
	}
	// Release the allocation to INV-1001 (the page lists allocations in creation order).
	d := h.getPayment(p.ID)
	var aid string
	for _, a := range d.Allocations {
		if a.InvoiceID == inv1.ID {
			aid = a.ID
		}
	}
	status, body := c.post("/payments/"+p.ID+"/allocations/"+aid+"/release", csrf, url.Values{"version": {h.version(p.ID)}})
	if status != http.StatusOK {
		t.Fatalf("release: %d\n%s", status, body)
	}
	mustContain(t, "payment page after release", body, "Allocation released", `id="allocated">SGD 200.00`, `id="unallocated">SGD 300.00`, `class="released"`)
	_, list := c.get("/invoices")
	mustContain(t, "invoice list", list, `id="status-INV-1001">Unpaid`, `id="status-INV-1002">Partially paid`)

	// A stale form (the version before the release) is refused, and changes nothing.
	for _, a := range h.getPayment(p.ID).Allocations {
		if a.InvoiceID == inv2.ID {
			aid = a.ID
		}
	}
	status, body = c.post("/payments/"+p.ID+"/allocations/"+aid+"/release", csrf, url.Values{"version": {strconv.Itoa(d.Version)}})
	if status != http.StatusConflict || !strings.Contains(body, "reload it and try again") {
		t.Fatalf("stale release: %d, want 409 with the version refusal", status)
	}
	if h.invoiceByNumber("INV-1002").AmountPaid == 0 {
		t.Fatal("a refused release released the allocation")
	}
}

func TestAutoAllocate_OldestInvoiceFirst(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	if _, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.acme.ID, Number: "INV-0900", Total: "100.00",
		IssuedOn: "2025-01-01", DueOn: "2025-01-31"}); err != nil {
		t.Fatal(err)
	}
	// An unassigned payment: the form names the customer, and the page assigns it too.
	p := h.pay("", "450.00", "bank_transfer", "AUTO")
	status, body := c.post("/payments/"+p.ID+"/auto-allocate", csrf, url.Values{"version": {h.version(p.ID)}, "organization_id": {h.acme.ID}})
	if status != http.StatusOK {
		t.Fatalf("auto-allocate: %d\n%s", status, body)
	}
	mustContain(t, "payment page", body, "Auto-allocated, oldest invoice first", `id="allocated">SGD 450.00`, "Acme Telecom")
	for number, want := range map[string]string{"INV-0900": "10000", "INV-1001": "30000", "INV-1002": "5000"} {
		if got := strconv.FormatInt(int64(h.invoiceByNumber(number).AmountPaid), 10); got != want {
			t.Errorf("%s paid %s minor units, want %s (oldest due first)", number, got, want)
		}
	}
	_, list := c.get("/invoices")
	mustContain(t, "invoice list", list, `id="status-INV-0900">Paid`, `id="status-INV-1001">Paid`, `id="status-INV-1002">Partially paid`)

	// Nothing left to allocate to: the page says so instead of pretending.
	q := h.pay(h.boreal.ID, "10.00", "cash", "NOTHING")
	status, body = c.post("/payments/"+q.ID+"/auto-allocate", csrf, url.Values{"version": {h.version(q.ID)}})
	if status != http.StatusOK || !strings.Contains(body, "Nothing to allocate") {
		t.Fatalf("auto-allocate with no open invoice: %d", status)
	}
}

func TestEditPayment_SavesAndRefusesStaleOrBelowApplied(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	p := h.pay(h.acme.ID, "500.00", "bank_transfer", "EDIT")
	inv := h.invoiceByNumber("INV-1001")

	status, body := c.get("/payments/" + p.ID + "/edit")
	if status != http.StatusOK {
		t.Fatalf("edit form: %d", status)
	}
	mustContain(t, "edit form", body, `value="500.00"`, `name="version" value="1"`, `value="EDIT"`)
	form := func(version, amount string) url.Values {
		return url.Values{"version": {version}, "amount": {amount}, "currency": {"SGD"}, "received_on": {p.ReceivedOn},
			"method": {"bank_transfer"}, "reference": {"EDITED"}, "remark": {"typed by hand"}}
	}
	status, body = c.post("/payments/"+p.ID+"/edit", csrf, form("1", "450.00"))
	if status != http.StatusOK {
		t.Fatalf("edit: %d\n%s", status, body)
	}
	mustContain(t, "payment page", body, "Payment updated", "SGD 450.00", "EDITED", "typed by hand")

	// The same form again (version 1, the payment is now at 2): refused, what was typed kept.
	status, body = c.post("/payments/"+p.ID+"/edit", csrf, form("1", "400.00"))
	if status != http.StatusConflict {
		t.Fatalf("stale edit: %d, want 409", status)
	}
	mustContain(t, "stale edit", body, `id="error"`, "reload it and try again", `value="400.00"`)
	if h.getPayment(p.ID).Amount != 45000 {
		t.Fatal("a stale edit changed the amount")
	}

	// Below what is applied: refused next to the amount.
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: inv.ID, Amount: "300.00"})
	status, body = c.post("/payments/"+p.ID+"/edit", csrf, form(h.version(p.ID), "250.00"))
	if status != http.StatusConflict {
		t.Fatalf("edit below applied: %d, want 409", status)
	}
	mustContain(t, "edit below applied", body, `id="amount-error"`, "cannot be below the 300.00 SGD already allocated", `aria-invalid="true"`)
	if h.getPayment(p.ID).Amount != 45000 {
		t.Fatal("a refused edit changed the amount")
	}
}

func TestDeletePayment_ConfirmThenGoneFromTheList_RefusedWhenItFundedAProvisionedInvoice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	p := h.pay(h.acme.ID, "120.00", "cash", "DOOMED-REF")

	status, body := c.get("/payments/" + p.ID + "/delete")
	if status != http.StatusOK {
		t.Fatalf("confirmation page: %d", status)
	}
	mustContain(t, "confirmation page", body, "Delete this payment?", "DOOMED-REF", `id="confirm-delete"`, `action="/payments/`+p.ID+`/delete"`)
	if _, list := c.get("/payments"); !strings.Contains(list, "DOOMED-REF") {
		t.Fatal("the payment is not listed before its deletion")
	}
	status, body = c.post("/payments/"+p.ID+"/delete", csrf, url.Values{"version": {h.version(p.ID)}})
	if status != http.StatusOK {
		t.Fatalf("delete: %d\n%s", status, body)
	}
	mustContain(t, "list after delete", body, "<h1>Payments", "Payment deleted")
	if strings.Contains(body, "DOOMED-REF") {
		t.Fatal("the deleted payment is still in the list")
	}

	top := h.invoice(h.acme, "TOP-1", "80.00", finapp.KindTopUp)
	q := h.pay(h.acme.ID, "80.00", "cash", "FUNDS-TOPUP")
	h.allocate(q.ID, finapp.AllocationLine{InvoiceID: top.ID, Amount: "80.00"})
	status, body = c.post("/payments/"+q.ID+"/delete", csrf, url.Values{"version": {h.version(q.ID)}})
	if status != http.StatusConflict {
		t.Fatalf("delete of a payment that funded a provisioned invoice: %d, want 409", status)
	}
	mustContain(t, "refused delete", body, `id="error"`, "funded provisioned invoice TOP-1")
	if _, list := c.get("/payments"); !strings.Contains(list, "FUNDS-TOPUP") {
		t.Fatal("the refused delete removed the payment from the list")
	}
}

func TestInvoicePage_ListsItsAllocationsWithLinksToPayments(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	inv := h.invoiceByNumber("INV-1002")
	p1, p2 := h.pay(h.acme.ID, "200.00", "cash", "A"), h.pay(h.acme.ID, "100.00", "cash", "B")
	h.allocate(p1.ID, finapp.AllocationLine{InvoiceID: inv.ID, Amount: "200.00"})
	h.allocate(p2.ID, finapp.AllocationLine{InvoiceID: inv.ID, Amount: "100.00"})
	status, body := c.get("/invoices/" + inv.ID)
	if status != http.StatusOK {
		t.Fatalf("invoice page: %d", status)
	}
	mustContain(t, "invoice page", body, `href="/payments/`+p1.ID+`"`, `href="/payments/`+p2.ID+`"`, "SGD 200.00", "SGD 100.00",
		`id="invoice-status">Partially paid`, "SGD 300.00", "Acme Telecom Pte Ltd")
	if status, _ := c.get("/invoices/inv_nonesuch"); status != http.StatusNotFound {
		t.Fatalf("unknown invoice: %d, want 404", status)
	}
}

func TestOrganizationPage_ShowsBalancesAndStatement(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	p := h.pay(h.acme.ID, "400.00", "bank_transfer", "STMT")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: h.invoiceByNumber("INV-1001").ID, Amount: "300.00"})
	status, body := c.get("/organizations/" + h.acme.ID)
	if status != http.StatusOK {
		t.Fatalf("organization page: %d", status)
	}
	mustContain(t, "organization page", body, `id="outstanding">SGD 500.00`, `id="unapplied">SGD 100.00`, `id="credit">—`,
		`id="statement"`, "INV-1001", "INV-1002", "STMT")
	// A period with nothing in it, and a period the domain refuses.
	_, body = c.get("/organizations/" + h.acme.ID + "?from=2001-01-01&to=2001-12-31")
	mustContain(t, "empty period", body, "Nothing in this period")
	if status, body = c.get("/organizations/" + h.acme.ID + "?from=2020-02-01&to=2020-01-01"); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error"`) {
		t.Fatalf("reversed period: %d, want 422 with the refusal", status)
	}
}

// The organization page shows the customer statement, not journal lines: the opening balance,
// each document with its running balance, the closing balance and the aging of the open
// invoices, with links to the CSV and PDF a customer can be sent.
func TestOrganizationPage_StatementWithRunningBalanceAndAging(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	today := h.svc.Today(finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleViewer}))
	// INV-1001 300.00 and INV-1002 500.00 were issued today; a payment of 400.00 pays INV-1001.
	p := h.pay(h.acme.ID, "400.00", "bank_transfer", "STMT-42")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: h.invoiceByNumber("INV-1001").ID, Amount: "300.00"})
	status, body := c.get("/organizations/" + h.acme.ID)
	if status != http.StatusOK {
		t.Fatalf("organization page: %d", status)
	}
	// row matches one table row (the page writes each over a few lines) with cells in order.
	row := func(cells ...string) *regexp.Regexp {
		return regexp.MustCompile(`<tr[ >][^\x00]*?` + strings.Join(cells, `[^\x00]*?`) + `[^\x00]*?$`)
	}
	for _, want := range []*regexp.Regexp{
		row(`id="opening-SGD">SGD 0.00<`),
		row(today, `Invoice`, `INV-1001`, `SGD 300.00`, `SGD 300.00`),
		row(today, `Invoice`, `INV-1002`, `SGD 500.00`, `SGD 800.00`),
		row(today, `Payment`, `STMT-42`, `SGD 400.00`, `SGD 400.00`),
		row(`id="closing-SGD">SGD 400.00<`),
	} {
		found := false
		for _, tr := range strings.SplitAfter(body, "</tr>") {
			found = found || want.MatchString(tr)
		}
		if !found {
			t.Errorf("the statement has no row %s", want)
		}
	}
	for _, want := range []*regexp.Regexp{
		// Aging: INV-1002 is due today, all 500.00 current; 100.00 of the payment is unapplied.
		regexp.MustCompile(`(?s)id="aging-SGD".*?<td class="num">SGD 500.00</td><td class="num">SGD 0.00</td>.*?SGD 500.00</td><td class="num">SGD 100.00</td>`),
		regexp.MustCompile(`href="/organizations/` + h.acme.ID + `/statement\?format=csv&amp;to=` + today + `"`),
		regexp.MustCompile(`href="/organizations/` + h.acme.ID + `/statement\?format=pdf&amp;to=` + today + `"`),
	} {
		if !want.MatchString(body) {
			t.Errorf("the statement has no %s", want)
		}
	}
	if strings.Contains(body, "Allocation created") {
		t.Error("the statement still lists journal entries")
	}

	// The links download the same statement.
	resp, err := c.http.Get(h.URL + "/organizations/" + h.acme.ID + "/statement?format=csv&to=" + today)
	if err != nil {
		t.Fatal(err)
	}
	csvBody, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); resp.StatusCode != 200 || ct != "text/csv; charset=utf-8" {
		t.Fatalf("CSV: %d %s", resp.StatusCode, ct)
	}
	mustContain(t, "CSV", string(csvBody), "SGD,"+today+",payment,STMT-42,"+p.ID+",,-400.00,400.00", "SGD,"+today+",closing_balance,,,,,400.00")
	resp, err = c.http.Get(h.URL + "/organizations/" + h.acme.ID + "/statement?format=pdf")
	if err != nil {
		t.Fatal(err)
	}
	pdf, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(string(pdf), "%PDF-") {
		t.Fatalf("PDF: %d %s %.20q", resp.StatusCode, resp.Header.Get("Content-Type"), pdf)
	}
	if status, _ := c.get("/organizations/" + h.acme.ID + "/statement?format=xlsx"); status != http.StatusUnprocessableEntity {
		t.Errorf("unknown format: %d, want 422", status)
	}
}

var nextRe = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

func TestPaymentsList_FiltersAndPagination(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	for i := 0; i < 60; i++ {
		method, org := "bank_transfer", h.acme.ID
		if i%6 == 0 {
			method, org = "cash", h.boreal.ID
		}
		h.pay(org, fmt.Sprintf("%d.00", i+1), method, fmt.Sprintf("REF-%02d", i))
	}
	rows := func(body string) int { return strings.Count(body, `class="view"`) }

	_, first := c.get("/payments")
	if rows(first) != 50 {
		t.Fatalf("first page: %d rows, want 50", rows(first))
	}
	m := nextRe.FindStringSubmatch(first)
	if m == nil {
		t.Fatal("no Next page link on the first page")
	}
	_, second := c.get(html.UnescapeString(m[1]))
	if rows(second) != 10 || nextRe.MatchString(second) || !strings.Contains(second, "First page") {
		t.Fatalf("second page: %d rows (want 10), next link %v", rows(second), nextRe.MatchString(second))
	}
	for i := 0; i < 60; i++ { // every payment once over the two pages
		ref := fmt.Sprintf(">REF-%02d<", i)
		if strings.Contains(first, ref) == strings.Contains(second, ref) {
			t.Fatalf("REF-%02d is on both pages or on neither", i)
		}
	}

	_, cash := c.get("/payments?method=cash")
	if rows(cash) != 10 || strings.Contains(cash, "Bank transfer</td>") {
		t.Fatalf("method=cash: %d rows, want 10 cash ones", rows(cash))
	}
	mustContain(t, "cash filter", cash, `<option value="cash" selected>`)
	if _, b := c.get("/payments?customer=" + h.boreal.ID); rows(b) != 10 {
		t.Fatalf("customer filter: %d rows, want 10", rows(b))
	}
	if _, b := c.get("/payments?q=REF-07"); rows(b) != 1 || !strings.Contains(b, "REF-07") {
		t.Fatalf("search REF-07: %d rows", rows(b))
	}
	// Filters survive paging: 50 bank transfers on page one, the other 0 on page two.
	_, bank := c.get("/payments?method=bank_transfer")
	if rows(bank) != 50 {
		t.Fatalf("method=bank_transfer: %d rows, want 50", rows(bank))
	}
	if m := nextRe.FindStringSubmatch(bank); m != nil {
		_, rest := c.get(html.UnescapeString(m[1]))
		if rows(rest) != 0 || strings.Contains(rest, "Cash</td>") {
			t.Fatalf("bank transfers page 2: %d rows, want none", rows(rest))
		}
		if !strings.Contains(html.UnescapeString(m[1]), "method=bank_transfer") {
			t.Fatalf("next link %q lost the filter", m[1])
		}
	}
	if status, body := c.get("/payments?from=2020-02-01&to=2020-01-01"); status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="error"`) {
		t.Fatalf("reversed dates: %d, want 422 with the refusal", status)
	}
}

func TestViewer_SeesNoWriteControlsAndForcedPostsAreRefused(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	if _, err := h.auth.CreateUser(h.ctx, finapp.DefaultWorkspace, "viewer@example.com", finapp.RoleViewer, testPassword); err != nil {
		t.Fatal(err)
	}
	p := h.pay("", "70.00", "cash", "VIEW-ONLY")
	inv := h.invoiceByNumber("INV-1001")
	c := h.client()
	status, body := c.login("viewer@example.com", testPassword)
	if status != http.StatusOK {
		t.Fatalf("viewer login: %d", status)
	}
	csrf := token(t, body)
	postForm := regexp.MustCompile(`<form[^>]*method="post"[^>]*action="([^"]+)"`)
	for _, path := range []string{"/payments", "/payments/" + p.ID, "/invoices", "/invoices/" + inv.ID, "/organizations", "/organizations/" + h.acme.ID, "/reports", "/audit"} {
		status, body := c.get(path)
		if status != http.StatusOK {
			t.Fatalf("viewer GET %s: %d", path, status)
		}
		for _, m := range postForm.FindAllStringSubmatch(body, -1) {
			if m[1] != "/logout" {
				t.Errorf("viewer's %s has a form posting to %s", path, m[1])
			}
		}
		for _, ctl := range []string{`id="new-payment"`, `id="edit"`, `id="delete"`, `id="new-invoice"`, `id="new-organization"`, `id="void"`, "/payments/new"} {
			if strings.Contains(body, ctl) {
				t.Errorf("viewer's %s shows the write control %s", path, ctl)
			}
		}
	}
	for _, path := range []string{"/payments/new", "/payments/" + p.ID + "/edit", "/payments/" + p.ID + "/delete", "/invoices/new", "/invoices/" + inv.ID + "/void", "/organizations/new"} {
		if status, _ := c.get(path); status != http.StatusForbidden {
			t.Errorf("viewer GET %s: %d, want 403", path, status)
		}
	}
	forced := map[string]url.Values{
		"/payments":                            {"amount": {"1.00"}, "currency": {"SGD"}, "method": {"cash"}},
		"/payments/" + p.ID + "/assign":        {"organization_id": {h.acme.ID}},
		"/payments/" + p.ID + "/edit":          {"amount": {"1.00"}, "currency": {"SGD"}, "method": {"cash"}},
		"/payments/" + p.ID + "/delete":        {},
		"/payments/" + p.ID + "/auto-allocate": {"organization_id": {h.acme.ID}},
		"/organizations":                       {"name": {"Sneaky"}, "billing_currency": {"SGD"}},
		"/invoices":                            {"organization_id": {h.acme.ID}, "number": {"SNEAK-1"}, "total": {"1.00"}},
		"/invoices/" + inv.ID + "/void":        {},
	}
	for path, form := range forced {
		status, body := c.post(path, csrf, form)
		if status != http.StatusForbidden || !strings.Contains(body, "viewer role may only read") {
			t.Errorf("viewer's forced POST %s: %d, want 403 with the domain's refusal", path, status)
		}
	}
	d := h.getPayment(p.ID)
	if d.Version != 1 || d.OrganizationID != "" || d.DeletedAt != nil {
		t.Fatalf("a viewer's forced POST changed the payment: %+v", d.Payment)
	}
	if list, _, _ := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{}); len(list) != 1 {
		t.Fatalf("%d payments, want 1", len(list))
	}
	if h.invoiceByNumber("INV-1001").Status != finapp.InvoiceUnpaid {
		t.Fatal("a viewer voided an invoice")
	}
}

// A refund from the payment page: unapplied money goes back with a reason; more than is
// unapplied is refused, said on the page; the money coming back is recorded on the refund.
func TestRefund_FromThePaymentPageAndBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	p := h.pay(h.acme.ID, "120.00", "bank_transfer", "TWICE")

	_, body := c.get("/payments/" + p.ID)
	mustContain(t, "payment page", body, `id="refund-form"`, `id="refund-amount" class="amount" inputmode="decimal" value="120.00"`,
		`<option value="bank_transfer" selected>Bank transfer</option>`)
	status, body := c.post("/payments/"+p.ID+"/refund", csrf, url.Values{"version": {h.version(p.ID)}, "amount": {"120.01"}, "reason": {"paid twice"}})
	if status != http.StatusConflict {
		t.Fatalf("refund above unapplied: %d\n%s", status, body)
	}
	mustContain(t, "refused refund", body, `id="error"`, "120.00 SGD payment")
	status, body = c.post("/payments/"+p.ID+"/refund", csrf, url.Values{"version": {h.version(p.ID)}, "amount": {"100.00"},
		"method": {"bank_transfer"}, "reference": {"RET-9"}, "reason": {"paid twice"}})
	if status != http.StatusOK {
		t.Fatalf("refund: %d\n%s", status, body)
	}
	mustContain(t, "after the refund", body, "Refund recorded", `id="refunded">SGD 100.00`, "Refunded SGD 100.00 by Bank transfer", "RET-9",
		"paid twice", `id="unallocated">SGD 20.00`, "Payment refunded")
	refunds, _, err := h.svc.ListRefunds(h.ctx, finapp.RefundFilter{PaymentID: p.ID, Limit: 10})
	if err != nil || len(refunds) != 1 {
		t.Fatalf("refunds: %v %v", refunds, err)
	}
	status, body = c.post("/refunds/"+refunds[0].ID+"/reverse", csrf, url.Values{"reason": {"the bank returned it"}})
	if status != http.StatusOK {
		t.Fatalf("reverse: %d\n%s", status, body)
	}
	mustContain(t, "after the reversal", body, "Refund reversed", "returned", "the bank returned it", `id="unallocated">SGD 120.00`)
}

// Release is offered only where it can succeed: an allocation that completed a top-up invoice
// (provisioned: the credit was given) says why it stays instead.
func TestPaymentPage_OffersReleaseOnlyWhereItCanSucceed(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	top, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.acme.ID, Number: "TOP-9", Total: "50.00", Kind: finapp.KindTopUp})
	if err != nil {
		t.Fatal(err)
	}
	p := h.pay(h.acme.ID, "80.00", "bank_transfer", "CREDIT")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: top.ID, Amount: "50.00"}, finapp.AllocationLine{InvoiceID: h.invoiceByNumber("INV-1001").ID, Amount: "10.00"})
	_, body := c.get("/payments/" + p.ID)
	if n := strings.Count(body, `class="link release"`); n != 1 {
		t.Errorf("%d Release buttons, want 1 (the standard invoice's)", n)
	}
	mustContain(t, "payment page", body, `class="muted not-releasable">invoice TOP-9 is provisioned; its payments can no longer be released`)
}
