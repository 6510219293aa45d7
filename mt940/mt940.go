// Package mt940 reads SWIFT MT940 customer statements: each message's account (:25:), its
// opening and closing booked balances (:60F:/:60M:, :62F:/:62M:) and its statement lines (:61:)
// with the information to the account owner that follows each (:86:), including the structured
// sub-fields German banks write (?20–?29 remittance, ?32/?33 name, ?31 IBAN, EREF+ and SVWZ+).
// It turns them into finapp.BankStatement and finapp.BankEntry and leaves every rule to the
// books (package finapp): it does not check that the balances add up, and refuses only what is
// not a readable MT940 file. It reads line by line, one entry at a time, so a file of any length
// takes the same memory; a line longer than MaxLine is refused rather than held.
//
// A file may hold several messages, one after the other, each ended by a line "-" or wrapped in
// SWIFT blocks ({1:…}{2:…}{4: … -}), or a single message with neither. Marks RC and RD are
// reversals: of a credit, so money out; of a debit, so money in. A two-digit year YY is 20YY
// below 80, else 19YY; an entry date (MMDD) takes the year that puts it nearest the value date,
// so that an entry booked on 2 January for a value date of 31 December falls in the next year.
//
// The SWIFT character set is ASCII, but some banks write their national letters in ISO 8859-1:
// a line that is not UTF-8 is read as ISO 8859-1, so that every text the books get is UTF-8.
package mt940

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"finapp"
)

// Format is what Format returns.
const Format = "mt940"

// MaxLine bounds one line of the file: MT940 lines are at most 65 characters (a :86: field six
// of them); a longer one is a broken file or not MT940 at all, and is refused rather than held.
const MaxLine = 64 << 10

// Reader reads the entries of an MT940 file. It implements finapp.BankFile. A Reader is for one
// goroutine.
type Reader struct {
	in    *bufio.Reader
	sum   hash.Hash
	buf   []byte // a line longer than in's buffer, put together
	line  int    // the number of the last line read
	err   error  // the refusal that ended reading
	stmts []*finapp.BankStatement

	held    bool   // heldStr was read ahead and is the next line
	heldStr string // …
	st      *finapp.BankStatement
	opened  bool             // st has its opening balance
	closed  bool             // st has its closing balance: only :64:, :65:, :86: may follow
	next    finapp.BankEntry // the last :61: read, waiting for its :86: when hasNext
	hasNext bool
	joined  []byte // field's lines put together
}

// New reads MT940 from r. It reads nothing yet and so returns no error; the signature leaves
// room for a format that must read its header first.
func New(r io.Reader) (*Reader, error) {
	rd := &Reader{sum: sha256.New()}
	rd.in = bufio.NewReaderSize(io.TeeReader(r, rd.sum), 64<<10)
	return rd, nil
}

// Format names the format read.
func (r *Reader) Format() string { return Format }

// Digest is the SHA-256 (hex) of the bytes read so far: after io.EOF, the file's.
func (r *Reader) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Statements are the messages read so far, in file order; each is complete (has its closing
// balance) once the entries after it have been read, and all are after io.EOF.
func (r *Reader) Statements() []*finapp.BankStatement { return r.stmts }

// fail ends reading with a refusal of line, naming tag (":61:", or "" for the line as a whole).
func (r *Reader) fail(line int, tag, format string, args ...any) error {
	r.err = &finapp.LineError{Line: line, Field: tag, Message: fmt.Sprintf(format, args...)}
	return r.err
}

// refuse is fail for tag, which returns no entry.
func (r *Reader) refuse(line int, tag, format string, args ...any) (finapp.BankEntry, bool, error) {
	return finapp.BankEntry{}, false, r.fail(line, tag, format, args...)
}

// readLine returns the next line without its end (LF or CRLF), or io.EOF.
func (r *Reader) readLine() (string, error) {
	if r.held {
		r.held = false
		r.line++
		return r.heldStr, nil
	}
	b, err := r.in.ReadSlice('\n')
	if errors.Is(err, bufio.ErrBufferFull) {
		// Longer than the buffer: put it together, up to just past what may be refused.
		r.buf = append(r.buf[:0], b...)
		for errors.Is(err, bufio.ErrBufferFull) && len(r.buf) <= MaxLine+2 {
			b, err = r.in.ReadSlice('\n')
			r.buf = append(r.buf, b...)
		}
		b = r.buf
	}
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return "", r.fail(r.line+1, "", "cannot be read: %v", err)
	}
	if len(b) == 0 {
		return "", io.EOF
	}
	r.line++
	b = bytes.TrimSuffix(b, []byte("\n"))
	b = bytes.TrimSuffix(b, []byte("\r"))
	if len(b) > MaxLine {
		return "", r.fail(r.line, "", "the line is longer than %d bytes: this is not an MT940 file",
			MaxLine)
	}
	if r.line == 1 {
		b = bytes.TrimPrefix(b, []byte("\ufeff"))
	}
	if bytes.IndexByte(b, 0) >= 0 {
		return "", r.fail(r.line, "", "the line holds a NUL byte: this is not an MT940 text file")
	}
	if !utf8.Valid(b) {
		return latin1(b), nil
	}
	return string(b), nil
}

// latin1 reads b as ISO 8859-1, where every byte is the character of the same number.
func latin1(b []byte) string {
	rs := make([]rune, len(b))
	for i, c := range b {
		rs[i] = rune(c)
	}
	return string(rs)
}

// unread makes l, the line just read, the next line again.
func (r *Reader) unread(l string) {
	r.held, r.heldStr = true, l
	r.line--
}

// endsField says whether l ends the field before it: a tag, the end of a message, or the SWIFT
// blocks of the next.
func endsField(l string) bool {
	_, _, tag := splitTag(l)
	return tag || l == "-" || strings.HasPrefix(l, "-}") || strings.HasPrefix(l, "{")
}

// field reads the continuation lines of a tag's value first, joined to it by sep.
func (r *Reader) field(first, sep string) (string, error) {
	r.joined = append(r.joined[:0], first...)
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return "", err
		}
		if endsField(l) {
			r.unread(l)
			break
		}
		r.joined = append(append(r.joined, sep...), l...)
	}
	if len(r.joined) == len(first) {
		return first, nil
	}
	return string(r.joined), nil
}

// Next returns the next entry, or io.EOF after the last. An entry comes back once what follows
// it has been read: its :86:, or the next statement line or closing balance.
func (r *Reader) Next() (finapp.BankEntry, error) {
	if r.err != nil {
		return finapp.BankEntry{}, r.err
	}
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return r.atEOF()
		}
		if err != nil {
			return finapp.BankEntry{}, err
		}
		at := r.line
		if strings.HasPrefix(l, "-}") || l == "-" {
			if r.st != nil && !r.closed {
				return finapp.BankEntry{}, r.fail(at, ":62F:",
					"statement %q ends without a closing balance (:62F:)", r.st.ID)
			}
			r.st = nil
			// The trailer blocks ({5:…}) may follow on the same line, and the next message too.
			l = strings.TrimPrefix(strings.TrimPrefix(l, "-"), "}")
		}
		// SWIFT blocks around the text block: {1:…}{2:…}{4: opens it, and the text may start
		// on the same line.
		if strings.HasPrefix(l, "{") {
			i := strings.Index(l, "{4:")
			if i < 0 {
				continue
			}
			if l = strings.TrimSpace(l[i+3:]); l == "" {
				continue
			}
		}
		if strings.TrimSpace(l) == "" {
			continue
		}
		tag, val, ok := splitTag(l)
		if !ok {
			return finapp.BankEntry{}, r.fail(at, "", "%q is not a tag such as :61:", clip(l))
		}
		if e, ok, err := r.tag(at, tag, val); ok || err != nil {
			return e, err
		}
	}
}

// atEOF ends the file: the last entry, a refusal of a file cut short, or io.EOF.
func (r *Reader) atEOF() (finapp.BankEntry, error) {
	if r.st != nil && !r.closed {
		return finapp.BankEntry{}, r.fail(max(r.line, 1), ":62F:",
			"the file ends before the closing balance (:62F:) of statement %q: it is cut short", r.st.ID)
	}
	if len(r.stmts) == 0 {
		return finapp.BankEntry{}, r.fail(max(r.line, 1), ":20:",
			"the file holds no MT940 statement (no :20: line)")
	}
	r.err = io.EOF
	return finapp.BankEntry{}, io.EOF
}

// tag reads the field tag of the line at, whose value starts with val, and returns an entry
// when one is complete.
func (r *Reader) tag(at int, tag, val string) (finapp.BankEntry, bool, error) {
	name := ":" + tag + ":"
	if r.st == nil && tag != "20" {
		return r.refuse(at, name, "comes before the statement's :20: line")
	}
	switch tag {
	case "20":
		if r.st != nil && !r.closed {
			return r.refuse(at, name, "statement %q has no closing balance (:62F:) before the next one",
				r.st.ID)
		}
		r.st = &finapp.BankStatement{ID: strings.TrimSpace(val), Position: "line " + strconv.Itoa(at)}
		r.opened, r.closed = false, false
	case "25":
		// An IBAN, or "bank code/account" as the bank gives it, with a currency some banks
		// append: kept as written, for the books to match with the account they know.
		r.st.Account = strings.TrimSpace(val)
	case "28", "28C":
		r.st.Sequence = strings.TrimSpace(val)
	case "60F", "60M":
		switch {
		case r.opened:
			return r.refuse(at, name, "statement %q has a second opening balance", r.st.ID)
		case r.st.Account == "":
			return r.refuse(at, name, "the opening balance comes before the account (:25:)")
		}
		b, err := parseBalance(val)
		if err != nil {
			return r.refuse(at, name, "%v", err)
		}
		r.st.HasBalances, r.st.Opening, r.st.OpeningDate, r.st.Currency = true, b.sum, b.date, b.currency
		r.opened = true
		r.stmts = append(r.stmts, r.st)
	case "61":
		switch {
		case !r.opened:
			return r.refuse(at, name, "a statement line before the opening balance (:60F:)")
		case r.closed:
			return r.refuse(at, name, "a statement line after the closing balance (:62F:)")
		}
		e, err := parseLine(val, r.st.Currency)
		if err != nil {
			return r.refuse(at, name, "%v", err)
		}
		e.Statement, e.Position = r.st, "line "+strconv.Itoa(at)
		if err := r.supplementary(&e); err != nil {
			return finapp.BankEntry{}, false, err
		}
		prev, had := r.take()
		r.next, r.hasNext = e, true
		return prev, had, nil
	case "86":
		text, err := r.field(val, "\n")
		if err != nil {
			return finapp.BankEntry{}, false, err
		}
		if !r.hasNext {
			// Information about the statement as a whole: the books keep nothing of it.
			return finapp.BankEntry{}, false, nil
		}
		info(&r.next, text)
		e, _ := r.take()
		return e, true, nil
	case "62F", "62M":
		switch {
		case !r.opened:
			return r.refuse(at, name, "a closing balance without an opening balance (:60F:)")
		case r.closed:
			return r.refuse(at, name, "statement %q has a second closing balance", r.st.ID)
		}
		b, err := parseBalance(val)
		if err != nil {
			return r.refuse(at, name, "%v", err)
		}
		if b.currency != r.st.Currency {
			return r.refuse(at, name, "the closing balance is in %s, the opening balance in %s",
				b.currency, r.st.Currency)
		}
		r.st.Closing, r.st.ClosingDate = b.sum, b.date
		r.closed = true
		e, had := r.take()
		return e, had, nil
	case "21", "13", "13D", "34F", "64", "65", "90C", "90D", "NS":
		// Related reference, creation time, floor limit, available balances, counts: none of
		// them is the books', so they are read past, continuation lines and all.
		_, err := r.field(val, "")
		return finapp.BankEntry{}, false, err
	default:
		return r.refuse(at, name, "is not a tag of an MT940 statement")
	}
	return finapp.BankEntry{}, false, nil
}

// supplementary reads the supplementary details of e, the :61: just read: the next line, when
// it is neither a tag nor the end of the message.
func (r *Reader) supplementary(e *finapp.BankEntry) error {
	l, err := r.readLine()
	switch {
	case errors.Is(err, io.EOF):
	case err != nil:
		return err
	case endsField(l):
		r.unread(l)
	default:
		e.AdditionalInfo = strings.TrimSpace(l)
	}
	return nil
}

// take returns the entry waiting for its :86:, if any.
func (r *Reader) take() (finapp.BankEntry, bool) {
	if !r.hasNext {
		return finapp.BankEntry{}, false
	}
	e := r.next
	r.next, r.hasNext = finapp.BankEntry{}, false
	return e, true
}

// splitTag splits a line ":61:…" into its tag ("61") and value: the tags are two digits and an
// optional letter, or NS.
func splitTag(l string) (tag, val string, ok bool) {
	if len(l) < 4 || l[0] != ':' {
		return "", "", false
	}
	n := 3
	switch {
	case l[1] == 'N' && l[2] == 'S':
	case isDigit(l[1]) && isDigit(l[2]):
		if l[3] >= 'A' && l[3] <= 'Z' {
			n = 4
		}
	default:
		return "", "", false
	}
	if len(l) <= n || l[n] != ':' {
		return "", "", false
	}
	return l[1:n], l[n+1:], true
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// clip shortens s for a message, at a character's boundary.
func clip(s string) string {
	if len(s) <= 40 {
		return s
	}
	i := 40
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i] + "…"
}
