package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// checkQueryNames refuses a query parameter the route does not declare in the OpenAPI document,
// with a 400 naming it: a misspelt filter (organisation_id) would otherwise be ignored and the
// list answer every row, which a client cannot tell from a filter that matched everything.
// The names come from the same document that serves the routes, so a new parameter is allowed
// as soon as it is declared.
func checkQueryNames(doc *huma.OpenAPI, next http.Handler) http.Handler {
	type route struct {
		segs  []string
		names map[string]bool // by method
		list  map[string][]string
	}
	var routes []route
	for path, item := range doc.Paths {
		r := route{segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), names: map[string]bool{}, list: map[string][]string{}}
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			r.list[method] = []string{}
			for _, p := range op.Parameters {
				if p.In == "query" {
					r.names[method+" "+p.Name] = true
					r.list[method] = append(r.list[method], p.Name)
				}
			}
			sort.Strings(r.list[method])
		}
		routes = append(routes, r)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		segs := strings.Split(strings.TrimPrefix(r.URL.Path, "/"), "/")
		for _, rt := range routes {
			allowed, ok := rt.list[r.Method]
			if !ok || !matchesTemplate(rt.segs, segs) {
				continue
			}
			values, _ := url.ParseQuery(r.URL.RawQuery)
			names := make([]string, 0, len(values))
			for name := range values {
				names = append(names, name)
			}
			sort.Strings(names)
			for _, name := range names {
				if !rt.names[r.Method+" "+name] {
					known := "it takes no query parameters"
					if len(allowed) > 0 {
						known = "its query parameters are " + strings.Join(allowed, ", ")
					}
					writeProblem(w, &Problem{Type: "about:blank", Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest,
						Code: finapp.EInvalid, Field: name,
						Detail: name + ": is not a query parameter of " + r.Method + " /" + strings.Join(rt.segs, "/") + "; " + known})
					return
				}
			}
			break
		}
		// A path that is no route is the router's 404 to answer.
		next.ServeHTTP(w, r)
	})
}

// matchesTemplate reports whether the path segments segs fit the route template's segments,
// where "{name}" stands for any one non-empty segment.
func matchesTemplate(template, segs []string) bool {
	if len(template) != len(segs) {
		return false
	}
	for i, part := range template {
		if strings.HasPrefix(part, "{") {
			if segs[i] == "" {
				return false
			}
			continue
		}
		if part != segs[i] {
			return false
		}
	}
	return true
}
