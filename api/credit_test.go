package api_test

import (
	"encoding/json"
	"testing"
)

// A customer's payment settings: the defaults until set, replaced whole by PUT, audited with what
// they were and what they became; bad input is refused naming the field, and nothing is written.
func TestCreditSettings_SetReadAuditedAndRefused(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Prepaid Telco Pte Ltd", "SGD")
	path := "/v1/organizations/" + org + "/settings"

	def := s.must(200, "GET", path, nil)
	if def.str("billing_mode") != "postpaid" || len(def.JSON["credit_limit"].(map[string]any)) != 0 ||
		def.JSON["auto_top_up"].(map[string]any)["enabled"] != false || def.JSON["updated_at"] != nil {
		t.Fatalf("defaults: %s", def.Body)
	}

	set := map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "250.50", "JPY": "10000"},
		"auto_top_up": map[string]any{"enabled": true, "threshold": "20", "amount": "100.00"}}
	got := s.must(200, "PUT", path, set)
	for _, r := range []*response{got, s.must(200, "GET", path, nil)} {
		limits := r.JSON["credit_limit"].(map[string]any)
		top := r.JSON["auto_top_up"].(map[string]any)
		if r.str("billing_mode") != "prepaid" || limits["SGD"] != "250.50" || limits["JPY"] != "10000" || len(limits) != 2 ||
			top["enabled"] != true || top["currency"] != "SGD" || top["threshold"] != "20.00" || top["amount"] != "100.00" ||
			r.str("updated_at") == "" {
			t.Fatalf("settings as set: %s", r.Body)
		}
	}

	bad := []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"billing_mode": "weekly"}, "billing_mode"},
		{map[string]any{"credit_limit": map[string]string{"SGD": "1.00"}}, "billing_mode"},
		{map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"XYZ": "1.00"}}, "credit_limit.XYZ"},
		{map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "1.001"}}, "credit_limit.SGD"},
		{map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]string{"SGD": "-5.00"}}, "credit_limit.SGD"},
		{map[string]any{"billing_mode": "prepaid", "credit_limit": map[string]any{"SGD": 5}}, "credit_limit.SGD"},
		{map[string]any{"billing_mode": "prepaid", "auto_top_up": map[string]any{"enabled": true}}, "auto_top_up.amount"},
		{map[string]any{"billing_mode": "prepaid", "auto_top_up": map[string]any{"enabled": true, "amount": "0"}}, "auto_top_up.amount"},
		{map[string]any{"billing_mode": "prepaid", "auto_top_up": map[string]any{"enabled": true, "amount": "5", "currency": "usd"}}, "auto_top_up.currency"},
		{map[string]any{"billing_mode": "postpaid", "auto_top_up": map[string]any{"enabled": true, "amount": "5"}}, "auto_top_up.enabled"},
	}
	for _, b := range bad {
		r := s.call("PUT", path, b.body)
		if r.Status != 422 {
			t.Errorf("%v: %d %s", b.body, r.Status, r.Body)
			continue
		}
		expectFieldProblem(t, r, "validation_error", b.field)
	}
	if after := s.must(200, "GET", path, nil); after.str("billing_mode") != "prepaid" ||
		after.JSON["credit_limit"].(map[string]any)["SGD"] != "250.50" || after.str("updated_at") != got.str("updated_at") {
		t.Fatalf("a refused change changed the settings: %s", after.Body)
	}

	// PUT replaces: what the body leaves out goes back to its default.
	back := s.must(200, "PUT", path, map[string]any{"billing_mode": "postpaid"})
	if len(back.JSON["credit_limit"].(map[string]any)) != 0 || back.JSON["auto_top_up"].(map[string]any)["enabled"] != false {
		t.Fatalf("replaced whole: %s", back.Body)
	}

	// Two changes, each audited with what it replaced.
	events := s.must(200, "GET", "/v1/audit?entity_id="+org, nil).dataList()
	var seen []map[string]any
	for _, e := range events {
		if e["action"] == "organization.settings_updated" {
			seen = append(seen, e)
		}
	}
	if len(seen) != 2 {
		t.Fatalf("want 2 audited changes of the settings, got %d: %v", len(seen), events)
	}
	var before, after map[string]any
	first := seen[1] // newest first
	if json.Unmarshal([]byte(first["before"].(string)), &before) != nil || json.Unmarshal([]byte(first["after"].(string)), &after) != nil {
		t.Fatalf("snapshots: %v", first)
	}
	if before["billing_mode"] != "postpaid" || after["billing_mode"] != "prepaid" ||
		after["credit_limit"].(map[string]any)["SGD"] != "250.50" || first["entity"] != "organization_settings" {
		t.Errorf("the first change audited as %v → %v", before, after)
	}
	if json.Unmarshal([]byte(seen[0]["before"].(string)), &before) != nil || before["billing_mode"] != "prepaid" {
		t.Errorf("the second change's before is not the first's after: %v", seen[0]["before"])
	}

	expectProblem(t, s.call("GET", "/v1/organizations/org_01jd8x0c9v7p8x2k3m4n5q6r7s/settings", nil), 404, "not_found")
	expectProblem(t, s.call("PUT", "/v1/organizations/org_01jd8x0c9v7p8x2k3m4n5q6r7s/settings", map[string]any{"billing_mode": "prepaid"}), 404, "not_found")
	expectProblem(t, s.call("PUT", path, map[string]any{"billing_mode": "prepaid"}, "Authorization", "Bearer "+s.Viewer), 403, "forbidden")
}
