package githubtest_test

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

func TestAppJWTThenInstallationTokenThenCreateIssue(t *testing.T) {
	s := fixture(t)

	app, err := creator(s).NewAppClient()
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := app.Apps.Get(ctx, "")
	if err != nil {
		t.Fatalf("GET /app: %v", err)
	}
	if got.GetID() != s.AppID() || got.GetSlug() != "liaisonbot" {
		t.Errorf("GET /app = id %d slug %q, want %d liaisonbot", got.GetID(), got.GetSlug(), s.AppID())
	}
	insts, _, err := app.Apps.ListInstallations(ctx, nil)
	if err != nil || len(insts) != 1 || insts[0].GetID() != instID {
		t.Fatalf("ListInstallations = %v, %v; want installation %d", insts, err, instID)
	}

	c := installationClient(t, s, instID)
	is, resp, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title:     github.String("Liaison statement from ITU-T SG13"),
		Body:      github.String("body"),
		Labels:    &[]string{"purpose/action", "liaison"},
		Assignees: &[]string{"alice"},
	})
	if err != nil {
		t.Fatalf("Issues.Create: %v", err)
	}
	if resp.StatusCode != http.StatusCreated {
		t.Errorf("status = %d, want 201", resp.StatusCode)
	}
	if loc := resp.Header.Get("Location"); loc != s.URL()+"repos/ietf/liaisons/issues/1" {
		t.Errorf("Location = %q", loc)
	}
	if is.GetNumber() != 1 || is.GetUser().GetLogin() != "liaisonbot[bot]" || is.GetUser().GetType() != "Bot" {
		t.Errorf("created issue #%d by %s (%s)", is.GetNumber(), is.GetUser().GetLogin(), is.GetUser().GetType())
	}
	if len(is.Assignees) != 1 || is.Assignees[0].GetLogin() != "alice" {
		t.Errorf("assignees = %v, want alice", is.Assignees)
	}

	labels := s.Labels(repo)
	if len(labels) != 2 {
		t.Fatalf("labels = %v, want 2 auto-created", labels)
	}
	for _, l := range labels {
		if l.Color != githubtest.AutoLabelColor || l.Description != "" {
			t.Errorf("auto-created label %+v, want colour ededed and no description", l)
		}
	}
	stored, ok := s.Issue(repo, 1)
	if !ok || !slices.Equal(stored.Labels, []string{"purpose/action", "liaison"}) || stored.User != s.BotLogin() || stored.State != "open" {
		t.Errorf("stored issue = %+v", stored)
	}
}

func TestCreateIssueRefusedAsAWhole(t *testing.T) {
	tests := []struct {
		name  string
		req   github.IssueRequest
		field string
	}{
		{"assignee with read only", github.IssueRequest{Title: github.String("t"), Assignees: &[]string{"alice", "bob"}}, "assignees"},
		{"unknown assignee", github.IssueRequest{Title: github.String("t"), Assignees: &[]string{"nobody"}}, "assignees"},
		{"title of 257 characters", github.IssueRequest{Title: github.String(strings.Repeat("é", 257))}, "title"},
		{"empty title", github.IssueRequest{Title: github.String("")}, "title"},
		{"body over 65536 characters", github.IssueRequest{Title: github.String("t"), Body: github.String(strings.Repeat("x", 65537))}, "body"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := fixture(t)
			c := installationClient(t, s, instID)
			tc.req.Labels = &[]string{"new-label"}
			_, _, err := c.Issues.Create(ctx, owner, name, &tc.req)
			var er *github.ErrorResponse
			if !errors.As(err, &er) || er.Response.StatusCode != http.StatusUnprocessableEntity {
				t.Fatalf("err = %v, want 422", err)
			}
			if len(er.Errors) == 0 || er.Errors[0].Field != tc.field {
				t.Errorf("errors = %+v, want one on %s", er.Errors, tc.field)
			}
			if n := len(s.Issues(repo)); n != 0 {
				t.Errorf("%d issues created, want none", n)
			}
			if l := s.Labels(repo); len(l) != 0 {
				t.Errorf("labels %v created by a refused create", l)
			}
		})
	}
}

func TestCreateIssueAtTheLimits(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	_, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{
		Title: github.String(strings.Repeat("é", 256)),
		Body:  github.String(strings.Repeat("é", 65536)),
	})
	if err != nil {
		t.Fatalf("a 256-character title and 65536-character body must be accepted: %v", err)
	}
}

func TestListIssuesByCreatorPaginates(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	for i := range 5 {
		if _, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("bot issue " + string(rune('A'+i)))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.Issues.Edit(ctx, owner, name, 2, &github.IssueRequest{State: github.String("closed")}); err != nil {
		t.Fatal(err)
	}
	s.AddIssue(repo, githubtest.Issue{Title: "by a human", User: "alice"})
	s.AddPullRequest(repo, "liaisonbot[bot]", "a pull request")

	opts := &github.IssueListByRepoOptions{
		Creator: "liaisonbot[bot]", State: "all", ListOptions: github.ListOptions{PerPage: 2},
	}
	var numbers []int
	pages := 0
	for {
		list, resp, err := c.Issues.ListByRepo(ctx, owner, name, opts)
		if err != nil {
			t.Fatalf("ListByRepo page %d: %v", opts.Page, err)
		}
		pages++
		link := resp.Header.Get("Link")
		if pages == 1 && (!strings.Contains(link, `<`+s.URL()+`repos/ietf/liaisons/issues?`) || !strings.Contains(link, `rel="last"`) || strings.Contains(link, `rel="prev"`)) {
			t.Errorf("first page Link = %q, want absolute next and last without prev", link)
		}
		if !strings.Contains(link, "per_page=2") {
			t.Errorf("Link %q does not carry per_page", link)
		}
		for _, is := range list {
			if is.IsPullRequest() {
				continue
			}
			numbers = append(numbers, is.GetNumber())
		}
		if resp.NextPage == 0 {
			if !strings.Contains(link, `rel="first"`) || strings.Contains(link, `rel="next"`) {
				t.Errorf("last page Link = %q, want first and no next", link)
			}
			break
		}
		opts.Page = resp.NextPage
	}
	if pages != 3 {
		t.Errorf("pages = %d, want 3 (5 issues and a PR by the bot, 2 a page)", pages)
	}
	if !slices.Equal(numbers, []int{5, 4, 3, 2, 1}) {
		t.Errorf("bot issues = %v, want 5..1 newest first", numbers)
	}
}

func TestListIssuesFilters(t *testing.T) {
	s := fixture(t)
	s.AddIssue(repo, githubtest.Issue{Title: "one", Labels: []string{"a", "b"}, Assignees: []string{"alice"}})
	s.AddIssue(repo, githubtest.Issue{Title: "two", Labels: []string{"a"}, State: "closed"})
	s.AddIssue(repo, githubtest.Issue{Title: "three", Body: "ping @Alice"})
	c := installationClient(t, s, instID)
	tests := []struct {
		name string
		opts github.IssueListByRepoOptions
		want []int
	}{
		{"default open, newest first", github.IssueListByRepoOptions{}, []int{3, 1}},
		{"closed", github.IssueListByRepoOptions{State: "closed"}, []int{2}},
		{"labels all of them", github.IssueListByRepoOptions{State: "all", Labels: []string{"A", "b"}}, []int{1}},
		{"one label", github.IssueListByRepoOptions{State: "all", Labels: []string{"a"}}, []int{2, 1}},
		{"assignee", github.IssueListByRepoOptions{Assignee: "alice"}, []int{1}},
		{"no assignee", github.IssueListByRepoOptions{Assignee: "none"}, []int{3}},
		{"mentioned", github.IssueListByRepoOptions{Mentioned: "alice"}, []int{3}},
		{"ascending", github.IssueListByRepoOptions{State: "all", Direction: "asc"}, []int{1, 2, 3}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, _, err := c.Issues.ListByRepo(ctx, owner, name, &tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []int
			for _, is := range list {
				got = append(got, is.GetNumber())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

func TestEditIssueAndComments(t *testing.T) {
	s := fixture(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"old"}})
	c := installationClient(t, s, instID)

	_, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{
		State: github.String("closed"), StateReason: github.String("not_planned"),
		Labels: &[]string{"purpose/information"}, Assignees: &[]string{"alice"}, Title: github.String("new title"),
	})
	if err != nil {
		t.Fatal(err)
	}
	is, _ := s.Issue(repo, n)
	if is.State != "closed" || is.StateReason != "not_planned" || is.ClosedAt.IsZero() || is.Title != "new title" ||
		!slices.Equal(is.Labels, []string{"purpose/information"}) || !slices.Equal(is.Assignees, []string{"alice"}) {
		t.Errorf("after edit: %+v", is)
	}
	if _, _, err := c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{State: github.String("open")}); err != nil {
		t.Fatal(err)
	}
	if is, _ := s.Issue(repo, n); is.State != "open" || is.StateReason != "reopened" || !is.ClosedAt.IsZero() {
		t.Errorf("after reopen: %+v", is)
	}
	_, _, err = c.Issues.Edit(ctx, owner, name, n, &github.IssueRequest{Assignees: &[]string{"bob"}, Title: github.String("x")})
	if statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("edit with an unassignable assignee: err = %v, want 422", err)
	}
	if is, _ := s.Issue(repo, n); is.Title != "new title" {
		t.Errorf("a refused edit changed the title to %q", is.Title)
	}

	cm, resp, err := c.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String("hello")})
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("CreateComment: %v", err)
	}
	if _, _, err := c.Issues.EditComment(ctx, owner, name, cm.GetID(), &github.IssueComment{Body: github.String("edited")}); err != nil {
		t.Fatal(err)
	}
	s.AddComment(repo, n, "alice", "/close")
	list, _, err := c.Issues.ListComments(ctx, owner, name, n, nil)
	if err != nil || len(list) != 2 || list[0].GetBody() != "edited" || list[1].GetUser().GetLogin() != "alice" {
		t.Errorf("ListComments = %v, %v", list, err)
	}
	if got := s.Comments(repo, n); len(got) != 2 || got[0].User != s.BotLogin() {
		t.Errorf("Comments = %+v", got)
	}
	if _, _, err := c.Issues.CreateComment(ctx, owner, name, n, &github.IssueComment{Body: github.String(strings.Repeat("x", 65537))}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("overlong comment: err = %v, want 422", err)
	}
	if _, _, err := c.Issues.Get(ctx, owner, name, 99); statusOf(err) != http.StatusNotFound {
		t.Errorf("missing issue: err = %v, want 404", err)
	}
}

func TestCountsCountContentCreation(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	if _, _, err := c.Repositories.Get(ctx, owner, name); err != nil {
		t.Fatal(err)
	}
	s.ResetCounts()
	if _, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("t")}); err != nil {
		t.Fatal(err)
	}
	got := s.Counts()
	if got.ContentCreating != 1 || got.Requests != 1 || got.Writes != 1 || got.Reads != 0 {
		t.Errorf("counts = %+v, want exactly one content-creating write", got)
	}
	if n := got.ByRoute["POST /repos/{owner}/{repo}/issues"]; n != 1 {
		t.Errorf("ByRoute = %v", got.ByRoute)
	}
}

func TestConcurrentCreatesGetDistinctNumbers(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	var wg sync.WaitGroup
	const n = 20
	errs := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("t"), Labels: &[]string{"x"}})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	seen := map[int]bool{}
	for _, is := range s.Issues(repo) {
		seen[is.Number] = true
	}
	if len(seen) != n || len(s.Labels(repo)) != 1 {
		t.Errorf("%d distinct issues and %d labels, want %d and 1", len(seen), len(s.Labels(repo)), n)
	}
}
