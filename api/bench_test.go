package api_test

import (
	"bytes"
	"fmt"
	"net/http"
	"sync/atomic"
	"testing"
)

// BenchmarkAPI_RecordPayment is the record workload of cmd/finapp-bench inside one process: real
// HTTP on loopback, a real SQLite file (group commit), a fresh Idempotency-Key per request, 16
// clients per core. Run it with -cpuprofile to see where a request's time goes.
func BenchmarkAPI_RecordPayment(b *testing.B) {
	s := newTestServer(b)
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256}}
	var n atomic.Int64
	body := []byte(`{"amount":"125.50","currency":"SGD","method":"bank_transfer","reference":"TT-778812"}`)
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			req, _ := http.NewRequest("POST", s.URL+"/v1/payments", bytes.NewReader(body))
			req.Header.Set("Authorization", "Bearer "+s.Token)
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", n.Add(1)))
			res, err := client.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			var buf bytes.Buffer
			_, _ = buf.ReadFrom(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusCreated {
				b.Errorf("status %d: %s", res.StatusCode, buf.Bytes())
				return
			}
		}
	})
}
