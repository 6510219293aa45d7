package billingfile

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"finapp"
)

// A JSON Lines file has one object per line with the CSV columns as keys, every value a string
// (amounts too: a JSON number would pass through a binary float in most producers), and
// "metadata" an object of strings. Blank lines are skipped.

func newJSONL[T, L any](in io.Reader, sum hash.Hash, s schema[T], wrap func(int, T) L) *Reader[L] {
	br := bufio.NewReaderSize(in, 64<<10)
	var offset int64
	line := 0
	next := func() (L, error) {
		var zero L
		for {
			raw, long, err := readLine(br)
			offset += int64(len(raw))
			if len(raw) == 0 && !long && errors.Is(err, io.EOF) {
				return zero, io.EOF
			}
			if err != nil && !errors.Is(err, io.EOF) {
				return zero, err
			}
			line++
			if long {
				return zero, &finapp.LineError{Line: line, Message: fmt.Sprintf("is longer than %d bytes, which no invoice or organization needs", MaxLineBytes)}
			}
			raw = bytes.TrimSpace(raw)
			if line == 1 {
				raw = bytes.TrimPrefix(raw, []byte("\ufeff"))
			}
			if len(raw) == 0 {
				continue
			}
			t, lerr := decodeObject(line, raw, s)
			if lerr != nil {
				return zero, lerr
			}
			return wrap(line, t), nil
		}
	}
	return &Reader[L]{next: next, sum: sum, offset: func() int64 { return offset }}
}

// readLine reads one line with its newline. A line longer than MaxLineBytes is read to its end
// but not kept (long), so that reading can go on after it.
func readLine(br *bufio.Reader) (raw []byte, long bool, err error) {
	for {
		part, err := br.ReadSlice('\n')
		if !long && len(raw)+len(part) > MaxLineBytes {
			long, raw = true, nil
		}
		if !long {
			raw = append(raw, part...)
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return raw, long, err
		}
	}
}

// decodeObject reads one line's object into a T, naming the key at fault.
func decodeObject[T any](line int, raw []byte, s schema[T]) (T, *finapp.LineError) {
	var t T
	if !utf8.Valid(raw) {
		return t, &finapp.LineError{Line: line, Message: "is not UTF-8 text; save the file as UTF-8"}
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(raw, &obj); err != nil {
		return t, &finapp.LineError{Line: line, Message: "is not a JSON object: " + err.Error()}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys) // the first fault named is the same on every run
	for _, k := range keys {
		v := obj[k]
		if k == "metadata" {
			var m map[string]*string
			if err := json.Unmarshal(v, &m); err != nil {
				return t, &finapp.LineError{Line: line, Field: k, Message: "must be an object of strings"}
			}
			if m == nil {
				continue // null: leave it as it is
			}
			md := finapp.Metadata{}
			for mk, mv := range m {
				if mv == nil {
					return t, &finapp.LineError{Line: line, Field: "metadata." + mk, Message: "must be a string"}
				}
				if err := cell(line, "metadata."+mk, *mv); err != nil {
					return t, err.(*finapp.LineError)
				}
				md[mk] = *mv
			}
			*s.metadata(&t) = md
			continue
		}
		dst := s.field(&t, k)
		if dst == nil {
			return t, &finapp.LineError{Line: line, Field: k, Message: fmt.Sprintf("unknown key %q; the keys are %s and metadata", k, strings.Join(s.columns, ", "))}
		}
		if string(v) == "null" {
			continue
		}
		if err := json.Unmarshal(v, dst); err != nil {
			return t, &finapp.LineError{Line: line, Field: k, Message: "must be a string (amounts too, as \"12.50\")"}
		}
		if err := cell(line, k, *dst); err != nil {
			return t, err.(*finapp.LineError)
		}
	}
	return t, nil
}
