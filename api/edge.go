package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"finapp"
)

// maxBodyDepth bounds how deeply a request body may nest: the deepest documented member is three
// levels down (allocations[0].amount), and the walk below must not follow a body of a million
// brackets.
const maxBodyDepth = 32

// checkText enforces finapp.CheckText on every string of a request before any handler sees it:
// each path segment (named after the route's parameter), each query name and value, the headers
// the API reads, and every member name and string value of a JSON body (named by its JSON path);
// a body that names a member twice is refused too (which one counts would be a guess). A refusal
// is a 422 validation_error naming the field, as for any other bad value; a body that is not JSON
// at all is left to huma's 400. routes are the API's path templates ("/v1/payments/{id}").
func checkText(routes []string, next http.Handler) http.Handler {
	templates := make([][]string, 0, len(routes))
	for _, r := range routes {
		templates = append(templates, strings.Split(strings.TrimPrefix(r, "/"), "/"))
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkPath(templates, r.URL)
		if err == nil {
			err = checkQuery(r.URL.RawQuery)
		}
		for _, h := range []string{"Idempotency-Key", "If-Match"} {
			if err == nil {
				err = finapp.CheckText(h, r.Header.Get(h), false)
			}
		}
		// Every body is walked, whatever its Content-Type says: huma reads "+json" types, and
		// one with a malformed parameter, as JSON, and a body that is not JSON stops the walk.
		if err == nil && r.Body != nil && r.Body != http.NoBody {
			var body []byte
			body, err = io.ReadAll(r.Body)
			if tooLarge := (*http.MaxBytesError)(nil); errors.As(err, &tooLarge) {
				writeProblem(w, &Problem{Type: "about:blank", Title: http.StatusText(http.StatusRequestEntityTooLarge), Status: http.StatusRequestEntityTooLarge,
					Detail: fmt.Sprintf("request body is too large limit=%d bytes", tooLarge.Limit), Code: finapp.EInvalid, Field: "body"})
				return
			}
			if err != nil {
				err = finapp.Invalid("body", "could not be read: %v", err)
			} else {
				r.Body = io.NopCloser(bytes.NewReader(body))
				err = checkBody(body)
			}
		}
		if err != nil {
			writeProblem(w, errorProblem(err))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkPath checks each segment of the path, decoded, and names a bad one after the parameter
// of the route it falls on ("id", "allocation_id"), or "path".
func checkPath(templates [][]string, u *url.URL) error {
	segs := strings.Split(strings.TrimPrefix(u.EscapedPath(), "/"), "/")
	for i, raw := range segs {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return finapp.Invalid("path", "is not a valid URL path: %v", err)
		}
		if err := finapp.CheckText(pathParam(templates, segs, i), seg, false); err != nil {
			return err
		}
	}
	return nil
}

// pathParam is the name of the parameter that segment i of segs stands for in the route that
// matches segs, or "path".
func pathParam(templates [][]string, segs []string, i int) string {
	for _, t := range templates {
		if len(t) != len(segs) {
			continue
		}
		match := true
		for j, part := range t {
			if j != i && !strings.HasPrefix(part, "{") && part != segs[j] {
				match = false
				break
			}
		}
		if match && strings.HasPrefix(t[i], "{") {
			return strings.Trim(t[i], "{}")
		}
	}
	return "path"
}

// checkQuery checks every name and value of a query string. A value is named by its parameter;
// a bad name by itself, quoted. Malformed escapes are left to the router, which refuses them.
func checkQuery(raw string) error {
	values, _ := url.ParseQuery(raw)
	names := make([]string, 0, len(values))
	for name := range values {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := finapp.CheckText(strconv.Quote(name), name, false); err != nil {
			return err
		}
		for _, v := range values[name] {
			if err := finapp.CheckText(name, v, finapp.MultilineText(name)); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkBody walks a JSON body token by token. Strings are checked as they were sent: the decoder
// would turn bytes that are not UTF-8 into U+FFFD, so each string's own bytes are checked too.
// A body that is not JSON is left to the handler, which refuses it.
func checkBody(body []byte) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	w := &bodyWalk{body: body, dec: json.NewDecoder(bytes.NewReader(body))}
	w.dec.UseNumber()
	err := w.value("", 0)
	if errors.Is(err, errNotJSON) {
		return nil
	}
	return err
}

var errNotJSON = errors.New("not JSON")

type bodyWalk struct {
	body []byte
	dec  *json.Decoder
}

// token reads the next token and the bytes it was read from (with any separator before it).
func (w *bodyWalk) token() (json.Token, []byte, error) {
	start := w.dec.InputOffset()
	tok, err := w.dec.Token()
	if err != nil {
		return nil, nil, errNotJSON
	}
	return tok, w.body[start:w.dec.InputOffset()], nil
}

func (w *bodyWalk) value(path string, depth int) error {
	field := path
	if field == "" {
		field = "body"
	}
	if depth > maxBodyDepth {
		return finapp.Invalid(field, "nests deeper than %d levels", maxBodyDepth)
	}
	tok, raw, err := w.token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case string:
		if !validJSONText(raw) {
			return finapp.Invalid(field, "is not valid UTF-8")
		}
		return finapp.CheckText(field, t, finapp.MultilineText(path))
	case json.Delim:
		switch t {
		case '{':
			seen := map[string]bool{}
			for w.dec.More() {
				tok, raw, err := w.token()
				if err != nil {
					return err
				}
				name, _ := tok.(string)
				member := name
				if path != "" {
					member = path + "." + name
				}
				if !validJSONText(raw) {
					return finapp.Invalid(quotedMember(path, name), "is not valid UTF-8")
				}
				if err := finapp.CheckText(quotedMember(path, name), name, false); err != nil {
					return err
				}
				if seen[name] {
					return finapp.Invalid(member, "is given twice; a member may appear only once")
				}
				seen[name] = true
				if err := w.value(member, depth+1); err != nil {
					return err
				}
			}
		case '[':
			for i := 0; w.dec.More(); i++ {
				if err := w.value(fmt.Sprintf("%s[%d]", path, i), depth+1); err != nil {
					return err
				}
			}
		}
		_, _, err := w.token() // the closing bracket
		return err
	}
	return nil
}

// validJSONText reports whether a JSON string token, as sent, stands for valid UTF-8: its bytes
// are UTF-8 and no \u escape is half of a surrogate pair ("\ud800" alone), which the decoder
// would silently turn into U+FFFD.
func validJSONText(raw []byte) bool {
	if !utf8.Valid(raw) {
		return false
	}
	surrogate := func(i int) (rune, bool) { // the \uXXXX escape at raw[i:], if it is one
		if i+6 > len(raw) || raw[i] != '\\' || raw[i+1] != 'u' {
			return 0, false
		}
		n, err := strconv.ParseUint(string(raw[i+2:i+6]), 16, 16)
		return rune(n), err == nil
	}
	for i := 0; i < len(raw); i++ {
		if raw[i] != '\\' {
			continue
		}
		r, ok := surrogate(i)
		switch {
		case !ok:
			i++ // another escape: skip the character it escapes (a backslash included)
		case r >= 0xD800 && r <= 0xDBFF:
			low, ok := surrogate(i + 6)
			if !ok || low < 0xDC00 || low > 0xDFFF {
				return false
			}
			i += 11
		case r >= 0xDC00 && r <= 0xDFFF:
			return false
		default:
			i += 5
		}
	}
	return true
}

// quotedMember names a member whose name itself breaks the rules: its path with the name quoted.
func quotedMember(path, name string) string {
	if path == "" {
		return strconv.Quote(name)
	}
	return path + "." + strconv.Quote(name)
}
