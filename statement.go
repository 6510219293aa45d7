package finapp

import (
	"context"
	"sort"

	"finapp/money"
)

// Kinds of the documents on a customer statement, in the order a day lists them: what the
// customer was charged before what it paid, and a void after the invoice it cancels.
const (
	StatementInvoice = "invoice"       // an invoice issued: the customer owes its total
	StatementVoid    = "invoice_void"  // an invoice voided: its total is no longer owed
	StatementPayment = "payment"       // money received from the customer
	StatementTopUp   = "credit_top_up" // part of a payment moved into prepaid credit: no longer pays invoices
	StatementRefund  = "refund"        // part of a payment paid back to the customer
	// StatementRefundReversed is a refund whose money came back: it pays invoices again.
	StatementRefundReversed = "refund_reversed"
	// An adjustment line settled part of an invoice without money: the kind is the adjustment's
	// (write_off, bank_fee, discount); StatementAdjustmentReleased is one that was undone.
	StatementWriteOff           = AdjustWriteOff
	StatementBankFee            = AdjustBankFee
	StatementDiscount           = AdjustDiscount
	StatementFXDifference       = AdjustFXDifference
	StatementAdjustmentReleased = "adjustment_released"
	// StatementConversion is money of a payment applied to an invoice in another currency: one
	// line in each currency (plus what left the payment's, minus what reached the invoice's);
	// StatementConversionReleased undoes both.
	StatementConversion         = "currency_conversion"
	StatementConversionReleased = "currency_conversion_released"
	// A credit note issued takes from what the customer owes; voided, refunded or moved into its
	// prepaid credit, it no longer does. Its applications to invoices move nothing on the
	// statement (like a payment's allocations); they show in the aging footer.
	StatementCreditNote         = "credit_note"
	StatementCreditNoteVoid     = "credit_note_void"
	StatementCreditNoteRefund   = "credit_note_refund"
	StatementCreditNoteToCredit = "credit_note_to_credit"
)

var statementKindOrder = map[string]int{StatementInvoice: 0, StatementVoid: 1, StatementPayment: 2, StatementTopUp: 3,
	StatementRefund: 4, StatementRefundReversed: 5, StatementWriteOff: 6, StatementBankFee: 7, StatementDiscount: 8,
	StatementFXDifference: 9, StatementAdjustmentReleased: 10, StatementConversion: 11, StatementConversionReleased: 12,
	StatementCreditNote: 13, StatementCreditNoteVoid: 14, StatementCreditNoteRefund: 15, StatementCreditNoteToCredit: 16}

// StatementLine is one document on a statement. Amount is signed from the customer's side: positive
// adds to what it owes (an invoice, a top-up that takes money back off its invoices), negative
// takes from it (a payment, a void). Balance is the running balance after the line.
type StatementLine struct {
	Date       string // the document's own business date, YYYY-MM-DD
	Kind       string // one of the Statement… kinds
	DocumentID string // inv_…, pay_…, top_…, rfd_…, cn_…, a credit note's cna_…, or an adjustment's alc_…
	Number     string // the invoice or credit note number, or the payment's reference (its id when it has none)
	DueOn      string // invoices and voids: the invoice's due date
	PaymentID  string // top-ups, refunds and adjustments: the payment whose money it took, or in whose allocation it was made
	Amount     money.Amount
	Balance    money.Sum

	currency money.Currency // set where the document's own currency does not say (conversions)
}

// StatementAccount is a customer's statement in one currency. Closing is Opening plus every line;
// Charged and Credited split the lines by sign. The aging footer is the open invoices as of the
// statement's last day, by days past due (AgingBuckets); Open is its total, and Unapplied what
// the customer paid that is not on an invoice yet (Open − Closing), so that the footer explains
// the closing balance.
type StatementAccount struct {
	Currency  money.Currency
	Opening   money.Sum
	Lines     []StatementLine
	Charged   money.Sum // the positive lines, as a positive total
	Credited  money.Sum // the negative lines, as a positive total
	Closing   money.Sum
	Aging     [5]money.Sum // by AgingBuckets
	Open      money.Sum
	Unapplied money.Sum
}

// Statement is what a customer can be sent (SPEC §6.6): per currency it deals in, what it owed
// before From, every document from From to To by its own date, and what it owes at the end of To.
// From "" starts at the beginning of the books (Opening is then zero).
type Statement struct {
	Organization *Organization
	From, To     string
	Accounts     []*StatementAccount // the billing currency first, then the others by code
}

// StatementDocuments are what a statement is built from: an organization's invoices (void ones
// too), its live payments, the top-ups made from them, and every allocation (released ones too)
// to its invoices, for the aging as of the statement's last day.
type StatementDocuments struct {
	Invoices    []*Invoice
	Payments    []*Payment
	TopUps      []*TopUp
	Refunds     []*Refund
	Allocations []*Allocation
	CreditNotes []*CreditNote
	// CreditNoteApplications are every application of its credit notes, released ones too.
	CreditNoteApplications []*CreditNoteApplication
}

// BuildStatement is the rule of a customer statement over [from, to] (from may be ""; both valid
// dates, from ≤ to). Each document counts on its own business date, the day finapp keeps its books
// by (UTC): an invoice on its issue date, its void on the day it was voided (never before it was
// issued), a payment on the day it was received, a top-up on the day it was made (never before its
// payment was received). Documents dated after to are left out. Lines of a day are ordered by kind
// (StatementInvoice first), then number, then id, so that the same books always give the same
// statement.
func BuildStatement(org *Organization, from, to string, docs StatementDocuments) *Statement {
	st := &Statement{Organization: org, From: from, To: to}
	var lines []StatementLine
	received := map[string]string{}
	for _, inv := range docs.Invoices {
		if inv.OrganizationID != org.ID {
			continue
		}
		lines = append(lines, StatementLine{Date: inv.IssuedOn, Kind: StatementInvoice, DocumentID: inv.ID, Number: inv.Number,
			DueOn: inv.DueOn, Amount: inv.Total})
		if inv.Status == InvoiceVoid && inv.VoidedAt != nil {
			lines = append(lines, StatementLine{Date: max(inv.IssuedOn, inv.VoidedAt.UTC().Format(dateLayout)), Kind: StatementVoid,
				DocumentID: inv.ID, Number: inv.Number, DueOn: inv.DueOn, Amount: -inv.Total})
		}
	}
	currencyOf := map[string]money.Currency{}
	paymentNumber := map[string]string{}
	for _, p := range docs.Payments {
		if p.OrganizationID != org.ID || p.DeletedAt != nil {
			continue
		}
		received[p.ID] = p.ReceivedOn
		number := p.Reference
		if number == "" {
			number = p.ID
		}
		paymentNumber[p.ID] = number
		lines = append(lines, StatementLine{Date: p.ReceivedOn, Kind: StatementPayment, DocumentID: p.ID, Number: number, Amount: -p.Amount})
		currencyOf[p.ID] = p.Currency
	}
	for _, t := range docs.TopUps {
		on, ok := received[t.PaymentID]
		if !ok || t.OrganizationID != org.ID {
			continue // a top-up of a payment that is not this customer's live payment
		}
		lines = append(lines, StatementLine{Date: max(on, t.CreatedAt.UTC().Format(dateLayout)), Kind: StatementTopUp, DocumentID: t.ID,
			Number: paymentNumber[t.PaymentID], PaymentID: t.PaymentID, Amount: t.Amount})
	}
	for _, r := range docs.Refunds {
		on, ok := received[r.PaymentID]
		if !ok || r.OrganizationID != org.ID {
			continue // a refund of a payment that is not this customer's live payment
		}
		paid := max(on, r.CreatedAt.UTC().Format(dateLayout))
		lines = append(lines, StatementLine{Date: paid, Kind: StatementRefund, DocumentID: r.ID, Number: paymentNumber[r.PaymentID],
			PaymentID: r.PaymentID, Amount: r.Amount})
		if r.ReversedAt != nil {
			lines = append(lines, StatementLine{Date: max(paid, r.ReversedAt.UTC().Format(dateLayout)), Kind: StatementRefundReversed,
				DocumentID: r.ID, Number: paymentNumber[r.PaymentID], PaymentID: r.PaymentID, Amount: -r.Amount})
		}
	}
	invoiceOf := map[string]*Invoice{}
	for _, inv := range docs.Invoices {
		invoiceOf[inv.ID] = inv
	}
	adjustmentCurrency := map[string]money.Currency{}
	for _, al := range docs.Allocations {
		inv := invoiceOf[al.InvoiceID]
		if inv == nil || inv.OrganizationID != org.ID {
			continue
		}
		if al.Rate != "" {
			made := max(inv.IssuedOn, al.CreatedAt.UTC().Format(dateLayout))
			pair := func(kind, on string, sign money.Amount) {
				lines = append(lines,
					StatementLine{Date: on, Kind: kind, DocumentID: al.ID, Number: inv.Number, PaymentID: al.PaymentID, Amount: sign * al.Amount, currency: al.Currency},
					StatementLine{Date: on, Kind: kind, DocumentID: al.ID, Number: inv.Number, PaymentID: al.PaymentID, Amount: -sign * al.InvoiceAmount, currency: al.InvoiceCurrency})
			}
			pair(StatementConversion, made, 1)
			if al.ReleasedAt != nil {
				pair(StatementConversionReleased, max(made, al.ReleasedAt.UTC().Format(dateLayout)), -1)
			}
			continue
		}
		if !al.IsAdjustment() {
			continue
		}
		adjustmentCurrency[al.ID] = inv.Currency
		made := max(inv.IssuedOn, al.CreatedAt.UTC().Format(dateLayout))
		lines = append(lines, StatementLine{Date: made, Kind: al.Kind, DocumentID: al.ID, Number: inv.Number, PaymentID: al.PaymentID, Amount: -al.Amount})
		if al.ReleasedAt != nil {
			lines = append(lines, StatementLine{Date: max(made, al.ReleasedAt.UTC().Format(dateLayout)), Kind: StatementAdjustmentReleased,
				DocumentID: al.ID, Number: inv.Number, PaymentID: al.PaymentID, Amount: al.Amount})
		}
	}
	creditNoteOf := map[string]*CreditNote{}
	for _, n := range docs.CreditNotes {
		if n.OrganizationID != org.ID {
			continue
		}
		creditNoteOf[n.ID] = n
		lines = append(lines, StatementLine{Date: n.IssuedOn, Kind: StatementCreditNote, DocumentID: n.ID, Number: n.Number, Amount: -n.Amount, currency: n.Currency})
		if n.VoidedAt != nil {
			lines = append(lines, StatementLine{Date: max(n.IssuedOn, n.VoidedAt.UTC().Format(dateLayout)), Kind: StatementCreditNoteVoid,
				DocumentID: n.ID, Number: n.Number, Amount: n.Amount, currency: n.Currency})
		}
	}
	for _, a := range docs.CreditNoteApplications {
		n := creditNoteOf[a.CreditNoteID]
		if n == nil || a.Kind == ApplicationInvoice {
			continue
		}
		kind := StatementCreditNoteRefund
		if a.Kind == ApplicationCredit {
			kind = StatementCreditNoteToCredit
		}
		lines = append(lines, StatementLine{Date: max(n.IssuedOn, a.CreatedAt.UTC().Format(dateLayout)), Kind: kind, DocumentID: a.ID,
			Number: n.Number, Amount: a.Amount, currency: a.Currency})
	}
	sort.SliceStable(lines, func(i, j int) bool {
		a, b := lines[i], lines[j]
		switch {
		case a.Date != b.Date:
			return a.Date < b.Date
		case a.Kind != b.Kind:
			return statementKindOrder[a.Kind] < statementKindOrder[b.Kind]
		case a.Number != b.Number:
			return a.Number < b.Number
		}
		return a.DocumentID < b.DocumentID
	})

	accounts := map[money.Currency]*StatementAccount{}
	account := func(c money.Currency) *StatementAccount {
		if accounts[c] == nil {
			accounts[c] = &StatementAccount{Currency: c}
		}
		return accounts[c]
	}
	account(org.BillingCurrency) // a statement always has the customer's own currency, if empty
	invoiceCurrency := map[string]money.Currency{}
	for _, inv := range docs.Invoices {
		invoiceCurrency[inv.ID] = inv.Currency
	}
	topUpCurrency := map[string]money.Currency{}
	for _, t := range docs.TopUps {
		topUpCurrency[t.ID] = t.Currency
	}
	for _, l := range lines {
		if l.Date > to {
			continue
		}
		c := l.currency
		switch l.Kind {
		case StatementInvoice, StatementVoid:
			c = invoiceCurrency[l.DocumentID]
		case StatementPayment:
			c = currencyOf[l.DocumentID]
		case StatementTopUp:
			c = topUpCurrency[l.DocumentID]
		case StatementRefund, StatementRefundReversed:
			c = currencyOf[l.PaymentID]
		case StatementConversion, StatementConversionReleased, StatementCreditNote, StatementCreditNoteVoid, StatementCreditNoteRefund,
			StatementCreditNoteToCredit: // the line's own
		default: // adjustments, in their invoice's currency
			c = adjustmentCurrency[l.DocumentID]
		}
		a := account(c)
		if from != "" && l.Date < from {
			a.Opening = a.Opening.Add(l.Amount)
			continue
		}
		a.Lines = append(a.Lines, l)
		if l.Amount > 0 {
			a.Charged = a.Charged.Add(l.Amount)
		} else {
			a.Credited = a.Credited.Add(-l.Amount)
		}
	}

	byInvoice := map[string][]*Allocation{}
	for _, al := range docs.Allocations {
		byInvoice[al.InvoiceID] = append(byInvoice[al.InvoiceID], al)
	}
	for _, a := range docs.CreditNoteApplications {
		if a.Kind == ApplicationInvoice {
			byInvoice[a.InvoiceID] = append(byInvoice[a.InvoiceID], a.AsAllocation())
		}
	}
	edges := AgeEdgesAsOf(to)
	for _, inv := range docs.Invoices {
		if inv.OrganizationID != org.ID {
			continue
		}
		if due := AmountDueAsOf(inv, byInvoice[inv.ID], to); due > 0 {
			a := account(inv.Currency)
			k := edges.Bucket(inv.DueOn)
			a.Aging[k] = a.Aging[k].Add(due)
			a.Open = a.Open.Add(due)
		}
	}

	for _, a := range accounts {
		balance := a.Opening
		for i := range a.Lines {
			balance = balance.Add(a.Lines[i].Amount)
			a.Lines[i].Balance = balance
		}
		a.Closing = balance
		a.Unapplied = a.Open.Sub(a.Closing)
		st.Accounts = append(st.Accounts, a)
	}
	sort.Slice(st.Accounts, func(i, j int) bool {
		a, b := st.Accounts[i].Currency, st.Accounts[j].Currency
		if (a == org.BillingCurrency) != (b == org.BillingCurrency) {
			return a == org.BillingCurrency
		}
		return a < b
	})
	return st
}

const dateLayout = "2006-01-02"

// MaxStatementLines bounds the documents one statement carries, over all its currencies. A
// statement is a document people read, print and send; a customer that pays daily for years
// would otherwise get an answer (and a PDF) that grows with the age of the books (issue 12).
// Past the bound the request is refused naming from: a shorter period is the answer.
const MaxStatementLines = 10_000

// checkStatementSize is the rule of MaxStatementLines for st, with max the bound.
func checkStatementSize(st *Statement, max int) error {
	n := 0
	for _, a := range st.Accounts {
		n += len(a.Lines)
	}
	if n > max {
		return Invalid("from", "the period holds %d documents, more than the %d one statement carries: choose a later from or an earlier to", n, max)
	}
	return nil
}

// GetStatement builds the statement of organization orgID over [from, to]: from "" starts at the
// beginning of the books, to "" is today. Errors: EInvalid (naming from or to; from also when
// the period holds more than MaxStatementLines documents), ENotFound.
func (s *Service) GetStatement(ctx context.Context, orgID, from, to string) (*Statement, error) {
	if err := checkDates(&from, &to, "from", "to"); err != nil {
		return nil, err
	}
	if to == "" {
		to = s.today(ctx)
		if from > to {
			return nil, Invalid("from", "is after today, the statement's default end")
		}
	}
	var org *Organization
	var docs StatementDocuments
	err := s.read(ctx, func(tx Tx) error {
		var err error
		if org, err = tx.Organization(ctx, orgID); err != nil {
			return err
		}
		if docs.Invoices, err = allPages(func(cursor string) ([]*Invoice, string, error) {
			return tx.ListInvoices(ctx, InvoiceFilter{OrganizationID: orgID, IssuedTo: to, Cursor: cursor, Limit: MaxPageSize})
		}); err != nil {
			return err
		}
		if docs.Payments, err = allPages(func(cursor string) ([]*Payment, string, error) {
			return tx.ListPayments(ctx, PaymentFilter{OrganizationID: orgID, ReceivedTo: to, Cursor: cursor, Limit: MaxPageSize})
		}); err != nil {
			return err
		}
		if docs.TopUps, err = tx.OrganizationTopUps(ctx, orgID); err != nil {
			return err
		}
		if docs.Refunds, err = tx.OrganizationRefunds(ctx, orgID); err != nil {
			return err
		}
		if docs.CreditNotes, err = tx.OrganizationCreditNotes(ctx, orgID); err != nil {
			return err
		}
		if docs.CreditNoteApplications, err = tx.OrganizationCreditNoteApplications(ctx, orgID); err != nil {
			return err
		}
		docs.Allocations, err = tx.OrganizationAllocations(ctx, orgID)
		return err
	})
	if err != nil {
		return nil, err
	}
	st := BuildStatement(org, from, to, docs)
	if err := checkStatementSize(st, MaxStatementLines); err != nil {
		return nil, err
	}
	return st, nil
}

// allPages reads a paged list to its end.
func allPages[T any](page func(cursor string) ([]T, string, error)) ([]T, error) {
	var all []T
	cursor := ""
	for {
		list, next, err := page(cursor)
		if err != nil {
			return nil, err
		}
		all = append(all, list...)
		if next == "" {
			return all, nil
		}
		cursor = next
	}
}
