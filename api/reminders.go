package api

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
	"finapp/money"
)

// Reminder is a payment reminder that became due: an invoice reached a level of days overdue.
type Reminder struct {
	ID               string    `json:"id" example:"rem_01jd8x0c9v7p8x2k3m4n5q6r7s"`
	Level            int       `json:"level" doc:"The level reached, in days overdue"`
	DueOn            string    `json:"due_on" format:"date" doc:"The business day the reminder became due"`
	DaysOverdue      int       `json:"days_overdue" doc:"Days past the invoice's due date on due_on"`
	InvoiceID        string    `json:"invoice_id"`
	InvoiceNumber    string    `json:"invoice_number"`
	OrganizationID   string    `json:"organization_id"`
	OrganizationName string    `json:"organization_name"`
	AmountDue        string    `json:"amount_due" pattern:"^-?[0-9]+(\\.[0-9]+)?$"`
	Currency         string    `json:"currency" pattern:"^[A-Z]{3}$"`
	CreatedAt        time.Time `json:"created_at"`
}

func reminderOut(r *finapp.Reminder) Reminder {
	out := Reminder{ID: r.ID, Level: r.Level, DueOn: r.DueOn, DaysOverdue: r.DaysOverdue, InvoiceID: r.InvoiceID, CreatedAt: r.CreatedAt}
	if i := r.Invoice; i != nil {
		out.InvoiceNumber, out.OrganizationID, out.OrganizationName = i.Number, i.OrganizationID, i.OrganizationName
		out.AmountDue, out.Currency = money.Format(i.AmountDue(), i.Currency), string(i.Currency)
	}
	return out
}

// ReminderList is a page of reminders.
type ReminderList struct {
	Data       []Reminder `json:"data"`
	NextCursor string     `json:"next_cursor,omitempty"`
}

// ReminderLevels are the workspace's reminder levels.
type ReminderLevels struct {
	Levels []int `json:"levels" minItems:"1" maxItems:"10" doc:"Days overdue at which an invoice's reminder is due, e.g. [7, 14, 30]"`
}

func (h *handlers) registerReminders(api huma.API) {
	tags := []string{"Reminders"}
	huma.Register(api, huma.Operation{OperationID: "list-reminders", Method: http.MethodGet, Path: "/v1/reminders",
		Summary: "Payment reminders that became due, newest first", Tags: tags},
		func(ctx context.Context, in *struct {
			DueOn string `query:"due_on" format:"date" doc:"Only those that became due on this day (today's: what to send today)"`
			PageQuery
		}) (*struct{ Body ReminderList }, error) {
			list, next, err := h.svc.ListReminders(ctx, finapp.ReminderFilter{DueOn: in.DueOn, Cursor: in.Cursor, Limit: in.Limit})
			if err != nil {
				return nil, problem(err)
			}
			out := &struct{ Body ReminderList }{}
			out.Body.Data = make([]Reminder, 0, len(list))
			for _, r := range list {
				out.Body.Data = append(out.Body.Data, reminderOut(r))
			}
			out.Body.NextCursor = next
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "run-reminders", Method: http.MethodPost, Path: "/v1/reminders/run",
		Summary: "Find the reminders due today now (serve does it every hour)", Tags: tags,
		Description: "Each open invoice that has reached a level of days overdue it has not been reminded of becomes due at the " +
			"highest such level, with an invoice.reminder_due event. Run again the same day it finds nothing new."},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
		}) (*struct{ Body ReminderList }, error) {
			due, err := h.svc.RunReminders(ctx)
			if err != nil {
				return nil, problem(err)
			}
			out := &struct{ Body ReminderList }{}
			out.Body.Data = make([]Reminder, 0, len(due))
			for _, r := range due {
				out.Body.Data = append(out.Body.Data, reminderOut(r))
			}
			return out, nil
		})

	huma.Register(api, huma.Operation{OperationID: "get-reminder-levels", Method: http.MethodGet, Path: "/v1/settings/reminders",
		Summary: "The workspace's reminder levels", Tags: tags},
		func(ctx context.Context, in *struct{}) (*struct{ Body ReminderLevels }, error) {
			levels, err := h.svc.ReminderLevels(ctx)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body ReminderLevels }{Body: ReminderLevels{Levels: levels}}, nil
		})

	huma.Register(api, huma.Operation{OperationID: "set-reminder-levels", Method: http.MethodPut, Path: "/v1/settings/reminders",
		Summary: "Set the workspace's reminder levels (admin)", Tags: tags},
		func(ctx context.Context, in *struct {
			IdempotencyKey string `header:"Idempotency-Key"`
			Body           ReminderLevels
		}) (*struct{ Body ReminderLevels }, error) {
			levels, err := h.svc.SetReminderLevels(ctx, in.Body.Levels)
			if err != nil {
				return nil, problem(err)
			}
			return &struct{ Body ReminderLevels }{Body: ReminderLevels{Levels: levels}}, nil
		})
}
