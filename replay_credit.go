package finapp

import "finapp/money"

// withdrawalEvent replays a withdrawal paid out or reversed: the journal entry each must have
// posted (credit → cash, and its counter-entry).
func (r *Replay) withdrawalEvent(e *AuditEvent) {
	var after struct {
		OrganizationID string         `json:"organization_id"`
		Amount         string         `json:"amount"`
		Currency       money.Currency `json:"currency"`
		Method         string         `json:"method"`
	}
	if !decode(e.After, &after) {
		r.bad(e, "no withdrawal snapshot")
		return
	}
	amt, err := money.Parse(after.Amount, after.Currency)
	if err != nil {
		r.bad(e, "amount %q is not an amount in %s", after.Amount, after.Currency)
		return
	}
	credit, cash := CreditAccount(after.OrganizationID), CashAccount(after.Method)
	switch e.Action {
	case "withdrawal.created":
		r.expect("credit.withdrawn", e.EntityID, after.Currency, transferOf{credit, cash, amt})
	case "withdrawal.reversed":
		r.expect("withdrawal.reversed", e.EntityID, after.Currency, transferOf{cash, credit, amt})
	}
}
