package finapp

import (
	"fmt"
	"time"

	"finapp/money"
)

// The rule tests run the rules on structs as the loads would return them: no database.

var ruleNow = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

const (
	acme   = "org_acme"
	boreal = "org_boreal"
)

// sgd is an amount of Singapore dollars given in whole dollars.
func sgd(dollars int64) money.Amount { return money.Amount(dollars * 100) }

// paymentOf is a live payment of org ("" for unassigned) of amount SGD, nothing applied yet.
func paymentOf(org string, amount money.Amount) *Payment {
	p := &Payment{ID: "pay_1", OrganizationID: org, Amount: amount, Currency: "SGD", ReceivedOn: "2026-02-27", Method: "bank_transfer", Version: 1}
	if org != "" {
		p.AssignmentChanges = 1
	}
	return p
}

// invoiceOf is an unpaid invoice of org for total SGD, of kind.
func invoiceOf(org, number, kind string, total money.Amount) *Invoice {
	return &Invoice{ID: "inv_" + number, Number: number, OrganizationID: org, Kind: kind, Currency: "SGD", Total: total,
		IssuedOn: "2026-02-01", DueOn: "2026-03-03", Status: InvoiceUnpaid, Version: 1}
}

func ruleChanges() *changes {
	return newChanges(ruleNow, Actor{WorkspaceID: DefaultWorkspace, Name: "user:finance@example.com", Role: RoleFinance, Address: "192.0.2.7"})
}

// postings are the change's journal entries, one line per transfer: operation, debit > credit, amount.
func (c *changes) postings() []string {
	var out []string
	for _, e := range c.journal {
		if err := e.Balanced(); err != nil {
			out = append(out, "UNBALANCED "+err.Error())
		}
		for i := 0; i+1 < len(e.Lines); i += 2 {
			d, cr := e.Lines[i], e.Lines[i+1]
			out = append(out, fmt.Sprintf("%s %s > %s %s %s", e.Operation, d.Account, cr.Account, money.Format(d.Amount, d.Currency), d.Currency))
		}
	}
	return out
}

// eventTypes are the types of the change's outbox events, in order.
func (c *changes) eventTypes() []string {
	var out []string
	for _, e := range c.events {
		out = append(out, e.Type)
	}
	return out
}

// refusal describes an error as the tests compare it: its code and the field at fault.
func refusal(err error) string {
	if err == nil {
		return "accepted"
	}
	if e, ok := err.(*Error); ok && e.Field != "" {
		return e.Code + " on " + e.Field
	}
	return ErrorCode(err)
}
