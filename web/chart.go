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
	Left     int     // the x of the y axis: its labels are to the left of it
	YTicks   []yTick // the y axis's values, from zero up, each with its grid line
}

// yTick is a value on the y axis: a round number of whole units of the chart's currency.
type yTick struct {
	Y     int
	Label string
}

type bar struct {
	Label, Value string
	Full         string // the exact amount, for the bar's tooltip
	Class        string
	X, Y, W, H   int
	MidX         int  // the centre of the bar, for its labels
	ShowLabel    bool // crowded axes label every nth bar only
	ValueY       int
	Focus        string // the bar's label and value, shown while it is hovered or focused
}

type barValue struct {
	Label  string
	Amount money.Sum
	Class  string
}

const (
	chartWidth  = 1000
	chartHeight = 240
	chartTop    = 34 // room for the value above the tallest bar, and for a hovered bar's
	chartBottom = 40 // room for the labels under the axis
	chartSide   = 8
	chartLeft   = 120 // room for the y axis's labels
	maxYTicks   = 5   // the y axis has at most this many steps above zero
)

// newBarChart lays out values as bars scaled to the largest one.
func newBarChart(title string, cur money.Currency, values []barValue) *barChart {
	c := &barChart{Title: title, Currency: cur, Width: chartWidth, Height: chartHeight, Base: chartHeight - chartBottom, LabelY: chartHeight - 10,
		Left: chartLeft}
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
	// The y axis runs from zero to a round number at or above the largest bar, in round steps;
	// the bars are scaled to it, so that each reads against the axis's values.
	axisTop := top.Big()
	if !c.Empty {
		step, steps := niceStep(top.Big(), cur)
		axisTop = new(big.Int).Mul(step, big.NewInt(int64(steps)))
		for i := 0; i <= steps; i++ {
			v := new(big.Int).Mul(step, big.NewInt(int64(i)))
			y := c.Base - int(new(big.Int).Quo(new(big.Int).Mul(v, big.NewInt(int64(c.Base-chartTop))), axisTop).Int64())
			c.YTicks = append(c.YTicks, yTick{Y: y, Label: groupDigits(new(big.Int).Quo(v, pow10(cur.Digits())).String())})
		}
	}
	slot := float64(chartWidth-chartLeft-chartSide) / float64(n)
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
			h = barHeight(v.Amount.Big(), axisTop, c.Base-chartTop)
			if h < 2 {
				h = 2
			}
		}
		x := chartLeft + int(slot*float64(i)+(slot-float64(w))/2)
		b := bar{Label: v.Label, Full: formatSum(v.Amount, cur), Class: v.Class, X: x, W: w, H: h, Y: c.Base - h, MidX: x + w/2,
			ShowLabel: i%every == 0, ValueY: c.Base - h - 6}
		b.Focus = b.Label + ": " + b.Full
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
func barHeight(v, top *big.Int, plot int) int {
	h := new(big.Int).Mul(v, big.NewInt(int64(plot)))
	return int(h.Quo(h, top).Int64())
}

// niceStep is the y axis's step for a largest bar of top (minor units of cur): a whole number of
// units of 1, 2 or 5 times a power of ten, the smallest with at most maxYTicks steps reaching top;
// and how many steps that takes.
func niceStep(top *big.Int, cur money.Currency) (step *big.Int, steps int) {
	unit := pow10(cur.Digits())
	for k := int64(0); ; k++ {
		for _, m := range []int64{1, 2, 5} {
			step = new(big.Int).Mul(big.NewInt(m), new(big.Int).Exp(big.NewInt(10), big.NewInt(k), nil))
			step.Mul(step, unit)
			n, rem := new(big.Int).QuoRem(top, step, new(big.Int))
			if rem.Sign() > 0 {
				n.Add(n, big.NewInt(1))
			}
			if n.Cmp(big.NewInt(maxYTicks)) <= 0 {
				return step, int(n.Int64())
			}
		}
	}
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// groupDigits writes a whole number's digits in groups of three.
func groupDigits(s string) string {
	var out []byte
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// compact writes a total in whole units, thousands grouped, for a chart's labels.
func compact(a money.Sum, cur money.Currency) string {
	s, _, _ := strings.Cut(a.Format(cur), ".")
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	if neg && s != "0" {
		return "-" + groupDigits(s)
	}
	return groupDigits(s)
}
