package api_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"
)

// SPEC §3 "malformed input of any kind": 4xx with a clear message naming the field; never a 500,
// never a partial write.

// expectFieldProblem checks a refusal of bad input: a 4xx problem+json with code, whose field (or
// one of its errors' locations) names field and whose detail mentions it. Field "body" stands for
// the request body as a whole (malformed JSON, not an object).
func expectFieldProblem(t *testing.T, r *response, code, field string) {
	t.Helper()
	if r.Status < 400 || r.Status >= 500 {
		t.Fatalf("status %d, want 4xx: %s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q, want application/problem+json: %s", ct, r.Body)
	}
	if r.str("code") != code {
		t.Fatalf("code %q, want %q: %s", r.str("code"), code, r.Body)
	}
	if r.intField("status") != r.Status || r.str("title") == "" {
		t.Errorf("problem status/title do not match the response: %s", r.Body)
	}
	named := r.str("field") == field
	for _, e := range r.objectsOf("errors") {
		loc, _ := e["location"].(string)
		if loc == field || strings.TrimPrefix(strings.TrimPrefix(loc, "body."), "query.") == field {
			named = true
		}
	}
	if !named {
		t.Fatalf("the problem does not name the field %q: %s", field, r.Body)
	}
	if last := field[strings.LastIndex(field, ".")+1:]; !strings.Contains(r.str("detail"), last) {
		t.Errorf("detail %q does not mention %q", r.str("detail"), last)
	}
}

// validationFixture is a server with one of everything, so that bad requests can name real ids.
type validationFixture struct {
	*testServer
	ids *strings.Replacer // {org}, {inv}, {inv2}, {pay}, {unassigned}, {alc}
}

func newValidationFixture(t *testing.T) *validationFixture {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	inv2 := s.invoice(org, "INV-2", "standard", "100.00")
	pay := s.payment(org, "100.00", "SGD")
	unassigned := s.payment("", "100.00", "SGD")
	p := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")})
	alc := activeAllocations(p)[0]
	return &validationFixture{testServer: s, ids: strings.NewReplacer("{org}", org, "{inv}", inv, "{inv2}", inv2, "{pay}", pay,
		"{unassigned}", unassigned, "{alc}", alc)}
}

type badInput struct {
	name   string
	method string
	path   string // with {placeholders}
	body   string // raw, with {placeholders}; "" sends no body
	field  string
	code   string // default validation_error
}

func runBadInputs(t *testing.T, cases []badInput) {
	t.Helper()
	f := newValidationFixture(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code := tc.code
			if code == "" {
				code = "validation_error"
			}
			before := f.booksFingerprint()
			payments := f.countPayments(true)
			var body any
			if tc.body != "" {
				body = f.ids.Replace(tc.body)
			}
			r := f.call(tc.method, f.ids.Replace(tc.path), body)
			expectFieldProblem(t, r, code, tc.field)
			// A request that parses but names bad values is unprocessable (422); only a body
			// that is not JSON at all is a bad request (400).
			if code == "validation_error" && r.Status != 422 && !(tc.field == "body" && r.Status == 400) {
				t.Fatalf("status %d, want 422: %s", r.Status, r.Body)
			}
			if f.booksFingerprint() != before || f.countPayments(true) != payments {
				t.Fatal("a refused request wrote something")
			}
		})
	}
}

// pay is a valid POST /v1/payments body with one member replaced, added or (with value "-")
// removed.
func pay(member, value string) string {
	m := map[string]string{"organization_id": `"{org}"`, "amount": `"12.00"`, "currency": `"SGD"`, "method": `"bank_transfer"`,
		"received_on": `"2025-03-01"`, "reference": `"REF-1"`}
	if value == "-" {
		delete(m, member)
	} else {
		m[member] = value
	}
	var parts []string
	for k, v := range m {
		parts = append(parts, fmt.Sprintf("%q:%s", k, v))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestRecordPayment_RefusesMalformedInput(t *testing.T) {
	runBadInputs(t, []badInput{
		{"AmountAsJSONNumber", "POST", "/v1/payments", pay("amount", `12.5`), "amount", ""},
		{"AmountAsJSONInteger", "POST", "/v1/payments", pay("amount", `12`), "amount", ""},
		{"AmountTooManyDigitsSGD", "POST", "/v1/payments", pay("amount", `"12.345"`), "amount", ""},
		{"AmountFractionJPY", "POST", "/v1/payments", `{"amount":"1.5","currency":"JPY","method":"cash"}`, "amount", ""},
		{"AmountNegative", "POST", "/v1/payments", pay("amount", `"-5.00"`), "amount", ""},
		{"AmountZero", "POST", "/v1/payments", pay("amount", `"0.00"`), "amount", ""},
		{"AmountZeroInteger", "POST", "/v1/payments", pay("amount", `"0"`), "amount", ""},
		{"AmountNonNumeric", "POST", "/v1/payments", pay("amount", `"abc"`), "amount", ""},
		{"AmountExponent", "POST", "/v1/payments", pay("amount", `"1e3"`), "amount", ""},
		{"AmountWithSpaces", "POST", "/v1/payments", pay("amount", `" 12.00"`), "amount", ""},
		{"AmountWithThousandsSeparator", "POST", "/v1/payments", pay("amount", `"1,200.00"`), "amount", ""},
		{"AmountTrailingPoint", "POST", "/v1/payments", pay("amount", `"12."`), "amount", ""},
		{"AmountOverflowing", "POST", "/v1/payments", pay("amount", `"99999999999999999999"`), "amount", ""},
		{"AmountAboveMaximum", "POST", "/v1/payments", pay("amount", `"1000000000000.01"`), "amount", ""},
		{"AmountEmpty", "POST", "/v1/payments", pay("amount", `""`), "amount", ""},
		{"AmountMissing", "POST", "/v1/payments", pay("amount", `-`), "amount", ""},
		{"AmountNull", "POST", "/v1/payments", pay("amount", `null`), "amount", ""},
		{"CurrencyUnknown", "POST", "/v1/payments", pay("currency", `"ABC"`), "currency", ""},
		{"CurrencyLowerCase", "POST", "/v1/payments", pay("currency", `"sgd"`), "currency", ""},
		{"CurrencyMissing", "POST", "/v1/payments", pay("currency", `-`), "currency", ""},
		{"MethodUnknown", "POST", "/v1/payments", pay("method", `"wire"`), "method", ""},
		{"MethodMissing", "POST", "/v1/payments", pay("method", `-`), "method", ""},
		{"ReceivedOnNotADate", "POST", "/v1/payments", pay("received_on", `"yesterday"`), "received_on", ""},
		{"ReceivedOnNoSuchDay", "POST", "/v1/payments", pay("received_on", `"2025-02-30"`), "received_on", ""},
		{"ReceivedOnOtherFormat", "POST", "/v1/payments", pay("received_on", `"01/03/2025"`), "received_on", ""},
		{"ReceivedOnYear0001", "POST", "/v1/payments", pay("received_on", `"0001-01-01"`), "received_on", ""},
		{"OrganizationUnknown", "POST", "/v1/payments", pay("organization_id", `"org_01jd8x0c9v7p8x2k3m4n5q6r7s"`), "organization_id", ""},
		{"OrganizationAsNumber", "POST", "/v1/payments", pay("organization_id", `7`), "organization_id", ""},
		{"ReferenceTooLong", "POST", "/v1/payments", pay("reference", `"`+strings.Repeat("x", 201)+`"`), "reference", ""},
		{"InvoiceNumberTooLong", "POST", "/v1/payments", pay("invoice_number", `"`+strings.Repeat("9", 65)+`"`), "invoice_number", ""},
		{"RemarkWithNUL", "POST", "/v1/payments", pay("remark", `"a\u0000b"`), "remark", ""},
		{"UnknownMember", "POST", "/v1/payments", pay("amount_cents", `1200`), "amount_cents", ""},
		{"MalformedJSON", "POST", "/v1/payments", `{"amount":"12.00",`, "body", ""},
		{"NotAnObject", "POST", "/v1/payments", `["12.00"]`, "body", ""},
		{"NullBody", "POST", "/v1/payments", `null`, "body", ""},
	})
}

// The currency decides how many digits an amount may have.
func TestRecordPayment_AmountDigitsFollowTheCurrency(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		currency, amount string
		ok               bool
	}{
		{"SGD", "12.34", true}, {"SGD", "12.3", true}, {"SGD", "12", true}, {"SGD", "12.345", false},
		{"JPY", "15", true}, {"JPY", "1.5", false}, {"JPY", "1.0", false},
		{"KWD", "1.125", true}, {"KWD", "1.1255", false},
		{"VND", "250000", true}, {"VND", "250000.5", false},
	}
	for _, tc := range cases {
		t.Run(tc.currency+"_"+tc.amount, func(t *testing.T) {
			r := s.call("POST", "/v1/payments", map[string]any{"amount": tc.amount, "currency": tc.currency, "method": "cash"})
			if tc.ok {
				if r.Status != 201 {
					t.Fatalf("refused: %s", r.Body)
				}
				return
			}
			expectFieldProblem(t, r, "validation_error", "amount")
		})
	}
}

func TestAllocate_RefusesMalformedInput(t *testing.T) {
	const p = "/v1/payments/{pay}/allocations"
	runBadInputs(t, []badInput{
		{"UnknownInvoiceFirstLine", "POST", p, `{"allocations":[{"invoice_id":"inv_01jd8x0c9v7p8x2k3m4n5q6r7s","amount":"1.00"}]}`, "allocations[0].invoice_id", ""},
		{"UnknownInvoiceSecondLine", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"1.00"},{"invoice_id":"inv_nope","amount":"1.00"}]}`, "allocations[1].invoice_id", ""},
		{"UnknownInvoiceThirdLineSortsFirst", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"1.00"},{"invoice_id":"{inv2}","amount":"1.00"},{"invoice_id":"inv_0000","amount":"1.00"}]}`, "allocations[2].invoice_id", ""},
		{"InvoiceIDEmpty", "POST", p, `{"allocations":[{"invoice_id":"","amount":"1.00"}]}`, "allocations[0].invoice_id", ""},
		{"InvoiceIDMissing", "POST", p, `{"allocations":[{"amount":"1.00"}]}`, "allocations[0].invoice_id", ""},
		{"AmountAsJSONNumber", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":12.5}]}`, "allocations[0].amount", ""},
		{"AmountTooManyDigits", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"1.001"}]}`, "allocations[0].amount", ""},
		{"AmountNegative", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"-1.00"}]}`, "allocations[0].amount", ""},
		{"AmountZero", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"0.00"}]}`, "allocations[0].amount", ""},
		{"AmountNonNumericSecondLine", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"1.00"},{"invoice_id":"{inv2}","amount":"one"}]}`, "allocations[1].amount", ""},
		{"AmountOverflowing", "POST", p, `{"allocations":[{"invoice_id":"{inv}","amount":"99999999999999999999"}]}`, "allocations[0].amount", ""},
		{"AmountMissing", "POST", p, `{"allocations":[{"invoice_id":"{inv}"}]}`, "allocations[0].amount", ""},
		{"NoLinesNoAuto", "POST", p, `{}`, "allocations", ""},
		{"EmptyLines", "POST", p, `{"allocations":[]}`, "allocations", ""},
		{"AutoAndLines", "POST", p, `{"auto":true,"allocations":[{"invoice_id":"{inv}","amount":"1.00"}]}`, "auto", ""},
		{"AutoNotBoolean", "POST", p, `{"auto":"yes"}`, "auto", ""},
		{"AllocationsNotArray", "POST", p, `{"allocations":{"invoice_id":"{inv}","amount":"1.00"}}`, "allocations", ""},
		{"OrganizationUnknown", "POST", "/v1/payments/{unassigned}/allocations", `{"organization_id":"org_nope","allocations":[{"invoice_id":"{inv}","amount":"1.00"}]}`, "organization_id", ""},
		{"TooManyLines", "POST", p, `{"allocations":[` + strings.TrimSuffix(strings.Repeat(`{"invoice_id":"{inv}","amount":"0.01"},`, 501), ",") + `]}`, "allocations", ""},
		{"MalformedJSON", "POST", p, `{"allocations":[{"invoice_id":`, "body", ""},
	})
}

func TestOtherWrites_RefuseMalformedInput(t *testing.T) {
	runBadInputs(t, []badInput{
		{"TopUpAmountTooManyDigits", "POST", "/v1/payments/{pay}/top-ups", `{"amount":"1.001"}`, "amount", ""},
		{"TopUpAmountNegative", "POST", "/v1/payments/{pay}/top-ups", `{"amount":"-1.00"}`, "amount", ""},
		{"TopUpAmountZero", "POST", "/v1/payments/{pay}/top-ups", `{"amount":"0"}`, "amount", ""},
		{"TopUpAmountAsNumber", "POST", "/v1/payments/{pay}/top-ups", `{"amount":5}`, "amount", ""},
		{"EditAmountZero", "PATCH", "/v1/payments/{pay}", `{"amount":"0.00"}`, "amount", ""},
		{"EditAmountTooManyDigits", "PATCH", "/v1/payments/{pay}", `{"amount":"50.001"}`, "amount", ""},
		{"EditAmountAsNumber", "PATCH", "/v1/payments/{pay}", `{"amount":50}`, "amount", ""},
		{"EditCurrencyUnknown", "PATCH", "/v1/payments/{unassigned}", `{"currency":"ABC"}`, "currency", ""},
		{"EditCurrencyToFewerDigitsWithoutAmount", "PATCH", "/v1/payments/{unassigned}", `{"currency":"JPY"}`, "amount", ""},
		{"EditMethodUnknown", "PATCH", "/v1/payments/{pay}", `{"method":"wire"}`, "method", ""},
		{"EditReceivedOnBad", "PATCH", "/v1/payments/{pay}", `{"received_on":"2025-13-01"}`, "received_on", ""},
		{"EditRemarkNUL", "PATCH", "/v1/payments/{pay}", `{"remark":"\u0000"}`, "remark", ""},
		{"EditMalformedJSON", "PATCH", "/v1/payments/{pay}", `{"amount":`, "body", ""},
		{"AssignWithoutOrganization", "PUT", "/v1/payments/{unassigned}/assignment", `{"organization_id":""}`, "organization_id", ""},
		{"AssignUnknownOrganization", "PUT", "/v1/payments/{unassigned}/assignment", `{"organization_id":"org_nope"}`, "organization_id", ""},
		{"OrganizationNameEmpty", "POST", "/v1/organizations", `{"name":"","billing_currency":"SGD"}`, "name", ""},
		{"OrganizationNameBlank", "POST", "/v1/organizations", `{"name":"   ","billing_currency":"SGD"}`, "name", ""},
		{"OrganizationCurrencyUnknown", "POST", "/v1/organizations", `{"name":"X","billing_currency":"ABCD"}`, "billing_currency", ""},
		{"InvoiceTotalNonNumeric", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"lots"}`, "total", ""},
		{"InvoiceTotalTooManyDigits", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"1.001"}`, "total", ""},
		{"InvoiceTotalFractionJPY", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"100.5","currency":"JPY"}`, "total", ""},
		{"InvoiceTotalAsNumber", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":100}`, "total", ""},
		{"InvoiceNumberEmpty", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"","total":"1.00"}`, "number", ""},
		{"InvoiceNumberTaken", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"INV-1","total":"1.00"}`, "number", "duplicate"},
		{"InvoiceKindUnknown", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"1.00","kind":"gift"}`, "kind", ""},
		{"InvoiceDueBeforeIssued", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"1.00","issued_on":"2025-03-01","due_on":"2025-02-01"}`, "due_on", ""},
		{"InvoiceIssuedOnBad", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"1.00","issued_on":"March 1"}`, "issued_on", ""},
		{"InvoiceOrganizationUnknown", "POST", "/v1/invoices", `{"organization_id":"org_nope","number":"N-1","total":"1.00"}`, "organization_id", ""},
		{"InvoiceOrganizationMissing", "POST", "/v1/invoices", `{"number":"N-1","total":"1.00"}`, "organization_id", ""},
		{"InvoiceCurrencyUnknown", "POST", "/v1/invoices", `{"organization_id":"{org}","number":"N-1","total":"1.00","currency":"ABC"}`, "currency", ""},
	})
}

func TestLists_RefuseMalformedQueries(t *testing.T) {
	cases := []struct{ path, field string }{
		{"/v1/payments?limit=501", "limit"},
		{"/v1/payments?limit=-1", "limit"},
		{"/v1/payments?limit=abc", "limit"},
		{"/v1/payments?limit=99999999999999999999999", "limit"},
		{"/v1/payments?status=paid", "status"},
		{"/v1/payments?method=wire", "method"},
		{"/v1/payments?received_from=2025-02-30", "received_from"},
		{"/v1/payments?received_to=tomorrow", "received_to"},
		{"/v1/payments?received_from=2025-03-01&received_to=2025-02-01", "received_to"},
		{"/v1/payments?include_deleted=maybe", "include_deleted"},
		{"/v1/invoices?limit=0.5", "limit"},
		{"/v1/invoices?limit=1000", "limit"},
		{"/v1/invoices?status=late", "status"},
		{"/v1/invoices?kind=gift", "kind"},
		{"/v1/invoices?issued_from=2025-1-1", "issued_from"},
		{"/v1/invoices?issued_to=" + url.QueryEscape("2025-01-01T00:00:00Z"), "issued_to"},
		{"/v1/invoices?issued_from=2025-03-01&issued_to=2025-02-01", "issued_to"},
		{"/v1/organizations?limit=501", "limit"},
		{"/v1/audit?limit=-5", "limit"},
		{"/v1/organizations/{org}/statement?from=yesterday", "from"},
	}
	f := newValidationFixture(t)
	for _, tc := range cases {
		t.Run(tc.path, func(t *testing.T) {
			expectFieldProblem(t, f.call("GET", f.ids.Replace(tc.path), nil), "validation_error", tc.field)
		})
	}
}

// Whatever garbage arrives, every write answers 4xx, never 5xx, and writes nothing.
func TestWrites_GarbageBodiesNever5xx(t *testing.T) {
	f := newValidationFixture(t)
	endpoints := []struct{ method, path string }{
		{"POST", "/v1/organizations"},
		{"POST", "/v1/invoices"},
		{"POST", "/v1/payments"},
		{"PATCH", "/v1/payments/{pay}"},
		{"PUT", "/v1/payments/{unassigned}/assignment"},
		{"POST", "/v1/payments/{pay}/allocations"},
		{"POST", "/v1/payments/{pay}/top-ups"},
	}
	bodies := []string{`{`, `}`, `[]`, `null`, `"x"`, `12`, `true`, `{"a":`, "\x00\x01", `{"amount":{"nested":1}}`,
		`{"amount":["1.00"]}`, `{"organization_id":null}`, `{"allocations":[null]}`, `{"allocations":[{"invoice_id":7,"amount":"1"}]}`,
		`{"amount":"1.00","amount":"NaN"}`, `{"currency":"` + strings.Repeat("S", 10000) + `"}`, `{"amount":"Infinity"}`,
		`{"amount":"1.00","AMOUNT":"2.00"}`}
	for _, ep := range endpoints {
		for i, body := range bodies {
			t.Run(fmt.Sprintf("%s_%s_%d", ep.method, ep.path, i), func(t *testing.T) {
				before := f.booksFingerprint()
				r := f.call(ep.method, f.ids.Replace(ep.path), body)
				if r.Status < 400 || r.Status >= 500 || r.str("code") == "" {
					t.Fatalf("body %q: got %d: %s", body, r.Status, r.Body)
				}
				if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
					t.Fatalf("content type %q", ct)
				}
				if f.booksFingerprint() != before {
					t.Fatal("a refused request wrote something")
				}
			})
		}
	}
}

// An oversized body is refused, and what the server did not read of it is never taken for the
// next request on the same connection.
func TestWrites_BodyTooLargeIsRefusedAndNotReadAsTheNextRequest(t *testing.T) {
	s := newTestServer(t)
	for _, size := range []int{2 << 20, 1<<20 + 300<<10, 8 << 20} {
		big := `{"amount":"1.00","currency":"SGD","method":"cash","remark":"` + strings.Repeat("x", size) + `"}`
		r := s.call("POST", "/v1/payments", big)
		if r.Status != 413 || r.str("code") == "" {
			t.Fatalf("%d bytes: status %d: %.300s", size, r.Status, r.Body)
		}
		// The next request must get its own answer, not one to the rest of the big body.
		if n := s.countPayments(true); n != 0 {
			t.Fatalf("an oversized request recorded %d payments", n)
		}
	}
}
