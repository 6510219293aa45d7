package web_test

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/web"
)

func TestCreateOrganization_InlineErrorsThenCreated(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	_, body := c.get("/organizations")
	mustContain(t, "organizations list", body, `id="new-organization"`, `href="/organizations/new"`)
	status, body := c.get("/organizations/new")
	if status != http.StatusOK {
		t.Fatalf("new organization form: %d", status)
	}
	mustContain(t, "form", body, `action="/organizations"`, `name="billing_currency" id="billing_currency" value="SGD"`)

	status, body = c.post("/organizations", csrf, url.Values{"name": {"  "}, "billing_currency": {"SGD"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("blank name: %d, want 422", status)
	}
	mustContain(t, "blank name", body, `id="name-error">is required`)
	status, body = c.post("/organizations", csrf, url.Values{"name": {"Kept <b>Name</b>"}, "billing_currency": {"XYZ1"}})
	if status != http.StatusUnprocessableEntity {
		t.Fatalf("bad currency: %d, want 422", status)
	}
	mustContain(t, "bad currency", body, `id="billing_currency-error"`, `value="Kept &lt;b&gt;Name&lt;/b&gt;"`)

	status, body = c.post("/organizations", csrf, url.Values{"name": {"Nimbus Networks"}, "billing_currency": {"usd"}})
	if status != http.StatusOK {
		t.Fatalf("create: %d\n%s", status, body)
	}
	mustContain(t, "organization page", body, "Organization created.", "<h1>Nimbus Networks</h1>", `href="/invoices/new?customer=org_`)
	list, _, _ := h.svc.ListOrganizations(h.ctx, finapp.OrganizationFilter{Q: "Nimbus"})
	if len(list) != 1 || list[0].BillingCurrency != "USD" {
		t.Fatalf("organizations named Nimbus: %+v", list)
	}
}

func TestIssueInvoice_InlineErrorsThenIssued(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	status, body := c.get("/invoices/new?customer=" + h.boreal.ID)
	if status != http.StatusOK {
		t.Fatalf("new invoice form: %d", status)
	}
	mustContain(t, "form", body, `<option value="`+h.boreal.ID+`" selected>`, `<option value="standard" selected>`, `value="`+h.svc.Today(finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleViewer}))+`"`)

	valid := func() url.Values {
		return url.Values{"organization_id": {h.boreal.ID}, "number": {"TOP-9001"}, "kind": {"top_up"}, "currency": {""},
			"total": {"150.00"}, "issued_on": {"2026-01-05"}, "due_on": {"2026-02-04"}}
	}
	refusals := []struct {
		name, field, value string
		status             int
		want               string
	}{
		{"no organization", "organization_id", "", 422, `id="organization_id-error">is required`},
		{"no number", "number", " ", 422, `id="number-error">is required`},
		{"taken number", "number", "INV-1001", 409, `id="number-error">invoice number INV-1001 is already taken`},
		{"bad kind", "kind", "gift", 422, `id="kind-error"`},
		{"bad total", "total", "12.345", 422, `id="total-error"`},
		{"bad currency", "currency", "ZZ", 422, `id="currency-error"`},
		{"bad issue date", "issued_on", "2026-13-01", 422, `id="issued_on-error"`},
		{"due before issue", "due_on", "2026-01-01", 422, `id="due_on-error">is before issued_on`},
	}
	for _, r := range refusals {
		f := valid()
		f.Set(r.field, r.value)
		status, body := c.post("/invoices", csrf, f)
		if status != r.status || !strings.Contains(body, r.want) || !strings.Contains(body, `action="/invoices"`) {
			t.Errorf("%s: %d, want %d with %s", r.name, status, r.status, r.want)
		}
		if r.field != "total" && !strings.Contains(body, `value="150.00"`) {
			t.Errorf("%s: the form lost the total typed", r.name)
		}
	}
	if list, _, _ := h.svc.ListInvoices(h.ctx, finapp.InvoiceFilter{OrganizationID: h.boreal.ID}); len(list) != 0 {
		t.Fatalf("refused forms issued %d invoices", len(list))
	}

	status, body = c.post("/invoices", csrf, valid())
	if status != http.StatusOK {
		t.Fatalf("issue: %d\n%s", status, body)
	}
	mustContain(t, "invoice page", body, "Invoice issued.", "Invoice TOP-9001", "Top up", "SGD 150.00", "2026-02-04", "Borealis Cloud", `id="invoice-status">Unpaid`)
	_, list := c.get("/invoices?customer=" + h.boreal.ID)
	mustContain(t, "invoice list", list, "TOP-9001", `href="/invoices/new?customer=`+h.boreal.ID+`"`)
}

func TestVoidInvoice_ConfirmThenVoid_RefusedWithMoneyOnIt(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	inv := h.invoiceByNumber("INV-1002")
	_, body := c.get("/invoices/" + inv.ID)
	mustContain(t, "invoice page", body, `id="void"`, `href="/invoices/`+inv.ID+`/void"`)
	status, body := c.get("/invoices/" + inv.ID + "/void")
	if status != http.StatusOK {
		t.Fatalf("confirmation: %d", status)
	}
	mustContain(t, "confirmation", body, "Void invoice INV-1002?", `id="confirm-void"`, `name="version" value="1"`)

	// With money on it: refused with the domain's message, nothing changes.
	busy := h.invoiceByNumber("INV-1001")
	p := h.pay(h.acme.ID, "100.00", "cash", "ON-IT")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: busy.ID, Amount: "100.00"})
	status, body = c.post("/invoices/"+busy.ID+"/void", csrf, url.Values{"version": {fmt.Sprint(h.invoiceByNumber("INV-1001").Version)}})
	if status != http.StatusConflict {
		t.Fatalf("void with money on it: %d, want 409", status)
	}
	mustContain(t, "refused void", body, `id="error"`, "has payments, adjustments or credit notes applied to it; release them before voiding", `id="invoice-status">Partially paid`)

	// A stale confirmation page is refused too.
	if status, body = c.post("/invoices/"+inv.ID+"/void", csrf, url.Values{"version": {"7"}}); status != http.StatusConflict || !strings.Contains(body, "not 7") {
		t.Fatalf("stale void: %d, want 409", status)
	}

	status, body = c.post("/invoices/"+inv.ID+"/void", csrf, url.Values{"version": {"1"}})
	if status != http.StatusOK {
		t.Fatalf("void: %d\n%s", status, body)
	}
	mustContain(t, "voided invoice", body, "Invoice voided", `id="invoice-status">Void`, "Voided")
	if strings.Contains(body, `id="void"`) {
		t.Fatal("a void invoice still offers Void")
	}
	if h.invoiceByNumber("INV-1002").Status != finapp.InvoiceVoid || h.invoiceByNumber("INV-1001").Status != finapp.InvoicePartiallyPaid {
		t.Fatal("statuses after void are wrong")
	}
	if status, _ = c.post("/invoices/"+inv.ID+"/void", csrf, url.Values{"version": {"2"}}); status != http.StatusConflict {
		t.Fatalf("void twice: %d, want 409", status)
	}
}

// noInlineStyle checks a page against what the CSP (style-src 'self') would block.
func noInlineStyle(t *testing.T, what, body string) {
	t.Helper()
	if strings.Contains(body, " style=") || strings.Contains(body, "<style") || regexp.MustCompile(`<script>|<script [^s]`).MatchString(body) {
		t.Fatalf("%s has an inline style or script", what)
	}
}

func TestReports_ReceiptsAndAgingTablesAndCharts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	today, _ := time.Parse("2006-01-02", h.svc.Today(finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleViewer})))
	day := func(n int) string { return today.AddDate(0, 0, -n).Format("2006-01-02") }
	for _, p := range []struct{ on, amount, method string }{{day(0), "100.00", "cash"}, {day(0), "20.50", "bank_transfer"}, {day(1), "50.00", "bank_transfer"}, {day(40), "25.00", "cheque"}} {
		if _, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{Amount: p.amount, Currency: "SGD", Method: p.method, ReceivedOn: p.on}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.boreal.ID, Number: "OLD-1", Total: "640.00",
		IssuedOn: day(200), DueOn: day(150)}); err != nil {
		t.Fatal(err)
	}

	status, body := c.get("/reports")
	if status != http.StatusOK {
		t.Fatalf("reports: %d\n%s", status, body)
	}
	noInlineStyle(t, "reports", body)
	mustContain(t, "reports (last 30 days by day)", body, `<a href="/reports" class="active" aria-current="page">Reports</a>`,
		`value="`+day(29)+`"`, `id="receipts-table"`, "<td data-label=\"Day\">"+day(0)+"</td>", "SGD 120.50", "<td data-label=\"Day\">"+day(1)+"</td>", "SGD 170.50",
		`<svg viewBox="0 0 1000 240"`, `class="ytick"`, `tabindex="0"`, `class="bar `, "Money received in SGD")
	if strings.Contains(body, day(40)) {
		t.Error("a payment 40 days old is in the last 30 days")
	}
	// One bar per day of the range (30), zero days included.
	receipts := body[strings.Index(body, `id="receipts"`):strings.Index(body, `id="aging"`)]
	if n := strings.Count(receipts, "<rect "); n != 30 {
		t.Errorf("%d bars in the receipts chart, want 30 (one per day)", n)
	}

	_, body = c.get("/reports?from=" + day(60) + "&to=" + day(0) + "&group_by=method")
	mustContain(t, "by method", body, `<option value="method" selected>`, ">Cash</td>", ">Bank transfer</td>", "SGD 70.50", ">Cheque</td>", "SGD 25.00")

	_, body = c.get("/reports?from=" + day(60) + "&to=" + day(0) + "&group_by=month")
	mustContain(t, "by month", body, ">"+day(0)[:7]+"</td>")

	// Aging: OLD-1 is 150 days overdue, INV-1001/1002 are due today (current).
	mustContain(t, "aging", body, `id="aging-table"`, "Borealis Cloud", "Acme Telecom Pte Ltd", "Over 90 days", "SGD 640.00", "SGD 800.00", "SGD 1,440.00",
		"Receivables due in SGD by age", "bucket-over_90")
	_, body = c.get("/reports?as_of=" + day(300))
	mustContain(t, "aging before anything was issued", body, "Nothing is due as of "+day(300))

	for q, field := range map[string]string{"from=2026-02-30&to=": "from-error", "from=2026-02-01&to=2026-01-01": "to-error", "as_of=yesterday": "as_of-error"} {
		status, body := c.get("/reports?" + q)
		if status != http.StatusUnprocessableEntity || !strings.Contains(body, `id="`+field+`"`) {
			t.Errorf("reports?%s: %d, want 422 with %s", q, status, field)
		}
	}
	if status, body := c.get("/reports?group_by=week"); status != http.StatusUnprocessableEntity || !strings.Contains(body, "must be day, month or method") {
		t.Errorf("group_by=week: %d, want 422", status)
	}
}

func TestAudit_TrailWithWhoWhereWhenAndVerification(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	csrf := c.loggedIn()
	status, body := c.post("/payments", csrf, url.Values{"amount": {"10.00"}, "currency": {"SGD"}, "method": {"cash"}, "reference": {"AUDITED"}})
	if status != http.StatusOK {
		t.Fatalf("record: %d", status)
	}
	list, _, _ := h.svc.ListPayments(h.ctx, finapp.PaymentFilter{})
	pid := list[0].ID
	mustContain(t, "payment page", body, `href="/audit?entity=`+pid+`"`)

	events := func() int {
		v, err := h.svc.VerifyAudit(h.ctx)
		if err != nil {
			t.Fatal(err)
		}
		return v.Events
	}
	status, body = c.get("/audit")
	if status != http.StatusOK {
		t.Fatalf("audit: %d", status)
	}
	noInlineStyle(t, "audit", body)
	mustContain(t, "audit", body, `<a href="/audit" class="active" aria-current="page">Audit</a>`, `id="verify">`, "Chain intact", fmt.Sprintf("all %d sealed events", events()),
		"<strong>Payment recorded</strong>", `<td data-label="Who">finance@example.com</td>`, `<td data-label="From">127.0.0.1</td>`, `href="/payments/`+pid+`"`,
		"Invoice issued", `href="/invoices/inv_`, "Organization created", `href="/organizations/org_`, "test:seed")
	// Newest first.
	if strings.Index(body, "Payment recorded") > strings.Index(body, "Organization created") {
		t.Error("the trail is not newest first")
	}

	_, body = c.get("/audit?entity=" + pid)
	if n := strings.Count(body, "<tr>") - 1; n != 1 || strings.Contains(body, "Invoice issued") {
		t.Fatalf("entity filter: %d rows", n)
	}

	// An allocation released by an unassignment is audited as the allocation's event; it links to
	// its payment.
	p := h.pay(h.acme.ID, "300.00", "cash", "REL")
	h.allocate(p.ID, finapp.AllocationLine{InvoiceID: h.invoiceByNumber("INV-1001").ID, Amount: "300.00"})
	aid := h.getPayment(p.ID).Allocations[0].ID
	if _, err := h.svc.UnassignPayment(h.ctx, p.ID, 0); err != nil {
		t.Fatal(err)
	}
	_, body = c.get("/audit?entity=" + aid)
	mustContain(t, "allocation's trail", body, "Allocation released", `<a href="/payments/`+p.ID+`"><code>`+aid+`</code></a>`)

	// Cursor pagination: 50 a page.
	for i := 0; i < 50; i++ {
		h.pay("", "1.00", "cash", fmt.Sprintf("P%d", i))
	}
	rows := func(b string) int { return strings.Count(b, `<td data-label="Who">`) }
	_, first := c.get("/audit")
	m := nextRe.FindStringSubmatch(first)
	if rows(first) != 50 || m == nil {
		t.Fatalf("first audit page: %d rows, next link %v", rows(first), m != nil)
	}
	_, second := c.get(html.UnescapeString(m[1]))
	total := events()
	if rows(second) != total-50 || !strings.Contains(second, "First page") || !strings.Contains(second, "Organization created") {
		t.Fatalf("second audit page: %d rows, want %d", rows(second), total-50)
	}
}

// tamperedStore serves an audit chain with one event edited after it was written.
type tamperedStore struct{ finapp.Store }

func (s tamperedStore) View(ctx context.Context, ws string, fn func(finapp.Tx) error) error {
	return s.Store.View(ctx, ws, func(tx finapp.Tx) error { return fn(tamperedTx{tx}) })
}

type tamperedTx struct{ finapp.Tx }

func (tx tamperedTx) AuditChain(ctx context.Context) ([]*finapp.AuditEvent, error) {
	list, err := tx.Tx.AuditChain(ctx)
	if err == nil && len(list) > 1 {
		e := *list[1]
		e.Actor = "someone:else"
		list[1] = &e
	}
	return list, err
}

func TestAudit_ShowsWhereTheChainBreaks(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	svc := &finapp.Service{Store: tamperedStore{h.svc.Store}, Now: h.svc.Now}
	srv := httptest.NewServer(web.New(web.Deps{Service: svc, Auth: h.auth}))
	t.Cleanup(srv.Close)
	c := h.client()
	c.h = &harness{t: t, URL: srv.URL}
	_, body := c.get("/login")
	if status, _ := c.post("/login", token(t, body), url.Values{"email": {testEmail}, "password": {testPassword}}); status != http.StatusOK {
		t.Fatalf("login: %d", status)
	}
	// The page verifies the sealed events; on PostgreSQL a sealer links them after commit, so
	// seal what the harness and the login wrote before reading.
	if s, ok := h.svc.Store.(interface{ SealNow(context.Context) error }); ok {
		if err := s.SealNow(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	status, body := c.get("/audit")
	if status != http.StatusOK {
		t.Fatalf("audit: %d", status)
	}
	mustContain(t, "audit of a tampered chain", body, `class="verify broken"`, "Chain broken", "at event #2 of ", "hash does not match the event&#39;s content")
}

// The Allocation editor offers exactly the invoices that accept the payment's money
// (finapp.Invoice.Accepts): its organization's (any organization's while it is unassigned), in
// its currency, not void, with money due; and, for an assigned payment, its organization's
// invoices in another currency (finapp.Invoice.AcceptsConverted), each with a rate to fill in.
func TestAllocationEditor_OffersOnlyInvoicesThatAcceptThePayment(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	if _, err := h.svc.CreateInvoice(h.ctx, finapp.InvoiceCreate{OrganizationID: h.acme.ID, Number: "INV-USD", Total: "50.00", Currency: "USD"}); err != nil {
		t.Fatal(err)
	}
	void := h.invoice(h.acme, "INV-VOID", "70.00", finapp.KindStandard)
	if _, err := h.svc.VoidInvoice(h.ctx, void.ID, 0); err != nil {
		t.Fatal(err)
	}
	paid := h.invoice(h.acme, "INV-PAID", "20.00", finapp.KindStandard)
	h.allocate(h.pay(h.acme.ID, "20.00", "cash", "PAID-IT").ID, finapp.AllocationLine{InvoiceID: paid.ID, Amount: "20.00"})
	h.invoice(h.boreal, "INV-B1", "40.00", finapp.KindStandard)

	offered := func(body string) []string {
		var numbers []string
		for _, m := range regexp.MustCompile(`id="pick-([^"]+)"`).FindAllStringSubmatch(body, -1) {
			numbers = append(numbers, m[1])
		}
		return numbers
	}
	assigned := h.pay(h.acme.ID, "100.00", "cash", "ASSIGNED")
	_, body := c.get("/payments/" + assigned.ID)
	got := offered(body)
	slices.Sort(got)
	if want := []string{"INV-1001", "INV-1002", "INV-USD"}; !slices.Equal(got, want) || !strings.Contains(body, `id="rate-INV-USD"`) || strings.Contains(body, `id="rate-INV-1001"`) {
		t.Errorf("an assigned payment is offered %q, want %q, a rate for INV-USD only", got, want)
	}
	// The USD invoice is paid from the SGD payment at a rate; what the rate leaves is an fx
	// difference, within the USD tolerance.
	if _, err := h.svc.SetTolerances(h.ctx, []finapp.ToleranceInput{{Currency: "USD", Amount: "0.05"}}); err != nil {
		t.Fatal(err)
	}
	var usd string
	for _, m := range regexp.MustCompile(`name="invoice" value="([^"]+)" id="pick-INV-USD"`).FindAllStringSubmatch(body, -1) {
		usd = m[1]
	}
	status, page := c.post("/payments/"+assigned.ID+"/allocate", token(t, body), url.Values{"version": {"1"}, "invoice": {usd},
		"amount_" + usd: {"67.50"}, "rate_" + usd: {"0.74"}, "settle_" + usd: {"fx_difference"}, "reason_" + usd: {"rate rounding"}})
	if status != http.StatusOK || !strings.Contains(page, "Allocated") {
		t.Fatalf("allocating at a rate: %d\n%s", status, page)
	}
	if inv, err := h.svc.GetInvoice(h.ctx, usd); err != nil || inv.Status != finapp.InvoicePaid || inv.AmountPaid != 4995 || inv.AmountAdjusted != 5 {
		t.Fatalf("the USD invoice after 67.50 SGD at 0.74 and the rest as an fx difference: %+v %v", inv, err)
	}
	unassigned := h.pay("", "100.00", "cash", "UNASSIGNED")
	_, body = c.get("/payments/" + unassigned.ID + "?number=INV")
	got = offered(body)
	slices.Sort(got)
	if want := []string{"INV-1001", "INV-1002", "INV-B1"}; !slices.Equal(got, want) {
		t.Errorf("an unassigned payment is offered %q, want %q", got, want)
	}
}

// The invoice list's status filter offers the books' statuses and overdue, no list of its own.
func TestInvoiceList_StatusFilterOffersTheBooksStatuses(t *testing.T) {
	t.Parallel()
	h := newHarness(t, false)
	c := h.client()
	c.loggedIn()
	_, body := c.get("/invoices?status=" + finapp.InvoiceOverdue)
	for _, s := range finapp.InvoiceFilterStatuses {
		mustContain(t, "invoice list", body, `<option value="`+s+`"`)
	}
	mustContain(t, "invoice list", body, `<option value="overdue" selected>`)
}
