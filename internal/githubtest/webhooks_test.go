package githubtest_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

const hookSecret = "It's a Secret to Everybody"

// received is one delivery as the app's endpoint saw it.
type received struct {
	event   string
	guid    string
	header  http.Header
	payload []byte
	parsed  any // go-github's decoding of the payload
}

func (r received) action() string {
	var p struct{ Action string }
	_ = json.Unmarshal(r.payload, &p)
	return r.event + "." + p.Action
}

// receiver is a stand-in for the app's webhook endpoint: it checks the
// signature with go-github's ValidatePayload, decodes the event with
// ParseWebHook, records the delivery and answers with the next queued
// status (200 once they run out).
type receiver struct {
	t   *testing.T
	srv *httptest.Server

	mu       sync.Mutex
	got      []received
	statuses []int
	// onEvent, when set, runs before the answer; the app calls GitHub from
	// its handlers, and the fake must not be blocked meanwhile.
	onEvent func(received)
}

func newReceiver(t *testing.T) *receiver {
	t.Helper()
	rc := &receiver{t: t}
	rc.srv = httptest.NewServer(http.HandlerFunc(rc.serve))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) serve(w http.ResponseWriter, r *http.Request) {
	payload, err := github.ValidatePayload(r, []byte(hookSecret))
	if err != nil {
		rc.t.Errorf("delivery refused by go-github's ValidatePayload: %v", err)
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	parsed, err := github.ParseWebHook(github.WebHookType(r), payload)
	if err != nil {
		rc.t.Errorf("go-github cannot parse the %s delivery: %v", github.WebHookType(r), err)
	}
	got := received{event: github.WebHookType(r), guid: github.DeliveryID(r), header: r.Header.Clone(), payload: payload, parsed: parsed}
	rc.mu.Lock()
	rc.got = append(rc.got, got)
	status := http.StatusOK
	if len(rc.statuses) > 0 {
		status, rc.statuses = rc.statuses[0], rc.statuses[1:]
	}
	hook := rc.onEvent
	rc.mu.Unlock()
	if hook != nil {
		hook(got)
	}
	w.WriteHeader(status)
	fmt.Fprintf(w, "answered %d", status)
}

// answer queues the statuses of the next deliveries.
func (rc *receiver) answer(statuses ...int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	rc.statuses = append(rc.statuses, statuses...)
}

func (rc *receiver) deliveries() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return slices.Clone(rc.got)
}

// actions lists "event.action" of every delivery received.
func (rc *receiver) actions() []string {
	var out []string
	for _, d := range rc.deliveries() {
		out = append(out, d.action())
	}
	return out
}

// hooked is the usual fixture with its webhook pointed at a new receiver.
func hooked(t *testing.T, opts ...githubtest.Option) (*githubtest.Server, *receiver) {
	t.Helper()
	s := fixture(t, opts...)
	rc := newReceiver(t)
	s.SetWebhook(rc.srv.URL+"/api/github/hook", hookSecret)
	return s, rc
}

var guidPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

func TestAppCreatedIssueSendsOpenedThenLabeledPerLabel(t *testing.T) {
	s, rc := hooked(t)
	c := installationClient(t, s, instID)
	_, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title:     github.String("Liaison statement from ITU-T SG13"),
		Labels:    &[]string{"liaison", "purpose/action", "state/new"},
		Assignees: &[]string{"alice"},
	})
	if err != nil {
		t.Fatal(err)
	}
	s.WaitDeliveries(t)

	want := []string{"issues.opened", "issues.labeled", "issues.labeled", "issues.labeled", "issues.assigned"}
	if got := rc.actions(); !slices.Equal(got, want) {
		t.Fatalf("deliveries = %v, want %v", got, want)
	}
	var labels []string
	guids := map[string]bool{}
	for _, d := range rc.deliveries() {
		ev, ok := d.parsed.(*github.IssuesEvent)
		if !ok {
			t.Fatalf("parsed %T, want *github.IssuesEvent", d.parsed)
		}
		if ev.GetSender().GetLogin() != "liaisonbot[bot]" || ev.GetSender().GetType() != "Bot" {
			t.Errorf("%s: sender %s (%s), want liaisonbot[bot] (Bot)", d.action(), ev.GetSender().GetLogin(), ev.GetSender().GetType())
		}
		if ev.GetInstallation().GetID() != instID || ev.GetInstallation().GetNodeID() == "" {
			t.Errorf("%s: installation %+v, want id %d with a node_id", d.action(), ev.GetInstallation(), instID)
		}
		if ev.GetRepo().GetFullName() != repo || ev.GetOrg().GetLogin() != owner {
			t.Errorf("%s: repository %q organization %q", d.action(), ev.GetRepo().GetFullName(), ev.GetOrg().GetLogin())
		}
		if ev.GetIssue().GetNumber() != 1 || len(ev.GetIssue().Labels) != 3 {
			t.Errorf("%s: issue #%d with %d labels, want #1 with all 3", d.action(), ev.GetIssue().GetNumber(), len(ev.GetIssue().Labels))
		}
		if d.action() == "issues.labeled" {
			labels = append(labels, ev.GetLabel().GetName())
		}
		if d.action() == "issues.assigned" && ev.GetAssignee().GetLogin() != "alice" {
			t.Errorf("assigned %q, want alice", ev.GetAssignee().GetLogin())
		}
		if !guidPattern.MatchString(d.guid) || guids[d.guid] {
			t.Errorf("X-GitHub-Delivery %q is not a fresh GUID", d.guid)
		}
		guids[d.guid] = true
	}
	if !slices.Equal(labels, []string{"liaison", "purpose/action", "state/new"}) {
		t.Errorf("labeled %v, want one per label in order", labels)
	}

	for _, d := range s.Deliveries() {
		if !d.Attempted || d.Status != "OK" || d.StatusCode != 200 || d.Sender != "liaisonbot[bot]" || d.Redelivery {
			t.Errorf("logged delivery %d %s.%s: attempted %v status %q %d sender %q", d.ID, d.Event, d.Action, d.Attempted, d.Status, d.StatusCode, d.Sender)
		}
	}
}

func TestDeliveryHeadersAreGitHubs(t *testing.T) {
	s, rc := hooked(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	s.CommentAs(repo, n, "alice", "hello")
	s.WaitDeliveries(t)
	got := rc.deliveries()
	if len(got) != 1 {
		t.Fatalf("%d deliveries, want 1 (AddIssue seeds silently)", len(got))
	}
	h, body := got[0].header, got[0].payload
	mac := hmac.New(sha1.New, []byte(hookSecret))
	mac.Write(body)
	checks := map[string]string{
		"Content-Type":                           "application/json",
		"X-GitHub-Event":                         "issue_comment",
		"X-GitHub-Hook-ID":                       strconv.FormatInt(s.HookID(), 10),
		"X-GitHub-Hook-Installation-Target-Type": "integration",
		"X-GitHub-Hook-Installation-Target-ID":   strconv.FormatInt(s.AppID(), 10),
		"X-Hub-Signature":                        "sha1=" + hex.EncodeToString(mac.Sum(nil)),
		"X-Hub-Signature-256":                    githubtest.SignatureSHA256(hookSecret, body),
	}
	for k, want := range checks {
		if h.Get(k) != want {
			t.Errorf("%s = %q, want %q", k, h.Get(k), want)
		}
	}
	if !strings.HasPrefix(h.Get("User-Agent"), "GitHub-Hookshot/") {
		t.Errorf("User-Agent = %q", h.Get("User-Agent"))
	}
	if s.Deliveries()[0].GUID != h.Get("X-GitHub-Delivery") {
		t.Errorf("logged GUID %q, sent %q", s.Deliveries()[0].GUID, h.Get("X-GitHub-Delivery"))
	}
}

func TestActingAsAPerson(t *testing.T) {
	s, rc := hooked(t)
	s.AddCollaborator(repo, "carol", githubtest.RoleTriage)

	n := s.OpenIssueAs(repo, "bob", "Incoming liaison", "from the form", "intake")
	id := s.CommentAs(repo, n, "bob", "/ack")
	s.EditCommentAs(repo, id, "bob", "/ack send")
	s.EditCommentAs(repo, id, "bob", "/ack send") // unchanged: nothing
	s.LabelAs(repo, n, "carol", "purpose/action", "intake")
	s.UnlabelAs(repo, n, "carol", "intake")
	s.CloseAs(repo, n, "bob", "not_planned")
	s.ReopenAs(repo, n, "carol")
	s.WaitDeliveries(t)

	type want struct{ action, sender string }
	wants := []want{
		{"issues.opened", "bob"}, {"issues.labeled", "bob"},
		{"issue_comment.created", "bob"}, {"issue_comment.edited", "bob"},
		{"issues.labeled", "carol"}, {"issues.unlabeled", "carol"},
		{"issues.closed", "bob"}, {"issues.reopened", "carol"},
	}
	got := rc.deliveries()
	if len(got) != len(wants) {
		t.Fatalf("deliveries = %v, want %d", rc.actions(), len(wants))
	}
	for i, w := range wants {
		var p struct {
			Sender struct{ Login, Type string }
			Issue  struct {
				User        struct{ Login string }
				State       string
				StateReason *string `json:"state_reason"`
			}
			Comment struct {
				Body string
				User struct{ Login string }
			}
			Changes struct {
				Body struct{ From string }
			}
			Label struct{ Name string }
		}
		if err := json.Unmarshal(got[i].payload, &p); err != nil {
			t.Fatal(err)
		}
		if got[i].action() != w.action || p.Sender.Login != w.sender || p.Sender.Type != "User" {
			t.Errorf("delivery %d: %s by %s (%s), want %s by %s (User)", i, got[i].action(), p.Sender.Login, p.Sender.Type, w.action, w.sender)
		}
		if p.Issue.User.Login != "bob" {
			t.Errorf("delivery %d: issue author %q, want bob", i, p.Issue.User.Login)
		}
		switch i {
		case 1:
			if p.Label.Name != "intake" {
				t.Errorf("labeled %q at opening, want intake", p.Label.Name)
			}
		case 2:
			if p.Comment.Body != "/ack" || p.Comment.User.Login != "bob" {
				t.Errorf("created comment %q by %q", p.Comment.Body, p.Comment.User.Login)
			}
		case 3:
			if p.Comment.Body != "/ack send" || p.Changes.Body.From != "/ack" {
				t.Errorf("edited comment %q from %q", p.Comment.Body, p.Changes.Body.From)
			}
		case 5:
			if p.Label.Name != "intake" {
				t.Errorf("unlabeled %q, want intake", p.Label.Name)
			}
		case 6:
			if p.Issue.State != "closed" || p.Issue.StateReason == nil || *p.Issue.StateReason != "not_planned" {
				t.Errorf("closed issue state %q reason %v", p.Issue.State, p.Issue.StateReason)
			}
		case 7:
			if p.Issue.State != "open" || p.Issue.StateReason == nil || *p.Issue.StateReason != "reopened" {
				t.Errorf("reopened issue state %q reason %v", p.Issue.State, p.Issue.StateReason)
			}
		}
	}
	is, _ := s.Issue(repo, n)
	if is.User != "bob" || !slices.Equal(is.Labels, []string{"purpose/action"}) || is.State != "open" {
		t.Errorf("issue after the people's changes: %+v", is)
	}
}

func TestRESTChangesSendTheirWebhooks(t *testing.T) {
	tests := []struct {
		name string
		do   func(t *testing.T, c *github.Client, s *githubtest.Server, n int)
		want []string
	}{
		{"edit title and body", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{Title: github.String("new"), Body: github.String("b")})
			check(t, err)
		}, []string{"issues.edited"}},
		{"edit nothing that changes", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{Title: github.String("t")})
			check(t, err)
		}, nil},
		{"close with labels and assignees replaced", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{
				State: github.String("closed"), Labels: &[]string{"b", "c"}, Assignees: &[]string{"alice"},
			})
			check(t, err)
		}, []string{"issues.closed", "issues.labeled", "issues.labeled", "issues.unlabeled", "issues.assigned"}},
		{"add labels", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.AddLabelsToIssue(ctx, owner, name, n, []string{"a", "x", "y"})
			check(t, err)
		}, []string{"issues.labeled", "issues.labeled"}},
		{"replace labels", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.ReplaceLabelsForIssue(ctx, owner, name, n, []string{"z"})
			check(t, err)
		}, []string{"issues.labeled", "issues.unlabeled"}},
		{"remove a label", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, n, "a")
			check(t, err)
		}, []string{"issues.unlabeled"}},
		{"remove all labels", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, err := c.Issues.RemoveLabelsForIssue(ctx, owner, name, n)
			check(t, err)
		}, []string{"issues.unlabeled"}},
		{"add and remove assignees", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.AddAssignees(ctx, owner, name, n, []string{"alice"})
			check(t, err)
			_, _, err = c.Issues.RemoveAssignees(ctx, owner, name, n, []string{"alice"})
			check(t, err)
		}, []string{"issues.assigned", "issues.unassigned"}},
		{"comment, edit it, edit it the same", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			cm, _, err := c.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String("one")})
			check(t, err)
			for range 2 {
				_, _, err = c.Issues.EditComment(ctx, owner, name, cm.GetID(), &github.IssueComment{Body: github.String("two")})
				check(t, err)
			}
		}, []string{"issue_comment.created", "issue_comment.edited"}},
		{"react to a comment", func(t *testing.T, c *github.Client, s *githubtest.Server, n int) {
			id := s.AddComment(repo, n, "alice", "/ack")
			_, _, err := c.Reactions.CreateIssueCommentReaction(ctx, owner, name, id, "eyes")
			check(t, err)
		}, nil},
		{"reopen a closed issue", func(t *testing.T, c *github.Client, _ *githubtest.Server, n int) {
			_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{State: github.String("closed"), StateReason: github.String("completed")})
			check(t, err)
			_, _, err = c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{State: github.String("open")})
			check(t, err)
		}, []string{"issues.closed", "issues.reopened"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, rc := hooked(t)
			n := s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"a"}})
			tc.do(t, installationClient(t, s, instID), s, n)
			s.WaitDeliveries(t)
			if got := rc.actions(); !slices.Equal(got, tc.want) {
				t.Errorf("deliveries = %v, want %v", got, tc.want)
			}
			for _, d := range s.Deliveries() {
				if d.Sender != s.BotLogin() {
					t.Errorf("%s.%s sent by %q, want the bot", d.Event, d.Action, d.Sender)
				}
			}
		})
	}
}

func check(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestEditedCarriesTheOldTitleAndBody(t *testing.T) {
	s, rc := hooked(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "old title", Body: "old body"})
	c := installationClient(t, s, instID)
	_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{Title: github.String("new title"), Body: github.String("new body")})
	check(t, err)
	s.WaitDeliveries(t)
	got := rc.deliveries()
	if len(got) != 1 {
		t.Fatalf("deliveries = %v", rc.actions())
	}
	ev := got[0].parsed.(*github.IssuesEvent)
	if ev.GetChanges().GetTitle().GetFrom() != "old title" || ev.GetChanges().GetBody().GetFrom() != "old body" || ev.GetIssue().GetTitle() != "new title" {
		t.Errorf("edited: changes %+v, issue title %q", ev.GetChanges(), ev.GetIssue().GetTitle())
	}
}

func TestNoDeliveriesWithoutAnInstalledRepositoryOrWebhook(t *testing.T) {
	s, rc := hooked(t)
	s.AddRepo("other/elsewhere")
	s.CommentAs("other/elsewhere", s.AddIssue("other/elsewhere", githubtest.Issue{Title: "t"}), "alice", "hi")
	s.SetSuspended(instID)
	s.CommentAs(repo, s.AddIssue(repo, githubtest.Issue{Title: "t"}), "alice", "hi")
	s.WaitDeliveries(t)
	if n := len(rc.deliveries()); n != 0 || len(s.Deliveries()) != 0 {
		t.Errorf("%d deliveries for a repository without an active installation, want none", n)
	}

	quiet := fixture(t)
	quiet.CommentAs(repo, quiet.AddIssue(repo, githubtest.Issue{Title: "t"}), "alice", "hi")
	quiet.WaitDeliveries(t)
	if len(quiet.Deliveries()) != 0 {
		t.Errorf("deliveries queued without SetWebhook")
	}
}

// The app answers deliveries while calling GitHub from its handlers; the
// fake must keep serving meanwhile, and deliver in order.
func TestDeliveriesArriveInOrderWhileTheAppCallsTheFake(t *testing.T) {
	s, rc := hooked(t)
	c := installationClient(t, s, instID)
	var seen []string
	rc.onEvent = func(d received) {
		ev, ok := d.parsed.(*github.IssueCommentEvent)
		if !ok {
			return
		}
		is, _, err := c.Issues.Get(ctx, owner, name, ev.GetIssue().GetNumber())
		if err != nil {
			t.Errorf("the handler's call to the fake: %v", err)
			return
		}
		seen = append(seen, ev.GetComment().GetBody()+"@"+is.GetTitle())
	}
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	for i := range 5 {
		s.CommentAs(repo, n, "alice", fmt.Sprintf("c%d", i))
	}
	s.WaitDeliveries(t)
	if want := []string{"c0@t", "c1@t", "c2@t", "c3@t", "c4@t"}; !slices.Equal(seen, want) {
		t.Errorf("handled %v, want %v", seen, want)
	}
}

func TestDeliveryLogShowsOutcomesAndPaginates(t *testing.T) {
	s, rc := hooked(t)
	rc.answer(200, 503, 202, 400)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	for i := range 4 {
		s.CommentAs(repo, n, "alice", fmt.Sprintf("c%d", i))
	}
	s.WaitDeliveries(t)
	// A webhook URL nobody listens on: the attempt gets no answer.
	dead := httptest.NewServer(http.NotFoundHandler())
	dead.Close()
	s.SetWebhook(dead.URL, hookSecret)
	s.CommentAs(repo, n, "alice", "c4")
	s.WaitDeliveries(t)

	app, err := creator(s).NewAppClient()
	check(t, err)
	var all []*github.HookDelivery
	opts := &github.ListCursorOptions{PerPage: 2}
	pages := 0
	for {
		list, resp, err := app.Apps.ListHookDeliveries(ctx, opts)
		check(t, err)
		pages++
		all = append(all, list...)
		if resp.Cursor == "" {
			if link := resp.Header.Get("Link"); link != "" {
				t.Errorf("last page Link = %q, want none", link)
			}
			break
		}
		if link := resp.Header.Get("Link"); !strings.HasPrefix(link, "<"+s.URL()+"app/hook/deliveries?") || !strings.Contains(link, "per_page=2") {
			t.Errorf("Link = %q, want an absolute next link carrying per_page", link)
		}
		opts.Cursor = resp.Cursor
	}
	if pages != 3 || len(all) != 5 {
		t.Fatalf("%d deliveries on %d pages, want 5 on 3", len(all), pages)
	}
	type row struct {
		status string
		code   int
	}
	var got []row
	for i, d := range all {
		got = append(got, row{d.GetStatus(), d.GetStatusCode()})
		if d.GetEvent() != "issue_comment" || d.GetAction() != "created" || d.GetInstallationID() != instID || d.GetRepositoryID() == 0 || d.GetRedelivery() || d.GetGUID() == "" || d.DeliveredAt == nil {
			t.Errorf("delivery %d = %v", i, d)
		}
		if i > 0 && d.GetID() >= all[i-1].GetID() {
			t.Errorf("deliveries not newest first: %d after %d", d.GetID(), all[i-1].GetID())
		}
	}
	want := []row{{githubtest.StatusConnectFailed, 0}, {"Invalid HTTP Response: 400", 400}, {"OK", 202}, {"Invalid HTTP Response: 503", 503}, {"OK", 200}}
	if !slices.Equal(got, want) {
		t.Errorf("outcomes = %v, want %v", got, want)
	}

	// The status filter classes status codes as the description does.
	for _, tc := range []struct {
		status string
		want   int
	}{{"success", 2}, {"failure", 2}} {
		req, err := app.NewRequest("GET", "app/hook/deliveries?status="+tc.status, nil)
		check(t, err)
		var list []*github.HookDelivery
		_, err = app.Do(ctx, req, &list)
		check(t, err)
		if len(list) != tc.want {
			t.Errorf("status=%s: %d deliveries, want %d", tc.status, len(list), tc.want)
		}
	}

	one, _, err := app.Apps.GetHookDelivery(ctx, all[3].GetID())
	check(t, err)
	if one.GetStatusCode() != 503 || one.Request == nil || one.Request.Headers["X-Github-Event"] != "issue_comment" || one.Request.RawPayload == nil || one.Response == nil {
		t.Errorf("GetHookDelivery = %v", one)
	}
}

func TestRedeliveryResendsTheSameGUID(t *testing.T) {
	s, rc := hooked(t)
	rc.answer(http.StatusServiceUnavailable)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	s.CommentAs(repo, n, "alice", "/close")
	s.WaitDeliveries(t)
	first := s.Deliveries()[0]
	if first.OK() || first.Status != "Invalid HTTP Response: 503" {
		t.Fatalf("first attempt %q, want a 503", first.Status)
	}

	app, err := creator(s).NewAppClient()
	check(t, err)
	_, resp, err := app.Apps.RedeliverHookDelivery(ctx, first.ID)
	var accepted *github.AcceptedError
	if !errors.As(err, &accepted) || resp.StatusCode != http.StatusAccepted {
		t.Fatalf("RedeliverHookDelivery: %v, want 202 (go-github's AcceptedError)", err)
	}
	s.WaitDeliveries(t)

	got := rc.deliveries()
	if len(got) != 2 || got[0].guid != got[1].guid || string(got[0].payload) != string(got[1].payload) {
		t.Fatalf("received %d deliveries; want the same GUID and payload twice", len(got))
	}
	log := s.Deliveries()
	if len(log) != 2 || log[1].ID == first.ID || log[1].GUID != first.GUID || !log[1].Redelivery || !log[1].OK() {
		t.Errorf("log after redelivery = %+v", log)
	}
	list, _, err := app.Apps.ListHookDeliveries(ctx, nil)
	check(t, err)
	if len(list) != 2 || !list[0].GetRedelivery() || list[0].GetStatus() != "OK" || list[0].GetGUID() != first.GUID {
		t.Errorf("ListHookDeliveries after redelivery = %v", list)
	}
	if _, _, err := app.Apps.RedeliverHookDelivery(ctx, 1); statusOf(err) != http.StatusNotFound {
		t.Errorf("redelivering an unknown delivery: %v, want 404", err)
	}
	if status, _, _ := rawRequest(t, s, "GET", "app/hook/deliveries", s.IssueToken(instID), ""); status != http.StatusUnauthorized {
		t.Errorf("the delivery log with an installation token: %d, want 401", status)
	}
}

// A test that ends with deliveries queued to an app that never answers must
// not hang, nor leave the sender running.
func TestPendingDeliveriesEndWithTheTest(t *testing.T) {
	stuck := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-stuck:
		}
	}))
	defer slow.Close()
	defer close(stuck)
	start := time.Now()
	t.Run("inner", func(t *testing.T) {
		s := fixture(t)
		s.SetWebhook(slow.URL, hookSecret)
		n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
		for range 3 {
			s.CommentAs(repo, n, "alice", "x")
		}
	})
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("the test took %v to end with deliveries pending", d)
	}
}

func TestAssigneesEndpoint(t *testing.T) {
	s, rc := hooked(t)
	s.AddCollaborator(repo, "tri", githubtest.RoleTriage)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	c := installationClient(t, s, instID)

	// bob may only read and nobody is no one: both silently left out.
	is, resp, err := c.Issues.AddAssignees(ctx, owner, name, n, []string{"alice", "bob", "nobody", "TRI"})
	check(t, err)
	if resp.StatusCode != http.StatusCreated || len(is.Assignees) != 2 || is.Assignees[0].GetLogin() != "alice" || is.Assignees[1].GetLogin() != "tri" {
		t.Fatalf("AddAssignees: %d with %v, want 201 with alice and tri", resp.StatusCode, is.Assignees)
	}
	if _, _, err := c.Issues.AddAssignees(ctx, owner, name, n, []string{"alice"}); err != nil {
		t.Fatal(err)
	}
	is, resp, err = c.Issues.RemoveAssignees(ctx, owner, name, n, []string{"alice", "bob"})
	check(t, err)
	if resp.StatusCode != http.StatusOK || len(is.Assignees) != 1 || is.GetAssignee().GetLogin() != "tri" {
		t.Errorf("RemoveAssignees: %d with %v, want 200 with tri", resp.StatusCode, is.Assignees)
	}
	s.WaitDeliveries(t)
	if got, want := rc.actions(), []string{"issues.assigned", "issues.assigned", "issues.unassigned"}; !slices.Equal(got, want) {
		t.Errorf("deliveries = %v, want %v", got, want)
	}
	if stored, _ := s.Issue(repo, n); !slices.Equal(stored.Assignees, []string{"tri"}) {
		t.Errorf("stored assignees %v", stored.Assignees)
	}
}

func TestCommentReactions(t *testing.T) {
	s := fixture(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	id := s.AddComment(repo, n, "alice", "/ack")
	c := installationClient(t, s, instID)
	s.ResetCounts()

	first, resp, err := c.Reactions.CreateIssueCommentReaction(ctx, owner, name, id, "eyes")
	check(t, err)
	if resp.StatusCode != http.StatusCreated || first.GetContent() != "eyes" || first.GetUser().GetLogin() != s.BotLogin() {
		t.Fatalf("first reaction: %d %v", resp.StatusCode, first)
	}
	again, resp, err := c.Reactions.CreateIssueCommentReaction(ctx, owner, name, id, "eyes")
	check(t, err)
	if resp.StatusCode != http.StatusOK || again.GetID() != first.GetID() {
		t.Errorf("same reaction again: %d id %d, want 200 with id %d", resp.StatusCode, again.GetID(), first.GetID())
	}
	_, resp, err = c.Reactions.CreateIssueCommentReaction(ctx, owner, name, id, "+1")
	check(t, err)
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("another content: %d, want 201", resp.StatusCode)
	}
	if got := s.Counts().ContentCreating; got != 3 {
		t.Errorf("ContentCreating = %d, want 3 (reactions count as content creation)", got)
	}

	cm, _, err := c.Issues.GetComment(ctx, owner, name, id)
	check(t, err)
	if r := cm.GetReactions(); r.GetTotalCount() != 2 || r.GetEyes() != 1 || r.GetPlusOne() != 1 {
		t.Errorf("comment reactions = %v", r)
	}
	list, _, err := c.Reactions.ListIssueCommentReactions(ctx, owner, name, id, nil)
	check(t, err)
	if len(list) != 2 || list[0].GetContent() != "eyes" {
		t.Errorf("ListIssueCommentReactions = %v", list)
	}
	// go-github v62 cannot filter by content; GitHub can.
	req, err := c.NewRequest("GET", fmt.Sprintf("repos/%s/issues/comments/%d/reactions?content=%%2B1", repo, id), nil)
	check(t, err)
	_, err = c.Do(ctx, req, &list)
	check(t, err)
	if len(list) != 1 || list[0].GetContent() != "+1" {
		t.Errorf("reactions with content +1 = %v", list)
	}
	got := s.Comments(repo, n)[0].Reactions
	if want := []githubtest.Reaction{{User: s.BotLogin(), Content: "eyes"}, {User: s.BotLogin(), Content: "+1"}}; !slices.Equal(got, want) {
		t.Errorf("Reactions = %v, want %v", got, want)
	}
	if _, _, err := c.Reactions.CreateIssueCommentReaction(ctx, owner, name, 999999, "eyes"); statusOf(err) != http.StatusNotFound {
		t.Errorf("reaction to a missing comment: %v, want 404", err)
	}
}

// Without validation the fake's own check refuses a reaction GitHub does
// not offer (with validation the description's enum refuses it first).
func TestUnknownReactionIsRefused(t *testing.T) {
	s := fixture(t, githubtest.WithoutValidation())
	n := s.AddIssue(repo, githubtest.Issue{Title: "t"})
	id := s.AddComment(repo, n, "alice", "x")
	status, _, body := rawRequest(t, s, "POST", fmt.Sprintf("repos/ietf/liaisons/issues/comments/%d/reactions", id), s.IssueToken(instID), `{"content":"smile"}`)
	if status != http.StatusUnprocessableEntity {
		t.Errorf("reaction smile: %d %s, want 422", status, body)
	}
}

func TestTeamMembership(t *testing.T) {
	s := fixture(t)
	s.AddTeam(owner, "liaison-managers", "alice", "Carol")
	s.AddTeam("other", "liaison-managers", "bob")
	c := installationClient(t, s, instID)
	tests := []struct {
		org, team, login string
		status           int
	}{
		{owner, "liaison-managers", "alice", http.StatusOK},
		{owner, "liaison-managers", "carol", http.StatusOK},
		{owner, "liaison-managers", "bob", http.StatusNotFound},
		{owner, "nobody", "alice", http.StatusNotFound},
		// Not the installation's organisation: GitHub shows it nothing.
		{"other", "liaison-managers", "bob", http.StatusNotFound},
	}
	for _, tc := range tests {
		m, resp, err := c.Teams.GetTeamMembershipBySlug(ctx, tc.org, tc.team, tc.login)
		if resp == nil || resp.StatusCode != tc.status {
			t.Errorf("%s/%s %s: %v, want %d", tc.org, tc.team, tc.login, err, tc.status)
			continue
		}
		if tc.status == http.StatusOK && (m.GetState() != "active" || m.GetRole() != "member" || m.GetURL() == "") {
			t.Errorf("%s/%s %s: membership %v", tc.org, tc.team, tc.login, m)
		}
	}
}

// commentHandler is a go-githubapp handler for issue_comment that records
// what it was given.
type commentHandler struct {
	mu   sync.Mutex
	seen []string
}

func (h *commentHandler) Handles() []string { return []string{"issue_comment"} }

func (h *commentHandler) Handle(_ context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	h.seen = append(h.seen, fmt.Sprintf("%s %s %d %s", eventType, ev.GetAction(), githubapp.GetInstallationIDFromEvent(&ev), ev.GetSender().GetLogin()))
	return nil
}

// The app receives webhooks through go-githubapp's dispatcher: it must
// accept the fake's deliveries, answering 200 for a handled event and 202
// for one it has no handler for, both "OK" in the delivery log.
func TestGoGitHubAppDispatcherAcceptsDeliveries(t *testing.T) {
	s := fixture(t)
	h := &commentHandler{}
	srv := httptest.NewServer(githubapp.NewEventDispatcher([]githubapp.EventHandler{h}, hookSecret))
	defer srv.Close()
	s.SetWebhook(srv.URL, hookSecret)
	n := s.OpenIssueAs(repo, "alice", "t", "b")
	s.CommentAs(repo, n, "alice", "/ack")
	s.WaitDeliveries(t)

	if want := []string{"issue_comment created 42 alice"}; !slices.Equal(h.seen, want) {
		t.Errorf("handled %v, want %v", h.seen, want)
	}
	var got []string
	for _, d := range s.Deliveries() {
		got = append(got, fmt.Sprintf("%s.%s %d %s", d.Event, d.Action, d.StatusCode, d.Status))
	}
	if want := []string{"issues.opened 202 OK", "issue_comment.created 200 OK"}; !slices.Equal(got, want) {
		t.Errorf("log = %v, want %v", got, want)
	}

	// A wrong secret is refused, and the log says so.
	s.SetWebhook(srv.URL, "not the secret")
	s.CommentAs(repo, n, "alice", "/ack again")
	s.WaitDeliveries(t)
	if last := s.Deliveries()[2]; last.StatusCode != http.StatusBadRequest || last.Status != "Invalid HTTP Response: 400" {
		t.Errorf("delivery with a wrong secret: %d %q, want 400", last.StatusCode, last.Status)
	}
}
