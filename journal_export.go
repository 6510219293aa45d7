package finapp

import (
	"context"
	"slices"
	"sort"
	"strings"

	"finapp/money"
)

// The classes of the chart of accounts, as accounting tools know them.
const (
	ClassAssets      = "assets"
	ClassLiabilities = "liabilities"
	ClassEquity      = "equity"
	ClassIncome      = "income"
	ClassExpenses    = "expenses"
)

// AccountRetainedEarnings is where an export that starts at a date carries the income and
// expenses of the years before it: the books themselves have no such account, because they
// never close a year.
const AccountRetainedEarnings = "retained_earnings"

// ExportAccount is an account of the books as an accounting tool shows it: its class, its kind
// ("cash", "receivable", "unapplied", "credit", "credit_note", "deferred_revenue", "topup_clearing", "revenue", or
// an expense: "write_off", "bank_fee", "discount")
// and, for a customer's account or a method's cash, whose.
type ExportAccount struct {
	Account          string // finapp's own name, e.g. receivable:org_…
	Class            string
	Kind             string
	Method           string // cash: the payment method
	OrganizationID   string // a customer's account: the customer
	OrganizationName string
	Currencies       []money.Currency
}

// ExportCurrencies are the currencies the accounts hold, in order: an export's commodities.
func ExportCurrencies(accounts []ExportAccount) []money.Currency {
	seen := map[money.Currency]bool{}
	var out []money.Currency
	for _, a := range accounts {
		for _, c := range a.Currencies {
			if !seen[c] {
				seen[c] = true
				out = append(out, c)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// ClassOf places an account of the books in the chart: what the business owns (cash, what its
// customers owe), what it owes (customers' money not yet applied, their prepaid credit, revenue
// not yet earned, top-ups not yet provisioned) and what it earned.
func ClassOf(account string) (class, kind, detail string) {
	kind, detail, _ = strings.Cut(account, ":")
	switch kind {
	case "cash", "receivable":
		return ClassAssets, kind, detail
	case "unapplied", "credit", "credit_note":
		return ClassLiabilities, kind, detail
	case AccountDeferredRevenue, AccountTopUpClearing:
		return ClassLiabilities, kind, ""
	case AccountRevenue:
		return ClassIncome, kind, ""
	case AccountRetainedEarnings:
		return ClassEquity, kind, ""
	case "conversion": // conversion:USD-SGD: the exchange positions, as hledger's own conversion accounts are
		return ClassEquity, kind, detail
	case "expense": // expense:write_off is expenses:write_off
		return ClassExpenses, detail, ""
	}
	return ClassExpenses, kind, detail
}

// ExportedEntry is a journal entry as an accounting tool reads it: dated by its business date
// (a payment's received_on, an invoice's issued_on; for every later movement the day it was
// posted), with the day it was posted beside it.
type ExportedEntry struct {
	ID        string
	Operation string
	EntityID  string
	Date      string
	PostedOn  string
	Lines     []JournalLine
}

// JournalExportFilter bounds an export by business date (inclusive; "" for no bound).
type JournalExportFilter struct {
	From, To string
}

// JournalWriter writes an export in an accounting tool's format, as it is read.
type JournalWriter interface {
	// Begin comes first: every account the export names, and the balances before From as one
	// opening entry (nil without From, or with nothing before it).
	Begin(accounts []ExportAccount, opening *ExportedEntry) error
	Entry(e *ExportedEntry) error
	End() error
}

// journalExportPage is how many entries an export reads at a time.
const journalExportPage = 1000

// ExportJournal writes the workspace's journal to w entry by entry, in posting order, reading
// it page by page in one consistent read, so that a journal of any size streams in flat memory.
// Errors: EInvalid (the dates), before Begin; a failure after Begin ends the export midway.
func (s *Service) ExportJournal(ctx context.Context, f JournalExportFilter, w JournalWriter) error {
	if err := checkDates(&f.From, &f.To, "from", "to"); err != nil {
		return err
	}
	return s.read(ctx, func(tx Tx) error {
		accounts, err := exportAccounts(ctx, tx)
		if err != nil {
			return err
		}
		var opening *ExportedEntry
		if f.From != "" {
			if opening, err = openingEntry(ctx, tx, f.From); err != nil {
				return err
			}
			accounts = withRetainedEarnings(accounts, opening)
		}
		if err := w.Begin(accounts, opening); err != nil {
			return err
		}
		err = eachExportedEntry(ctx, tx, func(e *ExportedEntry) error {
			if f.From != "" && e.Date < f.From || f.To != "" && e.Date > f.To {
				return nil
			}
			return w.Entry(e)
		})
		if err != nil {
			return err
		}
		return w.End()
	})
}

// exportAccounts lists every account with a journal line, with its currencies and customer.
func exportAccounts(ctx context.Context, tx Tx) ([]ExportAccount, error) {
	balances, err := tx.AccountBalances(ctx, nil)
	if err != nil {
		return nil, err
	}
	byName := map[string]*ExportAccount{}
	var names []string
	orgs := map[string]string{}
	for _, b := range balances {
		a := byName[b.Account]
		if a == nil {
			class, kind, detail := ClassOf(b.Account)
			a = &ExportAccount{Account: b.Account, Class: class, Kind: kind}
			switch {
			case kind == "cash":
				a.Method = detail
			case detail != "" && detail != "unassigned":
				a.OrganizationID = detail
				orgs[detail] = ""
			}
			byName[b.Account] = a
			names = append(names, b.Account)
		}
		a.Currencies = append(a.Currencies, b.Currency)
	}
	if len(orgs) > 0 {
		after := ""
		for {
			page, err := tx.OrganizationPage(ctx, after, journalExportPage)
			if err != nil {
				return nil, err
			}
			for _, o := range page {
				if _, ok := orgs[o.ID]; ok {
					orgs[o.ID] = o.Name
				}
			}
			if len(page) < journalExportPage {
				break
			}
			after = page[len(page)-1].ID
		}
	}
	sort.Strings(names)
	out := make([]ExportAccount, 0, len(names))
	for _, n := range names {
		a := byName[n]
		a.OrganizationName = orgs[a.OrganizationID]
		out = append(out, *a)
	}
	return out, nil
}

// openingEntry sums every line dated before from into one entry dated from: the balances the
// export starts with. Each currency's lines net to zero, as every entry's do.
func openingEntry(ctx context.Context, tx Tx, from string) (*ExportedEntry, error) {
	type key struct {
		account string
		cur     money.Currency
	}
	sums := map[key]money.Sum{}
	err := eachExportedEntry(ctx, tx, func(e *ExportedEntry) error {
		if e.Date >= from {
			return nil
		}
		for _, l := range e.Lines {
			k := key{l.Account, l.Currency}
			sums[k] = sums[k].Add(l.Amount)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	keys := make([]key, 0, len(sums))
	for k, v := range sums {
		if !v.IsZero() {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, nil
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].cur != keys[j].cur {
			return keys[i].cur < keys[j].cur
		}
		return keys[i].account < keys[j].account
	})
	e := &ExportedEntry{ID: "opening", Operation: "opening.balances", Date: from, PostedOn: from}
	// What was earned and spent before from is carried as retained earnings, so that an income
	// statement over the export shows only its own period, as an accountant's opening entry does.
	retained := map[money.Currency]money.Sum{}
	for _, k := range keys {
		if class, _, _ := ClassOf(k.account); class == ClassIncome || class == ClassExpenses {
			retained[k.cur] = retained[k.cur].Plus(sums[k])
			continue
		}
		amt, ok := sums[k].Amount()
		if !ok {
			return nil, Errorf(EInternal, "the opening balance of %s in %s is beyond the range of one amount", k.account, k.cur)
		}
		e.Lines = append(e.Lines, JournalLine{Account: k.account, Currency: k.cur, Amount: amt})
	}
	curs := make([]money.Currency, 0, len(retained))
	for c, v := range retained {
		if !v.IsZero() {
			curs = append(curs, c)
		}
	}
	sort.Slice(curs, func(i, j int) bool { return curs[i] < curs[j] })
	for _, c := range curs {
		amt, ok := retained[c].Amount()
		if !ok {
			return nil, Errorf(EInternal, "the retained earnings in %s are beyond the range of one amount", c)
		}
		e.Lines = append(e.Lines, JournalLine{Account: AccountRetainedEarnings, Currency: c, Amount: amt})
	}
	return e, nil
}

// withRetainedEarnings adds the retained-earnings account to the accounts when the opening entry
// uses it.
func withRetainedEarnings(accounts []ExportAccount, opening *ExportedEntry) []ExportAccount {
	if opening == nil {
		return accounts
	}
	a := ExportAccount{Account: AccountRetainedEarnings, Class: ClassEquity, Kind: AccountRetainedEarnings}
	for _, l := range opening.Lines {
		if l.Account == AccountRetainedEarnings {
			a.Currencies = append(a.Currencies, l.Currency)
		}
	}
	if len(a.Currencies) == 0 {
		return accounts
	}
	out := append(slices.Clone(accounts), a)
	sort.Slice(out, func(i, j int) bool { return out[i].Account < out[j].Account })
	return out
}

// eachExportedEntry reads the journal page by page and dates each entry by business date.
func eachExportedEntry(ctx context.Context, tx Tx, fn func(*ExportedEntry) error) error {
	var seq int64
	for {
		page, last, err := tx.JournalPage(ctx, seq, journalExportPage)
		if err != nil {
			return err
		}
		if len(page) == 0 {
			return nil
		}
		seq = last
		var ids []string
		for _, e := range page {
			if e.Operation == "payment.recorded" || e.Operation == "invoice.issued" {
				ids = append(ids, e.EntityID)
			}
		}
		dates, err := tx.BusinessDates(ctx, ids)
		if err != nil {
			return err
		}
		for _, e := range page {
			posted := e.At.UTC().Format("2006-01-02")
			x := &ExportedEntry{ID: e.ID, Operation: e.Operation, EntityID: e.EntityID, Date: posted, PostedOn: posted, Lines: e.Lines}
			if d, ok := dates[e.EntityID]; ok && (e.Operation == "payment.recorded" || e.Operation == "invoice.issued") {
				x.Date = d
			}
			if err := fn(x); err != nil {
				return err
			}
		}
	}
}
