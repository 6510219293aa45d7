package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"finapp"
)

// rawGet fetches path with no Authorization header at all.
func (s *testServer) rawGet(path string) *response {
	s.t.Helper()
	res, err := http.Get(s.URL + path)
	if err != nil {
		s.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	r := &response{Status: res.StatusCode, Header: res.Header, Body: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	return r
}

// ---------------------------------------------------------------------------------------------
// Authentication and roles (SPEC §4, §7).

func TestAuth_RequestsWithoutAValidTokenAre401(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	before := s.booksFingerprint()
	requests := []struct {
		method, path string
		body         any
	}{
		{"GET", "/v1/payments", nil},
		{"GET", "/v1/organizations/" + org, nil},
		{"POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash"}},
		{"POST", "/v1/organizations", map[string]any{"name": "X", "billing_currency": "SGD"}},
		{"GET", "/v1/audit", nil},
		{"GET", "/v1/journal/export", nil},
	}
	authorizations := []struct{ name, header string }{
		{"NoHeader", ""},
		{"EmptyBearer", "Bearer "},
		{"OtherScheme", "Basic dXNlcjpwYXNz"},
		{"TokenWithoutScheme", s.Token},
		{"UnknownToken", "Bearer fa_thisisnotatokenthisisnotatokenthisisnotatoken"},
		{"TruncatedToken", "Bearer " + s.Token[:len(s.Token)-1]},
	}
	for _, a := range authorizations {
		for _, rq := range requests {
			t.Run(a.name+"/"+rq.method+rq.path, func(t *testing.T) {
				var r *response
				if a.header == "" {
					if rq.method != "GET" {
						t.Skip("plain GET only")
					}
					r = s.rawGet(rq.path)
				} else {
					r = s.call(rq.method, rq.path, rq.body, "Authorization", a.header)
				}
				expectProblem(t, r, 401, "unauthorized")
				if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
				}
				if r.str("detail") == "" {
					t.Error("401 without a detail")
				}
			})
		}
	}
	if s.booksFingerprint() != before {
		t.Fatal("an unauthenticated request wrote something")
	}
}

func TestAuth_ViewerMayReadButNotWrite(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	pay := s.payment(org, "100.00", "SGD")
	alc := activeAllocations(s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "10.00")}))[0]
	viewer := []string{"Authorization", "Bearer " + s.Viewer}

	for _, path := range []string{"/v1/payments", "/v1/payments/" + pay, "/v1/invoices/" + inv, "/v1/organizations/" + org,
		"/v1/organizations/" + org + "/statement", "/v1/audit", "/v1/journal/export"} {
		if r := s.call("GET", path, nil, viewer...); r.Status != 200 {
			t.Errorf("viewer GET %s: %d %s", path, r.Status, r.Body)
		}
	}

	before := s.booksFingerprint()
	writes := []struct {
		method, path string
		body         any
	}{
		{"POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash"}},
		{"POST", "/v1/organizations", map[string]any{"name": "X", "billing_currency": "SGD"}},
		{"POST", "/v1/invoices", map[string]any{"organization_id": org, "number": "V-1", "total": "1.00"}},
		{"POST", "/v1/invoices/" + inv + "/void", nil},
		{"PATCH", "/v1/payments/" + pay, map[string]any{"remark": "viewer was here"}},
		{"DELETE", "/v1/payments/" + pay, nil},
		{"PUT", "/v1/payments/" + pay + "/assignment", map[string]any{"organization_id": org}},
		{"DELETE", "/v1/payments/" + pay + "/assignment", nil},
		{"POST", "/v1/payments/" + pay + "/allocations", map[string]any{"allocations": allocLines(inv, "1.00")}},
		{"DELETE", "/v1/payments/" + pay + "/allocations/" + alc, nil},
		{"POST", "/v1/payments/" + pay + "/top-ups", map[string]any{"amount": "1.00"}},
	}
	for _, w := range writes {
		t.Run(w.method+w.path, func(t *testing.T) {
			expectProblem(t, s.call(w.method, w.path, w.body, viewer...), 403, "forbidden")
			// Also with an Idempotency-Key: the refusal is not turned into anything else.
			expectProblem(t, s.call(w.method, w.path, w.body, append(viewer, "Idempotency-Key", "viewer-"+w.method+w.path)...), 403, "forbidden")
		})
	}
	if s.booksFingerprint() != before {
		t.Fatal("a viewer's request wrote something")
	}
	// The admin role may write.
	s.must(201, "POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash"}, "Authorization", "Bearer "+s.Admin)
}

func TestHealth_AnswersWithoutAuthentication(t *testing.T) {
	s := newTestServer(t)
	for _, path := range []string{"/healthz", "/readyz"} {
		r := s.rawGet(path)
		if r.Status != 200 || r.JSON["status"] == nil {
			t.Errorf("GET %s: %d %s", path, r.Status, r.Body)
		}
	}
}

// ---------------------------------------------------------------------------------------------
// OpenAPI (SPEC §4): served at /v1/openapi.json, generated from the code that serves the routes.

// specRoutes are the operations of SPEC §4 (path parameters as in the OpenAPI document).
var specRoutes = []struct {
	method, path string
	paymentTab   bool // must exist: the Payment tab cannot work without it
}{
	{"post", "/v1/organizations", true},
	{"get", "/v1/organizations", true},
	{"get", "/v1/organizations/{id}", true},
	{"post", "/v1/invoices", true},
	{"get", "/v1/invoices", true},
	{"get", "/v1/invoices/{id}", true},
	{"post", "/v1/invoices/{id}/void", true},
	{"post", "/v1/payments", true},
	{"get", "/v1/payments", true},
	{"get", "/v1/payments/{id}", true},
	{"patch", "/v1/payments/{id}", true},
	{"delete", "/v1/payments/{id}", true},
	{"put", "/v1/payments/{id}/assignment", true},
	{"delete", "/v1/payments/{id}/assignment", true},
	{"post", "/v1/payments/{id}/allocations", true},
	{"delete", "/v1/payments/{id}/allocations/{allocation_id}", true},
	{"post", "/v1/payments/{id}/top-ups", true},
	{"get", "/v1/organizations/{id}/statement", false},
	{"get", "/v1/audit", false},
	{"get", "/v1/reports/aging", false},
	{"get", "/v1/reports/receipts", false},
	{"get", "/v1/journal/export", false},
}

// concrete fills a route's path parameters with ids that exist nowhere.
func concrete(path string) string {
	return strings.NewReplacer("{id}", "pay_01jd8x0c9v7p8x2k3m4n5q6r7s", "{allocation_id}", "alc_01jd8x0c9v7p8x2k3m4n5q6r7s").Replace(path)
}

// served reports whether the server routes method path to an operation (rather than answering
// the mux's plain 404 or 405).
func (s *testServer) served(method, path string) bool {
	s.t.Helper()
	var body any
	if method == "POST" || method == "PUT" || method == "PATCH" {
		body = map[string]any{}
	}
	r := s.call(method, concrete(path), body)
	return !(r.Status == 404 || r.Status == 405) || r.Header.Get("Content-Type") == "application/problem+json"
}

func TestOpenAPI_DocumentListsTheRoutesOfTheSpec(t *testing.T) {
	s := newTestServer(t)
	r := s.rawGet("/v1/openapi.json")
	if r.Status != 200 {
		t.Fatalf("GET /v1/openapi.json: %d %s", r.Status, r.Body)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
		Comps   struct {
			SecuritySchemes map[string]any `json:"securitySchemes"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") {
		t.Errorf("openapi %q, want 3.1", doc.OpenAPI)
	}
	if doc.Comps.SecuritySchemes["bearer"] == nil {
		t.Errorf("no bearer security scheme")
	}
	for _, rt := range specRoutes {
		_, documented := doc.Paths[rt.path][rt.method]
		switch {
		case rt.paymentTab && !documented:
			t.Errorf("%s %s is not in the document", strings.ToUpper(rt.method), rt.path)
		case !documented && s.served(strings.ToUpper(rt.method), rt.path):
			t.Errorf("%s %s is served but not documented", strings.ToUpper(rt.method), rt.path)
		}
	}
	// Every documented operation is served: the document comes from the routes.
	for path, ops := range doc.Paths {
		for method := range ops {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			if !s.served(strings.ToUpper(method), path) {
				t.Errorf("%s %s is documented but not served", strings.ToUpper(method), path)
			}
		}
	}
	// Money travels as decimal strings in the document too.
	var full map[string]any
	_ = json.Unmarshal(r.Body, &full)
	schemas := full["components"].(map[string]any)["schemas"].(map[string]any)
	payment, _ := schemas["Payment"].(map[string]any)
	if payment == nil {
		t.Fatal("no Payment schema")
	}
	props := payment["properties"].(map[string]any)
	for _, f := range []string{"amount", "allocated", "topped_up", "unallocated"} {
		if p, _ := props[f].(map[string]any); p == nil || p["type"] != "string" {
			t.Errorf("Payment.%s is %v, want a string", f, props[f])
		}
	}
	if _, ok := props["assignment_changes_left"]; !ok {
		t.Errorf("Payment has no assignment_changes_left")
	}
}

// ---------------------------------------------------------------------------------------------
// ETag / If-Match (SPEC §3 "stale version", §4).

func TestETag_IsTheVersionOfThePayment(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	pay := s.payment(org, "100.00", "SGD")
	r := s.fetchPayment(pay)
	if r.Header.Get("ETag") != `"1"` || r.intField("version") != 1 {
		t.Fatalf("ETag %q, version %d", r.Header.Get("ETag"), r.intField("version"))
	}
	// Every write answers the new version as its ETag, and the GET agrees.
	r = s.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"remark": "checked"}, "If-Match", `"1"`)
	if r.Header.Get("ETag") != `"2"` || r.intField("version") != 2 || r.str("remark") != "checked" {
		t.Fatalf("after PATCH: ETag %q: %s", r.Header.Get("ETag"), r.Body)
	}
	r = s.must(200, "DELETE", "/v1/payments/"+pay+"/assignment", nil, "If-Match", `"2"`)
	if r.Header.Get("ETag") != `"3"` {
		t.Fatalf("after unassign: ETag %q", r.Header.Get("ETag"))
	}
	if g := s.fetchPayment(pay); g.Header.Get("ETag") != fmt.Sprintf(`"%d"`, g.intField("version")) || g.intField("version") != 3 {
		t.Fatalf("GET after writes: ETag %q, version %d", g.Header.Get("ETag"), g.intField("version"))
	}
	// A weak validator and * are accepted.
	s.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": org}, "If-Match", `W/"3"`)
	s.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"remark": "again"}, "If-Match", `*`)
	// Invoices carry theirs too.
	inv := s.invoice(org, "INV-1", "standard", "10.00")
	if g := s.fetchInvoice(inv); g.Header.Get("ETag") != fmt.Sprintf(`"%d"`, g.intField("version")) {
		t.Fatalf("invoice ETag %q, version %d", g.Header.Get("ETag"), g.intField("version"))
	}
}

func TestIfMatch_StaleVersionIsRefusedWith412(t *testing.T) {
	type fixture struct {
		*testServer
		orgID, inv, pay, alc, payETag, invETag string
	}
	setup := func(t *testing.T) *fixture {
		s := newTestServer(t)
		f := &fixture{testServer: s, orgID: s.org("Acme Telecom", "SGD")}
		f.inv = s.invoice(f.orgID, "INV-1", "standard", "100.00")
		f.pay = s.payment(f.orgID, "100.00", "SGD")
		r := s.must(200, "POST", "/v1/payments/"+f.pay+"/allocations", map[string]any{"allocations": allocLines(f.inv, "10.00")})
		f.alc = activeAllocations(r)[0]
		f.payETag = r.Header.Get("ETag")
		f.invETag = s.fetchInvoice(f.inv).Header.Get("ETag")
		return f
	}
	cases := []struct {
		name   string
		method string
		path   func(f *fixture) string
		body   func(f *fixture) any
		etag   func(f *fixture) string // the current ETag of what the request changes
		status int                     // the answer with the current ETag
	}{
		{"EditPayment", "PATCH", func(f *fixture) string { return "/v1/payments/" + f.pay },
			func(*fixture) any { return map[string]any{"remark": "x"} }, func(f *fixture) string { return f.payETag }, 200},
		{"DeletePayment", "DELETE", func(f *fixture) string { return "/v1/payments/" + f.pay },
			func(*fixture) any { return nil }, func(f *fixture) string { return f.payETag }, 204},
		{"UnassignPayment", "DELETE", func(f *fixture) string { return "/v1/payments/" + f.pay + "/assignment" },
			func(*fixture) any { return nil }, func(f *fixture) string { return f.payETag }, 200},
		{"AssignPayment", "PUT", func(f *fixture) string { return "/v1/payments/" + f.pay + "/assignment" },
			func(f *fixture) any { return map[string]any{"organization_id": f.org("Globex", "SGD")} }, func(f *fixture) string { return f.payETag }, 200},
		{"Allocate", "POST", func(f *fixture) string { return "/v1/payments/" + f.pay + "/allocations" },
			func(f *fixture) any { return map[string]any{"allocations": allocLines(f.inv, "5.00")} }, func(f *fixture) string { return f.payETag }, 200},
		{"AutoAllocate", "POST", func(f *fixture) string { return "/v1/payments/" + f.pay + "/allocations" },
			func(f *fixture) any { return map[string]any{"auto": true} }, func(f *fixture) string { return f.payETag }, 200},
		{"ReleaseAllocation", "DELETE", func(f *fixture) string { return "/v1/payments/" + f.pay + "/allocations/" + f.alc },
			func(*fixture) any { return nil }, func(f *fixture) string { return f.payETag }, 200},
		{"TopUp", "POST", func(f *fixture) string { return "/v1/payments/" + f.pay + "/top-ups" },
			func(*fixture) any { return map[string]any{"amount": "1.00"} }, func(f *fixture) string { return f.payETag }, 201},
		{"VoidInvoice", "POST", func(f *fixture) string {
			return "/v1/invoices/" + f.invoice(f.orgID, "INV-9", "standard", "1.00") + "/void"
		},
			func(*fixture) any { return nil }, func(*fixture) string { return `"1"` }, 200},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := setup(t)
			path, body, current := tc.path(f), tc.body(f), tc.etag(f)
			var n int
			if _, err := fmt.Sscanf(current, `"%d"`, &n); err != nil {
				t.Fatalf("ETag %q is not a quoted version", current)
			}
			for _, stale := range []string{fmt.Sprintf(`"%d"`, n-1), fmt.Sprintf(`"%d"`, n+1), `"0"`, `"abc"`, `W/"999"`} {
				before := f.booksFingerprint()
				r := f.call(tc.method, path, body, "If-Match", stale)
				expectProblem(t, r, 412, "version_conflict")
				if f.booksFingerprint() != before {
					t.Fatalf("If-Match %s: a refused write changed the books", stale)
				}
			}
			// With the current version it goes through.
			f.must(tc.status, tc.method, path, body, "If-Match", current)
		})
	}
}

// A write made on a stale read is refused even when it arrives after another write.
func TestIfMatch_LostUpdateIsPrevented(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	pay := s.payment(org, "100.00", "SGD")
	etag := s.fetchPayment(pay).Header.Get("ETag")
	s.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"reference": "FIRST"}, "If-Match", etag)
	expectProblem(t, s.call("PATCH", "/v1/payments/"+pay, map[string]any{"reference": "SECOND"}, "If-Match", etag), 412, "version_conflict")
	if ref := s.fetchPayment(pay).str("reference"); ref != "FIRST" {
		t.Fatalf("reference %q, want FIRST", ref)
	}
}

// ---------------------------------------------------------------------------------------------
// Idempotency-Key (SPEC §3, §4).

func TestIdempotencyKey_SameRequestGetsTheFirstResponseAndCreatesNothingTwice(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	body := map[string]any{"organization_id": org, "amount": "100.00", "currency": "SGD", "method": "bank_transfer", "reference": "TT-1"}
	first := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "key-1")
	for i := 0; i < 3; i++ {
		again := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "key-1")
		if !bytes.Equal(again.Body, first.Body) {
			t.Fatalf("replay differs:\nfirst %s\nagain %s", first.Body, again.Body)
		}
		if again.Header.Get("Content-Type") != first.Header.Get("Content-Type") {
			t.Fatalf("replay content type %q, first %q", again.Header.Get("Content-Type"), first.Header.Get("Content-Type"))
		}
	}
	if n := s.countPayments(true); n != 1 {
		t.Fatalf("%d payments recorded, want 1", n)
	}
	s.expectBalances(org, "SGD", "0.00", "100.00", "0.00")
	if acts := s.auditActions(first.str("id")); len(acts) != 1 {
		t.Fatalf("audit of the payment: %v", acts)
	}
	// Another key is another request.
	s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "key-2")
	if n := s.countPayments(true); n != 2 {
		t.Fatalf("%d payments recorded, want 2", n)
	}
	// Without a key every request counts.
	s.must(201, "POST", "/v1/payments", body)
	if n := s.countPayments(true); n != 3 {
		t.Fatalf("%d payments recorded, want 3", n)
	}
}

func TestIdempotencyKey_MoneyMovesOnce(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	tu := s.invoice(org, "TU-1", "top_up", "20.00")
	pay := s.payment(org, "200.00", "SGD")

	alloc := map[string]any{"allocations": allocLines(inv, "30.00", tu, "20.00")}
	first := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", alloc, "Idempotency-Key", "alloc-1")
	again := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", alloc, "Idempotency-Key", "alloc-1")
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\nfirst %s\nagain %s", first.Body, again.Body)
	}
	s.expectInvoice(inv, "partially_paid", "30.00", "70.00")

	topUp := map[string]any{"amount": "15.00"}
	first = s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", topUp, "Idempotency-Key", "topup-1")
	again = s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", topUp, "Idempotency-Key", "topup-1")
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\nfirst %s\nagain %s", first.Body, again.Body)
	}
	s.expectPayment(pay, "partially_allocated", "50.00", "15.00", "135.00")
	s.expectBalances(org, "SGD", "70.00", "135.00", "35.00") // 20 from the top-up invoice, once; 15 topped up, once
}

func TestIdempotencyKey_ReusedForAnotherRequestIsRefused(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	body := map[string]any{"organization_id": org, "amount": "100.00", "currency": "SGD", "method": "bank_transfer"}
	s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "key-1")
	before := s.booksFingerprint()
	others := []struct {
		name, path string
		body       any
	}{
		{"OtherAmount", "/v1/payments", map[string]any{"organization_id": org, "amount": "100.01", "currency": "SGD", "method": "bank_transfer"}},
		{"OtherMethod", "/v1/payments", map[string]any{"organization_id": org, "amount": "100.00", "currency": "SGD", "method": "cash"}},
		{"OtherPath", "/v1/organizations", map[string]any{"name": "X", "billing_currency": "SGD"}},
	}
	for _, o := range others {
		t.Run(o.name, func(t *testing.T) {
			r := s.call("POST", o.path, o.body, "Idempotency-Key", "key-1")
			expectProblem(t, r, 422, "idempotency_key_reused")
		})
	}
	if s.booksFingerprint() != before || s.countPayments(true) != 1 {
		t.Fatal("a refused reuse of a key wrote something")
	}
}

func TestIdempotencyKey_RefusalsAreReplayedToo(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme Telecom", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	pay := s.payment(org, "50.00", "SGD")
	body := map[string]any{"allocations": allocLines(inv, "60.00")}
	first := s.call("POST", "/v1/payments/"+pay+"/allocations", body, "Idempotency-Key", "over-1")
	expectProblem(t, first, 409, "over_allocation")
	again := s.call("POST", "/v1/payments/"+pay+"/allocations", body, "Idempotency-Key", "over-1")
	expectProblem(t, again, 409, "over_allocation")
	if !bytes.Equal(first.Body, again.Body) {
		t.Fatalf("replay differs:\nfirst %s\nagain %s", first.Body, again.Body)
	}
	s.expectInvoice(inv, "unpaid", "0.00", "100.00")
}

func TestIdempotencyKey_TooLongIsRefused(t *testing.T) {
	s := newTestServer(t)
	r := s.call("POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash"}, "Idempotency-Key", strings.Repeat("k", 256))
	expectProblem(t, r, 422, "validation_error")
	if r.str("field") != "Idempotency-Key" {
		t.Errorf("field %q", r.str("field"))
	}
	if s.countPayments(true) != 0 {
		t.Fatal("recorded a payment")
	}
}

// Problems are RFC 9457 documents with a stable code, also for routes that do not exist.
func TestProblems_AreProblemJSONWithACode(t *testing.T) {
	s := newTestServer(t)
	cases := []struct {
		method, path string
		status       int
		code         string
	}{
		{"GET", "/v1/payments/pay_01jd8x0c9v7p8x2k3m4n5q6r7s", 404, "not_found"},
		{"GET", "/v1/invoices/inv_01jd8x0c9v7p8x2k3m4n5q6r7s", 404, "not_found"},
		{"GET", "/v1/organizations/org_01jd8x0c9v7p8x2k3m4n5q6r7s", 404, "not_found"},
		{"DELETE", "/v1/payments/pay_01jd8x0c9v7p8x2k3m4n5q6r7s", 404, "not_found"},
		{"POST", "/v1/invoices/inv_01jd8x0c9v7p8x2k3m4n5q6r7s/void", 404, "not_found"},
	}
	for _, tc := range cases {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			r := s.call(tc.method, tc.path, nil)
			expectProblem(t, r, tc.status, tc.code)
			if r.intField("status") != tc.status || r.str("title") == "" || r.str("detail") == "" {
				t.Fatalf("problem: %s", r.Body)
			}
		})
	}
}

// The document's invoice statuses are the books' list, not a copy: the Invoice schema's enum, and
// the list's status filter, which also takes overdue.
func TestOpenAPI_InvoiceStatusesAreTheBooksList(t *testing.T) {
	s := newTestServer(t)
	r := s.rawGet("/v1/openapi.json")
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []struct {
				Name, In, Description string
			} `json:"parameters"`
		} `json:"paths"`
		Comps struct {
			Schemas map[string]struct {
				Properties map[string]struct {
					Enum []string `json:"enum"`
				} `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("not JSON: %v", err)
	}
	if got := doc.Comps.Schemas["Invoice"].Properties["status"].Enum; !slices.Equal(got, finapp.InvoiceStatuses) {
		t.Errorf("Invoice.status enum %q, want %q", got, finapp.InvoiceStatuses)
	}
	var described string
	for _, p := range doc.Paths["/v1/invoices"]["get"].Parameters {
		if p.Name == "status" && p.In == "query" {
			described = p.Description
		}
	}
	for _, status := range finapp.InvoiceFilterStatuses {
		if !strings.Contains(described, status) {
			t.Errorf("the status filter of GET /v1/invoices is described as %q, without %s", described, status)
		}
	}
}

// Every 201 names what it made in Location: a path that reads it (a top-up is read as part of
// its payment; a token or user is listed and removed at its path).
func TestCreated_EveryCreateAnswersLocation(t *testing.T) {
	s := newTestServer(t)
	admin := []string{"Authorization", "Bearer " + s.Admin}
	org := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Loc Pte Ltd", "billing_currency": "SGD"})
	inv := s.must(201, "POST", "/v1/invoices", map[string]any{"number": "LOC-1", "organization_id": org.str("id"), "total": "10.00"})
	pay := s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": org.str("id"), "amount": "50.00", "currency": "SGD", "method": "cash"})
	top := s.must(201, "POST", "/v1/payments/"+pay.str("id")+"/top-ups", map[string]any{"amount": "5.00"})
	tok := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "loc", "role": "viewer"}, admin...)
	usr := s.must(201, "POST", "/v1/users", map[string]any{"email": "loc@example.com", "role": "viewer", "password": "correct horse battery staple"}, admin...)
	for _, c := range []struct {
		r        *response
		location string
		read     bool
	}{
		{org, "/v1/organizations/" + org.str("id"), true},
		{inv, "/v1/invoices/" + inv.str("id"), true},
		{pay, "/v1/payments/" + pay.str("id"), true},
		{top, "/v1/payments/" + pay.str("id"), true},
		{tok, "/v1/tokens/" + tok.str("id"), false},
		{usr, "/v1/users/" + usr.str("id"), false},
	} {
		if got := c.r.Header.Get("Location"); got != c.location || strings.HasSuffix(got, "/") {
			t.Errorf("Location %q, want %q", got, c.location)
		}
		if etags := c.r.Header.Values("ETag"); len(etags) > 1 || (len(etags) == 1 && etags[0] == "") {
			t.Errorf("%s: ETag %q", c.location, etags)
		}
		if c.read {
			s.must(200, "GET", c.location, nil)
		}
	}
}

// An Idempotency-Key is honoured on every write, not only POST: a repeated PATCH, PUT or DELETE
// answers the first answer again (marked Idempotent-Replayed) and changes nothing twice; the
// same key on another change is refused.
func TestIdempotencyKey_HonouredOnPatchPutAndDelete(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Keyed Pte Ltd", "SGD")
	other := s.org("Other Pte Ltd", "SGD")
	inv := s.invoice(org, "KEY-1", "standard", "100.00")
	pay := s.payment(org, "60.00", "SGD")
	alc := activeAllocations(s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "40.00")}))[0]
	admin := []string{"Authorization", "Bearer " + s.Admin}
	tok := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "keyed", "role": "viewer"}, admin...).str("id")
	for _, c := range []struct {
		method, path string
		body         any
		headers      []string
	}{
		{"PATCH", "/v1/payments/" + pay, map[string]any{"remark": "first"}, nil},
		{"DELETE", "/v1/payments/" + pay + "/allocations/" + alc, nil, nil},
		{"DELETE", "/v1/payments/" + pay + "/assignment", nil, nil},
		{"PUT", "/v1/payments/" + pay + "/assignment", map[string]any{"organization_id": other}, nil},
		{"DELETE", "/v1/tokens/" + tok, nil, admin},
	} {
		key := []string{"Idempotency-Key", "k-" + c.method + c.path}
		first := s.call(c.method, c.path, c.body, append(key, c.headers...)...)
		if first.Status >= 300 {
			t.Fatalf("%s %s: %d %s", c.method, c.path, first.Status, first.Body)
		}
		before := s.booksFingerprint()
		again := s.call(c.method, c.path, c.body, append(key, c.headers...)...)
		if again.Status != first.Status || !bytes.Equal(again.Body, first.Body) || again.Header.Get("Idempotent-Replayed") != "true" {
			t.Errorf("%s %s repeated: %d %q %s, want the first answer %d %s", c.method, c.path, again.Status, again.Header.Get("Idempotent-Replayed"), again.Body, first.Status, first.Body)
		}
		if s.booksFingerprint() != before {
			t.Errorf("%s %s repeated changed the books", c.method, c.path)
		}
	}
	r := s.call("PATCH", "/v1/payments/"+pay, map[string]any{"remark": "second"}, "Idempotency-Key", "k-PATCH/v1/payments/"+pay)
	expectProblem(t, r, 422, "idempotency_key_reused")
}

// A refused request never repeats a secret it carried: huma lists each bad value in errors[],
// which clients log.
func TestValidation_NeverEchoesAPassword(t *testing.T) {
	s := newTestServer(t)
	admin := []string{"Authorization", "Bearer " + s.Admin}
	for _, password := range []string{"short-Pw-97", strings.Repeat("x", 1025) + "Pw-97"} {
		r := s.call("POST", "/v1/users", map[string]any{"email": "echo@example.com", "role": "viewer", "password": password}, admin...)
		if r.Status != 422 || r.str("field") != "password" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		if bytes.Contains(r.Body, []byte("Pw-97")) {
			t.Errorf("the refusal repeats the password: %s", r.Body)
		}
	}
	// Other fields keep their value in errors[] (it helps a client find its mistake).
	r := s.call("POST", "/v1/users", map[string]any{"email": "echo@example.com", "role": "emperor", "password": "correct horse battery staple"}, admin...)
	if r.Status != 422 || !bytes.Contains(r.Body, []byte("emperor")) {
		t.Errorf("role refusal: %d %s", r.Status, r.Body)
	}
}
