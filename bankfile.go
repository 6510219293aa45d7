package finapp

import (
	"finapp/money"
)

// What a bank file holds, as every format (packages camt, mt940, bankcsv) gives it to the books:
// statements of one bank account, each with its entries. A format only turns bytes into these;
// every rule an entry is held to (the balance check, the currency, the dedupe key) is the books'.

// Entry statuses, as ISO 20022 names them. Only booked entries move the balance and post.
const (
	EntryBooked      = "BOOK"
	EntryPending     = "PDNG"
	EntryInformation = "INFO"
)

// BankStatement is one statement of a bank file: a camt.053 Stmt, a camt.054 Ntfctn, an MT940
// message, or a whole bank CSV file.
type BankStatement struct {
	ID       string         // the bank's id of the statement (camt Stmt/Id, MT940 :20:)
	Sequence string         // camt ElctrncSeqNb / LglSeqNb, MT940 :28C:
	Account  string         // the account's IBAN, or the bank's other id of it
	Currency money.Currency // the account's currency ("" when the file does not say)

	// HasBalances says whether the statement states an opening and a closing booked balance
	// (camt.053 OPBD/CLBD, MT940 :60F:/:62F:); camt.054 and most bank CSV files do not.
	HasBalances bool
	Opening     money.Sum // signed: negative is an overdraft (DBIT, D)
	OpeningDate string    // YYYY-MM-DD
	Closing     money.Sum
	ClosingDate string

	Position string // where the statement starts in the file, for messages ("line 12")
}

// BankEntry is one entry of a bank statement, as the bank wrote it. When a camt entry has several
// transaction details (a batch), the format gives one BankEntry per detail, each carrying the
// batch entry's reference in Batch, so that a camt.054 bringing the details of a batch that a
// camt.053 showed once creates the same lines.
type BankEntry struct {
	Statement *BankStatement // the statement it belongs to (shared by its entries)

	Amount   money.Amount // > 0: the direction is Credit
	Currency money.Currency
	Credit   bool // money in (ISO 20022 CRDT, MT940 C/RC); false is money out (DBIT, D/RD)
	Reversal bool // this entry reverses an earlier one (RvslInd, MT940 RC/RD)
	Status   string

	BookingDate string // YYYY-MM-DD
	ValueDate   string // YYYY-MM-DD, "" when not given

	// BankReference is the bank's own unique reference of the entry (camt AcctSvcrRef, MT940
	// "//" bank reference), "" when the bank gives none: the books then key the entry by a
	// digest of what it says.
	BankReference string
	// Batch is the bank reference of the batch entry this detail belongs to ("" for a plain
	// entry); BankReference then names the detail itself.
	Batch          string
	EntryReference string // camt NtryRef, MT940 customer reference
	EndToEndID     string // the payer's reference (camt Refs/EndToEndId)
	TransactionID  string // camt Refs/TxId

	CounterpartyName string // the debtor of a credit, the creditor of a debit
	CounterpartyIBAN string

	RemittanceText      string   // unstructured remittance lines joined by a space (camt Ustrd, MT940 :86:)
	StructuredReference string   // the creditor reference (camt Strd/CdtrRefInf/Ref), e.g. an RF reference
	DocumentNumbers     []string // referred documents (camt Strd/RfrdDocInf/Nb): invoice numbers
	AdditionalInfo      string   // camt AddtlNtryInf, MT940 supplementary details
	TransactionCode     string   // camt BkTxCd (Domn/Fmly/SubFmly joined by "/", or Prtry), MT940 type

	Charges money.Amount // charges the bank took on it (camt Chrgs), 0 when none

	Position string // where the entry is in the file, for messages ("line 42")
}

// BankFile reads the entries of one bank file, in file order. A format implements it.
type BankFile interface {
	// Next returns the next entry, or io.EOF after the last one. A file the format cannot read
	// comes back as a *LineError naming the line (and the element or column) at fault, and
	// ends the file: a bank file is imported whole or not at all.
	Next() (BankEntry, error)
	// Statements are the statements read so far, in file order; complete after io.EOF (an
	// MT940 closing balance follows its lines).
	Statements() []*BankStatement
	// Format names the format read: "camt.053", "camt.054", "mt940" or "csv".
	Format() string
	// Digest is the SHA-256 (hex) of every byte read so far: after io.EOF, the file's.
	Digest() string
}
