package web

import (
	"math/big"
	"strings"

	"finapp/money"
)

// A barChart is a bar chart drawn on the server as inline SVG: the page's CSP allows no inline
// style, so every position is an SVG attribute and every colour a class of app.css.
type barChart struct {
	Title    string
	Currency money.Currency
	Width    int // the viewBox, in user units; CSS scales it to the card
	Height   int
	Base     int // the y of the x axis
	Bars     []bar
	LabelY   int    // the baseline of the x axis labels
	Max      string // the largest value, for the accessible description
	Empty    bool
}

type bar struct {
	Label, Value string
	Full         string // the exact amount, for the bar's tooltip
	Class        string
	X, Y, W, H   int
	MidX         int  // the centre of the bar, for its labels
	ShowLabel    bool // crowded axes label every nth bar only
	ValueY       int
}

type barValue struct {
	Label  string
	Amount money.Sum
	Class  string
}

const (
	chartWidth  = 1000
	chartHeight = 220
	chartTop    = 22 // room for the value above the tallest bar
	chartBottom = 34 // room for the labels under the axis
	chartSide   = 8
)

// newBarChart lays out values as bars scaled to the largest one.
func newBarChart(title string, cur money.Currency, values []barValue) *barChart {
	c := &barChart{Title: title, Currency: cur, Width: chartWidth, Height: chartHeight, Base: chartHeight - chartBottom, LabelY: chartHeight - 12}
	var top money.Sum
	for _, v := range values {
		if v.Amount.Cmp(top) > 0 {
			top = v.Amount
		}
	}
	c.Empty = top.Sign() <= 0
	c.Max = formatSum(top, cur)
	n := len(values)
	if n == 0 {
		c.Empty = true
		return c
	}
	slot := float64(chartWidth-2*chartSide) / float64(n)
	w := int(slot * 0.7)
	if w < 1 {
		w = 1
	}
	every := 1
	if maxLabels := 12; n > maxLabels {
		every = (n + maxLabels - 1) / maxLabels
	}
	for i, v := range values {
		h := 0
		if top.Sign() > 0 && v.Amount.Sign() > 0 {
			h = barHeight(v.Amount, top, c.Base-chartTop)
			if h < 2 {
				h = 2
			}
		}
		x := chartSide + int(slot*float64(i)+(slot-float64(w))/2)
		b := bar{Label: v.Label, Full: formatSum(v.Amount, cur), Class: v.Class, X: x, W: w, H: h, Y: c.Base - h, MidX: x + w/2,
			ShowLabel: i%every == 0, ValueY: c.Base - h - 6}
		if !v.Amount.IsZero() {
			b.Value = compact(v.Amount, cur)
		}
		c.Bars = append(c.Bars, b)
	}
	if n > 16 { // too many bars to print every value; the table has them
		for i := range c.Bars {
			c.Bars[i].Value = ""
		}
	}
	return c
}

// barHeight is v's share of plot when top fills it, rounded down: exact integers, since totals
// may be beyond an int64 (and beyond a float64's 53 bits of precision).
func barHeight(v, top money.Sum, plot int) int {
	h := new(big.Int).Mul(v.Big(), big.NewInt(int64(plot)))
	return int(h.Quo(h, top.Big()).Int64())
}

// compact writes a total in whole units, thousands grouped, for a chart's labels.
func compact(a money.Sum, cur money.Currency) string {
	s, _, _ := strings.Cut(a.Format(cur), ".")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var out []byte
	if neg && s != "0" {
		out = append(out, '-')
	}
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
