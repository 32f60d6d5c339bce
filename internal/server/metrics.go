package server

import (
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/liaisonbot/liaisonbot/internal/schedule"
)

// metrics are on by default and served at /api/metrics.
type metrics struct {
	registry    *prometheus.Registry
	passes      *prometheus.CounterVec
	passSeconds prometheus.Histogram
	issues      *prometheus.CounterVec
	statements  prometheus.Counter
	requests    *prometheus.CounterVec
	webhooks    *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaisonbot_sync_passes_total", Help: "Sync passes by result (ok or error).",
		}, []string{"result"}),
		passSeconds: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name: "liaisonbot_sync_pass_seconds", Help: "Duration of sync passes.",
			Buckets: prometheus.ExponentialBuckets(0.1, 2, 12),
		}),
		issues: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaisonbot_issues_total", Help: "Statement issues by action (created, updated, failed).",
		}, []string{"action"}),
		statements: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "liaisonbot_statements_changed_total", Help: "Statements stored new or changed from the datatracker.",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "liaisonbot_outbound_requests_total", Help: "HTTP requests to GitHub and the datatracker by service and status code.",
		}, []string{"service", "code"}),
	}
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "liaisonbot_webhook_errors_total", Help: "Webhook deliveries refused or not recorded, by HTTP status.",
	}, []string{"code"})
	m.registry.MustRegister(m.webhooks, m.passes, m.passSeconds, m.issues, m.statements, m.requests,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// webhookRefused counts deliveries refused (400, 413) or not recorded
// (500: GitHub marks them failed and the recovery asks for them again).
func (m *metrics) webhookRefused(code int) {
	m.webhooks.WithLabelValues(strconv.Itoa(code)).Inc()
}

func (m *metrics) observePass(rep schedule.Report, err error, d time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.passes.WithLabelValues(result).Inc()
	m.passSeconds.Observe(d.Seconds())
	m.issues.WithLabelValues("created").Add(float64(rep.Result.Created))
	m.issues.WithLabelValues("updated").Add(float64(rep.Result.Updated))
	m.issues.WithLabelValues("failed").Add(float64(rep.Result.Failed))
	m.statements.Add(float64(rep.Pull.Changed))
}

// countingTransport counts a service's requests by status code.
type countingTransport struct {
	service string
	next    http.RoundTripper
	m       *metrics
}

func (t countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(r)
	code := "error"
	if err == nil {
		code = strconv.Itoa(resp.StatusCode)
	}
	t.m.requests.WithLabelValues(t.service, code).Inc()
	return resp, err
}

func (m *metrics) githubMiddleware(next http.RoundTripper) http.RoundTripper {
	return countingTransport{service: "github", next: next, m: m}
}

// instrument wraps a client's transport so its requests are counted.
func (s *Server) instrument(service string, c *http.Client) *http.Client {
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	out := *c
	out.Transport = countingTransport{service: service, next: next, m: s.metrics}
	return &out
}
