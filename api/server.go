// Package api serves finapp's JSON API (SPEC §4) with huma, which generates the OpenAPI 3.1
// document at /v1/openapi.json from the same operations that serve the routes.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"
	"github.com/prometheus/client_golang/prometheus"

	"finapp"
	"finapp/api/replay"
	"finapp/auth"
	"finapp/reqlog"
)

// Version is the API's version in the OpenAPI document.
const Version = "1.0.0"

// Deps are what the API adapts: the domain service and the stores of tokens and idempotency keys.
type Deps struct {
	Service     *finapp.Service
	Auth        *auth.Auth
	Idempotency replay.Store
	// Ready reports whether the database answers, for /readyz.
	Ready func(ctx context.Context) error
	// Pages, when set, serves everything outside /v1 and the health checks (the web UI).
	Pages http.Handler
	// TLS says the server serves HTTPS: HSTS is sent.
	TLS bool
	// LostResponseAfter is how long a claimed Idempotency-Key may wait for its response to be
	// stored before a repeat is told the response was lost (default one minute).
	LostResponseAfter time.Duration
	// Log receives one line per request (reqlog); nil means slog.Default().
	Log *slog.Logger
	// Collectors are more metrics served at /metrics (the database's pools and commits).
	Collectors []prometheus.Collector
}

// Handler is the whole API, health checks included.
type Handler struct {
	http.Handler
	idempotency *idempotency
}

// Drain waits until the responses the API is still storing for Idempotency-Keys are stored, or
// ctx ends. Call it after http.Server.Shutdown and before closing the database.
func (h *Handler) Drain(ctx context.Context) error { return h.idempotency.drain(ctx) }

// newOperations registers every operation of the API on a new router, with the document that
// describes them.
func newOperations(d Deps) (*http.ServeMux, huma.API, *metrics) {
	mux := http.NewServeMux()
	config := huma.DefaultConfig("finapp", Version)
	config.Info.Description = "Record the money customers send, assign it to them, allocate it to their invoices and turn the rest into prepaid credit."
	config.OpenAPIPath = "/v1/openapi"
	config.DocsPath = "" // the default renderer loads from a CDN; the JSON document is served instead
	config.SchemasPath = "/v1/schemas"
	config.Components.SecuritySchemes = map[string]*huma.SecurityScheme{
		"bearer": {Type: "http", Scheme: "bearer", Description: "An API token from `finapp token create --role ROLE`."},
	}
	config.Security = []map[string][]string{{"bearer": {}}}
	config.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	config.CreateHooks = nil // no $schema links in bodies: responses carry exactly the documented fields
	humaAPI := humago.New(mux, config)
	m := newMetrics(d.Collectors)
	humaAPI.UseMiddleware(m.observe, enforceAccess(humaAPI))

	h := &handlers{svc: d.Service, auth: d.Auth}
	h.registerOrganizations(humaAPI)
	h.registerInvoices(humaAPI)
	h.registerPayments(humaAPI)
	h.registerLedger(humaAPI)
	h.registerJournalExport(humaAPI)
	h.registerStatement(humaAPI)
	h.registerEvents(humaAPI)
	h.registerWebhooks(humaAPI)
	h.registerReports(humaAPI)
	h.registerReminders(humaAPI)
	h.registerSettings(humaAPI)
	h.registerTolerances(humaAPI)
	h.registerCredit(humaAPI)
	h.registerReservations(humaAPI)
	h.registerWithdrawals(humaAPI)
	h.registerBank(humaAPI)
	h.registerPeriods(humaAPI)
	h.registerRefunds(humaAPI)
	h.registerHistories(humaAPI)
	h.registerCreditNotes(humaAPI)
	h.registerAdmin(humaAPI)
	declareProtocol(humaAPI.OpenAPI())

	return mux, humaAPI, m
}

// Exports serves the CSV exports of the lists and reports (GET /v1/payments and so on, always as
// CSV) to a caller already authenticated (the actor in the request's context): the pages' Export
// buttons, which sign in by session rather than by token. It is the API's own export, with its
// checks, filters and access rules; any other route answers 404.
func Exports(d Deps) http.Handler {
	mux, humaAPI, _ := newOperations(d)
	routes := make([]string, 0, len(humaAPI.OpenAPI().Paths))
	for path := range humaAPI.OpenAPI().Paths {
		routes = append(routes, path)
	}
	index := newRouteIndex(humaAPI.OpenAPI())
	return checkText(routes, onlyExports(index, checkQueryNames(index, exportCSV(index, problemFallback(mux)))))
}

// onlyExports passes on the requests for an export, as CSV, and answers 404 to any other.
func onlyExports(routes *routeIndex, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := csvLists[routes.lookup(r.Method, r.URL.Path).id]; !ok {
			writeProblem(w, errorProblem(finapp.Errorf(finapp.ENotFound, "no export %s", r.URL.Path)))
			return
		}
		q := r.URL.Query()
		q.Set("format", "csv")
		r.URL.RawQuery = q.Encode()
		next.ServeHTTP(w, r)
	})
}

// New returns the HTTP handler of the whole API, health checks included.
func New(d Deps) *Handler {
	mux, humaAPI, m := newOperations(d)
	root := http.NewServeMux()
	root.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ok"}`))
	})
	// Counts and latencies only, no business data: served without a token, for the scraper.
	root.Handle("GET /metrics", m.handler())
	root.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		if d.Ready != nil {
			if err := d.Ready(r.Context()); err != nil {
				writeProblem(w, &Problem{Title: "Service Unavailable", Status: 503, Detail: "database not ready", Code: "not_ready"})
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"ready"}`))
	})
	idem := &idempotency{keys: d.Idempotency, storing: map[string]chan struct{}{}, lostAfter: d.LostResponseAfter}
	if idem.lostAfter <= 0 {
		idem.lostAfter = time.Minute
	}
	routes := make([]string, 0, len(humaAPI.OpenAPI().Paths))
	for path := range humaAPI.OpenAPI().Paths {
		routes = append(routes, path)
	}
	index := newRouteIndex(humaAPI.OpenAPI())
	v1 := authenticate(d.Auth, checkText(routes, checkQueryNames(index, exportCSV(index, idem.wrap(problemFallback(mux))))))
	root.Handle("/v1/", v1)
	if d.Pages != nil {
		root.Handle("/", d.Pages)
	}
	log := d.Log
	if log == nil {
		log = slog.Default()
	}
	routedRoot := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The coarse route ("/v1/", "/"); the API's operations and the pages name theirs.
		if _, pattern := root.Handler(r); pattern != "" {
			reqlog.SetRoute(r.Context(), pattern)
		}
		root.ServeHTTP(w, r)
	})
	return &Handler{Handler: reqlog.Middleware(log, m.observeHTTP, recoverPanics(SecurityHeaders(limitBody(routedRoot), d.TLS))), idempotency: idem}
}

func limitBody(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Limit a shallow copy's body: the server must still see its own request's body, so that
		// when a handler stops reading an oversized body early it closes the connection instead of
		// parsing the unread rest of the body as the next request.
		r = r.WithContext(r.Context())
		limit := int64(maxBodyBytes)
		if r.Method == http.MethodPost && (r.URL.Path == statementUploadPath || r.URL.Path == "/reconcile/upload") {
			limit = maxStatementBytes // spooled to disk as it comes, never held in memory
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		next.ServeHTTP(w, r)
	})
}

func init() {
	// Request members are matched by their exact names. By default huma validates only the member
	// named exactly ("amount") but lets a case variant ("AMOUNT") through unchecked, and
	// encoding/json then decodes whichever of them comes last: {"amount":"1.00","AMOUNT":"2.00"}
	// passed validation on "1.00" and recorded 2.00 (found by FuzzRecordPaymentRequest). With
	// strict casing a case variant is refused as an unexpected property.
	huma.ValidateStrictCasing = true
}

type handlers struct {
	svc  *finapp.Service
	auth *auth.Auth
}

// etag is the strong validator of a Versioned resource.
// schemaName names the schemas of the OpenAPI document. A named Go type keeps its name; an
// anonymous body is named after its operation, which huma spells "List-tokensResponse": client
// generators turn that into ListTokensResponse, the very name they give the operation's own
// response wrapper, and the generated code does not compile. So: ListTokensResult and
// CreateTokenRequest.
func schemaName(t reflect.Type, hint string) string {
	name := huma.DefaultSchemaNamer(t, hint)
	if !strings.Contains(name, "-") {
		return name
	}
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	name = b.String()
	if base, ok := strings.CutSuffix(name, "Response"); ok {
		name = base + "Result"
	}
	return name
}

// writeWindow is how long a streamed answer (an export) may take to write its next part: each
// part moves the connection's write deadline on by it, so that a large export to a client that
// keeps reading is not cut off by the server's overall WriteTimeout.
const writeWindow = time.Minute

// deadlineWriter is an answer's writer that moves the write deadline on as it writes.
type deadlineWriter struct {
	w    http.ResponseWriter
	next time.Time
}

func (d *deadlineWriter) Write(p []byte) (int, error) {
	if now := time.Now(); now.After(d.next) {
		// A writer that cannot move its deadline (a test recorder) keeps the server's.
		_ = http.NewResponseController(d.w).SetWriteDeadline(now.Add(writeWindow))
		d.next = now.Add(writeWindow / 2)
	}
	return d.w.Write(p)
}

// created is the answer of a request that made a resource: 201 with the resource, its version
// and, in Location, the path that reads (or, for tokens and users, removes) it.
type created[T any] struct {
	ETag     string `header:"ETag"`
	Location string `header:"Location"`
	Body     T
}

func etag(version int) string { return `"` + strconv.Itoa(version) + `"` }

// ifMatch reads an If-Match header: "" or "*" means no precondition (0). A value that names no
// version of ours can never match, so it is a version conflict.
func ifMatch(h string) (int, error) {
	h = strings.TrimSpace(h)
	if h == "" || h == "*" {
		return 0, nil
	}
	v := strings.Trim(strings.TrimPrefix(h, "W/"), `"`)
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0, problem(finapp.Errorf(finapp.EVersionConflict, "If-Match %q does not name a version of this resource", h))
	}
	return n, nil
}

// problemFallback answers the router's own refusals (no such route: 404; a route without that
// method: 405, with its Allow header) as problem+json like every other refusal of the API,
// instead of the router's plain text.
func problemFallback(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r) // the mux, not h: it sets the path values h reads
			return
		}
		probe := &statusProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if allow := probe.header.Get("Allow"); allow != "" {
			w.Header().Set("Allow", allow)
		}
		status := probe.status
		if status == 0 {
			status = http.StatusNotFound
		}
		detail := "no route " + r.URL.Path + " (the routes are listed in /v1/openapi.json)"
		if status == http.StatusMethodNotAllowed {
			detail = r.Method + " is not allowed on " + r.URL.Path + "; allowed: " + w.Header().Get("Allow")
		}
		writeProblem(w, &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: detail, Code: codeOfStatus(status)})
	})
}

// statusProbe records what the router's fallback handler would answer, writing nothing.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) {
	if p.status == 0 {
		p.status = http.StatusOK
	}
	return len(b), nil
}
func (p *statusProbe) WriteHeader(status int) {
	if p.status == 0 {
		p.status = status
	}
}
