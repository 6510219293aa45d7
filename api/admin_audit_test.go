package api_test

import (
	"strings"
	"testing"
)

// Administration changes are in the workspace's audit trail, with who did them and from where.
func TestAudit_RecordsTokenAndUserAdministration(t *testing.T) {
	s := newTestServer(t)
	admin := []string{"Authorization", "Bearer " + s.Admin}
	tok := s.must(201, "POST", "/v1/tokens", map[string]any{"name": "sync-job", "role": "viewer"}, admin...).str("id")
	s.must(204, "DELETE", "/v1/tokens/"+tok, nil, admin...)
	usr := s.must(201, "POST", "/v1/users", map[string]any{"email": "ana@example.com", "role": "finance", "password": "a long passphrase"}, admin...).str("id")

	seen := map[string]bool{}
	for _, e := range s.must(200, "GET", "/v1/audit?limit=50", nil).JSON["data"].([]any) {
		ev := e.(map[string]any)
		seen[ev["action"].(string)+" "+ev["entity_id"].(string)] = true
		if ev["entity_id"] == tok || ev["entity_id"] == usr {
			if ev["actor"] != "token:test-admin" || ev["source"] != "127.0.0.1" {
				t.Errorf("%s by %v from %v, want token:test-admin from 127.0.0.1", ev["action"], ev["actor"], ev["source"])
			}
			if strings.Contains(ev["after"].(string), "fa_") || strings.Contains(ev["after"].(string), "passphrase") {
				t.Errorf("%s records a secret: %s", ev["action"], ev["after"])
			}
		}
	}
	for _, want := range []string{"token.created " + tok, "token.revoked " + tok, "user.created " + usr} {
		if !seen[want] {
			t.Errorf("audit trail lacks %q", want)
		}
	}
	if v := s.must(200, "GET", "/v1/audit/verify", nil); v.JSON["intact"] != true {
		t.Fatalf("chain broken after administration events: %s", v.Body)
	}
}
