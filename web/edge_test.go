package web_test

// The pages keep the same text rules as the API (finapp.CheckText): a path, query or form value
// with a control character or broken UTF-8 is refused with a 422 page naming the field, never a
// 500 — the same on SQLite and on PostgreSQL, which answered 500 to a NUL byte in the login
// e-mail. These tests run on both engines whatever FINAPP_TEST_ENGINE says (PostgreSQL when
// FINAPP_TEST_POSTGRES names a server).

import (
	"bytes"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"finapp"
	"finapp/internal/testdb"
	"finapp/sqlstore"
)

// onEachEngine runs test on a fresh harness over SQLite and over PostgreSQL.
func onEachEngine(t *testing.T, test func(t *testing.T, h *harness)) {
	for _, engine := range []struct {
		name string
		open func(testing.TB) *sqlstore.DB
	}{{"sqlite", testdb.SQLite}, {"postgres", testdb.Postgres}} {
		t.Run(engine.name, func(t *testing.T) { test(t, newHarnessOn(t, engine.open(t), false)) })
	}
}

// badPageText are strings no field may hold; line breaks and tabs only in multi-line fields.
var badPageText = []struct {
	s         string
	lineBreak bool
}{{"\x00", false}, {"a\x00b", false}, {"\x1b", false}, {"\x7f", false}, {"\u0085", false}, {"\xff", false}, {"caf\xc3", false}, {"a\nb", true}}

// expectPageRefusal checks a refusal of bad text: a 422 page that names the field.
func expectPageRefusal(t *testing.T, what string, status int, body, field string) {
	t.Helper()
	named := strings.ToUpper(field[:1]) + strings.ReplaceAll(field[1:], "_", " ")
	if status != http.StatusUnprocessableEntity || !strings.Contains(body, named) {
		t.Errorf("%s: status %d, want 422 naming %q:\n%.600s", what, status, named, body)
	}
}

func TestEdge_LoginRefusesBadTextWithoutASession(t *testing.T) {
	onEachEngine(t, func(t *testing.T, h *harness) {
		for _, bad := range badPageText {
			for _, field := range []string{"email", "password"} {
				c := h.client()
				form := map[string]string{"email": testEmail, "password": testPassword}
				form[field] += bad.s
				status, body := c.login(form["email"], form["password"])
				expectPageRefusal(t, field+" "+strconv.Quote(bad.s), status, body, field)
			}
		}
		// The login still works.
		h.client().loggedIn()
	})
}

func TestEdge_PagesRefuseBadTextInPathsQueriesAndForms(t *testing.T) {
	onEachEngine(t, func(t *testing.T, h *harness) {
		const adminEmail = "admin@example.com"
		if _, err := h.auth.CreateUser(h.ctx, finapp.DefaultWorkspace, adminEmail, finapp.RoleAdmin, testPassword); err != nil {
			t.Fatal(err)
		}
		admin := h.client()
		if status, body := admin.login(adminEmail, testPassword); status != http.StatusOK {
			t.Fatalf("admin login: %d\n%s", status, body)
		}
		adminCSRF := token(t, mustGet(t, admin, "/payments"))
		c := h.client()
		csrf := c.loggedIn()
		inv := h.invoice(h.acme, "INV-EDGE", "10.00", finapp.KindStandard)
		pay, err := h.svc.RecordPayment(h.ctx, finapp.PaymentCreate{Amount: "10.00", Currency: "SGD", Method: "cash"})
		if err != nil {
			t.Fatal(err)
		}

		// BAD stands for the bad text: escaped into the path, or after an "x" in the query.
		pages := []struct{ path, field string }{
			{"/payments?q=BAD", "q"}, {"/payments?cursor=BAD", "cursor"}, {"/payments?method=BAD", "method"}, {"/payments?customer=BAD", "customer"},
			{"/invoices?q=BAD", "q"}, {"/invoices?number=BAD", "number"}, {"/invoices?cursor=BAD", "cursor"}, {"/invoices?customer=BAD", "customer"},
			{"/organizations?q=BAD", "q"}, {"/organizations?cursor=BAD", "cursor"},
			{"/audit?entity=BAD", "entity"}, {"/audit?cursor=BAD", "cursor"}, {"/reports?as_of=BAD", "as_of"},
			{"/payments/" + pay.ID + "BAD", "address"}, {"/payments/" + pay.ID + "BAD/edit", "address"},
			{"/invoices/" + inv.ID + "BAD", "address"}, {"/organizations/" + h.acme.ID + "BAD", "address"},
		}
		forms := []struct {
			path  string
			admin bool
			form  url.Values
		}{
			{"/payments", false, url.Values{"organization_id": {h.acme.ID}, "amount": {"10.00"}, "currency": {"SGD"}, "method": {"cash"},
				"reference": {"REF"}, "invoice_number": {"INV-1"}, "remark": {"note"}, "received_on": {""}}},
			{"/organizations", false, url.Values{"name": {"Edge Pte Ltd"}, "billing_currency": {"SGD"}}},
			{"/invoices", false, url.Values{"organization_id": {h.acme.ID}, "number": {"E-1"}, "kind": {"standard"}, "currency": {"SGD"}, "total": {"5.00"}}},
			{"/payments/" + pay.ID + "/assign", false, url.Values{"organization_id": {h.acme.ID}, "version": {"1"}}},
			{"/admin/tokens", true, url.Values{"name": {"edge token"}, "role": {"viewer"}}},
			{"/admin/users", true, url.Values{"email": {"edge@example.com"}, "role": {"viewer"}, "password": {testPassword}}},
		}
		for _, bad := range badPageText {
			for _, pg := range pages {
				path := strings.Replace(pg.path, "BAD", url.PathEscape(bad.s), 1)
				if strings.Contains(pg.path, "=BAD") {
					path = strings.Replace(pg.path, "BAD", url.QueryEscape("x"+bad.s), 1)
				}
				status, body := c.get(path)
				expectPageRefusal(t, "GET "+path, status, body, pg.field)
			}
			for _, f := range forms {
				who, tok := c, csrf
				if f.admin {
					who, tok = admin, adminCSRF
				}
				for field := range f.form {
					if bad.lineBreak && finapp.MultilineText(field) {
						continue
					}
					form := url.Values{}
					for k, v := range f.form {
						form[k] = append([]string(nil), v...)
					}
					form.Set(field, form.Get(field)+bad.s)
					status, body := who.post(f.path, tok, form)
					expectPageRefusal(t, "POST "+f.path+" "+field+" "+strconv.Quote(bad.s), status, body, field)
				}
			}
		}
		// A remark may span lines.
		if status, body := c.post("/payments", csrf, url.Values{"amount": {"1.00"}, "currency": {"SGD"}, "method": {"cash"},
			"remark": {"first\r\n\tsecond"}}); status != http.StatusOK || !strings.Contains(body, "Payment recorded") {
			t.Fatalf("a two-line remark: %d\n%.600s", status, body)
		}
	})
}

func TestEdge_ListPagesRefuseAMalformedCursor(t *testing.T) {
	onEachEngine(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.loggedIn()
		for _, list := range []string{"/payments", "/invoices", "/organizations", "/audit"} {
			for _, cursor := range []string{"garbage", "pay", "org_zzz", "inv_" + strings.Repeat("U", 26)} {
				status, body := c.get(list + "?cursor=" + url.QueryEscape(cursor))
				expectPageRefusal(t, list+" cursor "+cursor, status, body, "cursor")
			}
		}
	})
}

func mustGet(t *testing.T, c *client, path string) string {
	t.Helper()
	status, body := c.get(path)
	if status != http.StatusOK {
		t.Fatalf("GET %s: %d\n%.600s", path, status, body)
	}
	return body
}

// No page posts a multipart form, but a client may, and the handlers would read it.
func TestEdge_MultipartFormsAreCheckedToo(t *testing.T) {
	onEachEngine(t, func(t *testing.T, h *harness) {
		c := h.client()
		_, page := c.get("/login")
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		for k, v := range map[string]string{"email": "a\x00@example.com", "password": testPassword, "csrf": token(t, page), "next": "/payments"} {
			_ = mw.WriteField(k, v)
		}
		_ = mw.Close()
		resp, err := c.http.Post(h.URL+"/login", mw.FormDataContentType(), &buf)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		expectPageRefusal(t, "multipart login", resp.StatusCode, string(body), "email")
	})
}
