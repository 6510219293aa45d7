package finapp

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"

	"finapp/money"
)

// Matching a bank line (SPEC §6.4): proposals, each a way to apply the line with the evidence for
// it; people decide. A line is matched as an unassigned payment of its money would be
// (suggestInvoices, the payment page's engine), once for each customer the line's evidence points
// to, with what only a bank line has on top: its structured reference, an RF reference, the IBAN
// it came from, and a payment someone already recorded by hand.

// ProposedAllocation is money of the line a proposal applies to an invoice.
type ProposedAllocation struct {
	InvoiceID     string
	InvoiceNumber string
	Amount        money.Amount
}

// BankProposal is one way to apply a bank line: record its money as a payment of a customer and
// apply it to invoices (a short payment within the workspace's tolerance written off), or link
// the payment someone recorded by hand.
type BankProposal struct {
	// ID names the proposal by what it does: the same line and books propose the same id, so an
	// apply naming a proposal the books no longer make is refused rather than guessed.
	ID             string
	OrganizationID string
	PaymentID      string // link this recorded payment instead of recording one
	Allocations    []ProposedAllocation
	WriteOff       *ProposedAllocation // the shortfall of a short payment, settled without money
	WriteOffKind   string              // how WriteOff is settled: AdjustWriteOff, or AdjustBankFee by a rule's say
	Unapplied      money.Amount        // what stays unapplied on the customer's payment
	Evidence       []Evidence
	Score          int    // ranks proposals: the sum of the weights of its kinds of evidence
	RuleID         string // the matching rule that made it, if one did
	ReversesLineID string // a reversal's proposal: the applied line it returns
	AutoApply      bool   // its rule applies it by itself when it is exact
}

// evidenceWeight ranks kinds of evidence: a reference made for finapp beats one a person typed,
// which beats who paid, which beats an amount that happens to fit.
var evidenceWeight = map[string]int{
	EvidenceRecordedPayment: 200, EvidenceRFReference: 120, EvidenceStructuredReference: 100, EvidenceNumberInText: 60,
	EvidenceAmountEqualsDue: 40, EvidenceIBANKnown: 30, EvidenceSetSumsToAmount: 30, EvidenceWithinTolerance: 10,
	EvidenceRule: 80, EvidenceReversal: 150,
}

// recordedPaymentDays is how far apart a payment's received date and a line's booking date may
// be for the one to be proposed as the other: a payment typed in from a remittance advice is
// usually dated a day or two before the bank books it.
const recordedPaymentDays = 5

// maxLineWords bounds the words of a line looked up as invoice numbers.
const maxLineWords = 40

// proposable reports whether a line is one matching proposes for: booked money in, or a booked
// reversal, not decided.
func (l *BankLine) proposable() bool {
	return (l.Credit || l.Reversal) && l.EntryStatus == EntryBooked && (l.Status == BankLineUnmatched || l.Status == BankLineProposed)
}

// rfReferences finds ISO 11649 references in what the payer wrote, also printed in groups of
// four ("RF18 5390 0754 7034"), with right check digits.
func rfReferences(texts ...string) []string {
	var out []string
	for _, t := range texts {
		words := strings.Fields(strings.ToUpper(t))
		for i, w := range words {
			if !strings.HasPrefix(w, "RF") {
				continue
			}
			joined := ""
			for j := i; j < len(words) && j < i+7; j++ {
				joined += words[j]
				if body, ok := ParseCreditorReference(joined); ok && !slices.Contains(out, body) {
					out = append(out, body)
					break
				}
			}
		}
	}
	return out
}

// lineAsPayment is the payment applying the line would record for a customer.
func lineAsPayment(l *BankLine, orgID string) *Payment {
	return &Payment{OrganizationID: orgID, Amount: l.Amount, Currency: l.Currency, ReceivedOn: l.BookingDate, Method: "bank_transfer",
		Reference: l.paymentReference(), InvoiceHint: strings.Join(append([]string{l.RemittanceText, l.StructuredReference}, l.DocumentNumbers...), " ")}
}

// paymentReference is the reference a payment recorded from the line carries: the payer's own
// (end-to-end id), else the bank's.
func (l *BankLine) paymentReference() string {
	ref := cmp.Or(l.EndToEndID, l.BankReference, l.EntryReference)
	if len([]rune(ref)) > 200 {
		ref = string([]rune(ref)[:200])
	}
	return ref
}

// proposeBankLines makes the proposals of each proposable line, best first, by line id. What the
// books say about the lines is read for all of them at once (pageBooks): a page of 500 lines
// costs a few queries, not a few for each line. A line's proposals are what they would be if it
// were matched alone.
func proposeBankLines(ctx context.Context, tx Tx, lines []*BankLine, tolerances map[money.Currency]money.Amount,
	rules []*MatchingRule) (map[string][]BankProposal, error) {
	out := make(map[string][]BankProposal, len(lines))
	var credits []*lineRefs
	for _, l := range lines {
		if !l.proposable() {
			continue
		}
		if l.Reversal {
			list, err := reversalProposals(ctx, tx, l)
			if err != nil {
				return nil, err
			}
			out[l.ID] = list
			continue
		}
		credits = append(credits, refsOf(l))
	}
	if len(credits) == 0 {
		return out, nil
	}
	books, err := readPageBooks(ctx, tx, credits, rules)
	if err != nil {
		return nil, err
	}
	for _, r := range credits {
		if out[r.line.ID], err = proposeLine(ctx, tx, r, books, tolerances, rules); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// lineRefs is what of a line is looked up in the books, and what the lookups found.
type lineRefs struct {
	line       *BankLine
	words      []string // the words of its text and references that may be invoice numbers
	lookup     []string // words, and those not in capitals in capitals too
	structured []string // the words of the bank's structured reference and referred documents
	bodies     []string // the creditor references (their bodies) it quotes
	// Found (by names): the invoices it names and the evidence beyond suggestInvoices' own, and
	// the customers it points to, ibanOrg the one its IBAN paid for before.
	named     map[string]*Invoice
	why       map[string][]Evidence
	customers []string
	ibanOrg   string
}

func refsOf(l *BankLine) *lineRefs {
	r := &lineRefs{line: l}
	r.structured = append(referenceWords(l.StructuredReference), l.DocumentNumbers...)
	r.words = referenceWords(l.RemittanceText, l.EndToEndID, l.EntryReference, l.StructuredReference)
	r.words = append(r.words, l.DocumentNumbers...)
	if len(r.words) > maxLineWords {
		r.words = r.words[:maxLineWords]
	}
	r.lookup = slices.Clone(r.words)
	for _, w := range r.words {
		if up := strings.ToUpper(w); up != w {
			r.lookup = append(r.lookup, up)
		}
	}
	r.bodies = rfReferences(l.StructuredReference, l.RemittanceText, l.EndToEndID)
	return r
}

// pageBooks is what the books say about a page of lines, read in a few queries for all of them.
type pageBooks struct {
	idsByNumber map[string]string     // invoice number → id
	idsByRFBody map[string][]string   // creditor reference body → invoice ids
	invoices    map[string]*Invoice   // the invoices those name, by id
	orgByIBAN   map[string]string     // IBAN → the customer it paid for before
	open        map[string][]*Invoice // currency+" "+customer → its open invoices in the currency
	// payments are the live unlinked payments of the lines' amounts received around their
	// booking dates, by currency, in id order.
	payments map[money.Currency][]*Payment
}

// readPageBooks reads what the lines' proposals need and finds (names) what each line names; the
// open invoices read are those of the customers the lines point to and of the rules they meet.
func readPageBooks(ctx context.Context, tx Tx, lines []*lineRefs, rules []*MatchingRule) (*pageBooks, error) {
	b := &pageBooks{invoices: map[string]*Invoice{}, open: map[string][]*Invoice{}, payments: map[money.Currency][]*Payment{}}
	var lookup, bodies, ibans []string
	type window struct {
		amounts  []money.Amount
		from, to string
	}
	windows := map[money.Currency]*window{}
	for _, r := range lines {
		l := r.line
		lookup = append(lookup, r.lookup...)
		bodies = append(bodies, r.bodies...)
		if l.CounterpartyIBAN != "" {
			ibans = append(ibans, l.CounterpartyIBAN)
		}
		if from, to, ok := recordedPaymentWindow(l); ok {
			w := windows[l.Currency]
			if w == nil {
				w = &window{from: from, to: to}
				windows[l.Currency] = w
			}
			w.amounts = append(w.amounts, l.Amount)
			w.from, w.to = min(w.from, from), max(w.to, to)
		}
	}
	var err error
	if b.idsByNumber, err = tx.InvoiceIDsByNumber(ctx, distinctValues(lookup)); err != nil {
		return nil, err
	}
	if b.idsByRFBody = map[string][]string{}; len(bodies) > 0 {
		if b.idsByRFBody, err = tx.InvoiceIDsByRFBody(ctx, distinctValues(bodies)); err != nil {
			return nil, err
		}
	}
	var ids []string
	for _, id := range b.idsByNumber {
		ids = append(ids, id)
	}
	for _, list := range b.idsByRFBody {
		ids = append(ids, list...)
	}
	ids = distinctValues(ids)
	for len(ids) > 0 {
		part := ids[:min(len(ids), 1000)]
		ids = ids[len(part):]
		list, err := tx.Invoices(ctx, part)
		if err != nil {
			return nil, err
		}
		for _, inv := range list {
			b.invoices[inv.ID] = inv
		}
	}
	if b.orgByIBAN = map[string]string{}; len(ibans) > 0 {
		if b.orgByIBAN, err = tx.OrganizationsByIBAN(ctx, distinctValues(ibans)); err != nil {
			return nil, err
		}
	}
	for cur, w := range windows {
		if b.payments[cur], err = tx.UnlinkedPayments(ctx, cur, distinctValues(w.amounts), w.from, w.to); err != nil {
			return nil, err
		}
	}
	customers := map[money.Currency][]string{}
	for _, r := range lines {
		if err := r.names(b); err != nil {
			return nil, err
		}
		customers[r.line.Currency] = append(customers[r.line.Currency], r.customers...)
		for _, rule := range rules {
			if ok, _ := rule.matches(r.line); ok && rule.Allocate == RuleAllocateOldestFirst {
				customers[r.line.Currency] = append(customers[r.line.Currency], rule.OrganizationID)
			}
		}
	}
	for cur, orgs := range customers {
		open, err := tx.OpenInvoicesOfOrganizations(ctx, distinctValues(orgs), string(cur))
		if err != nil {
			return nil, err
		}
		for org, list := range open {
			b.open[string(cur)+" "+org] = list
		}
	}
	return b, nil
}

// distinctValues is list without repetitions, in the order first seen.
func distinctValues[T comparable](list []T) []T {
	seen := make(map[T]bool, len(list))
	return slices.DeleteFunc(list, func(v T) bool {
		if seen[v] {
			return true
		}
		seen[v] = true
		return false
	})
}

// names finds the invoices the line names, and how, and the customers it points to: those of
// the invoices it names, and the one its IBAN paid for before.
func (r *lineRefs) names(b *pageBooks) error {
	l := r.line
	r.named, r.why = map[string]*Invoice{}, map[string][]Evidence{}
	load := func(id string) (*Invoice, error) {
		inv := b.invoices[id]
		if inv == nil {
			return nil, Errorf(ENotFound, "invoice %s not found", id)
		}
		r.named[id] = inv
		return inv, nil
	}
	for _, w := range r.words {
		id, ok := b.idsByNumber[w]
		if !ok {
			if id, ok = b.idsByNumber[strings.ToUpper(w)]; !ok {
				continue
			}
		}
		inv, err := load(id)
		if err != nil {
			return err
		}
		if slices.ContainsFunc(r.structured, func(s string) bool { return strings.EqualFold(s, inv.Number) }) {
			r.why[id] = append(r.why[id], Evidence{EvidenceStructuredReference, inv.Number + " is the document the bank's structured reference names"})
		}
	}
	for _, body := range r.bodies {
		for _, id := range b.idsByRFBody[body] {
			inv, err := load(id)
			if err != nil {
				return err
			}
			r.why[id] = append(r.why[id], Evidence{EvidenceRFReference, fmt.Sprintf("the payer quoted %s, the creditor reference of %s",
				FormatCreditorReference(CreditorReference(inv.Number)), inv.Number)})
		}
	}
	r.customers = nil
	for _, inv := range sortedInvoices(r.named) {
		if inv.Currency == l.Currency && !slices.Contains(r.customers, inv.OrganizationID) {
			r.customers = append(r.customers, inv.OrganizationID)
		}
	}
	r.ibanOrg = ""
	if l.CounterpartyIBAN != "" {
		if r.ibanOrg = b.orgByIBAN[l.CounterpartyIBAN]; r.ibanOrg != "" && !slices.Contains(r.customers, r.ibanOrg) {
			r.customers = append(r.customers, r.ibanOrg)
		}
	}
	return nil
}

// proposeLine makes the proposals of a line that is money in, best first, from the books of its
// page (its names found).
func proposeLine(ctx context.Context, tx Tx, r *lineRefs, b *pageBooks, tolerances map[money.Currency]money.Amount,
	rules []*MatchingRule) ([]BankProposal, error) {
	l := r.line
	out := recordedPaymentProposals(l, b.payments[l.Currency])
	byRule, err := ruleProposals(ctx, tx, l, rules, func(org string) []*Invoice { return b.open[string(l.Currency)+" "+org] })
	if err != nil {
		return nil, err
	}
	out = append(out, byRule...)

	named, why := r.named, r.why
	for _, org := range r.customers {
		p := lineAsPayment(l, org)
		var mine []*Invoice
		for _, inv := range sortedInvoices(named) {
			if inv.OrganizationID == org {
				mine = append(mine, inv)
			}
		}
		open := b.open[string(l.Currency)+" "+org]
		prop := BankProposal{OrganizationID: org, Unapplied: l.Amount}
		if org == r.ibanOrg {
			prop.Evidence = append(prop.Evidence, Evidence{EvidenceIBANKnown, "the payer's account " + l.CounterpartyIBAN + " paid this customer before"})
		}
		for _, sg := range proposedInvoices(p, mine, open) {
			prop.Evidence = append(prop.Evidence, why[sg.Invoice.ID]...)
			prop.Evidence = append(prop.Evidence, sg.Evidence...)
			prop.Allocations = append(prop.Allocations, ProposedAllocation{sg.Invoice.ID, sg.Invoice.Number, sg.Amount})
			prop.Unapplied -= sg.Amount
		}
		if len(prop.Allocations) == 1 && prop.Unapplied == 0 {
			a := prop.Allocations[0]
			inv := named[a.InvoiceID]
			if inv == nil {
				inv = findInvoice(open, a.InvoiceID)
			}
			if short := inv.AmountDue() - a.Amount; short > 0 && short <= tolerances[l.Currency] {
				prop.WriteOff, prop.WriteOffKind = &ProposedAllocation{inv.ID, inv.Number, short}, AdjustWriteOff
				prop.Evidence = append(prop.Evidence, Evidence{EvidenceWithinTolerance, fmt.Sprintf("%s short of what %s has due, within the %s %s tolerated: written off",
					money.Format(short, l.Currency), inv.Number, money.Format(tolerances[l.Currency], l.Currency), l.Currency)})
			}
		}
		if len(prop.Evidence) == 0 {
			continue
		}
		out = append(out, prop)
	}
	for i := range out {
		out[i].Evidence = uniqueEvidence(out[i].Evidence)
		out[i].Score = proposalScore(out[i].Evidence)
		out[i].ID = proposalID(l, &out[i])
	}
	slices.SortStableFunc(out, func(a, b BankProposal) int { return b.Score - a.Score })
	return out, nil
}

// proposedInvoices is what the payment engine suggests for the line's money as a payment of the
// customer, kept to the invoices the line names when it names any (an amount that happens to fit
// another invoice is no reason to split a payment the payer meant for these), each given what
// is left of the money in turn; an invoice left nothing is not proposed.
func proposedInvoices(p *Payment, named, open []*Invoice) []Suggestion {
	all := suggestInvoices(p, named, open)
	var out []Suggestion
	left := p.Amount
	setBroken := false // a member of the set that sums to the money is not proposed
	for _, sg := range all {
		if len(named) > 0 && findInvoice(named, sg.Invoice.ID) == nil {
			setBroken = setBroken || hasEvidence(sg.Evidence, EvidenceSetSumsToAmount)
			continue
		}
		if sg.Amount = money.Min(sg.Invoice.AmountDue(), left); sg.Amount == 0 {
			setBroken = setBroken || hasEvidence(sg.Evidence, EvidenceSetSumsToAmount)
			continue
		}
		left -= sg.Amount
		out = append(out, sg)
	}
	if setBroken {
		for i := range out {
			out[i].Evidence = slices.DeleteFunc(slices.Clone(out[i].Evidence), func(e Evidence) bool { return e.Kind == EvidenceSetSumsToAmount })
		}
	}
	return out
}

func hasEvidence(list []Evidence, kind string) bool {
	return slices.ContainsFunc(list, func(e Evidence) bool { return e.Kind == kind })
}

// reversalProposals propose, for a reversal (a returned payment), undoing what the line it returns
// created: an applied line of the other direction and the same money, the same payer's reference
// or account first.
func reversalProposals(ctx context.Context, tx Tx, l *BankLine) ([]BankProposal, error) {
	cands, err := tx.ReversibleLines(ctx, l.BankAccountID, l.Currency, l.Amount, !l.Credit, l.BookingDate)
	if err != nil {
		return nil, err
	}
	var out []BankProposal
	for _, o := range cands {
		ev := []Evidence{{EvidenceReversal, fmt.Sprintf("the bank returns %s %s of line %s, booked %s", money.Format(l.Amount, l.Currency),
			l.Currency, o.ID, o.BookingDate)}}
		if l.EndToEndID != "" && l.EndToEndID == o.EndToEndID {
			ev = append(ev, Evidence{EvidenceReversal, "the payer's reference " + l.EndToEndID + " is the same"})
		} else if l.CounterpartyIBAN != "" && l.CounterpartyIBAN == o.CounterpartyIBAN {
			ev = append(ev, Evidence{EvidenceReversal, "from the same account " + l.CounterpartyIBAN})
		} else if l.EndToEndID != "" || l.CounterpartyIBAN != "" {
			continue // the reversal names its payer, and this is another's
		}
		p := BankProposal{ReversesLineID: o.ID, PaymentID: "", Evidence: ev, Score: evidenceWeight[EvidenceReversal] + len(ev)}
		p.ID = proposalID(l, &p)
		out = append(out, p)
	}
	slices.SortStableFunc(out, func(a, b BankProposal) int { return b.Score - a.Score })
	return out, nil
}

// recordedPaymentWindow is the days (from, to, inclusive) in which a payment recorded by hand may
// have been received to be the line's; not ok when the line's booking date is not a date.
func recordedPaymentWindow(l *BankLine) (from, to string, ok bool) {
	day, err := time.Parse("2006-01-02", l.BookingDate)
	if err != nil {
		return "", "", false
	}
	return day.AddDate(0, 0, -recordedPaymentDays).Format("2006-01-02"), day.AddDate(0, 0, recordedPaymentDays).Format("2006-01-02"), true
}

// recordedPaymentProposals proposes linking a payment someone recorded by hand: the same money,
// a reference the line carries, received within a few days of the booking. unlinked are live
// payments of the line's currency no line is linked to, in id order (UnlinkedPayments), of
// any money and days: those of the line's money and days whose reference it carries are offered.
func recordedPaymentProposals(l *BankLine, unlinked []*Payment) []BankProposal {
	from, to, ok := recordedPaymentWindow(l)
	if !ok {
		return nil
	}
	words := referenceWords(l.RemittanceText, l.EndToEndID, l.EntryReference, l.BankReference, l.StructuredReference)
	var out []BankProposal
	for _, p := range unlinked {
		if p.Currency != l.Currency || p.Amount != l.Amount || p.ReceivedOn < from || p.ReceivedOn > to {
			continue
		}
		ref := strings.TrimSpace(p.Reference)
		if ref == "" || !(slices.ContainsFunc(words, func(w string) bool { return strings.EqualFold(w, ref) }) ||
			strings.Contains(strings.ToUpper(l.RemittanceText), strings.ToUpper(ref))) {
			continue
		}
		out = append(out, BankProposal{OrganizationID: p.OrganizationID, PaymentID: p.ID, Evidence: []Evidence{{EvidenceRecordedPayment,
			fmt.Sprintf("payment %s of %s %s received %s with reference %q was recorded by hand: link it, do not record it twice",
				p.ID, money.Format(p.Amount, p.Currency), p.Currency, p.ReceivedOn, p.Reference)}}})
	}
	return out
}

func sortedInvoices(m map[string]*Invoice) []*Invoice {
	out := make([]*Invoice, 0, len(m))
	for _, inv := range m {
		out = append(out, inv)
	}
	slices.SortFunc(out, func(a, b *Invoice) int { return strings.Compare(a.ID, b.ID) })
	return out
}

func findInvoice(list []*Invoice, id string) *Invoice {
	for _, inv := range list {
		if inv.ID == id {
			return inv
		}
	}
	return nil
}

func uniqueEvidence(list []Evidence) []Evidence {
	var out []Evidence
	for _, e := range list {
		if !slices.Contains(out, e) {
			out = append(out, e)
		}
	}
	slices.SortStableFunc(out, func(a, b Evidence) int { return evidenceWeight[b.Kind] - evidenceWeight[a.Kind] })
	return out
}

func proposalScore(list []Evidence) int {
	seen := map[string]bool{}
	score := 0
	for _, e := range list {
		if !seen[e.Kind] {
			seen[e.Kind] = true
			score += evidenceWeight[e.Kind]
		}
	}
	return score
}

// proposalID names a proposal by the line and what applying it would do.
func proposalID(l *BankLine, p *BankProposal) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s|%s|%s|%s|%s|%d", l.ID, p.RuleID, p.ReversesLineID, p.OrganizationID, p.PaymentID, p.Unapplied)
	for _, a := range p.Allocations {
		fmt.Fprintf(h, "|%s:%d", a.InvoiceID, a.Amount)
	}
	if p.WriteOff != nil {
		fmt.Fprintf(h, "|w%s:%d", p.WriteOff.InvoiceID, p.WriteOff.Amount)
		if p.WriteOffKind != AdjustWriteOff {
			fmt.Fprintf(h, ":%s", p.WriteOffKind)
		}
	}
	return "bp_" + hex.EncodeToString(h.Sum(nil))[:24]
}
