package api_test

// The edge's text rules (docs/api.md, "Text"): every string a request carries — path ids, query
// values, JSON members and member names, the headers the API reads — is refused with a 422
// validation_error naming it when it holds a control character or is not valid UTF-8, and a JSON
// body that names a member twice is refused the same way. PostgreSQL used to answer 500 to a NUL
// byte where SQLite stored it; these tests run on both engines (FINAPP_TEST_ENGINE=postgres).
//
// The routes, their parameters and their body members are read from the OpenAPI document, so a
// new route or member is covered without touching this file (a new write route needs a minimal
// valid body in requestBodies, access_test.go).

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"finapp"
	"finapp/webhook"
)

// badText are strings no field may hold. Line breaks and tabs are bad only in single-line
// fields (finapp.MultilineText).
var badText = []struct {
	name, s   string
	lineBreak bool // allowed in multi-line fields
}{
	{"NUL", "\x00", false},
	{"NUL inside", "a\x00b", false},
	{"SOH", "\x01", false},
	{"unit separator", "\x1f", false},
	{"escape", "\x1b[0m", false},
	{"DEL", "\x7f", false},
	{"C1 NEL", "\u0085", false},
	{"C1 last", "\u009f", false},
	{"invalid byte", "\xff", false},
	{"truncated UTF-8", "caf\xc3", false},
	{"newline", "a\nb", true},
	{"tab", "a\tb", true},
}

// documentedRoute is one operation of the OpenAPI document with its string inputs.
type documentedRoute struct {
	apiOperation
	Params []routeParam // path and query parameters, and the headers the API reads
	Body   []string     // JSON paths of the body's string members, e.g. allocations[0].invoice_id
}

type routeParam struct {
	Name, In string
	String   bool
}

// documentedRoutes reads every operation with its parameters and body members from the OpenAPI
// document raw (GET /v1/openapi.json).
func documentedRoutes(tb testing.TB, raw []byte) []documentedRoute {
	tb.Helper()
	type schema struct {
		Ref        string             `json:"$ref"`
		Type       any                `json:"type"`
		Properties map[string]*schema `json:"properties"`
		Items      *schema            `json:"items"`
	}
	var doc struct {
		Paths      map[string]map[string]json.RawMessage `json:"paths"`
		Components struct {
			Schemas map[string]*schema `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		tb.Fatalf("openapi.json: %v", err)
	}
	resolve := func(s *schema) *schema {
		for s != nil && s.Ref != "" {
			s = doc.Components.Schemas[strings.TrimPrefix(s.Ref, "#/components/schemas/")]
		}
		return s
	}
	isType := func(s *schema, want string) bool {
		switch t := s.Type.(type) {
		case string:
			return t == want
		case []any:
			for _, x := range t {
				if x == want {
					return true
				}
			}
		}
		return false
	}
	var members func(prefix string, s *schema, depth int) []string
	members = func(prefix string, s *schema, depth int) []string {
		s = resolve(s)
		if s == nil || depth > 4 {
			return nil
		}
		switch {
		case isType(s, "string"):
			return []string{prefix}
		case isType(s, "array"):
			return members(prefix+"[0]", s.Items, depth+1)
		case isType(s, "object"):
			var out []string
			for name, p := range s.Properties {
				path := name
				if prefix != "" {
					path = prefix + "." + name
				}
				out = append(out, members(path, p, depth+1)...)
			}
			sort.Strings(out)
			return out
		}
		return nil
	}
	var routes []documentedRoute
	for path, methods := range doc.Paths {
		for method, raw := range methods {
			switch method {
			case "get", "post", "put", "patch", "delete":
			default:
				continue
			}
			var op struct {
				OperationID string `json:"operationId"`
				Parameters  []struct {
					Name   string  `json:"name"`
					In     string  `json:"in"`
					Schema *schema `json:"schema"`
				} `json:"parameters"`
				RequestBody *struct {
					Content map[string]struct {
						Schema *schema `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				tb.Fatalf("%s %s: %v", method, path, err)
			}
			r := documentedRoute{apiOperation: apiOperation{Method: strings.ToUpper(method), Path: path, ID: op.OperationID}}
			for _, p := range op.Parameters {
				s := resolve(p.Schema)
				r.Params = append(r.Params, routeParam{Name: p.Name, In: p.In, String: s != nil && isType(s, "string")})
			}
			if op.RequestBody != nil {
				if c, ok := op.RequestBody.Content["application/json"]; ok {
					r.Body = members("", c.Schema, 0)
				}
			}
			routes = append(routes, r)
		}
	}
	sort.Slice(routes, func(i, j int) bool { return routes[i].String() < routes[j].String() })
	return routes
}

// jsonString writes s as a JSON string literal byte for byte: control characters are escaped
// (raw ones would be broken JSON, refused before any text rule), anything else — invalid UTF-8
// included — is written as is, which encoding/json would not do.
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c < 0x20 || c == 0x7f:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// withMember returns body (a JSON object) with the string member at path (as documentedRoutes
// names it) set to what the literal lit says, creating the member when the body lacks it.
func withMember(tb testing.TB, body map[string]any, path, lit string) []byte {
	tb.Helper()
	const marker = "\uE000member\uE000"
	raw, _ := json.Marshal(body)
	var v map[string]any
	_ = json.Unmarshal(raw, &v)
	if v == nil {
		v = map[string]any{}
	}
	var obj map[string]any = v
	parts := strings.Split(path, ".")
	for _, part := range parts[:len(parts)-1] {
		name, isArray := strings.CutSuffix(part, "[0]")
		if isArray {
			list, _ := obj[name].([]any)
			if len(list) == 0 {
				list = []any{map[string]any{}}
			}
			obj[name] = list
			next, _ := list[0].(map[string]any)
			if next == nil {
				next = map[string]any{}
				list[0] = next
			}
			obj = next
		} else {
			next, _ := obj[name].(map[string]any)
			if next == nil {
				next = map[string]any{}
				obj[name] = next
			}
			obj = next
		}
	}
	obj[parts[len(parts)-1]] = marker
	out, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	quoted, _ := json.Marshal(marker)
	return bytes.Replace(out, quoted, []byte(lit), 1)
}

// memberValue is the string at path in body, "" when there is none.
func memberValue(body map[string]any, path string) string {
	raw, _ := json.Marshal(body)
	var v any
	_ = json.Unmarshal(raw, &v)
	for _, part := range strings.Split(path, ".") {
		name, isArray := strings.CutSuffix(part, "[0]")
		obj, _ := v.(map[string]any)
		v = obj[name]
		if isArray {
			list, _ := v.([]any)
			if len(list) == 0 {
				return ""
			}
			v = list[0]
		}
	}
	s, _ := v.(string)
	return s
}

// rawCall sends a request with a raw body and headers as the admin (who may call every route).
func (s *testServer) rawCall(method, path string, body []byte, headers ...string) *response {
	s.t.Helper()
	return s.send(method, path, s.Admin, body, body != nil, headers...)
}

// expectTextRefusal checks the edge's answer to a string that breaks the text rules: 422
// validation_error naming field, like any other bad value.
func expectTextRefusal(t *testing.T, what string, r *response, field string) {
	t.Helper()
	want := http.StatusUnprocessableEntity
	if field == "cursor" { // not a cursor the server issued: a malformed request
		want = http.StatusBadRequest
	}
	if r.Status != want || r.str("code") != finapp.EInvalid || r.str("field") != field {
		t.Errorf("%s: got %d %q field %q, want %d %q field %q: %s", what, r.Status, r.str("code"), r.str("field"), want, finapp.EInvalid, field, r.Body)
		return
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Errorf("%s: content type %q, want application/problem+json", what, ct)
	}
}

func TestEdge_EveryRouteRefusesBadTextInEveryStringParameter(t *testing.T) {
	s := newTestServer(t)
	m := &matrix{testServer: s}
	routes := documentedRoutes(t, s.must(200, "GET", "/v1/openapi.json", nil).Body)
	if len(routes) < 25 {
		t.Fatalf("only %d routes in the OpenAPI document", len(routes))
	}
	for _, route := range routes {
		t.Run(route.ID, func(t *testing.T) {
			m.t = t
			s.t = t
			f := m.fixtures(true)
			path := pathOf(t, route.apiOperation, f)
			var body map[string]any
			if b := m.bodyOf(route.apiOperation, f); b != nil {
				raw, _ := json.Marshal(b)
				_ = json.Unmarshal(raw, &body)
			}
			send := func(path string, bodyRaw []byte, headers ...string) *response {
				if bodyRaw == nil && body != nil {
					bodyRaw, _ = json.Marshal(body)
				}
				return s.rawCall(route.Method, path, bodyRaw, headers...)
			}
			for _, bad := range badText {
				for _, p := range route.Params {
					if !p.String {
						continue
					}
					what := fmt.Sprintf("%s %s %q", p.In, p.Name, bad.s)
					switch p.In {
					case "path":
						// The real id with the bad text after it, so that no check of an id's
						// shape can hide what the database would have done with it.
						real := strings.Split(strings.TrimPrefix(path, "/"), "/")[segmentOf(route.Path, p.Name)]
						expectTextRefusal(t, what, send(replaceSegment(path, segmentOf(route.Path, p.Name), url.PathEscape(real+bad.s)), nil), p.Name)
					case "query":
						expectTextRefusal(t, what, send(path+"?"+url.Values{p.Name: {"x" + bad.s}}.Encode(), nil), p.Name)
					case "header":
						// Clients cannot send control characters in a header (Go's refuses), but
						// bytes that are not UTF-8 they can.
						if bad.s[0] >= 0x80 || bad.name == "truncated UTF-8" {
							expectTextRefusal(t, what, send(path, nil, p.Name, "k"+bad.s), p.Name)
						}
					}
				}
				for _, member := range route.Body {
					if bad.lineBreak && finapp.MultilineText(member) {
						continue
					}
					lit := jsonString(memberValue(body, member) + bad.s)
					expectTextRefusal(t, fmt.Sprintf("body %s %q", member, bad.s), send(path, withMember(t, body, member, lit)), member)
				}
			}
			if body != nil {
				// A member name that breaks the rules is named by its path, with the name quoted.
				raw, _ := json.Marshal(body)
				bad := append([]byte(`{"na\u0000me":"x",`), raw[1:]...)
				expectTextRefusal(t, "member name with a NUL", send(path, bad), strconv.Quote("na\x00me"))
				// A member given twice: which one counts would be a guess.
				for name, v := range body {
					first, _ := json.Marshal(map[string]any{name: v})
					twice := append(first[:len(first)-1:len(first)-1], ',')
					twice = append(twice, raw[1:]...)
					expectTextRefusal(t, "member "+name+" twice", send(path, twice), name)
					break
				}
			}
			// The query string's names are text too.
			expectTextRefusal(t, "query name with a NUL", send(path+"?a%00b=1", nil), strconv.Quote("a\x00b"))
		})
	}
}

// segmentOf is the index of {param} among the segments of a path template.
func segmentOf(template, param string) int {
	for i, seg := range strings.Split(strings.TrimPrefix(template, "/"), "/") {
		if seg == "{"+param+"}" {
			return i
		}
	}
	return -1
}

func replaceSegment(path string, i int, with string) string {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	segs[i] = with
	return "/" + strings.Join(segs, "/")
}

func TestEdge_DuplicateMembersAreRefusedAtAnyDepth(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Dup Pte Ltd", "SGD")
	inv := s.invoice(org, "DUP-1", "standard", "100.00")
	pay := s.payment(org, "100.00", "SGD")
	for _, c := range []struct {
		method, path, body, field string
	}{
		{"POST", "/v1/payments", `{"amount":"1.00","amount":"2.00","currency":"SGD","method":"cash"}`, "amount"},
		{"POST", "/v1/payments", `{"amount":"1.00","currency":"SGD","method":"cash","remark":"a","remark":"a"}`, "remark"},
		{"POST", "/v1/payments/" + pay + "/allocations", `{"allocations":[{"invoice_id":"` + inv + `","amount":"1.00","amount":"9.00"}]}`, "allocations[0].amount"},
		{"POST", "/v1/payments/" + pay + "/allocations", `{"allocations":[],"allocations":[{"invoice_id":"` + inv + `","amount":"1.00"}]}`, "allocations"},
		{"PATCH", "/v1/payments/" + pay, `{"remark":null,"remark":"x"}`, "remark"},
	} {
		r := s.rawCall(c.method, c.path, []byte(c.body))
		expectTextRefusal(t, c.body, r, c.field)
	}
	// The same name in two different objects is no duplicate.
	s.must(200, "POST", "/v1/payments/"+pay+"/allocations", `{"allocations":[{"invoice_id":"`+inv+`","amount":"1.00"},{"invoice_id":"`+inv+`","amount":"2.00"}]}`)
}

func TestEdge_TextThatKeepsTheRulesIsAccepted(t *testing.T) {
	s := newTestServer(t)
	org := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "Société Générale 株式会社 💸", "billing_currency": "SGD"})
	if got := org.str("name"); got != "Société Générale 株式会社 💸" {
		t.Fatalf("name stored as %q", got)
	}
	p := s.must(201, "POST", "/v1/payments", map[string]any{"amount": "1.00", "currency": "SGD", "method": "cash",
		"remark": "first line\r\n\tsecond line\n", "reference": "REF \uFFFD"})
	if got := p.str("remark"); got != "first line\r\n\tsecond line" && got != "first line\r\n\tsecond line\n" {
		t.Fatalf("remark stored as %q", got)
	}
	s.must(200, "GET", "/v1/organizations?q="+url.QueryEscape("Société"), nil)
}

// The cursor of a list is the last id of the page before; anything else is refused, naming it,
// instead of answering an arbitrary page.
func TestEdge_EveryListRefusesAMalformedCursor(t *testing.T) {
	w := newWebhookWorld(t, webhook.Policy{AllowInsecure: true, AllowPrivate: true}, 5*time.Second)
	s := w.testServer
	m := &matrix{testServer: s}
	m.fixtures(true)
	f := m.fixtures(true)
	// The delivery log pages too: an endpoint with a receiver that has been sent two events.
	f.Webhook, _ = w.endpoint(newReceiver(t).URL, "payment.recorded")
	m.payment(f.Org, "1.00", "SGD")
	m.payment(f.Org, "2.00", "SGD")
	// A payment's and an invoice's histories page too: the fixture payment gets a second
	// allocation to the fixture invoice and two top-ups, the fixture credit note a second application.
	m.must(200, "POST", "/v1/payments/"+f.Payment+"/allocations", map[string]any{"allocations": allocLines(f.Invoice, "1.00")})
	m.must(201, "POST", "/v1/payments/"+f.Payment+"/top-ups", map[string]any{"amount": "1.00"})
	m.must(201, "POST", "/v1/payments/"+f.Payment+"/top-ups", map[string]any{"amount": "1.00"})
	m.must(200, "POST", "/v1/credit-notes/"+f.CreditNote+"/allocations", map[string]any{"allocations": allocLines(f.Invoice, "1.00")})
	m.must(201, "POST", "/v1/organizations/"+f.Org+"/withdrawals", map[string]any{"amount": "1.00", "currency": "SGD",
		"method": "cash", "reason": "asked back"})
	// Reminders page too: two invoices long overdue, found by a run.
	for _, n := range []string{"OLD-1", "OLD-2"} {
		m.must(201, "POST", "/v1/invoices", map[string]any{"number": n, "organization_id": f.Org, "total": "5.00", "issued_on": "2020-01-01", "due_on": "2020-01-31"})
	}
	m.must(200, "POST", "/v1/reminders/run", nil)
	for sent := 0; sent < 2; {
		n := w.round()
		if n == 0 {
			t.Fatalf("the dispatcher sent %d events, want 2", sent)
		}
		sent += n
	}
	lists := 0
	for _, route := range documentedRoutes(t, s.must(200, "GET", "/v1/openapi.json", nil).Body) {
		hasCursor := false
		for _, p := range route.Params {
			hasCursor = hasCursor || (p.In == "query" && p.Name == "cursor")
		}
		if !hasCursor {
			continue
		}
		lists++
		t.Run(route.ID, func(t *testing.T) {
			s.t = t
			path := pathOf(t, route.apiOperation, f)
			// A real cursor pages on.
			first := s.rawCall("GET", path+"?limit=1", nil)
			next := first.str("next_cursor")
			if first.Status != 200 || next == "" {
				t.Fatalf("limit=1: %d, next_cursor %q: %s", first.Status, next, first.Body)
			}
			if r := s.rawCall("GET", path+"?limit=1&cursor="+url.QueryEscape(next), nil); r.Status != 200 {
				t.Fatalf("cursor %q from the list itself: %d %s", next, r.Status, r.Body)
			}
			prefix, ulid, _ := strings.Cut(next, "_")
			other := "pay"
			if prefix == "pay" {
				other = "org"
			}
			for _, bad := range []string{
				"garbage", "1", "zzzz", prefix + "_" + strings.ToUpper(ulid), prefix + "_", prefix, next + "0", next[:len(next)-1],
				prefix + "_" + strings.ToUpper(ulid) + "!", other + "_" + ulid, strings.ToUpper(next[:4]) + ulid,
				prefix + "_" + "8" + ulid[1:],                 // beyond the largest ULID
				prefix + "_" + strings.Repeat("u", len(ulid)), // not Crockford base32
			} {
				r := s.rawCall("GET", path+"?cursor="+url.QueryEscape(bad), nil)
				if r.Status != http.StatusBadRequest || r.str("code") != finapp.EInvalid || r.str("field") != "cursor" {
					t.Errorf("cursor %q: got %d %q field %q, want 400 %q field cursor: %s", bad, r.Status, r.str("code"), r.str("field"), finapp.EInvalid, r.Body)
				}
			}
		})
	}
	if lists < 4 {
		t.Fatalf("only %d lists with a cursor in the OpenAPI document", lists)
	}
}

// The body is checked whatever its Content-Type claims: huma reads any "…+json" type as JSON,
// even with a malformed parameter.
func TestEdge_BodyIsCheckedWhateverItsContentType(t *testing.T) {
	s := newTestServer(t)
	for _, ct := range []string{"", "application/json", "application/merge-patch+json", "x/y+json; =bad", "APPLICATION/JSON", "text/plain"} {
		r := s.rawCall("POST", "/v1/organizations", []byte(`{"name":"a\u0000b","billing_currency":"SGD"}`), "Content-Type", ct)
		if r.Status >= 500 || r.Status < 400 {
			t.Errorf("Content-Type %q: %d %s", ct, r.Status, r.Body)
		}
		if r.Status == http.StatusUnprocessableEntity && r.str("field") != "name" {
			t.Errorf("Content-Type %q: refused naming %q, want name: %s", ct, r.str("field"), r.Body)
		}
	}
}

// A JSON escape of half a surrogate pair stands for no character; the decoder would store
// U+FFFD in its place without a word. It is refused like any other text that is not UTF-8,
// while a whole pair (an emoji) and an escaped backslash before a "u" are text like any other.
func TestEdge_LoneSurrogateEscapesAreRefused(t *testing.T) {
	s := newTestServer(t)
	for _, body := range []string{
		`{"amount":"1.00","currency":"SGD","method":"cash","reference":"x\ud800"}`,
		`{"amount":"1.00","currency":"SGD","method":"cash","reference":"\udc00x"}`,
		`{"amount":"1.00","currency":"SGD","method":"cash","reference":"\ud83d\u0041"}`,
	} {
		expectTextRefusal(t, body, s.rawCall("POST", "/v1/payments", []byte(body)), "reference")
	}
	for _, body := range []string{
		`{"amount":"1.00","currency":"SGD","method":"cash","reference":"\ud83d\udcb8"}`,
		`{"amount":"1.00","currency":"SGD","method":"cash","reference":"C:\\ud800"}`,
	} {
		if r := s.rawCall("POST", "/v1/payments", []byte(body)); r.Status != 201 {
			t.Errorf("%s: got %d %s, want 201", body, r.Status, r.Body)
		}
	}
}

// The router's own refusals are problems like every other: a path that is no route is a 404, a
// route asked with a method it does not have a 405 naming the allowed ones.
func TestEdge_UnknownRoutesAndMethodsAnswerProblems(t *testing.T) {
	s := newTestServer(t)
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"GET", "/v1/no-such-thing", 404, finapp.ENotFound, ""},
		{"GET", "/v1/webhook-endpoints/", 404, finapp.ENotFound, ""},
		{"PUT", "/v1/payments", 405, "http_method_not_allowed", "POST"},
		{"DELETE", "/v1/events", 405, "http_method_not_allowed", "GET"},
	} {
		r := s.rawCall(c.method, c.path, nil)
		if r.Status != c.status || r.str("code") != c.code || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s: %d %q %q, want %d %q problem+json: %s", c.method, c.path, r.Status, r.Header.Get("Content-Type"), r.str("code"), c.status, c.code, r.Body)
		}
		if c.allow != "" && !strings.Contains(r.Header.Get("Allow"), c.allow) {
			t.Errorf("%s %s: Allow %q, want %q", c.method, c.path, r.Header.Get("Allow"), c.allow)
		}
	}
}

// A query parameter a route does not declare is refused, naming it, on every route: a misspelt
// filter must not answer the whole unfiltered list.
func TestEdge_UnknownQueryParametersAreRefused(t *testing.T) {
	s := newTestServer(t)
	m := &matrix{testServer: s}
	f := m.fixtures(true)
	r := s.rawCall("GET", "/v1/payments?organisation_id="+f.Org2, nil)
	if r.Status != http.StatusBadRequest || r.str("code") != finapp.EInvalid || r.str("field") != "organisation_id" ||
		!strings.Contains(r.str("detail"), "organization_id") {
		t.Fatalf("misspelt filter: %d %s", r.Status, r.Body)
	}
	if r := s.rawCall("GET", "/v1/payments?organization_id="+f.Org2, nil); r.Status != 200 || len(r.dataList()) != 0 {
		t.Fatalf("the declared filter: %d %s", r.Status, r.Body)
	}
	routes := documentedRoutes(t, s.must(200, "GET", "/v1/openapi.json", nil).Body)
	for _, route := range routes {
		path := pathOf(t, route.apiOperation, f)
		r := s.rawCall(route.Method, path+"?no_such_parameter=1", nil)
		if r.Status != http.StatusBadRequest || r.str("field") != "no_such_parameter" || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Errorf("%s %s?no_such_parameter=1: %d %s", route.Method, path, r.Status, r.Body)
		}
	}
}
