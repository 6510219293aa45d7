package finapp

import (
	"fmt"
	"time"

	"finapp/money"
)

// Ledger accounts (SPEC §2). Per-organization accounts end in the organization's id.
const (
	AccountRevenue           = "revenue"
	AccountDeferredRevenue   = "deferred_revenue"
	AccountTopUpClearing     = "topup_clearing"
	AccountUnappliedNoCustom = "unapplied:unassigned"
)

// CashAccount is where money received by a method sits.
func CashAccount(method string) string { return "cash:" + method }

// UnappliedAccount holds a payment's money that is not yet applied; orgID "" is the unassigned pool.
func UnappliedAccount(orgID string) string {
	if orgID == "" {
		return AccountUnappliedNoCustom
	}
	return "unapplied:" + orgID
}

// ReceivableAccount holds what an organization's invoices still ask for.
func ReceivableAccount(orgID string) string { return "receivable:" + orgID }

// CreditAccount holds an organization's prepaid credit.
func CreditAccount(orgID string) string { return "credit:" + orgID }

// ConversionAccount converts money of currency from into currency to: a payment applied to an
// invoice in another currency passes through it, in each currency, so that every entry balances
// per currency. Its balances are the exchange positions taken.
func ConversionAccount(from, to money.Currency) string {
	return "conversion:" + string(from) + "-" + string(to)
}

// ExpenseAccount is where an adjustment of kind (write_off, bank_fee, discount) on a standard
// invoice is spent.
func ExpenseAccount(kind string) string { return "expense:" + kind }

// provisionAccounts are the accounts provisioning a proforma or top-up invoice moves its paid
// money between: deferred revenue becomes revenue, or the top-up's clearing becomes credit.
func provisionAccounts(inv *Invoice) (debit, credit string) {
	if inv.Kind == KindTopUp {
		return AccountTopUpClearing, CreditAccount(inv.OrganizationID)
	}
	return AccountDeferredRevenue, AccountRevenue
}

// JournalLine is one side of a journal entry: a positive Amount is a debit, a negative one a credit.
type JournalLine struct {
	Account  string
	Currency money.Currency
	Amount   money.Amount
}

// JournalEntry records one money movement. Its lines balance to zero per currency.
type JournalEntry struct {
	ID        string
	At        time.Time
	Operation string // e.g. "payment.recorded", "allocation.released"
	EntityID  string // the payment, invoice or allocation the movement is about
	Lines     []JournalLine
}

// posting builds a journal entry line by line; transfer debits one account and credits another.
type posting struct{ lines []JournalLine }

func (p *posting) transfer(debit, credit string, cur money.Currency, amt money.Amount) {
	if amt == 0 {
		return
	}
	p.lines = append(p.lines, JournalLine{debit, cur, amt}, JournalLine{credit, cur, -amt})
}

// Balanced checks the double-entry rule: per currency, debits equal credits.
func (e *JournalEntry) Balanced() error {
	sums := map[money.Currency]money.Sum{}
	for _, l := range e.Lines {
		if l.Amount == 0 {
			return fmt.Errorf("journal entry %s has a zero line on %s", e.Operation, l.Account)
		}
		sums[l.Currency] = sums[l.Currency].Add(l.Amount)
	}
	for cur, s := range sums {
		if !s.IsZero() {
			return fmt.Errorf("journal entry %s is unbalanced by %s %s", e.Operation, s.Format(cur), cur)
		}
	}
	return nil
}

// JournalFilter selects journal lines; AccountPrefix "receivable:org_…" etc., dates bound `at`.
type JournalFilter struct {
	Accounts []string
	From, To string // YYYY-MM-DD, inclusive
}

// AccountBalance is the net (debit − credit) of one account in one currency.
type AccountBalance struct {
	Account  string
	Currency money.Currency
	Balance  money.Sum
}
