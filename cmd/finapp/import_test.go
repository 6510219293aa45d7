package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/intake"
	"finapp/internal/testdb"
	"finapp/money"
	"finapp/paymentcsv"
	"finapp/sqlstore"
)

// `finapp import payments` (issue 7), end to end: the command over a real database of the test
// engine — an SQLite file, or PostgreSQL with FINAPP_TEST_ENGINE=postgres.

// importWorld is a fresh database with two customers, and what the tests read it with.
type importWorld struct {
	t          *testing.T
	dsn        string
	raw        *rawDB
	dir        string
	db         *sqlstore.DB
	svc        *finapp.Service
	as         context.Context // the finance role, for the service
	acme, glob *finapp.Organization
}

func newImportWorld(t *testing.T) *importWorld {
	t.Helper()
	open, ok := engines()[testdb.Engine()]
	if !ok {
		t.Fatalf("FINAPP_TEST_ENGINE=%q: want sqlite or postgres", testdb.Engine())
	}
	w := &importWorld{t: t, dir: t.TempDir()}
	w.dsn, w.raw = open(t)
	db, err := createDB(context.Background(), w.dsn, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	w.db, w.svc = db, finapp.NewService(db)
	w.as = finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "cli:import", Role: finapp.RoleFinance})
	if w.acme, err = w.svc.CreateOrganization(w.as, finapp.OrganizationCreate{Name: "Acme Telecom", BillingCurrency: "SGD"}); err != nil {
		t.Fatal(err)
	}
	if w.glob, err = w.svc.CreateOrganization(w.as, finapp.OrganizationCreate{Name: "Globex", BillingCurrency: "JPY"}); err != nil {
		t.Fatal(err)
	}
	return w
}

// file writes a CSV file; {acme} and {globex} stand for the organizations' ids.
func (w *importWorld) file(name, content string) string {
	w.t.Helper()
	content = strings.NewReplacer("{acme}", w.acme.ID, "{globex}", w.glob.ID).Replace(content)
	path := filepath.Join(w.dir, name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		w.t.Fatal(err)
	}
	return path
}

// run runs finapp with args against the world's database.
func (w *importWorld) run(args ...string) (stdout, stderr string, err error) {
	w.t.Helper()
	var out, errOut bytes.Buffer
	args = append(args[:len(args):len(args)], "--db", w.dsn)
	err = run(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return out.String(), errOut.String(), err
}

// payments lists every payment, by reference.
func (w *importWorld) payments() map[string]*finapp.Payment {
	w.t.Helper()
	out := map[string]*finapp.Payment{}
	for cursor := ""; ; {
		list, next, err := w.svc.ListPayments(w.as, finapp.PaymentFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, p := range list {
			if out[p.Reference] != nil {
				w.t.Fatalf("two payments with reference %q: %s and %s", p.Reference, out[p.Reference].ID, p.ID)
			}
			out[p.Reference] = p
		}
		if cursor = next; cursor == "" {
			return out
		}
	}
}

// verifyPasses runs `finapp verify` and fails the test unless every invariant holds.
func (w *importWorld) verifyPasses() {
	w.t.Helper()
	out, errOut, err := w.run("verify")
	if err != nil || !strings.Contains(out, "all invariants hold") {
		w.t.Fatalf("finapp verify: %v\n%s%s", err, out, errOut)
	}
}

const month = `received_on,amount,currency,method,reference,organization_id,invoice_number,remark
2026-01-31,1250.00,SGD,bank_transfer,DBS 0042,{acme},INV-1,first of the month
2026-01-30,5000,JPY,cash,"Tokyo, desk 2",{globex},,
2026-01-29,0.125,KWD,cheque,KW 7,,,
2026-01-28,99.99,SGD,paypal,PP 1,,INV-2,"said ""thanks"""
2026-01-27,0.01,USD,other,tiny,{acme},,
`

func TestImportPayments_RecordsEveryLineAsRecordPaymentWould(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("january.csv", month)
	out, errOut, err := w.run("import", "payments", path, "--chunk", "2")
	if err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	if !regexp.MustCompile(`^imported 5 payments from january\.csv in .*: import imp_[0-9a-z]{26}, sha256 [0-9a-f]{64}\n$`).MatchString(out) {
		t.Fatalf("summary %q", out)
	}
	w.verifyPasses()

	got := w.payments()
	want := []struct {
		ref, amount, cur, method, on, org, hint, remark string
	}{
		{"DBS 0042", "1250.00", "SGD", "bank_transfer", "2026-01-31", w.acme.ID, "INV-1", "first of the month"},
		{"Tokyo, desk 2", "5000", "JPY", "cash", "2026-01-30", w.glob.ID, "", ""},
		{"KW 7", "0.125", "KWD", "cheque", "2026-01-29", "", "", ""},
		{"PP 1", "99.99", "SGD", "paypal", "2026-01-28", "", "INV-2", `said "thanks"`},
		{"tiny", "0.01", "USD", "other", "2026-01-27", w.acme.ID, "", ""},
	}
	if len(got) != len(want) {
		t.Fatalf("%d payments, want %d", len(got), len(want))
	}
	for _, x := range want {
		p := got[x.ref]
		if p == nil {
			t.Fatalf("no payment %q", x.ref)
		}
		changes := 0
		if x.org != "" {
			changes = 1 // assigned on import: the first assignment change, as with POST /v1/payments
		}
		if money.Format(p.Amount, p.Currency) != x.amount || string(p.Currency) != x.cur || p.Method != x.method || p.ReceivedOn != x.on ||
			p.OrganizationID != x.org || p.InvoiceHint != x.hint || p.Remark != x.remark || p.AssignmentChanges != changes ||
			p.Version != 1 || p.CreatedBy != "cli:import" || p.Allocated != 0 || p.ToppedUp != 0 {
			t.Errorf("payment %q is %+v", x.ref, *p)
		}
	}
	acme, err := w.svc.GetOrganization(w.as, w.acme.ID)
	if err != nil {
		t.Fatal(err)
	}
	if acme.Unapplied["SGD"] != money.SumOf(125000) || acme.Unapplied["USD"] != money.SumOf(1) {
		t.Fatalf("Acme's unapplied money %v, want 1250.00 SGD and 0.01 USD", acme.Unapplied)
	}

	// Through the API, as finance staff see it.
	token, _, err := auth.New(w.db.AuthStore()).CreateToken(operator(context.Background(), finapp.DefaultWorkspace), finapp.DefaultWorkspace, "test", finapp.RoleViewer, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api.New(api.Deps{Service: w.svc, Auth: auth.New(w.db.AuthStore()), Idempotency: w.db, Ready: w.db.Ping}))
	defer srv.Close()
	req, _ := http.NewRequest("GET", srv.URL+"/v1/payments/"+got["KW 7"].ID, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body struct{ Amount, Currency, Status string }
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil || res.StatusCode != 200 {
		t.Fatalf("GET the imported payment: %d %v", res.StatusCode, err)
	}
	if body.Amount != "0.125" || body.Currency != "KWD" || body.Status != finapp.PaymentUnassigned {
		t.Fatalf("the API shows %+v", body)
	}
}

// An imported payment gets exactly what RecordPayment gives a payment: the same journal entry,
// audit event and outbox event. Only ids, times and the audit event's source (which names the
// file line) differ.
func TestImportPayments_WritesWhatRecordPaymentWrites(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("one.csv", "received_on,amount,currency,method,reference,organization_id,invoice_number,remark\n"+
		"2026-01-31,1250.00,SGD,bank_transfer,REF-IMPORTED,{acme},INV-1,<b>&</b>\n")
	if _, errOut, err := w.run("import", "payments", path); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	recorded, err := w.svc.RecordPayment(w.as, finapp.PaymentCreate{ReceivedOn: "2026-01-31", Amount: "1250.00", Currency: "SGD",
		Method: "bank_transfer", Reference: "REF-RECORDED", OrganizationID: w.acme.ID, InvoiceNumber: "INV-1", Remark: "<b>&</b>"})
	if err != nil {
		t.Fatal(err)
	}
	imported := w.payments()["REF-IMPORTED"]

	// what is written about payment p, with its id and reference made neutral
	written := func(p *finapp.Payment) (journal, audit, event string) {
		neutral := strings.NewReplacer(p.ID, "PAY", p.Reference, "REF").Replace
		entries, err := w.svc.Journal(w.as)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if e.EntityID == p.ID {
				journal += fmt.Sprintf("%s %v;", e.Operation, e.Lines)
			}
		}
		events, _, err := w.svc.ListAudit(w.as, finapp.AuditFilter{EntityID: p.ID, Limit: 10})
		if err != nil || len(events) != 1 {
			t.Fatalf("audit events of %s: %v %v", p.ID, events, err)
		}
		e := events[0]
		audit = neutral(strings.Join([]string{e.Actor, e.Action, e.Entity, e.EntityID, e.Before, e.After}, "|"))
		outbox := w.raw.query(t, `SELECT type || '|' || payload FROM events WHERE entity_id = ?`, p.ID)
		if len(outbox) != 1 {
			t.Fatalf("outbox events of %s: %v", p.ID, outbox)
		}
		return neutral(journal), audit, neutral(outbox[0])
	}
	j1, a1, e1 := written(imported)
	j2, a2, e2 := written(recorded.Payment)
	if j1 != j2 || a1 != a2 || e1 != e2 {
		t.Fatalf("imported:\n%s\n%s\n%s\nrecorded:\n%s\n%s\n%s", j1, a1, e1, j2, a2, e2)
	}
	events, _, err := w.svc.ListAudit(w.as, finapp.AuditFilter{EntityID: imported.ID, Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^import imp_[0-9a-z]{26} line 2$`).MatchString(events[0].Source) {
		t.Fatalf("the audit event's source %q does not name the file line", events[0].Source)
	}
	w.verifyPasses()
}

func TestImportPayments_ABadLineImportsNothingAndIsNamed(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("bad.csv", `received_on,amount,currency,method,reference,organization_id
2026-01-31,10.00,SGD,cash,good,
2026-01-31,12.345,SGD,cash,three decimals,
2026-01-31,10.00,SGD,wire,unknown method,
2026-01-31,10.00,SGD,cash,no such customer,org_nosuchthing
,10.00,SGD,cash,no date,
2026-01-31,100.00,JPY,cash,yen with cents,
2026-01-31,1.5e3,SGD,cash,exponent,
2026-02-30,10.00,SGD,cash,no such day,
2026-01-31,10.00,SGD,cash,good too,
`)
	_, errOut, err := w.run("import", "payments", path)
	if err == nil || !strings.Contains(err.Error(), "7 of the file's lines are invalid; nothing was imported") {
		t.Fatalf("import of a file with bad lines: %v", err)
	}
	for _, want := range []string{"line 3, amount:", "line 4, method:", "line 5, organization_id:", "line 6, received_on: is required",
		"line 7, amount:", "line 8, amount:", "line 9, received_on:"} {
		if !strings.Contains(errOut, "bad.csv: "+want) {
			t.Errorf("stderr does not say %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(errOut, "line 2") || strings.Contains(errOut, "line 10") {
		t.Errorf("a good line is named:\n%s", errOut)
	}
	if n := len(w.payments()); n != 0 {
		t.Fatalf("%d payments recorded from a refused file", n)
	}
	if n := w.raw.query(t, `SELECT CAST(COUNT(*) AS TEXT) FROM imports`)[0]; n != "0" {
		t.Fatalf("%s imports started for a refused file", n)
	}

	// Only the first --max-errors are listed; all are counted.
	_, errOut, _ = w.run("import", "payments", path, "--max-errors", "2")
	if strings.Count(errOut, "bad.csv: line") != 2 || !strings.Contains(errOut, "and 5 more bad lines") {
		t.Fatalf("with --max-errors 2:\n%s", errOut)
	}
}

func TestImportPayments_RefusesAFileItCannotRead(t *testing.T) {
	w := newImportWorld(t)
	for name, c := range map[string]struct{ file, says string }{
		"unknown column": {"received_on,amount,currency,method,reference,iban\n", `line 1, iban: unknown column "iban"`},
		"missing column": {"received_on,amount,currency,method\n", "line 1, reference: the header has no reference column"},
		"header only":    {"received_on,amount,currency,method,reference\n", "the file has no payment lines"},
		"no such file":   {"", "no such file"},
	} {
		t.Run(name, func(t *testing.T) {
			path := w.file(strings.ReplaceAll(name, " ", "-")+".csv", c.file)
			if name == "no such file" {
				path += ".missing"
			}
			_, errOut, err := w.run("import", "payments", path)
			if err == nil || !strings.Contains(errOut+err.Error(), c.says) {
				t.Fatalf("got %v\n%s\nwant %q", err, errOut, c.says)
			}
		})
	}
	if n := len(w.payments()); n != 0 {
		t.Fatalf("%d payments recorded", n)
	}
}

func TestImportPayments_TheSameFileTwiceImportsItOnce(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("january.csv", month)
	if _, errOut, err := w.run("import", "payments", path); err != nil {
		t.Fatalf("import: %v\n%s", err, errOut)
	}
	// Again, and under another name: a file is known by its content.
	again := w.file("january-copy.csv", month)
	for _, p := range []string{path, again} {
		out, errOut, err := w.run("import", "payments", p)
		if err != nil {
			t.Fatalf("second import: %v\n%s", err, errOut)
		}
		if !strings.Contains(out, "was imported already") || !strings.Contains(out, "its 5 payments") || !strings.Contains(out, "nothing was imported now") {
			t.Fatalf("second import says %q", out)
		}
	}
	if n := len(w.payments()); n != 5 {
		t.Fatalf("%d payments after importing the same file three times, want 5", n)
	}
	w.verifyPasses()
}

// An import that stops half-way (Ctrl-C, a lost database) keeps the chunks it committed; run
// again, it records the rest and nothing twice.
func TestImportPayments_AnInterruptedImportResumes(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("january.csv", month)
	ctx, cancel := context.WithCancel(w.as)
	defer cancel()
	_, err := intake.Payments(ctx, w.svc, intake.Import[finapp.ImportLine]{Name: "january.csv", Chunk: 2,
		Open: func() (intake.Lines[finapp.ImportLine], error) { return paymentcsv.Open(path) },
		Progress: func(p intake.Progress) {
			if p.Phase == intake.Recording {
				cancel() // after the first chunk committed
			}
		}})
	if err == nil {
		t.Fatal("the interrupted import reported success")
	}
	if n := len(w.payments()); n != 2 && n != 4 {
		t.Fatalf("%d payments after an interruption between chunks of 2", n)
	}
	before := len(w.payments())
	out, errOut, err := w.run("import", "payments", path)
	if err != nil {
		t.Fatalf("resuming: %v\n%s", err, errOut)
	}
	if !strings.Contains(out, fmt.Sprintf("imported %d payments", 5-before)) || !strings.Contains(out, fmt.Sprintf("after the %d an interrupted run had written", before)) {
		t.Fatalf("resuming says %q", out)
	}
	if n := len(w.payments()); n != 5 {
		t.Fatalf("%d payments after resuming, want 5", n)
	}
	w.verifyPasses()
}

// Two runs of the same file at once (two people, one file): every line is recorded once; a run
// that finds the other ahead of it stops and says so.
func TestImportPayments_TwoRunsOfOneFileAtOnceRecordItOnce(t *testing.T) {
	w := newImportWorld(t)
	var b strings.Builder
	b.WriteString("received_on,amount,currency,method,reference\n")
	for i := range 40 {
		fmt.Fprintf(&b, "2026-01-31,%d.00,SGD,cash,line %d\n", i+1, i+1)
	}
	path := w.file("busy.csv", b.String())
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = intake.Payments(w.as, w.svc, intake.Import[finapp.ImportLine]{Name: "busy.csv", Chunk: 3,
				Open: func() (intake.Lines[finapp.ImportLine], error) { return paymentcsv.Open(path) }})
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil && finapp.ErrorCode(err) != finapp.EConflict {
			t.Fatalf("a run failed with %v, not a conflict", err)
		}
	}
	if errs[0] != nil && errs[1] != nil {
		// Both gave way to each other; a third run finishes the file.
		if _, errOut, err := w.run("import", "payments", path); err != nil {
			t.Fatalf("finishing: %v\n%s", err, errOut)
		}
	}
	if n := len(w.payments()); n != 40 {
		t.Fatalf("%d payments, want 40", n)
	}
	w.verifyPasses()
}

// A file edited between the check and the recording is not recorded as checked: the import
// stops at the first line that differs and says what is recorded.
func TestImportPayments_AFileThatChangesMidwayStops(t *testing.T) {
	w := newImportWorld(t)
	first := "received_on,amount,currency,method,reference\n2026-01-31,1.00,SGD,cash,a\n2026-01-31,2.00,SGD,cash,b\n2026-01-31,3.00,SGD,cash,c\n"
	second := strings.Replace(first, "3.00", "3.005", 1)
	opened := 0
	_, err := intake.Payments(w.as, w.svc, intake.Import[finapp.ImportLine]{Name: "moving.csv", Chunk: 1,
		Open: func() (intake.Lines[finapp.ImportLine], error) {
			opened++
			if opened == 1 {
				return paymentcsv.NewReader(strings.NewReader(first))
			}
			return paymentcsv.NewReader(strings.NewReader(second))
		}})
	if finapp.ErrorCode(err) != finapp.EConflict || !strings.Contains(err.Error(), "the file changed while it was imported") ||
		!strings.Contains(err.Error(), "line 4, amount") || !strings.Contains(err.Error(), "2 of its 3 payments are written") {
		t.Fatalf("got %v", err)
	}
	if n := len(w.payments()); n != 2 {
		t.Fatalf("%d payments, want the 2 lines before the change", n)
	}
}

func TestImportPayments_AViewerMayNotImport(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("january.csv", month)
	viewer := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "token:auditor", Role: finapp.RoleViewer})
	_, err := intake.Payments(viewer, w.svc, intake.Import[finapp.ImportLine]{Name: "january.csv", Open: func() (intake.Lines[finapp.ImportLine], error) { return paymentcsv.Open(path) }})
	if finapp.ErrorCode(err) != finapp.EForbidden {
		t.Fatalf("a viewer's import: %v", err)
	}
}

// Long commands say how far they have got on stderr; stdout keeps the summary alone.
func TestImportAndVerify_PrintProgressOnStderr(t *testing.T) {
	defer func(d time.Duration) { progressEvery = d }(progressEvery)
	progressEvery = time.Nanosecond
	w := newImportWorld(t)
	path := w.file("january.csv", month)
	out, errOut, err := w.run("import", "payments", path, "--chunk", "2")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Count(out, "\n") != 1 {
		t.Fatalf("stdout is more than the summary: %q", out)
	}
	for _, want := range []string{"january.csv: recording: 2 of 5 payments (40%)", "january.csv: recording: 5 of 5 payments (100%)", "/s, "} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	out, errOut, err = w.run("verify")
	if err != nil || !strings.Contains(out, "all invariants hold") {
		t.Fatalf("verify: %v %s", err, out)
	}
	if !regexp.MustCompile(`verify \[1/1\] workspace Default: [0-9,]+ rows read, [0-9,]+/s, `).MatchString(errOut) {
		t.Fatalf("verify printed no progress line:\n%s", errOut)
	}
}

func TestCount_WritesThousandsSeparators(t *testing.T) {
	for n, want := range map[int]string{0: "0", 999: "999", 1000: "1,000", 1000000: "1,000,000", -12345: "-12,345"} {
		if got := count(n); got != want {
			t.Errorf("count(%d) = %q, want %q", n, got, want)
		}
	}
}
