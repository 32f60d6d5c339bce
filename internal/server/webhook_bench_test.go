package server

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/inbox"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

const benchSecret = "bench-secret"

// handlerFunc is an EventHandler for one event type.
type handlerFunc struct {
	event string
	fn    func(payload []byte) error
}

func (h handlerFunc) Handles() []string { return []string{h.event} }
func (h handlerFunc) Handle(_ context.Context, _, _ string, p []byte) error {
	return h.fn(p)
}

func sign(body []byte) string {
	m := hmac.New(sha256.New, []byte(benchSecret))
	m.Write(body)
	return "sha256=" + hex.EncodeToString(m.Sum(nil))
}

// runSenders sends b.N deliveries of payload to h from `senders`
// goroutines, each with its own delivery id, and reports deliveries per
// second and the 99th percentile latency.
func runSenders(b *testing.B, h http.Handler, payload []byte, senders int) {
	sig := sign(payload)
	var next atomic.Int64
	lat := make([][]time.Duration, senders)
	var wg sync.WaitGroup
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	for g := 0; g < senders; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for {
				i := next.Add(1)
				if i > int64(b.N) {
					return
				}
				r := httptest.NewRequest(http.MethodPost, WebhookRoute, bytes.NewReader(payload))
				r.Header.Set("Content-Type", "application/json")
				r.Header.Set("X-GitHub-Event", "issue_comment")
				r.Header.Set("X-GitHub-Delivery", fmt.Sprintf("%s-%d", b.Name(), i))
				r.Header.Set("X-Hub-Signature-256", sig)
				w := httptest.NewRecorder()
				t0 := time.Now()
				h.ServeHTTP(w, r)
				lat[g] = append(lat[g], time.Since(t0))
				if w.Code != http.StatusOK {
					b.Errorf("status %d: %s", w.Code, w.Body.String())
					return
				}
			}
		}(g)
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(len(all))/elapsed.Seconds(), "deliveries/s")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds())/1000, "p99-ms")
	}
}

// BenchmarkWebhookIngest compares, side by side in one run and on the same
// signed issue_comment.created payload from 32 concurrent senders, the
// durable ingest (verify the signature, commit the delivery to the SQLite
// inbox with a synced commit, answer) with a bare go-githubapp dispatcher
// whose handler decodes the full github.IssueCommentEvent (and stores
// nothing). bench/RESULTS.md records its figures.
func BenchmarkWebhookIngest(b *testing.B) {
	payload, err := os.ReadFile(realworld.Require(b, "webhooks/issue_comment.created.json"))
	if err != nil {
		b.Fatal(err)
	}
	const senders = 32

	b.Run("baseline-dispatcher-decode", func(b *testing.B) {
		decode := handlerFunc{"issue_comment", func(p []byte) error {
			var ev github.IssueCommentEvent
			return json.Unmarshal(p, &ev)
		}}
		runSenders(b, githubapp.NewEventDispatcher([]githubapp.EventHandler{decode}, benchSecret), payload, senders)
	})

	b.Run("durable-inbox", func(b *testing.B) {
		st, err := store.Open(context.Background(), "sqlite:"+filepath.Join(b.TempDir(), "inbox.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer st.Close()
		noop := handlerFunc{"issue_comment", func([]byte) error { return nil }}
		in := inbox.New(st, zerolog.Nop(), noop)
		in.Workers = 0 // ingest only: verify, record, answer
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { in.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		runSenders(b, webhookHandler(benchSecret, in, []githubapp.EventHandler{noop}, nil), payload, senders)
		pending, err := st.Deliveries(context.Background(), store.DeliveryPending, b.N+1)
		if err != nil || len(pending) < b.N {
			b.Errorf("%d deliveries recorded, want %d (%v)", len(pending), b.N, err)
		}
	})
}
