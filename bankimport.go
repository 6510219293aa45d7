package finapp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"finapp/money"
)

// Importing a bank file (SPEC §6.4): a file is taken whole or not at all. It is read once, in one
// transaction: each entry is checked and written as it comes, each line once per bank account and
// key (so that a statement overlapping an earlier one creates nothing twice), and at the end each
// statement's balances are checked and the file's digest looked up; any refusal rolls the whole
// transaction back, naming the line. Reading it once halves the cost of parsing, which is most of
// an import.

// BankImport is what importing a bank file did.
type BankImport struct {
	Format     string
	FileDigest string
	Statements []*BankStatementRecord
	Created    int // lines created
	Skipped    int // entries that were lines already (an overlapping statement)
	Split      int // batch lines whose details this file brought
}

// bankImportChunk is how many entries are keyed and written together: one query finds which of
// them are lines already, one statement writes the new ones.
const bankImportChunk = 500

// ImportBankFile imports the bank file open opens (once; it is read on a goroutine of its own
// while what it read is written). Errors: EInvalid naming "file" and the line at fault, EDuplicate when this very file was
// imported before (naming its statements), EForbidden.
func (s *Service) ImportBankFile(ctx context.Context, open func() (BankFile, error), progress func(BankImportProgress)) (*BankImport, error) {
	if progress == nil {
		progress = func(BankImportProgress) {}
	}
	a, err := s.actor(ctx)
	if err != nil {
		return nil, err
	}
	if !a.CanWrite() {
		return nil, Errorf(EForbidden, "the %s role may only read", a.Role)
	}
	imp := &BankImport{}
	err = s.write(ctx, func(tx Tx, c *changes) error {
		*imp = BankImport{} // the store may run this again
		return writeBankFile(ctx, tx, c, open, imp, progress)
	})
	if err != nil {
		return nil, err
	}
	return imp, nil
}

// BankImportProgress is how far an import has got: a phase ("checking", then "writing") and the
// entries read in it.
type BankImportProgress struct {
	Phase   string
	Entries int
}

// bankProgressEvery is how many entries pass between two progress reports.
const bankProgressEvery = 10_000

func openBankFile(open func() (BankFile, error)) (BankFile, error) {
	f, err := open()
	if err != nil {
		return nil, bankFileError(err)
	}
	return f, nil
}

// closeBankFile closes what the format opened (a file), if anything.
func closeBankFile(f BankFile) {
	if c, ok := f.(io.Closer); ok {
		c.Close()
	}
}

// bankFileError turns what a format refused into the refusal of the file.
func bankFileError(err error) error {
	var le *LineError
	if errors.As(err, &le) {
		return Invalid("file", "%s", le.Error())
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	return Invalid("file", "cannot be read: %v", err)
}

// signedEntry is an entry's effect on the balance: credits add, debits take away.
func signedEntry(e *BankEntry) money.Sum {
	if e.Credit {
		return money.SumOf(e.Amount)
	}
	return money.SumOf(e.Amount).Neg()
}

// checkBankEntry holds one entry to the rules every format's entries keep.
func checkBankEntry(e *BankEntry) error {
	at := func(format string, args ...any) error {
		return Invalid("file", "%s: %s", e.Position, fmt.Sprintf(format, args...))
	}
	st := e.Statement
	if st == nil {
		return at("the entry belongs to no statement")
	}
	if strings.TrimSpace(st.Account) == "" {
		return Invalid("file", "%s: the statement names no account", st.Position)
	}
	if st.Currency == "" {
		st.Currency = e.Currency // a camt.054 or bank CSV states it entry by entry
	}
	if e.Currency != st.Currency {
		return at("the entry is in %s, but the statement's account is in %s", e.Currency, st.Currency)
	}
	if e.Amount < 0 || e.Amount > money.MaxAmount {
		return at("the amount is outside 0 to %s", money.Format(money.MaxAmount, e.Currency))
	}
	if e.Charges < 0 || e.Charges > money.MaxAmount {
		return at("the charges are outside 0 to %s", money.Format(money.MaxAmount, e.Currency))
	}
	switch e.Status {
	case EntryBooked, EntryPending, EntryInformation:
	default:
		return at("status %q is not BOOK, PDNG or INFO", e.Status)
	}
	if e.BookingDate == "" && e.Status != EntryBooked {
		e.BookingDate = e.ValueDate // a pending entry is not booked yet: it is listed by its value date
	}
	if _, err := ParseDate("booking_date", e.BookingDate); err != nil {
		return at("the booking date %q is not a date", e.BookingDate)
	}
	if e.ValueDate != "" {
		if _, err := ParseDate("value_date", e.ValueDate); err != nil {
			return at("the value date %q is not a date", e.ValueDate)
		}
	}
	return nil
}

// checkStatementBalances is the statement's own proof that no entry is missing: its opening
// balance and its booked entries make its closing balance.
func checkStatementBalances(st *BankStatement, entries money.Sum) error {
	if !st.HasBalances {
		return nil
	}
	want := st.Opening.Plus(entries)
	if want.Cmp(st.Closing) == 0 {
		return nil
	}
	c := st.Currency
	return Invalid("file", "%s: statement %s does not balance: opening %s %s + booked entries %s = %s, but the closing balance is %s "+
		"(a difference of %s): an entry is missing or wrong", st.Position, st.ID, st.Opening.Format(c), c, entries.Format(c),
		want.Format(c), st.Closing.Format(c), st.Closing.Sub(want).Format(c))
}

// bankLineKey is the key a line is kept once by, per bank account: the bank's reference when it
// gives one, else a digest of everything the entry says with its occurrence among identical
// entries of the statement (two equal transfers on one day are two lines, in every reading).
func bankLineKey(e *BankEntry, seen map[[16]byte]int) string {
	if e.BankReference != "" {
		return "ref:" + e.BankReference
	}
	h := sha256.New()
	for _, s := range []string{e.BookingDate, e.ValueDate, strconv.FormatInt(int64(e.Amount), 10), string(e.Currency),
		strconv.FormatBool(e.Credit), strconv.FormatBool(e.Reversal), e.Status, e.EntryReference, e.EndToEndID, e.TransactionID,
		e.CounterpartyName, e.CounterpartyIBAN, e.RemittanceText, e.StructuredReference, strings.Join(e.DocumentNumbers, "\x1f"),
		e.AdditionalInfo, e.TransactionCode} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var d [16]byte
	copy(d[:], h.Sum(nil))
	seen[d]++
	return "sha:" + hex.EncodeToString(d[:]) + "#" + strconv.Itoa(seen[d])
}

// writeBankFile reads the file (on its own goroutine, readEntries) and writes it: each
// statement's bank account (made on its first statement), its record, and its entries not yet
// kept.
func writeBankFile(ctx context.Context, tx Tx, c *changes, open func() (BankFile, error), imp *BankImport,
	progress func(BankImportProgress)) error {
	f, err := openBankFile(open)
	if err != nil {
		return err
	}
	defer closeBankFile(f)
	imp.Format = f.Format()
	batches, stop := readEntries(f)
	defer stop() // before the file is closed: the reader is done with it
	n := 0
	records := map[*BankStatement]*BankStatementRecord{}
	accounts := map[string]*BankAccount{}
	sums := map[*BankStatement]money.Sum{}
	var chunk []*BankLine
	var positions []string
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		if err := writeBankLines(ctx, tx, chunk, positions, records, imp); err != nil {
			return err
		}
		chunk, positions = chunk[:0], positions[:0]
		return nil
	}
	var last *BankStatement
	for batch := range batches {
		if batch.panicked != nil {
			panic(batch.panicked) // a reader's bug, raised where the request's recovery sees it
		}
		for i := range batch.entries {
			e := &batch.entries[i]
			// e.Statement is only compared here: the reader may still be filling it in.
			if e.Status == EntryBooked {
				sums[e.Statement] = sums[e.Statement].Plus(signedEntry(&e.BankEntry))
			}
			if e.Statement != last {
				if err := flush(); err != nil {
					return err
				}
				last = e.Statement
			}
			rec := records[e.Statement]
			if rec == nil {
				if rec, err = startBankStatement(ctx, tx, c, e.statement, accounts, imp); err != nil {
					return err
				}
				records[e.Statement] = rec
			}
			rec.Entries++
			if n++; n%bankProgressEvery == 0 {
				progress(BankImportProgress{Phase: "writing", Entries: n})
			}
			chunk = append(chunk, newBankLine(&e.BankEntry, rec, e.key, c))
			positions = append(positions, e.Position)
			if len(chunk) == bankImportChunk {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if batch.err != nil {
			return batch.err
		}
	}
	// The reader has finished (it closed batches): the statements are whole and ours to read.
	if err := flush(); err != nil {
		return err
	}
	if len(f.Statements()) == 0 {
		return Invalid("file", "holds no statement")
	}
	for _, st := range f.Statements() {
		if err := checkStatementBalances(st, sums[st]); err != nil {
			return err
		}
	}
	imp.FileDigest = f.Digest()
	if err := refuseKnownFile(ctx, tx, imp); err != nil {
		return err
	}
	for _, st := range f.Statements() {
		if records[st] == nil { // a statement without entries is still the bank's word on its balances
			rec, err := startBankStatement(ctx, tx, c, st, accounts, imp)
			if err != nil {
				return err
			}
			records[st] = rec
		}
	}
	for _, a := range accounts {
		n, err := tx.SplitBankBatches(ctx, a.ID)
		if err != nil {
			return err
		}
		imp.Split += n
	}
	for st, rec := range records {
		// What a format states after the entries (an MT940's closing balance, :62F:) is known
		// only now.
		rec.HasBalances, rec.Opening, rec.OpeningDate = st.HasBalances, st.Opening, st.OpeningDate
		rec.Closing, rec.ClosingDate, rec.BankID, rec.Sequence = st.Closing, st.ClosingDate, st.ID, st.Sequence
	}
	for _, rec := range imp.Statements {
		rec.FileDigest = imp.FileDigest // known once the whole file is read
		if err := tx.CompleteBankStatement(ctx, rec); err != nil {
			return err
		}
		c.record("bank_statement.imported", "bank_statement", rec.ID, nil, bankStatementSnapshot(rec))
	}
	return nil
}

// readEntry is an entry as the reading goroutine hands it over: checked, keyed, with a copy of
// its statement as it stood at the statement's first entry.
type readEntry struct {
	BankEntry
	key       string
	statement *BankStatement
}

// entryBatch is entries read in file order, then the refusal that ended the reading, if any.
type entryBatch struct {
	entries  []readEntry
	err      error
	panicked any
}

// readEntries reads f on a goroutine of its own, checking and keying each entry, a chunk at a
// time, so that reading the next entries (most of an import's work) overlaps writing the last
// ones. At most two chunks wait, so memory stays flat whatever the file's length. stop ends the
// reading early and returns once the goroutine is done with f; it may be called at any time, and
// more than once.
func readEntries(f BankFile) (batches <-chan entryBatch, stop func()) {
	out := make(chan entryBatch, 2)
	quit := make(chan struct{})
	go func() {
		defer close(out)
		send := func(b entryBatch) bool {
			select {
			case out <- b:
				return true
			case <-quit:
				return false
			}
		}
		defer func() {
			if v := recover(); v != nil {
				send(entryBatch{panicked: v})
			}
		}()
		seen := map[[16]byte]int{}
		var last, snapshot *BankStatement
		batch := make([]readEntry, 0, bankImportChunk)
		for {
			e, err := f.Next()
			if errors.Is(err, io.EOF) {
				if len(batch) > 0 {
					send(entryBatch{entries: batch})
				}
				return
			}
			if err == nil {
				err = checkBankEntry(&e)
			} else {
				err = bankFileError(err)
			}
			if err != nil {
				send(entryBatch{entries: batch, err: err})
				return
			}
			if e.Statement != last {
				clear(seen) // occurrences count within a statement, as the bank lists them
				last = e.Statement
				copied := *e.Statement
				snapshot = &copied
			}
			batch = append(batch, readEntry{BankEntry: e, key: bankLineKey(&e, seen), statement: snapshot})
			if len(batch) == bankImportChunk {
				if !send(entryBatch{entries: batch}) {
					return
				}
				batch = make([]readEntry, 0, bankImportChunk)
			}
		}
	}()
	var once sync.Once
	return out, func() {
		once.Do(func() { close(quit) })
		for range out { // until the goroutine has returned
		}
	}
}

// refuseKnownFile refuses a file imported before, naming the statements it made then.
func refuseKnownFile(ctx context.Context, tx Tx, imp *BankImport) error {
	known, err := tx.BankFileStatements(ctx, imp.FileDigest)
	if err != nil {
		return err
	}
	ours := map[string]bool{}
	for _, r := range imp.Statements {
		ours[r.ID] = true
	}
	var ids []string
	var first time.Time
	for _, st := range known {
		if !ours[st.ID] {
			ids = append(ids, st.ID)
			first = st.ImportedAt
		}
	}
	if len(ids) == 0 {
		return nil
	}
	noun := "statement"
	if len(ids) > 1 {
		noun = "statements"
	}
	return &Error{Code: EDuplicate, Field: "file", Message: fmt.Sprintf("this file was imported on %s (%s %s): nothing is imported twice",
		first.Format("2006-01-02"), noun, strings.Join(ids, ", "))}
}

// startBankStatement keeps the record of a statement, under its bank account.
func startBankStatement(ctx context.Context, tx Tx, c *changes, st *BankStatement, accounts map[string]*BankAccount,
	imp *BankImport) (*BankStatementRecord, error) {
	account := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(st.Account), " ", ""))
	k := account + "\x00" + string(st.Currency)
	a := accounts[k]
	if a == nil {
		var err error
		a, err = tx.BankAccountByNumber(ctx, account, st.Currency)
		if ErrorCode(err) == ENotFound {
			a = &BankAccount{ID: NewID(PrefixBankAccount), Account: account, Currency: st.Currency,
				CashAccount: CashAccount("bank_transfer"), CreatedAt: c.now}
			err = tx.CreateBankAccount(ctx, a)
		}
		if err != nil {
			return nil, err
		}
		accounts[k] = a
	}
	rec := &BankStatementRecord{ID: NewID(PrefixBankStatement), BankAccountID: a.ID, Account: a.Account, Currency: a.Currency,
		Format: imp.Format, FileDigest: imp.FileDigest, BankID: st.ID, Sequence: st.Sequence, HasBalances: st.HasBalances,
		Opening: st.Opening, OpeningDate: st.OpeningDate, Closing: st.Closing, ClosingDate: st.ClosingDate,
		ImportedBy: c.actor, ImportedAt: c.now}
	if err := tx.CreateBankStatement(ctx, rec); err != nil {
		return nil, err
	}
	imp.Statements = append(imp.Statements, rec)
	return rec, nil
}

func newBankLine(e *BankEntry, rec *BankStatementRecord, key string, c *changes) *BankLine {
	status := BankLineUnmatched
	if e.Status != EntryBooked {
		status = BankLineInformational
	}
	return &BankLine{ID: NewID(PrefixBankLine), BankAccountID: rec.BankAccountID, StatementID: rec.ID, Key: key, Status: status,
		Amount: e.Amount, Currency: e.Currency, Credit: e.Credit, Reversal: e.Reversal, EntryStatus: e.Status,
		BookingDate: e.BookingDate, ValueDate: e.ValueDate, BankReference: e.BankReference, Batch: e.Batch,
		EntryReference: e.EntryReference, EndToEndID: e.EndToEndID, TransactionID: e.TransactionID,
		CounterpartyName: e.CounterpartyName, CounterpartyIBAN: e.CounterpartyIBAN, RemittanceText: e.RemittanceText,
		StructuredReference: e.StructuredReference, DocumentNumbers: e.DocumentNumbers, AdditionalInfo: e.AdditionalInfo,
		TransactionCode: e.TransactionCode, Charges: e.Charges, CreatedAt: c.now}
}

// writeBankLines writes the lines of a chunk (all of one statement) whose keys the account has no
// line for. A key repeated within the file is the bank's mistake and refuses the file: two
// entries cannot be one.
func writeBankLines(ctx context.Context, tx Tx, chunk []*BankLine, positions []string, records map[*BankStatement]*BankStatementRecord,
	imp *BankImport) error {
	keys := make([]string, len(chunk))
	inChunk := make(map[string]bool, len(chunk))
	for i, l := range chunk {
		if inChunk[l.Key] {
			return Invalid("file", "%s: bank reference %q is given to an earlier entry of the file too", positions[i], l.BankReference)
		}
		inChunk[l.Key] = true
		keys[i] = l.Key
	}
	created, err := tx.CreateBankLines(ctx, chunk)
	if err != nil {
		return err
	}
	rec := recordOf(records, chunk[0].StatementID)
	rec.Created += len(created)
	imp.Created += len(created)
	if len(created) == len(chunk) {
		return nil
	}
	// The others were kept already: by an earlier statement (an overlap), or by an earlier entry
	// of this very file, which is the bank's mistake.
	var kept []string
	for _, k := range keys {
		if !created[k] {
			kept = append(kept, k)
		}
	}
	have, err := tx.BankLineKeys(ctx, chunk[0].BankAccountID, kept)
	if err != nil {
		return err
	}
	ours := map[string]bool{}
	for _, r := range imp.Statements {
		ours[r.ID] = true
	}
	for i, l := range chunk {
		if created[l.Key] {
			continue
		}
		if ours[have[l.Key]] {
			return Invalid("file", "%s: bank reference %q is given to an earlier entry of the file too", positions[i], l.BankReference)
		}
		imp.Skipped++
		rec.Skipped++
	}
	return nil
}

func recordOf(records map[*BankStatement]*BankStatementRecord, id string) *BankStatementRecord {
	for _, r := range records {
		if r.ID == id {
			return r
		}
	}
	panic("finapp: a bank line of a statement not being imported")
}

// bankStatementSnapshot is how an imported statement appears in the audit trail.
func bankStatementSnapshot(r *BankStatementRecord) map[string]any {
	snap := map[string]any{"id": r.ID, "bank_account_id": r.BankAccountID, "account": r.Account, "currency": r.Currency,
		"format": r.Format, "file_digest": r.FileDigest, "bank_id": r.BankID, "entries": r.Entries, "created": r.Created,
		"skipped": r.Skipped}
	if r.HasBalances {
		snap["opening"], snap["closing"] = r.Opening.Format(r.Currency), r.Closing.Format(r.Currency)
	}
	return snap
}

// GetBankLine returns one bank line. Errors: ENotFound.
func (s *Service) GetBankLine(ctx context.Context, id string) (l *BankLine, err error) {
	err = s.read(ctx, func(tx Tx) error {
		l, err = tx.BankLine(ctx, id)
		return err
	})
	return l, err
}

// ListBankLines lists bank lines, newest first. Errors: EInvalid.
func (s *Service) ListBankLines(ctx context.Context, f BankLineFilter) (list []*BankLine, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixBankLine); err != nil {
		return nil, "", err
	}
	if f.Status != "" && !slices.Contains(BankLineStatuses, f.Status) {
		return nil, "", Invalid("status", "%q is not one of %s", f.Status, strings.Join(BankLineStatuses, ", "))
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListBankLines(ctx, f)
		return err
	})
	return list, next, err
}

// GetBankStatement returns one imported statement. Errors: ENotFound.
func (s *Service) GetBankStatement(ctx context.Context, id string) (st *BankStatementRecord, err error) {
	err = s.read(ctx, func(tx Tx) error {
		st, err = tx.BankStatement(ctx, id)
		return err
	})
	return st, err
}

// ListBankStatements lists imported statements, newest first. Errors: EInvalid.
func (s *Service) ListBankStatements(ctx context.Context, f BankStatementFilter) (list []*BankStatementRecord, next string, err error) {
	if f.Limit, err = pageSize(f.Limit); err != nil {
		return nil, "", err
	}
	if err := CheckCursor(f.Cursor, PrefixBankStatement); err != nil {
		return nil, "", err
	}
	err = s.read(ctx, func(tx Tx) error {
		list, next, err = tx.ListBankStatements(ctx, f)
		return err
	})
	return list, next, err
}

// ListBankAccounts lists the bank accounts statements were imported for.
func (s *Service) ListBankAccounts(ctx context.Context) (list []*BankAccount, err error) {
	err = s.read(ctx, func(tx Tx) error {
		list, err = tx.ListBankAccounts(ctx)
		return err
	})
	return list, err
}
