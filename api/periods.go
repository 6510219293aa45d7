package api

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"
)

// Period is the workspace's period close.
type Period struct {
	LockDate string `json:"lock_date" doc:"The books are closed through this day (YYYY-MM-DD): nothing posts with a business date on or before it. Empty: no period is closed."`
	Today    string `json:"today" format:"date" doc:"The workspace's business day now"`
}

func (h *handlers) registerPeriods(api huma.API) {
	tags := []string{"Settings"}
	out := func(ctx context.Context, lock string) *struct{ Body Period } {
		return &struct{ Body Period }{Body: Period{LockDate: lock, Today: h.svc.Today(ctx)}}
	}
	huma.Register(api, huma.Operation{OperationID: "get-period", Method: http.MethodGet, Path: "/v1/periods",
		Summary: "The workspace's lock date", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct{ Body Period }, error) {
			p, err := h.svc.Period(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return out(ctx, p.LockDate), nil
		})
	huma.Register(api, huma.Operation{OperationID: "close-period", Method: http.MethodPost, Path: "/v1/periods/close",
		Summary: "Close the books through a date (admin, audited)", Tags: tags,
		Description: "From then on nothing may post with a business date on or before it: recording, editing, deleting, " +
			"assigning a payment received then, issuing or correcting an invoice issued then, and allocating, releasing, " +
			"topping up or voiding while today itself is closed are refused with 409 period_closed naming the lock date. " +
			"Corrections post in the open period with their own date. A date after today, or before the lock date already " +
			"set, is refused; closing through the lock date again changes nothing."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Through string `json:"through" format:"date" doc:"The last day of the closed period"`
			}
		}) (*struct{ Body Period }, error) {
			p, err := h.svc.ClosePeriod(ctx, in.Body.Through)
			if err != nil {
				return nil, problem(err)
			}
			return out(ctx, p.LockDate), nil
		})
	huma.Register(api, huma.Operation{OperationID: "reopen-period", Method: http.MethodPost, Path: "/v1/periods/reopen",
		Summary: "Move the lock date back, with a reason (admin, audited)", Tags: tags},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           struct {
				Through string `json:"through,omitempty" format:"date" doc:"The new lock date, before the current one; left out, no period stays closed"`
				Reason  string `json:"reason" minLength:"1" maxLength:"500" doc:"Why the closed period must change; kept in the audit trail"`
			}
		}) (*struct{ Body Period }, error) {
			p, err := h.svc.ReopenPeriod(ctx, in.Body.Through, in.Body.Reason)
			if err != nil {
				return nil, problem(err)
			}
			return out(ctx, p.LockDate), nil
		})
}
