package api_test

import (
	"net/url"
	"strconv"
	"strings"
	"testing"
)

// ids returns the values of member field of a list response's data, in order.
func (r *response) ids(field string) []string {
	var out []string
	for _, x := range r.dataList() {
		out = append(out, x[field].(string))
	}
	return out
}

// sameItems reports whether got holds exactly want, in the order given.
func sameItems(got, want []string) bool {
	return strings.Join(got, ",") == strings.Join(want, ",")
}

// SPEC §1.2, §4: the invoice picker searches by organization name, invoice number and issued date.
func TestInvoices_SearchByOrganizationNumberAndIssuedDate(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme Telecom", "SGD")
	globex := s.org("Globex Corp", "SGD")
	acmesoft := s.org("acmesoft Pte", "SGD")
	initech := s.org("Initech", "SGD")
	// Created oldest first; lists are newest first.
	s.invoice(acme, "INV-100", "standard", "100.00", "issued_on", "2025-01-05")
	s.invoice(acme, "INV-101", "standard", "100.00", "issued_on", "2025-02-10")
	s.invoice(globex, "G-ACME-9", "standard", "100.00", "issued_on", "2025-02-20")
	s.invoice(acme, "TU-7", "top_up", "100.00", "issued_on", "2025-03-15")
	s.invoice(acmesoft, "AS-1", "proforma", "100.00", "issued_on", "2025-04-01")
	s.invoice(initech, "IT_5%", "standard", "100.00", "issued_on", "2025-04-02", "due_on", "2999-12-31")

	cases := []struct {
		query string
		want  []string
	}{
		{"", []string{"IT_5%", "AS-1", "TU-7", "G-ACME-9", "INV-101", "INV-100"}},
		// q matches the organization's name or the invoice number, case-insensitively.
		{"q=acme", []string{"AS-1", "TU-7", "G-ACME-9", "INV-101", "INV-100"}},
		{"q=ACME", []string{"AS-1", "TU-7", "G-ACME-9", "INV-101", "INV-100"}},
		{"q=Telecom", []string{"TU-7", "INV-101", "INV-100"}},
		{"q=globex", []string{"G-ACME-9"}},
		{"q=inv-10", []string{"INV-101", "INV-100"}},
		{"q=INV-101", []string{"INV-101"}},
		{"q=nobody", nil},
		// LIKE wildcards in q are plain characters.
		{"q=" + url.QueryEscape("%"), []string{"IT_5%"}},
		{"q=" + url.QueryEscape("T_5"), []string{"IT_5%"}},
		{"q=" + url.QueryEscape("V_1"), nil},
		// number is exact.
		{"number=INV-101", []string{"INV-101"}},
		{"number=INV-10", nil},
		// The issued date range is inclusive at both ends.
		{"issued_from=2025-02-10", []string{"IT_5%", "AS-1", "TU-7", "G-ACME-9", "INV-101"}},
		{"issued_to=2025-02-10", []string{"INV-101", "INV-100"}},
		{"issued_from=2025-02-10&issued_to=2025-03-15", []string{"TU-7", "G-ACME-9", "INV-101"}},
		{"issued_from=2025-02-11&issued_to=2025-02-19", nil},
		// Combined.
		{"q=acme&issued_from=2025-02-01&issued_to=2025-03-31", []string{"TU-7", "G-ACME-9", "INV-101"}},
		{"q=telecom&issued_to=2025-02-28", []string{"INV-101", "INV-100"}},
		{"q=acme&number=G-ACME-9", []string{"G-ACME-9"}},
		{"organization_id=" + acme, []string{"TU-7", "INV-101", "INV-100"}},
		{"organization_id=" + acme + "&q=101", []string{"INV-101"}},
		{"organization_id=" + acme + "&issued_from=2025-02-01", []string{"TU-7", "INV-101"}},
		{"kind=top_up", []string{"TU-7"}},
		{"kind=proforma&q=acme", []string{"AS-1"}},
		{"status=unpaid&kind=standard&issued_to=2025-01-31", []string{"INV-100"}},
		// Overdue is derived: past due with money due (the Initech invoice is due in 2999).
		{"status=overdue", []string{"AS-1", "TU-7", "G-ACME-9", "INV-101", "INV-100"}},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			r := s.must(200, "GET", "/v1/invoices?"+tc.query, nil)
			if got := r.ids("number"); !sameItems(got, tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for _, inv := range r.dataList() {
				if inv["organization_name"] == "" {
					t.Fatalf("invoice without organization_name: %v", inv)
				}
			}
		})
	}
}

func TestInvoices_FilterByStatusFollowsPayments(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	a := s.invoice(org, "INV-1", "standard", "100.00")
	b := s.invoice(org, "INV-2", "standard", "100.00")
	s.invoice(org, "INV-3", "standard", "100.00")
	tu := s.invoice(org, "TU-1", "top_up", "10.00")
	v := s.invoice(org, "INV-4", "standard", "10.00")
	s.must(200, "POST", "/v1/invoices/"+v+"/void", nil)
	pay := s.payment(org, "500.00", "SGD")
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(a, "100.00", b, "1.00", tu, "10.00")})
	for status, want := range map[string][]string{
		"unpaid":         {"INV-3"},
		"partially_paid": {"INV-2"},
		"paid":           {"INV-1"},
		"provisioned":    {"TU-1"},
		"void":           {"INV-4"},
	} {
		if got := s.must(200, "GET", "/v1/invoices?status="+status, nil).ids("number"); !sameItems(got, want) {
			t.Errorf("status=%s: got %v, want %v", status, got, want)
		}
	}
}

// SPEC §4: payments filter by status, organization, method, received dates and q.
func TestPayments_ListFilters(t *testing.T) {
	s := newTestServer(t)
	acme := s.org("Acme Telecom", "SGD")
	globex := s.org("Globex Corp", "SGD")
	inv := s.invoice(acme, "INV-500", "standard", "1000.00")
	pay := func(org, amount, method, receivedOn, reference, extra, value string) string {
		return s.paymentWith(org, amount, "SGD", "method", method, "received_on", receivedOn, "reference", reference, extra, value)
	}
	p1 := pay(acme, "100.00", "bank_transfer", "2025-01-10", "TT-2025-001", "remark", "First wire of the year")
	p2 := pay("", "50.00", "cash", "2025-02-01", "CASH-9", "invoice_number", "INV-101")
	p3 := pay(globex, "70.00", "paypal", "2025-02-15", "PP-123", "remark", "Refund expected")
	p4 := pay(acme, "30.00", "bank_transfer", "2025-03-01", "TT-2025-002", "remark", "")
	p5 := pay(acme, "80.00", "cheque", "2025-03-20", "CHQ-1", "remark", "50% now")
	p6 := pay(globex, "20.00", "stripe", "2025-04-01", "ST-1", "remark", "")
	p7 := pay(globex, "40.00", "stripe", "2025-04-02", "ST-2", "remark", "")
	s.must(200, "POST", "/v1/payments/"+p4+"/allocations", map[string]any{"allocations": allocLines(inv, "30.00")})
	s.must(200, "POST", "/v1/payments/"+p5+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")})
	// Money topped up counts as applied, like money allocated.
	s.must(201, "POST", "/v1/payments/"+p6+"/top-ups", map[string]any{"amount": "20.00"})
	s.must(201, "POST", "/v1/payments/"+p7+"/top-ups", map[string]any{"amount": "10.00"})
	name := map[string]string{p1: "P1", p2: "P2", p3: "P3", p4: "P4", p5: "P5", p6: "P6", p7: "P7"}

	cases := []struct {
		query string
		want  string // newest first
	}{
		{"", "P7,P6,P5,P4,P3,P2,P1"},
		{"status=unassigned", "P2"},
		{"status=unallocated", "P3,P1"},
		{"status=partially_allocated", "P7,P5"},
		{"status=fully_allocated", "P6,P4"},
		{"organization_id=" + acme, "P5,P4,P1"},
		{"organization_id=" + globex, "P7,P6,P3"},
		{"method=bank_transfer", "P4,P1"},
		{"method=stripe", "P7,P6"},
		{"method=direct_debit", ""},
		{"received_from=2025-02-01", "P7,P6,P5,P4,P3,P2"},
		{"received_to=2025-02-15", "P3,P2,P1"},
		{"received_from=2025-02-01&received_to=2025-03-01", "P4,P3,P2"},
		// q matches reference, remark, invoice # hint and customer name, case-insensitively.
		{"q=tt-2025", "P4,P1"},
		{"q=WIRE", "P1"},
		{"q=inv-101", "P2"},
		{"q=globex", "P7,P6,P3"},
		{"q=acme", "P5,P4,P1"},
		{"q=" + url.QueryEscape("%"), "P5"},
		{"q=nothing-matches", ""},
		// Combined.
		{"organization_id=" + acme + "&method=bank_transfer&received_from=2025-02-01", "P4"},
		{"q=acme&status=unallocated", "P1"},
		{"method=bank_transfer&q=002", "P4"},
		{"status=fully_allocated&organization_id=" + globex, "P6"},
	}
	for _, tc := range cases {
		t.Run(tc.query, func(t *testing.T) {
			var got []string
			for _, id := range s.must(200, "GET", "/v1/payments?"+tc.query, nil).ids("id") {
				got = append(got, name[id])
			}
			if strings.Join(got, ",") != tc.want {
				t.Fatalf("got %v, want %s", got, tc.want)
			}
		})
	}

	// The list shows each payment's derived figures and its customer.
	for _, p := range s.must(200, "GET", "/v1/payments?organization_id="+acme, nil).dataList() {
		if p["organization_name"] != "Acme Telecom" || p["status"] == "" || p["unallocated"] == "" {
			t.Fatalf("list item: %v", p)
		}
	}
}

// SPEC §4: cursor pagination walks every row exactly once.
func TestPagination_WalksAllRowsWithoutDuplicates(t *testing.T) {
	s := newTestServer(t)
	var orgs []string
	for _, n := range []string{"A Co", "B Co", "C Co", "D Co", "E Co"} {
		orgs = append(orgs, s.org(n, "SGD"))
	}
	for i, o := range orgs {
		s.invoice(o, "INV-"+string(rune('1'+i)), "standard", "10.00")
		s.payment(o, "10.00", "SGD")
	}
	// A sixth payment and invoice of another currency, to walk a filtered list too.
	usd := s.org("U Co", "USD")
	s.payment(usd, "10.00", "USD")

	cases := []struct {
		path  string
		limit int
		rows  int
	}{
		{"/v1/payments?method=bank_transfer&received_to=2999-12-31&q=REF&organization_id=", 2, 6},
		{"/v1/payments?status=unallocated", 2, 6},
		{"/v1/payments?q=co", 2, 6},
		{"/v1/payments?q=co", 5, 6},
		{"/v1/payments?q=co", 6, 6},
		{"/v1/payments?q=co", 1, 6},
		{"/v1/invoices?q=co", 2, 5},
		{"/v1/invoices?q=inv", 3, 5},
		{"/v1/organizations?q=co", 2, 6},
		{"/v1/audit?", 4, 0}, // rows: whatever the full list holds
	}
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			sep := "&"
			full := s.must(200, "GET", tc.path+sep+"limit=500", nil)
			want := full.ids("id")
			if tc.rows != 0 && len(want) != tc.rows {
				t.Fatalf("full list has %d rows, want %d", len(want), tc.rows)
			}
			if full.str("next_cursor") != "" {
				t.Fatalf("a complete list has next_cursor")
			}
			var got []string
			seen := map[string]bool{}
			cursor := ""
			for page := 0; ; page++ {
				if page > len(want)+1 {
					t.Fatal("pagination does not end")
				}
				path := tc.path + sep + "limit=" + strconv.Itoa(tc.limit)
				if cursor != "" {
					path += "&cursor=" + url.QueryEscape(cursor)
				}
				r := s.must(200, "GET", path, nil)
				ids := r.ids("id")
				if len(ids) > tc.limit {
					t.Fatalf("page of %d rows, limit %d", len(ids), tc.limit)
				}
				for _, id := range ids {
					if seen[id] {
						t.Fatalf("row %s returned twice", id)
					}
					seen[id] = true
				}
				got = append(got, ids...)
				cursor = r.str("next_cursor")
				if cursor == "" {
					break
				}
				if len(ids) != tc.limit {
					t.Fatalf("a page of %d rows (limit %d) has a next_cursor", len(ids), tc.limit)
				}
			}
			if !sameItems(got, want) {
				t.Fatalf("walked %v, want %v", got, want)
			}
		})
	}
}

func TestPagination_DefaultPageSizeIs50(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	for i := 0; i < 51; i++ {
		s.payment(org, "1.00", "SGD")
	}
	r := s.must(200, "GET", "/v1/payments", nil)
	if len(r.dataList()) != 50 || r.str("next_cursor") == "" {
		t.Fatalf("default page: %d rows, next_cursor %q", len(r.dataList()), r.str("next_cursor"))
	}
	r = s.must(200, "GET", "/v1/payments?cursor="+url.QueryEscape(r.str("next_cursor")), nil)
	if len(r.dataList()) != 1 || r.str("next_cursor") != "" {
		t.Fatalf("second page: %d rows, next_cursor %q", len(r.dataList()), r.str("next_cursor"))
	}
}

func TestOrganizations_SearchByName(t *testing.T) {
	s := newTestServer(t)
	s.org("Acme Telecom", "SGD")
	s.org("Globex Corp", "USD")
	s.org("acmesoft Pte", "JPY")
	for q, want := range map[string][]string{
		"acme":  {"acmesoft Pte", "Acme Telecom"},
		"ACME":  {"acmesoft Pte", "Acme Telecom"},
		"corp":  {"Globex Corp"},
		"nope":  nil,
		"":      {"acmesoft Pte", "Globex Corp", "Acme Telecom"},
		"%":     nil,
		"e_Tel": nil,
	} {
		if got := s.must(200, "GET", "/v1/organizations?q="+url.QueryEscape(q), nil).ids("name"); !sameItems(got, want) {
			t.Errorf("q=%q: got %v, want %v", q, got, want)
		}
	}
}
