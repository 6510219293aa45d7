package finapp

import (
	"context"
	"strings"
	"time"

	"finapp/money"
)

// Bank accounts, the statements imported for them and their lines (SPEC §6.4). A line is kept
// once per bank account and key, whatever file brought it; what a person decides about it
// (matched to a payment, ignored) lives on the line.

// Statuses of a bank line.
const (
	BankLineUnmatched = "unmatched" // a booked line nobody has decided about
	BankLineProposed  = "proposed"  // a booked line with at least one proposal waiting
	BankLineMatched   = "matched"   // applied: the money is in the books through it
	BankLineIgnored   = "ignored"   // decided not to be the books' business, with a reason
	// BankLineInformational is a pending or information-only entry (Sts PDNG/INFO): kept for
	// people to see, never proposed or applied, because the bank has not booked it.
	BankLineInformational = "informational"
	// BankLineSplit is a batch entry whose details are lines of their own (a camt.054 brought
	// them): the details are decided about, so the batch is not, or its money would count twice.
	BankLineSplit = "split"
)

// How a matched line came by its payment: applying it recorded the payment, or linked one
// recorded by hand before (undo then deletes the one, unlinks the other).
const (
	BankMatchRecorded = "recorded"
	BankMatchLinked   = "linked"
	// BankMatchReversal is a reversal applied: "reversal:" + the line it returned, whose
	// payment was deleted.
	BankMatchReversal = "reversal"
)

// ReversedLineID is the line a reversal returned, "" for any other line.
func (l *BankLine) ReversedLineID() string {
	id, ok := strings.CutPrefix(l.MatchKind, BankMatchReversal+":")
	if !ok {
		return ""
	}
	return id
}

// BankLineStatuses are the statuses a list may filter on.
var BankLineStatuses = []string{BankLineUnmatched, BankLineProposed, BankLineMatched, BankLineIgnored, BankLineInformational, BankLineSplit}

// BankAccount is an account at a bank whose statements finapp imports: known by its IBAN (or the
// bank's number) and currency, a multi-currency account being one per currency as banks state it.
// Its money is CashAccount of the journal.
type BankAccount struct {
	ID          string // ba_…
	Account     string
	Currency    money.Currency
	CashAccount string // the journal account its money is in: cash:bank_transfer unless changed
	CreatedAt   time.Time
}

// BankStatementRecord is what finapp keeps of one imported statement: what the bank said of it,
// and what importing it did.
type BankStatementRecord struct {
	ID            string // bs_…
	BankAccountID string
	Account       string
	Currency      money.Currency
	Format        string // camt.053, camt.054, mt940, csv
	FileDigest    string // SHA-256 of the file it came in (a file holds one or more statements)
	BankID        string // the bank's id of the statement
	Sequence      string
	HasBalances   bool
	Opening       money.Sum
	OpeningDate   string
	Closing       money.Sum
	ClosingDate   string
	Entries       int // entries of the statement in the file
	Created       int // lines it created
	Skipped       int // entries already kept from an earlier statement (an overlap)
	ImportedBy    string
	ImportedAt    time.Time
}

// BankLine is one entry of a bank account, kept once.
type BankLine struct {
	ID            string // bl_…
	BankAccountID string
	StatementID   string // the statement that first brought it
	Key           string // unique per bank account: "ref:" + bank reference, or "sha:" + digest + "#n"
	Status        string

	Amount      money.Amount
	Currency    money.Currency
	Credit      bool // money in
	Reversal    bool
	EntryStatus string // BOOK, PDNG, INFO as the bank said
	BookingDate string
	ValueDate   string

	BankReference       string
	Batch               string
	EntryReference      string
	EndToEndID          string
	TransactionID       string
	CounterpartyName    string
	CounterpartyIBAN    string
	RemittanceText      string
	StructuredReference string
	DocumentNumbers     []string
	AdditionalInfo      string
	TransactionCode     string
	Charges             money.Amount

	PaymentID    string // the payment applying it recorded or linked ("" until matched)
	MatchKind    string // BankMatchRecorded or BankMatchLinked, "" until matched
	IgnoreReason string
	CreatedAt    time.Time
}

// BankLineFilter selects bank lines, newest first.
type BankLineFilter struct {
	Status        string // "" for every status
	BankAccountID string
	StatementID   string
	Cursor        string
	Limit         int
}

// BankStatementFilter selects imported statements, newest first.
type BankStatementFilter struct {
	BankAccountID string
	Cursor        string
	Limit         int
}

// BankTx loads and saves bank accounts, statements and lines.
type BankTx interface {
	// BankAccountByNumber is the bank account of that IBAN or number and currency (ENotFound).
	BankAccountByNumber(ctx context.Context, account string, cur money.Currency) (*BankAccount, error)
	CreateBankAccount(ctx context.Context, a *BankAccount) error
	ListBankAccounts(ctx context.Context) ([]*BankAccount, error)
	// BankFileStatements are the statements imported from the file of that digest, if any.
	BankFileStatements(ctx context.Context, digest string) ([]*BankStatementRecord, error)
	CreateBankStatement(ctx context.Context, st *BankStatementRecord) error
	// CompleteBankStatement records what importing the statement did, the digest of its file and
	// what the file states after the entries (balances): known once the whole file is read.
	CompleteBankStatement(ctx context.Context, st *BankStatementRecord) error
	BankStatement(ctx context.Context, id string) (*BankStatementRecord, error)
	ListBankStatements(ctx context.Context, f BankStatementFilter) ([]*BankStatementRecord, string, error)
	// BankLineKeys returns, of keys, those the bank account has a line for, each with the
	// statement that brought it.
	BankLineKeys(ctx context.Context, accountID string, keys []string) (map[string]string, error)
	// CreateBankLines saves the lines whose keys the account has no line for yet, and returns
	// the keys it saved.
	CreateBankLines(ctx context.Context, lines []*BankLine) (map[string]bool, error)
	// SplitBankBatches marks split every unmatched line of the account whose details are lines
	// of their own (a line with key "ref:"+K when some line has Batch K), and returns how many.
	SplitBankBatches(ctx context.Context, accountID string) (int, error)
	BankLine(ctx context.Context, id string) (*BankLine, error)
	ListBankLines(ctx context.Context, f BankLineFilter) ([]*BankLine, string, error)

	// UpdateBankLine saves what was decided about a line: status, payment, match kind, reason.
	UpdateBankLine(ctx context.Context, l *BankLine) error
	// InvoiceIDsByRFBody finds invoices by the body of their creditor reference (rfBody of the
	// number), each body with every invoice that has it, in id order.
	InvoiceIDsByRFBody(ctx context.Context, bodies []string) (map[string][]string, error)
	// ReversibleLines are the matched lines of an account that a reversal of amount may return:
	// the other direction, booked on or before the day, newest first, at most 20.
	ReversibleLines(ctx context.Context, accountID string, cur money.Currency, amount money.Amount, credit bool, onOrBefore string) ([]*BankLine, error)

	// What matching a page of lines reads, a query for the page instead of one for each line:
	// OpenInvoicesOfOrganizations is OpenInvoices for each of the customers (by customer);
	// OrganizationsByIBAN is, for each IBAN that paid a customer before, the customer of the
	// latest matched line paid from it; UnlinkedPayments are the live payments of the currency
	// and any of the amounts received from one day to another (inclusive) that no bank line is
	// linked to, in id order.
	OpenInvoicesOfOrganizations(ctx context.Context, orgIDs []string, currency string) (map[string][]*Invoice, error)
	OrganizationsByIBAN(ctx context.Context, ibans []string) (map[string]string, error)
	UnlinkedPayments(ctx context.Context, cur money.Currency, amounts []money.Amount, from, to string) ([]*Payment, error)
	// BankLinesByID are the lines of those ids, in id order, each locked as BankLine locks one.
	BankLinesByID(ctx context.Context, ids []string) ([]*BankLine, error)
	// SetBankLinesStatus sets the status of the lines (proposed or unmatched), nothing else.
	SetBankLinesStatus(ctx context.Context, ids []string, status string) error

	// MatchingRules are the workspace's rules in the order they are tried (priority, then id).
	MatchingRules(ctx context.Context) ([]*MatchingRule, error)
	MatchingRule(ctx context.Context, id string) (*MatchingRule, error)
	CreateMatchingRule(ctx context.Context, r *MatchingRule) error
	// UpdateMatchingRule saves what the rule says (not its hits, not when it was written).
	UpdateMatchingRule(ctx context.Context, r *MatchingRule) error
	DeleteMatchingRule(ctx context.Context, id string) error
	// AddMatchingRuleHit counts a line applied by the rule's proposal.
	AddMatchingRuleHit(ctx context.Context, id string) error

	BankCSVTemplate(ctx context.Context, id string) (*BankCSVTemplate, error)
	BankCSVTemplateByName(ctx context.Context, name string) (*BankCSVTemplate, error)
	ListBankCSVTemplates(ctx context.Context) ([]*BankCSVTemplate, error)
	CreateBankCSVTemplate(ctx context.Context, t *BankCSVTemplate, at time.Time) error
	// UpdateBankCSVTemplate saves what the template says (its name and columns).
	UpdateBankCSVTemplate(ctx context.Context, t *BankCSVTemplate) error
	DeleteBankCSVTemplate(ctx context.Context, id string) error
}
