package web_test

import (
	"encoding/json"
	"strings"
	"testing"
)

// A page's request leaves its line in the operator's log like an API call: the page's route
// pattern (not the path with its ids), the signed-in user, and why a page was refused.
func TestRequestLog_NamesThePageRouteAndTheUser(t *testing.T) {
	h := newHarness(t, false)
	c := h.client()
	c.login(testEmail, testPassword)
	c.get("/payments")
	c.get("/payments/pay_01kmissingmissingmissing00")

	var lines []map[string]any
	for _, l := range strings.Split(h.log.String(), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil && m["msg"] == "request" {
			lines = append(lines, m)
		}
	}
	find := func(route string) map[string]any {
		for _, m := range lines {
			if m["route"] == route {
				return m
			}
		}
		t.Fatalf("no log line for %s in:\n%s", route, h.log.String())
		return nil
	}
	list := find("GET /payments")
	if list["actor"] != "user:"+testEmail || list["status"] != 200.0 {
		t.Errorf("the list's line: %v", list)
	}
	missing := find("GET /payments/{id}")
	if missing["status"] != 404.0 || missing["actor"] != "user:"+testEmail {
		t.Errorf("the missing payment's line: %v", missing)
	}
	if strings.Contains(h.log.String(), testPassword) {
		t.Errorf("the log holds the password")
	}
}
