package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
	"time"

	"finapp/internal/testdb"
)

// Two `finapp serve` processes on one PostgreSQL database, 32 clients spread across both, each
// reserving and then, all at once, capturing part of one prepaid customer's credit: the
// captures take usable credit below the automatic top-up's threshold on both servers at the
// same instant, and exactly one top-up invoice is issued, announced by exactly one credit.low;
// `finapp verify` stays clean (issue 16, item 5).
func TestTwoServers_OnePostgres_AutoTopUpExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := testdb.PostgresSchema(t)
	migrateDB(t, bin, db)
	token := createToken(t, bin, db)
	srvA, urlA := startServer(t, bin, db)
	srvB, urlB := startServer(t, bin, db)
	urls := []string{urlA, urlB}
	c := &apiCaller{t: t, token: token, client: &http.Client{Timeout: 30 * time.Second}}

	org := c.must(201, urlA, "POST", "/v1/organizations", `{"name":"Prepaid Voice","billing_currency":"SGD"}`)["id"].(string)
	pay := c.must(201, urlB, "POST", "/v1/payments", fmt.Sprintf(`{"organization_id":%q,"amount":"100.00","currency":"SGD","method":"bank_transfer"}`, org))["id"].(string)
	c.must(201, urlA, "POST", "/v1/payments/"+pay+"/top-ups", `{"amount":"100.00"}`)
	c.must(200, urlB, "PUT", "/v1/organizations/"+org+"/settings",
		`{"billing_mode":"prepaid","auto_top_up":{"enabled":true,"threshold":"50.00","amount":"200.00"}}`)

	const clients = 32
	reservations := make([]string, clients)
	for i := range clients { // 32 × 2.00 held: 36.00 usable
		reservations[i] = c.must(201, urls[i%2], "POST", "/v1/organizations/"+org+"/reservations",
			fmt.Sprintf(`{"amount":"2.00","currency":"SGD","reference":"call-%d"}`, i))["id"].(string)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failures []string
	start := make(chan struct{})
	for i, id := range reservations {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			if status, body := c.call(urls[(i+1)%2], "POST", "/v1/reservations/"+id+"/capture", `{"amount":"1.50"}`); status != http.StatusOK {
				mu.Lock()
				failures = append(failures, fmt.Sprintf("capture %d: %d %s", i, status, body))
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d captures failed, the first: %s", len(failures), failures[0])
	}

	invoices := c.must(200, urlA, "GET", "/v1/invoices?organization_id="+org+"&kind=top_up", "")["data"].([]any)
	if len(invoices) != 1 {
		t.Fatalf("%d top-up invoices after the customer fell below its threshold, want exactly 1: %v", len(invoices), invoices)
	}
	if inv := invoices[0].(map[string]any); inv["total"] != "200.00" || inv["status"] != "unpaid" {
		t.Errorf("the top-up invoice: %v", inv)
	}
	credit := c.must(200, urlB, "GET", "/v1/organizations/"+org+"/credit", "")["credit"].([]any)[0].(map[string]any)
	if credit["balance"] != "52.00" || credit["usable"] != "52.00" {
		t.Errorf("credit after 32 captures of 1.50 from 100.00: %v", credit)
	}

	stopServer(t, srvA)
	stopServer(t, srvB)
	// The servers sealed their events as they stopped: count credit.low through one started anew.
	srvC, urlC := startServer(t, bin, db)
	low := c.must(200, urlC, "GET", "/v1/events?type=credit.low&limit=100", "")["data"].([]any)
	if len(low) != 1 {
		t.Errorf("%d credit.low events, want 1", len(low))
	}
	stopServer(t, srvC)
	verifyBooks(t, bin, db)
}
