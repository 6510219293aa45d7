package api

import (
	"errors"
	"log/slog"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/validation"

	"finapp"
)

// Problem is an RFC 9457 problem detail with finapp's stable error code and, for input errors,
// the field at fault.
type Problem struct {
	Type   string              `json:"type,omitempty" doc:"Always about:blank; the code says what happened"`
	Title  string              `json:"title" doc:"The HTTP status text"`
	Status int                 `json:"status" doc:"The HTTP status code"`
	Detail string              `json:"detail" doc:"A sentence for people that names the field or the rule"`
	Code   string              `json:"code" doc:"A stable code for machines, e.g. over_allocation"`
	Field  string              `json:"field,omitempty" doc:"The request field at fault, e.g. amount or allocations[1].invoice_id"`
	Errors []*huma.ErrorDetail `json:"errors,omitempty" doc:"Every field error found, when there are several"`
}

func (p *Problem) Error() string  { return p.Detail }
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma send problems as application/problem+json.
func (p *Problem) ContentType(string) string { return "application/problem+json" }

// statusOf maps each domain error code to its HTTP status: the one table of it.
var statusOf = map[string]int{
	finapp.EInvalid:                 http.StatusUnprocessableEntity,
	finapp.ENotFound:                http.StatusNotFound,
	finapp.EUnauthorized:            http.StatusUnauthorized,
	finapp.EForbidden:               http.StatusForbidden,
	finapp.EConflict:                http.StatusConflict,
	finapp.EOverAllocation:          http.StatusConflict,
	finapp.EPaymentUnassigned:       http.StatusConflict,
	finapp.EOrganizationMismatch:    http.StatusUnprocessableEntity,
	finapp.ECurrencyMismatch:        http.StatusUnprocessableEntity,
	finapp.EAssignmentLimit:         http.StatusConflict,
	finapp.EPaymentInUse:            http.StatusConflict,
	finapp.EInvoiceProvisioned:      http.StatusConflict,
	finapp.EAmountBelowApplied:      http.StatusConflict,
	finapp.EInvoiceHasPayments:      http.StatusConflict,
	finapp.EPeriodClosed:            http.StatusConflict,
	finapp.EInvoiceVoid:             http.StatusConflict,
	finapp.EOverTolerance:           http.StatusConflict,
	finapp.EInsufficientCredit:      http.StatusConflict,
	finapp.EReservationClosed:       http.StatusConflict,
	finapp.ECreditAboveInvoice:      http.StatusConflict,
	finapp.ECreditNoteInUse:         http.StatusConflict,
	finapp.EDuplicate:               http.StatusConflict,
	finapp.EVersionConflict:         http.StatusPreconditionFailed,
	finapp.EIdempotencyReused:       http.StatusUnprocessableEntity,
	finapp.EIdempotencyInFlight:     http.StatusConflict,
	finapp.EIdempotencyResponseLost: http.StatusConflict,
	finapp.ETooManyAttempts:         http.StatusTooManyRequests,
	finapp.EBusy:                    http.StatusTooManyRequests,
	finapp.EUnavailable:             http.StatusServiceUnavailable,
	finapp.EOutcomeUnknown:          http.StatusServiceUnavailable,
	finapp.EInternal:                http.StatusInternalServerError,
}

// StatusOf is the HTTP status of a domain error code, for the API and the pages alike; an unknown
// code is an internal error.
func StatusOf(code string) int {
	if status, ok := statusOf[code]; ok {
		return status
	}
	return http.StatusInternalServerError
}

// codeOfStatus names the code of errors that huma itself raises (bad JSON, failed schema checks).
func codeOfStatus(status int) string {
	switch status {
	case http.StatusBadRequest, http.StatusUnprocessableEntity, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
		return finapp.EInvalid
	case http.StatusNotFound:
		return finapp.ENotFound
	case http.StatusUnauthorized:
		return finapp.EUnauthorized
	case http.StatusForbidden:
		return finapp.EForbidden
	case http.StatusPreconditionFailed:
		return finapp.EVersionConflict
	case http.StatusConflict:
		return finapp.EConflict
	}
	if status >= 500 {
		return finapp.EInternal
	}
	return "http_" + strings.ToLower(strings.ReplaceAll(http.StatusText(status), " ", "_"))
}

func init() {
	// Every error huma writes, including its own validation errors, becomes a Problem with a code
	// and, when huma located it, the field.
	huma.NewError = func(status int, msg string, errs ...error) huma.StatusError {
		p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: msg, Code: codeOfStatus(status)}
		for _, err := range errs {
			var d huma.ErrorDetailer
			if errors.As(err, &d) {
				detail := d.ErrorDetail()
				if secretField(detail.Location) {
					detail.Value = nil // an answer is logged and shown: a secret sent is not repeated
				}
				p.Errors = append(p.Errors, detail)
				if p.Field == "" {
					p.Field = fieldOf(detail.Location)
					if name := missingProperty(detail.Message); name != "" {
						// huma locates a missing member at its parent object ("body",
						// "body.allocations[0]"); the field at fault is the member itself.
						p.Field = strings.TrimPrefix(p.Field+"."+name, ".")
					}
				}
			} else if err != nil {
				p.Errors = append(p.Errors, &huma.ErrorDetail{Message: err.Error()})
			}
		}
		if len(p.Errors) > 0 {
			first := p.Errors[0]
			p.Detail = strings.TrimSuffix(msg, ".") + ": " + strings.TrimPrefix(first.Location+" ", " ") + first.Message
			p.Detail = strings.TrimSpace(p.Detail)
		}
		return p
	}
}

// secretField reports whether a located field holds a secret (a password, a token, a webhook
// secret), whose value a refusal must not echo.
func secretField(location string) bool {
	name := strings.ToLower(location[strings.LastIndexAny(location, ".[")+1:])
	return strings.Contains(name, "password") || strings.Contains(name, "secret") || strings.Contains(name, "token")
}

// missingProperty returns X of huma's "expected required property X to be present", or "".
func missingProperty(msg string) string {
	prefix, suffix, ok := strings.Cut(validation.MsgExpectedRequiredProperty, "%s")
	if !ok {
		return ""
	}
	name, ok := strings.CutPrefix(msg, prefix)
	if !ok {
		return ""
	}
	name, ok = strings.CutSuffix(name, suffix)
	if !ok {
		return ""
	}
	return name
}

// fieldOf turns huma's "body.allocations[0].amount" or "query.limit" into the field name.
func fieldOf(location string) string {
	for _, prefix := range []string{"body.", "query.", "path.", "header."} {
		if strings.HasPrefix(location, prefix) {
			return strings.TrimPrefix(location, prefix)
		}
	}
	if location == "body" {
		return ""
	}
	return location
}

// problem converts an error from the domain into the HTTP error huma writes. Errors without a
// domain code are logged and answered with a bare "internal error": their text may hold details
// that are not the caller's business.
func problem(err error) error {
	var batch *finapp.BatchError
	if errors.As(err, &batch) && len(batch.Items) > 0 {
		// The first refusal sets the status and code; errors[] lists every refused item.
		first := batch.Items[0]
		status := StatusOf(first.Code)
		p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: batch.Error(), Code: first.Code, Field: first.Field}
		for _, it := range batch.Items {
			p.Errors = append(p.Errors, &huma.ErrorDetail{Message: it.Message + " (" + it.Code + ")", Location: "body." + it.Field})
		}
		return p
	}
	var e *finapp.Error
	if !errors.As(err, &e) {
		slog.Error("internal error", "err", err)
		return &Problem{Type: "about:blank", Title: "Internal Server Error", Status: 500, Detail: "internal error", Code: finapp.EInternal}
	}
	status := StatusOf(e.Code)
	if e.Code == finapp.EInvalid && e.Field == "cursor" {
		// A cursor is the server's own token (the next_cursor of the page before): one it did
		// not issue is a malformed request, like a parameter the route does not have, not a
		// wrong value of the client's.
		status = http.StatusBadRequest
	}
	p := &Problem{Type: "about:blank", Title: http.StatusText(status), Status: status, Detail: e.Error(), Code: e.Code, Field: e.Field}
	if after := retryAfter(status, e.Code); after != "" {
		return huma.ErrorWithHeaders(p, http.Header{"Retry-After": {after}})
	}
	return p
}

// retryAfter is the Retry-After of a status that asks the client to come back: a moment for an
// unavailable database, the throttling window for too many logins. A change whose outcome is
// unknown gets none: repeating it blindly could make it twice (only a keyed repeat is safe).
func retryAfter(status int, code string) string {
	switch code {
	case finapp.EOutcomeUnknown:
		return ""
	case finapp.EBusy:
		return "1"
	}
	switch status {
	case http.StatusServiceUnavailable:
		return "1"
	case http.StatusTooManyRequests:
		return "900"
	}
	return ""
}
