package beancount

import (
	"strings"
	"testing"

	"finapp"
	"finapp/money"
)

func TestComponent(t *testing.T) {
	for in, want := range map[string]string{
		"bank_transfer":           "Bank-Transfer",
		"Acme: Telecom; Pte  Ltd": "Acme-Telecom-Pte-Ltd",
		"Société Générale":        "Societe-Generale",
		"株式会社":                    "",
		"3 Rivers":                "3-Rivers",
		"  --x":                   "X",
		"receivable":              "Receivable",
	} {
		if got := component(in); got != want {
			t.Errorf("component(%q) = %q, want %q", in, got, want)
		}
	}
}

// A customer whose name leaves nothing is named by its id; two of one name are told apart.
func TestAccountNames(t *testing.T) {
	var b strings.Builder
	w := NewWriter(&b)
	accounts := []finapp.ExportAccount{
		{Account: "receivable:org_a", Class: finapp.ClassAssets, Kind: "receivable", OrganizationID: "org_a", OrganizationName: "株式会社", Currencies: []money.Currency{"JPY"}},
		{Account: "receivable:org_b", Class: finapp.ClassAssets, Kind: "receivable", OrganizationID: "org_b", OrganizationName: "Twin", Currencies: []money.Currency{"SGD"}},
		{Account: "receivable:org_c", Class: finapp.ClassAssets, Kind: "receivable", OrganizationID: "org_c", OrganizationName: "Twin", Currencies: []money.Currency{"SGD"}},
	}
	if err := w.Begin(accounts, nil); err != nil {
		t.Fatal(err)
	}
	_ = w.End()
	for _, want := range []string{"open Assets:Receivable:Org-A JPY", "open Assets:Receivable:Twin-B SGD", "open Assets:Receivable:Twin-C SGD"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("no %q in\n%s", want, b.String())
		}
	}
}
