package githubtest_test

import (
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

// fatalTB records Fatalf and ends the calling goroutine, as testing.T
// does, without failing the test, so a test can see the fake refuse.
type fatalTB struct {
	recordingTB
	fatals []string
}

func (f *fatalTB) Fatalf(format string, args ...any) {
	f.mu.Lock()
	f.fatals = append(f.fatals, fmt.Sprintf(format, args...))
	f.mu.Unlock()
	runtime.Goexit()
}

// fatalOf runs fn on its own goroutine and returns the Fatalf message it
// ended with, or "" when it returned normally.
func (f *fatalTB) fatalOf(fn func()) string {
	f.mu.Lock()
	before := len(f.fatals)
	f.mu.Unlock()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fn()
	}()
	<-done
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.fatals) == before {
		return ""
	}
	return f.fatals[before]
}

func TestPeopleMayOnlyDoWhatGitHubAllows(t *testing.T) {
	rec := &fatalTB{recordingTB: recordingTB{TB: t}}
	s := fixtureOn(rec)
	s.AddRepo("ietf/private", githubtest.Private())
	s.AddInstallation(instID, owner, "ietf/private")
	rc := newReceiver(t)
	s.SetWebhook(rc.srv.URL, hookSecret)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t", User: "bob", Labels: []string{"a"}})
	other := s.AddIssue(repo, githubtest.Issue{Title: "u", User: "alice"})
	alices := s.AddComment(repo, n, "alice", "mine")
	bobs := s.AddComment(repo, n, "bob", "his")
	private := s.AddIssue("ietf/private", githubtest.Issue{Title: "p"})

	tests := []struct {
		name string
		do   func()
		want string // in the Fatalf message; "" when allowed
	}{
		{"read-only labels", func() { s.LabelAs(repo, n, "bob", "x") }, "triage"},
		{"read-only unlabels", func() { s.UnlabelAs(repo, n, "bob", "a") }, "triage"},
		{"a stranger closes someone's issue", func() { s.CloseAs(repo, other, "mallory", "") }, "author"},
		{"read-only edits another's comment", func() { s.EditCommentAs(repo, alices, "bob", "x") }, "write"},
		{"a stranger comments on a private repository", func() { s.CommentAs("ietf/private", private, "mallory", "x") }, "cannot see"},
		{"unlabel a label the issue lacks", func() { s.UnlabelAs(repo, n, "alice", "nope") }, "no label"},
		{"close for an unknown reason", func() { s.CloseAs(repo, n, "alice", "merged") }, "not a reason"},
		{"reopen an open issue", func() { s.ReopenAs(repo, n, "alice") }, "already open"},
		{"empty title", func() { s.OpenIssueAs(repo, "bob", " ", "b") }, "refuse"},
		{"blank comment", func() { s.CommentAs(repo, n, "bob", "  ") }, "refuse"},
		{"missing issue", func() { s.CommentAs(repo, 99, "bob", "x") }, "no issue #99"},
		{"missing comment", func() { s.EditCommentAs(repo, 1, "alice", "x") }, "no comment"},
	}
	for _, tc := range tests {
		got := rec.fatalOf(tc.do)
		if !strings.Contains(got, tc.want) || got == "" {
			t.Errorf("%s: Fatalf %q, want one mentioning %q", tc.name, got, tc.want)
		}
	}
	s.WaitDeliveries(t)
	if got := rc.actions(); len(got) != 0 {
		t.Fatalf("refused actions sent %v", got)
	}
	if is, _ := s.Issue(repo, n); !slices.Equal(is.Labels, []string{"a"}) || is.State != "open" || len(is.Comments) != 2 {
		t.Errorf("refused actions changed the issue: %+v", is)
	}

	allowed := []struct {
		name string
		do   func()
	}{
		{"the author closes their own issue", func() { s.CloseAs(repo, n, "bob", "") }},
		{"the author reopens it", func() { s.ReopenAs(repo, n, "bob") }},
		{"the author edits their comment", func() { s.EditCommentAs(repo, bobs, "bob", "edited") }},
		{"write edits another's comment", func() { s.EditCommentAs(repo, bobs, "alice", "moderated") }},
		{"anyone comments on a public repository", func() { s.CommentAs(repo, n, "mallory", "hi") }},
		{"issue forms label whoever opens", func() { s.OpenIssueAs(repo, "mallory", "form", "b", "intake") }},
		{"the owner labels", func() { s.LabelAs(repo, n, owner, "x") }},
	}
	for _, tc := range allowed {
		if got := rec.fatalOf(tc.do); got != "" {
			t.Errorf("%s: refused with %q", tc.name, got)
		}
	}
	s.WaitDeliveries(t)
	want := []string{
		"issues.closed", "issues.reopened", "issue_comment.edited", "issue_comment.edited",
		"issue_comment.created", "issues.opened", "issues.labeled", "issues.labeled",
	}
	if got := rc.actions(); !slices.Equal(got, want) {
		t.Errorf("deliveries = %v, want %v", got, want)
	}
	if errs := rec.recorded(); len(errs) != 0 {
		t.Errorf("errors reported: %q", errs)
	}
}

// Every kind of payload the fake sends, made both by the App and by people,
// is checked against GitHub's webhook schemas without a single complaint.
func TestEveryPayloadKindValidates(t *testing.T) {
	realworld.Require(t, "github-openapi/api.github.com.json")
	rec := &recordingTB{TB: t}
	s := githubtest.New(rec)
	s.AddInstallation(instID, owner, repo)
	s.AddCollaborator(repo, "alice", githubtest.RoleWrite)
	rc := newReceiver(t)
	s.SetWebhook(rc.srv.URL, hookSecret)
	c := installationClient(t, s, instID)

	is, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title: github.String("t"), Body: github.String("b"), Labels: &[]string{"a"}, Assignees: &[]string{"alice"},
	})
	check(t, err)
	n := is.GetNumber()
	_, _, err = c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{
		Title: github.String("t2"), Body: github.String(""), State: github.String("closed"), StateReason: github.String("duplicate"),
		Labels: &[]string{"b"}, Assignees: &[]string{},
	})
	check(t, err)
	cm, _, err := c.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String("x")})
	check(t, err)
	_, _, err = c.Issues.EditComment(ctx, owner, name, cm.GetID(), &github.IssueComment{Body: github.String("y")})
	check(t, err)
	s.ReopenAs(repo, n, "alice")
	s.CommentAs(repo, n, "alice", "/ack")
	pr := s.AddPullRequest(repo, "alice", "a pull request")
	s.CommentAs(repo, pr, "alice", "on a pull request")
	s.WaitDeliveries(t)

	kinds := map[string]bool{}
	for _, a := range rc.actions() {
		kinds[a] = true
	}
	for _, want := range []string{
		"issues.opened", "issues.edited", "issues.closed", "issues.reopened", "issues.labeled",
		"issues.unlabeled", "issues.assigned", "issues.unassigned", "issue_comment.created", "issue_comment.edited",
	} {
		if !kinds[want] {
			t.Errorf("no %s delivered; got %v", want, rc.actions())
		}
	}
	if errs := rec.recorded(); len(errs) != 0 {
		t.Errorf("payloads reported as not matching GitHub's schemas: %q", errs)
	}
}
