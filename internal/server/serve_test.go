package server

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// serving runs srv on loopback with the fake's webhooks pointed at it and
// returns a stop function.
func serving(t *testing.T, srv *Server, gh *githubtest.Server) (stop func()) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	gh.SetWebhook("http://"+ln.Addr().String()+WebhookRoute, srv.cfg.Github.App.WebhookSecret)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	return func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}
}

func deliveriesDone(t *testing.T, srv *Server, gh *githubtest.Server) {
	t.Helper()
	gh.WaitDeliveries(t)
	waitFor(t, "the inbox to drain", func() bool {
		for _, st := range []string{store.DeliveryPending, store.DeliveryProcessing} {
			if ds, _ := srv.store.Deliveries(context.Background(), st, 1); len(ds) > 0 {
				return false
			}
		}
		return true
	})
}

func TestServeIgnoresItsOwnEventsAndCorrectsPeoples(t *testing.T) {
	srv, gh, _ := setup(t)
	gh.AddCollaborator(repo, "alice", "triage")
	stop := serving(t, srv, gh)
	defer stop()

	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)
	// The app's own opened/labeled events reached it and changed nothing.
	for _, d := range gh.Deliveries() {
		if !d.OK() {
			t.Errorf("delivery %s %s.%s: %s", d.GUID, d.Event, d.Action, d.Status)
		}
	}
	if n := len(gh.Comments(repo, 1)); n != 0 {
		t.Fatalf("the app reacted to its own events with %d comments", n)
	}
	gh.ResetCounts()

	// A person switches the purpose by hand: the old one goes, with a note.
	gh.LabelAs(repo, 1, "alice", "purpose/action")
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, 1)
	if slices.Contains(is.Labels, "purpose/information") || !slices.Contains(is.Labels, "purpose/action") {
		t.Errorf("labels after the switch: %v", is.Labels)
	}
	cs := gh.Comments(repo, 1)
	if len(cs) != 1 || !strings.Contains(cs[0].Body, "@alice") || !strings.Contains(cs[0].Body, "purpose/action") {
		t.Errorf("correction comment = %+v", cs)
	}
	// Its own correction (an unlabeled event from the bot) did not loop.
	deliveriesDone(t, srv, gh)
	if n := len(gh.Comments(repo, 1)); n != 1 {
		t.Errorf("%d comments after the correction settled, want 1", n)
	}
}

func TestServeRecoversMissedDeliveries(t *testing.T) {
	srv, gh, _ := setup(t)
	gh.AddCollaborator(repo, "alice", "triage")
	// Issues exist, and a person changes labels while the app is down: the
	// deliveries fail to connect.
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	gh.SetWebhook("http://"+addr+WebhookRoute, srv.cfg.Github.App.WebhookSecret)
	gh.LabelAs(repo, 2, "alice", "purpose/action")
	gh.WaitDeliveries(t)
	missed := gh.Deliveries()
	if len(missed) != 1 || missed[0].OK() {
		t.Fatalf("deliveries while down: %+v", missed)
	}

	// The app comes back on that address; its start-up recovery asks GitHub
	// to redeliver, with the same delivery id.
	ln, err = net.Listen("tcp", addr)
	if err != nil {
		t.Skipf("cannot listen on %s again: %v", addr, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the redelivery", func() bool {
		for _, d := range gh.Deliveries() {
			if d.Redelivery && d.GUID == missed[0].GUID && d.OK() {
				return true
			}
		}
		return false
	})
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, 2)
	if slices.Contains(is.Labels, "purpose/information") {
		t.Errorf("the missed label change was not processed: %v", is.Labels)
	}
	time.Sleep(10 * time.Millisecond)
}
