package finapp

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"finapp/money"
)

// BankCSVTemplate says how one bank writes its CSV statements (SPEC §6.4): there is no standard,
// so finance staff describe each bank once and every file of that bank is read by it. Columns
// are named by their header text, as the bank's file has them.
type BankCSVTemplate struct {
	ID        string // bct_…
	Name      string
	Delimiter string // one character: ",", ";", "\t" or "|"
	HeaderRow int    // the line of the header row, from 1 (banks put an account summary above it)

	DateFormat   string // one of BankCSVDateFormats
	DecimalComma bool   // "1.234,56" rather than "1,234.56"

	Account  string         // the account's IBAN or number, as the books know the bank account
	Currency money.Currency // the account's currency, when no column states one

	// Either AmountColumn (signed: negative is money out) or DebitColumn and CreditColumn (each
	// a positive amount; the one that is filled says the direction).
	AmountColumn string
	DebitColumn  string
	CreditColumn string

	BookingDateColumn   string // required
	ValueDateColumn     string
	CurrencyColumn      string
	CounterpartyColumn  string
	IBANColumn          string
	ReferenceColumn     string   // the payer's reference (structured or end-to-end)
	BankReferenceColumn string   // the bank's unique id of the row, the dedupe key when present
	TextColumns         []string // remittance text, joined by a space in this order
}

// BankCSVDateFormats are the date layouts a template may name.
var BankCSVDateFormats = []string{"YYYY-MM-DD", "DD.MM.YYYY", "DD/MM/YYYY", "MM/DD/YYYY", "YYYYMMDD", "DD-MM-YYYY"}

// BankCSVDateLayout is the Go time layout of a template date format.
func BankCSVDateLayout(format string) string {
	r := strings.NewReplacer("YYYY", "2006", "MM", "01", "DD", "02")
	return r.Replace(format)
}

// Check checks a template by the rules every saved template keeps; each refusal names its field.
func (t *BankCSVTemplate) Check() error {
	t.Name = strings.TrimSpace(t.Name)
	if t.Name == "" {
		return Invalid("name", "is required")
	}
	if utf8.RuneCountInString(t.Name) > 200 {
		return Invalid("name", "is longer than 200 characters")
	}
	if t.Delimiter == "" {
		t.Delimiter = ","
	}
	if !slices.Contains([]string{",", ";", "\t", "|"}, t.Delimiter) {
		return Invalid("delimiter", "%q is not one of \",\", \";\", tab or \"|\"", t.Delimiter)
	}
	if t.HeaderRow == 0 {
		t.HeaderRow = 1
	}
	if t.HeaderRow < 1 || t.HeaderRow > 100 {
		return Invalid("header_row", "must be between 1 and 100")
	}
	if t.DateFormat == "" {
		t.DateFormat = "YYYY-MM-DD"
	}
	if !slices.Contains(BankCSVDateFormats, t.DateFormat) {
		return Invalid("date_format", "%q is not one of %s", t.DateFormat, strings.Join(BankCSVDateFormats, ", "))
	}
	if t.Currency != "" {
		c, err := money.ParseCurrency(string(t.Currency))
		if err != nil {
			return Invalid("currency", "%v", err)
		}
		t.Currency = c
	} else if t.CurrencyColumn == "" {
		return Invalid("currency", "is required when no currency_column is named")
	}
	if t.BookingDateColumn == "" {
		return Invalid("booking_date_column", "is required")
	}
	switch {
	case t.AmountColumn != "" && (t.DebitColumn != "" || t.CreditColumn != ""):
		return Invalid("amount_column", "name either amount_column or debit_column and credit_column, not both")
	case t.AmountColumn == "" && (t.DebitColumn == "" || t.CreditColumn == ""):
		return Invalid("amount_column", "is required, or debit_column and credit_column")
	}
	seen := map[string]string{}
	named := []struct{ field, column string }{
		{"booking_date_column", t.BookingDateColumn}, {"value_date_column", t.ValueDateColumn},
		{"amount_column", t.AmountColumn}, {"debit_column", t.DebitColumn}, {"credit_column", t.CreditColumn},
		{"currency_column", t.CurrencyColumn}, {"counterparty_column", t.CounterpartyColumn},
		{"iban_column", t.IBANColumn}, {"reference_column", t.ReferenceColumn},
		{"bank_reference_column", t.BankReferenceColumn},
	}
	for i, c := range t.TextColumns {
		named = append(named, struct{ field, column string }{"text_columns[" + strconv.Itoa(i) + "]", c})
	}
	for _, n := range named {
		if n.column == "" {
			continue
		}
		if utf8.RuneCountInString(n.column) > 200 {
			return Invalid(n.field, "is longer than 200 characters")
		}
		if other, ok := seen[n.column]; ok && !strings.HasPrefix(n.field, "text_columns") {
			return Invalid(n.field, "column %q is already %s", n.column, other)
		}
		seen[n.column] = n.field
	}
	return nil
}

// CreateBankCSVTemplate saves a template under its name, unique in the workspace. Errors:
// EInvalid naming the field, EDuplicate (the name is taken), EForbidden.
func (s *Service) CreateBankCSVTemplate(ctx context.Context, t BankCSVTemplate) (*BankCSVTemplate, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx Tx, c *changes) error {
		if _, err := tx.BankCSVTemplateByName(ctx, t.Name); err == nil {
			return &Error{Code: EDuplicate, Field: "name", Message: fmt.Sprintf("a template is named %q already", t.Name)}
		} else if ErrorCode(err) != ENotFound {
			return err
		}
		t.ID = NewID(PrefixCSVTemplate)
		c.record("bank_csv_template.created", "bank_csv_template", t.ID, nil, t)
		return tx.CreateBankCSVTemplate(ctx, &t, c.now)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// UpdateBankCSVTemplate replaces what a template says and returns it as saved; its id stays.
// Statements read by it stay as they were read; the next file is read as it now says. Errors:
// those of CreateBankCSVTemplate, and ENotFound (the template).
func (s *Service) UpdateBankCSVTemplate(ctx context.Context, id string, t BankCSVTemplate) (*BankCSVTemplate, error) {
	if err := t.Check(); err != nil {
		return nil, err
	}
	err := s.write(ctx, func(tx Tx, c *changes) error {
		was, err := tx.BankCSVTemplate(ctx, id)
		if err != nil {
			return err
		}
		if other, err := tx.BankCSVTemplateByName(ctx, t.Name); err == nil && other.ID != was.ID {
			return &Error{Code: EDuplicate, Field: "name", Message: fmt.Sprintf("a template is named %q already", t.Name)}
		} else if err != nil && ErrorCode(err) != ENotFound {
			return err
		}
		t.ID = was.ID
		c.record("bank_csv_template.updated", "bank_csv_template", t.ID, was, t)
		return tx.UpdateBankCSVTemplate(ctx, &t)
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// BankCSVTemplate returns a template by its id or its name. Errors: ENotFound.
func (s *Service) BankCSVTemplate(ctx context.Context, idOrName string) (t *BankCSVTemplate, err error) {
	err = s.read(ctx, func(tx Tx) error {
		if strings.HasPrefix(idOrName, PrefixCSVTemplate) {
			if t, err = tx.BankCSVTemplate(ctx, idOrName); ErrorCode(err) != ENotFound {
				return err
			}
		}
		t, err = tx.BankCSVTemplateByName(ctx, idOrName)
		return err
	})
	return t, err
}

// ListBankCSVTemplates lists the workspace's templates by name.
func (s *Service) ListBankCSVTemplates(ctx context.Context) (list []*BankCSVTemplate, err error) {
	err = s.read(ctx, func(tx Tx) error {
		list, err = tx.ListBankCSVTemplates(ctx)
		return err
	})
	return list, err
}

// DeleteBankCSVTemplate deletes a template; statements read by it stay. Errors: ENotFound.
func (s *Service) DeleteBankCSVTemplate(ctx context.Context, id string) error {
	return s.write(ctx, func(tx Tx, c *changes) error {
		t, err := tx.BankCSVTemplate(ctx, id)
		if err != nil {
			return err
		}
		c.record("bank_csv_template.deleted", "bank_csv_template", t.ID, t, nil)
		return tx.DeleteBankCSVTemplate(ctx, id)
	})
}
