package finapp

import (
	"context"
	"fmt"
	"slices"
	"time"

	"finapp/money"
)

// A customer's billing mode (SPEC §6.3).
const (
	BillingPostpaid = "postpaid" // invoiced for what it used; every customer's until set
	BillingPrepaid  = "prepaid"  // spends credit it paid for ahead
)

// maxCreditLimits bounds how many currencies one customer has a credit limit in.
const maxCreditLimits = 50

// CreditSettings are how a customer pays (SPEC §6.3, the organization's payment settings): its
// billing mode, how far below zero its credit may go in each currency (the credit limit), and
// its automatic top-up.
type CreditSettings struct {
	BillingMode  string
	CreditLimits map[money.Currency]money.Amount // a currency left out has none (zero)
	AutoTopUp    AutoTopUp
	UpdatedAt    time.Time // zero while the customer has never had settings of its own
}

// AutoTopUp issues a top-up invoice of Amount when the customer's usable credit in Currency falls
// below Threshold (at most once per customer and day).
type AutoTopUp struct {
	Enabled   bool
	Currency  money.Currency
	Threshold money.Amount
	Amount    money.Amount
}

// DefaultCreditSettings are a customer's until someone sets them: postpaid, no credit limit, no
// automatic top-up.
func DefaultCreditSettings() CreditSettings {
	return CreditSettings{BillingMode: BillingPostpaid, CreditLimits: map[money.Currency]money.Amount{}}
}

// CreditSettingsInput is a customer's payment settings as received (PUT replaces them whole):
// amounts as decimal strings, credit limits by currency code.
type CreditSettingsInput struct {
	BillingMode  string
	CreditLimits map[string]string
	AutoTopUp    AutoTopUpInput
}

// AutoTopUpInput is the automatic top-up as received. Currency defaults to the customer's billing
// currency.
type AutoTopUpInput struct {
	Enabled   bool
	Currency  string
	Threshold string // "" for zero
	Amount    string // required when enabled
}

// check checks the settings of a customer billed in billing and returns them as stored. Errors
// name the field: billing_mode, credit_limit.<CUR>, auto_top_up.<field>.
func (in CreditSettingsInput) check(billing money.Currency) (CreditSettings, error) {
	st := DefaultCreditSettings()
	switch in.BillingMode {
	case BillingPostpaid, BillingPrepaid:
		st.BillingMode = in.BillingMode
	default:
		return st, Invalid("billing_mode", "must be %s or %s", BillingPrepaid, BillingPostpaid)
	}
	if len(in.CreditLimits) > maxCreditLimits {
		return st, Invalid("credit_limit", "has %d currencies; a customer has credit limits in at most %d",
			len(in.CreditLimits), maxCreditLimits)
	}
	codes := make([]string, 0, len(in.CreditLimits))
	for code := range in.CreditLimits {
		codes = append(codes, code)
	}
	slices.Sort(codes) // the first refusal named is the same every time
	for _, code := range codes {
		field := "credit_limit." + code
		c, err := money.ParseCurrency(code)
		if err != nil {
			return st, Invalid(field, "%v", err)
		}
		if st.CreditLimits[c], err = money.ParseNonNegative(in.CreditLimits[code], c); err != nil {
			return st, Invalid(field, "%v", err)
		}
	}
	a := in.AutoTopUp
	st.AutoTopUp.Enabled = a.Enabled
	st.AutoTopUp.Currency = billing
	if a.Currency != "" {
		c, err := money.ParseCurrency(a.Currency)
		if err != nil {
			return st, Invalid("auto_top_up.currency", "%v", err)
		}
		st.AutoTopUp.Currency = c
	}
	c := st.AutoTopUp.Currency
	if a.Threshold != "" {
		t, err := money.ParseNonNegative(a.Threshold, c)
		if err != nil {
			return st, Invalid("auto_top_up.threshold", "%v", err)
		}
		st.AutoTopUp.Threshold = t
	}
	if a.Amount != "" || a.Enabled {
		amt, err := money.Parse(a.Amount, c)
		if err != nil {
			return st, Invalid("auto_top_up.amount", "%v", err)
		}
		st.AutoTopUp.Amount = amt
	}
	if a.Enabled && st.BillingMode != BillingPrepaid {
		return st, Invalid("auto_top_up.enabled", "only a prepaid customer tops up automatically: set billing_mode to %s",
			BillingPrepaid)
	}
	return st, nil
}

// creditSettingsSnapshot is how a customer's settings appear in the audit trail.
func creditSettingsSnapshot(st CreditSettings) map[string]any {
	limits := make(map[string]string, len(st.CreditLimits))
	for c, a := range st.CreditLimits {
		limits[string(c)] = money.Format(a, c)
	}
	top := map[string]any{"enabled": st.AutoTopUp.Enabled}
	if c := st.AutoTopUp.Currency; c != "" {
		top["currency"] = string(c)
		top["threshold"] = money.Format(st.AutoTopUp.Threshold, c)
		top["amount"] = money.Format(st.AutoTopUp.Amount, c)
	}
	return map[string]any{"billing_mode": st.BillingMode, "credit_limit": limits, "auto_top_up": top}
}

// CreditSettings are a customer's payment settings (the defaults until set). Errors: ENotFound.
func (s *Service) CreditSettings(ctx context.Context, orgID string) (st CreditSettings, err error) {
	err = s.read(ctx, func(tx Tx) error {
		if _, err := tx.Organization(ctx, orgID); err != nil {
			return err
		}
		st, err = tx.CreditSettings(ctx, orgID)
		return err
	})
	return st, err
}

// SetCreditSettings replaces a customer's payment settings (finance or admin), audited with what
// they were and what they are: a credit limit is a decision about risk that someone answers for.
// Errors: EInvalid (naming the field), ENotFound, EForbidden.
func (s *Service) SetCreditSettings(ctx context.Context, orgID string, in CreditSettingsInput) (st CreditSettings, err error) {
	err = s.write(ctx, func(tx Tx, c *changes) error {
		org, err := tx.Organization(ctx, orgID)
		if err != nil {
			return err
		}
		if st, err = in.check(org.BillingCurrency); err != nil {
			return err
		}
		figures, err := loadCredit(ctx, tx, orgID, c.now) // and locked
		if err != nil {
			return err
		}
		for _, f := range figures {
			// A limit may be lowered to what the customer uses, not below: nothing may leave usable
			// credit below zero (verify checks it), and what is reserved is already promised.
			if used := f.Reserved.Sub(f.Balance); used.Cmp(money.SumOf(st.CreditLimits[f.Currency])) > 0 {
				return &Error{Code: EInsufficientCredit, Field: "credit_limit." + string(f.Currency), Message: fmt.Sprintf(
					"the customer uses %s of credit beyond its balance (reserved %s, balance %s): the limit may not be lower",
					used.Format(f.Currency), f.Reserved.Format(f.Currency), f.Balance.Format(f.Currency))}
			}
		}
		before, err := tx.CreditSettings(ctx, orgID)
		if err != nil {
			return err
		}
		st.UpdatedAt = c.now
		if err := tx.SetCreditSettings(ctx, orgID, st); err != nil {
			return err
		}
		// Its own entity, not "organization": replay reads an organization's events as snapshots
		// of the organization itself.
		c.record("organization.settings_updated", "organization_settings", orgID,
			creditSettingsSnapshot(before), creditSettingsSnapshot(st))
		return nil
	})
	return st, err
}
