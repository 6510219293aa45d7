package finapp

import "testing"

// The use cases hold stored text to the same rules as the edges, so that text arriving by the
// command line or an imported file (which pass no HTTP middleware) cannot store a control
// character either: names, numbers, references and hints on one line, a remark on several.
func TestStoredText_KeepsTheEdgeRulesWhateverTheRoad(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		ok   bool
	}{
		{"organization name with NUL", func() error {
			_, err := (OrganizationCreate{Name: "Acme\x00", BillingCurrency: "SGD"}).Validate()
			return err
		}(), false},
		{"organization name with a line break", func() error {
			_, err := (OrganizationCreate{Name: "Acme\nLtd", BillingCurrency: "SGD"}).Validate()
			return err
		}(), false},
		{"organization name", func() error {
			_, err := (OrganizationCreate{Name: " Acme Pte Ltd ", BillingCurrency: "SGD"}).Validate()
			return err
		}(), true},
		{"invoice number with a C1 control", func() error {
			_, err := (InvoiceCreate{Number: "INV-\u00851", Currency: "SGD", Total: "1.00"}).validate(&Organization{ID: "org_x"}, "2026-12-02")
			return err
		}(), false},
		{"payment reference with a tab", func() error { _, err := text("reference", "DBS\t42", 200); return err }(), false},
		{"payment reference with broken UTF-8", func() error { _, err := text("reference", "DBS \xff", 200); return err }(), false},
		{"remark over lines", func() error { _, err := text("remark", "paid late\r\nsee mail", 2000); return err }(), true},
		{"remark with NUL", func() error { _, err := text("remark", "paid\x00", 2000); return err }(), false},
	} {
		if got := tc.err == nil; got != tc.ok {
			t.Errorf("%s: got %v, want ok=%v", tc.name, tc.err, tc.ok)
		}
		if tc.err != nil && ErrorCode(tc.err) != EInvalid {
			t.Errorf("%s: got %v, want %s", tc.name, tc.err, EInvalid)
		}
	}
}
