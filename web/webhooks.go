package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"finapp"
)

// The Admin → Webhooks and Admin → Events pages: the same use cases as /v1/webhook-endpoints and
// /v1/events. A new or rotated signing secret is shown on the page that answers the form, once,
// never in a URL.

var webhookFields = []string{"url", "events", "description", "event_id"}

func init() {
	adminFlashes["webhook-enabled"] = "Endpoint enabled. Deliveries start again, with what was recorded meanwhile."
	adminFlashes["webhook-disabled"] = "Endpoint disabled. Nothing is sent to it until it is enabled again."
	adminFlashes["webhook-deleted"] = "Endpoint deleted. Nothing more is sent to it."
	adminFlashes["webhook-redelivery"] = "The event will be sent again within a few seconds."
}

type webhookAdmin struct {
	Endpoints []*finapp.WebhookEndpoint
	Types     []string
	Values    url.Values
	// Created and Secret are set on the page that answers a create or a rotation.
	Created *finapp.WebhookEndpoint
	Secret  string
}

func (d *webhookAdmin) Get(k string) string { return d.Values.Get(k) }

// Checked reports whether the form had event type t ticked.
func (d *webhookAdmin) Checked(t string) bool {
	for _, v := range d.Values["events"] {
		if v == t {
			return true
		}
	}
	return false
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request, p *page) {
	s.showWebhooks(w, r, p, http.StatusOK, &webhookAdmin{Values: url.Values{"events": {"*"}}})
}

func (s *server) showWebhooks(w http.ResponseWriter, r *http.Request, p *page, status int, d *webhookAdmin) {
	list, err := s.svc.ListWebhookEndpoints(r.Context())
	if err != nil {
		s.fail(w, p, err)
		return
	}
	d.Endpoints, d.Types = list, finapp.EventTypes
	p.Title, p.Nav, p.Data = "Webhooks", "webhooks", d
	s.render(w, status, "admin_webhooks", p)
}

func (s *server) createWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	v := r.PostForm
	form := url.Values{"url": {v.Get("url")}, "description": {v.Get("description")}, "events": v["events"]}
	e, err := s.svc.CreateWebhookEndpoint(r.Context(), finapp.WebhookEndpointCreate{URL: v.Get("url"), Events: v["events"], Description: v.Get("description")})
	if err != nil {
		status := s.refusal(p, err, webhookFields...)
		s.showWebhooks(w, r, p, status, &webhookAdmin{Values: form})
		return
	}
	p.Flash = "Endpoint added."
	s.showWebhooks(w, r, p, http.StatusOK, &webhookAdmin{Values: url.Values{"events": {"*"}}, Created: e, Secret: e.Secret})
}

type webhookView struct {
	*finapp.WebhookEndpoint
	Attempts []*finapp.WebhookAttempt
	Next     string
	Secret   string // after a rotation, once
}

func (s *server) viewWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	s.showWebhook(w, r, p, http.StatusOK, "")
}

func (s *server) showWebhook(w http.ResponseWriter, r *http.Request, p *page, status int, secret string) {
	ctx := r.Context()
	e, err := s.svc.GetWebhookEndpoint(ctx, r.PathValue("id"))
	if err != nil {
		s.adminFail(w, p, err, "This webhook endpoint")
		return
	}
	attempts, next, err := s.svc.ListWebhookAttempts(ctx, e.ID, r.URL.Query().Get("cursor"), 50)
	if err != nil {
		s.fail(w, p, err)
		return
	}
	p.Title, p.Nav, p.Data = "Webhook endpoint", "webhooks", &webhookView{WebhookEndpoint: e, Attempts: attempts, Next: next, Secret: secret}
	s.render(w, status, "admin_webhook", p)
}

func (s *server) setWebhookEnabled(w http.ResponseWriter, r *http.Request, p *page) {
	on := r.PostForm.Get("enabled") == "true"
	version, _ := strconv.Atoi(r.PostForm.Get("version"))
	if _, err := s.svc.UpdateWebhookEndpoint(r.Context(), r.PathValue("id"), version, finapp.WebhookEndpointUpdate{Enabled: &on}); err != nil {
		s.adminFail(w, p, err, "This webhook endpoint")
		return
	}
	done := "webhook-disabled"
	if on {
		done = "webhook-enabled"
	}
	redirect(w, r, "/admin/webhooks/"+url.PathEscape(r.PathValue("id")), done)
}

func (s *server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, p *page) {
	e, err := s.svc.RotateWebhookSecret(r.Context(), r.PathValue("id"))
	if err != nil {
		s.adminFail(w, p, err, "This webhook endpoint")
		return
	}
	p.Flash = "New signing secret made. The old one keeps signing beside it for 24 hours."
	s.showWebhook(w, r, p, http.StatusOK, e.Secret)
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	if err := s.svc.DeleteWebhookEndpoint(r.Context(), r.PathValue("id")); err != nil {
		s.adminFail(w, p, err, "This webhook endpoint")
		return
	}
	redirect(w, r, "/admin/webhooks", "webhook-deleted")
}

func (s *server) redeliverWebhook(w http.ResponseWriter, r *http.Request, p *page) {
	id := r.PathValue("id")
	if _, err := s.svc.RedeliverWebhook(r.Context(), id, strings.TrimSpace(r.PostForm.Get("event_id"))); err != nil {
		if finapp.ErrorCode(err) == finapp.ENotFound {
			s.adminFail(w, p, err, "This webhook endpoint")
			return
		}
		status := s.refusal(p, err, webhookFields...)
		s.showWebhook(w, r, p, status, "")
		return
	}
	redirect(w, r, "/admin/webhooks/"+url.PathEscape(id), "webhook-redelivery")
}

type eventsView struct {
	Events    []finapp.EventEnvelope
	After     int64
	NextAfter int64
	More      bool
	Types     []string
	Type      string
}

// events is Admin → Events: the feed, oldest first from ?after=, 50 at a time.
func (s *server) events(w http.ResponseWriter, r *http.Request, p *page) {
	q := r.URL.Query()
	after, err := strconv.ParseInt(q.Get("after"), 10, 64)
	if q.Get("after") == "" {
		after, err = 0, nil
	}
	var list []*finapp.Event
	var more bool
	if err != nil {
		err = finapp.Invalid("after", "must be a sequence number")
	} else {
		var types []string
		if types, err = finapp.ParseEventTypes("type", q.Get("type")); err == nil {
			list, more, err = s.svc.ListEvents(r.Context(), finapp.EventFilter{After: after, Types: types, Limit: 50})
		}
	}
	if err != nil {
		s.fail(w, p, err)
		return
	}
	d := &eventsView{After: after, NextAfter: after, More: more, Types: finapp.EventTypes, Type: q.Get("type")}
	for _, e := range list {
		d.Events = append(d.Events, e.Envelope())
		d.NextAfter = e.Sequence
	}
	p.Title, p.Nav, p.Data = "Events", "events", d
	s.render(w, http.StatusOK, "admin_events", p)
}
