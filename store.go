package finapp

import (
	"context"
	"time"

	"finapp/money"
)

// Store is the narrow interface a storage engine implements. Every transaction is scoped to one
// workspace: the engine adds the workspace to every query, so no caller can reach another's rows.
type Store interface {
	// Update runs fn in a write transaction and commits it if fn returns nil. Rows read through the
	// Tx are protected against concurrent writers until the transaction ends (SQLite serialises
	// writers; PostgreSQL takes row locks). A nil return means the change is durable.
	Update(ctx context.Context, workspaceID string, fn func(Tx) error) error
	// UpdateBulk is Update for a write of many rows (a chunk of an import) whose references were
	// checked by its caller, to rows that are never deleted (the workspace, the organizations,
	// the invoices it corrects): the transaction is the write's own, batched with no other, and
	// where the engine gains by it (SQLite) it leaves the foreign keys to fn and a failed
	// statement to the transaction's rollback. A nil return means the change is committed,
	// whole, and durable once the next Update returns: on SQLite a bulk commit is not synced on
	// its own, so a power cut may take the last ones back (never half of one). A caller that
	// answers for its writes (an import's last chunk) ends with an Update.
	UpdateBulk(ctx context.Context, workspaceID string, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent snapshot.
	View(ctx context.Context, workspaceID string, fn func(Tx) error) error
}

// Tx loads and saves domain state. It holds no business rule: every check is made by the
// service in this package over the state a Tx loaded. Loads return ENotFound for a missing id.
// It is composed of one interface per subject, so that a reader (or a test double of one
// subject) sees only that subject's methods.
type Tx interface {
	OrganizationTx
	InvoiceTx
	PaymentTx
	CreditNoteTx
	LedgerTx
	ImportTx
	ListTx
	ReportTx
	ReplayTx // replay.go: every row page by page, for verify
	WebhookTx
	ReminderTx
	SealTx // seal.go: linking the audit trail after commit, where the engine does
	// Settings and SetSettings read and write the workspace's settings.
	Settings(ctx context.Context) (Settings, error)
	SetSettings(ctx context.Context, st Settings) error
	// Tolerances and SetTolerances read and replace the workspace's write-off tolerances, per
	// currency (a currency not named tolerates nothing).
	Tolerances(ctx context.Context) (map[money.Currency]money.Amount, error)
	SetTolerances(ctx context.Context, t map[money.Currency]money.Amount) error
	// SetTolerance sets one currency's tolerance, the others untouched.
	SetTolerance(ctx context.Context, c money.Currency, a money.Amount) error
	CreditTx
	BankTx // bankline.go
	// LockDate is the workspace's lock date, "" for none. A write transaction that reads it
	// holds it until it ends: a period cannot close under a change that posts into it.
	LockDate(ctx context.Context) (string, error)
	SetLockDate(ctx context.Context, date string) error
}

// ReminderTx keeps the workspace's reminder levels and the reminders that became due.
type ReminderTx interface {
	ReminderLevels(ctx context.Context) ([]int, error)
	SetReminderLevels(ctx context.Context, levels []int) error
	// OverdueInvoices lists the open invoices at least the first level's days past due on today
	// and not yet reminded of the last level, each with the highest level it has reached, in id
	// order (levels are in increasing order).
	OverdueInvoices(ctx context.Context, today string, levels []int) ([]OverdueInvoice, error)
	CreateReminder(ctx context.Context, r *Reminder) error
	ListReminders(ctx context.Context, f ReminderFilter) ([]*Reminder, string, error)
}

// CreditTx loads and saves a customer's prepaid credit: its payment settings and reservations.
type CreditTx interface {
	// LockCredit makes a write transaction the only one deciding on the customer's credit until
	// it ends: its settings, reservations and anything else that takes usable credit (another
	// waits). ENotFound when the customer does not exist.
	LockCredit(ctx context.Context, orgID string) error
	// CreditSettings are a customer's payment settings, DefaultCreditSettings while it has none.
	CreditSettings(ctx context.Context, orgID string) (CreditSettings, error)
	// SetCreditSettings replaces a customer's payment settings.
	SetCreditSettings(ctx context.Context, orgID string, st CreditSettings) error
	// CreditBalance is the balance of the customer's credit account per currency (debit
	// positive), as the sum of its journal lines, kept as they are appended: one row to read
	// however many lines the account has. Currencies it never had a line in are left out.
	CreditBalance(ctx context.Context, orgID string) (map[money.Currency]money.Sum, error)
	// CreditHeld is what bears on the customers' usable credit besides their balances, by
	// organization and currency: the sum of their open reservations not expired at now, and
	// their credit limits. Customers with neither are left out.
	CreditHeld(ctx context.Context, orgIDs []string, now time.Time) (reserved map[string]map[money.Currency]money.Sum,
		limits map[string]map[money.Currency]money.Amount, err error)
	CreateReservation(ctx context.Context, r *Reservation) error
	// Reservation loads a reservation, locked for the change in a write transaction (taken
	// before its customer's credit lock, never after it).
	Reservation(ctx context.Context, id string) (*Reservation, error)
	// UpdateReservation saves a reservation closed from the version before r.Version; when
	// that is no longer the stored one (the sweeper marked it expired meanwhile), nothing is
	// written and the error is EReservationClosed.
	UpdateReservation(ctx context.Context, r *Reservation) error
	// ExpireReservation marks a reservation still open expired at its expiry; false when it was
	// closed meanwhile.
	ExpireReservation(ctx context.Context, r *Reservation) (bool, error)
	// ExpiredReservations lists up to limit reservations still marked open whose expiry is at or
	// before now, oldest expiry first.
	ExpiredReservations(ctx context.Context, now time.Time, limit int) ([]*Reservation, error)
	// ListReservations pages a customer's reservations, newest first.
	ListReservations(ctx context.Context, f ReservationFilter) (list []*Reservation, next string, err error)
	// AutoTopUpSettings is the customer's automatic top-up alone (disabled while it has no
	// settings): what every capture reads.
	AutoTopUpSettings(ctx context.Context, orgID string) (AutoTopUp, error)
	// AutoTopUpPending reports whether one of the customer's automatic top-up invoices is still
	// unpaid (unpaid or partially paid).
	AutoTopUpPending(ctx context.Context, orgID string) (bool, error)
	// ClaimAutoTopUp records that the customer's automatic top-up of day is invoiceID, unless one
	// is recorded for that day already (false): the key that makes it once per customer and day.
	ClaimAutoTopUp(ctx context.Context, orgID, day, invoiceID string) (bool, error)
	CreateWithdrawal(ctx context.Context, w *Withdrawal) error
	// Withdrawal loads a withdrawal, locked for the change in a write transaction.
	Withdrawal(ctx context.Context, id string) (*Withdrawal, error)
	UpdateWithdrawal(ctx context.Context, w *Withdrawal) error // withdrawals change only by being reversed
	ListWithdrawals(ctx context.Context, f WithdrawalFilter) (list []*Withdrawal, next string, err error)
}

// OrganizationTx loads and saves customers.
type OrganizationTx interface {
	Organization(ctx context.Context, id string) (*Organization, error)
	// OrganizationByExternalID is the organization with the billing system's id, ENotFound if none.
	OrganizationByExternalID(ctx context.Context, externalID string) (*Organization, error)
	CreateOrganization(ctx context.Context, o *Organization) error
	UpdateOrganization(ctx context.Context, o *Organization) error
	// OrganizationsByExternalIDs are the organizations with these billing-system ids, by that id
	// (locked for the change); ids that no organization has are left out.
	OrganizationsByExternalIDs(ctx context.Context, ids []string) (map[string]*Organization, error)
	// OrganizationsByID are the organizations with these ids, by id; unknown ids are left out.
	OrganizationsByID(ctx context.Context, ids []string) (map[string]*Organization, error)
}

// InvoiceTx loads and saves invoices.
type InvoiceTx interface {
	Invoice(ctx context.Context, id string) (*Invoice, error)
	// Invoices loads the invoices with ids (sorted, no repeats) in id order, locking them in
	// that order in a write transaction, as Invoice locks one; an id of no invoice is left out.
	Invoices(ctx context.Context, ids []string) ([]*Invoice, error)
	// InvoiceByExternalID and InvoiceByNumber find an invoice by the billing system's id or by
	// its number (locked for the change, as Invoice); ENotFound if none.
	InvoiceByExternalID(ctx context.Context, externalID string) (*Invoice, error)
	InvoiceByNumber(ctx context.Context, number string) (*Invoice, error)
	InvoiceAllocations(ctx context.Context, invoiceID string) ([]*Allocation, error)
	// OrganizationAllocations lists the allocations to an organization's invoices, released ones
	// too, by id (customer statements age its invoices from them).
	OrganizationAllocations(ctx context.Context, orgID string) ([]*Allocation, error)
	// OrganizationDifferences sums what settled the organization's invoices or its money other
	// than by allocation: its invoices' active adjustments by kind, its refunds not reversed (of
	// payments and of credit notes, as "refunded") and its credit notes not void ("credited").
	OrganizationDifferences(ctx context.Context, orgID string) (Differences, error)
	// OpenInvoices lists an organization's unpaid and partially paid invoices in currency, in id
	// order (the order in which a write transaction locks them).
	OpenInvoices(ctx context.Context, orgID string, currency string) ([]*Invoice, error)
	CreateInvoice(ctx context.Context, inv *Invoice) error // EDuplicate when the number is taken
	// CreateInvoices creates invoices whose numbers and external ids were checked free in the
	// transaction; EConflict if one was taken anyway.
	CreateInvoices(ctx context.Context, invs []*Invoice) error
	// InvoicesByExternalIDs are the invoices with these billing-system ids, by that id (locked
	// for the change, as Invoice); ids that no invoice has are left out.
	InvoicesByExternalIDs(ctx context.Context, ids []string) (map[string]*Invoice, error)
	// InvoiceIDsByNumber maps each of numbers that an invoice has to that invoice's id.
	InvoiceIDsByNumber(ctx context.Context, numbers []string) (map[string]string, error)
	UpdateInvoice(ctx context.Context, inv *Invoice) error
}

// PaymentTx loads and saves payments and what they fund: allocations and top-ups.
type PaymentTx interface {
	Payment(ctx context.Context, id string) (*Payment, error) // deleted payments too
	Allocation(ctx context.Context, id string) (*Allocation, error)
	// PaymentAllocations lists a payment's allocations, released ones too, oldest first.
	PaymentAllocations(ctx context.Context, paymentID string) ([]*Allocation, error)
	// Refund loads a refund (locked for the change); ListRefunds pages a payment's.
	Refund(ctx context.Context, id string) (*Refund, error)
	// OrganizationRefunds lists the refunds made from an organization's payments, by id.
	OrganizationRefunds(ctx context.Context, orgID string) ([]*Refund, error)
	CreateRefund(ctx context.Context, r *Refund) error
	UpdateRefund(ctx context.Context, r *Refund) error // refunds change only by being reversed
	ListRefunds(ctx context.Context, f RefundFilter) (list []*Refund, next string, err error)
	// OrganizationTopUps lists the top-ups of an organization's credit, by id.
	OrganizationTopUps(ctx context.Context, orgID string) ([]*TopUp, error)
	// ListAllocations pages the allocations of the payment or of the invoice f names, released
	// ones too, newest first; ListTopUps pages a payment's top-ups the same way.
	ListAllocations(ctx context.Context, f AllocationFilter) (list []*Allocation, next string, err error)
	ListTopUps(ctx context.Context, f TopUpFilter) (list []*TopUp, next string, err error)
	CreatePayment(ctx context.Context, p *Payment) error
	UpdatePayment(ctx context.Context, p *Payment) error
	// CreatePayments does for every payment, in order, what CreatePayment does for one, in a few
	// statements (imports).
	CreatePayments(ctx context.Context, ps []*Payment) error
	// CreateAllocations does for every allocation, in order, what one INSERT does for one, in a
	// few statements.
	CreateAllocations(ctx context.Context, as []*Allocation) error
	UpdateAllocation(ctx context.Context, a *Allocation) error
	CreateTopUp(ctx context.Context, t *TopUp) error
}

// CreditNoteTx loads and saves credit notes and their applications.
type CreditNoteTx interface {
	CreditNote(ctx context.Context, id string) (*CreditNote, error) // locked for the change
	// NextCreditNoteSeq takes the workspace's next automatic credit note number (1, 2, …),
	// holding it until the transaction ends.
	NextCreditNoteSeq(ctx context.Context) (int64, error)
	CreditNoteNumberTaken(ctx context.Context, number string) (bool, error)
	// CitedCredit sums the credit notes, not void, that cite an invoice.
	CitedCredit(ctx context.Context, invoiceID string) (money.Amount, error)
	CreateCreditNote(ctx context.Context, n *CreditNote) error // EDuplicate when the number is taken
	UpdateCreditNote(ctx context.Context, n *CreditNote) error
	ListCreditNotes(ctx context.Context, f CreditNoteFilter) (list []*CreditNote, next string, err error)
	// OrganizationCreditNotes lists an organization's credit notes, void ones too, by id.
	OrganizationCreditNotes(ctx context.Context, orgID string) ([]*CreditNote, error)
	CreditNoteApplication(ctx context.Context, id string) (*CreditNoteApplication, error) // locked for the change
	// ListCreditNoteApplications pages a credit note's applications, released ones too, newest
	// first; InvoiceCreditNoteApplications and OrganizationCreditNoteApplications list those to an
	// invoice or of an organization's credit notes, released ones too, by id.
	ListCreditNoteApplications(ctx context.Context, f CreditNoteApplicationFilter) (list []*CreditNoteApplication, next string, err error)
	InvoiceCreditNoteApplications(ctx context.Context, invoiceID string) ([]*CreditNoteApplication, error)
	OrganizationCreditNoteApplications(ctx context.Context, orgID string) ([]*CreditNoteApplication, error)
	CreateCreditNoteApplication(ctx context.Context, a *CreditNoteApplication) error
	UpdateCreditNoteApplication(ctx context.Context, a *CreditNoteApplication) error // released only
}

// LedgerTx appends what every change leaves behind: journal entries, audit events and outbox
// events, and the Idempotency-Key claim of the request that made it.
type LedgerTx interface {
	AuditAppender // audit.go
	EventAppender // event.go
	// AppendUnsealed appends audit events unlinked and outbox events unnumbered, for a sealer to
	// link and number after commit (seal.go), in as few statements as the engine can.
	AppendUnsealed(ctx context.Context, audits []*AuditEvent, events []*Event) error
	// Journal entries are appended in slice order, a few statements for any number of them.
	AppendJournals(ctx context.Context, es []*JournalEntry) error
	// ClaimIdempotencyKey claims key for a request in this transaction, naming the entity the
	// change wrote; if the key was claimed before, it claims nothing and reports so.
	ClaimIdempotencyKey(ctx context.Context, key, requestHash, entity string) (claimedBefore bool, err error)
	// AuditChain lists every audit event of the workspace in chain order (ChainNo).
	AuditChain(ctx context.Context) ([]*AuditEvent, error)
	// AccountBalances sums journal lines per account and currency; accounts empty means all.
	AccountBalances(ctx context.Context, accounts []string) ([]AccountBalance, error)
	// Journal lists entries (with their lines) in posting order, filtered by account and date.
	Journal(ctx context.Context, f JournalFilter) ([]*JournalEntry, error)
	// BusinessDates maps payment and invoice ids to their business dates (received_on,
	// issued_on); ids of neither, or of none, are left out.
	BusinessDates(ctx context.Context, ids []string) (map[string]string, error)
}

// ImportTx keeps the record of file imports.
type ImportTx interface {
	// ImportByDigest loads the import of the file whose content has digest (ENotFound), locking
	// it in a write transaction so that two runs of one file take turns.
	ImportByDigest(ctx context.Context, digest string) (*Import, error)
	// CreateImport adds an import: EDuplicate when one of the same file exists already.
	CreateImport(ctx context.Context, imp *Import) error
	UpdateImport(ctx context.Context, imp *Import) error
}

// ListTx pages through entities for lists and searches.
type ListTx interface {
	ListOrganizations(ctx context.Context, f OrganizationFilter) (list []*Organization, next string, err error)
	ListInvoices(ctx context.Context, f InvoiceFilter) (list []*Invoice, next string, err error)
	ListPayments(ctx context.Context, f PaymentFilter) (list []*Payment, next string, err error)
	// PaymentTotals and InvoiceTotals add up, per currency, the first limit records f selects (its
	// cursor, page size and sort aside; which ones is unspecified), in currency order.
	PaymentTotals(ctx context.Context, f PaymentFilter, limit int) ([]ListTotal, error)
	InvoiceTotals(ctx context.Context, f InvoiceFilter, limit int) ([]ListTotal, error)
	ListAudit(ctx context.Context, f AuditFilter) (list []*AuditEvent, next string, err error)
	// ListEvents lists outbox events in sequence order after f.After, at most f.Limit.
	ListEvents(ctx context.Context, f EventFilter) ([]*Event, error)
}

// ReportTx computes the reports' sums where the rows are.
type ReportTx interface {
	// AgedDues sums, per organization and currency, the amount due at the end of asOf of every
	// invoice issued by asOf and not void then, split by due date at edges (see AgedDues). An
	// invoice's amount due then is reconstructed from allocation history: its total less the
	// allocations made before the end of that day and not released by then; one with nothing (or,
	// from clocks out of step, less than nothing) due then adds nothing. Organizations with
	// nothing due are left out; the order is unspecified. The cost and the memory it takes are
	// bounded by the invoices open now, the allocation changes since asOf and the number of
	// organizations, not by the number of invoices.
	AgedDues(ctx context.Context, asOf string, edges AgeEdges) ([]AgedDues, error)
	// Receipts sums live payments received between from and to (either may be ""), grouped by
	// "day" (received_on), "month" (YYYY-MM) or "method", and by currency, in key order.
	Receipts(ctx context.Context, from, to, groupBy string) ([]ReceiptGroup, error)
}

// WebhookTx keeps webhook endpoints, their deliveries and the attempts' log.
type WebhookTx interface {
	// WebhookEndpoint loads an endpoint that was not deleted (ENotFound otherwise).
	WebhookEndpoint(ctx context.Context, id string) (*WebhookEndpoint, error)
	// WebhookEndpoints lists the endpoints that were not deleted, oldest first.
	WebhookEndpoints(ctx context.Context) ([]*WebhookEndpoint, error)
	CreateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	UpdateWebhookEndpoint(ctx context.Context, e *WebhookEndpoint) error
	CreateDeliveries(ctx context.Context, ds []*WebhookDelivery) error
	// DueDeliveries lists (and in a write transaction locks, passing over rows another
	// transaction holds) up to limit pending deliveries due at now whose lease is free, by
	// event sequence.
	DueDeliveries(ctx context.Context, now time.Time, limit int) ([]*WebhookDelivery, error)
	Delivery(ctx context.Context, id string) (*WebhookDelivery, error)
	UpdateDelivery(ctx context.Context, d *WebhookDelivery) error
	AppendAttempt(ctx context.Context, a *WebhookAttempt) error
	// ListAttempts lists an endpoint's attempts newest first; the cursor is the last id seen.
	ListAttempts(ctx context.Context, endpointID, cursor string, limit int) ([]*WebhookAttempt, string, error)
	// Event loads one outbox event by id.
	Event(ctx context.Context, id string) (*Event, error)
}
