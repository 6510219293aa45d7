// Package web serves finapp's pages (SPEC §5): server-rendered HTML on the same domain service as
// the JSON API, so that every rule is decided once, in the root package. Every core flow works
// without JavaScript: forms post, the server answers with a redirect (POST-redirect-GET) or, when
// the domain refuses, with the same page and the refusal next to the field it names.
package web

import (
	"bytes"
	"context"
	"embed"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"finapp"
	"finapp/api"
	"finapp/auth"
	"finapp/reqlog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Deps are what the pages adapt: the domain service and the sessions of Auth.
type Deps struct {
	Service *finapp.Service
	Auth    *auth.Auth
	// Secure marks the session cookie Secure: set it when the server (or its proxy) serves HTTPS.
	Secure bool
	// Logger receives internal errors; slog.Default() when nil.
	Logger *slog.Logger
	// Exports serves the API's CSV exports to the signed-in user (api.Exports): the pages'
	// Export buttons. Without it the buttons answer 404.
	Exports http.Handler
}

// server holds the parsed templates and the dependencies of every handler.
type server struct {
	svc     *finapp.Service
	auth    *auth.Auth
	secure  bool
	log     *slog.Logger
	pages   map[string]*template.Template
	exports http.Handler
}

// New returns the handler of every page, for api.Deps.Pages (it serves everything outside /v1).
func New(d Deps) http.Handler {
	s := &server{svc: d.Service, auth: d.Auth, secure: d.Secure, log: d.Logger, pages: parseTemplates(), exports: d.Exports}
	if s.log == nil {
		s.log = slog.Default()
	}
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", cacheStatic(http.FileServerFS(static))))
	mux.HandleFunc("GET /login", s.loginForm)
	mux.HandleFunc("POST /login", s.login)
	mux.Handle("POST /logout", s.authed(s.logout))
	mux.Handle("GET /{$}", s.authed(func(w http.ResponseWriter, r *http.Request, p *page) {
		http.Redirect(w, r, "/payments", http.StatusSeeOther)
	}))

	mux.Handle("GET /payments", s.authed(s.listPayments))
	mux.Handle("GET /payments/new", s.authed(s.newPayment))
	mux.Handle("POST /payments", s.authed(s.recordPayment))
	mux.Handle("GET /payments/{id}", s.authed(s.viewPayment))
	mux.Handle("GET /payments/{id}/edit", s.authed(s.editPayment))
	mux.Handle("POST /payments/{id}/edit", s.authed(s.updatePayment))
	mux.Handle("GET /payments/{id}/delete", s.authed(s.confirmDelete))
	mux.Handle("POST /payments/{id}/delete", s.authed(s.deletePayment))
	mux.Handle("POST /payments/{id}/assign", s.authed(s.assign))
	mux.Handle("POST /payments/{id}/unassign", s.authed(s.unassign))
	mux.Handle("POST /payments/{id}/allocate", s.authed(s.allocate))
	mux.Handle("POST /payments/{id}/auto-allocate", s.authed(s.autoAllocate))
	mux.Handle("POST /payments/{id}/top-up", s.authed(s.topUp))
	mux.Handle("POST /payments/{id}/refund", s.authed(s.refund))
	mux.Handle("POST /refunds/{id}/reverse", s.authed(s.reverseRefund))
	mux.Handle("POST /payments/{id}/allocations/{aid}/release", s.authed(s.release))

	mux.Handle("GET /invoices", s.authed(s.listInvoices))
	mux.Handle("GET /invoices/new", s.authed(s.newInvoice))
	mux.Handle("POST /invoices", s.authed(s.createInvoice))
	mux.Handle("GET /invoices/{id}", s.authed(s.viewInvoice))
	mux.Handle("GET /invoices/{id}/void", s.authed(s.confirmVoid))
	mux.Handle("POST /invoices/{id}/void", s.authed(s.voidInvoice))
	mux.Handle("GET /credit-notes", s.authed(s.listCreditNotes))
	mux.Handle("GET /credit-notes/new", s.authed(s.newCreditNote))
	mux.Handle("POST /credit-notes", s.authed(s.issueCreditNote))
	mux.Handle("GET /credit-notes/{id}", s.authed(s.viewCreditNote))
	mux.Handle("POST /credit-notes/{id}/auto-apply", s.authed(s.autoApplyCreditNote))
	mux.Handle("POST /credit-notes/{id}/apply", s.authed(s.applyCreditNote))
	mux.Handle("POST /credit-notes/{id}/applications/{aid}/release", s.authed(s.releaseCreditNoteApplication))
	mux.Handle("POST /credit-notes/{id}/refund", s.authed(s.refundCreditNote))
	mux.Handle("POST /credit-notes/{id}/to-credit", s.authed(s.creditNoteToCredit))
	mux.Handle("POST /credit-notes/{id}/void", s.authed(s.voidCreditNote))
	mux.Handle("GET /organizations", s.authed(s.listOrganizations))
	mux.Handle("GET /organizations/new", s.authed(s.newOrganization))
	mux.Handle("POST /organizations", s.authed(s.createOrganization))
	mux.Handle("GET /organizations/{id}", s.authed(s.viewOrganization))
	mux.Handle("GET /organizations/{id}/statement", s.authed(s.statementFile))
	mux.Handle("POST /organizations/{id}/settings", s.authed(s.saveCreditSettings))
	mux.Handle("POST /organizations/{id}/withdrawals", s.authed(s.withdraw))
	mux.Handle("POST /withdrawals/{id}/reverse", s.authed(s.reverseWithdrawal))

	mux.Handle("GET /reports", s.authed(s.reports))
	mux.Handle("GET /audit", s.authed(s.audit))
	mux.Handle("GET /export/{name}", s.authed(s.export))
	mux.Handle("GET /reconcile", s.authed(s.reconcile))
	mux.Handle("POST /reconcile/upload", s.authed(s.uploadStatement))
	mux.Handle("POST /reconcile/apply", s.authed(s.applySelected))
	mux.Handle("POST /reconcile/{id}/apply", s.authed(s.applyLine))
	mux.Handle("POST /reconcile/{id}/apply-edited", s.authed(s.applyEdited))
	mux.Handle("POST /reconcile/{id}/ignore", s.authed(s.ignoreLine))
	mux.Handle("POST /reconcile/{id}/undo", s.authed(s.undoLine))
	mux.Handle("GET /reconcile/rules", s.authed(s.rules))
	mux.Handle("POST /reconcile/rules", s.authed(s.createRule))
	mux.Handle("POST /reconcile/rules/{id}/edit", s.authed(s.updateRule))
	mux.Handle("POST /reconcile/rules/{id}/delete", s.authed(s.deleteRule))
	mux.Handle("GET /reconcile/templates", s.authed(s.templates))
	mux.Handle("POST /reconcile/templates", s.authed(s.createTemplate))
	mux.Handle("POST /reconcile/templates/{id}/preview", s.authed(s.previewTemplate))
	mux.Handle("POST /reconcile/templates/{id}/edit", s.authed(s.updateTemplate))
	mux.Handle("POST /reconcile/templates/{id}/delete", s.authed(s.deleteTemplate))
	mux.Handle("GET /reminders", s.authed(s.reminders))
	mux.Handle("POST /reminders/run", s.authed(s.runReminders))

	mux.Handle("GET /admin/users", s.admin(s.listUsers))
	mux.Handle("POST /admin/users", s.admin(s.createUser))
	mux.Handle("GET /admin/users/{id}/disable", s.admin(s.confirmDisableUser))
	mux.Handle("POST /admin/users/{id}/disable", s.admin(s.disableUser))
	mux.Handle("GET /admin/tokens", s.admin(s.listTokens))
	mux.Handle("POST /admin/tokens", s.admin(s.createToken))
	mux.Handle("GET /admin/tokens/{id}/revoke", s.admin(s.confirmRevokeToken))
	mux.Handle("POST /admin/tokens/{id}/revoke", s.admin(s.revokeToken))
	mux.Handle("GET /admin/webhooks", s.admin(s.listWebhooks))
	mux.Handle("POST /admin/webhooks", s.admin(s.createWebhook))
	mux.Handle("GET /admin/webhooks/{id}", s.admin(s.viewWebhook))
	mux.Handle("POST /admin/webhooks/{id}/enabled", s.admin(s.setWebhookEnabled))
	mux.Handle("POST /admin/webhooks/{id}/rotate", s.admin(s.rotateWebhookSecret))
	mux.Handle("POST /admin/webhooks/{id}/delete", s.admin(s.deleteWebhook))
	mux.Handle("POST /admin/webhooks/{id}/redeliver", s.admin(s.redeliverWebhook))
	mux.Handle("GET /admin/events", s.admin(s.events))
	mux.Handle("GET /admin/settings", s.admin(s.settings))
	mux.Handle("POST /admin/settings", s.admin(s.saveSettings))
	mux.Handle("POST /admin/period/close", s.admin(s.closePeriod))
	mux.Handle("POST /admin/period/reopen", s.admin(s.reopenPeriod))
	mux.Handle("POST /admin/settings/tolerance", s.admin(s.setTolerance))
	return s.checkText(routed(mux))
}

// routed names the pattern of the page that serves each request for its log line and metrics
// (reqlog): "GET /payments/{id}", never the path with its ids.
func routed(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, pattern := mux.Handler(r); pattern != "" {
			reqlog.SetRoute(r.Context(), pattern)
		}
		mux.ServeHTTP(w, r)
	})
}

func cacheStatic(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		next.ServeHTTP(w, r)
	})
}

// page is what every template receives: the layout's fields and the page's own Data.
type page struct {
	Title    string
	Nav      string // the highlighted menu entry
	User     string
	Role     string
	CanWrite bool
	CSRF     string
	Flash    string // a success message after a redirect
	Error    string // a refusal that names no field
	Fields   map[string]string
	Data     any

	ctx context.Context // the request's, so that a refusal reaches its log line (reqlog)
}

// parseTemplates parses each page together with the layout, once, at start-up.
func parseTemplates() map[string]*template.Template {
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		panic(err)
	}
	pages := map[string]*template.Template{}
	for _, n := range names {
		base := strings.TrimPrefix(n, "templates/")
		if base == "layout.html" {
			continue
		}
		pages[strings.TrimSuffix(base, ".html")] = template.Must(template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n))
	}
	return pages
}

// render writes a page with status; it renders into a buffer first so that a template error
// never leaves half a page behind.
func (s *server) render(w http.ResponseWriter, status int, name string, p *page) {
	var buf bytes.Buffer
	if err := s.pages[name].ExecuteTemplate(&buf, "layout", p); err != nil {
		s.log.Error("rendering page", "page", name, "err", err)
		http.Error(w, "Internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// pageStatus is the API's status table (api.StatusOf) with one exception: a stale form is a
// conflict with what the page showed (409), not a failed If-Match precondition (412) — pages send
// no If-Match header.
func pageStatus(code string) int {
	if code == finapp.EVersionConflict {
		return http.StatusConflict
	}
	return api.StatusOf(code)
}

// refusal turns a domain error into what the page shows: the message next to its field when it
// names one of the form's fields, otherwise above the form. Internal errors are logged and shown
// only as "Internal error".
func (s *server) refusal(p *page, err error, formFields ...string) int {
	var e *finapp.Error
	if !errors.As(err, &e) || e.Code == finapp.EInternal {
		s.log.Error("page request failed", "err", err, "request_id", reqlog.ID(p.ctx))
		p.Error = "Internal error. Please try again; if it persists, tell your administrator."
		return http.StatusInternalServerError
	}
	noteRefusal(p, e)
	for _, f := range formFields {
		if e.Field == f {
			if p.Fields == nil {
				p.Fields = map[string]string{}
			}
			p.Fields[f] = e.Message
			return pageStatus(e.Code)
		}
	}
	p.Error = sentence(e)
	return pageStatus(e.Code)
}

// noteRefusal gives the log line of p's request the refusal's code and sentence.
func noteRefusal(p *page, e *finapp.Error) {
	if p.ctx != nil {
		reqlog.SetReason(p.ctx, e.Code, sentence(e))
	}
}

// sentence is an error as the pages show it: the field it names, then the message. A line of a
// list (allocations[0].amount) is not named: people never typed an index, and the message names
// the invoice.
func sentence(e *finapp.Error) string {
	msg := e.Message
	if e.Field != "" && !strings.Contains(e.Field, "[") {
		msg = strings.ReplaceAll(e.Field, "_", " ") + " " + msg
	}
	if msg != "" {
		msg = strings.ToUpper(msg[:1]) + msg[1:]
	}
	return msg
}

// notFound renders the "no such page" page.
func (s *server) notFound(w http.ResponseWriter, p *page, what string) {
	p.Title = "Not found"
	p.Error = what + " does not exist, or is not in your workspace."
	s.render(w, http.StatusNotFound, "error", p)
}

// fail renders err as a page of its own (for reads that cannot show anything else).
func (s *server) fail(w http.ResponseWriter, p *page, err error) {
	if finapp.ErrorCode(err) == finapp.ENotFound {
		s.notFound(w, p, "This record")
		return
	}
	status := s.refusal(p, err)
	p.Title = "Something went wrong"
	s.render(w, status, "error", p)
}

// readOnly answers a read-only role's request for a write form with a refusal page instead of a
// form it could not submit; it reports whether it did. (The domain refuses such writes anyway.)
func (s *server) readOnly(w http.ResponseWriter, p *page) bool {
	if p.CanWrite {
		return false
	}
	p.Title = "Read only"
	p.Error = "Your role (" + p.Role + ") may only read; ask an administrator for the finance role to make changes."
	s.render(w, http.StatusForbidden, "error", p)
	return true
}

// redirect answers a successful POST with a redirect to the page that shows its result and a
// flash key that page turns into a message.
func redirect(w http.ResponseWriter, r *http.Request, to, done string) {
	if done != "" {
		sep := "?"
		if strings.Contains(to, "?") {
			sep = "&"
		}
		to += sep + "done=" + done
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// flashes are the messages a redirect's done key stands for.
var flashes = map[string]string{
	"recorded":            "Payment recorded.",
	"updated":             "Payment updated.",
	"deleted":             "Payment deleted. It stays visible to auditors in the audit trail.",
	"assigned":            "Payment assigned.",
	"unassigned":          "Payment unassigned; its allocations were released.",
	"allocated":           "Allocated.",
	"auto":                "Auto-allocated, oldest invoice first.",
	"auto-none":           "Nothing to allocate: no open invoice in the payment's currency.",
	"topped-up":           "Credit topped up.",
	"refunded":            "Refund recorded: the money goes back to the customer.",
	"tolerance-set":       "Write-off tolerance saved.",
	"refund-reversed":     "Refund reversed: the money is unapplied again.",
	"withdrawn":           "Credit withdrawn: it is paid out to the customer.",
	"statement-imported":  "Statement imported: its lines are below, with what finapp proposes for each.",
	"line-applied":        "Bank line applied: its payment is recorded and allocated.",
	"lines-applied":       "The selected bank lines are applied.",
	"line-ignored":        "Bank line ignored.",
	"line-undone":         "Undone: the bank line is open again.",
	"rule-saved":          "Matching rule saved: it proposes from the next statement on.",
	"rule-deleted":        "Matching rule deleted. Lines it applied stay applied.",
	"rule-updated":        "Matching rule changed: it proposes as it now reads from the next statement on. Lines it applied stay applied.",
	"template-saved":      "Template saved: preview a file with it, then import statements by it.",
	"template-updated":    "Template changed: the next file is read as it now says. Statements read by it stay as they were read.",
	"template-deleted":    "Template deleted.",
	"withdrawal-reversed": "Withdrawal reversed: the money is back in the customer's credit.",
	"released":            "Allocation released.",
	"org-created":         "Organization created.",
	"settings-saved":      "Payment settings saved.",
	"invoice-issued":      "Invoice issued.",
	"voided":              "Invoice voided; its issue entry is reversed in the ledger.",
	"reminders-run":       "Looked for reminders due now.",
	"logged-out":          "You are logged out.",
	"logged-in":           "",
	// A credit note's page.
	"credit-note-issued":    "Credit note issued.",
	"credit-note-applied":   "Credit note applied.",
	"credit-note-none":      "Nothing to apply it to: the customer has no open standard invoice in the credit note's currency.",
	"credit-note-released":  "Application released: the invoice has that amount due again.",
	"credit-note-refunded":  "Refund recorded: the money goes back to the customer.",
	"credit-note-to-credit": "Moved into the customer's prepaid credit.",
	"credit-note-voided":    "Credit note voided; its issue entry is reversed in the ledger.",
}
