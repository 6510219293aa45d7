package api

import (
	"errors"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// Retry-After tells a client when to come back, per refusal: never after a change whose outcome
// is unknown (a blind retry could make it twice), a second for a database that is unavailable
// (nothing written) or for hashing slots all taken, the throttling window for a locked login.
func TestProblem_RetryAfterFitsTheRefusal(t *testing.T) {
	for _, tc := range []struct {
		code       string
		status     int
		retryAfter string
	}{
		{finapp.EOutcomeUnknown, 503, ""},
		{finapp.EUnavailable, 503, "1"},
		{finapp.EBusy, 429, "1"},
		{finapp.ETooManyAttempts, 429, "900"},
		{finapp.EOverAllocation, 409, ""},
	} {
		err := problem(&finapp.Error{Code: tc.code, Message: "x"})
		var withHeaders huma.HeadersError
		got := ""
		if errors.As(err, &withHeaders) {
			got = withHeaders.GetHeaders().Get("Retry-After")
		}
		var se huma.StatusError
		if !errors.As(err, &se) || se.GetStatus() != tc.status {
			t.Errorf("%s: got %v, want status %d", tc.code, err, tc.status)
		}
		if got != tc.retryAfter {
			t.Errorf("%s: Retry-After %q, want %q", tc.code, got, tc.retryAfter)
		}
	}
}
