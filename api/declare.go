package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"
)

// routerCodes are the codes of refusals that come from the HTTP layer rather than the books:
// a route asked with a method it does not have, and an Accept header no representation meets.
var routerCodes = []string{"http_method_not_allowed", "http_not_acceptable"}

// ErrorCodes lists every code a problem of the API may carry: the domain's (the statusOf table)
// and the HTTP layer's. The OpenAPI document declares it as the enum of Problem.code.
func ErrorCodes() []string {
	codes := append([]string{}, routerCodes...)
	for code := range statusOf {
		codes = append(codes, code)
	}
	slices.Sort(codes)
	return codes
}

// declareProtocol completes the OpenAPI document with what every operation shares and the
// handlers do not spell out one by one: the server, the code enum of Problem, the refusals each
// kind of operation can answer (each a problem+json; 429 and 503 with Retry-After), and the
// Idempotency-Key every write honours. Generated clients get a typed field per refusal.
func declareProtocol(doc *huma.OpenAPI) {
	doc.Servers = []*huma.Server{{URL: "/", Description: "the finapp server that serves this document"}}
	if p, ok := doc.Components.Schemas.Map()["Problem"]; ok {
		if code, ok := p.Properties["code"]; ok {
			code.Enum = nil
			for _, c := range ErrorCodes() {
				code.Enum = append(code.Enum, c)
			}
		}
	}
	problem := map[string]*huma.MediaType{"application/problem+json": {Schema: &huma.Schema{Ref: "#/components/schemas/Problem"}}}
	retryAfter := map[string]*huma.Param{"Retry-After": {Description: "Seconds to wait before trying again", Schema: &huma.Schema{Type: huma.TypeInteger}}}
	for path, item := range doc.Paths {
		for method, op := range map[string]*huma.Operation{http.MethodGet: item.Get, http.MethodPost: item.Post, http.MethodPut: item.Put,
			http.MethodPatch: item.Patch, http.MethodDelete: item.Delete} {
			if op == nil {
				continue
			}
			declareCSV(op)
			write := method != http.MethodGet
			statuses := []int{http.StatusBadRequest, http.StatusUnauthorized, http.StatusForbidden, http.StatusUnprocessableEntity, http.StatusServiceUnavailable}
			if strings.Contains(path, "{") {
				statuses = append(statuses, http.StatusNotFound)
			}
			if write {
				statuses = append(statuses, http.StatusConflict, http.StatusRequestEntityTooLarge)
				if !hasParam(op, "header", "Idempotency-Key") {
					op.Parameters = append(op.Parameters, &huma.Param{Name: "Idempotency-Key", In: "header", Schema: &huma.Schema{Type: huma.TypeString, MaxLength: intPtr(255)},
						Description: "Repeats with the same key and request answer the first response and change nothing again"})
				}
			}
			if hasParam(op, "header", "If-Match") {
				statuses = append(statuses, http.StatusPreconditionFailed)
			}
			if method == http.MethodPost && path == "/v1/users" { // busy: every password-hashing slot is taken
				statuses = append(statuses, http.StatusTooManyRequests)
			}
			if op.Responses == nil {
				op.Responses = map[string]*huma.Response{}
			}
			for _, status := range statuses {
				key := strconv.Itoa(status)
				if _, ok := op.Responses[key]; ok {
					continue
				}
				r := &huma.Response{Description: http.StatusText(status), Content: problem}
				if status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable {
					r.Headers = retryAfter
				}
				op.Responses[key] = r
			}
		}
	}
}

func hasParam(op *huma.Operation, in, name string) bool {
	for _, p := range op.Parameters {
		if p.In == in && strings.EqualFold(p.Name, name) {
			return true
		}
	}
	return false
}

func intPtr(n int) *int { return &n }
