package server

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	vm "github.com/VictoriaMetrics/metrics"

	"github.com/liaisonbot/liaisonbot/internal/schedule"
)

// metrics are on by default and served at /api/metrics in Prometheus's text
// format. They are kept with VictoriaMetrics/metrics rather than the
// Prometheus client: the client links protobuf and its descriptors, about
// 2 MB of the binary that stay resident in a server whose whole budget is
// 30 MiB (bench/RESULTS.md). The series and their names are the same.
type metrics struct {
	set         *vm.Set
	passSeconds *vm.PrometheusHistogram
	statements  *vm.Counter
}

func init() {
	// # HELP and # TYPE lines, as Prometheus's own exposition has them.
	vm.ExposeMetadata(true)
}

func newMetrics() *metrics {
	set := vm.NewSet()
	m := &metrics{
		set:         set,
		passSeconds: set.NewPrometheusHistogramExt("liaisonbot_sync_pass_seconds", vm.ExponentialBuckets(0.1, 2, 12)),
		statements:  set.NewCounter("liaisonbot_statements_changed_total"),
	}
	// Series that exist before their first event, so a rate over them is
	// defined from the start.
	for _, r := range []string{"ok", "error"} {
		m.counter("liaisonbot_sync_passes_total", "result", r)
	}
	for _, a := range []string{"created", "updated", "failed"} {
		m.counter("liaisonbot_issues_total", "action", a)
	}
	return m
}

// counter is the series of name with one label; names and label values are
// the app's own words, never outside text.
func (m *metrics) counter(name, label, value string) *vm.Counter {
	return m.set.GetOrCreateCounter(fmt.Sprintf("%s{%s=%q}", name, label, value))
}

// ServeHTTP writes the app's series, then the Go runtime's and the
// process's (go_*, process_*).
func (m *metrics) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	m.set.WritePrometheus(w)
	vm.WriteProcessMetrics(w)
}

// webhookRefused counts deliveries refused (400, 413) or not recorded
// (500: GitHub marks them failed and the recovery asks for them again).
func (m *metrics) webhookRefused(code int) {
	m.counter("liaisonbot_webhook_errors_total", "code", strconv.Itoa(code)).Inc()
}

func (m *metrics) observePass(rep schedule.Report, err error, d time.Duration) {
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.counter("liaisonbot_sync_passes_total", "result", result).Inc()
	m.passSeconds.Update(d.Seconds())
	m.counter("liaisonbot_issues_total", "action", "created").Add(rep.Result.Created)
	m.counter("liaisonbot_issues_total", "action", "updated").Add(rep.Result.Updated)
	m.counter("liaisonbot_issues_total", "action", "failed").Add(rep.Result.Failed)
	m.statements.Add(rep.Pull.Changed)
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
	// Labels in name order, as Prometheus writes them.
	t.m.set.GetOrCreateCounter(fmt.Sprintf("liaisonbot_outbound_requests_total{code=%q,service=%q}", code, t.service)).Inc()
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
