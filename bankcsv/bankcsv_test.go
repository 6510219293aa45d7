package bankcsv

import (
	"errors"
	"io"
	"os"
	"reflect"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

// The three made-up banks of testdata/, each described by its template.
var sampleFiles = []string{"de_bank.csv", "us_bank.csv", "tabs.csv"}

func template(name string) finapp.BankCSVTemplate {
	switch name {
	case "de_bank.csv":
		return finapp.BankCSVTemplate{Name: "Stadtbank", Delimiter: ";", HeaderRow: 5, DateFormat: "DD.MM.YYYY",
			DecimalComma: true, Account: "DE89370400440532013000", Currency: "EUR", AmountColumn: "Betrag",
			BookingDateColumn: "Buchungstag", ValueDateColumn: "Valuta", CounterpartyColumn: "Auftraggeber/Empfänger",
			IBANColumn: "IBAN", TextColumns: []string{"Verwendungszweck"}}
	case "us_bank.csv":
		return finapp.BankCSVTemplate{Name: "First Bank", DateFormat: "MM/DD/YYYY", Account: "US-0001", Currency: "USD",
			DebitColumn: "debit", CreditColumn: " Credit ", BookingDateColumn: "Date", ReferenceColumn: "Reference",
			TextColumns: []string{"Description"}}
	case "tabs.csv":
		return finapp.BankCSVTemplate{Name: "Tabs", Delimiter: "\t", Account: "SG-1", CurrencyColumn: "currency",
			AmountColumn: "amount", BookingDateColumn: "booked", ValueDateColumn: "Value", CounterpartyColumn: "Counterparty",
			BankReferenceColumn: "Transaction ID", TextColumns: []string{"Text", "Memo"}}
	}
	panic(name)
}

// readAll reads every entry of content by tpl, stopping at the first error.
func readAll(content string, tpl finapp.BankCSVTemplate) (*Reader, []finapp.BankEntry, error) {
	r, err := New(strings.NewReader(content), &tpl)
	if err != nil {
		return nil, nil, err
	}
	var out []finapp.BankEntry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return r, out, nil
		}
		if err != nil {
			return r, out, err
		}
		out = append(out, e)
	}
}

func sample(t testing.TB, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReader_SampleFiles(t *testing.T) {
	booked := func(e finapp.BankEntry) finapp.BankEntry { e.Status = finapp.EntryBooked; return e }
	for _, c := range []struct {
		file      string
		statement finapp.BankStatement
		want      []finapp.BankEntry
	}{
		{"de_bank.csv", finapp.BankStatement{Account: "DE89370400440532013000", Currency: "EUR", Position: "line 5"}, []finapp.BankEntry{
			booked(finapp.BankEntry{Amount: 125000, Currency: "EUR", Credit: true, BookingDate: "2026-12-01", ValueDate: "2026-12-01",
				CounterpartyName: "Hartmann Feinkost GmbH", CounterpartyIBAN: "DE06430609670042424242",
				RemittanceText: "Rechnung INV-2026-001", Position: "line 6"}),
			booked(finapp.BankEntry{Amount: 8990, Currency: "EUR", BookingDate: "2026-12-02", ValueDate: "2026-12-02",
				CounterpartyName: "Stadtwerke", CounterpartyIBAN: "DE02120300000000202051", RemittanceText: "Strom Dezember",
				Position: "line 7"}),
			booked(finapp.BankEntry{Amount: 10050, Currency: "EUR", Credit: true, BookingDate: "2026-12-02",
				CounterpartyName: "Müller; Sohn", RemittanceText: "Teil 1, INV-2026-017", Position: "line 8"}),
		}},
		{"us_bank.csv", finapp.BankStatement{Account: "US-0001", Currency: "USD", Position: "line 1"}, []finapp.BankEntry{
			booked(finapp.BankEntry{Amount: 123456, Currency: "USD", Credit: true, BookingDate: "2026-12-01",
				StructuredReference: "RF18539007547034", RemittanceText: "ACME Corp, wire", Position: "line 2"}),
			booked(finapp.BankEntry{Amount: 1500, Currency: "USD", BookingDate: "2026-12-02", RemittanceText: "Bank fee",
				Position: "line 3"}),
			booked(finapp.BankEntry{Amount: 2000, Currency: "USD", BookingDate: "2026-12-02", EndToEndID: "E2E-99",
				RemittanceText: `Refund to "Bolt"`, Position: "line 4"}),
			booked(finapp.BankEntry{Amount: 1250000, Currency: "USD", BookingDate: "2026-12-03",
				RemittanceText: "Payroll, December", Position: "line 5"}),
			booked(finapp.BankEntry{Amount: 0, Currency: "USD", Credit: true, BookingDate: "2026-12-03",
				RemittanceText: "Interest", Position: "line 6"}),
		}},
		{"tabs.csv", finapp.BankStatement{Account: "SG-1", Currency: "SGD", Position: "line 1"}, []finapp.BankEntry{
			booked(finapp.BankEntry{Amount: 5000, Currency: "SGD", Credit: true, BookingDate: "2026-12-01", ValueDate: "2026-12-02",
				CounterpartyName: "Alpha Mobile", BankReference: "TX-0001", RemittanceText: "TOPUP ORG-1", Position: "line 2"}),
			booked(finapp.BankEntry{Amount: 1250, Currency: "USD", BookingDate: "2026-12-01", CounterpartyName: "Beta Voice",
				BankReference: "TX-0002", RemittanceText: "chargeback card 4242", Position: "line 3"}),
			booked(finapp.BankEntry{Amount: 1500, Currency: "JPY", Credit: true, BookingDate: "2026-12-02",
				CounterpartyName: "Gamma KK", BankReference: "TX-0003", RemittanceText: "invoice INV-7", Position: "line 4"}),
			booked(finapp.BankEntry{Amount: 1250, Currency: "KWD", BookingDate: "2026-12-02", CounterpartyName: "Delta W.L.L.",
				BankReference: "TX-0004", RemittanceText: "fee", Position: "line 6"}),
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			r, got, err := readAll(sample(t, c.file), template(c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("%d entries, want %d: %+v", len(got), len(c.want), got)
			}
			st := r.Statements()
			if len(st) != 1 || *st[0] != c.statement {
				t.Errorf("statement %+v, want %+v", st[0], c.statement)
			}
			for i, w := range c.want {
				if got[i].Statement != st[0] {
					t.Errorf("row %d: not of the file's statement", i)
				}
				got[i].Statement = nil
				if !reflect.DeepEqual(got[i], w) {
					t.Errorf("row %d:\n got  %+v\n want %+v", i, got[i], w)
				}
			}
			if r.Format() != "csv" || len(r.Digest()) != 64 {
				t.Errorf("format %q, digest %q", r.Format(), r.Digest())
			}
		})
	}
}

func TestReader_DigestIsTheFilesSHA256(t *testing.T) {
	r, _, err := readAll(sample(t, "de_bank.csv"), template("de_bank.csv"))
	if err != nil {
		t.Fatal(err)
	}
	// sha256sum testdata/de_bank.csv
	if want := "80ddddb64139bdc8c254537f2f18fa23522b5f27d73a3c89b16815c7b9af7691"; r.Digest() != want {
		t.Errorf("digest %s, want %s", r.Digest(), want)
	}
}

func TestParseAmount(t *testing.T) {
	for _, c := range []struct {
		cell         string
		decimalComma bool
		cur          money.Currency
		want         money.Amount
		out          bool
		says         string // a refusal, when not ""
	}{
		{"1.234,56", true, "EUR", 123456, false, ""},
		{"-1.234,56", true, "EUR", 123456, true, ""},
		{"1.234,56-", true, "EUR", 123456, true, ""},
		{"(1.234,56)", true, "EUR", 123456, true, ""},
		{"+12,5", true, "EUR", 1250, false, ""},
		{"1 234 567,00", true, "EUR", 123456700, false, ""},
		{"1\u00a0234,00", true, "EUR", 123400, false, ""},
		{"1'234.50", false, "CHF", 123450, false, ""},
		{"1,234.56", false, "USD", 123456, false, ""},
		{"\u221212.00", false, "USD", 1200, true, ""},
		{"- 12.00", false, "USD", 1200, true, ""},
		{"12.5000", false, "USD", 1250, false, ""},
		{"1500", false, "JPY", 1500, false, ""},
		{"1500.00", false, "JPY", 1500, false, ""},
		{"0,00", true, "EUR", 0, false, ""},
		{"1,005", true, "EUR", 0, false, "more than 2 decimal places"},
		{"1500.5", false, "JPY", 0, false, "no minor units"},
		{"1.50", true, "EUR", 0, false, "is not an amount"}, // a decimal point read by a decimal-comma template
		{"1,2345.00", false, "USD", 0, false, "is not an amount"},
		{"12,34,567.00", false, "USD", 0, false, "is not an amount"},
		{"1,234,56", true, "EUR", 0, false, "is not an amount"},
		{"12.50 EUR", false, "EUR", 0, false, "is not an amount"},
		{"--12", false, "USD", 0, false, "is not an amount"},
		{"-12-", false, "USD", 0, false, "is not an amount"},
		{"()", false, "USD", 0, false, "is not an amount"},
		{".50", false, "USD", 0, false, "is not an amount"},
		{"12.", false, "USD", 0, false, "is not an amount"},
		{"1e3", false, "USD", 0, false, "is not an amount"},
		{"99999999999999999999", false, "USD", 0, false, "larger than the largest amount"},
	} {
		a, out, err := parseAmount(c.cell, c.decimalComma, c.cur)
		if c.says != "" {
			if err == nil || !strings.Contains(err.Error(), c.says) || !strings.Contains(err.Error(), `"`+c.cell+`"`) {
				t.Errorf("%q: %v, want a refusal quoting it saying %q", c.cell, err, c.says)
			}
			continue
		}
		if err != nil || a != c.want || out != c.out {
			t.Errorf("%q: %d out=%v %v, want %d out=%v", c.cell, a, out, err, c.want, c.out)
		}
	}
}

func TestReader_Refusals(t *testing.T) {
	de, us, tabs := template("de_bank.csv"), template("us_bank.csv"), template("tabs.csv")
	deHead := "Konto\r\n\r\nx;\"y\r\nz\r\nBuchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Betrag\r\n"
	usHead := "Date,Description,Reference,Debit,Credit\r\n"
	tabsHead := "Booked\tValue\tCurrency\tAmount\tCounterparty\tTransaction ID\tText\tMemo\n"
	for _, c := range []struct {
		name    string
		tpl     finapp.BankCSVTemplate
		content string
		line    int
		field   string
		says    string
	}{
		{"a column missing from the header", de, "a\nb\nc\nd\nBuchungstag;Valuta;IBAN;Verwendungszweck;Betrag\n",
			5, "counterparty_column", `column "Auftraggeber/Empfänger" is not in the header`},
		{"a text column missing", us, "Date,Reference,Debit,Credit\n", 1, "text_columns[0]", `column "Description" is not in the header`},
		{"a column in the header twice", us, "Date,Description,Reference,Debit,Credit,debit\n",
			1, "debit_column", "in the header twice (columns 4 and 6)"},
		{"the wrong delimiter", de, "a\nb\nc\nd\nBuchungstag,Valuta,Betrag\n", 5, "booking_date_column", `is the delimiter ";" right?`},
		{"the file ends above its header", de, "a\nb\n", 5, "header_row", "ends before line 5"},
		{"the header row is empty", de, "a\nb\nc\nd\n\nBuchungstag;Betrag\n", 5, "header_row", "line 5 is empty"},
		{"a date not in the format", de, deHead + "2026-12-01;;a;;b;1,00\r\n",
			6, "booking_date_column", `"2026-12-01" is not a date in the form DD.MM.YYYY`},
		{"31 February", de, deHead + "31.02.2026;;a;;b;1,00\r\n", 6, "booking_date_column", `"31.02.2026" is not a date in the form DD.MM.YYYY`},
		{"a year out of range", de, deHead + "01.12.1850;;a;;b;1,00\r\n", 6, "booking_date_column", "between the years 1900 and 2999"},
		{"a bad value date", de, deHead + "01.12.2026;1.12.2026;a;;b;1,00\r\n", 6, "value_date_column", `"1.12.2026" is not a date`},
		{"a date without an amount", de, deHead + "01.12.2026;;a;;b;\r\n", 6, "amount_column", "is empty"},
		{"an amount without a date", de, deHead + ";;Summe;;;1.250,00\r\n", 6, "booking_date_column", `"1.250,00"`},
		{"too many decimals", de, deHead + "01.12.2026;;a;;b;1,005\r\n", 6, "amount_column", `"1,005" has more than 2 decimal places`},
		{"both debit and credit", us, usHead + "12/01/2026,x,,1.00,2.00\r\n", 2, "debit_column", `both the debit "1.00" and the credit "2.00"`},
		{"neither debit nor credit", us, usHead + "12/01/2026,x,,,\r\n", 2, "debit_column", "neither"},
		{"a negative credit", us, usHead + "12/01/2026,x,,,-2.00\r\n", 2, "credit_column", `"-2.00" is negative`},
		{"a bad debit", us, usHead + "12/01/2026,x,,2.0.0,\r\n", 2, "debit_column", `"2.0.0" is not an amount`},
		{"an unknown currency", tabs, tabsHead + "2026-12-01\t\tXXY\t1.00\ta\tb\tc\t\n", 2, "currency_column", `"XXY" is not an ISO 4217`},
		{"no currency where the template has none", tabs, tabsHead + "2026-12-01\t\t\t1.00\ta\tb\tc\t\n", 2, "currency_column", `"" is not an ISO 4217`},
		{"an overlong row", us, usHead + "12/01/2026,x,,1.00,\r\n12/02/2026,\"" + strings.Repeat("x", 2*MaxRowBytes),
			3, "", "longer than"},
		{"an overlong line above the header", de, "a\n" + strings.Repeat("x", 2*MaxRowBytes) + "\n", 2, "", "longer than"},
		{"not UTF-8", de, deHead + "01.12.2026;;M\xfcller;;b;1,00\r\n", 6, "counterparty_column", "column 3 is not UTF-8"},
		{"not UTF-8 in a column not read", us, "Date,Description,Reference,Debit,Credit,Note\n12/01/2026,x,,1.00,,\xff\n",
			2, "", "column 6 is not UTF-8"},
		{"a NUL", us, usHead + "12/01/2026,x\x00,,1.00,\r\n", 2, "text_columns[0]", "NUL"},
		{"a bare quote", us, usHead + "12/01/2026,x,,1.00,\r\n12/01/2026,5\" pipe,,1.00,\r\n", 3, "", "is not valid CSV"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, _, err := readAll(c.content, c.tpl)
			var le *finapp.LineError
			if !errors.As(err, &le) || le.Line != c.line || le.Field != c.field || !strings.Contains(le.Message, c.says) {
				t.Errorf("%v\nwant line %d, field %q, saying %q", err, c.line, c.field, c.says)
			}
		})
	}
}

func TestReader_RefusalEndsTheFile(t *testing.T) {
	tpl := template("us_bank.csv")
	r, err := New(strings.NewReader("Date,Description,Reference,Debit,Credit\n13/01/2026,x,,1.00,\n12/01/2026,y,,1.00,\n"), &tpl)
	if err != nil {
		t.Fatal(err)
	}
	_, first := r.Next()
	_, again := r.Next()
	if first == nil || again != first {
		t.Fatalf("first %v, then %v: a refused file must stay refused", first, again)
	}
}

func TestReader_RefusesABadTemplate(t *testing.T) {
	tpl := template("us_bank.csv")
	tpl.DateFormat = "D/M/YY"
	_, err := New(strings.NewReader(sample(t, "us_bank.csv")), &tpl)
	if finapp.ErrorCode(err) != finapp.EInvalid {
		t.Fatalf("%v, want the template's own refusal", err)
	}
}

func TestReader_CurrencyColumnFallsBackToTheTemplates(t *testing.T) {
	tpl := template("tabs.csv")
	tpl.Currency = "EUR"
	_, got, err := readAll("Booked\tCurrency\tAmount\tCounterparty\tTransaction ID\tText\tMemo\tValue\n"+
		"2026-12-01\t\t1.00\ta\tb\tc\t\t\n2026-12-01\tUSD\t1.00\ta\tb\tc\t\t\n", tpl)
	if err != nil || len(got) != 2 || got[0].Currency != "EUR" || got[1].Currency != "USD" {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestPreviewFile(t *testing.T) {
	de := sample(t, "de_bank.csv")
	for _, c := range []struct {
		name    string
		content string
		edit    func(*finapp.BankCSVTemplate)
		n       int
		entries int
		line    int    // of the refusal, 0 for none
		field   string // of the refusal
	}{
		{"the first rows", de, nil, 2, 2, 0, ""},
		{"all rows, fewer than asked", de, nil, 20, 3, 0, ""},
		{"a misnamed column, shown with the header", de, func(t *finapp.BankCSVTemplate) { t.AmountColumn = "Umsatz" }, 20, 0, 5, "amount_column"},
		{"the wrong date format", de, func(t *finapp.BankCSVTemplate) { t.DateFormat = "YYYY-MM-DD" }, 20, 0, 6, "booking_date_column"},
		{"entries before the refusal", strings.Replace(de, "+100,5", "100,555", 1), nil, 20, 2, 8, "amount_column"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tpl := template("de_bank.csv")
			if c.edit != nil {
				c.edit(&tpl)
			}
			p, err := PreviewFile(strings.NewReader(c.content), &tpl, c.n)
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"Buchungstag", "Valuta", "Auftraggeber/Empfänger", "IBAN", "Verwendungszweck", "Betrag"}
			if !reflect.DeepEqual(p.Header, want) {
				t.Errorf("header %q", p.Header)
			}
			if len(p.Entries) != c.entries {
				t.Errorf("%d entries, want %d", len(p.Entries), c.entries)
			}
			switch {
			case c.line == 0 && p.Error != nil:
				t.Errorf("refused: %v", p.Error)
			case c.line != 0 && (p.Error == nil || p.Error.Line != c.line || p.Error.Field != c.field):
				t.Errorf("refusal %v, want line %d, %s", p.Error, c.line, c.field)
			}
		})
	}
	tpl := template("de_bank.csv")
	tpl.Delimiter = "x"
	if _, err := PreviewFile(strings.NewReader(de), &tpl, 20); finapp.ErrorCode(err) != finapp.EInvalid {
		t.Errorf("a bad template: %v", err)
	}
}
