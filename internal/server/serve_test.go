package server

import (
	"context"
	"fmt"
	"net"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/mail/mailtest"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
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

// running is setup and serving with the first pass done and its webhooks
// handled, and alice a triager; it stops with the test.
func running(t *testing.T, adjust ...func(*config.Config)) (*Server, *githubtest.Server, *datatrackertest.Server) {
	t.Helper()
	srv, gh, dt := setup(t, adjust...)
	gh.AddCollaborator(repo, "alice", "triage")
	t.Cleanup(serving(t, srv, gh))
	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)
	return srv, gh, dt
}

// deliveriesDone waits until the fake has delivered everything and the
// inbox has handled it — including the deliveries that handling caused
// (a pull request the app opened sends its own event), so it repeats
// until a round brings no new delivery.
func deliveriesDone(t *testing.T, srv *Server, gh *githubtest.Server) {
	t.Helper()
	for seen := -1; ; {
		gh.WaitDeliveries(t)
		waitFor(t, "the inbox to drain", func() bool {
			for _, st := range []string{store.DeliveryPending, store.DeliveryProcessing} {
				if ds, _ := srv.store.Deliveries(context.Background(), st, 1); len(ds) > 0 {
					return false
				}
			}
			return true
		})
		n := len(gh.Deliveries())
		if n == seen {
			return
		}
		seen = n
	}
}

func TestServeIgnoresItsOwnEventsAndCorrectsPeoples(t *testing.T) {
	srv, gh, _ := setup(t)
	gh.AddCollaborator(repo, "alice", "triage")
	stop := serving(t, srv, gh)
	defer stop()

	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)
	// The app's own opened/labeled events reached it and changed nothing.
	if len(gh.Deliveries()) == 0 {
		t.Fatal("the first pass sent no webhooks")
	}
	for _, d := range gh.Deliveries() {
		if !d.OK() {
			t.Errorf("delivery %s %s.%s: %s", d.GUID, d.Event, d.Action, d.Status)
		}
	}
	if n := len(gh.Comments(repo, 1)); n != 0 {
		t.Fatalf("the app reacted to its own events with %d comments", n)
	}
	// A second purpose the app itself set (as an update might) is not
	// "corrected" as if a person had set it: its own events are ignored.
	gh.LabelAs(repo, 1, gh.BotLogin(), "purpose/action")
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(repo, 1); !slices.Contains(is.Labels, "purpose/information") || len(gh.Comments(repo, 1)) != 0 {
		t.Fatalf("the app acted on its own label: %v, %d comments", is.Labels, len(gh.Comments(repo, 1)))
	}
	gh.UnlabelAs(repo, 1, gh.BotLogin(), "purpose/action")
	deliveriesDone(t, srv, gh)
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

func TestServeRunsCommands(t *testing.T) {
	srv, gh, _ := running(t)
	gh.AddCollaborator(repo, "carol", "write")

	comments := func(n int) []githubtest.Comment { return gh.Comments(repo, n) }
	label := func(n int) []string { is, _ := gh.Issue(repo, n); return is.Labels }

	// A triager switches the purpose, takes the issue and records the ack.
	c1 := gh.CommentAs(repo, 1, "alice", "Taking this.\n/purpose action\n/assign\n/assign @carol\n/ack sent")
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, 1)
	for _, l := range []string{"purpose/action", "state/acknowledged"} {
		if !slices.Contains(is.Labels, l) {
			t.Errorf("labels %v lack %s", is.Labels, l)
		}
	}
	if slices.Contains(is.Labels, "purpose/information") || slices.Contains(is.Labels, "state/new") {
		t.Errorf("labels %v keep a replaced one", is.Labels)
	}
	if !slices.Contains(is.Assignees, "alice") || !slices.Contains(is.Assignees, "carol") {
		t.Errorf("assignees %v", is.Assignees)
	}
	cs := comments(1)
	if len(cs) != 2 || !strings.Contains(cs[1].Body, "sent by hand") || len(cs[0].Reactions) != 1 || cs[0].ID != c1 {
		t.Fatalf("comments after the commands: %+v", cs)
	}

	// Someone GitHub cannot assign is named in the reply, not skipped
	// silently.
	gh.CommentAs(repo, 1, "alice", "/assign @stranger")
	deliveriesDone(t, srv, gh)
	if cs := comments(1); !strings.Contains(cs[len(cs)-1].Body, "`stranger` cannot be assigned here") {
		t.Errorf("reply to an unassignable /assign: %q", cs[len(cs)-1].Body)
	}

	// "/ack" shows the mail as it would go now: after "/to irtf" in the same
	// comment, from the IRTF template.
	gh.CommentAs(repo, 2, "alice", "/to irtf\n/ack")
	deliveriesDone(t, srv, gh)
	cs = comments(2)
	if len(cs) != 2 || !strings.Contains(cs[1].Body, "IRTF") || !strings.Contains(cs[1].Body, "Subject: Receipt of LS") {
		t.Fatalf("/ack after /to irtf: %+v", cs)
	}

	// Someone without triage: one polite sentence, nothing changes.
	before := label(2)
	gh.CommentAs(repo, 2, "mallory", "/close\n/label state/responded")
	deliveriesDone(t, srv, gh)
	is, _ = gh.Issue(repo, 2)
	if is.State != "open" || !slices.Equal(is.Labels, before) {
		t.Errorf("an unauthorized command changed the issue: %s %v", is.State, is.Labels)
	}
	if cs := comments(2); len(cs) != 4 || !strings.Contains(cs[3].Body, "Only people with triage or write access") {
		t.Errorf("refusal: %+v", cs)
	}

	// Commands in code, quotes and comments, and edited comments, do nothing.
	gh.CommentAs(repo, 3, "alice", "```\n/close\n```\n> /close\n<!-- /close -->\nand `/close`")
	id := gh.CommentAs(repo, 3, "alice", "no command yet")
	gh.EditCommentAs(repo, id, "alice", "/close")
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(repo, 3); is.State != "open" || len(comments(3)) != 2 {
		t.Errorf("inert commands or an edit acted: state %s, %d comments", is.State, len(comments(3)))
	}

	// A manager closes without a response, with a reason; the reply and the
	// app's own help text never run as commands.
	gh.CommentAs(repo, 3, "carol", "/no-response handled in the WG\n/liaison help")
	deliveriesDone(t, srv, gh)
	is, _ = gh.Issue(repo, 3)
	if is.State != "closed" || is.StateReason != "not_planned" || !slices.Contains(is.Labels, "state/no-response") {
		t.Errorf("no-response: %s %s %v", is.State, is.StateReason, is.Labels)
	}
	last := comments(3)[len(comments(3))-1]
	if !strings.Contains(last.Body, "handled in the WG") || !strings.Contains(last.Body, "`/deadline <YYYY-MM-DD|none>`") {
		t.Errorf("reply: %s", last.Body)
	}
	// A repository of the installation that tracks nothing (no
	// liaison.yml) is not the app's business, "liaison" label or not.
	const untracked = "ietf-liaisons/rota"
	gh.AddInstallation(7, "ietf-liaisons", untracked)
	gh.AddCollaborator(untracked, "alice", "write")
	other := gh.OpenIssueAs(untracked, "alice", "Team liaison rota", "Who covers December?", "liaison")
	gh.CommentAs(untracked, other, "alice", "/close")
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(untracked, other); is.State != "open" || len(gh.Comments(untracked, other)) != 1 || len(is.Labels) != 1 {
		t.Errorf("the app acted in a repository that tracks nothing: %s, labels %v, %d comments", is.State, is.Labels, len(gh.Comments(untracked, other)))
	}

	n := len(comments(3))
	gh.CommentAs(repo, 3, gh.BotLogin(), "/reopen")
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(repo, 3); is.State != "closed" || len(comments(3)) != n+1 {
		t.Errorf("the app acted on its own comment: %s, %d comments", is.State, len(comments(3)))
	}
}

func TestServeSendsTheAcknowledgementOnce(t *testing.T) {
	smtp := mailtest.Start(t)
	srv, gh, _ := setup(t, func(c *config.Config) {
		c.SMTP.Addr, c.SMTP.StartTLS = smtp.Addr, "none"
		c.SMTP.From = "IETF Liaison Manager <lm@example.org>"
	})
	gh.AddCollaborator(repo, "alice", "triage")
	stop := serving(t, srv, gh)
	defer stop()
	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)

	gh.CommentAs(repo, 1, "alice", "/ack send")
	deliveriesDone(t, srv, gh)
	waitFor(t, "the mail", func() bool { return len(smtp.Messages()) == 1 })
	waitFor(t, "the report on the issue", func() bool {
		cs := gh.Comments(repo, 1)
		return len(cs) == 3 && strings.Contains(cs[2].Body, "Sent the acknowledgement")
	})
	msg := smtp.Messages()[0]
	data := string(msg.Data)
	for _, want := range []string{"From: \"IETF Liaison Manager\" <lm@example.org>", "Reply-To: \"IETF Liaison Manager\" <lm@example.org>", "Cc: <liaison-coordination@iab.org>", "Subject: Receipt of LS", "Content-Type: text/plain"} {
		if !strings.Contains(data, want) {
			t.Errorf("the mail lacks %q:\n%s", want, data)
		}
	}
	if !slices.Contains(msg.To, "liaison-coordination@iab.org") || !slices.Contains(msg.To, "a@itu.int") {
		t.Errorf("envelope recipients %v", msg.To)
	}
	cs := gh.Comments(repo, 1)
	if !strings.Contains(cs[1].Body, "Queued the acknowledgement") {
		t.Errorf("reply = %q", cs[1].Body)
	}
	is, _ := gh.Issue(repo, 1)
	if !slices.Contains(is.Labels, "state/acknowledged") || slices.Contains(is.Labels, "state/new") {
		t.Errorf("labels after sending: %v", is.Labels)
	}
	// Asking again sends nothing more.
	gh.CommentAs(repo, 1, "alice", "/ack send")
	deliveriesDone(t, srv, gh)
	time.Sleep(200 * time.Millisecond)
	if n := len(smtp.Messages()); n != 1 {
		t.Errorf("%d mails after asking twice", n)
	}
	if cs := gh.Comments(repo, 1); !strings.Contains(cs[len(cs)-1].Body, "nothing is sent twice") {
		t.Errorf("second /ack send reply = %q", cs[len(cs)-1].Body)
	}
}

// TestCommandRequestCosts measures the GitHub requests each command costs
// through the whole path (webhook → inbox → handler), from the fake's
// counters; bench/RESULTS.md lists them.
func TestCommandRequestCosts(t *testing.T) {
	srv, gh, _ := running(t)
	// The first command of a person also reads their permission (kept a minute).
	gh.CommentAs(repo, 3, "alice", "/assign")
	deliveriesDone(t, srv, gh)
	has := func(l string) func(githubtest.Issue, string) bool {
		return func(is githubtest.Issue, _ string) bool { return slices.Contains(is.Labels, l) }
	}
	says := func(text string) func(githubtest.Issue, string) bool {
		return func(_ githubtest.Issue, reply string) bool { return strings.Contains(reply, text) }
	}
	for _, tc := range []struct {
		cmd       string
		maxWrites int
		// took says the command took effect, so a cheap command is never
		// one that did nothing.
		took func(is githubtest.Issue, lastComment string) bool
	}{
		{"/ack", 2, says("Subject:")},
		{"/ack sent", 4, has("state/acknowledged")},
		{"/purpose action", 3, has("purpose/action")},
		{"/to irtf", 3, has("to/irtf")},
		{"/assign @alice", 2, func(is githubtest.Issue, _ string) bool { return slices.Contains(is.Assignees, "alice") }},
		{"/unassign @alice", 2, func(is githubtest.Issue, _ string) bool { return !slices.Contains(is.Assignees, "alice") }},
		{"/label deadline/soon", 2, has("deadline/soon")},
		{"/remove-label deadline/soon", 2, func(is githubtest.Issue, _ string) bool { return !slices.Contains(is.Labels, "deadline/soon") }},
		{"/route opsawg", 3, says("Routed to `opsawg`")},
		{"/no-response duplicate of another LS", 5, func(is githubtest.Issue, _ string) bool {
			return is.State == "closed" && slices.Contains(is.Labels, "state/no-response")
		}},
		{"/reopen", 2, func(is githubtest.Issue, _ string) bool { return is.State == "open" }},
		{"/close", 2, func(is githubtest.Issue, _ string) bool { return is.State == "closed" }},
		{"/liaison help", 2, says("The commands of this repository")},
	} {
		n := 2
		if strings.HasPrefix(tc.cmd, "/reopen") || strings.HasPrefix(tc.cmd, "/close") || strings.HasPrefix(tc.cmd, "/no-response") {
			n = 1
		}
		gh.ResetCounts()
		gh.CommentAs(repo, n, "alice", tc.cmd)
		deliveriesDone(t, srv, gh)
		c := gh.Counts()
		if c.RepoWrites() > tc.maxWrites {
			t.Errorf("%s: %d writes, want at most %d: %v", tc.cmd, c.RepoWrites(), tc.maxWrites, c.ByRoute)
		}
		is, _ := gh.Issue(repo, n)
		cs := gh.Comments(repo, n)
		if !tc.took(is, cs[len(cs)-1].Body) {
			t.Errorf("%s did not take effect: labels %v, assignees %v, %s; last comment %q", tc.cmd, is.Labels, is.Assignees, is.State, cs[len(cs)-1].Body)
		}
		t.Logf("%-40s %d requests: %d reads, %d writes (%d content-creating) %v", tc.cmd, c.Requests, c.Reads, c.RepoWrites(), c.ContentCreating, c.ByRoute)
	}
}

func TestServeLinksAManualIssue(t *testing.T) {
	srv, gh, dt := running(t)

	// A statement that arrived by mail is entered by hand; later it is
	// posted on the datatracker.
	n := gh.OpenIssueAs(repo, "alice", "LS from SG13 on slicing (by mail)", "Received by mail on Monday.\n\n@bob please look.", "liaison", "incoming", "purpose/action", "state/acknowledged")
	id := dt.AddStatement(datatrackertest.Statement{Title: "LS on slicing", Purpose: "action", Deadline: "2027-01-31", FromGroups: []int{1}, ToGroups: []int{2}, FromContact: "a@itu.int", Body: "The text."})
	// The sender asked for an answer sooner than the statement says.
	gh.CommentAs(repo, n, "alice", "/deadline 2026-12-24")
	deliveriesDone(t, srv, gh)
	gh.CommentAs(repo, n, "alice", fmt.Sprintf("/link %d", id))
	deliveriesDone(t, srv, gh)

	is, _ := gh.Issue(repo, n)
	if got, ok := tracker.StatementIDOf(is.Body); !ok || got != id {
		t.Fatalf("the issue is not tied to LS %d:\n%s", id, is.Body)
	}
	if !strings.Contains(is.Body, "| **Deadline** | 2026-12-24 (set with `/deadline` by `alice`; the statement says 2027-01-31) |") {
		t.Errorf("the deadline set by hand was lost when the issue was tied:\n%s", is.Body)
	}
	if !strings.Contains(is.Body, "Received by mail on Monday.") || !strings.Contains(is.Body, "The text.") {
		t.Errorf("the linked body lost the statement or the text entered by hand:\n%s", is.Body)
	}
	if !slices.Contains(is.Labels, "state/acknowledged") || slices.Contains(is.Labels, "state/new") || !slices.Contains(is.Labels, "from/itu-t") {
		t.Errorf("labels after the link: %v", is.Labels)
	}
	// The poller now knows the statement's issue and opens no other.
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	if got := len(gh.Issues(repo)); got != 4 {
		t.Errorf("%d issues after the pass, want 4: the linked statement got a second issue", got)
	}
	// Linking again, or to another statement, is refused politely.
	gh.CommentAs(repo, n, "alice", "/link 1")
	deliveriesDone(t, srv, gh)
	cs := gh.Comments(repo, n)
	if !strings.Contains(cs[len(cs)-1].Body, fmt.Sprintf("tied to LS %d", id)) {
		t.Errorf("relinking reply = %q", cs[len(cs)-1].Body)
	}
}

// intakeForm is what GitHub writes for an issue opened from the
// "Incoming liaison" form.
func intakeForm(deadline string) string {
	return "### Title\n\nLS on quantum networking\n\n### From\n\nITU-T SG13\n\n### To\n\nIRTF\n\n### Purpose\n\nFor action\n\n" +
		"### Deadline\n\n" + deadline + "\n\n### Sender's identifier\n\nSG13-LS42\n\n### Response contact\n\nRapporteur <rapp@itu.int>\n\n" +
		"### Link\n\n_No response_\n\n### Statement\n\nPlease comment, @ietf-chairs.\n"
}

func TestServeNormalisesTheIntakeForm(t *testing.T) {
	srv, gh, dt := running(t)

	n := gh.OpenIssueAs(repo, "alice", "LS (by mail): quantum", intakeForm("2027-02-01"), "liaison", "incoming")
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, n)
	for _, l := range []string{"purpose/action", "to/irtf", "state/new", "from/itu-t"} {
		if !slices.Contains(is.Labels, l) {
			t.Errorf("labels %v lack %s", is.Labels, l)
		}
	}
	for _, want := range []string{tracker.ManualMarker, "Template-Email-IRTF.md", "2027-02-01", "SG13-LS42", "As entered in the form", "Subject: Receipt of LS on quantum networking"} {
		if !strings.Contains(is.Body, want) {
			t.Errorf("normalised body lacks %q:\n%s", want, is.Body)
		}
	}
	if !strings.Contains(is.Body, fmt.Sprintf("/issues/%d", n)) {
		t.Errorf("the acknowledgement does not point at the issue while the statement is not posted:\n%s", is.Body)
	}

	// Posted later on the datatracker with the same sender's identifier:
	// the next pass takes the issue over instead of opening another.
	before := len(gh.Issues(repo))
	id := dt.AddStatement(datatrackertest.Statement{Title: "LS on quantum networks", OtherIdentifiers: "SG13-LS42", Purpose: "action", Deadline: "2027-02-01", FromGroups: []int{1}, ToGroups: []int{2}, FromContact: "rapp@itu.int", Body: "The posted text."})
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	deliveriesDone(t, srv, gh)
	if got := len(gh.Issues(repo)); got != before {
		t.Errorf("%d issues after the statement was posted, want %d", got, before)
	}
	is, _ = gh.Issue(repo, n)
	if got, ok := tracker.StatementIDOf(is.Body); !ok || got != id || !strings.Contains(is.Body, "The posted text.") || !strings.Contains(is.Body, "Please comment") {
		t.Errorf("the intake issue was not taken over by LS %d:\n%s", id, is.Body)
	}

	// From someone without triage: nothing but a thank-you.
	m := gh.OpenIssueAs(repo, "mallory", "LS (by mail): x", intakeForm(""), "liaison", "incoming")
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(repo, m); strings.Contains(is.Body, tracker.ManualMarker) || len(gh.Comments(repo, m)) != 1 {
		t.Errorf("an intake by someone without triage was normalised or not answered")
	}
	// A bad date is named, nothing recorded.
	b := gh.OpenIssueAs(repo, "alice", "LS (by mail): y", intakeForm("2026-13-40"), "liaison", "incoming")
	deliveriesDone(t, srv, gh)
	cs := gh.Comments(repo, b)
	if is, _ := gh.Issue(repo, b); strings.Contains(is.Body, tracker.ManualMarker) || len(cs) != 1 || !strings.Contains(cs[0].Body, "2026-13-40") {
		t.Errorf("a bad deadline: %+v", cs)
	}
}

func TestServeDeadlineOverride(t *testing.T) {
	srv, gh, dt := running(t)

	gh.CommentAs(repo, 1, "alice", "/deadline 2027-03-01")
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, 1)
	if !strings.Contains(is.Body, "| **Deadline** | 2027-03-01 (set with `/deadline` by `alice`") {
		t.Fatalf("the deadline row was not rewritten:\n%s", is.Body)
	}
	// The datatracker's record changes: the update keeps the override.
	id, _ := tracker.StatementIDOf(is.Body)
	dt.Update(id, func(s *datatrackertest.Statement) { s.Body = "Edited upstream." })
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	is, _ = gh.Issue(repo, 1)
	if !strings.Contains(is.Body, "Edited upstream.") || !strings.Contains(is.Body, "2027-03-01 (set with `/deadline`") {
		t.Errorf("the update lost the override or the edit:\n%s", is.Body)
	}
	gh.CommentAs(repo, 1, "alice", "/deadline none\n/deadline 2026-02-30")
	deliveriesDone(t, srv, gh)
	is, _ = gh.Issue(repo, 1)
	cs := gh.Comments(repo, 1)
	if !strings.Contains(is.Body, "| **Deadline** | none (set with `/deadline`") || !strings.Contains(cs[len(cs)-1].Body, "2026-02-30") {
		t.Errorf("/deadline none and a bad date: %s\n%s", cs[len(cs)-1].Body, is.Body)
	}
}

func TestServeAcknowledgesAutomatically(t *testing.T) {
	smtp := mailtest.Start(t)
	srv, gh, _ := setup(t, func(c *config.Config) { c.SMTP.Addr, c.SMTP.StartTLS = smtp.Addr, "none" })
	gh.PutFile(repo, "", ".github/liaison.yml", []byte("since: 2025-01-01\nack:\n  send: auto\n  from: \"Liaison Manager <lm@example.org>\"\n"))
	stop := serving(t, srv, gh)
	defer stop()
	waitFor(t, "three acknowledgements", func() bool { return len(smtp.Messages()) == 3 })
	waitFor(t, "the reports", func() bool {
		for n := 1; n <= 3; n++ {
			is, _ := gh.Issue(repo, n)
			if !slices.Contains(is.Labels, "state/acknowledged") {
				return false
			}
		}
		return true
	})
	// Another pass, and "/ack send" by hand, send nothing more.
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	gh.AddCollaborator(repo, "alice", "triage")
	gh.CommentAs(repo, 1, "alice", "/ack send")
	deliveriesDone(t, srv, gh)
	if cs := gh.Comments(repo, 1); !strings.Contains(cs[len(cs)-1].Body, "nothing is sent twice") {
		t.Errorf("/ack send after the automatic one: %q", cs[len(cs)-1].Body)
	}
	time.Sleep(200 * time.Millisecond)
	if n := len(smtp.Messages()); n != 3 {
		t.Errorf("%d mails, want 3", n)
	}
	for _, m := range smtp.Messages() {
		if !strings.Contains(string(m.Data), "From: \"Liaison Manager\" <lm@example.org>") {
			t.Errorf("mail from the wrong sender:\n%s", m.Data)
		}
	}
}
