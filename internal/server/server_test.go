package server

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	"github.com/liaisonbot/liaisonbot/internal/templates/templatestest"
)

const repo = "ietf-liaisons/itu-t"

func setup(t *testing.T, adjust ...func(*config.Config)) (*Server, *githubtest.Server, *datatrackertest.Server) {
	t.Helper()
	gh := githubtest.New(t)
	dt := datatrackertest.New(t)
	gh.AddRepo(repo)
	gh.AddInstallation(7, "ietf-liaisons", repo)
	gh.PutFile(repo, "", ".github/liaison.yml", []byte("since: 2025-01-01\n"))
	gh.AddRepo(templates.DefaultRepo, githubtest.Public())
	for n, b := range templatestest.Files(t) {
		gh.PutFile(templates.DefaultRepo, "main", n, b)
	}
	dt.AddGroup(liaison.Group{ID: 1, Acronym: "itu-t-sg-13", Name: "ITU-T SG13", Type: "sdo"})
	dt.AddGroup(liaison.Group{ID: 2, Acronym: "ietf", Name: "IETF", Type: "ietf"})
	for i := 0; i < 3; i++ {
		dt.AddStatement(datatrackertest.Statement{Title: "LS", Purpose: "info", FromGroups: []int{1}, ToGroups: []int{2}, FromContact: "a@itu.int", Body: "x"})
	}

	cfg := config.Default()
	cfg.Github.V3APIURL = gh.URL()
	cfg.Github.App.IntegrationID = gh.AppID()
	cfg.Github.App.PrivateKey = string(gh.PrivateKeyPEM())
	cfg.Github.App.WebhookSecret = "s"
	cfg.Datatracker.URL = dt.URL()
	cfg.Store.DSN = "sqlite:" + filepath.Join(t.TempDir(), "lb.db")
	for _, a := range adjust {
		a(cfg)
	}
	srv, err := New(context.Background(), cfg, zerolog.Nop(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, gh, dt
}

// TestIdlePassInOneProcessIsFree: in a long-running server the installation
// listing is kept and the repository config is revalidated with a
// conditional request, so an idle pass costs no rate limit and no write.
func TestIdlePassInOneProcessIsFree(t *testing.T) {
	srv, gh, _ := setup(t)
	ctx := context.Background()
	if rep, err := srv.Pass(ctx, schedule.Options{}); err != nil || rep.Result.Created != 3 {
		t.Fatalf("first pass: %+v, %v", rep, err)
	}
	gh.ResetCounts()
	if _, err := srv.Pass(ctx, schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	c := gh.Counts()
	if c.Writes != 0 || c.RateLimited != 0 {
		t.Errorf("idle pass wrote: %v", c.ByRoute)
	}
	if c.Reads != c.NotModified {
		t.Errorf("idle pass: %d reads, only %d of them free 304s: %v", c.Reads, c.NotModified, c.ByRoute)
	}
	t.Logf("idle pass in one process: %d requests, %d of them 304: %v", c.Requests, c.NotModified, c.ByRoute)
}

func TestServeHealthMetricsAndShutdown(t *testing.T) {
	srv, gh, _ := setup(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	base := "http://" + ln.Addr().String()

	// The poller's first pass runs at once.
	deadline := time.Now().Add(10 * time.Second)
	var health map[string]any
	for time.Now().Before(deadline) {
		resp, err := http.Get(base + "/api/health")
		if err == nil {
			json.NewDecoder(resp.Body).Decode(&health)
			resp.Body.Close()
			if health["last_successful_pass"] != nil {
				break
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	if v, _ := health["version"].(string); health["status"] != "ok" || health["last_successful_pass"] == nil || v == "" {
		t.Fatalf("health = %v", health)
	}
	if n := len(gh.Issues(repo)); n != 3 {
		t.Errorf("the poller made %d issues, want 3", n)
	}
	resp, err := http.Get(base + "/api/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{`liaisonbot_sync_passes_total{result="ok"}`, `liaisonbot_issues_total{action="created"} 3`, `liaisonbot_outbound_requests_total{code="201",service="github"}`,
		"# TYPE liaisonbot_issues_total counter", `liaisonbot_sync_pass_seconds_bucket{le="0.1"}`, "\nliaisonbot_sync_pass_seconds_count ",
		"\ngo_goroutines ", "\nprocess_resident_memory_bytes "} {
		if !strings.Contains(string(body), m) {
			t.Errorf("metrics lack %s", m)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func TestServeRefusesWithoutCredentials(t *testing.T) {
	cfg := config.Default()
	cfg.Store.DSN = "sqlite::memory:"
	_, err := New(context.Background(), cfg, zerolog.Nop(), Options{})
	if err == nil || !strings.Contains(err.Error(), "--dry-run") {
		t.Errorf("New without credentials: %v", err)
	}
}

func TestServeRefusesAnEmptyWebhookSecret(t *testing.T) {
	srv, _, _ := setup(t)
	srv.cfg.Github.App.WebhookSecret = ""
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = srv.ServeListener(context.Background(), ln)
	if err == nil || !strings.Contains(err.Error(), "webhook_secret") {
		t.Errorf("serve with an empty secret: %v", err)
	}
}

func TestTwoProcessesNeverSyncAtOnce(t *testing.T) {
	srv, gh, _ := setup(t)
	other, err := New(context.Background(), srv.cfg, zerolog.Nop(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	ctx := context.Background()
	// The other process holds the lease, as serve does during its pass.
	if err := other.store.AcquireLease(ctx, "sync", other.syncer.Holder, time.Minute); err != nil {
		t.Fatal(err)
	}
	_, err = srv.Pass(ctx, schedule.Options{})
	if err == nil || !strings.Contains(err.Error(), "another liaisonbot is syncing") {
		t.Fatalf("a pass while another holds the lease: %v", err)
	}
	if n := len(gh.Issues(repo)); n != 0 {
		t.Errorf("the refused pass made %d issues", n)
	}
	if err := other.store.ReleaseLease(ctx, "sync", other.syncer.Holder); err != nil {
		t.Fatal(err)
	}
	if rep, err := srv.Pass(ctx, schedule.Options{}); err != nil || rep.Result.Created != 3 {
		t.Fatalf("after release: %+v, %v", rep, err)
	}
	// The lease is released after the pass.
	if _, err := other.Pass(ctx, schedule.Options{}); err != nil {
		t.Errorf("the lease was kept after the pass: %v", err)
	}
}
