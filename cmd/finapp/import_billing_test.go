package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"finapp"
	"finapp/billingfile"
	"finapp/intake"
	"finapp/money"
)

// `finapp import invoices|organizations` (issue 17), end to end over a real database of the
// test engine.

// invoices lists every invoice, by external id.
func (w *importWorld) invoices() map[string]*finapp.Invoice {
	w.t.Helper()
	out := map[string]*finapp.Invoice{}
	for cursor := ""; ; {
		list, next, err := w.svc.ListInvoices(w.as, finapp.InvoiceFilter{Cursor: cursor, Limit: finapp.MaxPageSize})
		if err != nil {
			w.t.Fatal(err)
		}
		for _, inv := range list {
			out[inv.ExternalID] = inv
		}
		if cursor = next; cursor == "" {
			return out
		}
	}
}

const billingRun = `external_id,organization_id,organization_external_id,number,kind,currency,total,issued_on,due_on,metadata.plan
bill-1,{acme},,INV-1001,,,"1,250.00",2026-11-01,2026-11-30,gold
bill-2,,cust-9,INV-1002,top_up,SGD,300.00,2026-11-02,2026-11-16,
bill-3,{globex},,INV-1003,proforma,,5000,2026-11-03,2026-12-03,silver
`

func TestImportInvoices_CreatesEachLineAsABatchWouldAndTheSameFileAgainChangesNothing(t *testing.T) {
	w := newImportWorld(t)
	cust, err := w.svc.CreateOrganization(w.as, finapp.OrganizationCreate{Name: "Initech", BillingCurrency: "SGD", ExternalID: "cust-9"})
	if err != nil {
		t.Fatal(err)
	}
	// An amount as a bank prints it is the API's business to refuse or take, not the file's:
	// the batch refuses "1,250.00", so the file does too, naming the line and column.
	path := w.file("run.csv", billingRun)
	_, errOut, err := w.run("import", "invoices", path)
	if err == nil || !strings.Contains(errOut, "run.csv: line 2, total:") {
		t.Fatalf("a grouped total: %v\n%s", err, errOut)
	}
	if n := len(w.invoices()); n != 0 {
		t.Fatalf("%d invoices written from a refused file", n)
	}

	path = w.file("run.csv", strings.Replace(billingRun, `"1,250.00"`, "1250.00", 1))
	out, errOut, err := w.run("import", "invoices", path)
	if err != nil || !strings.Contains(out, "imported 3 invoices from run.csv") {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	got := w.invoices()
	if len(got) != 3 {
		t.Fatalf("%d invoices, want 3", len(got))
	}
	b1, b2, b3 := got["bill-1"], got["bill-2"], got["bill-3"]
	if b1.Number != "INV-1001" || b1.OrganizationID != w.acme.ID || money.Format(b1.Total, b1.Currency) != "1250.00" || b1.Currency != "SGD" ||
		b1.DueOn != "2026-11-30" || b1.Metadata["plan"] != "gold" {
		t.Errorf("bill-1 is %+v", b1)
	}
	if b2.OrganizationID != cust.ID || b2.Kind != finapp.KindTopUp || len(b2.Metadata) != 0 {
		t.Errorf("bill-2 is %+v", b2)
	}
	if b3.Currency != "JPY" || b3.Kind != finapp.KindProforma || money.Format(b3.Total, b3.Currency) != "5000" {
		t.Errorf("bill-3 is %+v", b3)
	}
	// Each invoice is posted and announced as POST /v1/invoices would.
	events, _, err := w.svc.ListEvents(w.as, finapp.EventFilter{Types: []string{finapp.EventInvoiceCreated}, Limit: 100})
	if err != nil || len(events) != 3 {
		t.Fatalf("%d invoice.created events (%v), want 3", len(events), err)
	}
	w.verifyPasses()

	out, _, err = w.run("import", "invoices", path)
	if err != nil || !strings.Contains(out, "run.csv was imported already") {
		t.Fatalf("the same file again: %v\n%s", err, out)
	}

	// Another file with the same lines, one corrected and one new, as JSON Lines.
	next := w.file("next.jsonl", fmt.Sprintf(`{"external_id":"bill-1","organization_id":%q,"number":"INV-1001","total":"1250.00","issued_on":"2026-11-01","due_on":"2026-12-15","metadata":{"plan":"gold"}}
{"external_id":"bill-2","total":"300.00"}

{"external_id":"bill-4","organization_external_id":"cust-9","number":"INV-1004","total":"42.00","issued_on":"2026-11-04"}
`, w.acme.ID))
	out, errOut, err = w.run("import", "invoices", next)
	if err != nil || !strings.Contains(out, "imported 3 invoices (1 created, 1 updated, 1 unchanged) from next.jsonl") {
		t.Fatalf("import of corrections: %v\n%s%s", err, out, errOut)
	}
	got = w.invoices()
	if got["bill-1"].DueOn != "2026-12-15" || got["bill-1"].Version != 2 || got["bill-2"].Version != 1 || got["bill-4"].OrganizationID != cust.ID {
		t.Fatalf("after corrections: bill-1 %+v, bill-2 %+v, bill-4 %+v", got["bill-1"], got["bill-2"], got["bill-4"])
	}
	w.verifyPasses()
}

func TestImportInvoices_EveryBadLineIsListedAndNothingIsWritten(t *testing.T) {
	w := newImportWorld(t)
	if _, err := w.svc.UpsertInvoices(w.as, []finapp.InvoiceUpsert{{ExternalID: "old-1", OrganizationID: w.acme.ID, Number: "INV-OLD", Total: "10.00"}}); err != nil {
		t.Fatal(err)
	}
	// 1,500 good lines with bad ones among them, far enough apart that duplicates are found
	// across the runs of lines the books check together.
	var b strings.Builder
	b.WriteString("external_id,organization_id,number,total,issued_on\n")
	for i := 1; i <= 1500; i++ {
		ext, number, total, org := fmt.Sprintf("e-%d", i), fmt.Sprintf("N-%d", i), "1.00", "{acme}"
		switch i {
		case 5:
			total = "-3.00"
		case 6:
			org = "org_nosuch"
		case 7:
			number = "INV-OLD" // another invoice's
		case 1200:
			ext = "e-3" // line 4's
		case 1300:
			number = "N-8" // line 9's
		case 1400:
			ext = "e-1400\x00"
		}
		fmt.Fprintf(&b, "%s,%s,%s,%s,2026-11-01\n", ext, org, number, total)
	}
	path := w.file("bad.csv", b.String())
	_, errOut, err := w.run("import", "invoices", path)
	if err == nil || !strings.Contains(err.Error(), "6 of the file's lines are invalid; nothing was imported") {
		t.Fatalf("got %v\n%s", err, errOut)
	}
	for _, want := range []string{
		"bad.csv: line 6, total:",
		"bad.csv: line 7, organization_id: organization org_nosuch not found",
		"bad.csv: line 8, number: invoice number INV-OLD is already taken",
		"bad.csv: line 1201, external_id: is also line 4's",
		"bad.csv: line 1301, number: is also line 9's",
		"bad.csv: line 1401, external_id: contains a NUL character",
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if lines := strings.Count(errOut, "bad.csv: line"); lines != 6 {
		t.Errorf("%d bad lines listed, want each of the 6 once:\n%s", lines, errOut)
	}
	if n := len(w.invoices()); n != 1 {
		t.Fatalf("%d invoices after a refused file, want only the one before", n)
	}
}

func TestImportInvoices_AnInterruptedImportResumesAndWritesEachLineOnce(t *testing.T) {
	w := newImportWorld(t)
	var b strings.Builder
	b.WriteString("external_id,organization_id,number,total\n")
	for i := 1; i <= 7; i++ {
		fmt.Fprintf(&b, "r-%d,{acme},R-%d,%d.00\n", i, i, i)
	}
	path := w.file("run.csv", b.String())
	ctx, cancel := context.WithCancel(w.as)
	defer cancel()
	_, err := intake.Invoices(ctx, w.svc, intake.Import[finapp.InvoiceImportLine]{Name: "run.csv", Chunk: 3, Window: 3,
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) { return billingfile.OpenInvoices(path) },
		Progress: func(p intake.Progress) {
			if p.Phase == intake.Recording {
				cancel() // after the first chunk committed
			}
		}})
	if err == nil {
		t.Fatal("the interrupted import reported success")
	}
	before := len(w.invoices())
	if before != 3 && before != 6 {
		t.Fatalf("%d invoices after an interruption between chunks of 3", before)
	}
	out, errOut, err := w.run("import", "invoices", path)
	if err != nil || !strings.Contains(out, fmt.Sprintf("after the %d an interrupted run had written", before)) {
		t.Fatalf("resuming: %v\n%s%s", err, out, errOut)
	}
	if n := len(w.invoices()); n != 7 {
		t.Fatalf("%d invoices, want 7", n)
	}
	w.verifyPasses()
}

func TestImportOrganizations_UpsertsByExternalID(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("customers.jsonl", `{"external_id":"c-1","name":"Umbrella","billing_currency":"SGD","metadata":{"segment":"smb"}}
{"external_id":"c-2","name":"Hooli","billing_currency":"USD"}
`)
	out, errOut, err := w.run("import", "organizations", path)
	if err != nil || !strings.Contains(out, "imported 2 organizations") {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	fixed := w.file("customers.csv", "external_id,name,billing_currency,metadata.segment\nc-1,Umbrella Corp,,enterprise\nc-2,,,\nc-3,Vandelay,EUR,\n")
	out, errOut, err = w.run("import", "organizations", fixed)
	if err != nil || !strings.Contains(out, "(1 created, 1 updated, 1 unchanged)") {
		t.Fatalf("corrections: %v\n%s%s", err, out, errOut)
	}
	c1, _, err := w.svc.ListOrganizations(w.as, finapp.OrganizationFilter{ExternalID: "c-1", Limit: 10})
	if err != nil || len(c1) != 1 || c1[0].Name != "Umbrella Corp" || c1[0].Metadata["segment"] != "enterprise" || c1[0].BillingCurrency != "SGD" {
		t.Fatalf("c-1 is %+v (%v)", c1, err)
	}
	c3, _, _ := w.svc.ListOrganizations(w.as, finapp.OrganizationFilter{ExternalID: "c-3", Limit: 10})
	if len(c3) != 1 {
		t.Fatalf("c-3: %+v", c3)
	}
	// A new organization needs its billing currency: the line says so, nothing is written.
	bad := w.file("bad.csv", "external_id,name\nc-4,Soylent\n")
	_, errOut, err = w.run("import", "organizations", bad)
	if err == nil || !strings.Contains(errOut, "bad.csv: line 2, billing_currency:") {
		t.Fatalf("got %v\n%s", err, errOut)
	}
}

func TestImportInvoices_AViewerMayNotImport(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("run.csv", "external_id,organization_id,number,total\nx,{acme},X-1,1.00\n")
	viewer := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "v", Role: finapp.RoleViewer})
	_, err := intake.Invoices(viewer, w.svc, intake.Import[finapp.InvoiceImportLine]{Name: "run.csv",
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) { return billingfile.OpenInvoices(path) }})
	if finapp.ErrorCode(err) != finapp.EForbidden {
		t.Fatalf("got %v", err)
	}
}

// A closed period (issue 19) is closed to imports too: a payment received, or an invoice issued,
// on or before the lock date is a bad line like any other, and nothing of the file is written.
func TestImport_ALineInAClosedPeriodIsRefused(t *testing.T) {
	w := newImportWorld(t)
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "admin", Role: finapp.RoleAdmin})
	if _, err := w.svc.ClosePeriod(admin, "2026-01-29"); err != nil {
		t.Fatal(err)
	}
	_, errOut, err := w.run("import", "payments", w.file("january.csv", month))
	if err == nil || !strings.Contains(errOut, "january.csv: line 4, received_on: a payment received on 2026-01-29 is in the closed period") ||
		!strings.Contains(errOut, "line 5, received_on:") || !strings.Contains(errOut, "line 6, received_on:") || strings.Contains(errOut, "line 3,") {
		t.Fatalf("payments: %v\n%s", err, errOut)
	}
	_, errOut, err = w.run("import", "invoices", w.file("run.csv", "external_id,organization_id,number,total,issued_on\nx-1,{acme},X-1,1.00,2026-02-01\nx-2,{acme},X-2,1.00,2026-01-15\n"))
	if err == nil || !strings.Contains(errOut, "run.csv: line 3, issued_on: an invoice issued on 2026-01-15 is in the closed period") || strings.Contains(errOut, "line 2,") {
		t.Fatalf("invoices: %v\n%s", err, errOut)
	}
	if len(w.payments()) != 0 || len(w.invoices()) != 0 {
		t.Fatal("a refused file wrote something")
	}
}

// A window of lines is grouped by customer and written a chunk per transaction: the lines of
// both customers, interleaved in the file, all arrive, each once, and the audit chain and the
// event feed run on across the transactions without a gap or a repeat.
func TestImportInvoices_AWindowOfSeveralChunksIsWrittenWhole(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("run.csv", interleavedRun(7))
	out, errOut, err := w.run("import", "invoices", "--chunk", "2", path)
	if err != nil || !strings.Contains(out, "imported 7 invoices from run.csv") {
		t.Fatalf("import: %v\n%s%s", err, out, errOut)
	}
	got := w.invoices()
	for i := 1; i <= 7; i++ {
		org := w.acme.ID
		if i%2 == 0 {
			org = w.glob.ID
		}
		if inv := got[fmt.Sprintf("r-%d", i)]; inv == nil || inv.OrganizationID != org || inv.Version != 1 {
			t.Fatalf("r-%d is %+v", i, inv)
		}
	}
	events, _, err := w.svc.ListEvents(w.as, finapp.EventFilter{Limit: 100})
	if err != nil || len(events) != 7 {
		t.Fatalf("%d events (%v), want 7", len(events), err)
	}
	runs, last := 0, ""
	for i, e := range events {
		if e.Sequence != int64(i+1) {
			t.Fatalf("event %d of the feed has sequence %d", i+1, e.Sequence)
		}
		var inv struct {
			OrganizationID string `json:"organization_id"`
		}
		if err := json.Unmarshal([]byte(e.Payload), &inv); err != nil || inv.OrganizationID == "" {
			t.Fatalf("event %s: %v %s", e.ID, err, e.Payload)
		}
		if inv.OrganizationID != last {
			runs, last = runs+1, inv.OrganizationID
		}
	}
	if runs != 2 { // the file alternates the two customers
		t.Errorf("the window was written in %d runs of one customer, want 2 (grouped by customer)", runs)
	}
	w.verifyPasses()
}

// A run interrupted between two transactions of one window leaves the import at the window's
// start; the next run writes the window again, and what was written comes out unchanged.
func TestImportInvoices_AWindowInterruptedHalfWayIsWrittenAgainUnchanged(t *testing.T) {
	w := newImportWorld(t)
	path := w.file("run.csv", interleavedRun(7))
	ctx, cancel := context.WithCancel(w.as)
	defer cancel()
	_, err := intake.Invoices(ctx, w.svc, intake.Import[finapp.InvoiceImportLine]{Name: "run.csv", Chunk: 2, Window: 6,
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) { return billingfile.OpenInvoices(path) },
		Progress: func(p intake.Progress) {
			if p.Phase == intake.Recording {
				cancel() // after the window's first transaction committed
			}
		}})
	if err == nil {
		t.Fatal("the interrupted import reported success")
	}
	if n := len(w.invoices()); n != 2 {
		t.Fatalf("%d invoices after an interruption after the first chunk of 2", n)
	}
	w.verifyPasses() // the books hold together in the middle of a window too
	out, errOut, err := w.run("import", "invoices", path)
	if err != nil || !strings.Contains(out, "imported 7 invoices (5 created, 0 updated, 2 unchanged) from run.csv") {
		t.Fatalf("resuming: %v\n%s%s", err, out, errOut)
	}
	if n := len(w.invoices()); n != 7 {
		t.Fatalf("%d invoices, want 7", n)
	}
	w.verifyPasses()
}

// interleavedRun is a billing file of n invoices for two customers in turn.
func interleavedRun(n int) string {
	var b strings.Builder
	b.WriteString("external_id,organization_id,number,total\n")
	for i := 1; i <= n; i++ {
		org := "{acme}"
		if i%2 == 0 {
			org = "{globex}"
		}
		fmt.Fprintf(&b, "r-%d,%s,R-%d,%d\n", i, org, i, i) // whole: globex bills in yen
	}
	return b.String()
}

// importWithAWriterBetween imports interleavedRun(7) a window of 6 and a transaction of 2 at a
// time, and runs between after the window's first transaction: another writer's change made
// after the lines were checked and before the rest of them are written.
func (w *importWorld) importWithAWriterBetween(between func()) (*intake.Result, error) {
	w.t.Helper()
	path := w.file("run.csv", interleavedRun(7))
	ran := false
	return intake.Invoices(w.as, w.svc, intake.Import[finapp.InvoiceImportLine]{Name: "run.csv", Chunk: 2, Window: 6,
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) { return billingfile.OpenInvoices(path) },
		Progress: func(p intake.Progress) {
			if p.Phase == intake.Recording && !ran {
				ran = true
				between()
			}
		}})
}

// Lines Check found new are written without looking their keys up again; if another writer
// made an invoice with one of their external ids meanwhile, the store's unique index refuses
// that transaction and it is planned again in full: the line corrects the other invoice.
func TestImportInvoices_AnExternalIDTakenAfterTheCheckIsCorrected(t *testing.T) {
	w := newImportWorld(t)
	res, err := w.importWithAWriterBetween(func() {
		// r-5 is acme's third line: its window's second transaction writes it.
		if _, err := w.svc.UpsertInvoices(w.as, []finapp.InvoiceUpsert{{ExternalID: "r-5", OrganizationID: w.acme.ID, Number: "X-5", Total: "99"}}); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.Tally.Created != 6 || res.Tally.Updated != 1 {
		t.Fatalf("tally %+v, want 6 created and 1 updated", res.Tally)
	}
	got := w.invoices()
	if inv := got["r-5"]; len(got) != 7 || inv == nil || inv.Number != "R-5" || inv.Total != money.Amount(500) || inv.Version != 2 {
		t.Fatalf("%d invoices; r-5 is %+v, want R-5 for 5.00 at version 2", len(got), inv)
	}
	w.verifyPasses()
}

// If another writer took a line's number meanwhile, the transaction planned in full names the
// line, and nothing of that transaction is written.
func TestImportInvoices_ANumberTakenAfterTheCheckNamesTheLine(t *testing.T) {
	w := newImportWorld(t)
	_, err := w.importWithAWriterBetween(func() {
		if _, err := w.svc.UpsertInvoices(w.as, []finapp.InvoiceUpsert{{ExternalID: "other", OrganizationID: w.acme.ID, Number: "R-5", Total: "99"}}); err != nil {
			t.Fatal(err)
		}
	})
	if finapp.ErrorCode(err) != finapp.EConflict || !strings.Contains(err.Error(), "line 6, number: invoice number R-5 is already taken") {
		t.Fatalf("import: %v", err)
	}
	if n := len(w.invoices()); n != 3 { // the first transaction's 2 and the other writer's
		t.Fatalf("%d invoices, want 3", n)
	}
	w.verifyPasses()
}

// A transaction's lines are planned while the one before is written; if the books close the
// period meanwhile, that plan is not used: the transaction plans again under the new lock date,
// refuses the line, and writes nothing.
func TestImportInvoices_APeriodClosedAfterTheCheckRefusesTheRest(t *testing.T) {
	w := newImportWorld(t)
	admin := finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "admin", Role: finapp.RoleAdmin})
	_, err := w.importWithAWriterBetween(func() {
		if _, err := w.svc.ClosePeriod(admin, w.svc.Today(admin)); err != nil {
			t.Fatal(err)
		}
	})
	if finapp.ErrorCode(err) != finapp.EConflict || !strings.Contains(err.Error(), "issued_on") || !strings.Contains(err.Error(), "closed period") {
		t.Fatalf("import: %v", err)
	}
	if n := len(w.invoices()); n != 2 { // the first transaction's
		t.Fatalf("%d invoices, want 2", n)
	}
	w.verifyPasses()
}

// writeKinds is the world's store, remembering whether each write was ordinary or bulk.
type writeKinds struct {
	finapp.Store
	mu    sync.Mutex
	kinds []string
}

func (s *writeKinds) Update(ctx context.Context, ws string, fn func(finapp.Tx) error) error {
	s.mu.Lock()
	s.kinds = append(s.kinds, "update")
	s.mu.Unlock()
	return s.Store.Update(ctx, ws, fn)
}

func (s *writeKinds) UpdateBulk(ctx context.Context, ws string, fn func(finapp.Tx) error) error {
	s.mu.Lock()
	s.kinds = append(s.kinds, "bulk")
	s.mu.Unlock()
	return s.Store.UpdateBulk(ctx, ws, fn)
}

// An import's chunks are bulk writes, which SQLite does not sync on their own; its last write is
// an ordinary one, which does and so makes every chunk before it durable: an import that says
// it is done is on disk (Store.UpdateBulk).
func TestImportInvoices_TheLastWriteIsAnOrdinaryOne(t *testing.T) {
	w := newImportWorld(t)
	store := &writeKinds{Store: w.db}
	path := w.file("run.csv", interleavedRun(7))
	_, err := intake.Invoices(w.as, finapp.NewService(store), intake.Import[finapp.InvoiceImportLine]{Name: "run.csv", Chunk: 2, Window: 4,
		Open: func() (intake.Lines[finapp.InvoiceImportLine], error) { return billingfile.OpenInvoices(path) }})
	if err != nil {
		t.Fatal(err)
	}
	// import.started, then the 4 transactions of 2 lines (the last of 1): 3 bulk and the last.
	if got, want := strings.Join(store.kinds, " "), "update bulk bulk bulk update"; got != want {
		t.Fatalf("writes %q, want %q", got, want)
	}
	if n := len(w.invoices()); n != 7 {
		t.Fatalf("%d invoices, want 7", n)
	}
	w.verifyPasses()
}
