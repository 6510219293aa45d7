// Command finapp-gencsv writes a CSV payment file for `finapp import payments` to measure it
// (docs/import.md): --lines payments received in one month, a third of them naming one of
// --orgs organizations it creates in the database first, in SGD, USD and JPY. The same --seed
// writes the same lines; nothing is downloaded.
//
//	go run ./cmd/finapp-gencsv --db sqlite:/tmp/big.db --lines 1000000 --out /tmp/big.csv
package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"

	"finapp"
	"finapp/postgres"
	"finapp/sqlite"
	"finapp/sqlstore"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "finapp-gencsv:", err)
		os.Exit(1)
	}
}

func run() error {
	dsn := flag.String("db", "sqlite:finapp.db", "database to create the organizations in: sqlite:PATH or postgres://…")
	lines := flag.Int("lines", 1000000, "payment lines to write")
	orgs := flag.Int("orgs", 200, "organizations to create and assign payments to")
	out := flag.String("out", "payments.csv", "file to write")
	seed := flag.Uint64("seed", 1, "seed of the random amounts, methods and references")
	kind := flag.String("kind", "payments", "what the lines hold: payments (finapp import payments) or invoices (finapp import invoices)")
	flag.Parse()
	if *kind != "payments" && *kind != "invoices" {
		return fmt.Errorf("--kind %q: payments or invoices", *kind)
	}

	ctx := context.Background()
	db, err := open(ctx, *dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := finapp.NewService(db)
	as := finapp.WithActor(ctx, finapp.Actor{WorkspaceID: finapp.DefaultWorkspace, Name: "cli:gencsv", Role: finapp.RoleFinance})
	ids := make([]string, *orgs)
	for i := range ids {
		o, err := svc.CreateOrganization(as, finapp.OrganizationCreate{Name: fmt.Sprintf("Generated customer %d", i+1), BillingCurrency: "SGD",
			ExternalID: fmt.Sprintf("cust-%d", i+1)})
		if err != nil {
			return err
		}
		ids[i] = o.ID
	}

	f, err := os.Create(*out)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	w := csv.NewWriter(bw)
	rnd := rand.New(rand.NewPCG(*seed, 0))
	if *kind == "invoices" {
		writeInvoices(w, rnd, *lines, len(ids))
	} else {
		writePayments(w, rnd, *lines, ids)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Printf("wrote %d %s lines to %s (%d organizations created)\n", *lines, strings.TrimSuffix(*kind, "s"), *out, *orgs)
	return nil
}

// writeInvoices writes a billing run of n invoices to orgs customers (named by external id
// cust-1…), in SGD, USD and JPY, of every kind, some with metadata.
func writeInvoices(w *csv.Writer, rnd *rand.Rand, n, orgs int) {
	_ = w.Write([]string{"external_id", "organization_external_id", "number", "kind", "currency", "total", "issued_on", "due_on", "metadata.plan"})
	kinds := []string{"", "", "", "", "", "", "", "proforma", "top_up", "standard"}
	for i := range n {
		cur, total := "SGD", strconv.Itoa(1+rnd.IntN(50000))+"."+fmt.Sprintf("%02d", rnd.IntN(100))
		switch rnd.IntN(10) {
		case 0:
			cur = "USD"
		case 1:
			cur, total = "JPY", strconv.Itoa(100+rnd.IntN(5000000))
		}
		plan := ""
		if rnd.IntN(4) == 0 {
			plan = []string{"gold", "silver", "bronze"}[rnd.IntN(3)]
		}
		day := 1 + rnd.IntN(28)
		_ = w.Write([]string{"bill-" + strconv.Itoa(i+1), "cust-" + strconv.Itoa(1+rnd.IntN(max(orgs, 1))), fmt.Sprintf("INV-2026-%07d", i+1),
			kinds[rnd.IntN(len(kinds))], cur, total, fmt.Sprintf("2026-11-%02d", day), fmt.Sprintf("2026-12-%02d", day), plan})
	}
}

// writePayments writes n payments of a month, a third of them assigned to one of ids.
func writePayments(w *csv.Writer, rnd *rand.Rand, lines int, ids []string) {
	methods := finapp.Methods
	_ = w.Write([]string{"received_on", "amount", "currency", "method", "reference", "organization_id", "invoice_number", "remark"})
	for n := range lines {
		cur, amount := "SGD", strconv.Itoa(1+rnd.IntN(50000))+"."+fmt.Sprintf("%02d", rnd.IntN(100))
		switch rnd.IntN(10) {
		case 0:
			cur = "USD"
		case 1:
			cur, amount = "JPY", strconv.Itoa(100+rnd.IntN(5000000))
		}
		org := ""
		if len(ids) > 0 && rnd.IntN(3) == 0 {
			org = ids[rnd.IntN(len(ids))]
		}
		remark := ""
		if rnd.IntN(20) == 0 {
			remark = "payer wrote: \"for March, see invoice\", paid late"
		}
		_ = w.Write([]string{fmt.Sprintf("2026-01-%02d", 1+rnd.IntN(31)), amount, cur, methods[rnd.IntN(len(methods))],
			"STMT " + strconv.Itoa(n+1) + " " + strings.Repeat("X", rnd.IntN(12)), org, "INV-" + strconv.Itoa(rnd.IntN(90000)), remark})
	}
}

// open opens the database a --db value names, as finapp does.
func open(ctx context.Context, dsn string) (*sqlstore.DB, error) {
	switch {
	case strings.HasPrefix(dsn, "sqlite:"):
		return sqlite.Open(ctx, strings.TrimPrefix(dsn, "sqlite:"))
	case strings.HasPrefix(dsn, "postgres://"), strings.HasPrefix(dsn, "postgresql://"):
		return postgres.Open(ctx, dsn)
	}
	return nil, fmt.Errorf("--db %q: want sqlite:PATH or postgres://…", dsn)
}
