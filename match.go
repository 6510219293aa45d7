package finapp

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"finapp/money"
)

// Kinds of evidence a suggestion carries: why an invoice is proposed for a payment (and, with
// bank statements, for a bank line). One matching engine serves both.
const (
	EvidenceNumberInText    = "invoice_number_in_text"    // the invoice's number is a word of the payer's hint or reference
	EvidenceAmountEqualsDue = "amount_equals_invoice"     // what the invoice has due is exactly the money
	EvidenceSetSumsToAmount = "amount_equals_invoice_set" // with the other invoices of the set, exactly the money
	// Evidence only a bank line has (bankmatch.go).
	EvidenceStructuredReference = "structured_reference" // the bank's structured reference or referred document names it
	EvidenceRFReference         = "rf_reference"         // the invoice's ISO 11649 reference, check digits right
	EvidenceIBANKnown           = "iban_known"           // the payer's IBAN paid this customer before
	EvidenceRecordedPayment     = "recorded_payment"     // a payment recorded by hand is this money
	EvidenceWithinTolerance     = "within_tolerance"     // short by no more than the workspace tolerates: written off
	EvidenceReversal            = "reversal"             // a returned payment: the applied line it reverses
)

// Evidence is one reason a suggestion is made, with a sentence for people.
type Evidence struct {
	Kind   string
	Detail string
}

// Suggestion proposes applying Amount of a payment to Invoice, for the reasons in Evidence
// (strongest first).
type Suggestion struct {
	Invoice  *Invoice
	Amount   money.Amount
	Evidence []Evidence
}

// maxSetSize and maxSetCandidates bound the search for a set of invoices that sums to the money:
// a payment covering more than four invoices names them, and the oldest twenty of a customer's
// open invoices are where such a set is (4,845 sets at most).
const (
	maxSetSize       = 4
	maxSetCandidates = 20
)

// referenceWords splits what a payer wrote (the invoice # hint, the payment reference) into the
// words an invoice number may be: on "/", ",", ";" and white space.
func referenceWords(texts ...string) []string {
	var words []string
	seen := map[string]bool{}
	for _, t := range texts {
		for _, w := range strings.FieldsFunc(t, func(r rune) bool {
			return r == '/' || r == ',' || r == ';' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
		}) {
			if k := strings.ToUpper(w); !seen[k] {
				seen[k] = true
				words = append(words, w)
			}
		}
	}
	return words
}

// suggestInvoices is the matching rule: of the invoices that accept payment p, first those its
// hint or reference names, then the one whose amount due equals p's unallocated money, then the
// smallest set of the customer's oldest open invoices whose amounts due sum exactly to it. named
// are the invoices the payer's words name (any customer's, when p is unassigned); open are the
// customer's open invoices in p's currency (none when p is unassigned). Each invoice is suggested
// once, with every reason that applies, and the amounts fill p's unallocated money in order.
func suggestInvoices(p *Payment, named, open []*Invoice) []Suggestion {
	left := p.Unallocated()
	if left <= 0 {
		return nil
	}
	var out []Suggestion
	index := map[string]int{}
	add := func(inv *Invoice, e Evidence) {
		if i, ok := index[inv.ID]; ok {
			out[i].Evidence = append(out[i].Evidence, e)
			return
		}
		if inv.Accepts(p) != nil { // another customer's (unless p is unassigned), currency, void, or nothing due
			return
		}
		index[inv.ID] = len(out)
		out = append(out, Suggestion{Invoice: inv, Evidence: []Evidence{e}})
	}
	words := referenceWords(p.InvoiceHint, p.Reference)
	for _, inv := range named {
		for _, w := range words {
			if strings.EqualFold(w, inv.Number) {
				where := "the payment's reference"
				if containsWord(p.InvoiceHint, inv.Number) {
					where = "the invoice # the payer quoted"
				}
				add(inv, Evidence{EvidenceNumberInText, fmt.Sprintf("%s is named in %s", inv.Number, where)})
				break
			}
		}
	}
	oldest := append([]*Invoice(nil), open...)
	oldestFirst(oldest)
	for _, inv := range oldest {
		if inv.Accepts(p) == nil && inv.AmountDue() == left {
			add(inv, Evidence{EvidenceAmountEqualsDue, fmt.Sprintf("%s has exactly %s %s due", inv.Number, money.Format(left, p.Currency), p.Currency)})
		}
	}
	if set := exactSet(p, oldest, left); len(set) > 1 {
		numbers := make([]string, len(set))
		for i, inv := range set {
			numbers[i] = inv.Number
		}
		for _, inv := range set {
			add(inv, Evidence{EvidenceSetSumsToAmount, fmt.Sprintf("%s together have exactly %s %s due", strings.Join(numbers, " + "), money.Format(left, p.Currency), p.Currency)})
		}
	}
	for i := range out {
		out[i].Amount = money.Min(out[i].Invoice.AmountDue(), left)
		left -= out[i].Amount
	}
	return out
}

// containsWord reports whether number is one of the words of text.
func containsWord(text, number string) bool {
	for _, w := range referenceWords(text) {
		if strings.EqualFold(w, number) {
			return true
		}
	}
	return false
}

// exactSet finds the smallest set (2 to maxSetSize) of the oldest maxSetCandidates invoices that
// accept p whose amounts due sum exactly to target, the oldest such set of that size first.
func exactSet(p *Payment, oldest []*Invoice, target money.Amount) []*Invoice {
	var pool []*Invoice
	for _, inv := range oldest {
		if inv.Accepts(p) == nil && inv.AmountDue() < target {
			pool = append(pool, inv)
		}
		if len(pool) == maxSetCandidates {
			break
		}
	}
	for size := 2; size <= maxSetSize; size++ {
		picked := make([]int, 0, size)
		var search func(from int, sum money.Amount) bool
		search = func(from int, sum money.Amount) bool {
			if len(picked) == size {
				return sum == target
			}
			for i := from; i < len(pool); i++ {
				due := pool[i].AmountDue()
				if sum+due > target { // amounts are bounded far below overflow: the sum stays exact
					continue
				}
				picked = append(picked, i)
				if search(i+1, sum+due) {
					return true
				}
				picked = picked[:len(picked)-1]
			}
			return false
		}
		if search(0, 0) {
			set := make([]*Invoice, len(picked))
			for i, k := range picked {
				set[i] = pool[k]
			}
			return set
		}
	}
	return nil
}

// SuggestInvoices proposes invoices for a payment's unallocated money, each with its evidence
// (suggestInvoices): the invoices its hint or reference names, then its customer's open invoices
// whose amount due, alone or in a set, is exactly the money. Errors: ENotFound.
func (s *Service) SuggestInvoices(ctx context.Context, paymentID string) (list []Suggestion, err error) {
	err = s.read(ctx, func(tx Tx) error {
		p, err := tx.Payment(ctx, paymentID)
		if err != nil {
			return err
		}
		if p.DeletedAt != nil {
			return nil
		}
		var named, open []*Invoice
		words := referenceWords(p.InvoiceHint, p.Reference)
		if len(words) > 20 { // a reference is not a list of invoices beyond this
			words = words[:20]
		}
		// One query for every word, as written and upper-cased (payers write "inv-1001" for
		// INV-1001); then only the invoices found are read.
		numbers := slices.Clone(words)
		for _, w := range words {
			if up := strings.ToUpper(w); up != w {
				numbers = append(numbers, up)
			}
		}
		ids, err := tx.InvoiceIDsByNumber(ctx, numbers)
		if err != nil {
			return err
		}
		for _, w := range words {
			id, ok := ids[w]
			if !ok {
				if id, ok = ids[strings.ToUpper(w)]; !ok {
					continue
				}
			}
			inv, err := tx.Invoice(ctx, id)
			if err != nil {
				return err
			}
			named = append(named, inv)
		}
		if p.OrganizationID != "" {
			if open, err = tx.OpenInvoices(ctx, p.OrganizationID, string(p.Currency)); err != nil {
				return err
			}
		}
		list = suggestInvoices(p, named, open)
		return nil
	})
	return list, err
}
