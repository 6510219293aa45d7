package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// `finapp run-due` (for cron) marks the reservations that expired, once, each with its audit
// event; a captured one stays captured; verify passes after.
func TestRunDue_ExpiresReservationsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := finappBinary(t)
	db := drillDB(t, bin)
	token := createToken(t, bin, db)
	call := jsonCaller(t, token)
	srv, url := startServer(t, bin, db)
	org := call(url, "POST", "/v1/organizations", `{"name":"Prepaid Pte Ltd","billing_currency":"SGD"}`)["id"].(string)
	pay := call(url, "POST", "/v1/payments", `{"organization_id":"`+org+`","amount":"10.00","currency":"SGD","method":"cash"}`)["id"].(string)
	call(url, "POST", "/v1/payments/"+pay+"/top-ups", `{"amount":"10.00"}`)
	reserve := `{"amount":"2.00","currency":"SGD","expires_in":1}`
	lapsed := call(url, "POST", "/v1/organizations/"+org+"/reservations", reserve)["id"].(string)
	charged := call(url, "POST", "/v1/organizations/"+org+"/reservations", reserve)["id"].(string)
	call(url, "POST", "/v1/reservations/"+charged+"/capture", `{"amount":"1.50"}`)
	stopServer(t, srv)
	time.Sleep(1100 * time.Millisecond)

	for _, want := range []string{"1 reservations expired, 0 reminders due", "0 reservations expired, 0 reminders due"} {
		out, err := exec.Command(bin, "run-due", "--db", db).CombinedOutput()
		if err != nil || strings.TrimSpace(string(out)) != want {
			t.Fatalf("finapp run-due: %v %q, want %q", err, out, want)
		}
	}
	srv, url = startServer(t, bin, db)
	if got := call(url, "GET", "/v1/reservations/"+charged, "")["status"]; got != "captured" {
		t.Errorf("the captured reservation is %v", got)
	}
	actions := []string{}
	for _, e := range call(url, "GET", "/v1/audit?entity_id="+lapsed, "")["data"].([]any) {
		actions = append(actions, e.(map[string]any)["action"].(string))
	}
	if strings.Join(actions, " ") != "reservation.expired reservation.created" {
		t.Errorf("audit of the lapsed reservation: %v", actions)
	}
	credit := call(url, "GET", "/v1/organizations/"+org+"/credit", "")["credit"].([]any)[0].(map[string]any)
	if credit["balance"] != "8.50" || credit["reserved"] != "0.00" || credit["usable"] != "8.50" {
		t.Errorf("credit after: %v", credit)
	}
	stopServer(t, srv)
	verifyBooks(t, bin, db)
}

// jsonCaller calls a running server's API with token and returns the decoded JSON answer,
// failing the test on anything but a 2xx with a JSON object.
func jsonCaller(t *testing.T, token string) func(url, method, path, body string) map[string]any {
	return func(url, method, path, body string) map[string]any {
		t.Helper()
		req, _ := http.NewRequest(method, url+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		raw, _ := io.ReadAll(res.Body)
		var out map[string]any
		if res.StatusCode >= 300 || json.Unmarshal(raw, &out) != nil {
			t.Fatalf("%s %s: %d %s", method, path, res.StatusCode, raw)
		}
		return out
	}
}
