package finapp

import (
	"encoding/json"
	"sort"
	"unicode/utf8"
)

// The limits of the references a billing system keeps on finapp's records (SPEC §6.1), the
// same as the payment processors' that billing systems already speak.
const (
	maxExternalID    = 255
	maxMetadataKeys  = 50
	maxMetadataKey   = 40
	maxMetadataValue = 500
)

// checkExternalID checks the id another system gives a record (its own invoice or customer id):
// text of at most 255 characters, no surrounding spaces to tell two ids apart. "" means none.
func checkExternalID(field, id string) (string, error) {
	s, err := text(field, id, maxExternalID)
	if err != nil {
		return "", err
	}
	if s != id {
		return "", Invalid(field, "has leading or trailing spaces")
	}
	return s, nil
}

// Metadata is free-form text another system keeps on a record: at most 50 keys of at most 40
// characters, each value at most 500 characters. finapp stores and returns it; no rule reads it.
type Metadata map[string]string

// checkMetadata checks metadata against its limits, naming the key at fault
// ("metadata.plan"). nil and an empty map are the same: none.
func checkMetadata(field string, m Metadata) (Metadata, error) {
	if len(m) > maxMetadataKeys {
		return nil, Invalid(field, "has %d keys; at most %d are allowed", len(m), maxMetadataKeys)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		name := field + "." + k
		if k == "" {
			return nil, Invalid(field, "has an empty key")
		}
		if utf8.RuneCountInString(k) > maxMetadataKey {
			return nil, Invalid(name, "key is longer than %d characters", maxMetadataKey)
		}
		if err := CheckText(field, k, false); err != nil {
			return nil, err
		}
		if utf8.RuneCountInString(m[k]) > maxMetadataValue {
			return nil, Invalid(name, "is longer than %d characters", maxMetadataValue)
		}
		if err := CheckText(name, m[k], true); err != nil {
			return nil, err
		}
	}
	if len(m) == 0 {
		return nil, nil
	}
	return m, nil
}

// String is metadata as stored: JSON with its keys in order ("{}" when empty), so that the same
// metadata is always the same text.
func (m Metadata) String() string {
	if len(m) == 0 {
		return "{}"
	}
	b, _ := json.Marshal(map[string]string(m)) // encoding/json writes map keys sorted
	return string(b)
}

// ParseMetadata reads metadata as stored.
func ParseMetadata(s string) (Metadata, error) {
	if s == "" || s == "{}" {
		return nil, nil
	}
	var m Metadata
	err := json.Unmarshal([]byte(s), &m)
	return m, err
}
