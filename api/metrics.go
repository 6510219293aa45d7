package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"finapp/reqlog"
)

// metrics are the server's Prometheus metrics, on a registry of their own so that several servers
// (tests) can live in one process.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
	http     *prometheus.CounterVec
}

func newMetrics(extra []prometheus.Collector) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "finapp_api_requests_total",
			Help: "API requests answered, by operation and status code.",
		}, []string{"operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "finapp_api_request_duration_seconds",
			Help:    "Time to answer an API request, by operation.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
		}, []string{"operation"}),
	}
	m.http = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "finapp_http_requests_total",
		Help: "Every HTTP request answered — API, pages, health checks, and those refused before any operation (401, 404, 405) — by route pattern (\"\" when none matched) and status code.",
	}, []string{"route", "code"})
	build := prometheus.NewGaugeVec(prometheus.GaugeOpts{
		Name: "finapp_build_info",
		Help: "Always 1: the version, VCS revision and Go version of the running binary.",
	}, []string{"version", "revision", "goversion"})
	b := ReadBuild()
	build.WithLabelValues(b.Version, b.Revision, b.GoVersion).Set(1)
	m.registry.MustRegister(m.requests, m.duration, m.http, build,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.registry.MustRegister(extra...)
	return m
}

// observeHTTP counts one answered request (reqlog.Observer).
func (m *metrics) observeHTTP(route string, status int, _ time.Duration) {
	m.http.WithLabelValues(route, strconv.Itoa(status)).Inc()
}

// observe is huma middleware that counts and times every operation, and names its route for the
// request's log line.
func (m *metrics) observe(ctx huma.Context, next func(huma.Context)) {
	start := time.Now()
	if op := ctx.Operation(); op != nil {
		reqlog.SetRoute(ctx.Context(), op.Method+" "+op.Path)
	}
	next(ctx)
	op := ctx.Operation().OperationID
	m.duration.WithLabelValues(op).Observe(time.Since(start).Seconds())
	m.requests.WithLabelValues(op, strconv.Itoa(ctx.Status())).Inc()
}

// handler serves the metrics in Prometheus' text format.
func (m *metrics) handler() http.Handler {
	return promhttp.HandlerFor(m.registry, promhttp.HandlerOpts{})
}
