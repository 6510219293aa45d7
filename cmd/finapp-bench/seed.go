package main

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// seedTimeLimit bounds any one setup phase.
const seedTimeLimit = 2 * time.Hour

// Words for organization names, so that a name search looks like one a finance clerk types.
var orgWords = []string{"Telecom", "Cloud", "Networks", "Fibre", "Mobile", "Data", "Systems", "Voice", "Hosting", "Labs",
	"Connect", "Digital", "Wireless", "Broadband", "Media", "Solutions"}

// orgName is the name of seeded organization i of this run, e.g. "qzkd Org 000042 Fibre": the
// tag keeps runs apart, "Org 000042" finds exactly one organization.
func (b *bench) orgName(i int) string {
	return fmt.Sprintf("%s Org %06d %s", b.tag, i, orgWords[i%len(orgWords)])
}

// invoiceNumber is the number of seeded invoice i of this run, e.g. "QZKD-0001234".
func (b *bench) invoiceNumber(i int) string {
	return fmt.Sprintf("%s-%07d", upper(b.tag), i)
}

func upper(s string) string {
	out := []byte(s)
	for i, c := range out {
		if 'a' <= c && c <= 'z' {
			out[i] = c - 'a' + 'A'
		}
	}
	return string(out)
}

// seedDay is the issue date of seeded invoice i: spread over the three years from 2024-01-01.
func seedDay(i int) time.Time {
	return time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, (i*7919)%1095)
}

type created struct {
	ID string `json:"id"`
}

// createOrgs creates n organizations named by orgName, billed in SGD, and returns their ids in
// that order.
func (b *bench) createOrgs(ctx context.Context, n int) ([]string, error) {
	return b.createOrgsIn(ctx, n, "SGD")
}

// createOrgsIn is createOrgs with the organizations billed in currency.
func (b *bench) createOrgsIn(ctx context.Context, n int, currency string) ([]string, error) {
	ids := make([]string, n)
	_, err := b.parallel(ctx, "seed organizations", n, seedTimeLimit, func(ctx context.Context, c *client, i int) error {
		var out created
		err := c.call(ctx, "seed", http.MethodPost, "/v1/organizations", map[string]string{"name": b.orgName(i), "billing_currency": currency}, http.StatusCreated, &out)
		ids[i] = out.ID
		return err
	})
	return ids, err
}

// invoiceSpec is one invoice to create.
type invoiceSpec struct {
	Number         string `json:"number"`
	OrganizationID string `json:"organization_id"`
	Total          string `json:"total"`
	IssuedOn       string `json:"issued_on,omitempty"`
	DueOn          string `json:"due_on,omitempty"`
}

// createInvoices creates the n invoices spec describes and returns their ids in that order.
func (b *bench) createInvoices(ctx context.Context, n int, spec func(i int) invoiceSpec) ([]string, error) {
	ids := make([]string, n)
	_, err := b.parallel(ctx, "seed invoices", n, seedTimeLimit, func(ctx context.Context, c *client, i int) error {
		var out created
		err := c.call(ctx, "seed", http.MethodPost, "/v1/invoices", spec(i), http.StatusCreated, &out)
		ids[i] = out.ID
		return err
	})
	return ids, err
}

// recordPayments records up to n payments with body(i), for at most limit, and returns the ids
// of those recorded.
func (b *bench) recordPayments(ctx context.Context, name string, n int, limit time.Duration, body func(i int) map[string]string) ([]string, error) {
	ids := make([]string, n)
	done, err := b.parallel(ctx, name, n, limit, func(ctx context.Context, c *client, i int) error {
		var out created
		err := c.call(ctx, "seed", http.MethodPost, "/v1/payments", body(i), http.StatusCreated, &out)
		ids[i] = out.ID
		return err
	})
	return ids[:done], err
}
