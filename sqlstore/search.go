package sqlstore

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"unicode/utf8"

	"finapp"
)

// Invoice search by q: a case-insensitive substring of the organization's name or of the invoice
// number, exactly as the plain scan `o.name LIKE '%q%' OR i.number LIKE '%q%'` (ILIKE on
// PostgreSQL) answered it, which took 5.5 s at 1,000,000 invoices (docs/benchmarks.md §6). No
// B-tree serves '%q%'; migration 00004 adds trigram indexes — SQLite: FTS5 trigram tables kept in
// step by triggers and, for new invoices, by indexInvoiceNumbers; PostgreSQL: pg_trgm GIN
// indexes — that find the organizations and invoice numbers a q of 3 or more characters matches.
// Every plan below keeps q's LIKE condition on the rows it returns: the indexes choose which rows
// are read, never what matches.
//
// No one plan is cheap for every q, so capped counts choose one per search (searchInvoices):
//   - ids: q alone, at most searchCandidateCap matching invoices (searchIDsCap on PostgreSQL,
//     which counts them from indexes alone). The page's ids are picked from the matches' ids;
//     only the page's invoices are read.
//   - rows (SQLite) and organization set: q with other filters (an issue-date range, a status…).
//     SQLite reads the matches' rows from invoices_org, which holds the issue date, so that an
//     invoice outside the range costs an index entry; PostgreSQL's planner combines the set of
//     matching organizations with the other filters' indexes (a bitmap AND).
//   - organization walk (SQLite): more matches than that, through at most searchOrgCap
//     organizations ("tele"). Walk the list in order, testing each invoice's organization against
//     the set and its number against q, without reading its organization.
//   - first walk: more than searchOrgCap organizations match ("ltd", "co"), so the first
//     invoices in list order most likely fill the page: walk searchWalkBudget of them; if the page
//     is not full, count and choose again.
//   - LIKE walk: all else, and a q of 1 or 2 characters, which has no trigram: walk the list
//     testing each invoice as the plain scan did. Many matches fill the page fast; a rare 1- or
//     2-character q ("ß") reads the whole workspace, as every search did before these indexes.

// The caps that choose the plan and the first walk's budget (sqlstore/search_bench_test.go
// measures both sides of each at 1,000,000 invoices). Variables only so that tests can force each
// plan (search_export_test.go).
var (
	searchCandidateCap = 3000
	searchIDsCap       = 10000
	searchOrgCap       = 1000
	searchWalkBudget   = 2000
	// searchListCap: up to this many organizations that q may name are looked up once and
	// passed on as a list of ids (lookUpIndexes); a q that names more looks them up as it needs.
	searchListCap = 100
)

// searchSQL is one engine's SQL for the search's parts. The arguments of orgs, numbers and their
// exact forms are q's form for the index (form), the workspace and, if recheck, q's LIKE pattern.
type searchSQL struct {
	// orgs selects the ids of the workspace's organizations whose name may contain q, numbers
	// the ids of its invoices whose number may. The exact forms select exactly those that do.
	orgs, orgsExact, numbers, numbersExact string
	form                                   func(q string) string
	recheck                                bool
	// orgInvoices selects the ids of the invoices of the organizations in search_orgs; its
	// argument is the workspace.
	orgInvoices string
	// pageFrom is the FROM clause that reads the page's invoices by id; walkJoin joins the
	// first walk's invoices to their organizations, one by one.
	pageFrom, walkJoin string
	// orgSet is the organization-set condition: the invoice's organization is in search_orgs, or
	// its number contains q (q's LIKE pattern is its argument).
	orgSet string
	// walkOrgSet: SQLite walks the list with orgSet. Else the engine's planner combines it with
	// the other filters' indexes, but for q alone it would scan every invoice.
	walkOrgSet bool
	// idsCap is the cap of the ids plan.
	idsCap *int
	// idList selects the ids in its one argument, the list listArg makes of them; idListExact
	// those of them whose organization's name is like q (its second argument), where orgs may
	// find more than that (recheck).
	idList, idListExact string
	listArg             func(ids []string) any
	// numberList and numberRowsFromList (SQLite) are numbersExact and numberRows reading the
	// listed ids (the list, the workspace, q's LIKE pattern) instead of the index.
	numberList, numberRowsFromList string
	// numberRows and orgRows select the rowids of the matches that pass the other filters (as
	// " AND …" after numberRows, as " WHERE …" after orgRows; arguments: form, workspace, q's
	// LIKE pattern, then the filters'; the workspace, then the filters'). "" where the engine
	// has no rowids, and its candidates (join) are read by id instead.
	numberRows, orgRows, candidatesJoin string
}

var searchSQLs = map[string]searchSQL{
	// A MATCH of q's trigrams (ftsTrigrams) finds more than q's substring, and FTS5 folds the
	// case of non-ASCII letters too, which LIKE does not: the exact forms re-check with LIKE.
	// CROSS JOIN fixes SQLite's join order, which it would otherwise guess without statistics:
	// the index first, then its documents — never one MATCH per document. INDEXED BY does the
	// same for the index: invoices_list reads invoices by id, invoices_org an organization's with
	// their issue date, where SQLite would rather walk an issue-date range testing every invoice.
	// A LIKE pattern is written (? || ''): a bare parameter makes SQLite prepare the statement
	// again each time the pattern changes (sqlstore.Dialect.LikePattern).
	"sqlite": {
		orgs: `SELECT d.organization_id FROM organization_name_search s CROSS JOIN organization_search_docs d ON d.doc = s.rowid
			WHERE s.name MATCH ? AND d.workspace_id = ?`,
		orgsExact: `SELECT o.id FROM organization_name_search s CROSS JOIN organization_search_docs d ON d.doc = s.rowid
			CROSS JOIN organizations o ON o.id = d.organization_id
			WHERE s.name MATCH ? AND d.workspace_id = ? AND o.name LIKE (? || '') ESCAPE '\'`,
		numbers: `SELECT d.invoice_id FROM invoice_number_search s CROSS JOIN invoice_search_docs d ON d.doc = s.rowid
			WHERE s.number MATCH ? AND d.workspace_id = ?`,
		numbersExact: `SELECT n.id FROM invoice_number_search s CROSS JOIN invoice_search_docs d ON d.doc = s.rowid
			CROSS JOIN invoices n ON n.id = d.invoice_id
			WHERE s.number MATCH ? AND d.workspace_id = ? AND n.number LIKE (? || '') ESCAPE '\'`,
		form:    ftsTrigrams,
		recheck: true,
		idList:  `SELECT value FROM json_each(?)`,
		idListExact: `SELECT o.id FROM json_each(?) l CROSS JOIN organizations o ON o.id = l.value
			WHERE o.name LIKE (? || '') ESCAPE '\'`,
		listArg: jsonList,
		numberList: `SELECT n.id FROM json_each(?) l CROSS JOIN invoices n ON n.workspace_id = ? AND n.id = l.value
			WHERE n.number LIKE (? || '') ESCAPE '\'`,
		numberRowsFromList: `SELECT i.rowid FROM json_each(?) l
			CROSS JOIN invoices i INDEXED BY invoices_list ON i.workspace_id = ? AND i.id = l.value
			WHERE i.number LIKE (? || '') ESCAPE '\'`,
		orgInvoices: `SELECT m.id FROM search_orgs so CROSS JOIN invoices m ON m.workspace_id = ? AND m.organization_id = so.id`,
		pageFrom:    ` FROM invoices i INDEXED BY invoices_list JOIN organizations o ON o.id = i.organization_id `,
		walkJoin:    ` JOIN organizations o ON o.id = i.organization_id `,
		// The unary + keeps SQLite from reading invoices_org_list once per organization: this
		// plan walks in list order.
		orgSet:     `(+i.organization_id IN (SELECT id FROM search_orgs) OR i.number LIKE (? || '') ESCAPE '\')`,
		walkOrgSet: true,
		idsCap:     &searchCandidateCap,
		numberRows: `SELECT i.rowid FROM invoice_number_search s CROSS JOIN invoice_search_docs d ON d.doc = s.rowid
			CROSS JOIN invoices i INDEXED BY invoices_list ON i.workspace_id = d.workspace_id AND i.id = d.invoice_id
			WHERE s.number MATCH ? AND d.workspace_id = ? AND i.number LIKE (? || '') ESCAPE '\'`,
		orgRows: `SELECT i.rowid FROM search_orgs so CROSS JOIN invoices i INDEXED BY invoices_org ON i.workspace_id = ? AND i.organization_id = so.id`,
	},
	// ILIKE on one column each, which its GIN index serves; it is exact already.
	"postgres": {
		orgs:         `SELECT o.id FROM organizations o WHERE o.name ILIKE ? ESCAPE '\' AND o.workspace_id = ?`,
		orgsExact:    `SELECT o.id FROM organizations o WHERE o.name ILIKE ? ESCAPE '\' AND o.workspace_id = ?`,
		numbers:      `SELECT i.id FROM invoices i WHERE i.number ILIKE ? ESCAPE '\' AND i.workspace_id = ?`,
		numbersExact: `SELECT i.id FROM invoices i WHERE i.number ILIKE ? ESCAPE '\' AND i.workspace_id = ?`,
		form:         likePattern,
		idList:       `SELECT unnest(CAST(? AS text[]))`,
		listArg:      func(ids []string) any { return ids },
		// One organization after another (OFFSET 0 keeps the planner from flattening the
		// LATERAL into a hash join that reads every matching organization first), so that
		// counting stops at the cap after as few organizations as it needs.
		orgInvoices: `SELECT m.id FROM search_orgs so
			CROSS JOIN LATERAL (SELECT n.id FROM invoices n WHERE n.workspace_id = ? AND n.organization_id = so.id OFFSET 0) m`,
		pageFrom: invoiceFrom,
		// Else the planner would rather hash every organization than look up a few thousand.
		walkJoin: ` CROSS JOIN LATERAL (SELECT o.name FROM organizations o WHERE o.id = i.organization_id OFFSET 0) o `,
		// An array can drive a bitmap scan of invoices_org, ANDed with the issue dates'.
		orgSet:         `(i.organization_id = ANY(ARRAY(SELECT id FROM search_orgs)) OR i.number ILIKE ? ESCAPE '\')`,
		idsCap:         &searchIDsCap,
		candidatesJoin: ` JOIN invoices i ON i.id = sm.id `,
	},
}

// jsonList is ids as a JSON array, for SQLite's json_each.
func jsonList(ids []string) any {
	b, _ := json.Marshal(append([]string{}, ids...)) // a JSON array even when there are none
	return string(b)
}

// ftsTrigrams is q's query for an FTS5 trigram index: q's trigrams from its start, three
// characters apart, and its last, all required — not the phrase of every trigram in order. That
// finds every row containing q and some that do not (each trigram somewhere, not in a row):
// every search re-checks q with LIKE on the rows it returns, and the counts need not be exact.
// A phrase is dearer where it counts most: a q that shares most trigrams with most names ("Org
// 0001" among "Org 0000"…"Org 9999") made FTS5 walk every trigram's full position list. Inside
// double quotes every character is literal except the double quote, which is doubled. q has 3
// or more characters (runes: the tokenizer's unit).
func ftsTrigrams(q string) string {
	r := []rune(q)
	var b strings.Builder
	add := func(i int) {
		if b.Len() > 0 {
			b.WriteString(" AND ")
		}
		b.WriteString(`"` + strings.ReplaceAll(string(r[i:i+3]), `"`, `""`) + `"`)
	}
	for i := 0; i+3 <= len(r); i += 3 {
		add(i)
	}
	if len(r)%3 != 0 {
		add(len(r) - 3)
	}
	return b.String()
}

// and is w's conditions to follow others: " AND …", or "".
func (w *where) and() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " AND " + strings.Join(w.conds, " AND ")
}

// invoiceSearch is one search: f, the conditions of its other filters and cursor on the invoices
// i (w), and the list's ORDER BY clause.
type invoiceSearch struct {
	tx     *Tx
	f      finapp.InvoiceFilter
	w      where
	order  string
	s      searchSQL
	form   string // q for the trigram index
	like   string // q as a LIKE pattern
	matchQ string // q's condition, with like twice
	limit  int
	// orgIDs are the ids of the organizations whose name may contain q, up to just past
	// searchListCap (lookUpIndexes); allOrgs, that they are all of them.
	orgIDs  []string
	allOrgs bool
	// numberIDs are the ids of the invoices whose number may contain q, up to just past
	// searchListCap (lookUpIndexes); allNumbers, that they are all of them.
	numberIDs  []string
	allNumbers bool
}

// searchInvoices answers ListInvoices for f.Q: limit+1 invoices at most (see the top of this file).
func (tx *Tx) searchInvoices(ctx context.Context, f finapp.InvoiceFilter, w where, order string) ([]*finapp.Invoice, error) {
	s, ok := searchSQLs[tx.db.dialect.Name]
	q := invoiceSearch{tx: tx, f: f, w: w, order: order, s: s, like: likePattern(f.Q), limit: f.Limit + 1,
		matchQ: `(o.name` + tx.like() + ` OR i.number` + tx.like() + `)`}
	if !ok || utf8.RuneCountInString(f.Q) < 3 {
		return q.walk(ctx, "", nil, "")
	}
	q.form = s.form(f.Q)
	onlyQ := f.OrganizationID == "" && f.Number == "" && f.IssuedFrom == "" && f.IssuedTo == "" && f.Status == "" && f.Kind == ""
	matchCap := searchCandidateCap
	if onlyQ {
		matchCap = *s.idsCap
	}
	if err := q.lookUpIndexes(ctx); err != nil {
		return nil, err
	}
	nOrgs, nNumbers, nMatches, err := q.count(ctx, matchCap, false)
	if err != nil {
		return nil, err
	}
	if nMatches < 0 {
		list, err := q.firstWalk(ctx)
		if err != nil || len(list) == q.limit {
			return list, err
		}
		if _, _, nMatches, err = q.count(ctx, matchCap, true); err != nil {
			return nil, err
		}
	}
	fewOrgs := nOrgs <= searchOrgCap
	switch {
	case onlyQ && nMatches <= matchCap:
		return q.ids(ctx)
	case !onlyQ && s.numberRows != "" && (nMatches <= matchCap || f.IssuedFrom+f.IssuedTo != "" && fewOrgs && nNumbers <= matchCap):
		return q.rows(ctx)
	case !onlyQ && !s.walkOrgSet && fewOrgs:
		return q.orgSet(ctx)
	case !onlyQ && nMatches <= matchCap:
		return q.candidates(ctx)
	case s.walkOrgSet && fewOrgs:
		return q.orgSet(ctx)
	}
	return q.walk(ctx, "", nil, "")
}

// count counts the matching organizations (nOrgs), invoices by number (nNumbers) and invoices
// of either kind (nMatches), each up to just past its cap, so that a q that matches everything
// costs no more than one at the cap; they need not be exact (an invoice matched by number and by
// name counts twice: that moves the choice a little, never the answer). Past the organizations'
// cap nMatches is -1 unless always: that many organizations cost more to count through.
//
// The organizations are the ones lookUpIndexes found if they are all of them; else they and the
// numbers are each kept (MATERIALIZED) up to just past their cap (all of the organizations if
// always), which is all that the counts read. The organizations' invoices are counted only
// when every matching organization is known, and numbers past their cap add nothing to a count
// that stops there.
func (q *invoiceSearch) count(ctx context.Context, matchCap int, always bool) (nOrgs, nNumbers, nMatches int, err error) {
	orgCap := searchOrgCap
	if always {
		orgCap = 1 << 62
	}
	orgs, args := q.s.idList, []any{q.s.listArg(q.orgIDs)}
	if !q.allOrgs {
		orgs, args = q.s.orgs+` LIMIT ?`, []any{q.form, q.tx.ws, orgCap + 1}
	}
	numbers, numberArgs := q.s.idList, []any{q.s.listArg(q.numberIDs)}
	if !q.allNumbers {
		numbers, numberArgs = q.s.numbers+` LIMIT ?`, []any{q.form, q.tx.ws, matchCap + 1}
	}
	args = append(append(args, numberArgs...), orgCap, q.tx.ws, matchCap+1)
	err = q.tx.queryRow(ctx, `WITH search_orgs (id) AS MATERIALIZED (`+orgs+`),
		search_numbers (id) AS MATERIALIZED (`+numbers+`)
		SELECT n, (SELECT count(*) FROM search_numbers),
			CASE WHEN n > ? THEN -1 ELSE (SELECT count(*) FROM (SELECT id FROM search_numbers UNION ALL `+q.s.orgInvoices+` LIMIT ?) b) END
		FROM (SELECT count(*) AS n FROM search_orgs) x`, args...,
	).Scan(&nOrgs, &nNumbers, &nMatches)
	return nOrgs, nNumbers, nMatches, err
}

// lookUpIndexes finds the organizations whose name may contain q, and the invoices whose number
// may, each up to just past searchListCap. When that is all of them, it is the search's one
// look-up of that index, which its plans then read as a list of ids (orgSource, numberSource):
// a name search mostly names a few customers and no number. When more may match, this short
// look-up stopped early and the search looks again as it needs.
func (q *invoiceSearch) lookUpIndexes(ctx context.Context) (err error) {
	if q.orgIDs, err = q.lookup(ctx, q.s.orgs); err != nil {
		return err
	}
	q.allOrgs = len(q.orgIDs) <= searchListCap
	q.numberIDs, err = q.lookup(ctx, q.s.numbers)
	q.allNumbers = len(q.numberIDs) <= searchListCap
	return err
}

// lookup runs index, the query of a trigram index, for q, up to just past searchListCap.
func (q *invoiceSearch) lookup(ctx context.Context, index string) ([]string, error) {
	rows, err := q.tx.query(ctx, index+` LIMIT ?`, q.form, q.tx.ws, searchListCap+1)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (string, error) {
		var id string
		return id, s.Scan(&id)
	})
}

// numberSource selects the ids of the invoices whose number contains q (rows: their rowids,
// SQLite), with its arguments: the ones lookUpIndexes found if they are all of them, else from the
// index.
func (q *invoiceSearch) numberSource(rows bool) (string, []any) {
	list := []any{q.s.listArg(q.numberIDs), q.tx.ws, q.like}
	switch {
	case rows && q.allNumbers:
		return q.s.numberRowsFromList, list
	case rows:
		return q.s.numberRows, q.exactArgs()
	case q.allNumbers && q.s.recheck:
		return q.s.numberList, list
	case q.allNumbers:
		return q.s.idList, list[:1]
	}
	return q.s.numbersExact, q.exactArgs()
}

// orgSource selects the ids of the organizations whose name contains q (or may, unless exact),
// with its arguments: the ones lookUpIndexes found if they are all of them, else from the index.
func (q *invoiceSearch) orgSource(exact bool) (string, []any) {
	switch {
	case q.allOrgs && exact && q.s.recheck:
		return q.s.idListExact, []any{q.s.listArg(q.orgIDs), q.like}
	case q.allOrgs:
		return q.s.idList, []any{q.s.listArg(q.orgIDs)}
	case exact:
		return q.s.orgsExact, q.exactArgs()
	}
	return q.s.orgs, []any{q.form, q.tx.ws}
}

// walk reads the invoices in list order through w, cond and q's condition.
func (q *invoiceSearch) walk(ctx context.Context, with string, withArgs []any, cond string, condArgs ...any) ([]*finapp.Invoice, error) {
	w := where{conds: slices.Clone(q.w.conds), args: slices.Clone(q.w.args)}
	if cond != "" {
		w.add(cond, condArgs...)
	}
	w.add(q.matchQ, q.like, q.like)
	return q.tx.invoices(ctx, with+`SELECT `+invoiceColumns+invoiceFrom+w.sql()+q.order+` LIMIT ?`, append(append(withArgs, w.args...), q.limit)...)
}

// firstWalk tests the first searchWalkBudget invoices in list order. Its answer is the search's
// when the page fills: every later invoice comes after them.
func (q *invoiceSearch) firstWalk(ctx context.Context) ([]*finapp.Invoice, error) {
	return q.tx.invoices(ctx, `SELECT `+invoiceColumns+` FROM (SELECT * FROM invoices i`+q.w.sql()+q.order+` LIMIT ?) i`+
		q.s.walkJoin+`WHERE `+q.matchQ+q.order+` LIMIT ?`,
		append(slices.Clone(q.w.args), searchWalkBudget, q.like, q.like, q.limit)...)
}

// orgSet walks (SQLite) or plans (PostgreSQL) with the set of matching organizations.
func (q *invoiceSearch) orgSet(ctx context.Context) ([]*finapp.Invoice, error) {
	orgs, args := q.orgSource(false)
	return q.walk(ctx, `WITH search_orgs (id) AS MATERIALIZED (`+orgs+`) `, args, q.s.orgSet, q.like)
}

// exactArgs are the arguments of the exact forms of orgs and numbers.
func (q *invoiceSearch) exactArgs() []any {
	if q.s.recheck {
		return []any{q.form, q.tx.ws, q.like}
	}
	return []any{q.form, q.tx.ws}
}

// page reads the invoices whose ids pick selects (its arguments: pickArgs) with their
// organization's name, after the WITH clause that defines what pick reads.
func (q *invoiceSearch) page(ctx context.Context, with string, withArgs []any, pick string, pickArgs ...any) ([]*finapp.Invoice, error) {
	args := append(append(append(withArgs, q.tx.ws), pickArgs...), q.limit, q.like, q.like, q.limit)
	return q.tx.invoices(ctx, with+`SELECT `+invoiceColumns+q.s.pageFrom+`WHERE i.workspace_id = ? AND i.id IN (`+pick+`) AND `+
		q.matchQ+q.order+` LIMIT ?`, args...)
}

// matches is the WITH clause of the matching invoices' ids (search_match), exact, each once: an
// invoice matched by number and by name takes one place of the page.
func (q *invoiceSearch) matches() (string, []any) {
	orgs, args := q.orgSource(true)
	numbers, numberArgs := q.numberSource(false)
	args = append(args, numberArgs...)
	return `WITH search_orgs (id) AS MATERIALIZED (` + orgs + `),
		search_match (id) AS (` + numbers + ` UNION ` + q.s.orgInvoices + `) `, append(args, q.tx.ws)
}

// ids picks the page of a q alone from the matching invoices' ids, reading no invoice.
func (q *invoiceSearch) ids(ctx context.Context) ([]*finapp.Invoice, error) {
	with, args := q.matches()
	if q.f.Cursor != "" {
		return q.page(ctx, with, args, `SELECT id FROM search_match WHERE id < ? ORDER BY id DESC LIMIT ?`, q.f.Cursor)
	}
	return q.page(ctx, with, args, `SELECT id FROM search_match ORDER BY id DESC LIMIT ?`)
}

// candidates reads each matching invoice (the inner i) to test the other filters and pick the
// page.
func (q *invoiceSearch) candidates(ctx context.Context) ([]*finapp.Invoice, error) {
	with, args := q.matches()
	return q.page(ctx, with, args, `SELECT i.id FROM search_match sm`+q.s.candidatesJoin+q.w.sql()+q.order+` LIMIT ?`, q.w.args...)
}

// rows (SQLite) selects the matching invoices that pass the other filters by rowid, which is
// only used within this one statement, where it cannot change; then picks the page from them.
func (q *invoiceSearch) rows(ctx context.Context) ([]*finapp.Invoice, error) {
	orgs, args := q.orgSource(true)
	numbers, numberArgs := q.numberSource(true)
	args = append(args, numberArgs...)
	args = append(append(append(args, q.w.args...), q.tx.ws), q.w.args...)
	with := `WITH search_orgs (id) AS MATERIALIZED (` + orgs + `),
		search_match (rid) AS (` + numbers + q.w.and() + ` UNION ` + q.s.orgRows + q.w.sql() + `) `
	return q.page(ctx, with, args, `SELECT i.id FROM search_match sm CROSS JOIN invoices i ON i.rowid = sm.rid`+q.order+` LIMIT ?`)
}

// indexInvoiceNumbers adds new invoices to the invoice number search, where the dialect says the
// store does (SQLite: migration 00026 says why not a trigger). Each gets the next document
// number of invoice_search_docs, which the FTS5 table is keyed by; the searches above map them
// back to invoices.
func (tx *Tx) indexInvoiceNumbers(ctx context.Context, invs []*finapp.Invoice) error {
	if !tx.db.dialect.IndexesInvoiceNumbers || len(invs) == 0 {
		return nil
	}
	var last int64
	if err := tx.queryRow(ctx, `SELECT COALESCE(MAX(doc), 0) FROM invoice_search_docs`).Scan(&last); err != nil {
		return err
	}
	err := tx.insertRows(ctx, "invoice_search_docs", "doc, workspace_id, invoice_id", len(invs), func(n int, args []any) []any {
		return append(args, last+1+int64(n), tx.ws, invs[n].ID)
	})
	if err != nil {
		return err
	}
	return tx.insertRows(ctx, "invoice_number_search", "rowid, number", len(invs), func(n int, args []any) []any {
		return append(args, last+1+int64(n), invs[n].Number)
	})
}
