package finapp

import "finapp/money"

// paymentSnapshot is how a payment appears in audit before/after and in event payloads. Its
// fields are in the order of their names, as the audit trail has always had them (it began as a
// map, which JSON renders in sorted order); a struct renders several times faster than a map,
// which counts when every line of an import file needs one.
type paymentSnapshot struct {
	Allocated         string         `json:"allocated"`
	Amount            string         `json:"amount"`
	AssignmentChanges int            `json:"assignment_changes"`
	Currency          money.Currency `json:"currency"`
	Deleted           bool           `json:"deleted"`
	ExternalID        string         `json:"external_id,omitempty"`
	ID                string         `json:"id"`
	InvoiceNumber     string         `json:"invoice_number"`
	Metadata          Metadata       `json:"metadata,omitempty"`
	Method            string         `json:"method"`
	OrganizationID    string         `json:"organization_id"`
	ReceivedOn        string         `json:"received_on"`
	Reference         string         `json:"reference"`
	Refunded          string         `json:"refunded,omitempty"` // only once refunded: older snapshots have none
	Remark            string         `json:"remark"`
	Status            string         `json:"status"`
	ToppedUp          string         `json:"topped_up"`
	Version           int            `json:"version"`
}

func snapshotOfPayment(p *Payment) paymentSnapshot {
	return paymentSnapshot{Allocated: money.Format(p.Allocated, p.Currency), Amount: money.Format(p.Amount, p.Currency),
		AssignmentChanges: p.AssignmentChanges, Currency: p.Currency, Deleted: p.DeletedAt != nil, ID: p.ID, InvoiceNumber: p.InvoiceHint,
		ExternalID: p.ExternalID, Metadata: p.Metadata, Method: p.Method, OrganizationID: p.OrganizationID, ReceivedOn: p.ReceivedOn, Reference: p.Reference, Remark: p.Remark,
		Status: p.Status(), ToppedUp: money.Format(p.ToppedUp, p.Currency), Version: p.Version, Refunded: refundedText(p)}
}

// refundedText is a payment's refunded money in its snapshot: none until something is refunded.
func refundedText(p *Payment) string {
	if p.Refunded == 0 {
		return ""
	}
	return money.Format(p.Refunded, p.Currency)
}

// invoiceSnapshot is how an invoice appears in audit before/after and in event payloads.
func invoiceSnapshot(i *Invoice) map[string]any {
	m := map[string]any{
		"id": i.ID, "number": i.Number, "organization_id": i.OrganizationID, "kind": i.Kind,
		"currency": i.Currency, "total": money.Format(i.Total, i.Currency),
		"amount_paid": money.Format(i.AmountPaid, i.Currency), "status": i.Status,
		"issued_on": i.IssuedOn, "due_on": i.DueOn, "version": i.Version,
		"external_id": i.ExternalID, "metadata": i.Metadata,
	}
	if i.AmountAdjusted != 0 { // none without adjustments: older trails read the same
		m["amount_adjusted"] = money.Format(i.AmountAdjusted, i.Currency)
	}
	if i.AmountCredited != 0 { // none without credit notes applied
		m["amount_credited"] = money.Format(i.AmountCredited, i.Currency)
	}
	return m
}

// allocationSnapshot is how an allocation appears in the audit trail, when made and when released:
// with it the trail names every allocation and its amount, which verify replays (replay.go).
func allocationSnapshot(a *Allocation) map[string]any {
	m := map[string]any{
		"id": a.ID, "payment_id": a.PaymentID, "invoice_id": a.InvoiceID, "amount": money.Format(a.Amount, a.Currency),
		"currency": a.Currency, "released": a.ReleasedAt != nil,
	}
	if a.Rate != "" { // none without a conversion: older trails read the same
		m["invoice_amount"], m["invoice_currency"], m["rate"] = money.Format(a.InvoiceAmount, a.InvoiceCurrency), a.InvoiceCurrency, a.Rate
	}
	if a.IsAdjustment() { // none on money: the trail of payments before adjustments reads the same
		m["kind"], m["reason"], m["with_allocation_id"] = a.Kind, a.Reason, a.MoneyAllocationID
	}
	return m
}

// topUpSnapshot is how a top-up appears in the audit trail.
func topUpSnapshot(t *TopUp) map[string]any {
	return map[string]any{
		"id": t.ID, "payment_id": t.PaymentID, "organization_id": t.OrganizationID, "amount": money.Format(t.Amount, t.Currency),
		"currency": t.Currency,
	}
}
