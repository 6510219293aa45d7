package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"finapp/internal/testdb"
)

// Two `finapp serve` processes on one PostgreSQL database (issue 12, item 5), 64 clients spread
// across both at one hot payment and one hot invoice, allocating and releasing, while eight more
// race to pay one top-up invoice in full: no over-allocation, every acknowledged allocation in
// the payment's history exactly once and as released as its client left it, the top-up invoice
// provisioned once, no 5xx, and `finapp verify` (every invariant, the audit chain whole) clean.
// The servers share nothing but the database: this is the correctness half of item 5; its speed
// half waits for the write path of items 1 and 2.
func TestTwoServers_OnePostgres_HotSpotsStayCorrect(t *testing.T) {
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

	org := c.must(201, urlA, "POST", "/v1/organizations", `{"name":"Hot Telecom","billing_currency":"SGD"}`)["id"].(string)
	inv := c.must(201, urlB, "POST", "/v1/invoices", fmt.Sprintf(`{"organization_id":%q,"number":"HOT-1","total":"600.00"}`, org))["id"].(string)
	topUp := c.must(201, urlA, "POST", "/v1/invoices", fmt.Sprintf(`{"organization_id":%q,"number":"TOPUP-1","kind":"top_up","total":"50.00"}`, org))["id"].(string)
	pay := c.must(201, urlB, "POST", "/v1/payments", fmt.Sprintf(`{"organization_id":%q,"amount":"1000.00","currency":"SGD","method":"bank_transfer"}`, org))["id"].(string)
	var racers []string
	for i := range 8 {
		racers = append(racers, c.must(201, urls[i%2], "POST", "/v1/payments",
			fmt.Sprintf(`{"organization_id":%q,"amount":"50.00","currency":"SGD","method":"cash","reference":"racer-%d"}`, org, i))["id"].(string))
	}

	type acked struct {
		id       string
		cents    int
		released bool
	}
	var (
		mu        sync.Mutex
		mine      []acked
		refusals  int
		failures  []string
		topUpPaid int
		wg        sync.WaitGroup
	)
	fail := func(format string, args ...any) {
		mu.Lock()
		failures = append(failures, fmt.Sprintf(format, args...))
		mu.Unlock()
	}
	for client := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			url := urls[client%2]
			for op := range 12 {
				cents := 100 + client*100 + op // distinct per allocation, so each is found by its amount
				status, body := c.call(url, "POST", "/v1/payments/"+pay+"/allocations",
					fmt.Sprintf(`{"allocations":[{"invoice_id":%q,"amount":"%d.%02d"}]}`, inv, cents/100, cents%100))
				switch {
				case status == http.StatusConflict && strings.Contains(body, "over_allocation"):
					mu.Lock()
					refusals++
					mu.Unlock()
					continue
				case status != http.StatusOK:
					fail("client %d allocating: %d %s", client, status, body)
					return
				}
				id := allocationOf(body, cents)
				if id == "" {
					fail("client %d: its acknowledged allocation of %d cents is not in the answer", client, cents)
					return
				}
				a := acked{id: id, cents: cents}
				if op < 11 { // each client keeps its last one: the invoice fills up, and stays contended
					if status, body := c.call(urls[(client+1)%2], "DELETE", "/v1/payments/"+pay+"/allocations/"+id, ""); status != http.StatusOK {
						fail("client %d releasing %s through the other server: %d %s", client, id, status, body)
						return
					}
					a.released = true
				}
				mu.Lock()
				mine = append(mine, a)
				mu.Unlock()
			}
		}()
	}
	for i, racer := range racers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			status, body := c.call(urls[i%2], "POST", "/v1/payments/"+racer+"/allocations",
				fmt.Sprintf(`{"allocations":[{"invoice_id":%q,"amount":"50.00"}]}`, topUp))
			switch {
			case status == http.StatusOK:
				mu.Lock()
				topUpPaid++
				mu.Unlock()
			case status == http.StatusConflict:
			default:
				fail("racer %d paying the top-up invoice: %d %s", i, status, body)
			}
		}()
	}
	wg.Wait()
	if len(failures) > 0 {
		t.Fatalf("%d failures, the first: %s", len(failures), failures[0])
	}

	// What the clients saw acknowledged is what the books hold, read through either server.
	active := 0
	for _, a := range mine {
		if !a.released {
			active += a.cents
		}
	}
	p := c.must(200, urlA, "GET", "/v1/payments/"+pay, "")
	if got, want := p["allocated"], fmt.Sprintf("%d.%02d", active/100, active%100); got != want {
		t.Errorf("the hot payment has %v allocated; the acknowledged, unreleased allocations make %s", got, want)
	}
	if i := c.must(200, urlB, "GET", "/v1/invoices/"+inv, ""); !sameMoney(i["amount_paid"], p["allocated"]) {
		t.Errorf("the hot invoice has %v paid, its only payment %v allocated", i["amount_paid"], p["allocated"])
	}
	if active > 60000 {
		t.Errorf("over-allocation: %d cents allocated to an invoice of 600.00", active)
	}
	if refusals == 0 {
		t.Error("no allocation was refused: the hot invoice was never contended, so the test proves nothing")
	}
	history := map[string]bool{} // allocation id → released
	for cursor, pages := "", 0; ; pages++ {
		if pages > 1000 {
			t.Fatal("paging the hot payment's allocations did not end")
		}
		page := c.must(200, urlB, "GET", "/v1/payments/"+pay+"/allocations?limit=100&cursor="+cursor, "")
		for _, x := range page["data"].([]any) {
			a := x.(map[string]any)
			id := a["id"].(string)
			if _, twice := history[id]; twice {
				t.Errorf("allocation %s is listed twice", id)
			}
			history[id] = a["released_at"] != nil
		}
		next, _ := page["next_cursor"].(string)
		if cursor = next; cursor == "" {
			break
		}
	}
	if len(history) != len(mine) {
		t.Errorf("the payment's history holds %d allocations; %d were acknowledged", len(history), len(mine))
	}
	for _, a := range mine {
		if released, ok := history[a.id]; !ok || released != a.released {
			t.Errorf("acknowledged allocation %s (released: %v): in the history %v, released there %v", a.id, a.released, ok, released)
		}
	}

	// One racer paid the top-up invoice, and it was provisioned once.
	if topUpPaid != 1 {
		t.Errorf("%d racers paid the 50.00 top-up invoice in full; exactly one can", topUpPaid)
	}
	provisioned := 0
	events := c.must(200, urlA, "GET", "/v1/events?type=invoice.provisioned&limit=500", "")
	for _, x := range events["data"].([]any) {
		obj, _ := x.(map[string]any)["data"].(map[string]any)["object"].(map[string]any)
		if obj["id"] == topUp {
			provisioned++
		}
	}
	if provisioned != 1 {
		t.Errorf("the top-up invoice was provisioned %d times", provisioned)
	}

	stopServer(t, srvA)
	stopServer(t, srvB)
	verifyBooks(t, bin, db)
	// Both servers sealed what they wrote before they stopped: nothing is left unsealed or was
	// sealed late.
	if out, err := exec.Command(bin, "audit", "verify", "--db", db).CombinedOutput(); err != nil || strings.Contains(string(out), "warning") {
		t.Fatalf("finapp audit verify: %v\n%s", err, out)
	}
	t.Logf("%d allocations acknowledged across two servers (%d released), %d refused as over-allocation", len(mine), countReleased(history), refusals)
}

// apiCaller calls either server's API with one token.
type apiCaller struct {
	t      *testing.T
	token  string
	client *http.Client
}

func (c *apiCaller) call(url, method, path, body string) (int, string) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url+path, r)
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := c.client.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func (c *apiCaller) must(want int, url, method, path, body string) map[string]any {
	c.t.Helper()
	status, b := c.call(url, method, path, body)
	if status != want {
		c.t.Fatalf("%s %s: %d, want %d: %s", method, path, status, want, b)
	}
	var out map[string]any
	if err := json.NewDecoder(bytes.NewReader([]byte(b))).Decode(&out); err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	return out
}

// allocationOf finds in a payment's answer its active allocation of cents.
func allocationOf(body string, cents int) string {
	var p struct {
		Allocations []struct {
			ID         string  `json:"id"`
			Amount     string  `json:"amount"`
			ReleasedAt *string `json:"released_at"`
		} `json:"allocations"`
	}
	if json.Unmarshal([]byte(body), &p) != nil {
		return ""
	}
	want := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	for _, a := range p.Allocations {
		if a.Amount == want && a.ReleasedAt == nil {
			return a.ID
		}
	}
	return ""
}

func sameMoney(a, b any) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func countReleased(history map[string]bool) int {
	n := 0
	for _, released := range history {
		if released {
			n++
		}
	}
	return n
}
