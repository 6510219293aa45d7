package mt940

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/money"
)

func readAll(t testing.TB, content string) ([]finapp.BankEntry, *Reader, error) {
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

func sample(t testing.TB, name string) string {
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
		amount                       money.Amount
		credit, reversal             bool
		booked, value, ref, entryRef string
		text, e2e, name, iban, rf    string
		extra, code                  string
	}
	for _, c := range []struct {
		file       string
		statements int
		entries    []want
	}{
		{"plain.sta", 2, []want{
			{125000, true, false, "2026-12-02", "2026-12-02", "DB-2026120200001", "",
				"Payment INV-2026-001 Hartmann Feinkost GmbH", "", "", "", "", "", "NTRF"},
			{4850, false, false, "2026-12-02", "2026-12-02", "DB-2026120200002", "",
				"Account fees November", "", "", "", "", "Kontofuehrung", "NCHG"},
			{30000, true, false, "2026-12-02", "2026-12-02", "DB-2026120200003", "BR-2026-03",
				"Rechnung INV-2026-042 Bergmann Reisen GmbH ref RF10 INV2 0260 01", "", "", "",
				"RF10INV2026001", "", "NTRF"},
			{10000, true, true, "2026-12-03", "2026-12-03", "DB-2026120300001", "",
				"Reversal of direct debit", "", "", "", "", "", "NRTI"},
		}},
		{"swift_blocks.sta", 1, []want{
			{100000, true, false, "2027-01-02", "2026-12-31", "BANK-0001", "KREF123",
				"INV-2027-001 und INV-2027-002 Danke", "E2E-2026-77", "Lindqvist & Soehne KG",
				"DE44500105175407324931", "",
				"SEPA-GUTSCHRIFT", "NTRF"},
			{2000, false, false, "2026-12-31", "2027-01-02", "BANK-0002", "",
				"Kontofuehrung", "", "", "", "", "Entgelt", "NMSC"},
		}},
		{"german.sta", 2, []want{
			// A credit with a funds code (R), booked across the turn of the year, its SVWZ+ text
			// and its RF reference wrapped across sub-fields and lines.
			{150000, true, false, "2027-01-02", "2026-12-31", "0102-4711", "",
				"Rechnung INV-2027-007 RF08 INV2 0270 07 Danke", "INV-2027-007", "Oberfeld Maschinenbau GmbH",
				"DE38760260000012345678", "RF08INV2027007", "SEPA-GUTSCHRIFT", "NTRF"},
			// Supplementary details win over ?00; MREF+ and CRED+ are not remittance text.
			{8990, false, false, "2026-12-31", "2026-12-31", "0102-4712", "KD-44-2026",
				"Abschlag Strom Dezember 2026", "STROM-2026-12", "Stadtwerke Nordhafen", "", "",
				"Lastschrift", "NDDT"},
			// RC: a credit reversed, so money out; EREF+NOTPROVIDED is no end-to-end id.
			{4000, false, true, "2026-12-31", "2026-12-31", "0102-4713", "",
				"Rueckgabe Gutschrift", "", "Kleinschmidt Bau", "DE12500105170648489890", "",
				"RETOURE", "NRTI"},
			// RD: a debit reversed, so money in; booked in the year before its value date.
			{2500, true, true, "2026-12-31", "2027-01-02", "0102-0001", "",
				"Ruecklastschrift Beitrag Januar", "", "", "", "", "RUECKLASTSCHRIFT", "NRTI"},
			// No entry date, no bank reference, free text over two lines with an RF reference.
			{120000, true, false, "2027-01-02", "2027-01-02", "", "RG 2027-009",
				"Zahlung fuer Rechnung 2027-009, Kunde 5521, bitte Referenz RF18 5390 0754 7034 angeben Danke",
				"", "", "", "RF18539007547034", "Zahlung Rechnung", "NTRF"},
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
				g := want{e.Amount, e.Credit, e.Reversal, e.BookingDate, e.ValueDate,
					e.BankReference, e.EntryReference, e.RemittanceText, e.EndToEndID,
					e.CounterpartyName, e.CounterpartyIBAN, e.StructuredReference,
					e.AdditionalInfo, e.TransactionCode}
				if g != w {
					t.Errorf("entry %d:\n got  %+v\n want %+v", i, g, w)
				}
				if e.Status != finapp.EntryBooked || e.Currency != "EUR" || e.Statement == nil ||
					e.Statement.Currency != "EUR" {
					t.Errorf("entry %d: %s %s %v", i, e.Status, e.Currency, e.Statement)
				}
			}
		})
	}
}

// The statements as the file gives them: balances signed, dates in full, the account as written.
func TestReader_Statements(t *testing.T) {
	type want struct {
		id, seq, account         string
		opening, closing         money.Amount
		openingDate, closingDate string
		position                 string
	}
	for _, c := range []struct {
		file string
		want []want
	}{
		{"plain.sta", []want{
			{"STMT-2026-12-02", "00242/001", "DE89370400440532013000", 1000000, 1150150,
				"2026-12-01", "2026-12-02", "line 1"},
			{"STMT-2026-12-03", "00243/001", "DE89370400440532013000", 1150150, 1160150,
				"2026-12-02", "2026-12-03", "line 15"},
		}},
		{"swift_blocks.sta", []want{
			{"MT940-1231", "7/1", "37040044/0532013000", -5000, 93000, "2026-12-31", "2027-01-02", "line 2"},
		}},
		{"german.sta", []want{
			{"STARTUMSE", "00001/001", "12030000/1034567890", 250000, 387010,
				"2026-12-30", "2026-12-31", "line 1"},
			{"STARTUMSE", "00002/001", "12030000/1034567890 EUR", 387010, 509510,
				"2026-12-31", "2027-01-02", "line 19"},
		}},
	} {
		_, r, err := readAll(t, sample(t, c.file))
		if err != nil {
			t.Fatal(err)
		}
		for i, st := range r.Statements() {
			g := want{st.ID, st.Sequence, st.Account, 0, 0, st.OpeningDate, st.ClosingDate, st.Position}
			g.opening, _ = st.Opening.Amount()
			g.closing, _ = st.Closing.Amount()
			if i >= len(c.want) || g != c.want[i] || !st.HasBalances || st.Currency != "EUR" {
				t.Errorf("%s statement %d: %+v", c.file, i, g)
			}
		}
		if len(r.Statements()) != len(c.want) {
			t.Errorf("%s: %d statements", c.file, len(r.Statements()))
		}
	}
}

// The shapes a file comes in: CRLF or LF, a byte-order mark, messages wrapped in SWIFT blocks
// or ended by "-" or neither, trailers, blank lines.
func TestReader_Layouts(t *testing.T) {
	msg := func(id string) string {
		return ":20:" + id + "\n:25:DE89370400440532013000\n:60F:C261201EUR10,00\n" +
			":61:2612021202C1,00NTRFNONREF//" + id + "\n:86:text\n:62F:C261202EUR11,00\n"
	}
	for _, c := range []struct {
		name, content string
		refs          []string
	}{
		{"one message, nothing around it", msg("A"), []string{"A"}},
		{"CRLF", strings.ReplaceAll(msg("A")+"-\n"+msg("B"), "\n", "\r\n"), []string{"A", "B"}},
		{"a byte-order mark", "\ufeff" + msg("A") + "-\n", []string{"A"}},
		{"blank lines between messages", msg("A") + "-\n\n\n" + msg("B") + "-\n\n", []string{"A", "B"}},
		{"blocks, trailer on the last line", "{1:F01X}{2:I940X}{4:\n" + msg("A") + "-}{5:{CHK:123}}\n" +
			"{1:F01X}{2:I940X}{4:\n" + msg("B") + "-}", []string{"A", "B"}},
		{"the text block starting on the blocks' line",
			"{1:F01X}{2:I940X}{4::20:A" + strings.TrimPrefix(msg("A"), ":20:A") + "-}",
			[]string{"A"}},
		{"the next message after the trailer",
			"{4:\n" + msg("A") + "-}{1:F01X}{2:I940X}{4:\n" + msg("B") + "-}", []string{"A", "B"}},
		{"no last line end", strings.TrimSuffix(msg("A"), "\n"), []string{"A"}},
		{"tags read past", ":20:A\n:21:NONREF\n:25:X\n:13D:2612021200+0100\n:60F:C261201EUR1,\n" +
			":61:261202D1,NTRFNONREF//A\n:62F:C261202EUR0,\n:64:C261202EUR0,\n:65:C261203EUR0,\n" +
			":86:about the statement\nwrapped\n", []string{"A"}},
	} {
		got, _, err := readAll(t, c.content)
		var refs []string
		for _, e := range got {
			refs = append(refs, e.BankReference)
		}
		if err != nil || strings.Join(refs, ",") != strings.Join(c.refs, ",") {
			t.Errorf("%s: %v, %v", c.name, refs, err)
		}
	}
}

// The books need an entry's :86: before they take it: Next returns an entry only once the
// line after it (its :86:, or the next :61: or closing balance) has been read.
func TestReader_EntryComesWithItsInformation(t *testing.T) {
	r, _ := New(strings.NewReader(sample(t, "plain.sta")))
	for _, want := range []int{6, 9, 12, 20} { // the lines of the :86: fields (or their last)
		e, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		if r.line < want || e.RemittanceText == "" {
			t.Errorf("%s came back after line %d, want %d", e.Position, r.line, want)
		}
	}
	// An entry without a :86: comes back with the next line or the closing balance.
	r, _ = New(strings.NewReader(":20:A\n:25:X\n:60F:C261201EUR1,\n" +
		":61:261202C1,NTRF\n:61:261202C2,NTRF\n:62F:C261202EUR4,\n"))
	for _, want := range []struct {
		line   int
		amount money.Amount
	}{{5, 100}, {6, 200}} {
		e, err := r.Next()
		at := "line " + strconv.Itoa(want.line-1)
		if err != nil || r.line != want.line || e.Amount != want.amount || e.Position != at {
			t.Errorf("%+v after line %d: %v", e, r.line, err)
		}
	}
}

// A file that is not readable MT940 is refused at the line and tag at fault, and reading ends.
func TestReader_Refusals(t *testing.T) {
	head := ":20:S\r\n:25:DE89370400440532013000\r\n:60F:C261201EUR10,00\r\n"
	for _, c := range []struct {
		name, content string
		line          int
		field, says   string
	}{
		{"cut short after a line", head + ":61:2612021202C1,00NTRFNONREF//A\r\n:86:x\r\n",
			5, ":62F:", "cut short"},
		{"cut short after the opening", head, 3, ":62F:", "cut short"},
		{"ended without a closing balance", head + ":61:2612021202C1,00NTRFNONREF//A\r\n-\r\n",
			5, ":62F:", "without a closing balance"},
		{"the next message before the closing", head + ":20:T\r\n", 4, ":20:", "no closing balance"},
		{"a bad amount", head + ":61:2612021202C1.00NTRFNONREF//A\r\n", 4, ":61:", "decimal point"},
		{"no decimal comma", head + ":61:2612021202C100NTRFNONREF//A\r\n", 4, ":61:", "decimal comma"},
		{"two decimal commas", head + ":61:2612021202C1,0,0NTRFNONREF//A\r\n",
			4, ":61:", "decimal comma"},
		{"too many decimals", head + ":61:2612021202C1,005NTRFNONREF//A\r\n",
			4, ":61:", "more decimal places than EUR has (2)"},
		{"too large", head + ":61:2612021202C99999999999999999,NTRFNONREF//A\r\n",
			4, ":61:", "larger than"},
		{"a bad mark", head + ":61:2612021202X1,00NTRFNONREF//A\r\n", 4, ":61:", "debit/credit mark"},
		{"no transaction type", head + ":61:2612021202C1,00XTRFNONREF//A\r\n",
			4, ":61:", "transaction type"},
		{"a bad value date", head + ":61:2613021202C1,00NTRFNONREF//A\r\n", 4, ":61:", "value date"},
		{"a bad entry date", head + ":61:2612021302C1,00NTRFNONREF//A\r\n", 4, ":61:", "entry date"},
		{"a line before the opening balance", ":20:S\r\n:25:X\r\n:61:2612021202C1,00NTRFNONREF//A\r\n",
			3, ":61:", "before the opening balance"},
		{"a line before the account", ":20:S\r\n:60F:C261201EUR10,00\r\n:61:2612021202C1,00NTRF\r\n",
			2, ":60F:", "before the account"},
		{"a line before any statement", ":61:2612021202C1,00NTRF\r\n",
			1, ":61:", "before the statement's :20:"},
		{"a line after the closing balance", head + ":62F:C261201EUR10,00\r\n:61:2612021202C1,00NTRF\r\n",
			5, ":61:", "after the closing"},
		{"a second closing balance", head + ":62F:C261201EUR10,00\r\n:62M:C261201EUR10,00\r\n",
			5, ":62M:", "second closing"},
		{"a second opening balance", head + ":60M:C261201EUR10,00\r\n", 4, ":60M:", "second opening"},
		{"a closing balance in another currency", head + ":62F:C261202USD10,00\r\n",
			4, ":62F:", "in USD"},
		{"not MT940", "hello\r\n", 1, "", "is not a tag"},
		{"empty", "", 1, ":20:", "holds no MT940 statement"},
		{"an unknown tag", head + ":99:x\r\n", 4, ":99:", "is not a tag of an MT940 statement"},
		{"an overlong line", head + ":86:" + strings.Repeat("x", MaxLine+10) + "\r\n",
			4, "", "longer than"},
		{"an overlong last line", head + ":86:" + strings.Repeat("x", 3*MaxLine), 4, "", "longer than"},
		{"a NUL byte", head + ":86:a\x00b\r\n", 4, "", "NUL"},
		{"a bad balance", ":20:S\r\n:25:X\r\n:60F:C261201EU10,00\r\n", 3, ":60F:", "is not a balance"},
		{"a bad balance date", ":20:S\r\n:25:X\r\n:60F:C261301EUR10,00\r\n", 3, ":60F:", "is not a date"},
		{"a bad balance amount", ":20:S\r\n:25:X\r\n:60F:C261201EUR10\r\n", 3, ":60F:", "decimal comma"},
		{"an unknown currency", ":20:S\r\n:25:X\r\n:60F:C261201XYZ10,00\r\n", 3, ":60F:", "ISO 4217"},
	} {
		r, err := New(strings.NewReader(c.content))
		if err != nil {
			t.Fatal(err)
		}
		for err == nil {
			_, err = r.Next()
		}
		var le *finapp.LineError
		if !errors.As(err, &le) || le.Line != c.line || le.Field != c.field ||
			!strings.Contains(le.Message, c.says) {
			t.Errorf("%s: %v, want line %d field %q saying %q", c.name, err, c.line, c.field, c.says)
		}
		if _, again := r.Next(); again != err {
			t.Errorf("%s: read on after a refusal: %v", c.name, again)
		}
	}
}

// An entry date has no year: it takes the one nearest its value date.
func TestEntryDate(t *testing.T) {
	for _, c := range []struct{ value, entry, want string }{
		{"261202", "1202", "2026-12-02"},
		{"261231", "0102", "2027-01-02"},
		{"270102", "1231", "2026-12-31"},
		{"260615", "0101", "2026-01-01"},
		{"271231", "0229", "2028-02-29"}, // only 2028 has one
		{"990101", "1230", "1998-12-30"},
		{"791231", "0101", "2080-01-01"},
		{"260101", "0230", ""},
		{"260101", "1300", ""},
	} {
		value, ok := date(c.value)
		if !ok {
			t.Fatalf("%s is a date", c.value)
		}
		got, ok := entryDate(c.entry, value)
		if s := got.Format(time.DateOnly); ok != (c.want != "") || (ok && s != c.want) {
			t.Errorf("value %s entry %s: %s %v, want %s", c.value, c.entry, s, ok, c.want)
		}
	}
}

// Amounts have a decimal comma and at most the currency's minor digits, but for zeros.
func TestAmount(t *testing.T) {
	for _, c := range []struct {
		in   string
		cur  money.Currency
		want money.Amount
		ok   bool
	}{
		{"1234,5", "EUR", 123450, true},
		{"1234,", "EUR", 123400, true},
		{"0,01", "EUR", 1, true},
		{"0,", "EUR", 0, true},
		{"12,500", "EUR", 1250, true},
		{"12,501", "EUR", 0, false},
		{"1000,", "JPY", 1000, true},
		{"1000,00", "JPY", 1000, true},
		{"1000,5", "JPY", 0, false},
		{"1,234", "KWD", 1234, true},
		{"1234", "EUR", 0, false},
		{",5", "EUR", 0, false},
		{"1,2,3", "EUR", 0, false},
		{"-1,00", "EUR", 0, false},
		{"1000000000000,01", "EUR", 0, false},
	} {
		got, err := amount(c.in, c.cur)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("%s %s: %d %v", c.in, c.cur, got, err)
		}
	}
}

// An RF reference is picked out of remittance text, grouped or not, and no further than it goes.
func TestRFIn(t *testing.T) {
	for _, c := range []struct{ text, want string }{
		{"Invoice RF18 5390 0754 7034 thanks", "RF18539007547034"},
		{"RF18539007547034", "RF18539007547034"},
		{"ref: rf18 5390 0754 7034.", "RF18539007547034"},
		{"RF18 5390 0754 7034 ABCD", "RF18539007547034"}, // the check digits say where it ends
		{"RF12 3456 78 and more", "RF12345678"},
		{"RF08 INV2 0270 07", "RF08INV2027007"},
		{"no reference", ""},
		{"SURF18 1234", ""},
		{"RF1", ""},
		{"RF18 ", ""},
		{"RF181234567890123456789012", ""}, // longer than 21 characters after the check digits
	} {
		if got := rfIn(c.text); got != c.want {
			t.Errorf("%q: %q, want %q", c.text, got, c.want)
		}
	}
}

// A line that is not UTF-8 is read as ISO 8859-1, as banks that write umlauts that way mean it.
func TestReader_Latin1(t *testing.T) {
	got, _, err := readAll(t, ":20:A\n:25:X\n:60F:C261201EUR1,\n:61:261202C1,NTRF\n"+
		":86:M\xfcller \xc4pfel\n:62F:C261202EUR2,\n")
	if err != nil || len(got) != 1 || got[0].RemittanceText != "Müller Äpfel" {
		t.Fatalf("%+v %v", got, err)
	}
}

// The digest is the file's, whatever the reader read ahead.
func TestReader_Digest(t *testing.T) {
	_, r, err := readAll(t, sample(t, "plain.sta"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(sample(t, "plain.sta")))
	if r.Digest() != hex.EncodeToString(sum[:]) || r.Format() != "mt940" {
		t.Fatalf("%s %s", r.Digest(), r.Format())
	}
}
