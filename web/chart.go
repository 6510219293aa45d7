package web

import (
	"strconv"

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
	Amount money.Amount
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
	var top money.Amount
	for _, v := range values {
		top = max(top, v.Amount)
	}
	c.Empty = top <= 0
	c.Max = formatMoney(top, cur)
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
	plot := float64(c.Base - chartTop)
	for i, v := range values {
		h := 0
		if top > 0 && v.Amount > 0 {
			h = int(float64(v.Amount) / float64(top) * plot)
			if h < 2 {
				h = 2
			}
		}
		x := chartSide + int(slot*float64(i)+(slot-float64(w))/2)
		b := bar{Label: v.Label, Full: formatMoney(v.Amount, cur), Class: v.Class, X: x, W: w, H: h, Y: c.Base - h, MidX: x + w/2,
			ShowLabel: i%every == 0, ValueY: c.Base - h - 6}
		if v.Amount != 0 {
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

// compact writes an amount in whole units, thousands grouped, for a chart's labels.
func compact(a money.Amount, cur money.Currency) string {
	whole := int64(a)
	for i := 0; i < cur.Digits(); i++ {
		whole /= 10
	}
	s := strconv.FormatInt(whole, 10)
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}
