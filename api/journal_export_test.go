package api_test

import (
	"encoding/csv"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/money"
	"finapp/webhook"
)

// needTool finds an accounting tool; without it the test fails when CI=true (scripts/test
// installs Debian's hledger and beancount) and is skipped otherwise.
func needTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed: CI must cross-check the journal export (scripts/test installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return path
}

// journalBooks makes books with every kind of movement, money received before it was recorded
// (so business and posting dates differ), two customers of one name and one whose name holds
// the characters account names may not.
func journalBooks(t *testing.T) *testServer {
	w := newWebhookWorld(t, webhook.Policy{}, time.Second) // for its clock: today is 2026-12-01
	s := w.testServer
	acme := s.org("Acme: Telecom; Pte  Ltd", "SGD")
	twin1, twin2 := s.org("Twin Co", "SGD"), s.org("Twin Co", "SGD")
	soc := s.org("Société Générale", "EUR")
	inv := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "J-1", "organization_id": acme, "total": "100.00", "issued_on": "2026-10-01", "due_on": "2026-10-31"}).str("id")
	topUp := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "J-2", "organization_id": acme, "kind": "top_up", "total": "30.00", "issued_on": "2026-10-15"}).str("id")
	void := s.invoice(twin1, "J-3", "standard", "5.00")
	s.must(200, "POST", "/v1/invoices/"+void+"/void", nil)
	s.invoice(twin2, "J-4", "standard", "7.00")
	pay := s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": acme, "amount": "200.00", "currency": "SGD", "method": "bank_transfer", "received_on": "2026-11-10"}).str("id")
	alc := activeAllocations(s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "100.00", topUp, "30.00")}))
	s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "20.00"})
	s.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+alc[0], nil)
	s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": soc, "amount": "12.34", "currency": "EUR", "method": "cash", "received_on": "2026-11-20"})
	s.must(201, "POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cheque", "received_on": "2026-11-30"}) // unassigned
	return s
}

func exportTo(t *testing.T, s *testServer, query, file string) (string, string) {
	t.Helper()
	r := s.must(200, "GET", "/v1/journal/export"+query, nil)
	path := filepath.Join(t.TempDir(), file)
	if err := os.WriteFile(path, r.Body, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, string(r.Body)
}

func run(t *testing.T, bin string, args ...string) string {
	t.Helper()
	out, err := exec.Command(bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", bin, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// bsTotals reads `hledger bs|is -O csv`: per section (Assets, Liabilities, Revenues, Expenses)
// and currency, the sum of its accounts' rows, and each account's own cell.
func hledgerReport(t *testing.T, bin, file, report string, args ...string) (sections map[string]map[string]money.Sum, rows map[string]string) {
	t.Helper()
	out := run(t, bin, append([]string{"-f", file, report, "-N", "--flat", "-O", "csv"}, args...)...)
	records, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v\n%s", report, err, out)
	}
	sections, rows = map[string]map[string]money.Sum{}, map[string]string{}
	section := ""
	for _, rec := range records[2:] {
		if len(rec) < 2 {
			continue
		}
		if rec[1] == "" {
			section = rec[0]
			sections[section] = map[string]money.Sum{}
			continue
		}
		rows[rec[0]] = rec[1]
		for _, cell := range strings.Split(rec[1], ", ") {
			amount, cur, _ := strings.Cut(cell, " ")
			v, err := money.ParseSum(amount, money.Currency(cur))
			if err != nil {
				t.Fatalf("%s: %q: %v", report, cell, err)
			}
			sections[section][cur] = sections[section][cur].Plus(v)
		}
	}
	return sections, rows
}

// expectedClasses sums the books' own balances by class and currency, with the sign an
// accounting report shows (what is owed and earned as positive).
func expectedClasses(t *testing.T, s *testServer) map[string]map[string]money.Sum {
	t.Helper()
	balances, err := s.Svc.AccountBalances(operator(t.Context(), "ws_default"))
	if err != nil {
		t.Fatal(err)
	}
	section := map[string]string{finapp.ClassAssets: "Assets", finapp.ClassLiabilities: "Liabilities", finapp.ClassIncome: "Revenues", finapp.ClassExpenses: "Expenses"}
	out := map[string]map[string]money.Sum{}
	for _, b := range balances {
		class, _, _ := finapp.ClassOf(b.Account)
		name := section[class]
		if out[name] == nil {
			out[name] = map[string]money.Sum{}
		}
		v := b.Balance
		if class != finapp.ClassAssets && class != finapp.ClassExpenses {
			v = v.Neg()
		}
		out[name][string(b.Currency)] = out[name][string(b.Currency)].Plus(v)
	}
	return out
}

func sameSums(a, b map[string]map[string]money.Sum) bool {
	for _, m := range []map[string]map[string]money.Sum{a, b} {
		for section, byCur := range m {
			for cur := range byCur {
				if a[section][cur].Cmp(b[section][cur]) != 0 {
					return false
				}
			}
		}
	}
	return true
}

// The hledger export: hledger check --strict accepts it (every account and commodity declared);
// its balance sheet and income statement show the books' own balances, customer by customer by
// name; from opens with the balances before it; to stops at a business date; two exports of the
// same books are the same bytes.
func TestJournalExport_HledgerAgreesWithTheBooks(t *testing.T) {
	bin := needTool(t, "hledger")
	s := journalBooks(t)
	file, body := exportTo(t, s, "", "books.journal")
	run(t, bin, "-f", file, "check", "--strict")
	for _, want := range []string{"account assets:receivable:Acme- Telecom, Pte Ltd  ; type: A, org_id: org_", "account income:revenue  ; type: R",
		"account liabilities:unapplied:Société Générale  ; type: L", "2026-11-10=2026-12-01 (jrn_", "commodity 0.00 EUR"} {
		if !strings.Contains(body, want) {
			t.Errorf("the export has no %q:\n%s", want, body)
		}
	}
	bs, rows := hledgerReport(t, bin, file, "bs")
	is, _ := hledgerReport(t, bin, file, "is")
	maps.Copy(bs, is)
	if want := expectedClasses(t, s); !sameSums(bs, want) {
		t.Fatalf("hledger's reports %v, the books %v", bs, want)
	}
	if got := rows["assets:receivable:Acme- Telecom, Pte Ltd"]; got != "100.00 SGD" {
		t.Errorf("Acme's receivable in hledger: %q, want 100.00 SGD (the API's outstanding)", got)
	}
	if _, again := exportTo(t, s, "", "again.journal"); again != body {
		t.Error("two exports of the same books differ")
	}

	// From a date: the balances before it open the export, so the balance sheet ends the same;
	// what was earned before it is carried as retained earnings, so the income statement shows
	// only the period (the invoices issued from 2026-11-01: 5.00 issued and voided, 7.00).
	fromFile, fromBody := exportTo(t, s, "?from=2026-11-01", "from.journal")
	run(t, bin, "-f", fromFile, "check", "--strict")
	if !strings.Contains(fromBody, "2026-11-01 (opening) opening.balances") || strings.Contains(fromBody, "2026-10-01") {
		t.Fatalf("from 2026-11-01:\n%s", fromBody)
	}
	if !regexp.MustCompile(`equity:retained earnings +-100\.00 SGD`).MatchString(fromBody) || !strings.Contains(fromBody, "account equity:retained earnings  ; type: E") {
		t.Fatalf("from 2026-11-01: no retained earnings of -100.00 SGD:\n%s", fromBody)
	}
	fromBS, _ := hledgerReport(t, bin, fromFile, "bs")
	wholeBS, _ := hledgerReport(t, bin, file, "bs")
	if !sameSums(fromBS, wholeBS) {
		t.Fatalf("balance sheet from 2026-11-01 %v, of the whole journal %v", fromBS, wholeBS)
	}
	fromIS, _ := hledgerReport(t, bin, fromFile, "is")
	if got := fromIS["Revenues"]["SGD"]; got.Cmp(money.SumOf(700)) != 0 {
		t.Fatalf("revenue from 2026-11-01: %v, want 7.00 SGD", got)
	}
	// To a date: only what happened by then (the invoices and the first payment).
	toFile, _ := exportTo(t, s, "?to=2026-11-15", "to.journal")
	_, toRows := hledgerReport(t, bin, toFile, "bs")
	if toRows["assets:cash:bank_transfer"] != "200.00 SGD" || toRows["assets:receivable:Acme- Telecom, Pte Ltd"] != "130.00 SGD" || toRows["assets:cash:cash"] != "" {
		t.Fatalf("to 2026-11-15: %v", toRows)
	}
	r := s.call("GET", "/v1/journal/export?from=2026-13-01", nil)
	if r.Status != 422 || r.str("field") != "from" {
		t.Fatalf("a bad from: %d %s", r.Status, r.Body)
	}
}

// The Beancount export passes bean-check, accounts named by customer with their ids as metadata.
func TestJournalExport_BeancountPassesBeanCheck(t *testing.T) {
	bin := needTool(t, "bean-check")
	s := journalBooks(t)
	r := s.must(200, "GET", "/v1/journal/export?format=beancount", nil)
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/vnd.beancount") {
		t.Errorf("Content-Type %q", ct)
	}
	file, body := exportTo(t, s, "?format=beancount", "books.beancount")
	run(t, bin, file)
	for _, want := range []string{"open Assets:Receivable:Acme-Telecom-Pte-Ltd SGD", "open Liabilities:Unapplied:Societe-Generale EUR",
		`org_id: "org_`, "posted: 2026-12-01", "2026-11-10 * \"payment.recorded pay_"} {
		if !strings.Contains(body, want) {
			t.Errorf("the export has no %q:\n%s", want, body)
		}
	}
	fromFile, _ := exportTo(t, s, "?format=beancount&from=2026-11-01&to=2026-11-30", "part.beancount")
	run(t, bin, fromFile)
}
