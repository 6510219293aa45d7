package api_test

// Fuzz targets for the two request bodies through which money enters and moves: recording a
// payment and allocating it. Each target runs the real HTTP handler over a real SQLite file, set
// up once per target (each fuzzing worker process sets up its own). A plain `go test ./api/` runs
// the seeds below and those under testdata/fuzz/<target>/; fuzz for real with
//
//	go test ./api/ -run '^$' -fuzz FuzzRecordPaymentRequest -fuzztime 60s
//	go test ./api/ -run '^$' -fuzz FuzzAllocationRequest -fuzztime 60s
//
// Seeds may name the fixtures of the target with placeholders ({{org}}, {{std}}, …), which are
// replaced by the fixtures' real ids before the body is sent, so that the fuzzer can reach the
// paths where a request names something that exists.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/money"
)

// fuzzServer is the harness of the fuzz targets: finapp's HTTP API over a real SQLite file, like
// testServer, but built from any testing.TB (a *testing.F, outside f.Fuzz) and with calls that
// report to the testing.TB of the input being tried.
type fuzzServer struct {
	url    string
	client *http.Client
	token  string // finance role
	admin  string // admin role, for the routes only it may call
}

func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	db := testdb.Open(tb) // SQLite, or PostgreSQL with FINAPP_TEST_ENGINE=postgres
	var err error
	srv := httptest.NewServer(api.New(api.Deps{Service: finapp.NewService(db), Auth: auth.New(db.AuthStore()), Idempotency: db, Ready: db.Ping}))
	tb.Cleanup(srv.Close)
	token, _, err := auth.New(db.AuthStore()).CreateToken(operator(ctx, finapp.DefaultWorkspace), finapp.DefaultWorkspace, "fuzz", finapp.RoleFinance, nil)
	if err != nil {
		tb.Fatal(err)
	}
	admin, _, err := auth.New(db.AuthStore()).CreateToken(operator(ctx, finapp.DefaultWorkspace), finapp.DefaultWorkspace, "fuzz-admin", finapp.RoleAdmin, nil)
	if err != nil {
		tb.Fatal(err)
	}
	return &fuzzServer{url: srv.URL, client: srv.Client(), token: token, admin: admin}
}

// send sends body (raw bytes, nil for none) as JSON and returns what the client saw. Every answer
// is checked against the API's error contract (checkAnswer).
func (s *fuzzServer) send(tb testing.TB, method, path string, body []byte) *response {
	tb.Helper()
	return s.sendAs(tb, s.token, method, path, body)
}

// sendAs is send with another token.
func (s *fuzzServer) sendAs(tb testing.TB, token, method, path string, body []byte) *response {
	tb.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, s.url+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := s.client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("%s %s: reading the answer: %v", method, path, err)
	}
	r := &response{Status: res.StatusCode, Header: res.Header, Body: raw}
	_ = json.Unmarshal(raw, &r.JSON)
	checkAnswer(tb, method+" "+path, body, r)
	return r
}

// sendJSON is send with v marshalled, failing unless the status is want.
func (s *fuzzServer) sendJSON(tb testing.TB, want int, method, path string, v any) *response {
	tb.Helper()
	var body []byte
	if v != nil {
		var err error
		if body, err = json.Marshal(v); err != nil {
			tb.Fatal(err)
		}
	}
	r := s.send(tb, method, path, body)
	if r.Status != want {
		tb.Fatalf("%s %s: status %d, want %d: %s", method, path, r.Status, want, r.Body)
	}
	return r
}

// checkAnswer is the error contract of SPEC §3 and §4: never a 5xx, and every 4xx is an RFC 9457
// problem+json document with a stable, non-empty code.
func checkAnswer(tb testing.TB, what string, sent []byte, r *response) {
	tb.Helper()
	if r.Status >= 500 {
		tb.Fatalf("%s answered %d for body %q: %s", what, r.Status, sent, r.Body)
	}
	if r.Status < 400 {
		return
	}
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/problem+json" {
		tb.Fatalf("%s answered %d with content type %q, want application/problem+json; body %q: %s", what, r.Status, r.Header.Get("Content-Type"), sent, r.Body)
	}
	if r.str("code") == "" {
		tb.Fatalf("%s answered %d without a code; body %q: %s", what, r.Status, sent, r.Body)
	}
	if !slices.Contains(api.ErrorCodes(), r.str("code")) {
		tb.Fatalf("%s answered code %q, which the OpenAPI document's enum does not list; body %q: %s", what, r.str("code"), sent, r.Body)
	}
}

// minor reads an amount the API wrote ("0.00" included) as minor units of cur.
func minor(tb testing.TB, s string, cur money.Currency) money.Amount {
	tb.Helper()
	if s == money.Format(0, cur) {
		return 0
	}
	a, err := money.Parse(s, cur)
	if err != nil {
		tb.Fatalf("the API wrote amount %q (%s) that does not parse back: %v", s, cur, err)
	}
	return a
}

// fillIn replaces each {{name}} placeholder in body with the id it stands for.
func fillIn(body []byte, ids map[string]string) []byte {
	for name, id := range ids {
		body = bytes.ReplaceAll(body, []byte("{{"+name+"}}"), []byte(id))
	}
	return body
}

// recordPaymentSeeds are request bodies of POST /v1/payments worth starting from; more live in
// testdata/fuzz/FuzzRecordPaymentRequest.
var recordPaymentSeeds = []string{
	`{"amount":"1234.50","currency":"SGD","method":"bank_transfer","reference":"REF-1"}`,
	`{"organization_id":"{{org}}","amount":"0.01","currency":"SGD","method":"cash","received_on":"2026-01-31","invoice_number":"INV-1","remark":"first"}`,
	`{"amount":"1000","currency":"JPY","method":"paypal"}`,
	`{"amount":"1.234","currency":"KWD","method":"cheque"}`,
	`{"amount":"1000000000000","currency":"SGD","method":"other"}`,
	`{"amount":"1000000000000.01","currency":"SGD","method":"other"}`,
	`{"amount":"12.345","currency":"SGD","method":"cash"}`,
	`{"amount":12.5,"currency":"SGD","method":"cash"}`,
	`{"amount":"1e3","currency":"SGD","method":"cash"}`,
	`{"amount":"-5.00","currency":"SGD","method":"cash"}`,
	`{"amount":"1.00","currency":"sgd","method":"cash"}`,
	`{"amount":"1.00","currency":"SGD","method":"cash","amount":"2.00"}`,
	`{"amount":"1.00","currency":"SGD","method":"cash","AMOUNT":"2.00"}`,
	`{"amount":"1.00","currency":"SGD","method":"cash","Currency":"JPY"}`,
	`{"amount":"5.00","currency":"SGD","method":"cash","reference":"支払い 💸 ü"}`,
	`{"amount":"5.00","currency":"SGD","method":"cash","reference":"` + strings.Repeat("支", 150) + `"}`,
	`{"amount":"5.00","currency":"SGD","method":"cash","remark":{"a":[1,{"b":null}]}}`,
	`null`,
	`[]`,
	``,
}

// textLimits are the documented lengths, in characters, of a payment's free-text members.
var textLimits = map[string]int{"reference": 200, "invoice_number": 64, "remark": 2000}

// FuzzRecordPaymentRequest fuzzes the raw JSON body of POST /v1/payments. Whatever the body, the
// answer is never a 5xx and every 4xx is problem+json with a code; a 201 recorded exactly the
// amount and currency the body's "amount" and "currency" members say, and the payment can be read
// back with GET.
func FuzzRecordPaymentRequest(f *testing.F) {
	s := newFuzzServer(f)
	ids := map[string]string{
		"org": s.sendJSON(f, 201, "POST", "/v1/organizations", map[string]any{"name": "Fuzz Pte Ltd", "billing_currency": "SGD"}).str("id"),
	}
	for _, seed := range recordPaymentSeeds {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		body = fillIn(body, ids)
		r := s.send(t, "POST", "/v1/payments", body)
		// Duplicate members are refused at the edge (api/edge.go), so an accepted body has one of each.
		var sent map[string]json.RawMessage
		isObject := json.Unmarshal(body, &sent) == nil
		if limit, ok := textLimits[r.str("field")]; ok && r.Status == http.StatusUnprocessableEntity && isObject {
			// Text limits are in characters, as the OpenAPI document says, not in bytes.
			var v string
			if json.Unmarshal(sent[r.str("field")], &v) == nil && utf8.RuneCountInString(strings.TrimSpace(v)) <= limit &&
				strings.Contains(r.str("detail"), "longer than") {
				t.Fatalf("%s of %d characters refused as too long: %s", r.str("field"), utf8.RuneCountInString(v), r.Body)
			}
		}
		if r.Status != http.StatusCreated {
			return
		}
		// The server accepted the body, so it must be a JSON object whose members say what was
		// recorded.
		if !isObject {
			t.Fatalf("201 for a body that is not a JSON object: %q", body)
		}
		var amount, currency, orgID string
		for name, dst := range map[string]*string{"amount": &amount, "currency": &currency, "organization_id": &orgID} {
			if raw, ok := sent[name]; ok {
				if err := json.Unmarshal(raw, dst); err != nil && string(raw) != "null" {
					t.Fatalf("201 although %q is %s, not a string: %q", name, raw, body)
				}
			}
		}
		cur := money.Currency(r.str("currency"))
		if string(cur) != currency {
			t.Fatalf("recorded currency %q, the body said %q: %q", cur, currency, body)
		}
		want, err := money.Parse(amount, cur)
		if err != nil {
			t.Fatalf("201 for amount %q that is not an exact %s amount (%v): %q", amount, cur, err, body)
		}
		if got := minor(t, r.str("amount"), cur); got != want {
			t.Fatalf("recorded %s %s (%d minor units), the body said %q (%d): %q", r.str("amount"), cur, got, amount, want, body)
		}
		gotOrg, _ := r.JSON["organization_id"].(string)
		if gotOrg != orgID {
			t.Fatalf("recorded organization %q, the body said %q: %q", gotOrg, orgID, body)
		}

		id := r.str("id")
		g := s.sendJSON(t, 200, "GET", "/v1/payments/"+id, nil)
		if g.str("id") != id || g.str("currency") != string(cur) || minor(t, g.str("amount"), cur) != want {
			t.Fatalf("GET shows another payment than POST answered:\nPOST %s\nGET  %s", r.Body, g.Body)
		}
	})
}

// fzPayment and fzInvoice are the parts of the API's answers the allocation properties read.
type fzPayment struct {
	ID             string  `json:"id"`
	OrganizationID *string `json:"organization_id"`
	Amount         string  `json:"amount"`
	Currency       string  `json:"currency"`
	Allocated      string  `json:"allocated"`
	ToppedUp       string  `json:"topped_up"`
	Unallocated    string  `json:"unallocated"`
	Version        int     `json:"version"`
	Allocations    []struct {
		InvoiceID  string  `json:"invoice_id"`
		Amount     string  `json:"amount"`
		ReleasedAt *string `json:"released_at"`
	} `json:"allocations"`
}

type fzInvoice struct {
	ID          string `json:"id"`
	Kind        string `json:"kind"`
	Currency    string `json:"currency"`
	Total       string `json:"total"`
	AmountPaid  string `json:"amount_paid"`
	AmountDue   string `json:"amount_due"`
	Status      string `json:"status"`
	Allocations []struct {
		Amount     string  `json:"amount"`
		ReleasedAt *string `json:"released_at"`
	} `json:"allocations"`
}

func decode[T any](tb testing.TB, r *response) T {
	tb.Helper()
	var v T
	if err := json.Unmarshal(r.Body, &v); err != nil {
		tb.Fatalf("answer does not decode: %v: %s", err, r.Body)
	}
	return v
}

// allocationSeeds are request bodies of POST /v1/payments/{id}/allocations worth starting from;
// more live in testdata/fuzz/FuzzAllocationRequest. Placeholders: {{org}} the payment's customer
// (its invoices {{std}} 60.00, {{topup}} 50.00, {{proforma}} 30.00 SGD are fresh for every input;
// {{void}} is void, {{usd}} is in USD), {{org2}} another customer with invoice {{other}}, {{pay}}
// the payment itself. The payment is a fresh, unassigned 100.00 SGD.
var allocationSeeds = []string{
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{std}}","amount":"60.00"},{"invoice_id":"{{topup}}","amount":"40.00"}]}`,
	`{"organization_id":"{{org}}","auto":true}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{std}}","amount":"60.00"},{"invoice_id":"{{std}}","amount":"0.01"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{topup}}","amount":"25.00"},{"invoice_id":"{{topup}}","amount":"25.00"},{"invoice_id":"{{proforma}}","amount":"30.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{std}}","amount":"60.00"},{"invoice_id":"{{proforma}}","amount":"30.00"},{"invoice_id":"{{topup}}","amount":"10.01"}]}`,
	`{"organization_id":"{{org2}}","allocations":[{"invoice_id":"{{std}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{other}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{usd}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{void}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{pay}}","amount":"1.00"}]}`,
	`{"allocations":[{"invoice_id":"{{std}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{std}}","amount":"1.001"}]}`,
	`{"organization_id":"{{org}}","allocations":[{"invoice_id":"{{std}}","amount":1}]}`,
	`{"organization_id":"{{org}}","auto":true,"allocations":[{"invoice_id":"{{std}}","amount":"1.00"}]}`,
	`{"organization_id":"{{org}}","allocations":[]}`,
	`{"organization_id":"{{org}}","allocations":null,"auto":false}`,
	`{"organization_id":"{{org}}","ALLOCATIONS":[{"invoice_id":"{{std}}","amount":"60.00"}],"allocations":[{"invoice_id":"{{topup}}","amount":"50.00"}]}`,
	`{}`,
	`null`,
}

// FuzzAllocationRequest fuzzes the raw JSON body of POST /v1/payments/{id}/allocations against a
// fresh payment and fresh invoices. Whatever the body, the answer is never a 5xx; a refusal
// changes nothing; and afterwards the payment's allocated + topped_up never exceeds its amount,
// no invoice's amount_paid exceeds its total, and the customer's balances (read from the journal)
// moved exactly as the allocations did.
func FuzzAllocationRequest(f *testing.F) {
	s := newFuzzServer(f)
	org := s.sendJSON(f, 201, "POST", "/v1/organizations", map[string]any{"name": "Fuzz Pte Ltd", "billing_currency": "SGD"}).str("id")
	org2 := s.sendJSON(f, 201, "POST", "/v1/organizations", map[string]any{"name": "Other Pte Ltd", "billing_currency": "SGD"}).str("id")
	n := 0
	invoice := func(tb testing.TB, orgID, kind, total, currency string) string {
		n++
		return s.sendJSON(tb, 201, "POST", "/v1/invoices", map[string]any{"organization_id": orgID, "number": fmt.Sprintf("FZ-%d", n),
			"kind": kind, "total": total, "currency": currency}).str("id")
	}
	fixed := map[string]string{
		"org": org, "org2": org2,
		"other": invoice(f, org2, "standard", "1000.00", "SGD"),
		"usd":   invoice(f, org, "standard", "100.00", "USD"),
		"void":  invoice(f, org, "standard", "100.00", "SGD"),
	}
	s.sendJSON(f, 200, "POST", "/v1/invoices/"+fixed["void"]+"/void", nil)
	for _, seed := range allocationSeeds {
		f.Add([]byte(seed))
	}

	// fresh is the payment and invoices of the next input. Most inputs are refused, and a refusal
	// is checked to leave them untouched, so they are made anew only after an input changed them:
	// that keeps the fuzzer fast without ever handing it used fixtures.
	var fresh map[string]string
	f.Fuzz(func(t *testing.T, body []byte) {
		if fresh == nil {
			fresh = map[string]string{
				"std":      invoice(t, org, "standard", "60.00", "SGD"),
				"topup":    invoice(t, org, "top_up", "50.00", "SGD"),
				"proforma": invoice(t, org, "proforma", "30.00", "SGD"),
				"pay":      s.sendJSON(t, 201, "POST", "/v1/payments", map[string]any{"amount": "100.00", "currency": "SGD", "method": "bank_transfer"}).str("id"),
			}
		}
		ids := map[string]string{}
		for k, v := range fresh {
			ids[k] = v
		}
		for k, v := range fixed {
			ids[k] = v
		}
		pay := ids["pay"]
		fresh = nil // until the input is known to have been refused
		before := map[string]organizationBalances{}
		for _, o := range []string{org, org2} {
			before[o] = decode[organizationBalances](t, s.sendJSON(t, 200, "GET", "/v1/organizations/"+o, nil))
		}

		body = fillIn(body, ids)
		r := s.send(t, "POST", "/v1/payments/"+pay+"/allocations", body)

		p := decode[fzPayment](t, s.sendJSON(t, 200, "GET", "/v1/payments/"+pay, nil))
		cur := money.Currency(p.Currency)
		amount, allocated, toppedUp := minor(t, p.Amount, cur), minor(t, p.Allocated, cur), minor(t, p.ToppedUp, cur)
		if allocated+toppedUp > amount || allocated < 0 || toppedUp < 0 {
			t.Fatalf("payment over-allocated: %s allocated + %s topped up of %s; body %q", p.Allocated, p.ToppedUp, p.Amount, body)
		}
		if minor(t, p.Unallocated, cur) != amount-allocated-toppedUp {
			t.Fatalf("payment unallocated %s is not amount − allocated − topped up: %+v", p.Unallocated, p)
		}
		var active money.Amount
		touched := map[string]bool{ids["std"]: true, ids["topup"]: true, ids["proforma"]: true}
		for _, a := range p.Allocations {
			if a.ReleasedAt == nil {
				active += minor(t, a.Amount, cur)
				touched[a.InvoiceID] = true
			}
		}
		if active != allocated {
			t.Fatalf("payment allocated %s, but its active allocations sum to %s; body %q", p.Allocated, money.Format(active, cur), body)
		}
		switch {
		case r.Status == http.StatusOK:
			if got := decode[fzPayment](t, r); got.Allocated != p.Allocated || got.Version != p.Version {
				t.Fatalf("the 200 answer shows allocated %s v%d, GET shows %s v%d", got.Allocated, got.Version, p.Allocated, p.Version)
			}
		case r.Status >= 400:
			// All or nothing: a refused request leaves the fresh payment (and, below, the fresh
			// invoices) as they were.
			if p.Version != 1 || allocated != 0 || p.OrganizationID != nil || len(p.Allocations) != 0 {
				t.Fatalf("refused with %d %s, yet the payment changed: %+v; body %q", r.Status, r.str("code"), p, body)
			}
		default:
			t.Fatalf("unexpected status %d: %s", r.Status, r.Body)
		}

		// Every invoice this request could have touched: paid at most its total, and its paid
		// amount is the sum of its active allocations.
		var credited money.Amount
		for id := range touched {
			inv := decode[fzInvoice](t, s.sendJSON(t, 200, "GET", "/v1/invoices/"+id, nil))
			ic := money.Currency(inv.Currency)
			total, paid := minor(t, inv.Total, ic), minor(t, inv.AmountPaid, ic)
			if paid > total || paid < 0 {
				t.Fatalf("invoice %s paid %s of a %s total; body %q", id, inv.AmountPaid, inv.Total, body)
			}
			if inv.Status != finapp.InvoiceVoid && minor(t, inv.AmountDue, ic) != total-paid {
				t.Fatalf("invoice %s amount_due %s is not total − paid: %+v", id, inv.AmountDue, inv)
			}
			var sum money.Amount
			for _, a := range inv.Allocations {
				if a.ReleasedAt == nil {
					sum += minor(t, a.Amount, ic)
				}
			}
			if sum != paid {
				t.Fatalf("invoice %s amount_paid %s, but its active allocations sum to %s", id, inv.AmountPaid, money.Format(sum, ic))
			}
			if inv.Status == finapp.InvoiceProvisioned && paid != total {
				t.Fatalf("invoice %s is provisioned with only %s of %s paid", id, inv.AmountPaid, inv.Total)
			}
			if (inv.Kind == finapp.KindTopUp || inv.Kind == finapp.KindProforma) && paid == total && inv.Status != finapp.InvoiceProvisioned {
				t.Fatalf("%s invoice %s is fully paid but %s, not provisioned", inv.Kind, id, inv.Status)
			}
			if inv.Kind == finapp.KindTopUp && inv.Status == finapp.InvoiceProvisioned {
				credited += total // only this payment can have completed it: it was fresh or open before
			}
			if r.Status >= 400 && (paid != 0 || len(inv.Allocations) != 0) {
				t.Fatalf("refused with %d %s, yet invoice %s changed: %+v; body %q", r.Status, r.str("code"), id, inv, body)
			}
		}

		// The customers' balances are read from the journal; they must have moved exactly as the
		// entities did. The customer the payment went to: receivable down by what was allocated,
		// unapplied up by what the payment brought and did not apply, credit up by the top-up
		// invoices provisioned. Any other customer: not at all.
		for _, o := range []string{org, org2} {
			after := decode[organizationBalances](t, s.sendJSON(t, 200, "GET", "/v1/organizations/"+o, nil))
			var outstanding, unapplied, credit money.Amount
			if p.OrganizationID != nil && *p.OrganizationID == o {
				outstanding, unapplied, credit = -allocated, amount-allocated-toppedUp, credited
			}
			for _, c := range []struct {
				name        string
				before, now []api.Money
				want        money.Amount
			}{
				{"outstanding", before[o].Outstanding, after.Outstanding, outstanding},
				{"unapplied", before[o].Unapplied, after.Unapplied, unapplied},
				{"credit_balance", before[o].CreditBalance, after.CreditBalance, credit},
			} {
				if got := balanceOf(t, c.now, "SGD") - balanceOf(t, c.before, "SGD"); got != c.want {
					t.Fatalf("organization %s %s moved by %s SGD, want %s (payment %+v); body %q",
						o, c.name, money.Format(got, "SGD"), money.Format(c.want, "SGD"), p, body)
				}
			}
		}
		if r.Status >= 400 {
			fresh = ids // untouched, as checked above: the next input may use them
			for k := range fixed {
				delete(fresh, k)
			}
		}
	})
}

// organizationBalances is the balances part of an organization as the API shows it.
type organizationBalances struct {
	Outstanding   []api.Money `json:"outstanding"`
	Unapplied     []api.Money `json:"unapplied"`
	CreditBalance []api.Money `json:"credit_balance"`
}

// balanceOf returns the amount of currency cur in a per-currency balance list (0 when absent).
func balanceOf(tb testing.TB, list []api.Money, cur money.Currency) money.Amount {
	tb.Helper()
	for _, m := range list {
		if m.Currency == string(cur) {
			if strings.HasPrefix(m.Amount, "-") {
				return -minor(tb, strings.TrimPrefix(m.Amount, "-"), cur)
			}
			return minor(tb, m.Amount, cur)
		}
	}
	return 0
}
