package finapp

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"finapp/money"
)

// Matching rules (SPEC §6.4): what finance staff know that the evidence cannot, written down once
// — "transfers from this IBAN are Acme's", "text starting with PAYROLL is ours". A rule whose
// conditions a line meets proposes the rule's customer, its money applied as the rule says,
// beside the proposals the evidence makes. A rule may apply its proposal by itself (auto_apply),
// but only when the proposal is exact: the money goes to invoices whole, nothing left over and
// nothing written off. Each rule counts the lines its proposals applied.

// Fields a rule's condition may test, and how.
var (
	RuleFields    = []string{"counterparty_name", "counterparty_iban", "text", "reference", "amount"}
	RuleOperators = []string{"equals", "contains", "starts", "regex", "between"}
)

// How a rule applies the money.
const (
	RuleAllocateOldestFirst = "oldest_first" // to the customer's oldest open invoices in the line's currency
	RuleAllocateNone        = "none"         // left unapplied on the customer's payment
)

// EvidenceRule is the evidence of a rule's proposal.
const EvidenceRule = "rule"

// RuleCondition is one test of a bank line.
type RuleCondition struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    string `json:"value"`
	Value2   string `json:"value2,omitempty"` // the upper bound of between
}

// MatchingRule is a rule as saved.
type MatchingRule struct {
	ID             string          `json:"id"` // mr_…
	Name           string          `json:"name"`
	Priority       int             `json:"priority"` // lower first
	Match          string          `json:"match"`    // all or any of the conditions
	Conditions     []RuleCondition `json:"conditions"`
	OrganizationID string          `json:"organization_id"`
	Allocate       string          `json:"allocate"`
	// Settle is how a shortfall of the rule's proposal is settled (the last invoice its money
	// reaches is left short by at most SettleUpTo): AdjustBankFee or AdjustWriteOff (which the
	// workspace's tolerance bounds too); empty leaves the invoice part paid.
	Settle     string    `json:"settle,omitempty"`
	SettleUpTo string    `json:"settle_up_to,omitempty"` // a decimal, in the line's currency
	AutoApply  bool      `json:"auto_apply"`
	Hits       int64     `json:"-"`
	CreatedAt  time.Time `json:"-"`

	compiled []*regexp.Regexp // per condition, for regex
}

// maxRuleConditions bounds a rule; a regular expression is at most maxRulePattern characters (Go's
// expressions run in time linear in the text, so a pattern cannot stall a match).
const (
	maxRuleConditions = 20
	maxRulePattern    = 200
)

// Check checks a rule on its own; each refusal names its field.
func (r *MatchingRule) Check() error {
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || utf8.RuneCountInString(r.Name) > 200 {
		return Invalid("name", "is required, at most 200 characters")
	}
	if r.Priority < 0 || r.Priority > 10_000 {
		return Invalid("priority", "must be between 0 and 10000 (lower first)")
	}
	if r.Match == "" {
		r.Match = "all"
	}
	if r.Match != "all" && r.Match != "any" {
		return Invalid("match", "%q is not all or any", r.Match)
	}
	if len(r.Conditions) == 0 || len(r.Conditions) > maxRuleConditions {
		return Invalid("conditions", "name 1 to %d conditions", maxRuleConditions)
	}
	r.compiled = make([]*regexp.Regexp, len(r.Conditions))
	for i, c := range r.Conditions {
		field := "conditions[" + strconv.Itoa(i) + "]"
		if !slices.Contains(RuleFields, c.Field) {
			return Invalid(field+".field", "%q is not one of %s", c.Field, strings.Join(RuleFields, ", "))
		}
		if !slices.Contains(RuleOperators, c.Operator) {
			return Invalid(field+".operator", "%q is not one of %s", c.Operator, strings.Join(RuleOperators, ", "))
		}
		if err := CheckText(field+".value", c.Value, false); err != nil {
			return err
		}
		if c.Value == "" || utf8.RuneCountInString(c.Value) > maxRulePattern {
			return Invalid(field+".value", "is required, at most %d characters", maxRulePattern)
		}
		switch {
		case c.Field == "amount":
			if c.Operator != "equals" && c.Operator != "between" {
				return Invalid(field+".operator", "an amount is tested with equals or between")
			}
			if !decimalRe.MatchString(c.Value) || (c.Operator == "between" && !decimalRe.MatchString(c.Value2)) {
				return Invalid(field+".value", "amounts are decimal strings such as \"12.50\" (between takes value and value2)")
			}
		case c.Operator == "between":
			return Invalid(field+".operator", "between tests an amount")
		case c.Operator == "regex":
			re, err := regexp.Compile("(?i)" + c.Value)
			if err != nil {
				return Invalid(field+".value", "is not a regular expression: %v", err)
			}
			r.compiled[i] = re
		}
	}
	if r.OrganizationID == "" {
		return Invalid("organization_id", "is required: the customer the rule's lines pay for")
	}
	if r.Allocate == "" {
		r.Allocate = RuleAllocateOldestFirst
	}
	if r.Allocate != RuleAllocateOldestFirst && r.Allocate != RuleAllocateNone {
		return Invalid("allocate", "%q is not %s or %s", r.Allocate, RuleAllocateOldestFirst, RuleAllocateNone)
	}
	switch {
	case r.Settle == "" && r.SettleUpTo != "":
		return Invalid("settle", "is required with settle_up_to: %s or %s", AdjustBankFee, AdjustWriteOff)
	case r.Settle == "":
	case r.Settle != AdjustBankFee && r.Settle != AdjustWriteOff:
		return Invalid("settle", "%q is not %s or %s", r.Settle, AdjustBankFee, AdjustWriteOff)
	case r.Allocate != RuleAllocateOldestFirst:
		return Invalid("settle", "settles what the money leaves short of invoices: it needs allocate %s", RuleAllocateOldestFirst)
	case !decimalRe.MatchString(r.SettleUpTo) || strings.Trim(r.SettleUpTo, "0.") == "":
		return Invalid("settle_up_to", "is required with settle: the largest shortfall settled, a decimal above zero such as \"5.00\"")
	}
	return nil
}

var decimalRe = regexp.MustCompile(`^[0-9]{1,15}(\.[0-9]{1,4})?$`)

// matches reports whether a line meets the rule's conditions, and says how in words.
func (r *MatchingRule) matches(l *BankLine) (bool, string) {
	var met []string
	for i, c := range r.Conditions {
		ok := r.condition(i, c, l)
		if ok {
			met = append(met, fmt.Sprintf("%s %s %q", strings.ReplaceAll(c.Field, "_", " "), c.Operator, c.Value))
		}
		if r.Match == "all" && !ok {
			return false, ""
		}
		if r.Match == "any" && ok {
			break
		}
	}
	if len(met) == 0 {
		return false, ""
	}
	return true, fmt.Sprintf("rule %q: %s", r.Name, strings.Join(met, " and "))
}

func (r *MatchingRule) condition(i int, c RuleCondition, l *BankLine) bool {
	if c.Field == "amount" {
		lo, err := money.ParseNonNegative(c.Value, l.Currency)
		if err != nil {
			return false
		}
		if c.Operator == "equals" {
			return l.Amount == lo
		}
		hi, err := money.ParseNonNegative(c.Value2, l.Currency)
		return err == nil && l.Amount >= lo && l.Amount <= hi
	}
	var text string
	switch c.Field {
	case "counterparty_name":
		text = l.CounterpartyName
	case "counterparty_iban":
		text = l.CounterpartyIBAN
		if c.Operator != "regex" {
			return ibanTest(c.Operator, text, strings.ToUpper(strings.ReplaceAll(c.Value, " ", "")))
		}
	case "text":
		text = strings.Join(append([]string{l.RemittanceText, l.AdditionalInfo}, l.DocumentNumbers...), " ")
	case "reference":
		text = strings.Join([]string{l.EndToEndID, l.StructuredReference, l.EntryReference, l.BankReference}, " ")
	}
	if c.Operator == "regex" {
		return r.compiled[i] != nil && r.compiled[i].MatchString(text)
	}
	return ibanTest(c.Operator, strings.ToUpper(text), strings.ToUpper(c.Value))
}

func ibanTest(op, text, value string) bool {
	switch op {
	case "equals":
		return strings.TrimSpace(text) == value
	case "contains":
		return strings.Contains(text, value)
	case "starts":
		return strings.HasPrefix(strings.TrimSpace(text), value)
	}
	return false
}

// ruleProposals are the proposals of the rules a line meets, in the rules' order; openOf is a
// customer's open invoices in the line's currency, in id order (read with the line's page).
func ruleProposals(ctx context.Context, tx Tx, l *BankLine, rules []*MatchingRule, openOf func(org string) []*Invoice) ([]BankProposal, error) {
	var out []BankProposal
	for _, r := range rules {
		ok, why := r.matches(l)
		if !ok {
			continue
		}
		prop := BankProposal{OrganizationID: r.OrganizationID, RuleID: r.ID, AutoApply: r.AutoApply, Unapplied: l.Amount,
			Evidence: []Evidence{{EvidenceRule, why}}}
		if r.Allocate == RuleAllocateOldestFirst {
			open := slices.Clone(openOf(r.OrganizationID)) // the page's list, shared: sorted apart
			oldestFirst(open)
			for _, inv := range open {
				if prop.Unapplied == 0 {
					break
				}
				if inv.Accepts(lineAsPayment(l, r.OrganizationID)) != nil {
					continue
				}
				amt := money.Min(inv.AmountDue(), prop.Unapplied)
				prop.Allocations = append(prop.Allocations, ProposedAllocation{inv.ID, inv.Number, amt})
				prop.Unapplied -= amt
				if prop.Unapplied == 0 && r.Settle != "" {
					if err := r.settle(ctx, tx, l, inv, amt, &prop); err != nil {
						return nil, err
					}
				}
			}
		}
		out = append(out, prop)
	}
	return out, nil
}

// settle settles what the line's money leaves short of inv, the last invoice it reaches (amt of
// it), as the rule says, when the shortfall is within the rule's bound (and, for a write-off, the
// workspace's tolerance, which applying holds it to).
func (r *MatchingRule) settle(ctx context.Context, tx Tx, l *BankLine, inv *Invoice, amt money.Amount, prop *BankProposal) error {
	short := inv.AmountDue() - amt
	upTo, err := money.ParseNonNegative(r.SettleUpTo, l.Currency)
	if err != nil || short <= 0 || short > upTo {
		return nil // a bound finer than the currency's cents settles nothing
	}
	if r.Settle == AdjustWriteOff {
		tol, err := tx.Tolerances(ctx)
		if err != nil {
			return err
		}
		if short > tol[l.Currency] {
			return nil
		}
	}
	prop.WriteOff, prop.WriteOffKind = &ProposedAllocation{inv.ID, inv.Number, short}, r.Settle
	prop.Evidence = append(prop.Evidence, Evidence{EvidenceRule, fmt.Sprintf("%s short of what %s has due, settled as a %s as rule %q says (up to %s)",
		money.Format(short, l.Currency), inv.Number, strings.ReplaceAll(r.Settle, "_", " "), r.Name, money.Format(upTo, l.Currency))})
	return nil
}

// exact reports whether a proposal applies the money whole to invoices: the only kind a rule may
// apply by itself.
func (p *BankProposal) exact() bool {
	return p.Unapplied == 0 && p.WriteOff == nil && p.PaymentID == "" && len(p.Allocations) > 0
}

// CreateMatchingRule saves a rule. Errors: EInvalid naming the field, ENotFound (the customer,
// as organization_id), EDuplicate (the name), EForbidden.
func (s *Service) CreateMatchingRule(ctx context.Context, r MatchingRule) (*MatchingRule, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx Tx, c *changes) error {
		if _, err := tx.Organization(ctx, r.OrganizationID); err != nil {
			return asField(err, "organization_id")
		}
		if err := uniqueRuleName(ctx, tx, r.Name, ""); err != nil {
			return err
		}
		r.ID, r.CreatedAt = NewID(PrefixMatchingRule), c.now
		c.record("matching_rule.created", "matching_rule", r.ID, nil, r)
		return tx.CreateMatchingRule(ctx, &r)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// UpdateMatchingRule replaces what a rule says (name, priority, conditions, customer, how the
// money goes, auto_apply) and returns it as saved; its id, its hits and when it was written stay.
// Lines it applied stay as they were applied; from the next proposal on, the rule as it now reads
// is the one tried. Errors: those of CreateMatchingRule, and ENotFound (the rule).
func (s *Service) UpdateMatchingRule(ctx context.Context, id string, r MatchingRule) (*MatchingRule, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx Tx, c *changes) error {
		was, err := tx.MatchingRule(ctx, id)
		if err != nil {
			return err
		}
		if _, err := tx.Organization(ctx, r.OrganizationID); err != nil {
			return asField(err, "organization_id")
		}
		if err := uniqueRuleName(ctx, tx, r.Name, id); err != nil {
			return err
		}
		r.ID, r.CreatedAt, r.Hits = was.ID, was.CreatedAt, was.Hits
		c.record("matching_rule.updated", "matching_rule", r.ID, was, r)
		return tx.UpdateMatchingRule(ctx, &r)
	})
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// uniqueRuleName refuses a name another rule than self has (case aside): rules are told apart
// by name on the Rules page and in a proposal's evidence.
func uniqueRuleName(ctx context.Context, tx Tx, name, self string) error {
	rules, err := tx.MatchingRules(ctx)
	if err != nil {
		return err
	}
	for _, o := range rules {
		if o.ID != self && strings.EqualFold(o.Name, name) {
			return &Error{Code: EDuplicate, Field: "name", Message: fmt.Sprintf("a rule is named %q already", o.Name)}
		}
	}
	return nil
}

// MatchingRules lists the workspace's rules in the order they are tried.
func (s *Service) MatchingRules(ctx context.Context) (list []*MatchingRule, err error) {
	err = s.read(ctx, func(tx Tx) error {
		list, err = tx.MatchingRules(ctx)
		return err
	})
	return list, err
}

// GetMatchingRule returns a rule. Errors: ENotFound.
func (s *Service) GetMatchingRule(ctx context.Context, id string) (r *MatchingRule, err error) {
	err = s.read(ctx, func(tx Tx) error {
		r, err = tx.MatchingRule(ctx, id)
		return err
	})
	return r, err
}

// DeleteMatchingRule deletes a rule; lines it applied stay applied. Errors: ENotFound.
func (s *Service) DeleteMatchingRule(ctx context.Context, id string) error {
	return s.write(ctx, func(tx Tx, c *changes) error {
		r, err := tx.MatchingRule(ctx, id)
		if err != nil {
			return err
		}
		c.record("matching_rule.deleted", "matching_rule", r.ID, r, nil)
		return tx.DeleteMatchingRule(ctx, id)
	})
}

// loadRules loads the rules with their expressions compiled, in the order they are tried.
func loadRules(ctx context.Context, tx Tx) ([]*MatchingRule, error) {
	rules, err := tx.MatchingRules(ctx)
	if err != nil {
		return nil, err
	}
	for _, r := range rules {
		if err := r.Check(); err != nil { // saved rules passed it: this compiles them
			return nil, err
		}
	}
	return rules, nil
}
