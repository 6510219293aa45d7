package web

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"finapp"
)

// checkText enforces finapp.CheckText on every string a browser sends before any page handler
// (or the login) sees it: each path segment, and each name and value of the query and of a posted
// form. A refusal is the error page, 422, naming the field; nothing reaches the service, so both
// engines answer alike (PostgreSQL refused a NUL byte in the login e-mail with a 500).
func (s *server) checkText(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		err := checkFormText(r)
		var e *finapp.Error
		if !errors.As(err, &e) {
			next.ServeHTTP(w, r)
			return
		}
		p := &page{Title: "Unreadable input", Error: sentence(e), ctx: r.Context()}
		noteRefusal(p, e)
		s.render(w, pageStatus(e.Code), "error", p)
	})
}

// maxMultipartMemory is what a multipart form may hold in memory; the rest goes to temporary
// files, as net/http does by default.
const maxMultipartMemory = 1 << 20

func checkFormText(r *http.Request) error {
	for _, raw := range strings.Split(r.URL.EscapedPath(), "/") {
		seg, err := url.PathUnescape(raw)
		if err != nil {
			return finapp.Invalid("address", "is not a valid URL path")
		}
		if err := finapp.CheckText("address", seg, false); err != nil {
			return err
		}
	}
	// A multipart form is parsed here too: the handlers' FormValue would parse it after this
	// check otherwise. No page sends one, but a client may.
	var err error
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		err = r.ParseMultipartForm(maxMultipartMemory)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return nil // a form that does not parse is the handler's to refuse
	}
	names := make([]string, 0, len(r.Form))
	for name := range r.Form {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := finapp.CheckText(strconv.Quote(name), name, false); err != nil {
			return err
		}
		for _, v := range r.Form[name] {
			if err := finapp.CheckText(name, v, finapp.MultilineText(name)); err != nil {
				return err
			}
		}
	}
	return nil
}
