package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"finapp"
)

// auditView is the Audit page: the trail, newest first, optionally of one entity, and whether
// the hash chain still holds.
type auditView struct {
	Entity string
	Events []*auditRow
	Next   string
	First  bool
	Verify *finapp.AuditVerification
}

// auditRow is one audit event with the page of the entity it is about ("" when there is none).
type auditRow struct {
	*finapp.AuditEvent
	Link    string
	Changes []string // a payment's: what the event changed, as its timeline says it
}

func (s *server) audit(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	f := finapp.AuditFilter{EntityID: strings.TrimSpace(q.Get("entity")), Cursor: q.Get("cursor"), Limit: pageSize}
	v := &auditView{Entity: f.EntityID, First: f.Cursor == ""}
	p.Title, p.Nav, p.Data = "Audit trail", "audit", v
	// Listed first: listing seals what was committed before (PostgreSQL seals after commit),
	// so that the verification below covers every event the page shows.
	list, next, err := s.svc.ListAudit(r.Context(), f)
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "audit", p)
		return
	}
	if v.Verify, err = s.svc.VerifyAudit(r.Context()); err != nil {
		s.fail(w, p, err)
		return
	}
	orgs, err := s.organizations(r)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	names := map[string]string{}
	for _, o := range orgs {
		names[o.ID] = o.Name
	}
	for _, e := range list {
		row := &auditRow{AuditEvent: e, Link: entityLink(e)}
		if e.Entity == "payment" {
			row.Changes = changesOf(e, names)
		}
		v.Events = append(v.Events, row)
	}
	if next != "" {
		v.Next = pageURL("/audit", q, next)
	}
	s.render(w, http.StatusOK, "audit", p)
}

// entityLink is the page of the entity an audit event is about. An allocation or a top-up has no
// page of its own: its payment's page lists it.
func entityLink(e *finapp.AuditEvent) string {
	switch e.Entity {
	case "payment":
		return "/payments/" + e.EntityID
	case "invoice":
		return "/invoices/" + e.EntityID
	case "organization":
		return "/organizations/" + e.EntityID
	case "allocation", "top_up":
		for _, doc := range []string{e.After, e.Before} {
			var a struct {
				PaymentID string `json:"payment_id"`
			}
			if json.Unmarshal([]byte(doc), &a) == nil && strings.HasPrefix(a.PaymentID, "pay_") {
				return "/payments/" + a.PaymentID
			}
		}
	}
	return ""
}
