//go:build !race

// The race detector slows this test (100,000 payments through the import and verify) many times;
// scripts/test runs it without the detector on both engines instead.

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/web"
)

// No sum overflows (issue 11): amounts are bounded by money.MaxAmount each, but an int64 holds
// only about 92,300 of the largest. This writes 100,000 payments of the largest amount to one
// customer, all received the same day by the same method, and 100,000 invoices of the largest
// total, on the test engine (FINAPP_TEST_ENGINE), and checks every total finapp shows of them —
// balances, listings, reports, journal balances, pages — exactly, against math/big, and that
// `finapp verify` still completes.
func TestSums_AtTheBoundAreExactEverywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("imports 100,000 payments")
	}
	const n = 100_000
	w := newImportWorld(t)
	var csv strings.Builder
	csv.WriteString("received_on,amount,currency,method,reference,organization_id,invoice_number,remark\n")
	for i := range n {
		fmt.Fprintf(&csv, "2026-01-15,1000000000000.00,SGD,bank_transfer,MAX %d,{acme},,\n", i)
	}
	start := time.Now()
	path := w.file("max.csv", csv.String())
	if _, errOut, err := w.run("import", "payments", path); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}

	t.Logf("imported %d payments in %s", n, time.Since(start).Round(time.Millisecond))

	// n × 10^14 minor units, worked out by math/big, not by the code under test.
	total := new(big.Int).Mul(big.NewInt(n), big.NewInt(100_000_000_000_000))
	minor := total.String()                                  // "10000000000000000000"
	sgd := minor[:len(minor)-2] + "." + minor[len(minor)-2:] // "100000000000000000.00"
	shown := groupThousands(sgd)                             // "SGD 100,000,000,000,000,000.00"
	if minor != "10000000000000000000" || sgd != "100000000000000000.00" {
		t.Fatalf("the expected total is %s", minor)
	}

	// The service: the customer's balances, the journal's account balances, the receipts report.
	acme, err := w.svc.GetOrganization(w.as, w.acme.ID)
	if err != nil {
		t.Errorf("GetOrganization: %v", err)
	}
	if err == nil && fmt.Sprint(acme.Unapplied["SGD"]) != minor {
		t.Errorf("Acme's unapplied money is %v minor units, want %s", acme.Unapplied["SGD"], minor)
	}
	balances, err := w.svc.AccountBalances(w.as)
	if err != nil {
		t.Errorf("AccountBalances: %v", err)
	}
	want := map[string]string{finapp.UnappliedAccount(w.acme.ID): "-" + minor, finapp.CashAccount("bank_transfer"): minor}
	for _, b := range balances {
		if w, ok := want[b.Account]; ok && b.Currency == "SGD" {
			if got := fmt.Sprint(b.Balance); got != w {
				t.Errorf("account %s balance %s, want %s", b.Account, got, w)
			}
			delete(want, b.Account)
		}
	}
	if err == nil && len(want) > 0 {
		t.Errorf("AccountBalances has no SGD balance of %v", want)
	}
	groups, err := w.svc.Receipts(w.as, "2026-01-01", "2026-01-31", "month")
	if err != nil {
		t.Errorf("Receipts: %v", err)
	}
	if err == nil && (len(groups) != 1 || fmt.Sprint(groups[0].Amount) != minor || groups[0].Count != n) {
		t.Errorf("receipts of January: %+v, want one group of %s in %d payments", groups, minor, n)
	}

	// The API and the pages, as a viewer sees them.
	au := auth.New(w.db.AuthStore())
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "test", Role: finapp.RoleAdmin})
	if _, err := au.CreateUser(admin, finapp.DefaultWorkspace, "viewer@example.com", finapp.RoleViewer, "correct horse battery staple"); err != nil {
		t.Fatal(err)
	}
	token, _, err := au.CreateToken(admin, finapp.DefaultWorkspace, "test", finapp.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Service: w.svc, Auth: au, Idempotency: w.db, Ready: w.db.Ping,
		Pages: web.New(web.Deps{Service: w.svc, Auth: au})}))
	defer srv.Close()
	getAPI := func(path string, out any) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, res.StatusCode, body)
			return
		}
		if err := json.Unmarshal(body, out); err != nil {
			t.Errorf("GET %s: %v", path, err)
		}
	}
	type money struct{ Amount, Currency string }
	type organization struct {
		ID        string
		Unapplied []money
	}
	unapplied := func(o organization) string {
		for _, m := range o.Unapplied {
			if m.Currency == "SGD" {
				return m.Amount
			}
		}
		return "none"
	}
	var one organization
	getAPI("/v1/organizations/"+w.acme.ID, &one)
	if got := unapplied(one); got != sgd {
		t.Errorf("GET /v1/organizations/{id}: unapplied %s, want %s", got, sgd)
	}
	var list struct{ Data []organization }
	getAPI("/v1/organizations", &list)
	for _, o := range list.Data {
		if got := unapplied(o); o.ID == w.acme.ID && got != sgd {
			t.Errorf("GET /v1/organizations: Acme's unapplied %s, want %s", got, sgd)
		}
	}
	var payments struct{ Data []json.RawMessage }
	getAPI("/v1/payments", &payments)
	var receipts struct {
		Groups []struct{ Key, Amount, Currency string }
	}
	getAPI("/v1/reports/receipts?from=2026-01-01&to=2026-01-31&group_by=method", &receipts)
	if len(receipts.Groups) != 1 || receipts.Groups[0].Amount != sgd {
		t.Errorf("GET /v1/reports/receipts: %+v, want one group of %s", receipts.Groups, sgd)
	}

	browser := pageClient(t, srv.URL, "viewer@example.com", "correct horse battery staple")
	for _, page := range []string{"/organizations", "/organizations/" + w.acme.ID, "/payments", "/reports?from=2026-01-01&to=2026-01-31&group_by=day"} {
		status, body := browser(page)
		if status != http.StatusOK {
			t.Errorf("page %s: %d", page, status)
			continue
		}
		if page != "/payments" && !strings.Contains(body, shown) {
			t.Errorf("page %s does not show %s", page, shown)
		}
		// 100,000 payments are more documents than one statement carries: the customer's page
		// says so in the statement's place rather than failing.
		if page == "/organizations/"+w.acme.ID && !strings.Contains(body, `id="statement-refusal"`) {
			t.Errorf("page %s does not say why its statement is not shown", page)
		}
	}

	t.Logf("checked the service, the API and the pages after %s", time.Since(start).Round(time.Millisecond))
	if out, errOut, err := w.run("verify"); err != nil || !strings.Contains(out, "all invariants hold") {
		t.Fatalf("finapp verify: %v\n%s%s", err, out, errOut)
	}

	t.Logf("verified after %s", time.Since(start).Round(time.Millisecond))

	// Aging: 100,000 open invoices of the largest total, written straight to the table (the
	// report reads only it; the journal and the check of the books are not involved).
	if err := w.raw.exec(t, fmt.Sprintf(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < %d)
		INSERT INTO invoices (workspace_id, id, number, organization_id, kind, currency, total, amount_settled, issued_on, due_on, status, created_at, version)
		SELECT '%s', 'inv_max' || i, 'MAX-' || i, '%s', 'standard', 'SGD', 100000000000000, 0, '2026-01-01', '2026-01-31', 'unpaid', '2026-01-01T00:00:00.000000Z', 1 FROM seq`,
		n, finapp.DefaultWorkspace, w.acme.ID)); err != nil {
		t.Fatalf("writing invoices: %v", err)
	}
	var aging struct {
		Rows   []struct{ OrganizationID, Total string } `json:"rows"`
		Totals []struct{ Currency, Total string }       `json:"totals"`
	}
	getAPI("/v1/reports/aging?as_of=2026-06-30", &aging)
	if len(aging.Rows) != 1 || aging.Rows[0].Total != sgd {
		t.Errorf("GET /v1/reports/aging: rows %+v, want Acme's of %s", aging.Rows, sgd)
	}
	status, body := browser("/reports?as_of=2026-06-30")
	if status != http.StatusOK || !strings.Contains(body, shown) {
		t.Errorf("the reports page as of 2026-06-30: %d, showing %s: %v", status, shown, strings.Contains(body, shown))
	}
}

// groupThousands writes a decimal string as the pages do: "SGD 1,234.50".
func groupThousands(s string) string {
	whole, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return "SGD " + b.String() + "." + frac
}

// pageClient logs in to the pages and returns a function that fetches one.
func pageClient(t *testing.T, base, email, password string) func(path string) (int, string) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	get := func(path string) (int, string) {
		t.Helper()
		res, err := c.Get(base + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	_, form := get("/login")
	m := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(form)
	if m == nil {
		t.Fatalf("no CSRF token on the login page")
	}
	res, err := c.PostForm(base+"/login", url.Values{"csrf": {m[1]}, "email": {email}, "password": {password}, "next": {"/payments"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("login: %d", res.StatusCode)
	}
	return get
}
