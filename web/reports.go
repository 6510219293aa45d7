package web

import (
	"net/http"
	"sort"
	"time"

	"finapp"
	"finapp/money"
)

// reportsView is the Reports page: money received over a date range, grouped by day, month or
// method, and accounts-receivable aging as of a date; each as a table and a bar chart per
// currency.
type reportsView struct {
	From, To, Group, AsOf string
	Groupings             []string
	Receipts              []finapp.ReceiptGroup
	ReceiptTotals         []receiptTotal
	ReceiptCharts         []*barChart
	Aging                 *finapp.AgingReport
	AgingRows             []*finapp.AgingRow // the first agingPageRows of Aging.Rows
	AgingHidden           int                // the rows of Aging.Rows not shown
	AgingTotals           []*finapp.AgingRow // per currency, by code
	AgingCharts           []*barChart
	Buckets               []string
}

type receiptTotal struct {
	Currency money.Currency
	Amount   money.Sum
	Count    int
}

// agingPageRows bounds the aging table on the page. With 100,000 organizations the whole table
// was a 35 MB page that took seconds to render and that nobody could read; the totals and charts
// still cover every organization, and the API's aging report returns every row.
const agingPageRows = 500

// bucketNames are the aging buckets as the page shows them.
var bucketNames = map[string]string{"current": "Current", "1_30": "1–30 days", "31_60": "31–60 days", "61_90": "61–90 days", "over_90": "Over 90 days"}

func (s *server) reports(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	today := s.svc.Today(r.Context())
	v := &reportsView{From: q.Get("from"), To: q.Get("to"), Group: q.Get("group_by"), AsOf: q.Get("as_of"),
		Groupings: finapp.ReceiptsGroupings, Buckets: finapp.AgingBuckets}
	if !q.Has("from") && !q.Has("to") { // first visit: the last 30 days
		v.To = today
		if t, err := time.Parse("2006-01-02", today); err == nil {
			v.From = t.AddDate(0, 0, -29).Format("2006-01-02")
		}
	}
	if v.Group == "" {
		v.Group = "day"
	}
	if v.AsOf == "" {
		v.AsOf = today
	}
	p.Title, p.Nav, p.Data = "Reports", "reports", v
	status := http.StatusOK
	fields := []string{"from", "to", "group_by", "as_of"}
	receipts, err := s.svc.Receipts(r.Context(), v.From, v.To, v.Group)
	if err != nil {
		status = s.refusal(p, err, fields...)
	} else {
		v.Receipts = receipts
		v.ReceiptTotals, v.ReceiptCharts = receiptCharts(receipts, v.Group, v.From, v.To)
	}
	aging, err := s.svc.Aging(r.Context(), v.AsOf)
	if err != nil {
		if st := s.refusal(p, err, fields...); status == http.StatusOK {
			status = st
		}
	} else {
		v.Aging = aging
		v.AgingRows = aging.Rows[:min(len(aging.Rows), agingPageRows)]
		v.AgingHidden = len(aging.Rows) - len(v.AgingRows)
		v.AgingTotals, v.AgingCharts = agingCharts(aging)
	}
	if status == http.StatusInternalServerError {
		s.render(w, status, "error", p)
		return
	}
	s.render(w, status, "reports", p)
}

// receiptCharts totals the receipts per currency and draws one chart per currency. Day and month
// groups over a bounded range get a bar for every day or month, zero ones included, so that the
// chart's x axis is time.
func receiptCharts(groups []finapp.ReceiptGroup, groupBy, from, to string) ([]receiptTotal, []*barChart) {
	byCur := map[money.Currency]map[string]money.Sum{}
	totals := map[money.Currency]*receiptTotal{}
	var keys []string
	seen := map[string]bool{}
	for _, g := range groups {
		if byCur[g.Currency] == nil {
			byCur[g.Currency] = map[string]money.Sum{}
			totals[g.Currency] = &receiptTotal{Currency: g.Currency}
		}
		byCur[g.Currency][g.Key] = byCur[g.Currency][g.Key].Plus(g.Amount)
		totals[g.Currency].Amount = totals[g.Currency].Amount.Plus(g.Amount)
		totals[g.Currency].Count += g.Count
		if !seen[g.Key] {
			seen[g.Key] = true
			keys = append(keys, g.Key)
		}
	}
	sort.Strings(keys)
	if groupBy != "method" && len(keys) > 0 {
		keys = timeAxis(groupBy, firstOr(from, keys[0]), firstOr(to, keys[len(keys)-1]), keys)
	}
	var curs []string
	for c := range byCur {
		curs = append(curs, string(c))
	}
	sort.Strings(curs)
	var outTotals []receiptTotal
	var charts []*barChart
	for _, c := range curs {
		cur := money.Currency(c)
		outTotals = append(outTotals, *totals[cur])
		var bars []barValue
		for _, k := range keys {
			label := k
			switch groupBy {
			case "method":
				label = labelOf(k)
			case "day":
				if len(k) == len("2006-01-02") {
					label = k[5:] // MM-DD: the range above the chart gives the year
				}
			}
			bars = append(bars, barValue{Label: label, Amount: byCur[cur][k]})
		}
		charts = append(charts, newBarChart("Money received in "+c, cur, bars))
	}
	return outTotals, charts
}

func firstOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// timeAxis lists every day (or month) from from to to; it falls back to the keys present when
// the range is too long to draw one bar each.
func timeAxis(groupBy, from, to string, present []string) []string {
	const maxBars = 120
	f, err1 := parseDay(from)
	t, err2 := parseDay(to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return present
	}
	var out []string
	switch groupBy {
	case "day":
		for d := f; !d.After(t); d = d.AddDate(0, 0, 1) {
			if out = append(out, d.Format("2006-01-02")); len(out) > maxBars {
				return present
			}
		}
	case "month":
		for d := time.Date(f.Year(), f.Month(), 1, 0, 0, 0, 0, time.UTC); !d.After(t); d = d.AddDate(0, 1, 0) {
			if out = append(out, d.Format("2006-01")); len(out) > maxBars {
				return present
			}
		}
	default:
		return present
	}
	return out
}

// agingCharts orders the per-currency totals and draws one chart of the buckets per currency.
func agingCharts(a *finapp.AgingReport) ([]*finapp.AgingRow, []*barChart) {
	var curs []string
	for c := range a.Totals {
		curs = append(curs, string(c))
	}
	sort.Strings(curs)
	var rows []*finapp.AgingRow
	var charts []*barChart
	for _, c := range curs {
		row := a.Totals[money.Currency(c)]
		rows = append(rows, row)
		var bars []barValue
		for _, b := range finapp.AgingBuckets {
			bars = append(bars, barValue{Label: bucketNames[b], Amount: row.Buckets[b], Class: "bucket-" + b})
		}
		charts = append(charts, newBarChart("Receivables due in "+c+" by age", money.Currency(c), bars))
	}
	return rows, charts
}

// parseDay parses a date, or a month ("2026-01") as its first day.
func parseDay(s string) (time.Time, error) {
	if len(s) == len("2006-01") {
		s += "-01"
	}
	return time.Parse("2006-01-02", s)
}

func labelOf(s string) string { return label(s) }
