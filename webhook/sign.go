package webhook

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"
)

// Message is one delivery of one event: ID is the same on every attempt (receivers deduplicate
// by it), At is the attempt's time (webhook-timestamp), Body the exact bytes sent.
type Message struct {
	ID   string
	At   time.Time
	Body []byte
}

// Headers returns the Standard Webhooks headers of m signed with every secret given: while a
// secret is being rotated both the new and the old one sign, and a receiver accepts either.
func Headers(m Message, secrets ...string) (http.Header, error) {
	if len(secrets) == 0 {
		return nil, fmt.Errorf("webhook %s: no signing secret", m.ID)
	}
	sigs := make([]string, 0, len(secrets))
	for _, s := range secrets {
		wh, err := standardwebhooks.NewWebhook(s)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: signing secret: %w", m.ID, err)
		}
		sig, err := wh.Sign(m.ID, m.At, m.Body)
		if err != nil {
			return nil, fmt.Errorf("webhook %s: %w", m.ID, err)
		}
		sigs = append(sigs, sig)
	}
	h := http.Header{}
	h.Set("webhook-id", m.ID)
	h.Set("webhook-timestamp", strconv.FormatInt(m.At.Unix(), 10))
	h.Set("webhook-signature", strings.Join(sigs, " "))
	h.Set("Content-Type", "application/json")
	return h, nil
}
