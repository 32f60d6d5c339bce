package tracker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Issue is what the tracker reads back of an issue.
type Issue struct {
	Number int
	Title  string
	Body   string
	Labels []string
	State  string
}

// Issues is the part of GitHub the tracker uses. GitHubIssues implements it
// with go-github; tests of the tracker's decisions use plain fakes.
type Issues interface {
	Create(ctx context.Context, repo string, spec IssueSpec) (int, error)
	Get(ctx context.Context, repo string, number int) (Issue, error)
	Edit(ctx context.Context, repo string, number int, title, body string) error
	AddLabels(ctx context.Context, repo string, number int, labels []string) error
	Comment(ctx context.Context, repo string, number int, body string) error
	Assignable(ctx context.Context, repo, login string) (bool, error)
	// FindMarked looks through the issues the app created, newest first,
	// for the markers of the given statements and returns their numbers.
	FindMarked(ctx context.Context, repo string, ids map[int]bool) (map[int]int, error)
	// OpenManual lists the open issues entered by hand from the intake
	// form and not yet tied to a statement.
	OpenManual(ctx context.Context, repo string) ([]ManualIssue, error)
}

// GitHubIssues implements Issues with an installation client.
type GitHubIssues struct {
	Client *github.Client
	// Creator is the app's bot login ("liaisonbot[bot]"): the issues it made.
	Creator string
}

func splitRepo(repo string) (string, string) {
	owner, name, _ := strings.Cut(repo, "/")
	return owner, name
}

// Create opens an issue with its labels and assignees in one request.
func (g *GitHubIssues) Create(ctx context.Context, repo string, spec IssueSpec) (int, error) {
	owner, name := splitRepo(repo)
	req := &github.IssueRequest{
		Title:  github.String(spec.Title),
		Body:   github.String(spec.Body),
		Labels: &spec.Labels,
	}
	if len(spec.Assignees) > 0 {
		req.Assignees = &spec.Assignees
	}
	is, _, err := g.Client.Issues.Create(ctx, owner, name, req)
	if err != nil {
		return 0, fmt.Errorf("failed to create issue in %s: %w", repo, err)
	}
	return is.GetNumber(), nil
}

// Get reads an issue.
func (g *GitHubIssues) Get(ctx context.Context, repo string, number int) (Issue, error) {
	owner, name := splitRepo(repo)
	is, _, err := g.Client.Issues.Get(ctx, owner, name, number)
	if err != nil {
		return Issue{}, fmt.Errorf("failed to get %s#%d: %w", repo, number, err)
	}
	out := Issue{Number: is.GetNumber(), Title: is.GetTitle(), Body: is.GetBody(), State: is.GetState()}
	for _, l := range is.Labels {
		out.Labels = append(out.Labels, l.GetName())
	}
	return out, nil
}

// Edit rewrites an issue's title and body.
func (g *GitHubIssues) Edit(ctx context.Context, repo string, number int, title, body string) error {
	owner, name := splitRepo(repo)
	_, _, err := g.Client.Issues.Edit(ctx, owner, name, number, &github.IssueRequest{
		Title: github.String(title),
		Body:  github.String(body),
	})
	if err != nil {
		return fmt.Errorf("failed to edit %s#%d: %w", repo, number, err)
	}
	return nil
}

// AddLabels adds labels without touching the others.
func (g *GitHubIssues) AddLabels(ctx context.Context, repo string, number int, labels []string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.AddLabelsToIssue(ctx, owner, name, number, labels); err != nil {
		return fmt.Errorf("failed to label %s#%d: %w", repo, number, err)
	}
	return nil
}

// Close closes an issue with GitHub's state_reason ("completed" or
// "not_planned").
func (g *GitHubIssues) Close(ctx context.Context, repo string, number int, reason string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.Edit(ctx, owner, name, number, &github.IssueRequest{
		State: github.String("closed"), StateReason: github.String(reason),
	}); err != nil {
		return fmt.Errorf("failed to close %s#%d: %w", repo, number, err)
	}
	return nil
}

// Comment posts a comment.
func (g *GitHubIssues) Comment(ctx context.Context, repo string, number int, body string) error {
	owner, name := splitRepo(repo)
	if _, _, err := g.Client.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.String(body)}); err != nil {
		return fmt.Errorf("failed to comment on %s#%d: %w", repo, number, err)
	}
	return nil
}

// Assignable asks GitHub whether login can be assigned issues in repo
// (GET /repos/{o}/{r}/assignees/{login}: 204 yes, 404 no). One
// unassignable login would make the whole create fail with 422.
func (g *GitHubIssues) Assignable(ctx context.Context, repo, login string) (bool, error) {
	owner, name := splitRepo(repo)
	ok, _, err := g.Client.Issues.IsAssignee(ctx, owner, name, url.PathEscape(login))
	if err != nil {
		return false, fmt.Errorf("failed to check assignee %s in %s: %w", login, repo, err)
	}
	return ok, nil
}

// FindMarked lists the app's own issues (creator filter, all states, newest
// first) rather than searching: the search index lags behind a create.
func (g *GitHubIssues) FindMarked(ctx context.Context, repo string, ids map[int]bool) (map[int]int, error) {
	owner, name := splitRepo(repo)
	found := map[int]int{}
	opt := &github.IssueListByRepoOptions{
		Creator:     g.Creator,
		State:       "all",
		Sort:        "created",
		Direction:   "desc",
		ListOptions: github.ListOptions{PerPage: 100},
	}
	for {
		page, resp, err := g.Client.Issues.ListByRepo(ctx, owner, name, opt)
		if err != nil {
			return found, fmt.Errorf("failed to list issues of %s by %s: %w", repo, g.Creator, err)
		}
		for _, is := range page {
			if is.IsPullRequest() {
				continue
			}
			if id, ok := StatementIDOf(is.GetBody()); ok && ids[id] {
				if _, dup := found[id]; !dup {
					found[id] = is.GetNumber()
				}
			}
		}
		if len(found) == len(ids) || resp.NextPage == 0 {
			return found, nil
		}
		opt.Page = resp.NextPage
	}
}

// OpenManual lists the open statement issues carrying the intake marker
// (one listing, by label; the caching client makes an unchanged one a
// free 304).
func (g *GitHubIssues) OpenManual(ctx context.Context, repo string) ([]ManualIssue, error) {
	owner, name := splitRepo(repo)
	opt := &github.IssueListByRepoOptions{State: "open", Labels: []string{liaison.LabelLiaison}, ListOptions: github.ListOptions{PerPage: 100}}
	var out []ManualIssue
	for {
		page, resp, err := g.Client.Issues.ListByRepo(ctx, owner, name, opt)
		if err != nil {
			return nil, fmt.Errorf("failed to list the open statement issues of %s: %w", repo, err)
		}
		for _, is := range page {
			body := is.GetBody()
			if is.IsPullRequest() || !strings.Contains(body, ManualMarker) {
				continue
			}
			title, id := manualKeys(body)
			m := ManualIssue{Number: is.GetNumber(), Title: title, Identifier: id, Body: body}
			for _, l := range is.Labels {
				m.Labels = append(m.Labels, l.GetName())
			}
			out = append(out, m)
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

// outcomeUnknown reports whether err leaves it open whether GitHub applied
// a write: no response arrived (the connection failed, or the context ended
// mid-request) or the server failed after reading it. Such a write must not
// be repeated blindly.
func outcomeUnknown(err error) bool {
	s := statusOf(err)
	return s == 0 || s >= 500
}

// statusOf is the HTTP status of a GitHub error, or 0 when there was none.
func statusOf(err error) int {
	var er *github.ErrorResponse
	if errors.As(err, &er) && er.Response != nil {
		return er.Response.StatusCode
	}
	var rl *github.RateLimitError
	if errors.As(err, &rl) && rl.Response != nil {
		return rl.Response.StatusCode
	}
	var ab *github.AbuseRateLimitError
	if errors.As(err, &ab) && ab.Response != nil {
		return ab.Response.StatusCode
	}
	return 0
}
