package finapp

import (
	"strings"
	"testing"

	"finapp/money"
)

// The matching rule, table by table: what is suggested for a payment, in what order, with which
// evidence and amounts.
func TestSuggestInvoices(t *testing.T) {
	inv := func(id, number, org string, total money.Amount, due string) *Invoice {
		return &Invoice{ID: id, Number: number, OrganizationID: org, Currency: "SGD", Total: total, Status: InvoiceUnpaid, DueOn: due, IssuedOn: "2026-01-01"}
	}
	a := inv("inv_a", "INV-1001", "org_1", 30000, "2026-02-01")
	b := inv("inv_b", "INV-1002", "org_1", 50000, "2026-03-01")
	c := inv("inv_c", "INV-1003", "org_1", 20000, "2026-04-01")
	d := inv("inv_d", "INV-1004", "org_1", 12500, "2026-05-01")
	other := inv("inv_x", "INV-9009", "org_2", 12500, "2026-01-15")
	usd := &Invoice{ID: "inv_u", Number: "INV-2001", OrganizationID: "org_1", Currency: "USD", Total: 12500, Status: InvoiceUnpaid, DueOn: "2026-01-01"}
	void := inv("inv_v", "INV-1005", "org_1", 12500, "2026-01-01")
	void.Status = InvoiceVoid
	open := []*Invoice{d, c, b, a}
	for _, c := range []struct {
		name  string
		p     Payment
		named []*Invoice
		open  []*Invoice
		want  string // invoice amount [evidence kinds], in order
	}{
		{"the hint names one, and it is not all the money", Payment{OrganizationID: "org_1", Amount: 90000, Currency: "SGD", InvoiceHint: "INV-1002"},
			[]*Invoice{b}, open, "INV-1002 500.00 [invoice_number_in_text]"},
		{"the hint lists several, split on / , ; and spaces", Payment{OrganizationID: "org_1", Amount: 90000, Currency: "SGD", InvoiceHint: "INV-1001/INV-1003; inv-1002"},
			[]*Invoice{a, c, b}, open, "INV-1001 300.00 [invoice_number_in_text], INV-1003 200.00 [invoice_number_in_text], INV-1002 400.00 [invoice_number_in_text]"},
		{"the named invoices are all the money: both reasons", Payment{OrganizationID: "org_1", Amount: 100000, Currency: "SGD", InvoiceHint: "INV-1001, INV-1003, INV-1002"},
			[]*Invoice{a, c, b}, open, "INV-1001 300.00 [invoice_number_in_text amount_equals_invoice_set], INV-1003 200.00 [invoice_number_in_text amount_equals_invoice_set], INV-1002 500.00 [invoice_number_in_text amount_equals_invoice_set]"},
		{"the reference names it and its amount due is exactly the money", Payment{OrganizationID: "org_1", Amount: 12500, Currency: "SGD", Reference: "DBS 7781 INV-1004"},
			[]*Invoice{d}, open, "INV-1004 125.00 [invoice_number_in_text amount_equals_invoice]"},
		{"no words: the invoice with exactly the money due", Payment{OrganizationID: "org_1", Amount: 20000, Currency: "SGD"},
			nil, open, "INV-1003 200.00 [amount_equals_invoice]"},
		{"no single invoice: the oldest pair that sums to it", Payment{OrganizationID: "org_1", Amount: 80000, Currency: "SGD"},
			nil, open, "INV-1001 300.00 [amount_equals_invoice_set], INV-1002 500.00 [amount_equals_invoice_set]"},
		{"a pair before a larger set", Payment{OrganizationID: "org_1", Amount: 62500, Currency: "SGD"},
			nil, open, "INV-1002 500.00 [amount_equals_invoice_set], INV-1004 125.00 [amount_equals_invoice_set]"},
		{"a set of four", Payment{OrganizationID: "org_1", Amount: 112500, Currency: "SGD"},
			nil, open, "INV-1001 300.00 [amount_equals_invoice_set], INV-1002 500.00 [amount_equals_invoice_set], INV-1003 200.00 [amount_equals_invoice_set], INV-1004 125.00 [amount_equals_invoice_set]"},
		{"nothing fits: no suggestion rather than a guess", Payment{OrganizationID: "org_1", Amount: 1, Currency: "SGD"}, nil, open, ""},
		{"another customer's, another currency's and a void invoice are never suggested", Payment{OrganizationID: "org_1", Amount: 12500, Currency: "SGD", InvoiceHint: "INV-9009 INV-2001 INV-1005"},
			[]*Invoice{other, usd, void}, open, "INV-1004 125.00 [amount_equals_invoice]"},
		{"an unassigned payment: any customer's invoice it names", Payment{Amount: 12500, Currency: "SGD", InvoiceHint: "INV-9009"},
			[]*Invoice{other}, nil, "INV-9009 125.00 [invoice_number_in_text]"},
		{"nothing unallocated, nothing suggested", Payment{OrganizationID: "org_1", Amount: 12500, Allocated: 12500, Currency: "SGD", InvoiceHint: "INV-1004"},
			[]*Invoice{d}, open, ""},
		{"the money runs out in order", Payment{OrganizationID: "org_1", Amount: 40000, Currency: "SGD", InvoiceHint: "INV-1001 INV-1002"},
			[]*Invoice{a, b}, open, "INV-1001 300.00 [invoice_number_in_text], INV-1002 100.00 [invoice_number_in_text]"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, s := range suggestInvoices(&c.p, c.named, c.open) {
				var kinds []string
				for _, e := range s.Evidence {
					kinds = append(kinds, e.Kind)
					if e.Detail == "" {
						t.Errorf("evidence %s of %s says nothing", e.Kind, s.Invoice.Number)
					}
				}
				got = append(got, s.Invoice.Number+" "+money.Format(s.Amount, "SGD")+" ["+strings.Join(kinds, " ")+"]")
			}
			if g := strings.Join(got, ", "); g != c.want {
				t.Errorf("got  %s\nwant %s", g, c.want)
			}
		})
	}
}
