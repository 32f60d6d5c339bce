package server

import (
	"context"
	"net"
	"slices"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/datatrackertest"
	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/responses"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
)

const responsesConfig = `since: 2025-01-01
signoff: |
  Best regards,
  Alice Example
responses:
  reviewers: [carol]
  required_approvals: 1
`

// respondingServer serves a repository whose config names a reviewer,
// with alice a triager and carol and dave writers.
func respondingServer(t *testing.T) (*Server, *githubtest.Server, *datatrackertest.Server) {
	t.Helper()
	srv, gh, dt := setup(t)
	gh.PutFile(repo, "", ".github/liaison.yml", []byte(responsesConfig))
	gh.AddCollaborator(repo, "alice", "triage")
	gh.AddCollaborator(repo, "carol", "write")
	gh.AddCollaborator(repo, "dave", "write")
	t.Cleanup(serving(t, srv, gh))
	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)
	return srv, gh, dt
}

func lastComment(gh *githubtest.Server, n int) string {
	cs := gh.Comments(repo, n)
	if len(cs) == 0 {
		return ""
	}
	return cs[len(cs)-1].Body
}

func labelsOf(gh *githubtest.Server, n int) []string {
	is, _ := gh.Issue(repo, n)
	return is.Labels
}

func lastCheck(gh *githubtest.Server, sha string) (githubtest.CheckRun, bool) {
	var out githubtest.CheckRun
	found := false
	for _, c := range gh.CheckRuns(repo) {
		if c.HeadSHA == sha && c.Name == responses.CheckName {
			out, found = c, true
		}
	}
	return out, found
}

func TestServeBoilerplateResponseFromRespondToClosedIssue(t *testing.T) {
	srv, gh, dt := respondingServer(t)

	gh.CommentAs(repo, 1, "alice", "/purpose action\n/respond boilerplate")
	deliveriesDone(t, srv, gh)
	prs := gh.PullRequests(repo)
	if len(prs) != 1 {
		t.Fatalf("%d pull requests, want 1; reply: %s", len(prs), lastComment(gh, 1))
	}
	pr := prs[0]
	if pr.Title != "Response to LS 1: LS" || pr.Head != "liaisonbot/response-ls-1" || pr.Base != "main" || pr.Draft || pr.User != gh.BotLogin() {
		t.Errorf("pull request = %+v", pr)
	}
	if !slices.Contains(pr.RequestedReviewers, "carol") || !strings.Contains(pr.Body, "#1") || !strings.Contains(pr.Body, "/liaison/1/reply/") {
		t.Errorf("reviewers %v, body:\n%s", pr.RequestedReviewers, pr.Body)
	}
	file, ok := gh.File(repo, pr.Head, "responses/1-ls.md")
	if !ok {
		t.Fatalf("no response file on %s; branches %v", pr.Head, gh.Branches(repo))
	}
	for _, want := range []string{"statement: 1\n", "issue: 1\n", "kind: boilerplate\n", "to: ITU-T SG13\n", "Subject: In response to LS", "Thank you for", "Best regards,", "Alice Example"} {
		if !strings.Contains(string(file), want) {
			t.Errorf("response file lacks %q:\n%s", want, file)
		}
	}
	if ps := responses.Lint(file, responses.Meta{Statement: 1, Issue: 1}); len(ps) != 0 {
		t.Errorf("the boilerplate response has problems: %+v", ps)
	}
	if _, onMain := gh.File(repo, "", "responses/1-ls.md"); onMain {
		t.Error("the response file is on the default branch before any merge")
	}
	if l := labelsOf(gh, 1); !slices.Contains(l, "state/responding") || slices.Contains(l, "state/new") {
		t.Errorf("issue labels = %v", l)
	}
	if c := lastComment(gh, 1); !strings.Contains(c, "Opened the response pull request #4") || !strings.Contains(c, "`carol`") {
		t.Errorf("reply = %s", c)
	}
	if ck, ok := lastCheck(gh, pr.HeadSHA); !ok || ck.Conclusion != "success" {
		t.Errorf("check run on the opened pull request = %+v, %v", ck, ok)
	}

	// Asked again, it points to the open one and makes nothing.
	gh.CommentAs(repo, 1, "alice", "/respond crafted")
	deliveriesDone(t, srv, gh)
	if n := len(gh.PullRequests(repo)); n != 1 || !strings.Contains(lastComment(gh, 1), "open already: #4") {
		t.Errorf("second /respond: %d pull requests, reply %q", n, lastComment(gh, 1))
	}

	// /involve requests dave on the open pull request and mentions him.
	// Someone GitHub refuses and a team of another organisation do not
	// keep dave from being asked; the reply says who was not.
	gh.CommentAs(repo, 1, "alice", "/involve @dave @stranger @other-org/reviewers")
	deliveriesDone(t, srv, gh)
	if pr, _ := gh.PullRequest(repo, 4); !slices.Contains(pr.RequestedReviewers, "dave") || slices.Contains(pr.RequestedReviewers, "stranger") {
		t.Errorf("reviewers after /involve: %v", pr.RequestedReviewers)
	}
	c := lastComment(gh, 1)
	for _, want := range []string{"@dave", "Review requested on #4 from `dave`", "refused to ask `stranger`", "Not asked: `other-org/reviewers`"} {
		if !strings.Contains(c, want) {
			t.Errorf("/involve reply lacks %q:\n%s", want, c)
		}
	}

	// A comment review is not agreement; an approval is, said once.
	gh.ReviewAs(repo, 4, "dave", "COMMENTED", "looks fine")
	deliveriesDone(t, srv, gh)
	if strings.Contains(lastComment(gh, 1), "agreed") {
		t.Fatal("a comment review was taken for an approval")
	}
	gh.ReviewAs(repo, 4, "carol", "APPROVED", "")
	deliveriesDone(t, srv, gh)
	if c := lastComment(gh, 1); !strings.Contains(c, "is agreed") || !strings.Contains(c, "`carol`") {
		t.Errorf("after the approval: %s", c)
	}

	// Merged: approved state, and the final text with the reply link.
	gh.MergeAs(repo, 4, "carol")
	deliveriesDone(t, srv, gh)
	if l := labelsOf(gh, 1); !slices.Contains(l, "state/response-approved") || slices.Contains(l, "state/responding") {
		t.Errorf("labels after the merge: %v", l)
	}
	c = lastComment(gh, 1)
	for _, want := range []string{"merged in #4", dt.URL() + "/liaison/1/reply/", "```text\nSubject: In response to LS", "Thank you for"} {
		if !strings.Contains(c, want) {
			t.Errorf("merge comment lacks %q:\n%s", want, c)
		}
	}
	if strings.Contains(c, "statement: 1") {
		t.Errorf("the final text carries the front matter:\n%s", c)
	}

	// The reply is posted on the datatracker: the next pass closes the issue.
	reply := dt.AddStatement(datatrackertest.Statement{Title: "Response to LS", Purpose: "response", FromGroups: []int{2}, ToGroups: []int{1}, Body: "reply"})
	dt.Relate(reply, 1)
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	deliveriesDone(t, srv, gh)
	is, _ := gh.Issue(repo, 1)
	if is.State != "closed" || !slices.Contains(is.Labels, "state/responded") || !strings.Contains(lastComment(gh, 1), dt.URL()+"/liaison/4/") {
		t.Errorf("after the reply: %s %v, %s", is.State, is.Labels, lastComment(gh, 1))
	}
	n := len(gh.Comments(repo, 1))
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	if len(gh.Comments(repo, 1)) != n {
		t.Error("the reply was recorded twice")
	}
}

func TestServeCraftedResponseIsCheckedAndCanBeClosed(t *testing.T) {
	srv, gh, _ := respondingServer(t)

	gh.CommentAs(repo, 2, "alice", "/respond crafted")
	deliveriesDone(t, srv, gh)
	prs := gh.PullRequests(repo)
	if len(prs) != 1 || !prs[0].Draft {
		t.Fatalf("pull requests = %+v; reply %s", prs, lastComment(gh, 2))
	}
	pr := prs[0]
	path := "responses/2-ls.md"
	file, _ := gh.File(repo, pr.Head, path)
	ck, ok := lastCheck(gh, pr.HeadSHA)
	if !ok || ck.Conclusion != "failure" || len(ck.Annotations) != 1 || ck.Annotations[0].Path != path {
		t.Fatalf("check of the skeleton = %+v, %v\n%s", ck, ok, file)
	}
	line := strings.Split(string(file), "\n")[ck.Annotations[0].StartLine-1]
	if !strings.Contains(line, "{Write the response here") {
		t.Errorf("the annotation points at line %d: %q", ck.Annotations[0].StartLine, line)
	}

	// Written: the next head passes.
	written := strings.Replace(string(file), "{Write the response here: replace this line, braces included}", "We have reviewed your statement.", 1)
	head := gh.PushFileAs(repo, pr.Head, "carol", path, []byte(written))
	deliveriesDone(t, srv, gh)
	if ck, ok := lastCheck(gh, head); !ok || ck.Conclusion != "success" {
		t.Errorf("check of the written response = %+v, %v", ck, ok)
	}
	// A placeholder typed back in fails again, at its line.
	broken := strings.Replace(written, "We have reviewed", "We have {reviewed}", 1)
	head = gh.PushFileAs(repo, pr.Head, "carol", path, []byte(broken))
	deliveriesDone(t, srv, gh)
	if ck, ok := lastCheck(gh, head); !ok || ck.Conclusion != "failure" || !strings.Contains(ck.Summary, "{reviewed}") {
		t.Errorf("check of a placeholder left = %+v, %v", ck, ok)
	}

	// Closed unmerged: the state goes back, and a new /respond starts afresh.
	gh.ClosePullAs(repo, pr.Number, "carol")
	deliveriesDone(t, srv, gh)
	if l := labelsOf(gh, 2); !slices.Contains(l, "state/new") || slices.Contains(l, "state/responding") {
		t.Errorf("labels after closing unmerged: %v", l)
	}
	if c := lastComment(gh, 2); !strings.Contains(c, "closed without merging") || !strings.Contains(c, "state/new") {
		t.Errorf("note = %s", c)
	}
	// Reopened, it is the response again; closed again, the state goes back.
	gh.ReopenPullAs(repo, pr.Number, "carol")
	deliveriesDone(t, srv, gh)
	if l := labelsOf(gh, 2); !slices.Contains(l, "state/responding") || slices.Contains(l, "state/new") {
		t.Errorf("labels after reopening: %v", l)
	}
	gh.ClosePullAs(repo, pr.Number, "carol")
	deliveriesDone(t, srv, gh)
	if l := labelsOf(gh, 2); !slices.Contains(l, "state/new") {
		t.Errorf("labels after closing again: %v", l)
	}
	gh.CommentAs(repo, 2, "alice", "/respond crafted")
	deliveriesDone(t, srv, gh)
	prs = gh.PullRequests(repo)
	if len(prs) != 2 || prs[1].Head != "liaisonbot/response-ls-2-2" || prs[1].State != "open" {
		t.Errorf("after a new /respond: %+v", prs)
	}
}

func TestServeRespondRefusesWhatItCannotDo(t *testing.T) {
	srv, gh, _ := respondingServer(t)
	// Information statements have no boilerplate response.
	gh.CommentAs(repo, 3, "alice", "/respond boilerplate")
	deliveriesDone(t, srv, gh)
	if c := lastComment(gh, 3); !strings.Contains(c, "no boilerplate response") || len(gh.PullRequests(repo)) != 0 {
		t.Errorf("reply %q, %d pull requests", c, len(gh.PullRequests(repo)))
	}
	// Someone without triage gets the one sentence.
	gh.CommentAs(repo, 3, "mallory", "/respond crafted")
	deliveriesDone(t, srv, gh)
	if c := lastComment(gh, 3); !strings.Contains(c, "Only people with triage") || len(gh.PullRequests(repo)) != 0 {
		t.Errorf("reply %q, %d pull requests", c, len(gh.PullRequests(repo)))
	}
}

// TestRespondRequestCosts measures what /respond and a merge cost in
// GitHub requests (bench/RESULTS.md).
func TestRespondRequestCosts(t *testing.T) {
	srv, gh, _ := respondingServer(t)
	gh.CommentAs(repo, 1, "alice", "/purpose action")
	deliveriesDone(t, srv, gh)

	gh.ResetCounts()
	gh.CommentAs(repo, 1, "alice", "/respond boilerplate")
	deliveriesDone(t, srv, gh)
	c := gh.Counts()
	t.Logf("/respond boilerplate, the command and the check on the opened pull request: %d requests: %d reads, %d writes (%d content-creating) %v",
		c.Requests, c.Reads, c.RepoWrites(), c.ContentCreating, c.ByRoute)
	// Branch, file, pull request, reviewers, label, one comment — and the
	// reaction every command comment gets, and the check run.
	const checkRun, reaction = 1, 1
	if w := c.RepoWrites() - checkRun - reaction; w > 6 {
		t.Errorf("/respond made %d writes besides the reaction and the check run, want at most 6: %v", w, c.ByRoute)
	}

	gh.ResetCounts()
	gh.CommentAs(repo, 1, "alice", "/respond crafted")
	deliveriesDone(t, srv, gh)
	c = gh.Counts()
	t.Logf("a second /respond while one is open: %d requests: %d reads, %d writes %v", c.Requests, c.Reads, c.RepoWrites(), c.ByRoute)
	if c.RepoWrites() != 2 {
		t.Errorf("a second /respond made %d writes, want the reaction and the reply: %v", c.RepoWrites(), c.ByRoute)
	}

	gh.ResetCounts()
	gh.MergeAs(repo, 4, "carol")
	deliveriesDone(t, srv, gh)
	c = gh.Counts()
	t.Logf("merge of the response: %d requests: %d reads, %d writes (%d content-creating) %v",
		c.Requests, c.Reads, c.RepoWrites(), c.ContentCreating, c.ByRoute)
	// The state label moves in two requests (remove, add), never by
	// replacing the set: a command may be labelling the issue meanwhile.
	if c.RepoWrites() > 3 {
		t.Errorf("a merge made %d writes, want the state label's two and the comment: %v", c.RepoWrites(), c.ByRoute)
	}
}

func TestRepliesByTarget(t *testing.T) {
	sdo := []liaison.Group{{ID: 1, Type: "sdo"}}
	ietf := []liaison.Group{{ID: 2, Type: "ietf"}}
	sts := []liaison.Statement{
		{ID: 1, State: liaison.StatePosted, FromGroups: sdo, Related: []liaison.Related{{ID: 5, ReferedBy: true}}},
		// 5 answers 1, seen from both sides: counted once.
		{ID: 5, State: liaison.StatePosted, FromGroups: ietf, Related: []liaison.Related{{ID: 1}}},
		// 6 answers 2, seen from the target's side only.
		{ID: 2, State: liaison.StatePosted, FromGroups: sdo, Related: []liaison.Related{{ID: 6, ReferedBy: true}}},
		{ID: 6, State: liaison.StatePosted, FromGroups: ietf},
		// 7 is pending: not a reply yet.
		{ID: 3, State: liaison.StatePosted, FromGroups: sdo, Related: []liaison.Related{{ID: 7, ReferedBy: true}}},
		{ID: 7, State: liaison.StatePending, FromGroups: ietf, Related: []liaison.Related{{ID: 3}}},
		// 8 follows up the sender's own 4: not a reply.
		{ID: 4, State: liaison.StatePosted, FromGroups: sdo},
		{ID: 8, State: liaison.StatePosted, FromGroups: sdo, Related: []liaison.Related{{ID: 4}, {ID: 8}}},
		// An outside body answering the IETF's 9 is a reply too.
		{ID: 9, State: liaison.StatePosted, FromGroups: ietf},
		{ID: 10, State: liaison.StatePosted, FromGroups: sdo, Related: []liaison.Related{{ID: 9}}},
	}
	got := repliesByTarget(sts)
	want := map[int][]int{1: {5}, 2: {6}, 9: {10}}
	if len(got) != len(want) {
		t.Fatalf("repliesByTarget = %v, want %v", got, want)
	}
	for k, v := range want {
		if !slices.Equal(got[k], v) {
			t.Errorf("replies to %d = %v, want %v", k, got[k], v)
		}
	}
}

// TestServeRepliesRespectWhatPeopleSettled: a reply to a statement
// closed by hand with /no-response is remembered without a word, and a
// follow-up from the same sender closes nothing.
func TestServeRepliesRespectWhatPeopleSettled(t *testing.T) {
	srv, gh, dt := respondingServer(t)
	gh.CommentAs(repo, 2, "alice", "/no-response handled elsewhere")
	deliveriesDone(t, srv, gh)
	n2 := len(gh.Comments(repo, 2))

	followUp := dt.AddStatement(datatrackertest.Statement{Title: "Follow-up", Purpose: "info", FromGroups: []int{1}, ToGroups: []int{2}, FromContact: "a@itu.int", Body: "more"})
	dt.Relate(followUp, 1)
	reply := dt.AddStatement(datatrackertest.Statement{Title: "Reply", Purpose: "response", FromGroups: []int{2}, ToGroups: []int{1}, Body: "reply"})
	dt.Relate(reply, 2)
	if _, err := srv.Pass(context.Background(), schedule.Options{}); err != nil {
		t.Fatal(err)
	}
	deliveriesDone(t, srv, gh)
	if is, _ := gh.Issue(repo, 1); is.State != "open" || slices.Contains(is.Labels, "state/responded") {
		t.Errorf("a follow-up by the same sender closed #1: %s %v", is.State, is.Labels)
	}
	if is, _ := gh.Issue(repo, 2); !slices.Contains(is.Labels, "state/no-response") || len(gh.Comments(repo, 2)) != n2 {
		t.Errorf("a reply changed #2, settled by hand: %v, %d comments (was %d)", is.Labels, len(gh.Comments(repo, 2)), n2)
	}
}

// TestServeRespondNoticesAClosedPullWhoseEventWasLost: GitHub does not
// resend a delivery that failed; /respond asks the pull request itself
// and starts afresh rather than pointing to a closed one.
func TestServeRespondNoticesAClosedPullWhoseEventWasLost(t *testing.T) {
	srv, gh, _ := setup(t)
	gh.PutFile(repo, "", ".github/liaison.yml", []byte(responsesConfig))
	gh.AddCollaborator(repo, "alice", "triage")
	gh.AddCollaborator(repo, "carol", "write")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hook := "http://" + ln.Addr().String() + WebhookRoute
	gh.SetWebhook(hook, srv.cfg.Github.App.WebhookSecret)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.ServeListener(ctx, ln) }()
	defer func() { cancel(); <-done }()
	waitFor(t, "the first pass", func() bool { return len(gh.Issues(repo)) == 3 })
	deliveriesDone(t, srv, gh)

	gh.CommentAs(repo, 1, "alice", "/purpose action\n/respond boilerplate")
	deliveriesDone(t, srv, gh)
	if len(gh.PullRequests(repo)) != 1 {
		t.Fatalf("no response pull request: %s", lastComment(gh, 1))
	}
	// The closed event goes nowhere.
	gh.SetWebhook("http://127.0.0.1:1"+WebhookRoute, srv.cfg.Github.App.WebhookSecret)
	gh.ClosePullAs(repo, 4, "carol")
	gh.WaitDeliveries(t)
	gh.SetWebhook(hook, srv.cfg.Github.App.WebhookSecret)

	gh.CommentAs(repo, 1, "alice", "/respond boilerplate")
	deliveriesDone(t, srv, gh)
	prs := gh.PullRequests(repo)
	if len(prs) != 2 || prs[1].Head != "liaisonbot/response-ls-1-2" || prs[1].State != "open" {
		t.Fatalf("after /respond with the close unseen: %+v\nreply: %s", prs, lastComment(gh, 1))
	}
	if l := labelsOf(gh, 1); !slices.Contains(l, "state/responding") {
		t.Errorf("labels = %v", l)
	}
	// The close was told on the issue, once, before the new response.
	closed := 0
	for _, c := range gh.Comments(repo, 1) {
		if strings.Contains(c.Body, "closed without merging") {
			closed++
		}
	}
	if closed != 1 {
		t.Errorf("%d notes of the unmerged close, want 1", closed)
	}
}
