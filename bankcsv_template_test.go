package finapp_test

import (
	"strings"
	"testing"

	"finapp"
)

// A template is edited in place: its id stays, it can be found by its new name and not by its
// old one, the audit trail keeps what it said before, and an edit is refused as a new template
// would be (a name another has, a check it fails), changing nothing.
func TestUpdateBankCSVTemplate(t *testing.T) {
	svc, ctx := bankContext(t)
	tpl, err := svc.CreateBankCSVTemplate(ctx, finapp.BankCSVTemplate{Name: "City Bank", Account: "DE89370400440532013000", Currency: "EUR",
		AmountColumn: "Betrag", BookingDateColumn: "Buchungstag"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.CreateBankCSVTemplate(ctx, finapp.BankCSVTemplate{Name: "Other Bank", Account: "X-1", Currency: "EUR",
		AmountColumn: "Amount", BookingDateColumn: "Date"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, field, code string
		edit              func(t *finapp.BankCSVTemplate)
	}{
		{"another template's name", "name", finapp.EDuplicate, func(t *finapp.BankCSVTemplate) { t.Name = "Other Bank" }},
		{"one column for two things", "credit_column", finapp.EInvalid, func(t *finapp.BankCSVTemplate) {
			t.AmountColumn, t.DebitColumn, t.CreditColumn = "", "Betrag", "Betrag"
		}},
	} {
		edited := *tpl
		c.edit(&edited)
		if _, err := svc.UpdateBankCSVTemplate(ctx, tpl.ID, edited); finapp.ErrorField(err) != c.field || finapp.ErrorCode(err) != c.code {
			t.Errorf("%s: %v, want %s on %s", c.name, err, c.code, c.field)
		}
	}
	if _, err := svc.UpdateBankCSVTemplate(ctx, "csv_nothing", *tpl); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Errorf("a template that is not there: %v", err)
	}
	edited := *tpl
	edited.Name, edited.Delimiter, edited.DecimalComma = "City Bank (Girokonto)", ";", true
	got, err := svc.UpdateBankCSVTemplate(ctx, tpl.ID, edited)
	if err != nil || got.ID != tpl.ID {
		t.Fatalf("edit: %+v %v", got, err)
	}
	if byName, err := svc.BankCSVTemplate(ctx, "City Bank (Girokonto)"); err != nil || byName.ID != tpl.ID || byName.Delimiter != ";" || !byName.DecimalComma {
		t.Fatalf("by its new name: %+v %v", byName, err)
	}
	if _, err := svc.BankCSVTemplate(ctx, "City Bank"); finapp.ErrorCode(err) != finapp.ENotFound {
		t.Fatalf("by its old name: %v", err)
	}
	trail, _, err := svc.ListAudit(ctx, finapp.AuditFilter{EntityID: tpl.ID, Limit: 10})
	if err != nil || len(trail) != 2 || trail[0].Action != "bank_csv_template.updated" || !strings.Contains(trail[0].Before, `"City Bank"`) {
		t.Fatalf("audit trail %+v %v, want the edit with the template before", trail, err)
	}
}
