package api_test

// FuzzEveryRoute drives every operation of the OpenAPI document — read from the document, so a
// new route is fuzzed without touching this file — with a fuzzed path id, one fuzzed query
// parameter and a fuzzed raw body, as the admin (who may call every route), and checks the API's
// error contract: never a 5xx, every 4xx problem+json with a code. A plain `go test ./api/`
// runs the seeds below (every route with NULs, control characters, broken UTF-8, duplicate
// members and huge numbers) and those under testdata/fuzz/FuzzEveryRoute/, on SQLite, or on
// PostgreSQL with FINAPP_TEST_ENGINE=postgres. Fuzz for real with
//
//	go test ./api/ -run '^$' -fuzz FuzzEveryRoute -fuzztime 60s
//
// An empty id stands for a record of the route's kind that exists; ids, query values and bodies
// may name the fixtures with placeholders ({{org}}, {{inv}}, {{pay}}, {{alc}}, {{tok}}, {{usr}}).

import (
	"net/url"
	"strings"
	"testing"
)

// routeSeedBodies are bodies every route is seeded with, valid or not.
var routeSeedBodies = []string{
	``,
	`{}`,
	`{"name":"Fuzz \u0000 Ltd","billing_currency":"SGD"}`,
	`{"organization_id":"{{org}}","number":"N\u0000","total":"10.00"}`,
	`{"organization_id":"{{org}}","amount":"5.00","currency":"SGD","method":"cash","remark":"two\nlines","reference":"\u001b[31m"}`,
	"{\"amount\":\"5.00\",\"currency\":\"SGD\",\"method\":\"cash\",\"reference\":\"\xff\xfe\"}",
	"{\"na\xffme\":\"x\"}",
	`{"amount":"1.00","amount":"2.00","currency":"SGD","method":"cash"}`,
	`{"allocations":[{"invoice_id":"{{inv}}","amount":"1.00","amount":"99999999999999999999999999999.99"}]}`,
	`{"amount":1e999999,"currency":"SGD","method":"cash"}`,
	`{"amount":"99999999999999999999999999999999999999.99","currency":"SGD","method":"cash"}`,
	`{"amount":"-0.00","currency":"SGD","method":"cash"}`,
	`{"amount":"1.00","currency":"SGD","method":"cash","reason":"closing\u0000","reference":"\u202e"}`,
	`{"amount":"0.01","currency":"sgd","reference":"call-\u0000","expires_in":-1}`,
	`{"organization_id":"{{org}}\u0085"}`,
	`{"name":"t","role":"viewer","expires_at":"2999-01-01T00:00:00\u0000Z"}`,
	`{"email":"a\u0000@example.com","role":"viewer","password":"correct horse battery staple"}`,
	`[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]`,
	"\x00",
	`{"lines":[{"line_id":"{{pay}}","proposal_id":"bp_\u0000","organization_id":"{{org}}"}]}`,
	`<?xml version="1.0"?><Document><BkToCstmrStmt><Stmt><Acct><Id><IBAN>X</IBAN></Id></Acct><Ntry><Amt Ccy="EUR">1e9</Amt></Ntry></Stmt></BkToCstmrStmt></Document>`,
}

// routeSeedQueries are query parameters (name, value) every route is seeded with.
var routeSeedQueries = [][2]string{
	{"", ""}, {"q", "a\x00b"}, {"cursor", "garbage"}, {"cursor", "{{pay}}\x00"}, {"number", "\xff"}, {"entity_id", "{{pay}}"},
	{"limit", "99999999999999999999"}, {"organization_id", "\u009f"}, {"a\x00", "1"}, {"from", "2026-13-45"}, {"as_of", "\x7f"},
}

// routeSeedIDs are path ids every route is seeded with ("" is a fixture of the route's kind).
var routeSeedIDs = []string{"", "\x00", "{{pay}}\x00", "{{org}}\xff", "x\u0085", "../../v1/tokens", "{{inv}}", "pay_" + strings.Repeat("z", 26)}

func FuzzEveryRoute(f *testing.F) {
	s := newFuzzServer(f)
	routes := documentedRoutes(f, s.send(f, "GET", "/v1/openapi.json", nil).Body)
	if len(routes) == 0 || len(routes) > 256 {
		f.Fatalf("%d routes: the fuzzer picks one with a byte", len(routes))
	}
	org := s.sendJSON(f, 201, "POST", "/v1/organizations", map[string]any{"name": "Fuzz Pte Ltd", "billing_currency": "SGD"}).str("id")
	inv := s.sendJSON(f, 201, "POST", "/v1/invoices", map[string]any{"organization_id": org, "number": "FR-1", "total": "100.00"}).str("id")
	pay := s.sendJSON(f, 201, "POST", "/v1/payments", map[string]any{"organization_id": org, "amount": "100.00", "currency": "SGD", "method": "cash"}).str("id")
	allocated := activeAllocations(s.sendJSON(f, 200, "POST", "/v1/payments/"+pay+"/allocations",
		map[string]any{"allocations": []map[string]any{{"invoice_id": inv, "amount": "10.00"}}}))
	ids := map[string]string{"org": org, "inv": inv, "pay": pay, "alc": allocated[0]}
	tok := s.sendAs(f, s.admin, "POST", "/v1/tokens", []byte(`{"name":"fuzz-viewer","role":"viewer"}`))
	usr := s.sendAs(f, s.admin, "POST", "/v1/users", []byte(`{"email":"fuzz@example.com","role":"viewer","password":"correct horse battery staple"}`))
	if tok.Status != 201 || usr.Status != 201 {
		f.Fatalf("token %d, user %d: %s %s", tok.Status, usr.Status, tok.Body, usr.Body)
	}
	ids["tok"], ids["usr"] = tok.str("id"), usr.str("id")
	// kindOf is the fixture an empty id stands for, by the route's first path segment.
	kindOf := map[string]string{"organizations": "org", "invoices": "inv", "payments": "pay", "tokens": "tok", "users": "usr"}

	for i := range routes {
		for j, body := range routeSeedBodies {
			q := routeSeedQueries[j%len(routeSeedQueries)]
			f.Add(uint8(i), routeSeedIDs[j%len(routeSeedIDs)], q[0], q[1], []byte(body))
		}
	}
	f.Fuzz(func(t *testing.T, route uint8, id, queryName, queryValue string, body []byte) {
		r := routes[int(route)%len(routes)]
		fill := func(s string) string { return string(fillIn([]byte(s), ids)) }
		path := r.Path
		for _, p := range r.Params {
			if p.In != "path" {
				continue
			}
			v := fill(id)
			if id == "" {
				v = ids[kindOf[strings.Split(r.Path, "/")[2]]]
				if p.Name == "allocation_id" {
					v = ids["alc"]
				}
			}
			path = strings.Replace(path, "{"+p.Name+"}", url.PathEscape(v), 1)
		}
		if queryName != "" {
			path += "?" + url.Values{fill(queryName): {fill(queryValue)}}.Encode()
		}
		var sent []byte
		if len(body) > 0 {
			sent = fillIn(body, ids)
		}
		// send checks the contract: no 5xx, every 4xx problem+json with a code.
		s.sendAs(t, s.admin, r.Method, path, sent)
	})
}
