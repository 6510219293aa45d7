package camt

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"finapp"
	"finapp/camt/camttest"
)

// readAll reads every entry of f, stopping at the first error.
func readAll(f finapp.BankFile) ([]finapp.BankEntry, error) {
	var out []finapp.BankEntry
	for {
		e, err := f.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
}

func readFile(t *testing.T, name string) (*Reader, []finapp.BankEntry) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := New(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	entries, err := readAll(r)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return r, entries
}

// summary is what a test states of an entry, in one line.
func summary(e finapp.BankEntry) string {
	dir := "DBIT"
	if e.Credit {
		dir = "CRDT"
	}
	if e.Reversal {
		dir += "+RVSL"
	}
	return fmt.Sprintf("%s %d %s %s %s %s|ref=%s batch=%s e2e=%s|%s %s|%q rf=%s docs=%s|"+
		"code=%s chrg=%d info=%q", dir, e.Amount, e.Currency, e.Status, e.BookingDate,
		e.ValueDate, e.BankReference, e.Batch,
		e.EndToEndID, e.CounterpartyName, e.CounterpartyIBAN, e.RemittanceText,
		e.StructuredReference, strings.Join(e.DocumentNumbers, ","), e.TransactionCode, e.Charges,
		e.AdditionalInfo)
}

var update = flag.Bool("update", false, "rewrite the testdata/*.golden files from what is read")

// Each sample reads as its golden file says: the format, the statements (id, sequence, account,
// currency, balances, position) and one line per entry (see summary). The golden files were
// checked by hand against the samples; -update rewrites them.
func TestReader_ReadsEveryVersion(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	if len(files) < 5 {
		t.Fatalf("%d sample files", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(name, func(t *testing.T) {
			r, entries := readFile(t, name)
			var b strings.Builder
			fmt.Fprintf(&b, "format %s\n", r.Format())
			for _, s := range r.Statements() {
				bal := "none"
				if s.HasBalances {
					bal = fmt.Sprintf("%s@%s %s@%s", s.Opening, s.OpeningDate, s.Closing,
						s.ClosingDate)
				}
				fmt.Fprintf(&b, "statement %s seq=%s %s %s %s %s\n", s.ID, s.Sequence, s.Account,
					s.Currency, bal, s.Position)
			}
			for _, e := range entries {
				fmt.Fprintf(&b, "%s %s\n", e.Position, summary(e))
				if e.Statement == nil || e.Statement.Account == "" {
					t.Errorf("%s: the entry has no statement", e.Position)
				}
			}
			golden := strings.TrimSuffix(path, ".xml") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatal(err)
			}
			if b.String() != string(want) {
				t.Errorf("read:\n%s\nwant (%s):\n%s", b.String(), golden, want)
			}
			if !regexp.MustCompile(`^[0-9a-f]{64}$`).MatchString(r.Digest()) {
				t.Errorf("Digest() = %q", r.Digest())
			}
		})
	}
}

// The made-up IBANs of the samples pass their checksum, as real ones would.
func TestSamples_IBANsAreValid(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.xml")
	re := regexp.MustCompile(`<IBAN>([A-Z0-9]+)</IBAN>`)
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllSubmatch(b, -1) {
			if !camttest.ValidIBAN(string(m[1])) {
				t.Errorf("%s: %s fails the IBAN checksum", name, m[1])
			}
		}
	}
}

// A batch split from a camt.053 and the same batch's details from a camt.054 are the same
// lines, and so is the camt.054 read again; a batch the camt.053 shows once is the Batch of the
// camt.054's details.
func TestReader_BatchDetailsAreTheSameLinesInEveryFile(t *testing.T) {
	_, stmt := readFile(t, "camt053_v08.xml")
	_, ntfcn := readFile(t, "camt054_v08.xml")
	_, again := readFile(t, "camt054_v08.xml")
	refs := func(entries []finapp.BankEntry, batch string) []string {
		var out []string
		for _, e := range entries {
			if e.Batch == batch {
				out = append(out, e.BankReference)
			}
		}
		return out
	}
	const split, once = "BATCH-2026033100006", "BATCH-2026033100007"
	a, b := strings.Join(refs(stmt, split), " "), strings.Join(refs(ntfcn, split), " ")
	if a != b || a == "" {
		t.Errorf("batch %s: camt.053 gives %q, camt.054 %q", split, a, b)
	}
	for _, b := range []string{split, once} {
		if x, y := strings.Join(refs(ntfcn, b), " "), strings.Join(refs(again, b), " "); x != y {
			t.Errorf("camt.054 read twice: %q, then %q", x, y)
		}
	}
	var shown bool
	for _, e := range stmt {
		shown = shown || (e.BankReference == once && e.Batch == "")
	}
	if n := len(refs(ntfcn, once)); !shown || n != 3 {
		t.Errorf("batch %s: shown once in the camt.053: %v; %d details in the camt.054", once, shown, n)
	}
}

// A camt.054 entry with one detail is split as a batch's too: it names the camt.053 entry it
// details.
func TestReader_Camt054SingleDetailIsSplit(t *testing.T) {
	doc := strings.Replace(entryDoc(nil), "camt.053.001.08", "camt.054.001.08", 1)
	doc = strings.NewReplacer("BkToCstmrStmt", "BkToCstmrDbtCdtNtfctn", "Stmt>", "Ntfctn>").
		Replace(doc)
	doc = strings.Replace(doc, "<Sts>", "<AcctSvcrRef>R-1</AcctSvcrRef><Sts>", 1)
	r, err := New(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := readAll(r)
	if err != nil || len(entries) != 1 {
		t.Fatalf("%d entries, %v", len(entries), err)
	}
	if e := entries[0]; e.Batch != "R-1" || e.BankReference != "R-1/1" || e.Amount != 1000 {
		t.Errorf("got %s", summary(e))
	}
}

// entryDoc is a small camt.053 whose lines are numbered for the refusal tests: line 7 opens the
// entry, lines 8 to 12 are its parts, each replaced by change[line] when given.
func entryDoc(change map[int]string) string {
	lines := []string{
		`<?xml version="1.0" encoding="UTF-8"?>`,
		`<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08">`,
		`<BkToCstmrStmt>`,
		`<Stmt>`,
		`<Id>S1</Id>`,
		`<Acct><Id><IBAN>DE83700519951234567890</IBAN></Id></Acct>`,
		`<Ntry>`,
		`<Amt Ccy="EUR">10.00</Amt>`,
		`<CdtDbtInd>CRDT</CdtDbtInd>`,
		`<Sts><Cd>BOOK</Cd></Sts>`,
		`<BookgDt><Dt>2026-03-31</Dt></BookgDt>`,
		`<NtryDtls><TxDtls><RmtInf><Ustrd>x</Ustrd></RmtInf></TxDtls></NtryDtls>`,
		`</Ntry>`,
		`</Stmt>`,
		`</BkToCstmrStmt>`,
		`</Document>`,
	}
	for n, s := range change {
		lines[n-1] = s
	}
	return strings.Join(lines, "\n") + "\n"
}

func TestReader_Refuses(t *testing.T) {
	sample, err := os.ReadFile("testdata/camt053_v08.xml")
	if err != nil {
		t.Fatal(err)
	}
	cut := func(after string) string {
		i := bytes.Index(sample, []byte(after))
		return string(sample[:i+len(after)])
	}
	long := strings.Repeat("x", MaxText+1)
	tests := []struct {
		name  string
		doc   string
		line  int
		field string
		msg   string
	}{
		{"truncated in a text", cut(`<Amt Ccy="EUR">1250.`), 53, "Stmt/Ntry/Amt", "cut short"},
		{"truncated in a tag", cut(`<BookgD`), 56, "Stmt/Ntry", "cut short"},
		{"truncated between statements", cut(`</Stmt>`), 279, "Document/BkToCstmrStmt", "cut short"},
		{"empty", "", 1, "", "empty"},
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<Document><BkToCstmrStmt><Stmt><Id>&lol3;</Id></Stmt></BkToCstmrStmt></Document>`,
			3, "!DOCTYPE", "DOCTYPE"},
		{"external entity", `<?xml version="1.0"?>
<!DOCTYPE Document SYSTEM "http://example.invalid/x.dtd"><Document/>`, 2, "!DOCTYPE", "DOCTYPE"},
		{"camt.052", strings.Replace(entryDoc(map[int]string{3: `<BkToCstmrAcctRpt>`,
			15: `</BkToCstmrAcctRpt>`}),
			"camt.053", "camt.052", 1), 3, "Document/BkToCstmrAcctRpt", "BkToCstmrAcctRpt"},
		{"not a Document", "<html>\n<body/></html>", 1, "html", "<html>"},
		{"no statement", entryDoc(map[int]string{4: "", 5: "", 6: "", 7: "", 8: "", 9: "", 10: "",
			11: "", 12: "", 13: "", 14: ""}), 17, "", "no Stmt"},
		{"missing Amt", entryDoc(map[int]string{8: ""}), 7, "Stmt/Ntry/Amt", "no amount"},
		{"missing Ccy", entryDoc(map[int]string{8: `<Amt>10.00</Amt>`}), 8, "Stmt/Ntry/Amt@Ccy", "Ccy"},
		{"unknown currency", entryDoc(map[int]string{8: `<Amt Ccy="EURO">10.00</Amt>`}), 8,
			"Stmt/Ntry/Amt@Ccy", "ISO 4217"},
		{"decimal comma", entryDoc(map[int]string{8: `<Amt Ccy="EUR">10,00</Amt>`}), 8, "Stmt/Ntry/Amt",
			`"10,00" is not an amount`},
		{"negative amount", entryDoc(map[int]string{8: `<Amt Ccy="EUR">-10.00</Amt>`}), 8,
			"Stmt/Ntry/Amt", "negative"},
		{"fraction beyond the currency", entryDoc(map[int]string{8: `<Amt Ccy="EUR">10.005</Amt>`}),
			8, "Stmt/Ntry/Amt", "decimal places"},
		{"fraction of yen", entryDoc(map[int]string{8: `<Amt Ccy="JPY">10.5</Amt>`}), 8,
			"Stmt/Ntry/Amt", "decimal places"},
		{"bad detail amount", entryDoc(map[int]string{12: `<NtryDtls><TxDtls><Amt Ccy="EUR">1e3</Amt>` +
			`</TxDtls></NtryDtls>`}), 12, "Stmt/Ntry/NtryDtls/TxDtls/Amt", "not an amount"},
		{"missing CdtDbtInd", entryDoc(map[int]string{9: ""}), 7, "Stmt/Ntry/CdtDbtInd", "CdtDbtInd"},
		{"bad CdtDbtInd", entryDoc(map[int]string{9: "<CdtDbtInd>CR</CdtDbtInd>"}), 9,
			"Stmt/Ntry/CdtDbtInd", "CRDT or DBIT"},
		{"booked without a booking date", entryDoc(map[int]string{11: ""}), 7, "Stmt/Ntry/BookgDt",
			"booking date"},
		{"bad date", entryDoc(map[int]string{11: `<BookgDt><Dt>2026-02-30</Dt></BookgDt>`}), 11,
			"Stmt/Ntry/BookgDt/Dt", `"2026-02-30" is not a date`},
		{"bad date and time", entryDoc(map[int]string{11: `<BookgDt><DtTm>2026-02-03</DtTm></BookgDt>`}),
			11, "Stmt/Ntry/BookgDt/DtTm", "date and time"},
		{"unknown status", entryDoc(map[int]string{10: `<Sts><Cd>BOOKED</Cd></Sts>`}), 10,
			"Stmt/Ntry/Sts/Cd", "BOOK, PDNG or INFO"},
		{"unknown plain status", entryDoc(map[int]string{10: `<Sts>FUTR</Sts>`}), 10, "Stmt/Ntry/Sts",
			"BOOK, PDNG or INFO"},
		{"missing status", entryDoc(map[int]string{10: ""}), 7, "Stmt/Ntry/Sts", "status"},
		{"statement without account", entryDoc(map[int]string{6: ""}), 4, "Stmt/Acct", "account"},
		{"statement without account or entries", entryDoc(map[int]string{6: "", 7: "", 8: "", 9: "",
			10: "", 11: "", 12: "", 13: ""}), 4, "Stmt/Acct", "account"},
		{"remittance text too long", entryDoc(map[int]string{12: `<NtryDtls><TxDtls><RmtInf><Ustrd>` +
			long + `</Ustrd></RmtInf></TxDtls></NtryDtls>`}), 12,
			"Stmt/Ntry/NtryDtls/TxDtls/RmtInf/Ustrd", "longer than 65536"},
		{"text of an unread element too long", entryDoc(map[int]string{12: `<Purp>` +
			strings.Repeat("y", 1<<20) + `</Purp>`}), 12, "Stmt/Ntry/Purp", "longer than 65536"},
		{"comment too long", entryDoc(map[int]string{5: `<!--` + strings.Repeat("y", 1<<20) + `-->`}),
			5, "Stmt", "longer than 65536"},
		{"unknown entity", entryDoc(map[int]string{5: `<Id>&lol;</Id>`}), 5, "Stmt/Id", "well-formed"},
		{"mismatched end tag", entryDoc(map[int]string{8: `<Amt Ccy="EUR">10.00</Amount>`}), 8,
			"Stmt/Ntry/Amt", "</Amount> closes <Amt>"},
		{"content after the document", entryDoc(nil) + "<Document/>", 17, "Document", "goes on"},
		{"bad balance", entryDoc(map[int]string{6: `<Acct><Id><IBAN>DE83700519951234567890</IBAN></Id>` +
			`</Acct><Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">1.00</Amt></Bal>`}),
			6, "Stmt/Bal/CdtDbtInd", "no CdtDbtInd"},
		{"latin-1 is fine, shift-jis is not", strings.Replace(entryDoc(nil), `"UTF-8"`, `"Shift_JIS"`, 1),
			1, "", "Shift_JIS"},
		{"too deep", entryDoc(map[int]string{5: strings.Repeat("<a>", 100)}), 5,
			"Stmt/" + strings.TrimSuffix(strings.Repeat("a/", 62), "/"), "deeper"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var err error
			r, err := New(strings.NewReader(tt.doc))
			if err == nil {
				_, err = readAll(r)
			}
			var le *finapp.LineError
			if !errors.As(err, &le) {
				t.Fatalf("got %v (%T), want a *finapp.LineError", err, err)
			}
			if le.Line != tt.line || le.Field != tt.field || !strings.Contains(le.Message, tt.msg) {
				t.Errorf("got line %d, field %q, %q\nwant line %d, field %q, a message with %q",
					le.Line, le.Field, le.Message, tt.line, tt.field, tt.msg)
			}
			if r != nil {
				if _, again := r.Next(); again != err {
					t.Errorf("Next after the error: %v", again)
				}
			}
		})
	}
}

func TestReader_AcceptsLatin1AndByteOrderMark(t *testing.T) {
	doc := strings.Replace(entryDoc(map[int]string{12: "<NtryDtls><TxDtls><RmtInf><Ustrd>M\xfcller" +
		"</Ustrd></RmtInf></TxDtls></NtryDtls>"}), `"UTF-8"`, `"ISO-8859-1"`, 1)
	for _, in := range []string{doc, "\xef\xbb\xbf" + entryDoc(nil)} {
		r, err := New(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		entries, err := readAll(r)
		if err != nil || len(entries) != 1 {
			t.Fatalf("%d entries, %v", len(entries), err)
		}
		if in == doc && entries[0].RemittanceText != "Müller" {
			t.Errorf("RemittanceText = %q", entries[0].RemittanceText)
		}
	}
}

// The digest after io.EOF is the SHA-256 of the whole file, trailing bytes included.
func TestReader_DigestIsTheFiles(t *testing.T) {
	doc := entryDoc(nil) + "\n\n<!-- end -->\n"
	r, err := New(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := readAll(r); err != nil {
		t.Fatal(err)
	}
	if want := sha256Hex([]byte(doc)); r.Digest() != want {
		t.Errorf("Digest() = %s, want %s", r.Digest(), want)
	}
}
