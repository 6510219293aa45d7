package sqlstore_test

import (
	"context"
	"fmt"
	"sort"
	"testing"
	"time"

	"pgregory.net/rapid"

	"finapp"
	"finapp/auth"
	"finapp/internal/testdb"
	"finapp/money"
	"finapp/sqlstore"
)

// The aging report is summed in SQL from today's amounts and the changes since the as-of day
// (report.go). These tests hold it to the books' rule instead — every invoice's amount due at
// the end of that day, finapp.AmountDueAsOf over the invoice and its allocations as the loads
// return them — at many as-of dates, on both engines, over histories the service itself made.

// reportEngines are the engines the report tests run on: SQLite always, PostgreSQL when
// FINAPP_TEST_POSTGRES names a server (and then always in CI).
var reportEngines = []struct {
	name string
	open func(testing.TB) *sqlstore.DB
}{{"sqlite", testdb.SQLite}, {"postgres", func(tb testing.TB) *sqlstore.DB { testdb.PostgresURL(tb); return testdb.Postgres(tb) }}}

// books is one workspace of a shared database, so that a hundred random cases cost a hundred
// workspaces rather than a hundred databases — and so that the reports are also checked never to
// count another workspace's rows.
type reportBooks struct {
	t     *testing.T
	db    *sqlstore.DB
	ws    string
	ctx   context.Context
	svc   *finapp.Service
	clock time.Time
	names map[string]string // organization → name
}

func newReportBooks(t *testing.T, db *sqlstore.DB) *reportBooks {
	t.Helper()
	operator := finapp.WithActor(context.Background(), finapp.Actor{Name: "test", Role: finapp.RoleAdmin})
	w, err := auth.New(db.AuthStore()).CreateWorkspace(operator, finapp.NewID("ws_test_"))
	if err != nil {
		t.Fatal(err)
	}
	b := &reportBooks{t: t, db: db, ws: w.ID, names: map[string]string{},
		ctx: finapp.WithActor(context.Background(), finapp.Actor{WorkspaceID: w.ID, Name: "report-test", Role: finapp.RoleFinance})}
	b.svc = finapp.NewService(db)
	b.clock = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)
	b.svc.Now = func() time.Time { return b.clock }
	return b
}

// refused lets a use case's refusal through (random steps ask for impossible things) and fails
// on anything else.
func refused(t interface{ Fatalf(string, ...any) }, err error) bool {
	if err == nil {
		return false
	}
	if code := finapp.ErrorCode(err); code == finapp.EInternal || code == finapp.EUnavailable {
		t.Fatalf("not a refusal: %v", err)
	}
	return true
}

func day(t time.Time, days int) string { return t.AddDate(0, 0, days).Format("2006-01-02") }

// agingReference is the aging as of asOf by the books' rule, invoice by invoice: what each had
// due at the end of that day (finapp.AmountDueAsOf, from the invoice and its allocations as the
// loads return them), in the bucket of its due date (finapp.AgeEdgesAsOf). The SQL is held to it.
func (b *reportBooks) agingReference(asOf string) map[string][6]money.Sum {
	b.t.Helper()
	edges := finapp.AgeEdgesAsOf(asOf)
	out := map[string][6]money.Sum{}
	err := b.db.View(b.ctx, b.ws, func(tx finapp.Tx) error {
		cursor := ""
		for {
			list, next, err := tx.ListInvoices(b.ctx, finapp.InvoiceFilter{Cursor: cursor, Limit: 100})
			if err != nil {
				return err
			}
			for _, inv := range list {
				allocations, err := tx.InvoiceAllocations(b.ctx, inv.ID)
				if err != nil {
					return err
				}
				due := finapp.AmountDueAsOf(inv, allocations, asOf)
				if due == 0 {
					continue
				}
				k := inv.OrganizationID + "/" + string(inv.Currency)
				sums := out[k]
				i := edges.Bucket(inv.DueOn)
				sums[i] = sums[i].Add(due)
				sums[5] = sums[5].Add(due)
				out[k] = sums
			}
			if next == "" {
				return nil
			}
			cursor = next
		}
	})
	if err != nil {
		b.t.Fatal(err)
	}
	return out
}

// checkAging compares the service's report as of asOf with the reference: every row, the totals
// per currency, and the order of the rows (by name, currency, organization).
func (b *reportBooks) checkAging(t interface {
	Fatalf(string, ...any)
	Errorf(string, ...any)
}, asOf string) {
	want := b.agingReference(asOf)
	r, err := b.svc.Aging(b.ctx, asOf)
	if err != nil {
		t.Fatalf("aging as of %s: %v", asOf, err)
	}
	got := map[string][6]money.Sum{}
	for i, row := range r.Rows {
		var sums [6]money.Sum
		for k, name := range finapp.AgingBuckets {
			sums[k] = row.Buckets[name]
		}
		sums[5] = row.Total
		got[row.OrganizationID+"/"+string(row.Currency)] = sums
		if row.OrganizationName != b.names[row.OrganizationID] {
			t.Errorf("as of %s: row of %s named %q, want %q", asOf, row.OrganizationID, row.OrganizationName, b.names[row.OrganizationID])
		}
		if i > 0 {
			p := r.Rows[i-1]
			if p.OrganizationName > row.OrganizationName || p.OrganizationName == row.OrganizationName &&
				(p.Currency > row.Currency || p.Currency == row.Currency && p.OrganizationID >= row.OrganizationID) {
				t.Errorf("as of %s: row %d (%s %s) before row %d (%s %s): not in name, currency order", asOf, i-1, p.OrganizationName, p.Currency, i, row.OrganizationName, row.Currency)
			}
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("aging as of %s (buckets current … over_90, total per organization/currency):\n got %v\nwant %v", asOf, got, want)
	}
	totals := map[money.Currency][6]money.Sum{}
	for k, sums := range want {
		cur := money.Currency(k[len(k)-3:])
		t := totals[cur]
		for i := range sums {
			t[i] = t[i].Plus(sums[i])
		}
		totals[cur] = t
	}
	if len(r.Totals) != len(totals) {
		t.Fatalf("as of %s: totals in %d currencies, want %d", asOf, len(r.Totals), len(totals))
	}
	for cur, sums := range totals {
		row := r.Totals[cur]
		if row == nil || row.Total != sums[5] {
			t.Fatalf("as of %s: total %s = %v, want %v", asOf, cur, row, sums[5])
		}
		for k, name := range finapp.AgingBuckets {
			if row.Buckets[name] != sums[k] {
				t.Errorf("as of %s: total %s %s = %s, want %s", asOf, cur, name, row.Buckets[name], sums[k])
			}
		}
	}
}

// TestAging_EqualsHistoryRebuiltInvoiceByInvoice is the property: whatever the service did —
// invoices issued and due on any dates, allocations made, released (one by one, by unassigning,
// by deleting the payment), invoices voided, the clock sometimes stepping back as a waiting
// transaction's does — the aging as of any day equals the reference, before the first event,
// between events, on their days, today and after.
func TestAging_EqualsHistoryRebuiltInvoiceByInvoice(t *testing.T) {
	for _, engine := range reportEngines {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.open(t)
			rapid.Check(t, func(rt *rapid.T) {
				b := newReportBooks(t, db)
				draw := func(label string, lo, hi int) int { return rapid.IntRange(lo, hi).Draw(rt, label) }
				start := b.clock
				type invoice struct {
					id, org string
					cur     money.Currency
				}
				var orgs []invoice // organization id and currency
				var invoices []invoice
				var payments []string
				for range draw("organizations", 1, 3) {
					cur := []money.Currency{"SGD", "JPY"}[draw("currency", 0, 1)]
					name := fmt.Sprintf("Customer %d", draw("name", 1, 3)) // names may repeat
					o, err := b.svc.CreateOrganization(b.ctx, finapp.OrganizationCreate{Name: name, BillingCurrency: string(cur)})
					if err != nil {
						rt.Fatalf("organization: %v", err)
					}
					b.names[o.ID] = name
					orgs = append(orgs, invoice{org: o.ID, cur: cur})
				}
				amount := func(label string, cur money.Currency, max int) string {
					return money.Format(money.Amount(draw(label, 1, max))*map[money.Currency]money.Amount{"SGD": 100, "JPY": 1}[cur], cur)
				}
				steps := draw("steps", 1, 30)
				for step := range steps {
					// The clock mostly moves on by up to three days; now and then it steps back a
					// little, as the clock of a transaction that waited for a lock does.
					b.clock = b.clock.Add(time.Duration(draw("minutes", -36*60, 72*60)) * time.Minute)
					switch op := draw("op", 0, 9); {
					case op <= 2 || len(invoices) == 0:
						o := orgs[draw("org", 0, len(orgs)-1)]
						issued := draw("issued", -60, 60)
						inv, err := b.svc.CreateInvoice(b.ctx, finapp.InvoiceCreate{OrganizationID: o.org, Number: fmt.Sprintf("I-%d", step),
							Kind:  []string{finapp.KindStandard, finapp.KindStandard, finapp.KindProforma}[draw("kind", 0, 2)],
							Total: amount("total", o.cur, 1000), IssuedOn: day(start, issued), DueOn: day(start, issued+draw("terms", 0, 120))})
						if !refused(rt, err) {
							invoices = append(invoices, invoice{id: inv.ID, org: o.org, cur: o.cur})
						}
					case op <= 5:
						inv := invoices[draw("invoice", 0, len(invoices)-1)]
						var p *finapp.PaymentDetail
						var err error
						if len(payments) > 0 && draw("new payment", 0, 1) == 0 {
							p, err = b.svc.GetPayment(b.ctx, payments[draw("payment", 0, len(payments)-1)])
						} else {
							p, err = b.svc.RecordPayment(b.ctx, finapp.PaymentCreate{Amount: amount("paid", inv.cur, 800), Currency: string(inv.cur), Method: "cash"})
						}
						if refused(rt, err) {
							continue
						}
						payments = append(payments, p.ID)
						_, err = b.svc.Allocate(b.ctx, p.ID, 0, finapp.AllocationRequest{OrganizationID: inv.org,
							Lines: []finapp.AllocationLine{{InvoiceID: inv.id, Amount: amount("allocated", inv.cur, 600)}}})
						refused(rt, err)
					case op <= 7 && len(payments) > 0:
						p, err := b.svc.GetPayment(b.ctx, payments[draw("payment", 0, len(payments)-1)])
						if refused(rt, err) || len(p.Allocations) == 0 {
							continue
						}
						a := p.Allocations[draw("allocation", 0, len(p.Allocations)-1)]
						_, err = b.svc.ReleaseAllocation(b.ctx, p.ID, a.ID, 0)
						refused(rt, err)
					case op == 8 && len(payments) > 0:
						id := payments[draw("payment", 0, len(payments)-1)]
						if draw("delete", 0, 1) == 0 {
							refused(rt, b.svc.DeletePayment(b.ctx, id, 0))
						} else {
							_, err := b.svc.UnassignPayment(b.ctx, id, 0)
							refused(rt, err)
						}
					default:
						_, err := b.svc.VoidInvoice(b.ctx, invoices[draw("invoice", 0, len(invoices)-1)].id, 0)
						refused(rt, err)
					}
				}
				// Before anything, across the history, on today (where nothing changed since) and
				// after it; the reference decides what each should be.
				asOfs := []string{day(start, -200), day(b.clock, 0), day(b.clock, 400)}
				for range 8 {
					asOfs = append(asOfs, day(start, draw("as of", -100, 120)))
				}
				for _, asOf := range asOfs {
					b.checkAging(rt, asOf)
				}
			})
		})
	}
}

// A clock out of step can make an invoice look paid twice at some instant: its first allocation
// released at 10:00 on the 5th by a transaction whose clock ran ahead, a second one made on the
// 3rd by one that waited for it. The history then gives it less than nothing due on the 3rd and
// 4th; as the reconstruction always did, such an invoice adds nothing — it does not lower what
// the organization's other invoices have due.
func TestAging_InvoicePaidTwiceByClocksOutOfStepAddsNothing(t *testing.T) {
	for _, engine := range reportEngines {
		t.Run(engine.name, func(t *testing.T) {
			b := newReportBooks(t, engine.open(t))
			at := func(d int) { b.clock = time.Date(2026, 3, d, 10, 0, 0, 0, time.UTC) }
			at(1)
			o, err := b.svc.CreateOrganization(b.ctx, finapp.OrganizationCreate{Name: "Skewed Co", BillingCurrency: "SGD"})
			if err != nil {
				t.Fatal(err)
			}
			b.names[o.ID] = o.Name
			a, err := b.svc.CreateInvoice(b.ctx, finapp.InvoiceCreate{OrganizationID: o.ID, Number: "A", Total: "100.00", IssuedOn: "2026-03-01"})
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.CreateInvoice(b.ctx, finapp.InvoiceCreate{OrganizationID: o.ID, Number: "B", Total: "50.00", IssuedOn: "2026-03-01"}); err != nil {
				t.Fatal(err)
			}
			pay := func() string {
				p, err := b.svc.RecordPayment(b.ctx, finapp.PaymentCreate{Amount: "100.00", Currency: "SGD", Method: "cash"})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.svc.Allocate(b.ctx, p.ID, 0, finapp.AllocationRequest{OrganizationID: o.ID,
					Lines: []finapp.AllocationLine{{InvoiceID: a.ID, Amount: "100.00"}}}); err != nil {
					t.Fatal(err)
				}
				return p.ID
			}
			first := pay()
			at(5)
			p, err := b.svc.GetPayment(b.ctx, first)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.ReleaseAllocation(b.ctx, first, p.Allocations[0].ID, 0); err != nil {
				t.Fatal(err)
			}
			at(3)
			pay()
			for asOf, want := range map[string]string{"2026-03-01": "50.00", "2026-03-02": "50.00", "2026-03-03": "50.00", "2026-03-04": "50.00", "2026-03-05": "50.00"} {
				r, err := b.svc.Aging(b.ctx, asOf)
				if err != nil {
					t.Fatal(err)
				}
				if len(r.Rows) != 1 || r.Rows[0].Total.Format("SGD") != want {
					t.Errorf("as of %s: rows %+v, want one row of %s (invoice B only)", asOf, r.Rows, want)
				}
				b.checkAging(t, asOf)
			}
		})
	}
}

// TestReceipts_SumLivePaymentsAsTheirListDoes: the receipts report, rolled up from sums per day,
// currency and method, equals the live payments as the payments list returns them, summed by
// day, month or method, over any range.
func TestReceipts_SumLivePaymentsAsTheirListDoes(t *testing.T) {
	for _, engine := range reportEngines {
		t.Run(engine.name, func(t *testing.T) {
			db := engine.open(t)
			rapid.Check(t, func(rt *rapid.T) {
				b := newReportBooks(t, db)
				draw := func(label string, lo, hi int) int { return rapid.IntRange(lo, hi).Draw(rt, label) }
				start := b.clock
				var ids []string
				for range draw("payments", 0, 25) {
					cur := []string{"SGD", "JPY", "USD"}[draw("currency", 0, 2)]
					p, err := b.svc.RecordPayment(b.ctx, finapp.PaymentCreate{Amount: fmt.Sprint(draw("amount", 1, 5000)), Currency: cur,
						Method: finapp.Methods[draw("method", 0, 3)], ReceivedOn: day(start, draw("received", -70, 70))})
					if err != nil {
						rt.Fatalf("payment: %v", err)
					}
					ids = append(ids, p.ID)
					if draw("deleted", 0, 4) == 0 {
						if err := b.svc.DeletePayment(b.ctx, ids[draw("which", 0, len(ids)-1)], 0); err != nil && finapp.ErrorCode(err) != finapp.ENotFound {
							rt.Fatalf("delete: %v", err)
						}
					}
				}
				from, to := "", ""
				if draw("from", 0, 3) > 0 {
					from = day(start, draw("from day", -80, 40))
				}
				if draw("to", 0, 3) > 0 {
					to = day(start, draw("to day", -40, 80))
				}
				if from != "" && to != "" && to < from {
					from, to = to, from
				}
				groupBy := finapp.ReceiptsGroupings[draw("group_by", 0, 2)]
				type key struct{ k, cur string }
				want := map[key][2]int64{}
				cursor := ""
				for {
					list, next, err := b.svc.ListPayments(b.ctx, finapp.PaymentFilter{ReceivedFrom: from, ReceivedTo: to, Cursor: cursor, Limit: 100})
					if err != nil {
						rt.Fatal(err)
					}
					for _, p := range list {
						k := key{map[string]string{"day": p.ReceivedOn, "month": p.ReceivedOn[:7], "method": p.Method}[groupBy], string(p.Currency)}
						w := want[k]
						want[k] = [2]int64{w[0] + int64(p.Amount), w[1] + 1}
					}
					if next == "" {
						break
					}
					cursor = next
				}
				got, err := b.svc.Receipts(b.ctx, from, to, groupBy)
				if err != nil {
					rt.Fatal(err)
				}
				if len(got) != len(want) {
					rt.Fatalf("%s from %q to %q: %d groups %v, want %d %v", groupBy, from, to, len(got), got, len(want), want)
				}
				if !sort.SliceIsSorted(got, func(i, j int) bool {
					return got[i].Key < got[j].Key || got[i].Key == got[j].Key && got[i].Currency < got[j].Currency
				}) {
					rt.Errorf("groups not in key, currency order: %v", got)
				}
				for _, g := range got {
					if w := want[key{g.Key, string(g.Currency)}]; g.Amount != money.SumOf(money.Amount(w[0])) || int64(g.Count) != w[1] {
						rt.Errorf("%s %s %s: %s in %d payments, want %d in %d", groupBy, g.Key, g.Currency, g.Amount, g.Count, w[0], w[1])
					}
				}
			})
		})
	}
}
