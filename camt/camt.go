// Package camt reads ISO 20022 bank files: camt.053 end-of-day statements (BkToCstmrStmt/Stmt)
// and camt.054 debit/credit notifications (BkToCstmrDbtCdtNtfctn/Ntfctn), versions .001.02 to
// .001.14, as XML or as a ZIP of XML files. It turns them into finapp.BankStatement and
// finapp.BankEntry and leaves every rule to the books (package finapp): it does not check that
// the balances add up or that the currencies agree, and refuses only what is not a readable camt
// file. It matches elements by their local names, never their namespace, which is what lets one
// reader serve every version: the few paths that moved (Sts or Sts/Cd, Dbtr/Nm or Dbtr/Pty/Nm)
// are read both ways.
//
// It reads as it goes, one entry at a time, so a file of any length takes the same memory; a
// text, tag or comment longer than MaxText (and then some) is refused rather than held, and a
// DOCTYPE is refused outright, which keeps out entity expansion and external entities.
//
// # Batches
//
// An entry (Ntry) with several transaction details (NtryDtls/TxDtls) is a batch: it gives one
// finapp.BankEntry per detail, not one for the entry. Each detail has its own amount (TxDtls/Amt,
// else AmtDtls/TxAmt/Amt) and direction (its CdtDbtInd, else the entry's), Batch is the entry's
// AcctSvcrRef, and BankReference is the detail's Refs/AcctSvcrRef when it has one, else the
// entry's AcctSvcrRef + "/" + the detail's EndToEndId, else + "/" + the detail's 1-based index
// (also when the EndToEndId was given to an earlier detail of the entry). A camt.054 entry that
// carries details is split the same way even when it carries only one, because a camt.054 is
// the details of what a camt.053 shows as one entry: reading either file, or both, or one twice,
// gives every detail the same BankReference and Batch, and the books mark the camt.053's batch
// line split (finapp.BankLineSplit). Details carry the entry's status, dates, reversal
// indicator and NtryRef, its bank transaction code unless they have their own, but not its
// AddtlNtryInf or charges, which are the batch's. A camt.053 entry with no or one detail gives
// one BankEntry, the detail's references, parties and remittance merged into it. When the entry
// has no AcctSvcrRef, its details have no Batch and only their own Refs/AcctSvcrRef.
package camt

import (
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"finapp"
	"finapp/money"

	"golang.org/x/text/encoding/charmap"
)

// The formats Format names.
const (
	Camt053 = "camt.053"
	Camt054 = "camt.054"
)

// MaxText bounds the text of one element. The longest text camt allows is 500 characters
// (AddtlNtryInf); a longer one is a broken or hostile file, which would otherwise be held whole.
const MaxText = 64 << 10

// maxToken bounds one token of the decoder (a text, a tag with its attributes, a comment): a
// text of MaxText with room for the markup around it.
const maxToken = MaxText + 4<<10

// maxDepth bounds how deep elements nest. camt's deepest paths are about fifteen elements deep;
// the bound keeps a file of a million nested elements from growing the reader's stack.
const maxDepth = 64

// Reader reads one camt.053 or camt.054 XML file. It implements finapp.BankFile.
type Reader struct {
	in     *input
	dec    *xml.Decoder
	format string
	where  string // what positions start with: "" for a file, "NAME " for a ZIP member

	// The open elements: their local names, numbers and starting lines.
	names []string
	ids   []uint8
	lines []int

	text   []byte // the text of the innermost element, when it is one that is read
	keep   bool   // whether the innermost element's text is kept
	attCcy string // the Ccy attribute of the innermost amount

	rootDone bool // </Document> has been read
	stDepth  int  // depth of the open Stmt or Ntfctn, -1 when none
	balDepth int  // depth of the open Bal
	ntDepth  int  // depth of the open Ntry
	txDepth  int  // depth of the open TxDtls

	stmts []*finapp.BankStatement
	st    *finapp.BankStatement
	stOK  stmtSeen
	bal   balance
	e     entry
	d     detail // the detail being read
	held  detail // a camt.053 entry's first detail, until it is known whether another follows

	out    []finapp.BankEntry
	outPos int
	err    error

	lastCcy    money.Currency // the last currency code checked, and its digits
	lastDigits int
}

// stmtSeen is what of a statement has been read, for its checks.
type stmtSeen struct {
	acct        bool
	opening     bool
	closing     bool
	electronic  bool // ElctrncSeqNb, preferred to LglSeqNb
	balCurrency money.Currency
}

// balance is the Bal being read.
type balance struct {
	line     int
	kind     string
	amount   money.Amount
	ccy      money.Currency
	hasAmt   bool
	credit   bool
	hasInd   bool
	date     string
	hasDate  bool
	pathAmt  string
	lineDate int
}

// entry is the Ntry being read.
type entry struct {
	line       int
	amount     money.Amount
	ccy        money.Currency
	hasAmt     bool
	credit     bool
	hasInd     bool
	reversal   bool
	status     string
	booking    string
	value      string
	ref        string
	ntryRef    string
	code       txCode
	addtl      string
	charges    money.Amount
	hasTotal   bool // TtlChrgsAndTaxAmt given: it, not the sum of the records, is the charge
	checked    bool
	details    int
	e2eSeen    map[uint64]struct{} // EndToEndIds of the entry's details, for unique references
	stsHasText bool
}

// txCode is a bank transaction code as it is read.
type txCode struct{ domn, fmly, sub, prtry string }

func (c txCode) String() string {
	if c.domn != "" {
		s := c.domn
		if c.fmly != "" {
			s += "/" + c.fmly
			if c.sub != "" {
				s += "/" + c.sub
			}
		}
		return s
	}
	return c.prtry
}

// detail is a TxDtls being read.
type detail struct {
	line                    int
	amount, txAmount        money.Amount
	ccy, txCcy              money.Currency
	hasAmt, hasTxAmt        bool
	credit, hasInd          bool
	e2e, txID, ref          string
	dbtr, ultDbtr, dbtrIBAN string
	cdtr, ultCdtr, cdtrIBAN string
	ustrd                   string
	structured              string
	docs                    []string
	addtl                   string
	code                    txCode
	charges                 money.Amount
	hasTotal                bool
}

// New reads r up to its first statement. A file that is not a camt.053 or camt.054 document is
// refused with a *finapp.LineError naming the element found.
func New(r io.Reader) (*Reader, error) {
	return newReader(r, "")
}

func newReader(r io.Reader, where string) (*Reader, error) {
	in := newInput(r)
	dec := xml.NewDecoder(in)
	dec.Strict = true
	dec.CharsetReader = charsetReader
	rd := &Reader{in: in, dec: dec, where: where, stDepth: -1, balDepth: -1, ntDepth: -1,
		txDepth: -1}
	for len(rd.stmts) == 0 {
		if err := rd.step(); err != nil {
			if errors.Is(err, io.EOF) {
				err = rd.fail(rd.line(), "", "the file holds no "+rd.stmtName()+" statement")
			}
			return nil, err
		}
	}
	return rd, nil
}

// charsetReader reads the single-byte encodings some banks still declare; any other encoding is
// refused by the decoder, naming it.
func charsetReader(label string, in io.Reader) (io.Reader, error) {
	switch strings.ToLower(label) {
	case "iso-8859-1", "latin1", "latin-1", "iso_8859-1":
		return charmap.ISO8859_1.NewDecoder().Reader(in), nil
	case "iso-8859-15", "latin-9", "latin9":
		return charmap.ISO8859_15.NewDecoder().Reader(in), nil
	case "windows-1252", "cp1252":
		return charmap.Windows1252.NewDecoder().Reader(in), nil
	case "us-ascii", "ascii":
		return in, nil
	}
	return nil, fmt.Errorf("the encoding %q is not one a camt file is written in (UTF-8)", label)
}

// Format implements finapp.BankFile: Camt053 or Camt054, by the document's root element.
func (r *Reader) Format() string { return r.format }

// Statements implements finapp.BankFile.
func (r *Reader) Statements() []*finapp.BankStatement { return r.stmts }

// Digest implements finapp.BankFile: the SHA-256 of the bytes read so far, the whole file's
// after io.EOF.
func (r *Reader) Digest() string { return hex.EncodeToString(r.in.sum.Sum(nil)) }

// Next implements finapp.BankFile.
func (r *Reader) Next() (finapp.BankEntry, error) {
	for r.outPos == len(r.out) {
		r.out, r.outPos = r.out[:0], 0
		if r.err != nil {
			return finapp.BankEntry{}, r.err
		}
		if err := r.step(); err != nil {
			r.err = err
			return finapp.BankEntry{}, err
		}
	}
	e := r.out[r.outPos]
	r.out[r.outPos] = finapp.BankEntry{}
	r.outPos++
	return e, nil
}

// line is the line the decoder has read to.
func (r *Reader) line() int {
	l, _ := r.dec.InputPos()
	return l
}

func (r *Reader) stmtName() string {
	if r.format == Camt054 {
		return "Ntfctn"
	}
	return "Stmt"
}

// fail records the error that ends the file.
func (r *Reader) fail(line int, field, msg string) error {
	if r.where != "" {
		msg += " (in " + strings.TrimSpace(r.where) + ")"
	}
	r.err = &finapp.LineError{Line: line, Field: field, Message: msg}
	return r.err
}

// path names the innermost open element the way messages do: from the statement down
// ("Stmt/Ntry/Amt"), or from the root outside a statement.
func (r *Reader) path(extra ...string) string {
	from := 0
	if r.stDepth >= 0 {
		from = r.stDepth
	}
	parts := append(append([]string(nil), r.names[from:]...), extra...)
	return strings.Join(parts, "/")
}

// under is the path from the element at depth d to the one below it, as name numbers.
func (r *Reader) under(d int) uint64 { return pathKey(r.ids[d+1:]) }

// step reads one token and does what it says; entries it completes go to r.out.
func (r *Reader) step() error {
	r.in.budget = maxToken
	tok, err := r.dec.RawToken()
	if err != nil {
		return r.readError(err)
	}
	switch t := tok.(type) {
	case xml.StartElement:
		return r.start(t)
	case xml.EndElement:
		return r.end(t)
	case xml.CharData:
		if r.keep {
			if len(r.text)+len(t) > MaxText {
				return r.fail(r.line(), r.path(), fmt.Sprintf(
					"has a text longer than %d bytes, which no camt element needs", MaxText))
			}
			r.text = append(r.text, t...)
		}
	case xml.Directive:
		word, _, _ := strings.Cut(string(t), " ")
		if len(word) > 20 {
			word = word[:20]
		}
		return r.fail(r.line(), "!"+word, "the file declares a DOCTYPE or another directive, "+
			"which a bank file never needs; it is refused to keep out entity expansion and "+
			"external entities")
	}
	return nil
}

// readError turns what the decoder fails with into the LineError that ends the file.
func (r *Reader) readError(err error) error {
	if r.err != nil {
		return r.err
	}
	var se *xml.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		if len(r.names) > 0 {
			return r.fail(r.line(), r.path(), "the file ends before </"+r.names[len(r.names)-1]+
				">: it is cut short")
		}
		if len(r.stmts) == 0 && !r.rootDone {
			return r.fail(r.line(), "", "the file is empty or holds no XML document")
		}
		return io.EOF
	case errors.Is(err, errTokenTooLong):
		return r.fail(r.line(), r.path(), fmt.Sprintf(
			"holds a text, tag or comment longer than %d bytes, which no camt file needs", MaxText))
	case errors.As(err, &se):
		msg := strings.TrimPrefix(se.Msg, "xml: ")
		if msg == "unexpected EOF" {
			msg = "the file ends in the middle of a tag or text: it is cut short"
		} else {
			msg = "is not well-formed XML: " + msg
		}
		return r.fail(se.Line, r.path(), msg)
	}
	msg := strings.TrimPrefix(err.Error(), "xml: ")
	if strings.Contains(msg, "encoding") {
		return r.fail(r.line(), "", msg)
	}
	return r.fail(r.line(), r.path(), "the file could not be read: "+msg)
}

// start handles a start tag.
func (r *Reader) start(t xml.StartElement) error {
	depth := len(r.names)
	line := r.line()
	if depth >= maxDepth {
		return r.fail(line, r.path(t.Name.Local), fmt.Sprintf(
			"elements nest deeper than %d, which no camt file does", maxDepth))
	}
	id := nameOf(t.Name.Local)
	switch depth {
	case 0:
		if r.rootDone {
			return r.fail(line, t.Name.Local, "the file goes on after its </Document>")
		}
		if id != nDocument {
			return r.fail(line, t.Name.Local, fmt.Sprintf(
				"the file's root element is <%s>, not the <Document> of a camt.053 or camt.054",
				t.Name.Local))
		}
	case 1:
		switch id {
		case nBkToCstmrStmt:
			r.format = Camt053
		case nBkToCstmrDbtCdtNtfctn:
			r.format = Camt054
		default:
			return r.fail(line, "Document/"+t.Name.Local, fmt.Sprintf("<%s> is not a camt.053 "+
				"statement (BkToCstmrStmt) or camt.054 notification (BkToCstmrDbtCdtNtfctn)",
				t.Name.Local))
		}
	case 2:
		if (id == nStmt && r.format == Camt053) || (id == nNtfctn && r.format == Camt054) {
			r.stDepth = depth
			r.st = &finapp.BankStatement{Position: r.where + "line " + strconv.Itoa(line)}
			r.stOK = stmtSeen{}
			r.stmts = append(r.stmts, r.st)
		}
	}
	r.names = append(r.names, t.Name.Local)
	r.ids = append(r.ids, id)
	r.lines = append(r.lines, line)
	r.text = r.text[:0]
	r.keep = false
	if r.stDepth < 0 || id == nOther {
		return nil
	}
	r.keep = true
	switch id {
	case nAmt, nTtlChrgsAndTaxAmt:
		r.attCcy = ""
		for _, a := range t.Attr {
			if a.Name.Local == "Ccy" {
				r.attCcy = a.Value
			}
		}
	case nBal:
		if depth == r.stDepth+1 {
			r.balDepth = depth
			r.bal = balance{line: line}
		}
	case nNtry:
		if depth == r.stDepth+1 {
			if !r.stOK.acct {
				return r.fail(r.lines[r.stDepth], r.names[r.stDepth]+"/Acct",
					"the statement names no account (Acct) before its first entry")
			}
			r.ntDepth = depth
			seen := r.e.e2eSeen
			clear(seen)
			r.e = entry{line: line, e2eSeen: seen}
		}
	case nTxDtls:
		if r.ntDepth >= 0 && r.txDepth < 0 && r.under(r.ntDepth) == pTxDtls {
			r.txDepth = depth
			r.d = detail{line: line}
		}
	}
	return nil
}

// end handles an end tag: the text of the element it closes, or the element as a whole.
func (r *Reader) end(t xml.EndElement) error {
	depth := len(r.names) - 1
	if depth < 0 {
		return r.fail(r.line(), t.Name.Local, "</"+t.Name.Local+"> closes no element")
	}
	if r.names[depth] != t.Name.Local {
		return r.fail(r.line(), r.path(), fmt.Sprintf("</%s> closes <%s>", t.Name.Local,
			r.names[depth]))
	}
	var err error
	switch {
	case depth == r.txDepth:
		err = r.endDetail()
		r.txDepth = -1
	case depth == r.ntDepth:
		err = r.endEntry()
		r.ntDepth = -1
	case depth == r.balDepth:
		err = r.endBalance()
		r.balDepth = -1
	case depth == r.stDepth:
		err = r.endStatement()
		r.stDepth = -1
	case r.keep:
		err = r.value()
	case depth == 0:
		r.rootDone = true
	}
	r.names = r.names[:depth]
	r.ids = r.ids[:depth]
	r.lines = r.lines[:depth]
	r.keep = false
	r.text = r.text[:0]
	return err
}

// value takes the text of the element just closed, when the reader has a place for it.
func (r *Reader) value() error {
	switch {
	case r.txDepth >= 0:
		return r.detailValue(r.under(r.txDepth))
	case r.ntDepth >= 0:
		return r.entryValue(r.under(r.ntDepth))
	case r.balDepth >= 0:
		return r.balanceValue(r.under(r.balDepth))
	case r.stDepth >= 0:
		return r.statementValue(r.under(r.stDepth))
	}
	return nil
}

// textValue is the text of the element just closed, without surrounding white space.
func (r *Reader) textValue() string {
	b := r.text
	for len(b) > 0 && isSpace(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isSpace(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return string(b)
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// here is the line of the element just closed.
func (r *Reader) here() int { return r.lines[len(r.lines)-1] }

// currency checks the Ccy attribute of the amount just closed.
func (r *Reader) currency() (money.Currency, int, error) {
	if r.attCcy == "" {
		return "", 0, r.fail(r.here(), r.path()+"@Ccy", "the amount has no Ccy attribute naming "+
			"its currency")
	}
	if string(r.lastCcy) == r.attCcy {
		return r.lastCcy, r.lastDigits, nil
	}
	c, err := money.ParseCurrency(r.attCcy)
	if err != nil {
		return "", 0, r.fail(r.here(), r.path()+"@Ccy", err.Error())
	}
	r.lastCcy, r.lastDigits = c, c.Digits()
	return c, r.lastDigits, nil
}

// amount reads the amount just closed with its currency.
func (r *Reader) amount() (money.Amount, money.Currency, error) {
	c, digits, err := r.currency()
	if err != nil {
		return 0, "", err
	}
	a, err := parseAmount(r.textValue(), c, digits)
	if err != nil {
		return 0, "", r.fail(r.here(), r.path(), err.Error())
	}
	return a, c, nil
}

// indicator reads a CdtDbtInd: true for CRDT.
func (r *Reader) indicator() (bool, error) {
	switch v := r.textValue(); v {
	case "CRDT":
		return true, nil
	case "DBIT":
		return false, nil
	default:
		return false, r.fail(r.here(), r.path(), fmt.Sprintf("%q is not CRDT or DBIT", clip(v)))
	}
}

// date reads a Dt or DtTm as YYYY-MM-DD.
func (r *Reader) date(dateTime bool) (string, error) {
	v := r.textValue()
	d, ok := parseDate(v, dateTime)
	if !ok {
		what := "a date such as 2026-03-31"
		if dateTime {
			what = "a date and time such as 2026-03-31T10:15:00"
		}
		return "", r.fail(r.here(), r.path(), fmt.Sprintf("%q is not %s", clip(v), what))
	}
	return d, nil
}

// clip shortens a value quoted in a message.
func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func (r *Reader) statementValue(k uint64) error {
	st := r.st
	switch k {
	case pStmtId:
		st.ID = r.textValue()
	case pElctrnc:
		st.Sequence = r.textValue()
		r.stOK.electronic = true
	case pLglSeq:
		if !r.stOK.electronic {
			st.Sequence = r.textValue()
		}
	case pAcctIBAN, pAcctOthr:
		if v := r.textValue(); v != "" {
			st.Account = v
			r.stOK.acct = true
		}
	case pAcctCcy:
		c, err := money.ParseCurrency(r.textValue())
		if err != nil {
			return r.fail(r.here(), r.path(), err.Error())
		}
		st.Currency = c
	}
	return nil
}

func (r *Reader) balanceValue(k uint64) error {
	b := &r.bal
	var err error
	switch k {
	case pBalType:
		b.kind = r.textValue()
	case pBalAmt:
		b.amount, b.ccy, err = r.amount()
		b.hasAmt = true
	case pBalInd:
		b.credit, err = r.indicator()
		b.hasInd = true
	case pBalDt, pBalDtTm:
		b.date, err = r.date(k == pBalDtTm)
		b.hasDate = true
	}
	return err
}

// endBalance keeps an opening or closing booked balance; other balances (interim, available)
// are not the books' business.
func (r *Reader) endBalance() error {
	b := &r.bal
	opening := b.kind == "OPBD" || (b.kind == "PRCD" && !r.stOK.opening)
	if !opening && b.kind != "CLBD" {
		return nil
	}
	for _, m := range []struct {
		ok   bool
		name string
	}{{b.hasAmt, "Amt"}, {b.hasInd, "CdtDbtInd"}, {b.hasDate, "Dt"}} {
		if !m.ok {
			return r.fail(b.line, r.path(m.name), "the "+b.kind+" balance has no "+m.name)
		}
	}
	sum := money.SumOf(b.amount)
	if !b.credit {
		sum = sum.Neg()
	}
	if r.stOK.balCurrency == "" {
		r.stOK.balCurrency = b.ccy
	}
	if opening {
		r.st.Opening, r.st.OpeningDate = sum, b.date
		r.stOK.opening = true
		r.st.HasBalances = r.stOK.closing
		return nil
	}
	r.st.Closing, r.st.ClosingDate = sum, b.date
	r.stOK.closing = true
	r.st.HasBalances = r.stOK.opening
	return nil
}

// endStatement checks what a statement must say once it is read whole.
func (r *Reader) endStatement() error {
	if !r.stOK.acct {
		return r.fail(r.lines[r.stDepth], r.names[r.stDepth]+"/Acct",
			"the statement names no account (Acct)")
	}
	if r.st.Currency == "" {
		r.st.Currency = r.stOK.balCurrency
	}
	r.st = nil
	return nil
}
