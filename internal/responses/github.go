package responses

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/google/go-github/v62/github"
)

// Repo is the repository a response is written in.
type Repo struct {
	Owner, Name   string
	DefaultBranch string
}

func (r Repo) String() string { return r.Owner + "/" + r.Name }

// Draft is a response pull request to open.
type Draft struct {
	Branch, Path string
	Content      []byte
	Title, Body  string
	// AsDraft opens it as a draft pull request (a crafted response).
	AsDraft bool
	// Message is the commit message of the file.
	Message string
}

// status is the HTTP status of a GitHub error, 0 for other errors.
func status(err error) int {
	var ge *github.ErrorResponse
	if errors.As(err, &ge) && ge.Response != nil {
		return ge.Response.StatusCode
	}
	return 0
}

// Open writes the branch, the file and the pull request of d, and
// returns the pull request. It may be run again after a failure part-way
// (a retried delivery): a branch, file or pull request made by the earlier
// run is found and used rather than made twice.
func Open(ctx context.Context, c *github.Client, r Repo, d Draft) (*github.PullRequest, error) {
	base, _, err := c.Git.GetRef(ctx, r.Owner, r.Name, "heads/"+r.DefaultBranch)
	if err != nil {
		return nil, fmt.Errorf("failed to read branch %s of %s: %w", r.DefaultBranch, r, err)
	}
	_, _, err = c.Git.CreateRef(ctx, r.Owner, r.Name, &github.Reference{
		Ref: github.String("refs/heads/" + d.Branch), Object: &github.GitObject{SHA: base.GetObject().SHA},
	})
	if err != nil && status(err) != http.StatusUnprocessableEntity { // 422: it exists, from an earlier run
		return nil, fmt.Errorf("failed to create branch %s in %s: %w", d.Branch, r, err)
	}
	if err := writeFile(ctx, c, r, d); err != nil {
		return nil, err
	}
	pr, _, err := c.PullRequests.Create(ctx, r.Owner, r.Name, &github.NewPullRequest{
		Title: github.String(d.Title), Head: github.String(d.Branch), Base: github.String(r.DefaultBranch),
		Body: github.String(d.Body), Draft: github.Bool(d.AsDraft), MaintainerCanModify: github.Bool(true),
	})
	if err == nil {
		return pr, nil
	}
	if status(err) != http.StatusUnprocessableEntity {
		return nil, fmt.Errorf("failed to open the pull request of %s in %s: %w", d.Branch, r, err)
	}
	// 422: perhaps opened by an earlier run whose answer was lost.
	open, _, lerr := c.PullRequests.List(ctx, r.Owner, r.Name, &github.PullRequestListOptions{
		State: "open", Head: r.Owner + ":" + d.Branch, Base: r.DefaultBranch,
	})
	if lerr == nil && len(open) > 0 {
		return open[0], nil
	}
	return nil, fmt.Errorf("failed to open the pull request of %s in %s: %w", d.Branch, r, err)
}

// writeFile creates the file on the branch, or, when an earlier run
// created it, leaves it (same content) or updates it.
func writeFile(ctx context.Context, c *github.Client, r Repo, d Draft) error {
	opts := &github.RepositoryContentFileOptions{
		Message: github.String(d.Message), Content: d.Content, Branch: github.String(d.Branch),
	}
	_, _, err := c.Repositories.CreateFile(ctx, r.Owner, r.Name, d.Path, opts)
	if err == nil {
		return nil
	}
	if status(err) != http.StatusUnprocessableEntity { // 422: the file exists and no sha was given
		return fmt.Errorf("failed to write %s on %s in %s: %w", d.Path, d.Branch, r, err)
	}
	cur, _, _, gerr := c.Repositories.GetContents(ctx, r.Owner, r.Name, d.Path, &github.RepositoryContentGetOptions{Ref: d.Branch})
	if gerr != nil || cur == nil {
		return fmt.Errorf("failed to write %s on %s in %s: %w", d.Path, d.Branch, r, errors.Join(err, gerr))
	}
	if text, derr := cur.GetContent(); derr == nil && text == string(d.Content) {
		return nil
	}
	opts.SHA = cur.SHA
	if _, _, err := c.Repositories.UpdateFile(ctx, r.Owner, r.Name, d.Path, opts); err != nil {
		return fmt.Errorf("failed to update %s on %s in %s: %w", d.Path, d.Branch, r, err)
	}
	return nil
}

// SplitReviewers separates users from teams ("org/team", requested by
// their slug).
func SplitReviewers(who []string) (users, teams []string) {
	for _, w := range who {
		w = strings.TrimPrefix(w, "@")
		if _, slug, ok := strings.Cut(w, "/"); ok {
			teams = append(teams, slug)
		} else if w != "" {
			users = append(users, w)
		}
	}
	return users, teams
}

// MaxReviewers is how many reviewers the app requests on one pull request.
const MaxReviewers = 15

// Requestable splits who into the reviewers GitHub can be asked for on a
// pull request of owner's repository and the rest: a team of another
// organisation (GitHub takes team slugs of the repository's own
// organisation only), or names past MaxReviewers.
func Requestable(owner string, who []string) (ok, skipped []string) {
	for _, w := range who {
		w = strings.TrimPrefix(w, "@")
		org, _, isTeam := strings.Cut(w, "/")
		if (isTeam && !strings.EqualFold(org, owner)) || len(ok) == MaxReviewers {
			skipped = append(skipped, w)
			continue
		}
		ok = append(ok, w)
	}
	return ok, skipped
}

// RequestReviewers asks who (users and "org/team") to review pull request
// number, and returns those GitHub refused. One refused name (not a
// collaborator) makes GitHub refuse the whole request, so after a 422 each
// is asked alone.
func RequestReviewers(ctx context.Context, c *github.Client, r Repo, number int, who []string) (refused []string, err error) {
	ask := func(names []string) error {
		users, teams := SplitReviewers(names)
		_, _, err := c.PullRequests.RequestReviewers(ctx, r.Owner, r.Name, number, github.ReviewersRequest{
			Reviewers: users, TeamReviewers: teams,
		})
		return err
	}
	if len(who) == 0 {
		return nil, nil
	}
	err = ask(who)
	if err == nil {
		return nil, nil
	}
	if status(err) != http.StatusUnprocessableEntity || len(who) == 1 {
		if status(err) == http.StatusUnprocessableEntity {
			return who, nil
		}
		return nil, fmt.Errorf("failed to request reviewers on %s#%d: %w", r, number, err)
	}
	for _, w := range who {
		if err := ask([]string{w}); err != nil {
			if status(err) != http.StatusUnprocessableEntity {
				return refused, fmt.Errorf("failed to request %s's review on %s#%d: %w", w, r, number, err)
			}
			refused = append(refused, w)
		}
	}
	return refused, nil
}

// ReadFile reads path at ref (a branch or a commit).
func ReadFile(ctx context.Context, c *github.Client, r Repo, ref, path string) ([]byte, error) {
	f, _, _, err := c.Repositories.GetContents(ctx, r.Owner, r.Name, path, &github.RepositoryContentGetOptions{Ref: ref})
	if err != nil {
		return nil, fmt.Errorf("failed to read %s at %s in %s: %w", path, ref, r, err)
	}
	if f == nil {
		return nil, fmt.Errorf("failed to read %s at %s in %s: it is a directory", path, ref, r)
	}
	text, err := f.GetContent()
	if err != nil {
		return nil, fmt.Errorf("failed to decode %s at %s in %s: %w", path, ref, r, err)
	}
	return []byte(text), nil
}

// maxCheckedFiles bounds the files one check reads: a response pull
// request holds one.
const maxCheckedFiles = 10

// ResponseFiles lists the response files pull request number adds or
// changes.
func ResponseFiles(ctx context.Context, c *github.Client, r Repo, number int) ([]string, error) {
	var out []string
	opts := &github.ListOptions{PerPage: 100}
	for {
		files, resp, err := c.PullRequests.ListFiles(ctx, r.Owner, r.Name, number, opts)
		if err != nil {
			return nil, fmt.Errorf("failed to list the files of %s#%d: %w", r, number, err)
		}
		for _, f := range files {
			name := f.GetFilename()
			if strings.HasPrefix(name, Dir) && strings.HasSuffix(name, ".md") && f.GetStatus() != "removed" && len(out) < maxCheckedFiles {
				out = append(out, name)
			}
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// Reviews lists the submitted reviews of pull request number, oldest
// first.
func Reviews(ctx context.Context, c *github.Client, r Repo, number int) ([]Review, error) {
	var out []Review
	opts := &github.ListOptions{PerPage: 100}
	for {
		rs, resp, err := c.PullRequests.ListReviews(ctx, r.Owner, r.Name, number, opts)
		if err != nil {
			return nil, fmt.Errorf("failed to list the reviews of %s#%d: %w", r, number, err)
		}
		for _, rv := range rs {
			out = append(out, Review{User: rv.GetUser().GetLogin(), State: rv.GetState(), Association: rv.GetAuthorAssociation()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opts.Page = resp.NextPage
	}
}

// GitHub's limits on a check run: annotations per request, and the
// summary's length (65,535 characters; kept well under).
const (
	maxAnnotations = 50
	maxSummary     = 60000
)

// Report posts the check run of a response pull request's head: success
// when no file has a problem, else failure with each problem at its line.
func Report(ctx context.Context, c *github.Client, r Repo, headSHA string, checked []string, problems map[string][]Problem) error {
	var anns []*github.CheckRunAnnotation
	n := 0
	for _, path := range checked {
		for _, p := range problems[path] {
			n++
			if len(anns) < maxAnnotations {
				anns = append(anns, &github.CheckRunAnnotation{
					Path: github.String(path), StartLine: github.Int(p.Line), EndLine: github.Int(p.Line),
					AnnotationLevel: github.String("failure"), Message: github.String(p.Message),
				})
			}
		}
	}
	conclusion, title, summary := "success", "The response is complete", "No placeholder is left and the front matter matches the issue."
	switch {
	case len(checked) == 0:
		conclusion, title = "failure", "No response file"
		summary = "This pull request changes no Markdown file under " + Dir + "."
	case n > 0:
		conclusion, title = "failure", fmt.Sprintf("%d problem(s) to fix before merging", n)
		if n > maxAnnotations {
			title += fmt.Sprintf(" (the first %d marked in the files)", maxAnnotations)
		}
		var b strings.Builder
		shown := 0
	list:
		for _, path := range checked {
			for _, p := range problems[path] {
				line := fmt.Sprintf("- %s, line %d: %s\n", path, p.Line, p.Message)
				if b.Len()+len(line) > maxSummary {
					break list
				}
				b.WriteString(line)
				shown++
			}
		}
		if shown < n {
			fmt.Fprintf(&b, "- and %d more\n", n-shown)
		}
		summary = b.String()
	}
	_, _, err := c.Checks.CreateCheckRun(ctx, r.Owner, r.Name, github.CreateCheckRunOptions{
		Name: CheckName, HeadSHA: headSHA, Status: github.String("completed"), Conclusion: github.String(conclusion),
		Output: &github.CheckRunOutput{Title: github.String(title), Summary: github.String(summary), Annotations: anns},
	})
	if err != nil {
		return fmt.Errorf("failed to report the check of %s at %s: %w", r, headSHA, err)
	}
	return nil
}
