package bankcsv

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

func templates() map[string]finapp.BankCSVTemplate {
	return map[string]finapp.BankCSVTemplate{
		"de_bank.csv": {Name: "Deutsche", Delimiter: ";", HeaderRow: 5, DateFormat: "DD.MM.YYYY", DecimalComma: true,
			Account: "DE89370400440532013000", Currency: "EUR", AmountColumn: "Betrag", BookingDateColumn: "Buchungstag",
			ValueDateColumn: "Valuta", CounterpartyColumn: "Auftraggeber/Empfänger", IBANColumn: "IBAN", TextColumns: []string{"Verwendungszweck"}},
		"us_bank.csv": {Name: "US", DateFormat: "MM/DD/YYYY", Account: "US-0001", Currency: "USD", DebitColumn: "Debit",
			CreditColumn: "Credit", BookingDateColumn: "Date", ReferenceColumn: "Reference", TextColumns: []string{"Description"}},
		"tabs.csv": {Name: "Tabs", Delimiter: "\t", Account: "SG-1", CurrencyColumn: "currency", AmountColumn: "amount",
			BookingDateColumn: "booked", CounterpartyColumn: "Counterparty", BankReferenceColumn: "Transaction ID", TextColumns: []string{"Text"}},
	}
}

func readFile(t *testing.T, name string, tpl finapp.BankCSVTemplate, content string) ([]finapp.BankEntry, error) {
	t.Helper()
	r, err := New(strings.NewReader(content), &tpl)
	if err != nil {
		return nil, err
	}
	var out []finapp.BankEntry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func TestReader_SampleFiles(t *testing.T) {
	type row struct {
		booked, value string
		amount        money.Amount
		cur           money.Currency
		credit        bool
		name, iban    string
		text, e2e, rf string
		ref           string
	}
	for name, want := range map[string][]row{
		"de_bank.csv": {
			{"2026-12-01", "2026-12-01", 125000, "EUR", true, "Hartmann Feinkost GmbH", "DE06430609670042424242", "Rechnung INV-2026-001", "", "", ""},
			{"2026-12-02", "2026-12-02", 8990, "EUR", false, "Stadtwerke", "DE02120300000000202051", "Strom Dezember", "", "", ""},
			{"2026-12-02", "", 10050, "EUR", true, "Müller; Sohn", "", "Teil 1, INV-2026-017", "", "", ""},
		},
		"us_bank.csv": {
			{"2026-12-01", "", 123456, "USD", true, "", "", "ACME Corp, wire", "", "RF18539007547034", ""},
			{"2026-12-02", "", 1500, "USD", false, "", "", "Bank fee", "", "", ""},
			{"2026-12-02", "", 2000, "USD", false, "", "", `Refund to "Bolt"`, "E2E-99", "", ""},
		},
		"tabs.csv": {
			{"2026-12-01", "", 5000, "SGD", true, "Alpha Mobile", "", "TOPUP ORG-1", "", "", "TX-0001"},
			{"2026-12-01", "", 1250, "USD", false, "Beta Voice", "", "chargeback", "", "", "TX-0002"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			b, err := os.ReadFile("testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			got, err := readFile(t, name, templates()[name], string(b))
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(want) {
				t.Fatalf("%d entries, want %d", len(got), len(want))
			}
			for i, w := range want {
				e := got[i]
				g := row{e.BookingDate, e.ValueDate, e.Amount, e.Currency, e.Credit, e.CounterpartyName, e.CounterpartyIBAN, e.RemittanceText,
					e.EndToEndID, e.StructuredReference, e.BankReference}
				if g != w {
					t.Errorf("row %d:\n got  %+v\n want %+v", i, g, w)
				}
			}
		})
	}
}

func TestReader_Refusals(t *testing.T) {
	de, us := templates()["de_bank.csv"], templates()["us_bank.csv"]
	head := "x\r\nx\r\nx\r\nx\r\nBuchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Betrag\r\n"
	for _, c := range []struct {
		name    string
		tpl     finapp.BankCSVTemplate
		content string
		line    int
		field   string
		says    string
	}{
		{"a column missing", de, "x\r\nx\r\nx\r\nx\r\nBuchungstag;Valuta;Betrag\r\n", 5, "counterparty_column", `"Auftraggeber/Empfänger" is not in the header`},
		{"a bad date", de, head + "2026-12-01;;a;;b;1,00\r\n", 6, "booking_date_column", "is not a date in the form DD.MM.YYYY"},
		{"31 February", de, head + "31.02.2026;;a;;b;1,00\r\n", 6, "booking_date_column", `"31.02.2026" is not a date`},
		{"too many decimals", de, head + "01.12.2026;;a;;b;1,005\r\n", 6, "amount_column", "more than 2 decimal places"},
		{"a date without an amount", de, head + "01.12.2026;;a;;b;\r\n", 6, "amount_column", "is not an amount"},
		{"both debit and credit", us, "Date,Description,Reference,Debit,Credit\r\n12/01/2026,x,,1.00,2.00\r\n", 2, "debit_column", "both"},
		{"neither", us, "Date,Description,Reference,Debit,Credit\r\n12/01/2026,x,,,\r\n", 2, "credit_column", "neither"},
		{"an unknown currency", templates()["tabs.csv"], "Booked\tCurrency\tAmount\tCounterparty\tTransaction ID\tText\n2026-12-01\tXXY\t1.00\ta\tb\tc\n", 2, "currency_column", ""},
		{"no header row", de, "x\r\n", 5, "", "ends before its header row"},
		{"not UTF-8", de, head + "01.12.2026;;M\xfcller;;b;1,00\r\n", 6, "", "not UTF-8"},
		{"an unclosed quote", us, "Date,Description,Reference,Debit,Credit\r\n12/01/2026,\"" + strings.Repeat("x", 3*MaxRowBytes), 2, "", "longer than"},
	} {
		_, err := readFile(t, c.name, c.tpl, c.content)
		var le *finapp.LineError
		if !errors.As(err, &le) || le.Line != c.line || le.Field != c.field || !strings.Contains(le.Message, c.says) {
			t.Errorf("%s: %v, want line %d field %q saying %q", c.name, err, c.line, c.field, c.says)
		}
	}
}

func TestPreviewFile(t *testing.T) {
	b, _ := os.ReadFile("testdata/de_bank.csv")
	tpl := templates()["de_bank.csv"]
	p, err := PreviewFile(strings.NewReader(string(b)), &tpl, 2)
	if err != nil || len(p.Entries) != 2 || p.Error != nil || p.Header[5] != "Betrag" {
		t.Fatalf("%+v %v", p, err)
	}
	tpl.DateFormat = "YYYY-MM-DD"
	p, err = PreviewFile(strings.NewReader(string(b)), &tpl, 20)
	if err != nil || len(p.Entries) != 0 || p.Error == nil || p.Error.Field != "booking_date_column" {
		t.Fatalf("a wrong date format: %+v %v", p, err)
	}
}

func FuzzReader(f *testing.F) {
	names := []string{"de_bank.csv", "us_bank.csv", "tabs.csv"}
	for i, n := range names {
		b, err := os.ReadFile("testdata/" + n)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, uint8(i))
	}
	f.Add([]byte("Date,Description,Reference,Debit,Credit\n12/31/2999,\"\",,(1),"), uint8(1))
	f.Fuzz(func(t *testing.T, data []byte, which uint8) {
		tpl := templates()[names[int(which)%len(names)]]
		r, err := New(strings.NewReader(string(data)), &tpl)
		if err != nil {
			var le *finapp.LineError
			if !errors.As(err, &le) {
				t.Fatalf("not a line error: %v", err)
			}
			return
		}
		for {
			e, err := r.Next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				var le *finapp.LineError
				if !errors.As(err, &le) {
					t.Fatalf("not a line error: %v", err)
				}
				return
			}
			if e.Amount < 0 {
				t.Fatalf("amount %d", e.Amount)
			}
			if _, err := finapp.ParseDate("booking_date", e.BookingDate); err != nil {
				t.Fatalf("booking date %q", e.BookingDate)
			}
		}
	})
}
