package finapp

import (
	"strings"
	"testing"
)

func TestExternalID_Rules(t *testing.T) {
	for _, c := range []struct {
		id, err string
	}{
		{"", ""},
		{"INV-2026-0001", ""},
		{"cus_N1x8 Jt", ""},
		{strings.Repeat("x", 255), ""},
		{strings.Repeat("x", 256), "longer than 255"},
		{" INV-1", "leading or trailing spaces"},
		{"INV-1\n", "leading or trailing spaces"},
		{"INV\x00-1", "NUL"},
	} {
		_, err := checkExternalID("external_id", c.id)
		if (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("%q: %v, want %q", c.id, err, c.err)
		}
		if err != nil && ErrorField(err) != "external_id" {
			t.Errorf("%q: field %q", c.id, ErrorField(err))
		}
	}
}

func TestMetadata_Rules(t *testing.T) {
	many := Metadata{}
	for i := range 51 {
		many[strings.Repeat("k", i%40+1)+string(rune('a'+i%26))+string(rune('a'+i/26))] = "v"
	}
	for _, c := range []struct {
		name  string
		m     Metadata
		field string // "" when accepted
	}{
		{"none", nil, ""},
		{"some", Metadata{"plan": "pro", "note": "line one\nline two"}, ""},
		{"longest key and value", Metadata{strings.Repeat("k", 40): strings.Repeat("v", 500)}, ""},
		{"51 keys", many, "metadata"},
		{"long key", Metadata{strings.Repeat("k", 41): "v"}, "metadata." + strings.Repeat("k", 41)},
		{"long value", Metadata{"plan": strings.Repeat("v", 501)}, "metadata.plan"},
		{"empty key", Metadata{"": "v"}, "metadata"},
		{"control in key", Metadata{"pl\x01an": "v"}, "metadata"},
		{"control in value", Metadata{"plan": "a\x00b"}, "metadata.plan"},
	} {
		got, err := checkMetadata("metadata", c.m)
		switch {
		case c.field == "" && err != nil:
			t.Errorf("%s: %v", c.name, err)
		case c.field != "" && (err == nil || ErrorField(err) != c.field):
			t.Errorf("%s: %v, want a refusal naming %q", c.name, err, c.field)
		case c.field == "" && len(got) != len(c.m):
			t.Errorf("%s: kept %v", c.name, got)
		}
	}
}

func TestMetadata_StoredTextIsStable(t *testing.T) {
	m := Metadata{"b": "2", "a": "1", "é": "ü"}
	if got := m.String(); got != `{"a":"1","b":"2","é":"ü"}` {
		t.Fatalf("%s", got)
	}
	back, err := ParseMetadata(m.String())
	if err != nil || len(back) != 3 || back["é"] != "ü" {
		t.Fatalf("%v %v", back, err)
	}
	if Metadata(nil).String() != "{}" {
		t.Fatal("empty metadata")
	}
	if none, err := ParseMetadata("{}"); err != nil || none != nil {
		t.Fatalf("%v %v", none, err)
	}
}
