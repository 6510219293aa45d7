package web

import (
	"net/http"

	"finapp"
)

// remindersView is the Reminders page: what became due on a day (today unless the page names
// another), to send to the customers.
type remindersView struct {
	DueOn     string
	Today     string
	Levels    []int
	Reminders []*finapp.Reminder
	Next      string
	First     bool
}

func (s *server) reminders(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	v := &remindersView{DueOn: q.Get("due_on"), Today: s.svc.Today(r.Context()), First: q.Get("cursor") == ""}
	if v.DueOn == "" {
		v.DueOn = v.Today
	}
	p.Title, p.Nav, p.Data = "Reminders", "reminders", v
	var err error
	if v.Levels, err = s.svc.ReminderLevels(r.Context()); err != nil {
		s.fail(w, p, err)
		return
	}
	list, next, err := s.svc.ListReminders(r.Context(), finapp.ReminderFilter{DueOn: v.DueOn, Cursor: q.Get("cursor"), Limit: pageSize})
	if err != nil {
		status := s.refusal(p, err)
		s.render(w, status, "reminders", p)
		return
	}
	v.Reminders = list
	if next != "" {
		v.Next = pageURL("/reminders", q, next)
	}
	s.render(w, http.StatusOK, "reminders", p)
}

// runReminders finds the reminders due now (serve does it every hour; the button saves the wait).
func (s *server) runReminders(w http.ResponseWriter, r *http.Request, p *page) {
	if _, err := s.svc.RunReminders(r.Context()); err != nil {
		s.fail(w, p, err)
		return
	}
	redirect(w, r, "/reminders", "reminders-run")
}
