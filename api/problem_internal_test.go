package api

import (
	"errors"
	"net/http"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"finapp"
)

// A change cut off while committing answers 503 with its own code and no Retry-After: a blind
// retry of it could record the change twice. An unavailable database (nothing written) keeps
// its Retry-After.
func TestProblem_OutcomeUnknownHasNoRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		code       string
		retryAfter bool
	}{
		{finapp.EOutcomeUnknown, false},
		{finapp.EUnavailable, true},
	} {
		err := problem(&finapp.Error{Code: tc.code, Message: "x"})
		var withHeaders huma.HeadersError
		got := ""
		if errors.As(err, &withHeaders) {
			got = withHeaders.GetHeaders().Get("Retry-After")
		}
		var se huma.StatusError
		if !errors.As(err, &se) || se.GetStatus() != http.StatusServiceUnavailable {
			t.Fatalf("%s: got %v, want status 503", tc.code, err)
		}
		if (got != "") != tc.retryAfter {
			t.Errorf("%s: Retry-After %q, want present=%v", tc.code, got, tc.retryAfter)
		}
	}
}
