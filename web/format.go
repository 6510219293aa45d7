package web

import (
	"html/template"
	"sort"
	"strings"
	"time"

	"finapp"
	"finapp/money"
)

// funcs are the helpers the templates use to show the domain's values.
var funcs = template.FuncMap{
	"exportURL":   exportURL,
	"money":       formatMoney,
	"total":       formatSum,
	"label":       label,
	"time":        func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04") },
	"balances":    formatBalances,
	"methods":     func() []string { return finapp.Methods },
	"add":         func(a, b int) int { return a + b },
	"div":         func(a, b int) int { return a / b },
	"bucket":      func(b string) string { return bucketNames[b] },
	"bucketList":  func() []string { return finapp.AgingBuckets },
	"field":       func(p *page, name string) string { return p.Fields[name] },
	"fieldErrors": fieldErrors,
	"plain":       money.Format,
	"list":        func(s ...string) []string { return s },
	"joinChanges": joinChanges,
	"who":         who,
	"plural": func(n int, one, many string) string {
		if n == 1 {
			return one
		}
		return many
	},
	"debit": func(a money.Amount) bool { return a > 0 },
	"abs": func(a money.Amount) money.Amount {
		if a < 0 {
			return -a
		}
		return a
	},
}

// formatMoney writes an amount for people: its currency's digits, thousands grouped, and the
// currency code ("SGD 1,234.50", "JPY 1,000").
func formatMoney(a money.Amount, c money.Currency) string { return formatSum(money.SumOf(a), c) }

// formatSum writes a total (a balance, a report's sum) as formatMoney writes an amount.
func formatSum(t money.Sum, c money.Currency) string {
	s := t.Format(c)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, frac, hasFrac := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	out := b.String()
	if hasFrac {
		out += "." + frac
	}
	if neg {
		out = "−" + out
	}
	return string(c) + " " + out
}

// who names an actor for people: a user by e-mail, an API token as one, the system as itself
// (the trail keeps "user:…" and "token:…").
func who(actor string) string {
	switch {
	case strings.HasPrefix(actor, "user:"):
		return strings.TrimPrefix(actor, "user:")
	case strings.HasPrefix(actor, "token:"):
		return "API token " + strings.TrimPrefix(actor, "token:")
	}
	return actor
}

// formatBalances writes a per-currency balance ("SGD 10.00 · USD 5.00"), or "—" when empty.
func formatBalances(m map[money.Currency]money.Sum) string {
	var cs []string
	for c, a := range m {
		if !a.IsZero() {
			cs = append(cs, string(c))
		}
	}
	if len(cs) == 0 {
		return "—"
	}
	sort.Strings(cs)
	parts := make([]string, len(cs))
	for i, c := range cs {
		parts[i] = formatSum(m[money.Currency(c)], money.Currency(c))
	}
	return strings.Join(parts, " · ")
}

// label turns a code ("partially_allocated", "bank_transfer") into words.
func label(s string) string {
	s = strings.NewReplacer("_", " ", ".", " ").Replace(s)
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
