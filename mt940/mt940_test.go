package mt940

import (
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

func readAll(t *testing.T, content string) ([]finapp.BankEntry, *Reader, error) {
	t.Helper()
	r, err := New(strings.NewReader(content))
	if err != nil {
		return nil, nil, err
	}
	var out []finapp.BankEntry
	for {
		e, err := r.Next()
		if errors.Is(err, io.EOF) {
			return out, r, nil
		}
		if err != nil {
			return out, r, err
		}
		out = append(out, e)
	}
}

func sample(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every line of the project's sample files, as the books get it.
func TestReader_SampleFiles(t *testing.T) {
	type want struct {
		amount                           money.Amount
		credit, reversal                 bool
		booked, value, ref, entryRef     string
		text, e2e, name, iban, rf, extra string
	}
	for _, c := range []struct {
		file       string
		statements int
		entries    []want
	}{
		{"plain.sta", 2, []want{
			{125000, true, false, "2026-12-02", "2026-12-02", "DB-2026120200001", "", "Payment INV-2026-001 Hartmann Feinkost GmbH", "", "", "", "", ""},
			{4850, false, false, "2026-12-02", "2026-12-02", "DB-2026120200002", "", "Account fees November", "", "", "", "", "Kontofuehrung"},
			{30000, true, false, "2026-12-02", "2026-12-02", "DB-2026120200003", "BR-2026-03", "Rechnung INV-2026-042 Bergmann Reisen GmbH ref RF10 INV2 0260 01", "", "", "", "RF10INV2026001", ""},
			{10000, true, true, "2026-12-03", "2026-12-03", "DB-2026120300001", "", "Reversal of direct debit", "", "", "", "", ""},
		}},
		{"swift_blocks.sta", 1, []want{
			{100000, true, false, "2027-01-02", "2026-12-31", "BANK-0001", "KREF123", "INV-2027-001 und INV-2027-002 Danke", "E2E-2026-77", "Lindqvist & Soehne KG", "DE44500105175407324931", "", "SEPA-GUTSCHRIFT"},
			{2000, false, false, "2026-12-31", "2027-01-02", "BANK-0002", "", "Kontofuehrung", "", "", "", "", "Entgelt"},
		}},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, r, err := readAll(t, sample(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Statements()) != c.statements || len(got) != len(c.entries) {
				t.Fatalf("%d statements, %d entries", len(r.Statements()), len(got))
			}
			for i, w := range c.entries {
				e := got[i]
				g := want{e.Amount, e.Credit, e.Reversal, e.BookingDate, e.ValueDate, e.BankReference, e.EntryReference, e.RemittanceText,
					e.EndToEndID, e.CounterpartyName, e.CounterpartyIBAN, e.StructuredReference, e.AdditionalInfo}
				if g != w {
					t.Errorf("entry %d:\n got  %+v\n want %+v", i, g, w)
				}
				if e.Status != finapp.EntryBooked || e.Currency != "EUR" || e.Statement == nil {
					t.Errorf("entry %d: %s %s %v", i, e.Status, e.Currency, e.Statement)
				}
			}
		})
	}
	_, r, _ := readAll(t, sample(t, "swift_blocks.sta"))
	st := r.Statements()[0]
	if st.ID != "MT940-1231" || st.Account != "37040044/0532013000" || st.Opening.Cmp(money.SumOf(-5000)) != 0 ||
		st.Closing.Cmp(money.SumOf(93000)) != 0 || st.OpeningDate != "2026-12-31" || st.ClosingDate != "2027-01-02" || !st.HasBalances {
		t.Fatalf("statement %+v", st)
	}
}

// A file that is not readable MT940 is refused at the line and tag at fault.
func TestReader_Refusals(t *testing.T) {
	head := ":20:S\r\n:25:DE89370400440532013000\r\n:60F:C261201EUR10,00\r\n"
	for _, c := range []struct {
		name, content string
		line          int
		field, says   string
	}{
		{"cut short", head + ":61:2612021202C1,00NTRFNONREF//A\r\n", 4, ":62F:", "cut short"},
		{"a bad amount", head + ":61:2612021202C1.00NTRFNONREF//A\r\n", 4, ":61:", "is not a statement line"},
		{"too many decimals", head + ":61:2612021202C1,005NTRFNONREF//A\r\n", 4, ":61:", "more than 2 decimal places"},
		{"a bad mark", head + ":61:2612021202X1,00NTRFNONREF//A\r\n", 4, ":61:", "is not a statement line"},
		{"a bad date", head + ":61:2613021202C1,00NTRFNONREF//A\r\n", 4, ":61:", "value date"},
		{"a line before the opening balance", ":20:S\r\n:25:X\r\n:61:2612021202C1,00NTRFNONREF//A\r\n", 3, ":61:", "before the opening balance"},
		{"not MT940", "hello\r\n", 1, "", "is not a tag"},
		{"empty", "", 0, "", "holds no MT940 statement"},
		{"an unknown tag", head + ":99:x\r\n", 4, ":99:", "is not a tag of an MT940 statement"},
		{"an overlong line", head + ":86:" + strings.Repeat("x", MaxLine+10) + "\r\n", 4, "", "longer than"},
		{"a bad balance", ":20:S\r\n:60F:C261201EU10,00\r\n", 2, ":60F:", "is not a balance"},
	} {
		_, _, err := readAll(t, c.content)
		var le *finapp.LineError
		if !errors.As(err, &le) || le.Line != c.line || le.Field != c.field || !strings.Contains(le.Message, c.says) {
			t.Errorf("%s: %v, want line %d field %q saying %q", c.name, err, c.line, c.field, c.says)
		}
	}
}

func FuzzReader(f *testing.F) {
	for _, name := range []string{"plain.sta", "swift_blocks.sta"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(":20:S\n:60F:C261201EUR1,\n:61:2612021202RC1,NTRF//\n:86:?20\n:62F:D261202EUR0,\n-"))
	f.Add([]byte("{1:}{4:\n:20:\n-}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		r, _ := New(strings.NewReader(string(data)))
		for i := 0; i < 100_000; i++ {
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
			if e.Amount < 0 || e.Statement == nil {
				t.Fatalf("entry %+v", e)
			}
			if _, err := finapp.ParseDate("booking_date", e.BookingDate); err != nil {
				t.Fatalf("booking date %q", e.BookingDate)
			}
		}
		t.Fatal("more than 100,000 entries from a fuzzed input")
	})
}
