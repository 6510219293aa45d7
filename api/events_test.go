package api_test

import (
	"encoding/json"
	"finapp"
	"fmt"
	"strings"
	"testing"
)

// Every change that matters is in the feed once, in the order it happened, numbered 1, 2, 3 …,
// each event with the resource after the change; a consumer paging with after=next_after reads
// each exactly once; type= narrows the feed; bad input is refused naming the field.
func TestEvents_FeedHasEveryChangeInOrder(t *testing.T) {
	s := newTestServer(t)
	org := s.org("Acme", "SGD")
	inv := s.invoice(org, "INV-1", "standard", "100.00")
	spare := s.invoice(org, "INV-2", "standard", "5.00")
	pay := s.payment("", "150.00", "SGD")
	s.must(200, "PUT", "/v1/payments/"+pay+"/assignment", map[string]any{"organization_id": org})
	r := s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "40.00")})
	first, _ := r.objectsOf("allocations")[0]["id"].(string)
	r = s.must(200, "POST", "/v1/payments/"+pay+"/allocations", map[string]any{"allocations": allocLines(inv, "60.00")})
	var second string
	for _, a := range r.objectsOf("allocations") {
		if a["amount"] == "60.00" {
			second, _ = a["id"].(string)
		}
	}
	s.must(200, "DELETE", "/v1/payments/"+pay+"/allocations/"+second, nil)
	s.must(201, "POST", "/v1/payments/"+pay+"/top-ups", map[string]any{"amount": "10.00"})
	s.must(200, "PATCH", "/v1/payments/"+pay, map[string]any{"reference": "DBS 0042"})
	s.must(200, "POST", "/v1/invoices/"+spare+"/void", nil)
	gone := s.payment("", "1.00", "SGD")
	s.must(204, "DELETE", "/v1/payments/"+gone, nil)

	want := []struct{ typ, object string }{
		{"invoice.created", inv}, {"invoice.created", spare}, {"payment.recorded", pay},
		{"payment.assigned", pay},
		{"invoice.partially_paid", inv}, {"payment.allocated", first},
		{"invoice.paid", inv}, {"payment.allocated", second},
		{"allocation.released", second}, {"invoice.partially_paid", inv},
		{"credit.topped_up", ""}, {"payment.updated", pay}, {"invoice.voided", spare},
		{"payment.recorded", gone}, {"payment.deleted", gone},
	}
	var got []map[string]any
	after := "0"
	for pages := 0; ; pages++ {
		r := s.must(200, "GET", "/v1/events?limit=2&after="+after, nil)
		got = append(got, r.dataList()...)
		after = fmt.Sprint(r.JSON["next_after"])
		if r.JSON["has_more"] != true {
			break
		}
		if pages > 50 {
			t.Fatal("the feed never ends")
		}
	}
	if len(got) != len(want) {
		t.Fatalf("%d events; want %d: %v", len(got), len(want), got)
	}
	for i, w := range want {
		e := got[i]
		obj, _ := e["data"].(map[string]any)["object"].(map[string]any)
		if e["type"] != w.typ || e["sequence"] != float64(i+1) {
			t.Errorf("event %d: %v #%v; want %s #%d", i, e["type"], e["sequence"], w.typ, i+1)
		}
		if w.object != "" && obj["id"] != w.object {
			t.Errorf("event %d (%s) carries %v; want %s", i, w.typ, obj["id"], w.object)
		}
	}
	if obj := got[6]["data"].(map[string]any)["object"].(map[string]any); obj["status"] != "paid" || obj["amount_paid"] != "100.00" {
		t.Errorf("invoice.paid carries the invoice before the change: %v", obj)
	}
	if obj := got[11]["data"].(map[string]any)["object"].(map[string]any); obj["reference"] != "DBS 0042" {
		t.Errorf("payment.updated carries %v; want the payment after the edit", obj)
	}

	// The same feed, narrowed; an empty page keeps next_after where it was.
	r = s.must(200, "GET", "/v1/events?type=invoice.paid,invoice.voided", nil)
	if l := r.dataList(); len(l) != 2 || l[0]["type"] != "invoice.paid" || l[1]["type"] != "invoice.voided" {
		t.Errorf("type=invoice.paid,invoice.voided: %v", l)
	}
	r = s.must(200, "GET", fmt.Sprintf("/v1/events?after=%d", len(want)), nil)
	if len(r.dataList()) != 0 || r.JSON["next_after"] != float64(len(want)) || r.JSON["has_more"] != false {
		t.Errorf("after the last event: %s", r.Body)
	}

	for _, c := range []struct{ query, field string }{
		{"type=payment.exploded", "type"}, {"after=-1", "after"}, {"limit=501", "limit"}, {"after=x", "after"},
	} {
		expectFieldProblem(t, s.call("GET", "/v1/events?"+c.query, nil), "validation_error", c.field)
	}
}

// The OpenAPI document describes what webhook endpoints receive: one webhook per event type,
// with the envelope as the body and the three signature headers.
func TestEvents_OpenAPIDescribesWebhookPayloads(t *testing.T) {
	s := newTestServer(t)
	var doc struct {
		Webhooks map[string]struct {
			Post struct {
				Parameters []struct {
					Name string `json:"name"`
					In   string `json:"in"`
				} `json:"parameters"`
				RequestBody struct {
					Content map[string]struct {
						Schema struct {
							Ref string `json:"$ref"`
						} `json:"schema"`
					} `json:"content"`
				} `json:"requestBody"`
			} `json:"post"`
		} `json:"webhooks"`
		Components struct {
			Schemas map[string]struct {
				Properties map[string]any `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	if err := json.Unmarshal(s.rawGet("/v1/openapi.json").Body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, typ := range finapp.EventTypes {
		w, ok := doc.Webhooks[typ]
		if !ok {
			t.Errorf("no webhook %s in the document", typ)
			continue
		}
		var headers []string
		for _, p := range w.Post.Parameters {
			if p.In == "header" {
				headers = append(headers, p.Name)
			}
		}
		if strings.Join(headers, " ") != "webhook-id webhook-timestamp webhook-signature" {
			t.Errorf("%s: headers %v", typ, headers)
		}
		ref := w.Post.RequestBody.Content["application/json"].Schema.Ref
		name := strings.TrimPrefix(ref, "#/components/schemas/")
		for _, field := range []string{"id", "type", "sequence", "created_at", "data"} {
			if _, ok := doc.Components.Schemas[name].Properties[field]; !ok {
				t.Errorf("%s: the body schema %q has no %s", typ, ref, field)
			}
		}
	}
}
