package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"testing"

	"finapp"
	"finapp/auth"
	"finapp/camt/camttest"
)

// The route × role × workspace matrix (issue 6): every operation of the OpenAPI document is called
// by the viewer, finance and admin tokens of workspace A and by the admin token of a second
// workspace B. What each may do is written here from the security model (docs/security.md), not
// read from api/access.go, so that a rule changed or missing there fails this test:
//
//   - /v1/tokens…, /v1/users… and /v1/webhook-endpoints…: admin only;
//   - writes of /v1/settings… and /v1/periods/…: admin only;
//   - any other GET: every role;
//   - any other method: finance and admin.
//
// A refusal is 403 problem+json "forbidden". Workspace B's admin is allowed everything in its own
// books, and nothing of A's: a route naming one of A's ids answers exactly what it answers for an
// id that exists nowhere (404 when the id is in the path), and B's lists hold none of A's ids.

// apiOperation is one path × method of the OpenAPI document.
type apiOperation struct {
	Method, Path, ID string
}

func (o apiOperation) String() string { return o.Method + " " + o.Path }

// documentedOperations reads every operation from /v1/openapi.json.
func documentedOperations(t *testing.T, s *testServer) []apiOperation {
	t.Helper()
	r := s.rawGet("/v1/openapi.json")
	if r.Status != 200 {
		t.Fatalf("GET /v1/openapi.json: %d %s", r.Status, r.Body)
	}
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(r.Body, &doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	var ops []apiOperation
	for path, methods := range doc.Paths {
		for method, raw := range methods {
			switch method {
			case "get", "post", "put", "patch", "delete", "head", "options", "trace":
			default:
				continue // path-level "parameters", "summary", …
			}
			var op struct {
				OperationID string `json:"operationId"`
			}
			if err := json.Unmarshal(raw, &op); err != nil {
				t.Fatalf("%s %s: %v", method, path, err)
			}
			ops = append(ops, apiOperation{Method: strings.ToUpper(method), Path: path, ID: op.OperationID})
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].String() < ops[j].String() })
	return ops
}

// mayCall is the expected access rule, written independently of api/access.go.
func mayCall(role string, op apiOperation) bool {
	switch {
	case op.Path == "/v1/tokens" || strings.HasPrefix(op.Path, "/v1/tokens/") ||
		op.Path == "/v1/users" || strings.HasPrefix(op.Path, "/v1/users/") ||
		op.Path == "/v1/webhook-endpoints" || strings.HasPrefix(op.Path, "/v1/webhook-endpoints/"):
		return role == finapp.RoleAdmin
	case (op.Path == "/v1/settings" || strings.HasPrefix(op.Path, "/v1/settings/") || strings.HasPrefix(op.Path, "/v1/periods/")) &&
		op.Method != http.MethodGet: // the workspace's settings and its period close
		return role == finapp.RoleAdmin
	case op.Method == http.MethodGet:
		return role == finapp.RoleViewer || role == finapp.RoleFinance || role == finapp.RoleAdmin
	default:
		return role == finapp.RoleFinance || role == finapp.RoleAdmin
	}
}

// accessFixtures are records of one workspace that the routes' path parameters and bodies name.
type accessFixtures struct {
	Org         string // assigned the payment
	Org2        string // another customer, to move the payment to
	Invoice     string // 40.00 of Payment allocated to it
	FreeInvoice string // nothing on it, so it may be voided
	Payment     string // 100.00 SGD, assigned to Org
	Allocation  string // of Payment to Invoice
	Token       string
	User        string
	Webhook     string // a webhook endpoint (auth fixtures)
	Event       string // an event of the feed
	Refund      string // 1.00 paid back from a payment of its own
	CreditNote  string // 20.00 credited to Org, 5.00 of it applied to Invoice
	Application string // that application
	FreeCN      string // 3.00 credited to Org, unused (void-credit-note)
	Reservation string // 1.00 of Org's 10.00 credit, open (another 1.00 is reserved too)
	Withdrawal  string // 1.00 of Org's credit paid out
	Template    string // a bank CSV template
	Statement   string // an imported MT940 statement of one line
	BankLine    string // an unmatched line of it
	DecidedLine string // its other line, ignored (undo-bank-line)
	Rule        string // a matching rule for Org
}

// ids lists every id of f.
func (f *accessFixtures) ids() []string {
	var out []string
	for _, id := range []string{f.Org, f.Org2, f.Invoice, f.FreeInvoice, f.Payment, f.Allocation, f.Token, f.User, f.Webhook, f.Event, f.Refund, f.CreditNote, f.Application, f.FreeCN, f.Reservation, f.Withdrawal, f.Template, f.Statement, f.BankLine, f.DecidedLine, f.Rule} {
		if id != "" {
			out = append(out, id)
		}
	}
	return out
}

// unknownTwin returns fixtures with the same kinds of ids that exist in no workspace, and a
// replacer that turns a twin's ids back into f's.
func (f *accessFixtures) unknownTwin() (*accessFixtures, *strings.Replacer) {
	twin := func(id string) string {
		if id == "" {
			return ""
		}
		prefix, _, _ := strings.Cut(id, "_")
		return finapp.NewID(prefix + "_")
	}
	u := &accessFixtures{Org: twin(f.Org), Org2: twin(f.Org2), Invoice: twin(f.Invoice), FreeInvoice: twin(f.FreeInvoice),
		Payment: twin(f.Payment), Allocation: twin(f.Allocation), Token: twin(f.Token), User: twin(f.User),
		Webhook: twin(f.Webhook), Event: twin(f.Event), Refund: twin(f.Refund), CreditNote: twin(f.CreditNote), Application: twin(f.Application),
		FreeCN: twin(f.FreeCN), Reservation: twin(f.Reservation), Withdrawal: twin(f.Withdrawal),
		Template: twin(f.Template), Statement: twin(f.Statement), BankLine: twin(f.BankLine), DecidedLine: twin(f.DecidedLine), Rule: twin(f.Rule)}
	var pairs []string
	known, unknown := f.ids(), u.ids()
	for i := range unknown {
		pairs = append(pairs, unknown[i], known[i])
	}
	return u, strings.NewReplacer(pairs...)
}

// matrix is the state of the route × role × workspace test.
type matrix struct {
	*testServer
	n        int
	foreign  string   // workspace B's admin token
	aIDs     []string // every id of workspace A made so far
	aMarkers []string // names that only workspace A's records carry
}

func (m *matrix) as(token string) []string { return []string{"Authorization", "Bearer " + token} }

// fixtures makes a fresh set of records in workspace A (auth: also a token and a user).
func (m *matrix) fixtures(auth bool) *accessFixtures {
	m.t.Helper()
	m.n++
	f := &accessFixtures{}
	f.Org = m.org(fmt.Sprintf("A-org-%d", m.n), "SGD")
	f.Org2 = m.org(fmt.Sprintf("A-org-%d-bis", m.n), "SGD")
	f.Invoice = m.invoice(f.Org, fmt.Sprintf("A-INV-%d", m.n), "standard", "100.00")
	f.FreeInvoice = m.invoice(f.Org, fmt.Sprintf("A-INV-%d-free", m.n), "standard", "50.00")
	f.Payment = m.payment(f.Org, "100.00", "SGD")
	alc := activeAllocations(m.must(200, "POST", "/v1/payments/"+f.Payment+"/allocations",
		map[string]any{"allocations": allocLines(f.Invoice, "40.00")}))
	if len(alc) != 1 {
		m.t.Fatalf("allocation fixture: %v", alc)
	}
	f.Allocation = alc[0]
	refunded := m.payment(f.Org, "10.00", "SGD")
	f.Refund = m.must(201, "POST", "/v1/payments/"+refunded+"/refunds", map[string]any{"amount": "1.00", "reason": "paid twice"}).str("id")
	f.CreditNote = m.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": f.Org, "amount": "20.00", "reason": "returned goods"}).str("id")
	apps := m.must(200, "POST", "/v1/credit-notes/"+f.CreditNote+"/allocations", map[string]any{"allocations": allocLines(f.Invoice, "5.00")}).objectsOf("applications")
	f.Application, _ = apps[0]["id"].(string)
	f.FreeCN = m.must(201, "POST", "/v1/credit-notes", map[string]any{"organization_id": f.Org, "amount": "3.00", "reason": "goodwill"}).str("id")
	funded := m.payment(f.Org, "10.00", "SGD")
	m.must(201, "POST", "/v1/payments/"+funded+"/top-ups", map[string]any{"amount": "10.00"})
	for range 2 {
		f.Reservation = m.must(201, "POST", "/v1/organizations/"+f.Org+"/reservations", map[string]any{"amount": "1.00", "currency": "SGD"}).str("id")
	}
	f.Withdrawal = m.must(201, "POST", "/v1/organizations/"+f.Org+"/withdrawals", map[string]any{"amount": "1.00", "currency": "SGD",
		"method": "bank_transfer", "reason": "asked back"}).str("id")
	f.Template = m.must(201, "POST", "/v1/bank-csv-templates", bankCSVTemplateBody(m.n)).str("id")
	f.Statement = m.must(201, "POST", "/v1/bank-statements", bankStatement(m.n)).JSON["statements"].([]any)[0].(map[string]any)["id"].(string)
	lines := m.must(200, "GET", "/v1/bank-lines?statement_id="+f.Statement, nil).dataList()
	f.BankLine, f.DecidedLine = lines[0]["id"].(string), lines[1]["id"].(string)
	m.must(200, "POST", "/v1/bank-lines/"+f.DecidedLine+"/ignore", map[string]any{"reason": "our own transfer"})
	f.Rule = m.must(201, "POST", "/v1/matching-rules", ruleBody(m.n, f)).str("id")
	if auth {
		f.Token = m.must(201, "POST", "/v1/tokens", map[string]any{"name": fmt.Sprintf("A-token-%d", m.n), "role": "viewer"}, m.as(m.Admin)...).str("id")
		f.User = m.must(201, "POST", "/v1/users", map[string]any{"email": fmt.Sprintf("a-user-%d@a.example", m.n), "role": "viewer",
			"password": "correct horse battery staple"}, m.as(m.Admin)...).str("id")
		f.Webhook = m.must(201, "POST", "/v1/webhook-endpoints", map[string]any{"url": "http://127.0.0.1:9/a-hook", "events": []string{"*"}},
			m.as(m.Admin)...).str("id")
	}
	events := m.must(200, "GET", fmt.Sprintf("/v1/events?type=payment.recorded&limit=500&after=%d", 0), nil).dataList()
	f.Event, _ = events[len(events)-1]["id"].(string)
	m.aIDs = append(m.aIDs, f.ids()...)
	return f
}

// pathOf fills op's path parameters from f.
func pathOf(t *testing.T, op apiOperation, f *accessFixtures) string {
	t.Helper()
	path := op.Path
	id := ""
	switch {
	case strings.HasPrefix(path, "/v1/organizations/"):
		id = f.Org
	case op.ID == "void-invoice":
		id = f.FreeInvoice
	case strings.HasPrefix(path, "/v1/invoices/"):
		id = f.Invoice
	case strings.HasPrefix(path, "/v1/payments/"):
		id = f.Payment
	case strings.HasPrefix(path, "/v1/tokens/"):
		id = f.Token
	case strings.HasPrefix(path, "/v1/users/"):
		id = f.User
	case strings.HasPrefix(path, "/v1/webhook-endpoints/"):
		id = f.Webhook
	case strings.HasPrefix(path, "/v1/refunds/"):
		id = f.Refund
	case strings.HasPrefix(path, "/v1/reservations/"):
		id = f.Reservation
	case strings.HasPrefix(path, "/v1/withdrawals/"):
		id = f.Withdrawal
	case strings.HasPrefix(path, "/v1/bank-csv-templates/"):
		id = f.Template
	case strings.HasPrefix(path, "/v1/bank-statements/"):
		id = f.Statement
	case strings.HasPrefix(path, "/v1/matching-rules/"):
		id = f.Rule
	case op.ID == "undo-bank-line":
		id = f.DecidedLine
	case strings.HasPrefix(path, "/v1/bank-lines/"):
		id = f.BankLine
	case op.ID == "void-credit-note":
		id = f.FreeCN
	case strings.HasPrefix(path, "/v1/credit-notes/"):
		id = f.CreditNote
	}
	path = strings.NewReplacer("{id}", id, "{allocation_id}", f.Allocation, "{application_id}", f.Application).Replace(path)
	if strings.Contains(path, "{") {
		t.Fatalf("%s: no fixture for a path parameter of %s; teach pathOf", op.ID, path)
	}
	return path
}

// adminFixtures reports whether op needs the administration fixtures (a token, a user, a webhook
// endpoint) of its own: it changes or removes one.
func adminFixtures(op apiOperation) bool {
	for _, p := range []string{"/v1/tokens/", "/v1/users/", "/v1/webhook-endpoints/", "/v1/bank-csv-templates/", "/v1/matching-rules/"} {
		if strings.HasPrefix(op.Path, p) {
			return true
		}
	}
	return false
}

// requestBodies is a minimal valid body of every operation that takes one, built from the
// fixtures it names. A write operation missing here fails the test: add its body.
var requestBodies = map[string]func(n int, f *accessFixtures) any{
	"create-organization": func(n int, f *accessFixtures) any {
		return map[string]any{"name": fmt.Sprintf("new-org-%d", n), "billing_currency": "SGD"}
	},
	"create-invoice": func(n int, f *accessFixtures) any {
		return map[string]any{"organization_id": f.Org, "number": fmt.Sprintf("NEW-%d", n), "total": "10.00"}
	},
	"void-invoice":        nil,
	"set-settings":        func(n int, f *accessFixtures) any { return map[string]any{"time_zone": "UTC"} },
	"create-reservation":  func(n int, f *accessFixtures) any { return map[string]any{"amount": "1.00", "currency": "SGD"} },
	"capture-reservation": func(n int, f *accessFixtures) any { return map[string]any{"amount": "0.50"} },
	"create-withdrawal": func(n int, f *accessFixtures) any {
		return map[string]any{"amount": "0.50", "currency": "SGD", "method": "cash", "reason": "asked back"}
	},
	"reverse-withdrawal":       func(n int, f *accessFixtures) any { return map[string]any{"reason": "the bank returned it"} },
	"import-bank-statement":    func(n int, f *accessFixtures) any { return bankStatement(n) },
	"create-bank-csv-template": func(n int, f *accessFixtures) any { return bankCSVTemplateBody(n) },
	"delete-bank-csv-template": nil,
	"replace-bank-csv-template": func(n int, f *accessFixtures) any {
		body := bankCSVTemplateBody(n)
		body["name"] = fmt.Sprintf("Rewritten template %d", n)
		return body
	},
	"preview-bank-csv": func(n int, f *accessFixtures) any { return "Date,Amount\n2026-12-02,10.00\n" },
	"apply-bank-line":  func(n int, f *accessFixtures) any { return map[string]any{"organization_id": f.Org} },
	"apply-bank-lines": func(n int, f *accessFixtures) any {
		return map[string]any{"lines": []any{map[string]any{"line_id": f.BankLine, "organization_id": f.Org}}}
	},
	"ignore-bank-line":     func(n int, f *accessFixtures) any { return map[string]any{"reason": "our own transfer"} },
	"create-matching-rule": func(n int, f *accessFixtures) any { return ruleBody(n, f) },
	"delete-matching-rule": nil,
	"replace-matching-rule": func(n int, f *accessFixtures) any {
		body := ruleBody(n, f)
		body["name"], body["priority"] = fmt.Sprintf("Rewritten rule %d", n), 5
		return body
	},
	"set-organization-settings": func(n int, f *accessFixtures) any {
		return map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "50.00"}}
	},
	"set-tolerances": func(n int, f *accessFixtures) any {
		return map[string]any{"tolerances": []any{map[string]any{"currency": "SGD", "amount": "1.00"}}}
	},
	// A close through a day long past blocks nothing the other routes' fixtures do (they post
	// today and issue invoices dated today); the reopen that follows it in the table clears it.
	"close-period":        func(n int, f *accessFixtures) any { return map[string]any{"through": "2001-01-31"} },
	"reopen-period":       func(n int, f *accessFixtures) any { return map[string]any{"reason": "access matrix"} },
	"run-reminders":       nil,
	"set-reminder-levels": func(n int, f *accessFixtures) any { return map[string]any{"levels": []int{7, 14, 30}} },
	"upsert-invoices": func(n int, f *accessFixtures) any {
		return map[string]any{"invoices": []map[string]any{{"external_id": fmt.Sprintf("ext-%d", n), "organization_id": f.Org,
			"number": fmt.Sprintf("BATCH-%d", n), "total": "10.00"}}}
	},
	"refund-payment": func(n int, f *accessFixtures) any { return map[string]any{"amount": "1.00", "reason": "paid twice"} },
	"reverse-refund": func(n int, f *accessFixtures) any { return map[string]any{"reason": "the bank returned it"} },
	"issue-credit-note": func(n int, f *accessFixtures) any {
		return map[string]any{"organization_id": f.Org, "amount": "1.00", "reason": "goodwill"}
	},
	"apply-credit-note": func(n int, f *accessFixtures) any {
		return map[string]any{"allocations": allocLines(f.Invoice, "1.00")}
	},
	"release-credit-note-application": nil,
	"refund-credit-note": func(n int, f *accessFixtures) any {
		return map[string]any{"amount": "1.00", "method": "bank_transfer", "reason": "customer asked"}
	},
	"credit-note-to-credit": func(n int, f *accessFixtures) any { return map[string]any{"amount": "1.00"} },
	"void-credit-note":      nil,
	"upsert-organizations": func(n int, f *accessFixtures) any {
		return map[string]any{"organizations": []map[string]any{{"external_id": fmt.Sprintf("ext-org-%d", n), "name": fmt.Sprintf("Batch %d", n),
			"billing_currency": "SGD"}}}
	},
	"update-invoice": func(n int, f *accessFixtures) any {
		return map[string]any{"metadata": map[string]string{"n": fmt.Sprint(n)}}
	},
	"record-payment": func(n int, f *accessFixtures) any {
		return map[string]any{"organization_id": f.Org, "amount": "5.00", "currency": "SGD", "method": "cash"}
	},
	"update-payment":   func(n int, f *accessFixtures) any { return map[string]any{"remark": "edited"} },
	"delete-payment":   nil,
	"assign-payment":   func(n int, f *accessFixtures) any { return map[string]any{"organization_id": f.Org2} },
	"unassign-payment": nil,
	"allocate-payment": func(n int, f *accessFixtures) any {
		return map[string]any{"allocations": allocLines(f.Invoice, "10.00")}
	},
	"release-allocation": nil,
	"top-up":             func(n int, f *accessFixtures) any { return map[string]any{"amount": "10.00"} },
	"create-token": func(n int, f *accessFixtures) any {
		return map[string]any{"name": fmt.Sprintf("new-token-%d", n), "role": "viewer"}
	},
	"revoke-token": nil,
	"create-user": func(n int, f *accessFixtures) any {
		return map[string]any{"email": fmt.Sprintf("new-user-%d@example.com", n), "role": "viewer", "password": "correct horse battery staple"}
	},
	"disable-user": nil,
	"create-webhook-endpoint": func(n int, f *accessFixtures) any {
		return map[string]any{"url": fmt.Sprintf("http://127.0.0.1:9/hook-%d", n), "events": []string{"payment.recorded"}}
	},
	"update-webhook-endpoint": func(n int, f *accessFixtures) any { return map[string]any{"description": "edited"} },
	"rotate-webhook-secret":   nil,
	"delete-webhook-endpoint": nil,
	"redeliver-webhook":       func(n int, f *accessFixtures) any { return map[string]any{"event_id": f.Event} },
}

func (m *matrix) bodyOf(op apiOperation, f *accessFixtures) any {
	m.t.Helper()
	build, ok := requestBodies[op.ID]
	if !ok {
		if op.Method == http.MethodGet || op.Method == http.MethodDelete {
			return nil
		}
		m.t.Fatalf("%s (%s) has no request body in requestBodies; add a minimal valid one", op.ID, op)
	}
	if build == nil {
		return nil
	}
	m.n++
	return build(m.n, f)
}

// noAccessRule fails when the answer says the operation has no rule in the access table.
func noAccessRule(t *testing.T, op apiOperation, r *response) {
	t.Helper()
	if strings.Contains(string(r.Body), "has no access rule") {
		t.Fatalf("%s (%s) has no access rule: add it to the access table in api/access.go", op.ID, op)
	}
}

func TestAccess_EveryRouteEveryRoleEveryWorkspace(t *testing.T) {
	s := newTestServer(t)
	m := &matrix{testServer: s, aMarkers: []string{"A-org-", "A-INV-", "a-user-", "A-token-"}}
	ctx := context.Background()
	au := auth.New(s.DB.AuthStore())

	// Workspace B with its own admin and its own books, so that its lists are not trivially empty.
	wsB, err := au.CreateWorkspace(operator(ctx, ""), "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	if m.foreign, _, err = au.CreateToken(operator(ctx, wsB.ID), wsB.ID, "b-admin", finapp.RoleAdmin, nil); err != nil {
		t.Fatal(err)
	}
	bOrg := s.must(201, "POST", "/v1/organizations", map[string]any{"name": "B-org", "billing_currency": "SGD"}, m.as(m.foreign)...).str("id")
	s.must(201, "POST", "/v1/invoices", map[string]any{"organization_id": bOrg, "number": "B-INV-1", "total": "70.00"}, m.as(m.foreign)...)
	s.must(201, "POST", "/v1/payments", map[string]any{"organization_id": bOrg, "amount": "30.00", "currency": "SGD", "method": "cash"}, m.as(m.foreign)...)

	// Shared fixtures of A for the reads, which consume nothing.
	shared := m.fixtures(true)
	for _, tok := range s.must(200, "GET", "/v1/tokens", nil, m.as(s.Admin)...).dataList() {
		m.aIDs = append(m.aIDs, tok["id"].(string))
	}
	for _, e := range s.must(200, "GET", "/v1/audit?limit=500", nil).dataList() {
		m.aIDs = append(m.aIDs, e["id"].(string), e["hash"].(string))
	}

	ops := documentedOperations(t, s)
	if len(ops) < 29 {
		t.Fatalf("the OpenAPI document lists %d operations; expected every route of the API", len(ops))
	}
	roles := []struct{ name, token string }{{finapp.RoleViewer, s.Viewer}, {finapp.RoleFinance, s.Token}, {finapp.RoleAdmin, s.Admin}}
	for _, op := range ops {
		t.Run(op.ID, func(t *testing.T) {
			if op.ID == "" {
				t.Fatalf("%s has no operationId", op)
			}
			for _, role := range roles {
				f := shared
				if op.Method != http.MethodGet {
					// A write may consume what it names (a payment deleted, a token revoked):
					// every write case gets records of its own.
					f = m.fixtures(adminFixtures(op))
				}
				path := pathOf(t, op, f)
				r := s.call(op.Method, path, m.bodyOf(op, f), m.as(role.token)...)
				noAccessRule(t, op, r)
				if mayCall(role.name, op) {
					if r.Status < 200 || r.Status > 299 {
						t.Errorf("%s %s as %s: %d, want success: %s", op.Method, path, role.name, r.Status, r.Body)
					}
					continue
				}
				if r.Status != 403 || r.str("code") != finapp.EForbidden || r.Header.Get("Content-Type") != "application/problem+json" {
					t.Errorf("%s %s as %s: %d %q (%s), want 403 forbidden problem+json: %s", op.Method, path, role.name,
						r.Status, r.str("code"), r.Header.Get("Content-Type"), r.Body)
				}
			}
			m.foreignCall(t, op, shared)
		})
	}

	// Filters naming A's ids answer B as ids that exist nowhere do, and show none of A's data.
	unknown, back := shared.unknownTwin()
	for _, q := range []string{"/v1/invoices?organization_id=%s", "/v1/payments?organization_id=%s", "/v1/audit?entity_id=%s",
		"/v1/invoices?q=%s", "/v1/payments?q=%s", "/v1/organizations?q=%s"} {
		a := s.call("GET", fmt.Sprintf(q, url.QueryEscape(shared.Payment)), nil, m.as(m.foreign)...)
		if strings.Contains(q, "organization_id") {
			a = s.call("GET", fmt.Sprintf(q, url.QueryEscape(shared.Org)), nil, m.as(m.foreign)...)
		}
		m.noneOfA(t, "GET "+q, a)
		u := s.call("GET", fmt.Sprintf(q, url.QueryEscape(unknown.Payment)), nil, m.as(m.foreign)...)
		if strings.Contains(q, "organization_id") {
			u = s.call("GET", fmt.Sprintf(q, url.QueryEscape(unknown.Org)), nil, m.as(m.foreign)...)
		}
		sameAnswer(t, "GET "+q, a, u, back)
	}
	for _, q := range []string{"/v1/invoices?q=A-INV", "/v1/organizations?q=A-org", "/v1/payments?q=A-org"} {
		r := s.must(200, "GET", q, nil, m.as(m.foreign)...)
		if n := len(r.dataList()); n != 0 {
			t.Errorf("B searching %s found %d of A's records: %s", q, n, r.Body)
		}
	}
}

// foreignCall calls op as workspace B's admin, naming workspace A's records.
func (m *matrix) foreignCall(t *testing.T, op apiOperation, shared *accessFixtures) {
	t.Helper()
	f := shared
	if op.Method != http.MethodGet {
		f = m.fixtures(adminFixtures(op))
	}
	unknown, back := f.unknownTwin()
	path, unknownPath := pathOf(t, op, f), pathOf(t, op, unknown)
	m.n++
	n := m.n
	var body, unknownBody any
	if build := requestBodies[op.ID]; build != nil {
		body, unknownBody = build(n, f), build(n, unknown)
	}
	r := m.call(op.Method, path, body, m.as(m.foreign)...)
	noAccessRule(t, op, r)
	what := fmt.Sprintf("%s %s as workspace B's admin", op.Method, path)
	raw, _ := json.Marshal(body)
	namesA := strings.Contains(op.Path, "{") || containsAny(string(raw), f.ids())
	if !namesA {
		// Nothing of A named: B's admin may do it, in B's books, and sees nothing of A.
		if r.Status < 200 || r.Status > 299 {
			t.Errorf("%s: %d, want success in its own workspace: %s", what, r.Status, r.Body)
		}
		m.noneOfA(t, what, r)
		return
	}
	u := m.call(op.Method, unknownPath, unknownBody, m.as(m.foreign)...)
	if strings.Contains(op.Path, "{") && (r.Status != 404 || r.str("code") != finapp.ENotFound) {
		t.Errorf("%s: %d %q, want 404 not_found: %s", what, r.Status, r.str("code"), r.Body)
	}
	sameAnswer(t, what, r, u, back)
}

// sameAnswer checks that an answer about A's ids is the answer about unknown ids (with the
// unknown ids put back to A's).
func sameAnswer(t *testing.T, what string, a, unknown *response, back *strings.Replacer) {
	t.Helper()
	if a.Status != unknown.Status || a.Header.Get("Content-Type") != unknown.Header.Get("Content-Type") ||
		string(a.Body) != back.Replace(string(unknown.Body)) {
		t.Errorf("%s tells A's ids from unknown ones:\n  A's id:  %d %s\n  unknown: %d %s", what, a.Status, a.Body, unknown.Status, unknown.Body)
	}
}

// noneOfA fails when an answer to workspace B holds any id or name of workspace A.
func (m *matrix) noneOfA(t *testing.T, what string, r *response) {
	t.Helper()
	body := string(r.Body)
	for _, id := range append(append([]string{}, m.aIDs...), m.aMarkers...) {
		if strings.Contains(body, id) {
			t.Errorf("%s shows workspace A's %q: %.500s", what, id, body)
			return
		}
	}
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

// An Idempotency-Key belongs to its workspace: B's request with A's key and A's exact body is a
// new request of B, never a replay of A's answer.
func TestAccess_IdempotencyKeysAreScopedToTheWorkspace(t *testing.T) {
	s := newTestServer(t)
	ctx := context.Background()
	au := auth.New(s.DB.AuthStore())
	wsB, err := au.CreateWorkspace(operator(ctx, ""), "Partner B")
	if err != nil {
		t.Fatal(err)
	}
	foreign, _, err := au.CreateToken(operator(ctx, wsB.ID), wsB.ID, "b-finance", finapp.RoleFinance, nil)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"amount": "12.00", "currency": "SGD", "method": "cash", "reference": "same"}
	a := s.must(201, "POST", "/v1/payments", body, "Idempotency-Key", "k-1")
	b := s.must(201, "POST", "/v1/payments", body, "Authorization", "Bearer "+foreign, "Idempotency-Key", "k-1")
	if b.Header.Get("Idempotent-Replayed") != "" || b.str("id") == a.str("id") {
		t.Fatalf("B got A's replayed answer: %s", b.Body)
	}
	if r := s.call("GET", "/v1/payments/"+a.str("id"), nil, "Authorization", "Bearer "+foreign); r.Status != 404 {
		t.Fatalf("B reads A's payment: %d %s", r.Status, r.Body)
	}
	if r := s.must(200, "GET", "/v1/payments/"+b.str("id"), nil, "Authorization", "Bearer "+foreign); r.str("reference") != "same" {
		t.Fatalf("B's own payment: %s", r.Body)
	}
}

// bankStatement is a camt.053 of two incoming lines of an account of its own, n making the file
// unique.
func bankStatement(n int) string {
	var b strings.Builder
	if err := camttest.WriteStatement(&b, camttest.Options{Entries: 2, IBAN: fmt.Sprintf("SG00ACCESS%010d", n), Currency: "SGD",
		InvoicePrefix: fmt.Sprintf("ACC%d-", n)}); err != nil {
		panic(err)
	}
	return b.String()
}

// bankCSVTemplateBody is a minimal bank CSV template, n making its name unique.
func bankCSVTemplateBody(n int) map[string]any {
	return map[string]any{"name": fmt.Sprintf("Bank %d", n), "account": fmt.Sprintf("CSV-%d", n), "currency": "SGD",
		"amount_column": "Amount", "booking_date_column": "Date"}
}

// ruleBody is a minimal matching rule for f's organization, n making its name unique.
func ruleBody(n int, f *accessFixtures) map[string]any {
	return map[string]any{"name": fmt.Sprintf("Rule %d", n), "organization_id": f.Org,
		"conditions": []any{map[string]any{"field": "text", "operator": "contains", "value": "ACME"}}}
}
