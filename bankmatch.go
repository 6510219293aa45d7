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

// proposeBankLine makes the proposals of a line, best first.
func proposeBankLine(ctx context.Context, tx Tx, l *BankLine, tolerances map[money.Currency]money.Amount,
	rules []*MatchingRule) ([]BankProposal, error) {
	if !l.proposable() {
		return nil, nil
	}
	if l.Reversal {
		return reversalProposals(ctx, tx, l)
	}
	var out []BankProposal
	linked, err := recordedPaymentProposals(ctx, tx, l)
	if err != nil {
		return nil, err
	}
	out = append(out, linked...)
	byRule, err := ruleProposals(ctx, tx, l, rules)
	if err != nil {
		return nil, err
	}
	out = append(out, byRule...)

	// The invoices the line names, and how.
	why := map[string][]Evidence{} // invoice id → evidence beyond suggestInvoices' own
	named := map[string]*Invoice{}
	structured := append(referenceWords(l.StructuredReference), l.DocumentNumbers...)
	words := referenceWords(l.RemittanceText, l.EndToEndID, l.EntryReference, l.StructuredReference)
	words = append(words, l.DocumentNumbers...)
	if len(words) > maxLineWords {
		words = words[:maxLineWords]
	}
	lookup := slices.Clone(words)
	for _, w := range words {
		if up := strings.ToUpper(w); up != w {
			lookup = append(lookup, up)
		}
	}
	ids, err := tx.InvoiceIDsByNumber(ctx, lookup)
	if err != nil {
		return nil, err
	}
	load := func(id string) (*Invoice, error) {
		if inv := named[id]; inv != nil {
			return inv, nil
		}
		inv, err := tx.Invoice(ctx, id)
		if err == nil {
			named[id] = inv
		}
		return inv, err
	}
	for _, w := range words {
		id, ok := ids[w]
		if !ok {
			if id, ok = ids[strings.ToUpper(w)]; !ok {
				continue
			}
		}
		inv, err := load(id)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(structured, func(s string) bool { return strings.EqualFold(s, inv.Number) }) {
			why[id] = append(why[id], Evidence{EvidenceStructuredReference, inv.Number + " is the document the bank's structured reference names"})
		}
	}
	if bodies := rfReferences(l.StructuredReference, l.RemittanceText, l.EndToEndID); len(bodies) > 0 {
		byBody, err := tx.InvoiceIDsByRFBody(ctx, bodies)
		if err != nil {
			return nil, err
		}
		for _, b := range bodies {
			for _, id := range byBody[b] {
				inv, err := load(id)
				if err != nil {
					return nil, err
				}
				why[id] = append(why[id], Evidence{EvidenceRFReference, fmt.Sprintf("the payer quoted %s, the creditor reference of %s",
					FormatCreditorReference(CreditorReference(inv.Number)), inv.Number)})
			}
		}
	}

	// The customers the line points to: those of the invoices it names, and the one its IBAN
	// paid for before.
	var customers []string
	for _, inv := range sortedInvoices(named) {
		if inv.Currency == l.Currency && !slices.Contains(customers, inv.OrganizationID) {
			customers = append(customers, inv.OrganizationID)
		}
	}
	ibanOrg := ""
	if l.CounterpartyIBAN != "" {
		if ibanOrg, err = tx.OrganizationByIBAN(ctx, l.CounterpartyIBAN); err != nil {
			return nil, err
		}
		if ibanOrg != "" && !slices.Contains(customers, ibanOrg) {
			customers = append(customers, ibanOrg)
		}
	}
	for _, org := range customers {
		p := lineAsPayment(l, org)
		var mine []*Invoice
		for _, inv := range sortedInvoices(named) {
			if inv.OrganizationID == org {
				mine = append(mine, inv)
			}
		}
		open, err := tx.OpenInvoices(ctx, org, string(l.Currency))
		if err != nil {
			return nil, err
		}
		prop := BankProposal{OrganizationID: org, Unapplied: l.Amount}
		if org == ibanOrg {
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

// recordedPaymentProposals proposes linking a payment someone recorded by hand: the same money,
// a reference the line carries, received within a few days of the booking.
func recordedPaymentProposals(ctx context.Context, tx Tx, l *BankLine) ([]BankProposal, error) {
	day, err := time.Parse("2006-01-02", l.BookingDate)
	if err != nil {
		return nil, nil
	}
	from := day.AddDate(0, 0, -recordedPaymentDays).Format("2006-01-02")
	to := day.AddDate(0, 0, recordedPaymentDays).Format("2006-01-02")
	ids, err := tx.UnlinkedPaymentIDs(ctx, l.Currency, l.Amount, from, to)
	if err != nil {
		return nil, err
	}
	words := referenceWords(l.RemittanceText, l.EndToEndID, l.EntryReference, l.BankReference, l.StructuredReference)
	var out []BankProposal
	for _, id := range ids {
		p, err := tx.Payment(ctx, id)
		if err != nil {
			return nil, err
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
	return out, nil
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
