package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/inbox"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// commentPayload is GitHub's real issue_comment.created payload when it is
// beside the project, else a minimal one of the same shape.
func commentPayload(t *testing.T) []byte {
	t.Helper()
	if p := realworld.Optional(t, "webhooks/issue_comment.created.json"); p != "" {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	return []byte(`{"action":"created","issue":{"number":1},"comment":{"id":1,"body":"/close"},"repository":{"full_name":"o/r"},"sender":{"login":"alice"}}`)
}

// recorder is a handler that counts calls and fails while failing > 0.
type recorder struct {
	mu      sync.Mutex
	calls   map[string]int
	failing int
}

func (r *recorder) Handles() []string { return []string{"issue_comment"} }
func (r *recorder) Handle(_ context.Context, _, id string, _ []byte) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls[id]++
	if r.failing > 0 {
		r.failing--
		return errors.New("GitHub is down")
	}
	return nil
}
func (r *recorder) count(id string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[id]
}

type ingest struct {
	t    *testing.T
	st   *store.Store
	path string
	rec  *recorder
	in   *inbox.Inbox
	h    http.Handler
	stop func()
}

func newIngest(t *testing.T, path string, rec *recorder, workers int) *ingest {
	t.Helper()
	st, err := store.Open(context.Background(), "sqlite:"+path)
	if err != nil {
		t.Fatal(err)
	}
	in := inbox.New(st, zerolog.Nop(), rec)
	in.Workers = workers
	in.MaxAttempts = 3
	in.Backoff = func(int) time.Duration { return 10 * time.Millisecond }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { in.Run(ctx); close(done) }()
	g := &ingest{t: t, st: st, path: path, rec: rec, in: in, h: webhookHandler(benchSecret, in, []githubapp.EventHandler{rec}, nil)}
	g.stop = func() { cancel(); <-done; st.Close() }
	t.Cleanup(func() {
		if g.stop != nil {
			g.stop()
		}
	})
	return g
}

func (g *ingest) shutdown() { g.stop(); g.stop = nil }

func (g *ingest) post(id string, body []byte, mutate ...func(*http.Request)) int {
	r := httptest.NewRequest(http.MethodPost, WebhookRoute, bytes.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-GitHub-Event", "issue_comment")
	r.Header.Set("X-GitHub-Delivery", id)
	r.Header.Set("X-Hub-Signature-256", sign(body))
	for _, m := range mutate {
		m(r)
	}
	w := httptest.NewRecorder()
	g.h.ServeHTTP(w, r)
	return w.Code
}

func (g *ingest) status(id string) string {
	st, _, err := g.st.DeliveryStatus(context.Background(), id)
	if err != nil {
		g.t.Fatal(err)
	}
	return st
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestWebhookRefusesBadDeliveriesAndRecordsNothing(t *testing.T) {
	g := newIngest(t, filepath.Join(t.TempDir(), "lb.db"), &recorder{calls: map[string]int{}}, 1)
	body := commentPayload(t)
	tests := []struct {
		name   string
		mutate func(*http.Request)
		want   int
	}{
		{"bad signature", func(r *http.Request) { r.Header.Set("X-Hub-Signature-256", "sha256="+fmt.Sprintf("%064x", 0)) }, http.StatusBadRequest},
		{"missing signature", func(r *http.Request) { r.Header.Del("X-Hub-Signature-256") }, http.StatusBadRequest},
		{"missing delivery id", func(r *http.Request) { r.Header.Del("X-GitHub-Delivery") }, http.StatusBadRequest},
		{"missing event", func(r *http.Request) { r.Header.Del("X-GitHub-Event") }, http.StatusBadRequest},
		{"oversized", func(r *http.Request) { r.ContentLength = MaxPayload + 1 }, http.StatusRequestEntityTooLarge},
		{"oversized without a length", func(r *http.Request) {
			r.ContentLength = -1
			r.Body = http.NoBody
			big := bytes.Repeat([]byte(" "), MaxPayload+1)
			r.Body = nopCloser{bytes.NewReader(big)}
			r.Header.Set("X-Hub-Signature-256", sign(big))
		}, http.StatusRequestEntityTooLarge},
		{"not JSON", func(r *http.Request) { r.Header.Set("Content-Type", "application/x-www-form-urlencoded") }, http.StatusBadRequest},
		{"sha1 only", func(r *http.Request) {
			r.Header.Del("X-Hub-Signature-256")
			r.Header.Set("X-Hub-Signature", "sha1=0000000000000000000000000000000000000000")
		}, http.StatusBadRequest},
	}
	for i, tc := range tests {
		id := fmt.Sprintf("bad-%d", i)
		if got := g.post(id, body, tc.mutate); got != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, got, tc.want)
		}
		if st := g.status(id); st != "" {
			t.Errorf("%s: the refused delivery was recorded as %s", tc.name, st)
		}
	}
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

func TestWebhookSameDeliveryOnceFailedOneAgain(t *testing.T) {
	rec := &recorder{calls: map[string]int{}}
	g := newIngest(t, filepath.Join(t.TempDir(), "lb.db"), rec, 2)
	body := commentPayload(t)
	if got := g.post("d1", body); got != http.StatusOK {
		t.Fatalf("status %d", got)
	}
	if got := g.post("d1", body); got != http.StatusOK {
		t.Fatalf("a repeated delivery: status %d, want 200 (GitHub must not see a failure)", got)
	}
	waitFor(t, "d1 done", func() bool { return g.status("d1") == store.DeliveryDone })
	time.Sleep(50 * time.Millisecond)
	if n := rec.count("d1"); n != 1 {
		t.Errorf("the same delivery was handled %d times", n)
	}

	// A handler that keeps failing: retried, then kept as failed with its error.
	rec.mu.Lock()
	rec.failing = 3
	rec.mu.Unlock()
	g.post("d2", body)
	waitFor(t, "d2 failed", func() bool { return g.status("d2") == store.DeliveryFailed })
	if n := rec.count("d2"); n != 3 {
		t.Errorf("a failing delivery was tried %d times, want 3", n)
	}
	failed, _ := g.st.Deliveries(context.Background(), store.DeliveryFailed, 10)
	if len(failed) != 1 || failed[0].LastError != "GitHub is down" {
		t.Errorf("failed deliveries = %+v", failed)
	}
	// GitHub's Redeliver reuses the id: a failed delivery is processed again.
	g.post("d2", body)
	waitFor(t, "d2 done", func() bool { return g.status("d2") == store.DeliveryDone })
	if n := rec.count("d2"); n != 4 {
		t.Errorf("the redelivered delivery was handled %d times in all, want 4", n)
	}
}

func TestWebhookInboxSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "lb.db")
	rec := &recorder{calls: map[string]int{}}
	g := newIngest(t, path, rec, 0) // recording only: the process "dies" before processing
	body := commentPayload(t)
	for i := 0; i < 5; i++ {
		if got := g.post(fmt.Sprintf("r%d", i), body); got != http.StatusOK {
			t.Fatalf("status %d", got)
		}
	}
	g.shutdown()
	if n := len(rec.calls); n != 0 {
		t.Fatalf("%d deliveries handled before the restart", n)
	}
	g2 := newIngest(t, path, rec, 2)
	for i := 0; i < 5; i++ {
		id := fmt.Sprintf("r%d", i)
		waitFor(t, id+" done", func() bool { return g2.status(id) == store.DeliveryDone })
		if n := rec.count(id); n != 1 {
			t.Errorf("%s handled %d times", id, n)
		}
	}
}
