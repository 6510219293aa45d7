package billingfile

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"strings"
	"unicode/utf8"

	"finapp"
	"finapp/internal/csvrow"
)

// A CSV file's metadata is in columns named metadata.<key>: a row's metadata is its non-empty
// values in those columns. A file without such columns leaves the metadata of what it updates
// as it is; a file with them sets it to exactly the row's.

func newCSV[T, L any](in io.Reader, sum hash.Hash, s schema[T], wrap func(int, T) L) (*Reader[L], error) {
	lim := &csvrow.Limited{R: in, Max: MaxLineBytes, TooLong: errTooLong}
	c := csv.NewReader(bufio.NewReaderSize(lim, 64<<10))
	c.ReuseRecord = true
	header, err := c.Read()
	lim.Record()
	if errors.Is(err, io.EOF) {
		return nil, &finapp.LineError{Line: 1, Message: "the file is empty; it must start with a header row naming the columns (" + strings.Join(s.columns, ",") + ")"}
	}
	if err != nil {
		return nil, csvrow.Error(err, nil)
	}
	names := make([]string, len(header))
	seen := map[string]bool{}
	hasMetadata := false
	for i, h := range header {
		name := strings.TrimSpace(h)
		if i == 0 {
			name = strings.TrimPrefix(name, "\ufeff") // the byte-order mark spreadsheets put first
		}
		key, isMeta := strings.CutPrefix(name, metadataPrefix)
		if !isMeta {
			name = strings.ToLower(name)
		}
		var probe T
		switch {
		case name == "":
			return nil, &finapp.LineError{Line: 1, Message: fmt.Sprintf("column %d of the header has no name", i+1)}
		case isMeta && key == "":
			return nil, &finapp.LineError{Line: 1, Field: name, Message: "a metadata column is named metadata.<key>"}
		case !isMeta && s.field(&probe, name) == nil && strings.ContainsAny(name, ";\t"):
			return nil, &finapp.LineError{Line: 1, Message: fmt.Sprintf("the header %q is not comma-separated; save the file as CSV with commas", h)}
		case !isMeta && s.field(&probe, name) == nil:
			return nil, &finapp.LineError{Line: 1, Field: name, Message: fmt.Sprintf("unknown column %q; the columns are %s and metadata.<key>", h, strings.Join(s.columns, ", "))}
		case seen[name]:
			return nil, &finapp.LineError{Line: 1, Field: name, Message: "the column is named twice"}
		}
		seen[name] = true
		hasMetadata = hasMetadata || isMeta
		names[i] = name
	}
	for _, name := range s.required {
		if !seen[name] {
			return nil, &finapp.LineError{Line: 1, Field: name, Message: "the header has no " + name + " column; required are " + strings.Join(s.required, ", ")}
		}
	}
	c.FieldsPerRecord = len(header)
	next := func() (L, error) {
		var zero L
		rec, err := c.Read()
		lim.Record()
		if errors.Is(err, io.EOF) {
			return zero, io.EOF
		}
		if errors.Is(err, errTooLong) {
			return zero, err
		}
		if err != nil {
			return zero, csvrow.Error(err, names)
		}
		line, _ := c.FieldPos(0)
		var t T
		if hasMetadata {
			*s.metadata(&t) = finapp.Metadata{}
		}
		for i, v := range rec {
			if !utf8.ValidString(v) {
				return zero, &finapp.LineError{Line: line, Field: names[i], Message: "is not UTF-8 text; save the file as UTF-8"}
			}
			if err := cell(line, names[i], v); err != nil {
				return zero, err
			}
			if key, ok := strings.CutPrefix(names[i], metadataPrefix); ok {
				if v != "" {
					(*s.metadata(&t))[key] = v
				}
				continue
			}
			*s.field(&t, names[i]) = v
		}
		return wrap(line, t), nil
	}
	return &Reader[L]{next: next, sum: sum, offset: c.InputOffset}, nil
}

var errTooLong = fmt.Errorf("a line is longer than %d bytes, which no invoice or organization needs: is a quote left open?", MaxLineBytes)
