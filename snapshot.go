package finapp

import "finapp/money"

// paymentSnapshot is how a payment appears in audit before/after and in event payloads.
func paymentSnapshot(p *Payment) map[string]any {
	return map[string]any{
		"id": p.ID, "organization_id": p.OrganizationID, "amount": money.Format(p.Amount, p.Currency),
		"currency": p.Currency, "received_on": p.ReceivedOn, "method": p.Method, "reference": p.Reference,
		"invoice_number": p.InvoiceHint, "remark": p.Remark, "allocated": money.Format(p.Allocated, p.Currency),
		"topped_up": money.Format(p.ToppedUp, p.Currency), "status": p.Status(), "version": p.Version,
		"assignment_changes": p.AssignmentChanges, "deleted": p.DeletedAt != nil,
	}
}

// invoiceSnapshot is how an invoice appears in audit before/after and in event payloads.
func invoiceSnapshot(i *Invoice) map[string]any {
	return map[string]any{
		"id": i.ID, "number": i.Number, "organization_id": i.OrganizationID, "kind": i.Kind,
		"currency": i.Currency, "total": money.Format(i.Total, i.Currency),
		"amount_paid": money.Format(i.AmountPaid, i.Currency), "status": i.Status,
		"issued_on": i.IssuedOn, "due_on": i.DueOn, "version": i.Version,
	}
}

// allocationSnapshot is how an allocation appears in the audit trail, when made and when released:
// with it the trail names every allocation and its amount, which verify replays (replay.go).
func allocationSnapshot(a *Allocation) map[string]any {
	return map[string]any{
		"id": a.ID, "payment_id": a.PaymentID, "invoice_id": a.InvoiceID, "amount": money.Format(a.Amount, a.Currency),
		"currency": a.Currency, "released": a.ReleasedAt != nil,
	}
}

// topUpSnapshot is how a top-up appears in the audit trail.
func topUpSnapshot(t *TopUp) map[string]any {
	return map[string]any{
		"id": t.ID, "payment_id": t.PaymentID, "organization_id": t.OrganizationID, "amount": money.Format(t.Amount, t.Currency),
		"currency": t.Currency,
	}
}
