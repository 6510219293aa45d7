package sqlstore

import (
	"context"
	"sort"

	"finapp"
	"finapp/money"
)

// The aging report over a million invoices (docs/benchmarks.md §7) reads two small sets instead of
// reconstructing every invoice's history:
//
//  1. agingOpenNow: the invoices with money due now, summed per organization, currency and age
//     bucket, from the partial index invoices_open_aging (paid and void invoices are not in it).
//  2. agingChangedSince: for the invoices whose amount due changed after the as-of day — an
//     allocation made and still active, or released, since; or voided since — the difference
//     between their amount due then and what step 1 counted for them now, summed the same way.
//     Their amount due then is today's plus what was allocated since (and is still active) less
//     what was released since (allocations_active_created, allocations_released,
//     invoices_voided).
//
// Every other invoice has the same amount due then as now, so the sum of both is exactly the
// reconstruction from history. An invoice's changes since are bounded by its total (what was
// allocated since and is still active is applied to it at once now, what was released since was
// applied to it at once at the cut-off), so the per-invoice SUM of them is a plain one; what is
// summed over invoices is split (sums.go). As of today step 2 finds nothing; as of a past day it
// costs the changes made since. The SQL is the same for both engines but for the order of one join (see
// agingChangedSince): dates are YYYY-MM-DD text and timestamps fixed-width UTC text (db.go), so
// the bucket edges and the cut-off are comparisons.

// agingSums is the select list both steps share: what is due in all, then what is due on or
// after each of the AgeEdges, newest first (4 parameters, each twice); AgedDues turns those into
// one sum per bucket. due is the amount that step counts for one invoice, split into its high
// part due_hi and low part due_lo so that no sum can overflow (sums.go). Sums from each edge on
// rather than one per bucket: each invoice costs four comparisons instead of eight, and FILTER
// rather than CASE only adds up the sums an invoice is in — together a fifth less CPU over a
// million open invoices on SQLite. PostgreSQL has FILTER too. A sum over no rows is null, hence
// COALESCE.
const agingSums = `
	COALESCE(CAST(SUM(due_hi) AS BIGINT), 0), COALESCE(CAST(SUM(due_lo) AS BIGINT), 0),
	COALESCE(CAST(SUM(due_hi) FILTER (WHERE due_on >= ?) AS BIGINT), 0), COALESCE(CAST(SUM(due_lo) FILTER (WHERE due_on >= ?) AS BIGINT), 0),
	COALESCE(CAST(SUM(due_hi) FILTER (WHERE due_on >= ?) AS BIGINT), 0), COALESCE(CAST(SUM(due_lo) FILTER (WHERE due_on >= ?) AS BIGINT), 0),
	COALESCE(CAST(SUM(due_hi) FILTER (WHERE due_on >= ?) AS BIGINT), 0), COALESCE(CAST(SUM(due_lo) FILTER (WHERE due_on >= ?) AS BIGINT), 0),
	COALESCE(CAST(SUM(due_hi) FILTER (WHERE due_on >= ?) AS BIGINT), 0), COALESCE(CAST(SUM(due_lo) FILTER (WHERE due_on >= ?) AS BIGINT), 0)`

// agingSplit wraps a step's amounts due, one row per invoice, to split each into the parts
// agingSums adds up.
const agingSplit = `SELECT organization_id, currency, due_on, due / 4294967296 AS due_hi, due % 4294967296 AS due_lo FROM`

// agingOpenNow: parameters edges (agingSums), as-of day, workspace. The WHERE repeats the
// partial index's condition word for word, which is how both engines know it applies. The issue
// date is tested in the select list, not in the WHERE: there SQLite, which has no statistics,
// took it for a range to search by and read a million invoices through another index.
const agingOpenNow = `
	SELECT organization_id, currency,` + agingSums + `
	FROM (` + agingSplit + ` (SELECT organization_id, currency, due_on, CASE WHEN issued_on <= ? THEN total - amount_settled ELSE 0 END AS due
	      FROM invoices
	      WHERE workspace_id = ? AND voided_at IS NULL AND amount_settled < total) due) open_now
	GROUP BY organization_id, currency`

// agingChanges lists, per allocation, credit note application or void since the cut-off (the
// start of the day after as-of), the invoice it changed and by how much that undoes today's
// amount settled: what was allocated or credited since and is still active was not settled then;
// what was released since (having been made before) was. A void since changes no amount but makes
// the invoice count then. Parameters: workspace and cut-off, workspace and cut-off twice, the same
// two for credit note applications, then workspace and cut-off.
const agingChanges = `
	SELECT invoice_id, amount FROM allocations
	WHERE workspace_id = ? AND created_at >= ? AND released_at IS NULL
	UNION ALL
	SELECT invoice_id, -amount FROM allocations
	WHERE workspace_id = ? AND released_at >= ? AND created_at < ?
	UNION ALL
	SELECT invoice_id, amount FROM credit_note_applications
	WHERE workspace_id = ? AND created_at >= ? AND kind = 'invoice' AND released_at IS NULL
	UNION ALL
	SELECT invoice_id, -amount FROM credit_note_applications
	WHERE workspace_id = ? AND released_at >= ? AND kind = 'invoice' AND released_at IS NOT NULL AND created_at < ?
	UNION ALL
	SELECT id, 0 FROM invoices
	WHERE workspace_id = ? AND voided_at >= ?`

// agingChangedSince sums, for each invoice agingChanges names that was issued by as-of and not
// void then, its amount due then — today's plus the changes, clamped at zero as the history
// reconstruction always was — less what agingOpenNow counted for it. Parameters: edges
// (agingSums), agingChanges', then workspace, as-of day and cut-off for the invoices.
//
// The engines need it in two orders. SQLite sums the changes per invoice first and then looks
// the invoices up in id order, which keeps its small page cache warm (a third of the time of
// looking them up in the order of the changes); CROSS JOIN keeps its planner, which has no
// statistics, from reading every invoice instead. PostgreSQL cannot estimate how many invoices
// that first sum leaves (it guesses 200) and then looks up each of 300,000 by index, three times
// slower than joining the changes to the invoices by hash and summing after.
var agingChangedSince = map[bool]string{
	false: `
	SELECT organization_id, currency,` + agingSums + `
	FROM (` + agingSplit + ` (SELECT i.organization_id, i.currency, i.due_on,
	             CASE WHEN i.total - i.amount_settled + c.since > 0 THEN i.total - i.amount_settled + c.since ELSE 0 END
	             - CASE WHEN i.voided_at IS NULL AND i.amount_settled < i.total THEN i.total - i.amount_settled ELSE 0 END AS due
	      FROM (SELECT invoice_id, SUM(amount) AS since FROM (` + agingChanges + `) changes GROUP BY invoice_id) c
	      CROSS JOIN invoices i
	      WHERE i.id = c.invoice_id AND i.workspace_id = ? AND i.issued_on <= ? AND (i.voided_at IS NULL OR i.voided_at >= ?)) due) changed
	GROUP BY organization_id, currency`,
	true: `
	SELECT organization_id, currency,` + agingSums + `
	FROM (` + agingSplit + ` (SELECT i.organization_id, i.currency, i.due_on,
	             CASE WHEN i.total - i.amount_settled + SUM(c.amount) > 0 THEN i.total - i.amount_settled + SUM(c.amount) ELSE 0 END
	             - CASE WHEN i.voided_at IS NULL AND i.amount_settled < i.total THEN i.total - i.amount_settled ELSE 0 END AS due
	      FROM (` + agingChanges + `) c
	      JOIN invoices i ON i.id = c.invoice_id
	      WHERE i.workspace_id = ? AND i.issued_on <= ? AND (i.voided_at IS NULL OR i.voided_at >= ?)
	      GROUP BY i.id) due) changed
	GROUP BY organization_id, currency`,
}

// AgedDues implements finapp.Tx.
func (tx *Tx) AgedDues(ctx context.Context, asOf string, edges finapp.AgeEdges) ([]finapp.AgedDues, error) {
	cutoff := nextDay(asOf)
	e := []any{edges[0], edges[0], edges[1], edges[1], edges[2], edges[2], edges[3], edges[3]}
	type key struct{ org, cur string }
	sums := map[key]*finapp.AgedDues{}
	add := func(query string, args ...any) error {
		rows, err := tx.query(ctx, query, append(e, args...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k key
			var p [10]int64 // high and low parts of all, then from each edge; int64, not money.Amount: database/sql converts to a named type by reflection, an allocation per column
			if err := rows.Scan(&k.org, &k.cur, &p[0], &p[1], &p[2], &p[3], &p[4], &p[5], &p[6], &p[7], &p[8], &p[9]); err != nil {
				return err
			}
			all := money.SumParts(p[0], p[1])
			var from [4]money.Sum
			for i := range from {
				from[i] = money.SumParts(p[2+2*i], p[3+2*i])
			}
			// Due on or after edge 0, between edges 0 and 1, …, before edge 3.
			due := [5]money.Sum{from[0], from[1].Sub(from[0]), from[2].Sub(from[1]), from[3].Sub(from[2]), all.Sub(from[3])}
			d := sums[k]
			if d == nil {
				d = &finapp.AgedDues{OrganizationID: k.org, Currency: money.Currency(k.cur)}
				sums[k] = d
			}
			for b := range due {
				d.Due[b] = d.Due[b].Plus(due[b])
			}
		}
		return rows.Err()
	}
	if err := add(agingOpenNow, asOf, tx.ws); err != nil {
		return nil, err
	}
	changedSince := agingChangedSince[tx.db.dialect.Name == "postgres"]
	if err := add(changedSince, tx.ws, cutoff, tx.ws, cutoff, cutoff, tx.ws, cutoff, tx.ws, cutoff, cutoff, tx.ws, cutoff, tx.ws, asOf, cutoff); err != nil {
		return nil, err
	}
	out := make([]finapp.AgedDues, 0, len(sums))
	for _, d := range sums {
		var total money.Sum
		for _, a := range d.Due {
			total = total.Plus(a)
		}
		if total.Sign() > 0 { // each bucket is a sum of amounts due, none negative: all zero means nothing due
			out = append(out, *d)
		}
	}
	if err := tx.organizationNames(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// organizationNames fills in the name of each row's organization. One pass over the workspace's
// organizations costs less than a lookup per row (measured: 100,000 lookups take longer than a
// scan of 100,000 organizations on SQLite) and holds nothing but an index of the rows.
func (tx *Tx) organizationNames(ctx context.Context, rows []finapp.AgedDues) error {
	if len(rows) == 0 {
		return nil
	}
	first := make(map[string]int, len(rows)) // organization → its first row; its others follow
	sort.Slice(rows, func(i, j int) bool { return rows[i].OrganizationID < rows[j].OrganizationID })
	for i := len(rows) - 1; i >= 0; i-- {
		first[rows[i].OrganizationID] = i
	}
	r, err := tx.query(ctx, `SELECT id, name FROM organizations WHERE workspace_id = ?`, tx.ws)
	if err != nil {
		return err
	}
	defer r.Close()
	for r.Next() {
		var id, name string
		if err := r.Scan(&id, &name); err != nil {
			return err
		}
		i, ok := first[id]
		for ; ok && i < len(rows) && rows[i].OrganizationID == id; i++ {
			rows[i].OrganizationName = name
		}
	}
	return r.Err()
}

// Receipts implements finapp.Tx. The database sums live payments per day, currency and method
// straight from the covering index payments_receipts, in its order (no sort, no table rows);
// rolling those up into months or methods here costs a pass over at most days × currencies ×
// methods rows, whatever the number of payments.
func (tx *Tx) Receipts(ctx context.Context, from, to, groupBy string) ([]finapp.ReceiptGroup, error) {
	keyOf, ok := receiptKeys[groupBy]
	if !ok {
		return nil, finapp.Invalid("group_by", "must be day, month or method")
	}
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	w.add(`deleted_at IS NULL`)
	if from != "" {
		w.add(`received_on >= ?`, from)
	}
	if to != "" {
		w.add(`received_on <= ?`, to)
	}
	rows, err := tx.query(ctx, `SELECT received_on, currency, method, CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT), COUNT(*) FROM payments`+w.sql()+
		` GROUP BY received_on, currency, method`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ k, cur string }
	groups := map[key]*finapp.ReceiptGroup{}
	for rows.Next() {
		var day, cur, method string
		var hi, lo int64 // the day's sum in two parts (sums.go)
		var count int
		if err := rows.Scan(&day, &cur, &method, &hi, &lo, &count); err != nil {
			return nil, err
		}
		k := key{keyOf(day, method), cur}
		g := groups[k]
		if g == nil {
			g = &finapp.ReceiptGroup{Key: k.k, Currency: money.Currency(cur)}
			groups[k] = g
		}
		g.Amount = g.Amount.Plus(money.SumParts(hi, lo))
		g.Count += count
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]finapp.ReceiptGroup, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Key != out[j].Key {
			return out[i].Key < out[j].Key
		}
		return out[i].Currency < out[j].Currency
	})
	return out, nil
}

// receiptKeys is the group key of each grouping the service allows, from a day's sums.
var receiptKeys = map[string]func(day, method string) string{
	"day":    func(day, _ string) string { return day },
	"month":  func(day, _ string) string { return day[:min(7, len(day))] },
	"method": func(_, method string) string { return method },
}
