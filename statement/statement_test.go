package statement_test

import (
	"bytes"
	"encoding/csv"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/statement"
)

// books is a customer with an opening balance, an invoice, a payment and an overdue invoice.
func books() *finapp.Statement {
	org := &finapp.Organization{ID: "org_01acme", Name: "Acme Télécom Pte Ltd", BillingCurrency: "SGD"}
	return finapp.BuildStatement(org, "2026-03-01", "2026-03-31", finapp.StatementDocuments{
		Invoices: []*finapp.Invoice{
			{ID: "inv_1", Number: "INV-1001", OrganizationID: org.ID, Currency: "SGD", Total: 123450, IssuedOn: "2026-01-10", DueOn: "2026-01-20", Status: finapp.InvoiceUnpaid},
			{ID: "inv_2", Number: "INV-1002", OrganizationID: org.ID, Currency: "SGD", Total: 50000, IssuedOn: "2026-03-05", DueOn: "2026-04-04", Status: finapp.InvoiceUnpaid},
		},
		Payments: []*finapp.Payment{{ID: "pay_1", OrganizationID: org.ID, Currency: "SGD", Amount: 20000, ReceivedOn: "2026-03-10", Reference: "DBS 0042",
			CreatedAt: time.Date(2026, 3, 10, 0, 0, 0, 0, time.UTC)}},
	})
}

func TestWriteCSV_BlocksOfOpeningLinesClosingAndAging(t *testing.T) {
	var buf bytes.Buffer
	if err := statement.WriteCSV(&buf, books()); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows {
		got = append(got, strings.Join(r, ","))
	}
	want := []string{
		"currency,date,type,number,document_id,due_on,amount,balance",
		"SGD,2026-03-01,opening_balance,,,,,1234.50",
		"SGD,2026-03-05,invoice,INV-1002,inv_2,2026-04-04,500.00,1734.50",
		"SGD,2026-03-10,payment,DBS 0042,pay_1,,-200.00,1534.50",
		"SGD,2026-03-31,closing_balance,,,,,1534.50",
		"SGD,2026-03-31,aging,current,,,500.00,",
		"SGD,2026-03-31,aging,1_30,,,0.00,",
		"SGD,2026-03-31,aging,31_60,,,0.00,",
		"SGD,2026-03-31,aging,61_90,,,1234.50,",
		"SGD,2026-03-31,aging,over_90,,,0.00,",
		"SGD,2026-03-31,open_invoices,,,,1734.50,",
		"SGD,2026-03-31,unapplied,,,,200.00,",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("CSV:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// PDFText reads a PDF back as text with pdftotext (poppler-utils). Without it the test is skipped
// on a developer's machine, but fails under CI=true, where scripts/test installs it: a statement
// nobody read back is not tested.
func PDFText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext (poppler-utils) is missing; scripts/test installs it")
		}
		t.Skip("pdftotext (poppler-utils) is missing; install it to read the PDF back")
	}
	cmd := exec.Command(bin, "-layout", "-enc", "UTF-8", "-", "-")
	cmd.Stdin = bytes.NewReader(pdf)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

func TestWritePDF_ReadsBackWithTheFigures(t *testing.T) {
	var buf bytes.Buffer
	if err := statement.WritePDF(&buf, books(), "Northwind Telecom"); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatalf("not a PDF: %q", buf.Bytes()[:min(20, buf.Len())])
	}
	text := PDFText(t, buf.Bytes())
	for _, want := range []string{
		"Northwind Telecom", "Customer statement", "Acme Télécom Pte Ltd", "org_01acme", "From 2026-03-01 to 2026-03-31",
		"Opening balance", "1234.50", "INV-1002", "2026-04-04", "500.00", "1734.50", "DBS 0042", "200.00", "1534.50",
		"Closing balance", "Totals", "Current", "61-90 days", "Total open", "Over 90 days",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF's text has no %q:\n%s", want, text)
		}
	}
	// The document table's lines, in order, each with its running balance.
	for _, line := range [][]string{{"2026-03-05", "Invoice", "INV-1002", "2026-04-04", "500.00", "1734.50"}, {"2026-03-10", "Payment", "DBS 0042", "200.00", "1534.50"}} {
		if !containsLine(text, line) {
			t.Errorf("no line with %v in:\n%s", line, text)
		}
	}
}

// containsLine reports whether one line of text has the words in order.
func containsLine(text string, words []string) bool {
	for _, l := range strings.Split(text, "\n") {
		rest, ok := l, true
		for _, w := range words {
			i := strings.Index(rest, w)
			if i < 0 {
				ok = false
				break
			}
			rest = rest[i+len(w):]
		}
		if ok {
			return true
		}
	}
	return false
}

// A long reference is cut to its column rather than printed over the amounts beside it.
func TestWritePDF_CutsALongNumberToItsColumn(t *testing.T) {
	st := books()
	st.Accounts[0].Lines[1].Number = strings.Repeat("REFERENCE-", 20)
	var buf bytes.Buffer
	if err := statement.WritePDF(&buf, st, "Northwind Telecom"); err != nil {
		t.Fatal(err)
	}
	text := PDFText(t, buf.Bytes())
	if strings.Contains(text, strings.Repeat("REFERENCE-", 5)) || !containsLine(text, []string{"Payment", "REFERENCE-", "...", "200.00", "1534.50"}) {
		t.Errorf("the long reference is not cut to its column:\n%s", text)
	}
}
