package api

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// routeIndex finds the operation of the OpenAPI document a request is for, so that the edge
// can apply what the document declares (its query parameters, whether it exports CSV).
type routeIndex struct {
	routes []indexedRoute
}

type indexedRoute struct {
	segs []string
	ops  map[string]*indexedOperation // by method
}

type indexedOperation struct {
	id       string
	template string
	query    []string // declared query parameters, sorted
}

func newRouteIndex(doc *huma.OpenAPI) *routeIndex {
	idx := &routeIndex{}
	for path, item := range doc.Paths {
		r := indexedRoute{segs: strings.Split(strings.TrimPrefix(path, "/"), "/"), ops: map[string]*indexedOperation{}}
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			o := &indexedOperation{id: op.OperationID, template: path, query: []string{}}
			for _, p := range op.Parameters {
				if p.In == "query" {
					o.query = append(o.query, p.Name)
				}
			}
			sort.Strings(o.query)
			r.ops[method] = o
		}
		idx.routes = append(idx.routes, r)
	}
	return idx
}

// lookup is the operation that serves method path; the zero operation when none does (the
// router answers that with 404 or 405).
func (idx *routeIndex) lookup(method, path string) indexedOperation {
	segs := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, r := range idx.routes {
		if op, ok := r.ops[method]; ok && matchesTemplate(r.segs, segs) {
			return *op
		}
	}
	return indexedOperation{}
}

// checkQueryNames refuses a query parameter the route does not declare in the OpenAPI document,
// with a 400 naming it: a misspelt filter (organisation_id) would otherwise be ignored and the
// list answer every row, which a client cannot tell from a filter that matched everything.
// The names come from the same document that serves the routes, so a new parameter is allowed
// as soon as it is declared.
func checkQueryNames(routes *routeIndex, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery == "" {
			next.ServeHTTP(w, r)
			return
		}
		op := routes.lookup(r.Method, r.URL.Path)
		if op.id == "" { // a path that is no route is the router's 404 to answer
			next.ServeHTTP(w, r)
			return
		}
		values, _ := url.ParseQuery(r.URL.RawQuery)
		names := make([]string, 0, len(values))
		for name := range values {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			if _, ok := sort.Find(len(op.query), func(i int) int { return strings.Compare(name, op.query[i]) }); ok {
				continue
			}
			known := "it takes no query parameters"
			if len(op.query) > 0 {
				known = "its query parameters are " + strings.Join(op.query, ", ")
			}
			writeProblem(w, &Problem{Type: "about:blank", Title: http.StatusText(http.StatusBadRequest), Status: http.StatusBadRequest,
				Code: finapp.EInvalid, Field: name, Detail: name + ": is not a query parameter of " + r.Method + " " + op.template + "; " + known})
			return
		}
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
