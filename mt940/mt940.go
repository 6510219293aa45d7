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
// SWIFT blocks ({1:…}{2:…}{4: … -}). Marks RC and RD are reversals (of a credit, so money out; of
// a debit, so money in). A two-digit year YY is 20YY below 80, else 19YY; an entry date (MMDD)
// takes the value date's year, moved across the turn of the year when it is more than six months
// away from the value date.
package mt940

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"regexp"
	"strconv"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// Format is what Format returns.
const Format = "mt940"

// MaxLine bounds one line of the file: MT940 lines are at most 65 characters (a :86: field six
// of them); a longer one is a broken file.
const MaxLine = 64 << 10

// Reader reads the entries of an MT940 file. It implements finapp.BankFile.
type Reader struct {
	in    *bufio.Reader
	sum   hash.Hash
	line  int // the number of the last line read
	err   error
	stmts []*finapp.BankStatement

	pending []string // a line read ahead, not yet taken
	st      *finapp.BankStatement
	opened  bool // the current message has its opening balance
	next    *finapp.BankEntry
	nextAt  int
}

// New reads MT940 from r.
func New(r io.Reader) (*Reader, error) {
	rd := &Reader{sum: sha256.New()}
	rd.in = bufio.NewReaderSize(io.TeeReader(r, rd.sum), 64<<10)
	return rd, nil
}

// Format names the format read.
func (r *Reader) Format() string { return Format }

// Digest is the SHA-256 of the bytes read so far.
func (r *Reader) Digest() string { return hex.EncodeToString(r.sum.Sum(nil)) }

// Statements are the messages read so far.
func (r *Reader) Statements() []*finapp.BankStatement { return r.stmts }

func (r *Reader) fail(line int, tag, format string, args ...any) error {
	r.err = &finapp.LineError{Line: line, Field: tag, Message: fmt.Sprintf(format, args...)}
	return r.err
}

// readLine returns the next line without its end, or io.EOF.
func (r *Reader) readLine() (string, error) {
	if n := len(r.pending); n > 0 {
		l := r.pending[n-1]
		r.pending = r.pending[:n-1]
		r.line++
		return l, nil
	}
	var b []byte
	for {
		chunk, err := r.in.ReadSlice('\n')
		b = append(b, chunk...)
		if len(b) > MaxLine {
			return "", r.fail(r.line+1, "", "a line is longer than %d bytes: this is not an MT940 file", MaxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if err != nil && (!errors.Is(err, io.EOF) || len(b) == 0) {
			if errors.Is(err, io.EOF) {
				return "", io.EOF
			}
			return "", r.fail(r.line+1, "", "cannot be read: %v", err)
		}
		break
	}
	r.line++
	s := strings.TrimRight(string(b), "\r\n")
	if r.line == 1 {
		s = strings.TrimPrefix(s, "\ufeff")
	}
	return s, nil
}

func (r *Reader) unread(l string) {
	r.pending = append(r.pending, l)
	r.line--
}

// field reads a tag's value with its continuation lines (those that start no tag and end no
// message), joined by sep.
func (r *Reader) field(first, sep string) (string, error) {
	val := first
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			return val, nil
		}
		if err != nil {
			return "", err
		}
		if strings.HasPrefix(l, ":") || l == "-" || strings.HasPrefix(l, "-}") || strings.HasPrefix(l, "{") {
			r.unread(l)
			return val, nil
		}
		val += sep + l
	}
}

// Next returns the next entry, or io.EOF after the last.
func (r *Reader) Next() (finapp.BankEntry, error) {
	if r.err != nil {
		return finapp.BankEntry{}, r.err
	}
	for {
		l, err := r.readLine()
		if errors.Is(err, io.EOF) {
			if e, ok := r.takeEntry(); ok {
				return e, nil
			}
			if r.st != nil {
				return finapp.BankEntry{}, r.fail(r.line, ":62F:", "the file ends before the closing balance of statement %q: it is cut short", r.st.ID)
			}
			if len(r.stmts) == 0 {
				return finapp.BankEntry{}, r.fail(r.line, "", "holds no MT940 statement (no :20: line)")
			}
			return finapp.BankEntry{}, io.EOF
		}
		if err != nil {
			return finapp.BankEntry{}, err
		}
		at := r.line
		// SWIFT blocks around the text block: {1:…}{2:…}{4: opens it, -} closes it.
		if strings.HasPrefix(l, "{") {
			if i := strings.Index(l, "{4:"); i >= 0 {
				l = strings.TrimSpace(l[i+3:])
				if l == "" {
					continue
				}
			} else {
				continue
			}
		}
		if l == "-" || strings.HasPrefix(l, "-}") || strings.TrimSpace(l) == "" {
			if e, ok := r.takeEntry(); ok {
				return e, nil
			}
			continue
		}
		tag, val, ok := splitTag(l)
		if !ok {
			return finapp.BankEntry{}, r.fail(at, "", "%q is not a tag such as :61:", clip(l))
		}
		switch tag {
		case "20":
			if r.st != nil {
				return finapp.BankEntry{}, r.fail(at, ":20:", "statement %q has no closing balance (:62F:) before the next one", r.st.ID)
			}
			r.st, r.opened = &finapp.BankStatement{ID: strings.TrimSpace(val), Position: "line " + strconv.Itoa(at)}, false
		case "25":
			if err := r.need(at, tag); err != nil {
				return finapp.BankEntry{}, err
			}
			r.st.Account = strings.TrimSpace(val)
		case "28", "28C":
			if err := r.need(at, tag); err != nil {
				return finapp.BankEntry{}, err
			}
			r.st.Sequence = strings.TrimSpace(val)
		case "60F", "60M":
			if err := r.need(at, tag); err != nil {
				return finapp.BankEntry{}, err
			}
			bal, date, cur, err := r.balance(at, tag, val)
			if err != nil {
				return finapp.BankEntry{}, err
			}
			r.st.HasBalances, r.st.Opening, r.st.OpeningDate, r.st.Currency, r.opened = true, bal, date, cur, true
			r.stmts = append(r.stmts, r.st)
		case "61":
			if err := r.need(at, tag); err != nil {
				return finapp.BankEntry{}, err
			}
			if !r.opened {
				return finapp.BankEntry{}, r.fail(at, ":61:", "a statement line before the opening balance (:60F:)")
			}
			e, err := r.statementLine(at, val)
			if err != nil {
				return finapp.BankEntry{}, err
			}
			prev, had := r.takeEntry()
			r.next, r.nextAt = &e, at
			if had {
				return prev, nil
			}
		case "86":
			text, err := r.field(val, "\n")
			if err != nil {
				return finapp.BankEntry{}, err
			}
			if r.next != nil {
				info(r.next, text)
				e, _ := r.takeEntry()
				return e, nil
			}
			// Information to the account owner about the statement as a whole: nothing to keep.
		case "62F", "62M":
			if err := r.need(at, tag); err != nil {
				return finapp.BankEntry{}, err
			}
			if !r.opened {
				return finapp.BankEntry{}, r.fail(at, ":"+tag+":", "a closing balance without an opening balance (:60F:)")
			}
			bal, date, cur, err := r.balance(at, tag, val)
			if err != nil {
				return finapp.BankEntry{}, err
			}
			if cur != r.st.Currency {
				return finapp.BankEntry{}, r.fail(at, ":"+tag+":", "the closing balance is in %s, the opening balance in %s", cur, r.st.Currency)
			}
			r.st.Closing, r.st.ClosingDate = bal, date
			r.st = nil
			if e, ok := r.takeEntry(); ok {
				return e, nil
			}
		case "64", "65", "21", "13", "13D", "34F", "90D", "90C", "NS":
			if _, err := r.field(val, ""); err != nil { // available balances, counts: not the books'
				return finapp.BankEntry{}, err
			}
		default:
			return finapp.BankEntry{}, r.fail(at, ":"+tag+":", "is not a tag of an MT940 statement")
		}
	}
}

func (r *Reader) need(at int, tag string) error {
	if r.st == nil {
		return r.fail(at, ":"+tag+":", "comes before the statement's :20: line")
	}
	return nil
}

// takeEntry returns the entry waiting for its :86:, if any.
func (r *Reader) takeEntry() (finapp.BankEntry, bool) {
	if r.next == nil {
		return finapp.BankEntry{}, false
	}
	e := *r.next
	r.next = nil
	return e, true
}

var tagRe = regexp.MustCompile(`^:([0-9]{2}[A-Z]?|NS):`)

func splitTag(l string) (tag, val string, ok bool) {
	m := tagRe.FindStringSubmatch(l)
	if m == nil {
		return "", "", false
	}
	return m[1], l[len(m[0]):], true
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// date reads YYMMDD.
func date(s string) (time.Time, bool) {
	if len(s) != 6 {
		return time.Time{}, false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return time.Time{}, false
		}
	}
	yy, _ := strconv.Atoi(s[:2])
	year := 2000 + yy
	if yy >= 80 {
		year = 1900 + yy
	}
	t, err := time.Parse("20060102", strconv.Itoa(year)+s[2:])
	return t, err == nil
}

// amount reads an MT940 amount (a decimal comma, no sign) in currency c.
func amount(s string, c money.Currency) (money.Amount, error) {
	whole, frac, _ := strings.Cut(s, ",")
	if whole == "" {
		whole = "0"
	}
	frac = strings.TrimRight(frac, "0")
	if strings.ContainsAny(whole+frac, ".,-+ ") {
		return 0, fmt.Errorf("%q is not an amount such as 1234,56", s)
	}
	text := whole
	if frac != "" {
		text += "." + frac
	}
	return money.ParseNonNegative(text, c)
}

var balanceRe = regexp.MustCompile(`^([CD])([0-9]{6})([A-Z]{3})([0-9]+,[0-9]*)$`)

// balance reads a balance field: mark, date, currency, amount.
func (r *Reader) balance(at int, tag, val string) (money.Sum, string, money.Currency, error) {
	m := balanceRe.FindStringSubmatch(strings.TrimSpace(val))
	if m == nil {
		return money.Sum{}, "", "", r.fail(at, ":"+tag+":", "%q is not a balance such as C261201EUR1234,56", clip(val))
	}
	d, ok := date(m[2])
	if !ok {
		return money.Sum{}, "", "", r.fail(at, ":"+tag+":", "%q is not a date (YYMMDD)", m[2])
	}
	cur, err := money.ParseCurrency(m[3])
	if err != nil {
		return money.Sum{}, "", "", r.fail(at, ":"+tag+":", "%v", err)
	}
	a, err := amount(m[4], cur)
	if err != nil {
		return money.Sum{}, "", "", r.fail(at, ":"+tag+":", "%v", err)
	}
	bal := money.SumOf(a)
	if m[1] == "D" {
		bal = bal.Neg()
	}
	return bal, d.Format("2006-01-02"), cur, nil
}

// lineRe is a :61: statement line: value date, optional entry date, mark, optional funds code,
// amount, transaction type, customer reference, optional // bank reference.
var lineRe = regexp.MustCompile(`^([0-9]{6})([0-9]{4})?(RC|RD|C|D)([A-Z])?([0-9]+,[0-9]*)([NFS][A-Z0-9]{3})(.*)$`)

func (r *Reader) statementLine(at int, val string) (finapp.BankEntry, error) {
	m := lineRe.FindStringSubmatch(strings.TrimSpace(val))
	if m == nil {
		return finapp.BankEntry{}, r.fail(at, ":61:", "%q is not a statement line such as 2612021202C100,00NTRFNONREF//REF", clip(val))
	}
	value, ok := date(m[1])
	if !ok {
		return finapp.BankEntry{}, r.fail(at, ":61:", "the value date %q is not a date (YYMMDD)", m[1])
	}
	booked := value
	if m[2] != "" {
		b, err := time.Parse("20060102", strconv.Itoa(value.Year())+m[2])
		if err != nil {
			return finapp.BankEntry{}, r.fail(at, ":61:", "the entry date %q is not a date (MMDD)", m[2])
		}
		// The entry date has no year: the value date's, unless that is over half a year away.
		switch {
		case b.Sub(value) > 183*24*time.Hour:
			b = b.AddDate(-1, 0, 0)
		case value.Sub(b) > 183*24*time.Hour:
			b = b.AddDate(1, 0, 0)
		}
		booked = b
	}
	a, err := amount(m[5], r.st.Currency)
	if err != nil {
		return finapp.BankEntry{}, r.fail(at, ":61:", "%v", err)
	}
	mark := m[3]
	e := finapp.BankEntry{Statement: r.st, Amount: a, Currency: r.st.Currency, Credit: mark == "C" || mark == "RD",
		Reversal: strings.HasPrefix(mark, "R"), Status: finapp.EntryBooked, BookingDate: booked.Format("2006-01-02"),
		ValueDate: value.Format("2006-01-02"), TransactionCode: m[6][1:], Position: "line " + strconv.Itoa(at)}
	refs := m[7]
	customer, bank, _ := strings.Cut(refs, "//")
	if customer = strings.TrimSpace(customer); customer != "NONREF" {
		e.EntryReference = customer
	}
	e.BankReference = strings.TrimSpace(bank)
	// Supplementary details: the next line, when it is not a tag.
	l, err := r.readLine()
	switch {
	case errors.Is(err, io.EOF):
	case err != nil:
		return finapp.BankEntry{}, err
	case strings.HasPrefix(l, ":") || l == "-" || strings.HasPrefix(l, "-}") || strings.HasPrefix(l, "{"):
		r.unread(l)
	default:
		e.AdditionalInfo = strings.TrimSpace(l)
	}
	return e, nil
}

var (
	subfieldRe   = regexp.MustCompile(`\?([0-9]{2})`)
	structuredRe = regexp.MustCompile(`^[0-9]{3}\?`) // a business transaction code, then ?NN sub-fields
	rfRe         = regexp.MustCompile(`(?i)\bRF[0-9]{2}(?: ?[A-Z0-9]{1,4}){1,6}\b`)
	sepaKeys     = []string{"EREF+", "KREF+", "MREF+", "CRED+", "DEBT+", "SVWZ+", "ABWA+", "ABWE+"}
)

// info puts what a :86: field says into the entry it follows.
func info(e *finapp.BankEntry, text string) {
	if !strings.HasPrefix(text, "?") && !structuredRe.MatchString(text) {
		e.RemittanceText = strings.Join(strings.Fields(text), " ")
		e.StructuredReference = rfIn(e.RemittanceText)
		return
	}
	// Structured: ?NN sub-fields, which may wrap across lines.
	flat := strings.ReplaceAll(text, "\n", "")
	idx := subfieldRe.FindAllStringSubmatchIndex(flat, -1)
	var remittance strings.Builder
	var name []string
	for i, m := range idx {
		end := len(flat)
		if i+1 < len(idx) {
			end = idx[i+1][0]
		}
		code, val := flat[m[2]:m[3]], flat[m[1]:end]
		n, _ := strconv.Atoi(code)
		switch {
		case n == 0:
			if e.AdditionalInfo == "" {
				e.AdditionalInfo = strings.TrimSpace(val)
			}
		case (n >= 20 && n <= 29) || (n >= 60 && n <= 63):
			remittance.WriteString(val)
		case n == 31:
			e.CounterpartyIBAN = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(val), " ", ""))
		case n == 32 || n == 33:
			name = append(name, val) // a name is cut where the field is full, spaces kept
		}
	}
	e.CounterpartyName = strings.TrimSpace(strings.Join(name, ""))
	rem := remittance.String()
	// SEPA keys split the remittance into its parts.
	parts := map[string]string{}
	for {
		first, key := -1, ""
		for _, k := range sepaKeys {
			if i := strings.Index(rem, k); i >= 0 && (first < 0 || i < first) {
				first, key = i, k
			}
		}
		if first < 0 {
			break
		}
		before := rem[:first]
		rest := rem[first+len(key):]
		next := len(rest)
		for _, k := range sepaKeys {
			if i := strings.Index(rest, k); i >= 0 && i < next {
				next = i
			}
		}
		if strings.TrimSpace(before) != "" {
			parts[""] += strings.TrimSpace(before) + " "
		}
		parts[key] = strings.TrimSpace(rest[:next])
		rem = rest[next:]
	}
	if strings.TrimSpace(rem) != "" {
		parts[""] += strings.TrimSpace(rem)
	}
	if v := parts["EREF+"]; v != "" && v != "NOTPROVIDED" {
		e.EndToEndID = v
	}
	text = strings.TrimSpace(parts[""])
	if v := parts["SVWZ+"]; v != "" {
		text = strings.TrimSpace(v + " " + text)
	}
	e.RemittanceText = strings.Join(strings.Fields(text), " ")
	e.StructuredReference = rfIn(e.RemittanceText + " " + e.EndToEndID)
}

// rfIn picks an ISO 11649 reference out of a text, without its spaces ("" for none): the books
// check its digits.
func rfIn(s string) string {
	m := rfRe.FindString(s)
	return strings.ToUpper(strings.ReplaceAll(m, " ", ""))
}
