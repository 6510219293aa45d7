package web

import (
	"net/url"

	"finapp"
)

// listSort is how a list page is sorted and how each column header re-sorts it: its links keep
// the page's filters in the URL and start again at the first page.
type listSort struct {
	path    string
	filter  url.Values
	current finapp.ListSort
	// ascFirst are the keys a first click sorts ascending (names, numbers); dates and amounts
	// start with the largest, as finance staff look for the latest or biggest first.
	ascFirst map[string]bool
}

// sortColumn is one sortable column header: where a click leads and what it shows now.
type sortColumn struct {
	URL      string
	AriaSort string // "ascending", "descending" or "none", for screen readers
	Arrow    string // ▲ or ▼ on the sorted column
}

// parseListSort reads a page's sort parameter; an unknown one falls back to def (a URL typed by
// hand should still show the list).
func parseListSort(path string, filter url.Values, keys []string, def string, ascFirst ...string) listSort {
	cur, err := finapp.ParseSort(filter.Get("sort"), keys)
	if err != nil || filter.Get("sort") == "" {
		cur, _ = finapp.ParseSort(def, keys)
	}
	l := listSort{path: path, filter: filter, current: cur, ascFirst: map[string]bool{}}
	for _, k := range ascFirst {
		l.ascFirst[k] = true
	}
	return l
}

// Col is the header of the column that sorts by key.
func (l listSort) Col(key string) sortColumn {
	next := finapp.ListSort{Key: key, Asc: l.ascFirst[key]}
	c := sortColumn{AriaSort: "none"}
	if l.current.Key == key {
		next.Asc = !l.current.Asc
		c.AriaSort, c.Arrow = "descending", " ▼"
		if l.current.Asc {
			c.AriaSort, c.Arrow = "ascending", " ▲"
		}
	}
	v := url.Values{}
	for k, vs := range l.filter {
		if k != "cursor" && k != "done" && k != "sort" {
			v[k] = vs
		}
	}
	s := next.String()
	if s == "" {
		s = "-" + finapp.SortCreated
	}
	v.Set("sort", s)
	c.URL = l.path + "?" + v.Encode()
	return c
}

// Param is the page's sort as its filter form carries it on (a hidden field).
func (l listSort) Param() string { return l.filter.Get("sort") }
