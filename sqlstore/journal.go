package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"finapp"
	"finapp/money"
)

// AccountBalances implements finapp.Tx. Each balance is summed in two parts (sums.go).
func (tx *Tx) AccountBalances(ctx context.Context, accounts []string) ([]finapp.AccountBalance, error) {
	q := `SELECT account, currency, CAST(SUM(amount / 4294967296) AS BIGINT), CAST(SUM(amount % 4294967296) AS BIGINT)
		FROM journal_lines WHERE workspace_id = ?`
	args := []any{tx.ws}
	if len(accounts) > 0 {
		q += ` AND account IN (?` + strings.Repeat(`, ?`, len(accounts)-1) + `)`
		for _, a := range accounts {
			args = append(args, a)
		}
	}
	rows, err := tx.query(ctx, q+` GROUP BY account, currency ORDER BY account, currency`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(s scanner) (finapp.AccountBalance, error) {
		var b finapp.AccountBalance
		var hi, lo int64
		err := s.Scan(&b.Account, &b.Currency, &hi, &lo)
		b.Balance = money.SumParts(hi, lo)
		return b, err
	})
}

// Journal implements finapp.Tx. With accounts, each entry keeps only its lines on those accounts.
func (tx *Tx) Journal(ctx context.Context, f finapp.JournalFilter) ([]*finapp.JournalEntry, error) {
	q := `SELECT e.seq, e.id, e.at, e.operation, e.entity_id, l.account, l.currency, l.amount
		FROM journal_entries e JOIN journal_lines l ON l.entry_seq = e.seq WHERE e.workspace_id = ?`
	args := []any{tx.ws}
	if len(f.Accounts) > 0 {
		q += ` AND l.account IN (?` + strings.Repeat(`, ?`, len(f.Accounts)-1) + `)`
		for _, a := range f.Accounts {
			args = append(args, a)
		}
	}
	if f.From != "" {
		q += ` AND e.at >= ?`
		args = append(args, f.From)
	}
	if f.To != "" {
		q += ` AND e.at < ?`
		args = append(args, nextDay(f.To))
	}
	rows, err := tx.query(ctx, q+` ORDER BY e.seq, l.line_no`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*finapp.JournalEntry
	lastSeq := int64(-1)
	for rows.Next() {
		var seq int64
		var id, at, op, entity string
		var l finapp.JournalLine
		if err := rows.Scan(&seq, &id, &at, &op, &entity, &l.Account, &l.Currency, &l.Amount); err != nil {
			return nil, err
		}
		if seq != lastSeq {
			out = append(out, &finapp.JournalEntry{ID: id, At: parseTS(at), Operation: op, EntityID: entity})
			lastSeq = seq
		}
		e := out[len(out)-1]
		e.Lines = append(e.Lines, l)
	}
	return out, rows.Err()
}

// AuditChainHead implements finapp.Tx: the hash and chain position of the workspace's latest
// audit event, or ("", 0).
// A write of the group committer asks its head cache first (heads.go).
func (tx *Tx) AuditChainHead(ctx context.Context) (string, int64, error) {
	known := tx.heads.get(tx.ws)
	if known.auditKnown {
		return known.auditHash, known.auditNo, nil
	}
	var h string
	var n int64
	err := tx.queryRow(ctx, `SELECT hash, chain_no FROM audit_events WHERE workspace_id = ? AND chain_no > 0 ORDER BY chain_no DESC LIMIT 1`, tx.ws).Scan(&h, &n)
	if err == sql.ErrNoRows {
		h, n, err = "", 0, nil
	}
	if err == nil && tx.heads != nil {
		tx.heads.reads.Add(1)
		known.auditHash, known.auditNo, known.auditKnown = h, n, true
		tx.heads.set(tx.ws, known)
	}
	return h, n, err
}

// ListAudit implements finapp.Tx, newest first; the cursor is the last seq seen.
func (tx *Tx) ListAudit(ctx context.Context, f finapp.AuditFilter) ([]*finapp.AuditEvent, string, error) {
	var w where
	w.add(`workspace_id = ?`, tx.ws)
	if f.EntityID != "" {
		w.add(`entity_id = ?`, f.EntityID)
	}
	if f.Cursor != "" {
		w.add(`id < ?`, f.Cursor)
	}
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events`+w.sql()+` ORDER BY seq DESC LIMIT ?`, append(w.args, f.Limit+1)...)
	if err != nil {
		return nil, "", err
	}
	list, err := collect(rows, scanAudit)
	if err != nil {
		return nil, "", err
	}
	return page(list, f.Limit, func(e *finapp.AuditEvent) string { return e.ID })
}

const auditColumns = `seq, chain_no, id, at, actor, source, action, entity, entity_id, before, after, prev_hash, hash, sealed_at`

func scanAudit(s scanner) (*finapp.AuditEvent, error) {
	var e finapp.AuditEvent
	var at string
	err := s.Scan(&e.Seq, &e.ChainNo, &e.ID, &at, &e.Actor, &e.Source, &e.Action, &e.Entity, &e.EntityID, &e.Before, &e.After, &e.PrevHash, &e.Hash, &e.SealedAt)
	e.At = parseTS(at)
	return &e, err
}

// AuditChain implements finapp.Tx: every sealed audit event of the workspace in chain order.
func (tx *Tx) AuditChain(ctx context.Context) ([]*finapp.AuditEvent, error) {
	rows, err := tx.query(ctx, `SELECT `+auditColumns+` FROM audit_events WHERE workspace_id = ? AND chain_no > 0 ORDER BY chain_no`, tx.ws)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAudit)
}

// BusinessDates implements finapp.Tx.
func (tx *Tx) BusinessDates(ctx context.Context, ids []string) (map[string]string, error) {
	out := make(map[string]string, len(ids))
	var payments, invoices []any
	for _, id := range ids {
		switch {
		case strings.HasPrefix(id, finapp.PrefixPayment):
			payments = append(payments, id)
		case strings.HasPrefix(id, finapp.PrefixInvoice):
			invoices = append(invoices, id)
		}
	}
	for _, q := range []struct {
		sql string
		ids []any
	}{
		{`SELECT id, received_on FROM payments WHERE workspace_id = ? AND id IN `, payments},
		{`SELECT id, issued_on FROM invoices WHERE workspace_id = ? AND id IN `, invoices},
	} {
		if len(q.ids) == 0 {
			continue
		}
		rows, err := tx.query(ctx, q.sql+`(?`+strings.Repeat(`, ?`, len(q.ids)-1)+`)`, append([]any{tx.ws}, q.ids...)...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var id, date string
			if err := rows.Scan(&id, &date); err != nil {
				rows.Close()
				return nil, err
			}
			out[id] = date
		}
		if err := rows.Err(); err != nil {
			rows.Close()
			return nil, err
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
	}
	return out, nil
}
