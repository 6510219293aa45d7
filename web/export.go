package web

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
)

// pageExport is a page's CSV export: the API list it is, and the page's filter names with the
// list's names for them (the pages say "customer" and "from" where the API says
// "organization_id" and "received_from").
type pageExport struct {
	list    string
	filters map[string]string
}

var pageExports = map[string]pageExport{
	"payments": {"/v1/payments", map[string]string{"q": "q", "status": "status", "customer": "organization_id", "method": "method",
		"from": "received_from", "to": "received_to"}},
	"invoices": {"/v1/invoices", map[string]string{"q": "q", "status": "status", "kind": "kind", "customer": "organization_id",
		"from": "issued_from", "to": "issued_to"}},
	"organizations": {"/v1/organizations", map[string]string{"q": "q"}},
	"credit-notes":  {"/v1/credit-notes", map[string]string{"customer": "organization_id", "status": "status"}},
	"audit":         {"/v1/audit", map[string]string{"entity": "entity_id"}},
	"aging":         {"/v1/reports/aging", map[string]string{"as_of": "as_of"}},
	"receipts":      {"/v1/reports/receipts", map[string]string{"from": "from", "to": "to", "group_by": "group_by"}},
	"events":        {"/v1/events", map[string]string{"type": "type"}},
	"reminders":     {"/v1/reminders", map[string]string{"due_on": "due_on"}},
	"users":         {"/v1/users", nil},
	"tokens":        {"/v1/tokens", nil},
	"webhooks":      {"/v1/webhook-endpoints", nil},
	// An endpoint's delivery log: the page names the endpoint, which goes in the list's path.
	"webhook-deliveries": {"/v1/webhook-endpoints/{endpoint}/deliveries", map[string]string{"endpoint": ""}},
}

// exportURL is the link of a page's Export button: /export/NAME with the page's filters as it
// shows them, either one url.Values or name, value pairs. Empty filters are left out.
func exportURL(name string, filters ...any) string {
	v := url.Values{}
	if len(filters) == 1 {
		if q, ok := filters[0].(url.Values); ok {
			for k, vs := range q {
				if _, known := pageExports[name].filters[k]; known && len(vs) > 0 && vs[0] != "" {
					v.Set(k, vs[0])
				}
			}
		}
	}
	for i := 0; i+1 < len(filters); i += 2 {
		k, _ := filters[i].(string)
		val, _ := filters[i+1].(string)
		if val != "" {
			v.Set(k, val)
		}
	}
	if len(v) == 0 {
		return "/export/" + name
	}
	return "/export/" + name + "?" + v.Encode()
}

// export answers an Export button: the API's own CSV export of the list, as the signed-in
// user (its access rules and filter checks apply), with the page's filters renamed.
func (s *server) export(w http.ResponseWriter, r *http.Request, p *page) {
	e, ok := pageExports[r.PathValue("name")]
	if !ok || s.exports == nil {
		p.Title, p.Error = "Not found", "There is no such export."
		s.render(w, http.StatusNotFound, "error", p)
		return
	}
	q := url.Values{}
	names := make([]string, 0, len(e.filters))
	for name := range e.filters {
		names = append(names, name)
	}
	sort.Strings(names)
	list := e.list
	for _, name := range names {
		v := r.URL.Query().Get(name)
		switch {
		case e.filters[name] == "": // a part of the list's path
			list = strings.ReplaceAll(list, "{"+name+"}", url.PathEscape(v))
		case v != "":
			q.Set(e.filters[name], v)
		}
	}
	inner := r.Clone(r.Context())
	inner.URL.Path, inner.URL.RawPath, inner.URL.RawQuery = list, "", q.Encode()
	inner.RequestURI = inner.URL.RequestURI()
	s.exports.ServeHTTP(w, inner)
}
