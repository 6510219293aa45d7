package web_test

import (
	"bytes"
	"context"
	"go/ast"
	"go/parser"
	gotoken "go/token"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
	"finapp/bankfile"
	"finapp/camt/camttest"
	"finapp/money"
)

// The web UI's access rules, route by route (as api/access_test.go does for the API): what each
// role of workspace A may open and post, and what an admin of workspace B gets for A's ids. The
// expected answers are written here, not read from the handlers.

// need is what a route asks of its caller.
type need int

const (
	public  need = iota // no session (login, static files)
	session             // any logged-in user (logout)
	read                // every role: a page
	write               // finance and admin; a viewer gets 403 and nothing is written
	admin               // admin only; others get 403 and nothing is written
)

// ids are the records a route's request names; each test fills them with its own.
type ids struct {
	Payment, Allocation, Invoice, FreeInvoice, Org, User, Token string
	Webhook, Event                                              string
	Refund                                                      string // 1.00 paid back from a payment of its own
	Withdrawal                                                  string // 1.00 of Org's 3.00 credit paid out
	BankLine                                                    string // 50.00 naming Invoice, proposed
	Proposal                                                    string // its proposal
	Rule, Template                                              string // a matching rule, a bank CSV template
	DecidedLine                                                 string // another line of its statement, ignored
	Org2                                                        string // another organization, to move the payment to
	Today                                                       string
	Version, InvoiceVersion                                     int

	// CreditNote is 20.00 with 5.00 of it applied to Invoice (CreditNoteApplication);
	// FreeCreditNote is 10.00 nothing of which is used.
	CreditNote, CreditNoteApplication, FreeCreditNote string
	CreditNoteVersion, FreeCreditNoteVersion          int
}

// webRoute is one registered pattern, the role it needs and a request that, for a caller allowed
// to make it, succeeds on the records in ids.
type webRoute struct {
	pattern string // exactly as registered: "POST /payments/{id}/edit"
	need    need
	// ok is a permitted caller's status (after no redirect): 200 for pages, 303 for forms.
	ok  int
	req func(x ids) (path string, form url.Values)
}

func path(p string) func(ids) (string, url.Values) {
	return func(ids) (string, url.Values) { return p, nil }
}

func v(n int) string { return strconv.Itoa(n) }

// webRoutes is every route of web.New. TestWebRoutes_ListIsComplete fails when a route is
// registered but not listed here (or listed but no longer registered).
var webRoutes = []webRoute{
	{"GET /static/", public, 200, path("/static/app.css")},
	{"GET /login", public, 200, path("/login")},
	{"POST /login", public, 0, nil}, // covered by the login tests
	{"POST /logout", session, 303, path("/logout")},
	{"GET /{$}", read, 303, path("/")},

	{"GET /payments", read, 200, path("/payments")},
	{"GET /payments/new", write, 200, path("/payments/new")},
	{"POST /payments", write, 303, func(x ids) (string, url.Values) {
		return "/payments", url.Values{"organization_id": {x.Org}, "amount": {"25.00"}, "currency": {"SGD"}, "method": {"cash"}, "reference": {"matrix"}}
	}},
	{"GET /payments/{id}", read, 200, func(x ids) (string, url.Values) { return "/payments/" + x.Payment, nil }},
	{"GET /payments/{id}/edit", write, 200, func(x ids) (string, url.Values) { return "/payments/" + x.Payment + "/edit", nil }},
	{"POST /payments/{id}/edit", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/edit", url.Values{"version": {v(x.Version)}, "amount": {"100.00"}, "currency": {"SGD"}, "method": {"cash"}, "reference": {"edited"}, "received_on": {x.Today}}
	}},
	{"GET /payments/{id}/delete", write, 200, func(x ids) (string, url.Values) { return "/payments/" + x.Payment + "/delete", nil }},
	{"POST /payments/{id}/delete", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/delete", url.Values{"version": {v(x.Version)}}
	}},
	{"POST /payments/{id}/assign", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/assign", url.Values{"version": {v(x.Version)}, "organization_id": {x.Org2}}
	}},
	{"POST /payments/{id}/unassign", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/unassign", url.Values{"version": {v(x.Version)}}
	}},
	{"POST /payments/{id}/allocate", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/allocate", url.Values{"version": {v(x.Version)}, "invoice": {x.Invoice}, "amount_" + x.Invoice: {"5.00"}}
	}},
	{"POST /payments/{id}/auto-allocate", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/auto-allocate", url.Values{"version": {v(x.Version)}}
	}},
	{"POST /payments/{id}/top-up", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/top-up", url.Values{"version": {v(x.Version)}, "amount": {"1.00"}}
	}},
	{"POST /payments/{id}/refund", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/refund", url.Values{"version": {v(x.Version)}, "amount": {"1.00"}, "reason": {"paid twice"}}
	}},
	{"POST /refunds/{id}/reverse", write, 303, func(x ids) (string, url.Values) {
		return "/refunds/" + x.Refund + "/reverse", url.Values{"reason": {"the bank returned it"}}
	}},
	{"POST /organizations/{id}/withdrawals", write, 303, func(x ids) (string, url.Values) {
		return "/organizations/" + x.Org + "/withdrawals", url.Values{"amount": {"0.50"}, "currency": {"SGD"}, "method": {"cash"},
			"reason": {"asked back"}}
	}},
	{"POST /withdrawals/{id}/reverse", write, 303, func(x ids) (string, url.Values) {
		return "/withdrawals/" + x.Withdrawal + "/reverse", url.Values{"reason": {"the bank returned it"}}
	}},
	{"POST /payments/{id}/allocations/{aid}/release", write, 303, func(x ids) (string, url.Values) {
		return "/payments/" + x.Payment + "/allocations/" + x.Allocation + "/release", url.Values{"version": {v(x.Version)}}
	}},

	{"GET /invoices", read, 200, path("/invoices")},
	{"GET /invoices/new", write, 200, path("/invoices/new")},
	{"POST /invoices", write, 303, func(x ids) (string, url.Values) {
		return "/invoices", url.Values{"organization_id": {x.Org}, "number": {"M-" + x.Payment}, "kind": {finapp.KindStandard}, "total": {"40.00"}}
	}},
	{"GET /invoices/{id}", read, 200, func(x ids) (string, url.Values) { return "/invoices/" + x.Invoice, nil }},
	{"GET /invoices/{id}/void", write, 200, func(x ids) (string, url.Values) { return "/invoices/" + x.FreeInvoice + "/void", nil }},
	{"POST /invoices/{id}/void", write, 303, func(x ids) (string, url.Values) {
		return "/invoices/" + x.FreeInvoice + "/void", url.Values{"version": {v(x.InvoiceVersion)}}
	}},

	{"GET /credit-notes", read, 200, path("/credit-notes")},
	{"GET /credit-notes/new", write, 200, path("/credit-notes/new")},
	{"POST /credit-notes", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes", url.Values{"organization_id": {x.Org}, "amount": {"5.00"}, "reason": {"matrix"}}
	}},
	{"GET /credit-notes/{id}", read, 200, func(x ids) (string, url.Values) { return "/credit-notes/" + x.CreditNote, nil }},
	{"POST /credit-notes/{id}/auto-apply", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.CreditNote + "/auto-apply", url.Values{"version": {v(x.CreditNoteVersion)}}
	}},
	{"POST /credit-notes/{id}/apply", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.CreditNote + "/apply", url.Values{"version": {v(x.CreditNoteVersion)}, "invoice_id": {x.FreeInvoice}, "amount": {"1.00"}}
	}},
	{"POST /credit-notes/{id}/applications/{aid}/release", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.CreditNote + "/applications/" + x.CreditNoteApplication + "/release", url.Values{}
	}},
	{"POST /credit-notes/{id}/refund", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.CreditNote + "/refund", url.Values{"version": {v(x.CreditNoteVersion)}, "amount": {"1.00"}, "method": {"cash"}, "reason": {"matrix"}}
	}},
	{"POST /credit-notes/{id}/to-credit", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.CreditNote + "/to-credit", url.Values{"version": {v(x.CreditNoteVersion)}, "amount": {"1.00"}}
	}},
	{"POST /credit-notes/{id}/void", write, 303, func(x ids) (string, url.Values) {
		return "/credit-notes/" + x.FreeCreditNote + "/void", url.Values{"version": {v(x.FreeCreditNoteVersion)}}
	}},

	{"GET /organizations", read, 200, path("/organizations")},
	{"GET /organizations/new", write, 200, path("/organizations/new")},
	{"POST /organizations", write, 303, func(x ids) (string, url.Values) {
		return "/organizations", url.Values{"name": {"Matrix " + x.Payment}, "billing_currency": {"SGD"}}
	}},
	{"GET /organizations/{id}", read, 200, func(x ids) (string, url.Values) { return "/organizations/" + x.Org, nil }},
	{"GET /organizations/{id}/statement", read, 200, func(x ids) (string, url.Values) { return "/organizations/" + x.Org + "/statement?format=pdf", nil }},
	{"POST /organizations/{id}/settings", write, 303, func(x ids) (string, url.Values) {
		return "/organizations/" + x.Org + "/settings", url.Values{"billing_mode": {"prepaid"}, "credit_limit": {"25.00"}}
	}},

	{"GET /reports", read, 200, path("/reports")},
	{"GET /audit", read, 200, path("/audit")},
	{"GET /export/{name}", read, 200, path("/export/payments")},
	{"GET /reconcile", read, 200, path("/reconcile")},
	{"POST /reconcile/upload", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/upload", url.Values{uploadField: {bankStatement("U" + x.Payment + "-")}}
	}},
	{"POST /reconcile/apply", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/apply", url.Values{"line": {x.BankLine + ":" + x.Proposal}}
	}},
	{"POST /reconcile/{id}/apply", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/" + x.BankLine + "/apply", url.Values{"proposal_id": {x.Proposal}}
	}},
	{"POST /reconcile/{id}/apply-edited", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/" + x.BankLine + "/apply-edited", url.Values{"organization_id": {x.Org}}
	}},
	{"POST /reconcile/{id}/ignore", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/" + x.BankLine + "/ignore", url.Values{"reason": {"our own transfer"}}
	}},
	{"POST /reconcile/{id}/undo", write, 303, func(x ids) (string, url.Values) { return "/reconcile/" + x.DecidedLine + "/undo", url.Values{} }},
	{"GET /reconcile/rules", read, 200, path("/reconcile/rules")},
	{"POST /reconcile/rules", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/rules", url.Values{"name": {"R " + x.Payment}, "organization_id": {x.Org}, "field_0": {"text"},
			"operator_0": {"contains"}, "value_0": {"ACME"}}
	}},
	{"POST /reconcile/rules/{id}/edit", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/rules/" + x.Rule + "/edit", url.Values{"name": {"Rewritten " + x.Payment}, "organization_id": {x.Org}, "field_0": {"text"},
			"operator_0": {"starts"}, "value_0": {"ACME"}}
	}},
	{"POST /reconcile/rules/{id}/delete", write, 303, func(x ids) (string, url.Values) { return "/reconcile/rules/" + x.Rule + "/delete", url.Values{} }},
	{"GET /reconcile/templates", read, 200, path("/reconcile/templates")},
	{"POST /reconcile/templates", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/templates", url.Values{"name": {"T " + x.Payment}, "account": {"ACC"}, "currency": {"SGD"},
			"booking_date_column": {"Date"}, "amount_column": {"Amount"}}
	}},
	{"POST /reconcile/templates/{id}/preview", write, 200, func(x ids) (string, url.Values) {
		return "/reconcile/templates/" + x.Template + "/preview", url.Values{uploadField: {"Date,Amount\n2026-12-02,10.00\n"}}
	}},
	{"POST /reconcile/templates/{id}/edit", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/templates/" + x.Template + "/edit", url.Values{"name": {"Rewritten " + x.Payment}, "account": {"ACC"}, "currency": {"SGD"},
			"booking_date_column": {"Date"}, "amount_column": {"Amount"}}
	}},
	{"POST /reconcile/templates/{id}/delete", write, 303, func(x ids) (string, url.Values) {
		return "/reconcile/templates/" + x.Template + "/delete", url.Values{}
	}},
	{"GET /reminders", read, 200, path("/reminders")},
	{"POST /reminders/run", write, 303, func(x ids) (string, url.Values) { return "/reminders/run", url.Values{} }},

	{"GET /admin/users", admin, 200, path("/admin/users")},
	{"POST /admin/users", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/users", url.Values{"email": {strings.ToLower("m-"+x.Payment) + "@example.com"}, "role": {finapp.RoleViewer}, "password": {testPassword}}
	}},
	{"GET /admin/users/{id}/disable", admin, 200, func(x ids) (string, url.Values) { return "/admin/users/" + x.User + "/disable", nil }},
	{"POST /admin/users/{id}/disable", admin, 303, func(x ids) (string, url.Values) { return "/admin/users/" + x.User + "/disable", url.Values{} }},
	{"GET /admin/tokens", admin, 200, path("/admin/tokens")},
	{"POST /admin/tokens", admin, 200, func(x ids) (string, url.Values) {
		return "/admin/tokens", url.Values{"name": {"matrix"}, "role": {finapp.RoleViewer}}
	}},
	{"GET /admin/tokens/{id}/revoke", admin, 200, func(x ids) (string, url.Values) { return "/admin/tokens/" + x.Token + "/revoke", nil }},
	{"POST /admin/tokens/{id}/revoke", admin, 303, func(x ids) (string, url.Values) { return "/admin/tokens/" + x.Token + "/revoke", url.Values{} }},
	{"GET /admin/webhooks", admin, 200, path("/admin/webhooks")},
	{"POST /admin/webhooks", admin, 200, func(x ids) (string, url.Values) {
		return "/admin/webhooks", url.Values{"url": {"https://hooks.example.com/matrix"}, "events": {"*"}}
	}},
	{"GET /admin/webhooks/{id}", admin, 200, func(x ids) (string, url.Values) { return "/admin/webhooks/" + x.Webhook, nil }},
	{"POST /admin/webhooks/{id}/enabled", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/webhooks/" + x.Webhook + "/enabled", url.Values{"enabled": {"false"}}
	}},
	{"POST /admin/webhooks/{id}/rotate", admin, 200, func(x ids) (string, url.Values) { return "/admin/webhooks/" + x.Webhook + "/rotate", url.Values{} }},
	{"POST /admin/webhooks/{id}/delete", admin, 303, func(x ids) (string, url.Values) { return "/admin/webhooks/" + x.Webhook + "/delete", url.Values{} }},
	{"POST /admin/webhooks/{id}/redeliver", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/webhooks/" + x.Webhook + "/redeliver", url.Values{"event_id": {x.Event}}
	}},
	{"GET /admin/events", admin, 200, path("/admin/events")},
	{"GET /admin/settings", admin, 200, path("/admin/settings")},
	{"POST /admin/settings", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/settings", url.Values{"time_zone": {"Asia/Singapore"}, "base_currency": {"SGD"}, "fiscal_year_start": {"04-01"}, "levels": {"5, 10"}}
	}},
	{"POST /admin/period/close", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/period/close", url.Values{"through": {"2001-01-31"}}
	}},
	{"POST /admin/period/reopen", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/period/reopen", url.Values{"reason": {"access matrix"}}
	}},
	{"POST /admin/settings/tolerance", admin, 303, func(x ids) (string, url.Values) {
		return "/admin/settings/tolerance", url.Values{"tolerance_currency": {"SGD"}, "tolerance_amount": {"0.05"}}
	}},
}

// TestWebRoutes_ListIsComplete reads the route registrations from the package's source (every
// mux.Handle or HandleFunc with a literal pattern) and compares them with webRoutes.
func TestWebRoutes_ListIsComplete(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	registered := map[string]bool{}
	fset := gotoken.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) == 0 {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := call.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != gotoken.STRING {
				t.Errorf("%s: a route registered with a pattern that is not a literal; list it by hand", fset.Position(call.Pos()))
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			registered[p] = true
			return true
		})
	}
	if len(registered) < 10 {
		t.Fatalf("found only %d registrations; has the router changed shape?", len(registered))
	}
	listed := map[string]bool{}
	for _, r := range webRoutes {
		if listed[r.pattern] {
			t.Errorf("%q listed twice", r.pattern)
		}
		listed[r.pattern] = true
	}
	var missing, stale []string
	for p := range registered {
		if !listed[p] {
			missing = append(missing, p)
		}
	}
	for p := range listed {
		if !registered[p] {
			stale = append(stale, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 {
		t.Errorf("routes registered but missing from webRoutes in access_test.go (add each with the role it needs): %q", missing)
	}
	if len(stale) > 0 {
		t.Errorf("routes in webRoutes that are no longer registered: %q", stale)
	}
}

// world is workspace A (the harness's default workspace, with a viewer, a finance user and an
// admin) and workspace B (with its own admin and books).
type world struct {
	*harness
	ctxB  context.Context // an admin actor of B, for seeding B
	wsB   string
	users map[string]*auth.User // A's users by role, and "B" for B's admin
	seq   int
}

const (
	viewerEmail = "viewer@a.example"
	adminEmail  = "admin@a.example"
	adminBEmail = "admin@b.example"
)

func newWorld(t *testing.T) *world {
	h := newHarness(t, false)
	w := &world{harness: h, users: map[string]*auth.User{}}
	ws, err := h.auth.CreateWorkspace(h.ctx, "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	w.wsB = ws.ID
	w.ctxB = finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: ws.ID, Name: "test:seed-b", Role: finapp.RoleAdmin})
	for role, u := range map[string]struct{ ws, email, role string }{
		finapp.RoleViewer: {finapp.DefaultWorkspace, viewerEmail, finapp.RoleViewer},
		finapp.RoleAdmin:  {finapp.DefaultWorkspace, adminEmail, finapp.RoleAdmin},
		"B":               {ws.ID, adminBEmail, finapp.RoleAdmin},
	} {
		seed := h.ctx
		if u.ws == ws.ID {
			seed = w.ctxB
		}
		created, err := h.auth.CreateUser(seed, u.ws, u.email, u.role, testPassword)
		if err != nil {
			t.Fatal(err)
		}
		w.users[role] = created
	}
	list, err := h.auth.ListUsers(h.ctx, finapp.DefaultWorkspace)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range list {
		if u.Email == testEmail {
			w.users[finapp.RoleFinance] = u
		}
	}
	return w
}

// fresh makes new records in workspace A (or B, with ctx B) for one request to act on: a
// payment of 100.00 assigned to an organization, 10.00 of it allocated to an invoice, another
// invoice without payments, a user and an API token.
func (w *world) fresh(ctx context.Context) ids {
	return w.freshFor(ctx, "/admin/users/{id}")
}

// freshFor is fresh for one route: it makes a user (an expensive password hash) only for a route
// that names one.
func (w *world) freshFor(ctx context.Context, pattern string) ids {
	t := w.t
	t.Helper()
	w.seq++
	n := v(w.seq)
	org, err := w.svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Fresh " + n, BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	org2, err := w.svc.CreateOrganization(ctx, finapp.OrganizationCreate{Name: "Other " + n, BillingCurrency: "SGD"})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := w.svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: org.ID, Number: "F-" + n, Total: "50.00", Kind: finapp.KindStandard})
	if err != nil {
		t.Fatal(err)
	}
	free, err := w.svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: org.ID, Number: "G-" + n, Total: "70.00", Kind: finapp.KindStandard})
	if err != nil {
		t.Fatal(err)
	}
	if pattern == "POST /reminders/run" { // something for the run to find: an invoice long overdue
		if _, err := w.svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: org.ID, Number: "R-" + n, Total: "9.00",
			IssuedOn: "2020-01-01", DueOn: "2020-01-31"}); err != nil {
			t.Fatal(err)
		}
	}
	p, err := w.svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: org.ID, Amount: "100.00", Currency: "SGD", Method: "cash", Reference: "fresh " + n})
	if err != nil {
		t.Fatal(err)
	}
	p, err = w.svc.Allocate(ctx, p.ID, p.Version, finapp.AllocationRequest{Lines: []finapp.AllocationLine{{InvoiceID: inv.ID, Amount: "10.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	refunded, err := w.svc.RecordPayment(ctx, finapp.PaymentCreate{OrganizationID: org.ID, Amount: "5.00", Currency: "SGD", Method: "cash", Reference: "refunded " + n})
	if err != nil {
		t.Fatal(err)
	}
	rf, err := w.svc.RefundPayment(ctx, refunded.ID, 0, finapp.RefundCreate{Amount: "1.00", Reason: "paid twice"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.TopUp(ctx, refunded.ID, 0, "3.00"); err != nil {
		t.Fatal(err)
	}
	wd, err := w.svc.Withdraw(ctx, org.ID, finapp.WithdrawalCreate{Amount: "1.00", Currency: "SGD", Method: "cash", Reason: "asked back"})
	if err != nil {
		t.Fatal(err)
	}
	cn, err := w.svc.IssueCreditNote(ctx, finapp.CreditNoteCreate{OrganizationID: org.ID, Amount: "20.00", Reason: "fresh " + n})
	if err != nil {
		t.Fatal(err)
	}
	applied, err := w.svc.ApplyCreditNote(ctx, cn.ID, cn.Version, finapp.CreditNoteApplyRequest{Lines: []finapp.CreditNoteLine{{InvoiceID: inv.ID, Amount: "5.00"}}})
	if err != nil {
		t.Fatal(err)
	}
	freeCN, err := w.svc.IssueCreditNote(ctx, finapp.CreditNoteCreate{OrganizationID: org.ID, Amount: "10.00", Reason: "unused " + n})
	if err != nil {
		t.Fatal(err)
	}
	a, _ := finapp.ActorFrom(ctx)
	u := &auth.User{}
	if strings.Contains(pattern, "/admin/users/{id}") {
		if u, err = w.auth.CreateUser(ctx, a.WorkspaceID, "fresh"+n+"-"+strings.ToLower(a.WorkspaceID)+"@example.com", finapp.RoleViewer, testPassword); err != nil {
			t.Fatal(err)
		}
	}
	_, tok, err := w.auth.CreateToken(ctx, a.WorkspaceID, "fresh-"+n, finapp.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	hook, err := w.svc.CreateWebhookEndpoint(ctx, finapp.WebhookEndpointCreate{URL: "https://hooks.example.com/fresh-" + n, Events: []string{"*"}})
	if err != nil {
		t.Fatal(err)
	}
	bankLine, decided, proposal := w.bankLines(ctx, org.ID, "BL"+n+"-")
	rule, err := w.svc.CreateMatchingRule(ctx, finapp.MatchingRule{Name: "Rule " + n, OrganizationID: org.ID,
		Conditions: []finapp.RuleCondition{{Field: "text", Operator: "contains", Value: "ACME"}}})
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := w.svc.CreateBankCSVTemplate(ctx, finapp.BankCSVTemplate{Name: "Template " + n, Account: "ACC-" + n, Currency: "SGD",
		BookingDateColumn: "Date", AmountColumn: "Amount"})
	if err != nil {
		t.Fatal(err)
	}
	events, _, err := w.svc.ListEvents(ctx, finapp.EventFilter{Types: []string{finapp.EventPaymentRecorded}, Limit: finapp.MaxPageSize})
	if err != nil || len(events) == 0 {
		t.Fatal(err, len(events))
	}
	return ids{Payment: p.ID, Allocation: p.Allocations[0].ID, Version: p.Version, Invoice: inv.ID, FreeInvoice: free.ID,
		InvoiceVersion: free.Version, Org: org.ID, Org2: org2.ID, Today: w.svc.Today(ctx), User: u.ID, Token: tok.ID,
		Webhook: hook.ID, Event: events[len(events)-1].ID, Refund: rf.ID, Withdrawal: wd.ID,
		CreditNote: applied.ID, CreditNoteApplication: applied.Applications[0].ID, CreditNoteVersion: applied.Version,
		FreeCreditNote: freeCN.ID, FreeCreditNoteVersion: freeCN.Version, BankLine: bankLine, DecidedLine: decided, Proposal: proposal, Rule: rule.ID, Template: tpl.ID}
}

// postsThatKeepNothing are the forms that post a file only to show what it holds: a preview.
var postsThatKeepNothing = map[string]bool{"POST /reconcile/templates/{id}/preview": true}

// uploadField is the form field the matrix sends as a file (multipart) rather than as a value.
const uploadField = "file"

// bankStatement is a camt.053 of two incoming lines of an account of its own: 50.00 paying
// prefix+"0000001", 5.00 paying prefix+"0000002".
func bankStatement(prefix string) string {
	var b strings.Builder
	if err := camttest.WriteStatement(&b, camttest.Options{Entries: 2, IBAN: "SG00WEB" + prefix, Currency: "SGD", InvoicePrefix: prefix,
		Amount: func(i int) money.Amount { return money.Amount(5000 - 4500*i) }}); err != nil {
		panic(err)
	}
	return b.String()
}

// bankLines imports a statement whose 50.00 line pays a new invoice of org and returns that line
// (proposed), the id of its proposal, and the statement's other line, ignored.
func (w *world) bankLines(ctx context.Context, org, prefix string) (line, decided, proposal string) {
	t := w.t
	t.Helper()
	if _, err := w.svc.CreateInvoice(ctx, finapp.InvoiceCreate{OrganizationID: org, Number: prefix + "0000001", Total: "50.00"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), prefix+".xml")
	if err := os.WriteFile(path, []byte(bankStatement(prefix)), 0o600); err != nil {
		t.Fatal(err)
	}
	open, err := bankfile.Opener(path, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	imp, err := w.svc.ImportBankFile(ctx, open, nil)
	if err != nil {
		t.Fatal(err)
	}
	list, _, err := w.svc.ListBankLines(ctx, finapp.BankLineFilter{StatementID: imp.Statements[0].ID, Limit: 10})
	if err != nil || len(list) != 2 {
		t.Fatal(err, len(list))
	}
	for _, l := range list {
		if l.Amount == 5000 {
			line = l.ID
		} else {
			decided = l.ID
		}
	}
	if _, err := w.svc.IgnoreBankLine(ctx, decided, "fee refund booked elsewhere"); err != nil {
		t.Fatal(err)
	}
	_, props, err := w.svc.BankLineProposals(ctx, line)
	if err != nil || len(props) == 0 {
		t.Fatalf("no proposal for the line paying %s0000001: %v", prefix, err)
	}
	return line, decided, props[0].ID
}

// state is everything a refused request must leave as it was in a workspace: its audit trail
// (every change of the books, users and tokens is in it), users and tokens.
func (w *world) state(ctx context.Context) string {
	t := w.t
	t.Helper()
	a, _ := finapp.ActorFrom(ctx)
	var b strings.Builder
	cursor := ""
	for {
		list, next, err := w.svc.ListAudit(ctx, finapp.AuditFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			b.WriteString(e.ID + "\n")
		}
		if next == "" {
			break
		}
		cursor = next
	}
	users, err := w.auth.ListUsers(ctx, a.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range users {
		b.WriteString(u.ID + " " + strconv.FormatBool(u.DisabledAt != nil) + "\n")
	}
	tokens, err := w.auth.ListTokens(ctx, a.WorkspaceID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range tokens {
		b.WriteString(k.ID + " " + strconv.FormatBool(k.RevokedAt != nil) + "\n")
	}
	return b.String()
}

// roleClient is a logged-in browser that does not follow redirects, so that a form's answer (303
// to its result, 403, 404) is seen as sent.
type roleClient struct {
	t    *testing.T
	base string
	http *http.Client
	csrf string
}

func (w *world) login(email string) *roleClient {
	t := w.t
	t.Helper()
	jar, _ := cookiejar.New(nil)
	b := &roleClient{t: t, base: w.URL, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	_, body, _ := b.do("GET", "/login", nil)
	b.csrf = token(t, body)
	status, _, loc := b.do("POST", "/login", url.Values{"email": {email}, "password": {testPassword}, "next": {"/payments"}})
	if status != http.StatusSeeOther || loc != "/payments" {
		t.Fatalf("login %s: %d to %q", email, status, loc)
	}
	_, body, _ = b.do("GET", "/payments", nil)
	b.csrf = token(t, body)
	return b
}

// do sends a request (a POST carries the session's CSRF token) and returns the status, the body
// and the redirect's Location.
func (b *roleClient) do(method, p string, form url.Values) (int, string, string) {
	b.t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		if form == nil {
			form = url.Values{}
		}
		form.Set("csrf", b.csrf)
		if file, ok := form[uploadField]; ok {
			resp, err = b.postFile(p, form, file[0])
		} else {
			resp, err = b.http.PostForm(b.base+p, form)
		}
	} else {
		resp, err = b.http.Get(b.base + p)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body), resp.Header.Get("Location")
}

// postFile posts form as multipart, its uploadField as a file of that content.
func (b *roleClient) postFile(p string, form url.Values, content string) (*http.Response, error) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, values := range form {
		if name == uploadField {
			continue
		}
		for _, v := range values {
			mw.WriteField(name, v)
		}
	}
	fw, err := mw.CreateFormFile(uploadField, "statement.xml")
	if err != nil {
		return nil, err
	}
	fw.Write([]byte(content))
	mw.Close()
	return b.http.Post(b.base+p, mw.FormDataContentType(), &body)
}

func method(pattern string) string { m, _, _ := strings.Cut(pattern, " "); return m }

// TestWebAccess_RolesOfWorkspaceA walks every route with a viewer, a finance user and an admin:
// pages are readable by all three, money forms are refused to the viewer (403, nothing
// written), admin pages and forms are for the admin only (403 to the others, nothing written).
func TestWebAccess_RolesOfWorkspaceA(t *testing.T) {
	w := newWorld(t)
	browsers := map[string]*roleClient{}
	for _, role := range []string{finapp.RoleViewer, finapp.RoleFinance, finapp.RoleAdmin} {
		browsers[role] = w.login(w.users[role].Email)
	}
	shared := w.fresh(w.ctx) // for the pages, which change nothing
	for _, r := range webRoutes {
		if r.need == public || r.need == session {
			continue
		}
		for _, role := range []string{finapp.RoleViewer, finapp.RoleFinance, finapp.RoleAdmin} {
			allowed := r.need == read || (r.need == write && role != finapp.RoleViewer) || (r.need == admin && role == finapp.RoleAdmin)
			t.Run(r.pattern+"/"+role, func(t *testing.T) {
				x := shared
				if method(r.pattern) == "POST" {
					x = w.freshFor(w.ctx, r.pattern)
				}
				p, form := r.req(x)
				before := w.state(w.ctx)
				status, body, loc := browsers[role].do(method(r.pattern), p, form)
				if allowed {
					if status != r.ok || strings.HasPrefix(loc, "/login") {
						t.Fatalf("%s %s as %s: %d (to %q), want %d\n%s", method(r.pattern), p, role, status, loc, r.ok, body)
					}
					if method(r.pattern) == "POST" && !postsThatKeepNothing[r.pattern] && w.state(w.ctx) == before {
						t.Errorf("%s as %s succeeded but changed nothing", r.pattern, role)
					}
					return
				}
				if status != http.StatusForbidden {
					t.Fatalf("%s %s as %s: %d (to %q), want 403\n%s", method(r.pattern), p, role, status, loc, body)
				}
				if after := w.state(w.ctx); after != before {
					t.Errorf("%s as %s was refused but changed workspace A", r.pattern, role)
				}
			})
		}
	}
}

// TestWebAccess_AdminLinkOnlyForAdmins: the menu shows Admin to admins only.
func TestWebAccess_AdminLinkOnlyForAdmins(t *testing.T) {
	w := newWorld(t)
	for _, role := range []string{finapp.RoleViewer, finapp.RoleFinance, finapp.RoleAdmin} {
		_, body, _ := w.login(w.users[role].Email).do("GET", "/payments", nil)
		if has := strings.Contains(body, `href="/admin/users"`); has != (role == finapp.RoleAdmin) {
			t.Errorf("%s: admin link shown = %v", role, has)
		}
	}
}

// TestWebAccess_WorkspaceBSeesNothingOfA: B's admin opening or posting to any of A's ids gets 404
// exactly like an id that exists nowhere, A is left as it was, and B's lists show none of A's
// data.
func TestWebAccess_WorkspaceBSeesNothingOfA(t *testing.T) {
	w := newWorld(t)
	b := w.login(adminBEmail)
	ownB := w.fresh(w.ctxB)
	a := w.fresh(w.ctx)
	unknown := ids{Payment: "pay_00000000000000000000000000", Allocation: "alc_00000000000000000000000000", Invoice: "inv_00000000000000000000000000",
		FreeInvoice: "inv_00000000000000000000000001", Org: "org_00000000000000000000000000", User: "usr_00000000000000000000000000",
		Token: "tok_00000000000000000000000000", Org2: "org_00000000000000000000000001",
		Webhook: "whe_00000000000000000000000000", Event: "evt_00000000000000000000000000", Refund: "rfd_00000000000000000000000000",
		Withdrawal: "wd_00000000000000000000000000", Today: a.Today, Version: a.Version, InvoiceVersion: a.InvoiceVersion,
		CreditNote: "cn_00000000000000000000000000", CreditNoteApplication: "cna_00000000000000000000000000", FreeCreditNote: "cn_00000000000000000000000001",
		CreditNoteVersion: a.CreditNoteVersion, FreeCreditNoteVersion: a.FreeCreditNoteVersion,
		BankLine: "bl_00000000000000000000000000", DecidedLine: "bl_00000000000000000000000001", Proposal: a.Proposal,
		Rule: "mr_00000000000000000000000000", Template: "bct_00000000000000000000000000"}
	// same checks that A's ids and unknown ids get the same 404, byte for byte but for the id.
	// want is 404 for an id in the path; an id named in a form is refused as the domain refuses an
	// unknown one (422, next to its field).
	same := func(t *testing.T, what string, want int, sendA, sendUnknown func() (int, string), idA, idUnknown string) {
		t.Helper()
		before := w.state(w.ctx)
		statusA, bodyA := sendA()
		statusU, bodyU := sendUnknown()
		if statusA != want || statusU != want {
			t.Errorf("%s: %d with A's id, %d with an unknown id; want %d for both\n%s", what, statusA, statusU, want, bodyA)
		}
		if strings.ReplaceAll(bodyA, idA, idUnknown) != bodyU {
			t.Errorf("%s: A's id is answered differently from an unknown id:\n%s\n---\n%s", what, bodyA, bodyU)
		}
		if w.state(w.ctx) != before {
			t.Errorf("%s changed workspace A", what)
		}
	}
	// Every route with an id in its path, with A's ids.
	for _, r := range webRoutes {
		if !strings.Contains(r.pattern, "{") || strings.Contains(r.pattern, "{$}") || r.need == public {
			continue
		}
		if r.pattern == "GET /export/{name}" {
			continue // names a list, not an entity: the list's own use case keeps it to the workspace
		}
		t.Run(r.pattern, func(t *testing.T) {
			pa, fa := r.req(a)
			pu, fu := r.req(unknown)
			idA, idU := mainID(r.pattern, a), mainID(r.pattern, unknown)
			same(t, r.pattern, http.StatusNotFound,
				func() (int, string) { s, body, _ := b.do(method(r.pattern), pa, fa); return s, body },
				func() (int, string) { s, body, _ := b.do(method(r.pattern), pu, fu); return s, body }, idA, idU)
		})
	}
	// A's ids named in B's forms: an organization or invoice of A for B's own payment.
	forms := []struct {
		name     string
		path     string
		form     func(id string) url.Values
		idA, idU string
	}{
		{"record a payment for A's organization", "/payments", func(id string) url.Values {
			return url.Values{"organization_id": {id}, "amount": {"5.00"}, "currency": {"SGD"}, "method": {"cash"}}
		}, a.Org, unknown.Org},
		{"assign B's payment to A's organization", "/payments/" + ownB.Payment + "/assign", func(id string) url.Values {
			return url.Values{"version": {v(ownB.Version)}, "organization_id": {id}}
		}, a.Org, unknown.Org},
		{"allocate B's payment to A's invoice", "/payments/" + ownB.Payment + "/allocate", func(id string) url.Values {
			return url.Values{"version": {v(ownB.Version)}, "invoice": {id}, "amount_" + id: {"1.00"}}
		}, a.Invoice, unknown.Invoice},
		{"issue an invoice for A's organization", "/invoices", func(id string) url.Values {
			return url.Values{"organization_id": {id}, "number": {"B-1"}, "kind": {finapp.KindStandard}, "total": {"5.00"}}
		}, a.Org, unknown.Org},
		{"issue a credit note to A's organization", "/credit-notes", func(id string) url.Values {
			return url.Values{"organization_id": {id}, "amount": {"5.00"}, "reason": {"B"}}
		}, a.Org, unknown.Org},
		{"issue a credit note citing A's invoice", "/credit-notes", func(id string) url.Values {
			return url.Values{"organization_id": {ownB.Org}, "invoice_id": {id}, "amount": {"5.00"}, "reason": {"B"}}
		}, a.Invoice, unknown.Invoice},
		{"apply B's credit note to A's invoice", "/credit-notes/" + ownB.CreditNote + "/apply", func(id string) url.Values {
			return url.Values{"version": {v(ownB.CreditNoteVersion)}, "invoice_id": {id}, "amount": {"1.00"}}
		}, a.Invoice, unknown.Invoice},
	}
	for _, f := range forms {
		t.Run(f.name, func(t *testing.T) {
			beforeB := w.state(w.ctxB)
			same(t, f.name, http.StatusUnprocessableEntity,
				func() (int, string) { s, body, _ := b.do("POST", f.path, f.form(f.idA)); return s, body },
				func() (int, string) { s, body, _ := b.do("POST", f.path, f.form(f.idU)); return s, body }, f.idA, f.idU)
			if w.state(w.ctxB) != beforeB {
				t.Errorf("%s changed workspace B", f.name)
			}
		})
	}
	// B's lists and searches show none of A's data.
	// (ownB was made first: A's fresh records are number 2.)
	secrets := []string{a.Payment, a.Invoice, a.FreeInvoice, a.Org, a.User, a.Token, a.CreditNote, a.FreeCreditNote, w.acme.ID, w.boreal.ID, w.boreal.Name, "INV-1002",
		testEmail, viewerEmail, adminEmail, "fresh-2<", "Fresh 2", "G-2", "fresh 2"}
	for _, r := range webRoutes {
		if r.need == public || r.need == session || method(r.pattern) != "GET" || strings.Contains(r.pattern, "{id}") {
			continue
		}
		for _, q := range []string{"", "?q=Acme", "?q=INV", "?q=Fresh"} {
			p, _ := r.req(ids{})
			status, body, _ := b.do("GET", p+q, nil)
			if status != r.ok {
				t.Errorf("B GET %s: %d", p+q, status)
			}
			for _, s := range secrets {
				if strings.Contains(body, s) {
					t.Errorf("B's GET %s shows A's %q", p+q, s)
				}
			}
		}
	}
}

// mainID is the id a route's path names first, which the not-found page may echo.
func mainID(pattern string, x ids) string {
	switch {
	case strings.HasPrefix(pattern, "GET /payments/{id}"), strings.HasPrefix(pattern, "POST /payments/{id}"):
		return x.Payment
	case strings.Contains(pattern, "/invoices/{id}/"):
		return x.FreeInvoice
	case strings.Contains(pattern, "/invoices/{id}"):
		return x.Invoice
	case strings.HasSuffix(pattern, "/credit-notes/{id}/void"):
		return x.FreeCreditNote
	case strings.Contains(pattern, "/credit-notes/{id}"):
		return x.CreditNote
	case strings.Contains(pattern, "/organizations/{id}"):
		return x.Org
	case strings.Contains(pattern, "/admin/users/{id}"):
		return x.User
	case strings.Contains(pattern, "/admin/tokens/{id}"):
		return x.Token
	case strings.Contains(pattern, "/reconcile/rules/{id}"):
		return x.Rule
	case strings.Contains(pattern, "/reconcile/templates/{id}"):
		return x.Template
	case strings.HasSuffix(pattern, "/reconcile/{id}/undo"):
		return x.DecidedLine
	case strings.Contains(pattern, "/reconcile/{id}"):
		return x.BankLine
	}
	return "\x00"
}

// TestWebAccess_LogoutForEveryRole: any logged-in user may log out.
func TestWebAccess_LogoutForEveryRole(t *testing.T) {
	w := newWorld(t)
	for _, email := range []string{viewerEmail, testEmail, adminEmail, adminBEmail} {
		b := w.login(email)
		if status, _, loc := b.do("POST", "/logout", nil); status != http.StatusSeeOther || loc != "/login?done=logged-out" {
			t.Errorf("%s logout: %d to %q", email, status, loc)
		}
		if _, _, loc := b.do("GET", "/payments", nil); !strings.HasPrefix(loc, "/login") {
			t.Errorf("%s: still logged in after logout", email)
		}
	}
}
