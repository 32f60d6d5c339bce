package githubtest_test

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

const responsePath = "responses/ls-2025-01.md"

// responsePull is the App's "response as a pull request" workflow against
// a hooked fixture: main has README.md and liaison.yml; the App branches
// "response" off main, commits responsePath and changes liaison.yml there,
// and opens a pull request into main. It returns the pull request.
func responsePull(t *testing.T, s *githubtest.Server, c *github.Client) *github.PullRequest {
	t.Helper()
	s.PutFile(repo, "", "README.md", []byte("hello\n"))
	s.PutFile(repo, "", "liaison.yml", []byte("since: 2025-01-01\nfrom: []\n"))
	ref, _, err := c.Git.GetRef(ctx, owner, name, "heads/main")
	check(t, err)
	_, _, err = c.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/response"), Object: ref.Object})
	check(t, err)
	_, _, err = c.Repositories.CreateFile(ctx, owner, name, responsePath, &github.RepositoryContentFileOptions{
		Message: github.String("Draft the response"), Content: []byte("Dear SG13,\nThank you.\n"), Branch: github.String("response"),
	})
	check(t, err)
	cfg, _, _, err := c.Repositories.GetContents(ctx, owner, name, "liaison.yml", &github.RepositoryContentGetOptions{Ref: "response"})
	check(t, err)
	_, _, err = c.Repositories.UpdateFile(ctx, owner, name, "liaison.yml", &github.RepositoryContentFileOptions{
		Message: github.String("Track SG13"), Content: []byte("since: 2025-01-01\nfrom: [itu-t-sg13]\n"), Branch: github.String("response"), SHA: cfg.SHA,
	})
	check(t, err)
	pr, resp, err := c.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{
		Title: github.String("Response to LS from ITU-T SG13"), Head: github.String("ietf:response"), Base: github.String("main"),
		Body: github.String("Please review."), MaintainerCanModify: github.Bool(true),
	})
	check(t, err)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Location") != s.URL()+"repos/ietf/liaisons/pulls/"+itoa(pr.GetNumber()) {
		t.Fatalf("Create: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	return pr
}

func itoa(n int) string { return strconv.Itoa(n) }

// pullEvents returns the pull_request and pull_request_review deliveries.
func pullEvents(rc *receiver) []received {
	var out []received
	for _, d := range rc.deliveries() {
		if strings.HasPrefix(d.event, "pull_request") {
			out = append(out, d)
		}
	}
	return out
}

func TestCreatePullRequest(t *testing.T) {
	s, rc := hooked(t)
	c := installationClient(t, s, instID)
	issue, _, err := c.Issues.Create(ctx, owner, name, &github.IssueRequest{Title: github.String("Incoming liaison")})
	check(t, err)
	s.ResetCounts()
	pr := responsePull(t, s, c)
	s.WaitDeliveries(t)

	if pr.GetNumber() != issue.GetNumber()+1 {
		t.Errorf("pull request #%d after issue #%d: the numbers are not shared", pr.GetNumber(), issue.GetNumber())
	}
	head := s.HeadSHA(repo, "response")
	if pr.GetState() != "open" || pr.GetHead().GetRef() != "response" || pr.GetHead().GetSHA() != head || pr.GetHead().GetLabel() != "ietf:response" ||
		pr.GetBase().GetRef() != "main" || pr.GetBase().GetSHA() != s.HeadSHA(repo, "main") || pr.GetUser().GetLogin() != "liaisonbot[bot]" ||
		pr.GetMerged() || pr.GetCommits() != 2 || pr.GetChangedFiles() != 2 || pr.GetAdditions() != 3 || pr.GetDeletions() != 1 || !pr.GetMaintainerCanModify() {
		t.Errorf("pull request = %+v", pr)
	}
	if n := s.Counts().ContentCreating; n != 3 {
		t.Errorf("ContentCreating = %d, want 3 (a new file, an update, the pull request)", n)
	}
	events := pullEvents(rc)
	if len(events) != 1 || events[0].action() != "pull_request.opened" {
		t.Fatalf("deliveries %v, want one pull_request.opened", rc.actions())
	}
	ev := events[0].parsed.(*github.PullRequestEvent)
	if ev.GetNumber() != pr.GetNumber() || ev.GetSender().GetLogin() != "liaisonbot[bot]" || ev.GetPullRequest().GetHead().GetSHA() != head ||
		ev.GetInstallation().GetID() != instID || ev.GetPullRequest().GetMerged() {
		t.Errorf("opened payload: number %d sender %s head %s", ev.GetNumber(), ev.GetSender().GetLogin(), ev.GetPullRequest().GetHead().GetSHA())
	}
	for _, a := range rc.actions() {
		if strings.HasPrefix(a, "issues.") && a != "issues.opened" {
			t.Errorf("a pull request sent %s", a)
		}
	}

	got, _, err := c.PullRequests.Get(ctx, owner, name, pr.GetNumber())
	check(t, err)
	if got.GetTitle() != "Response to LS from ITU-T SG13" || got.GetBody() != "Please review." {
		t.Errorf("Get = %q %q", got.GetTitle(), got.GetBody())
	}
	if snap, ok := s.PullRequest(repo, pr.GetNumber()); !ok || snap.Head != "response" || snap.Base != "main" || snap.HeadSHA != head || snap.State != "open" || snap.User != "liaisonbot[bot]" {
		t.Errorf("PullRequest = %+v, %v", snap, ok)
	}

	// It is an issue too: labels and comments work through the issue endpoints.
	is, _, err := c.Issues.Get(ctx, owner, name, pr.GetNumber())
	check(t, err)
	if !is.IsPullRequest() || is.GetPullRequestLinks().GetURL() != pr.GetURL() {
		t.Errorf("issue #%d: pull_request %+v", is.GetNumber(), is.GetPullRequestLinks())
	}
	_, _, err = c.Issues.AddLabelsToIssue(ctx, owner, name, pr.GetNumber(), []string{"response"})
	check(t, err)
	_, _, err = c.Issues.CreateComment(ctx, owner, name, pr.GetNumber(), &github.IssueComment{Body: github.String("Drafted.")})
	check(t, err)
	s.WaitDeliveries(t)
	if snap, _ := s.PullRequest(repo, pr.GetNumber()); !slices.Equal(snap.Labels, []string{"response"}) {
		t.Errorf("labels = %v", snap.Labels)
	}
	acts := rc.actions()
	if !slices.Contains(acts, "pull_request.labeled") || !slices.Contains(acts, "issue_comment.created") || slices.Contains(acts, "issues.labeled") {
		t.Errorf("deliveries %v, want pull_request.labeled and issue_comment.created", acts)
	}

	tests := []struct {
		name       string
		head, base string
		title      string
		message    string
	}{
		{"same head and base again", "response", "main", "again", "A pull request already exists for ietf:response."},
		{"no commits", "main", "response", "back", "No commits between response and main"},
		{"unknown head", "nope", "main", "t", "head invalid"},
		{"another owner's head", "someone:response", "main", "t", "head invalid"},
		{"unknown base", "response", "nope", "t", "base invalid"},
		{"title too long", "response", "main", strings.Repeat("x", 257), "title is too long"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := len(s.Issues(repo))
			_, _, err := c.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: &tc.title, Head: &tc.head, Base: &tc.base})
			if statusOf(err) != http.StatusUnprocessableEntity || !strings.Contains(errorMessage(err), tc.message) {
				t.Errorf("Create: %v, want 422 %q", err, tc.message)
			}
			if len(s.Issues(repo)) != before {
				t.Errorf("a refused pull request was created")
			}
		})
	}
	// An empty head is missing, as GitHub reports it.
	status, _, b := rawRequest(t, s, "POST", "repos/ietf/liaisons/pulls", s.IssueToken(instID), `{"title":"t","head":"","base":"main"}`)
	if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), `"missing_field"`) {
		t.Errorf("empty head: %d %s", status, b)
	}
	if _, _, err := c.PullRequests.Get(ctx, owner, name, issue.GetNumber()); statusOf(err) != http.StatusNotFound {
		t.Errorf("GET pulls/<an issue>: %v, want 404", err)
	}
}

func TestListPullRequestsAndFiles(t *testing.T) {
	s, _ := hooked(t)
	c := installationClient(t, s, instID)
	pr := responsePull(t, s, c)
	// A second branch with its own pull request, closed.
	s.PutFile(repo, "other", "x.txt", []byte("x\n"))
	other := s.OpenPullAs(repo, "alice", "other", "main", "Other", "")
	s.ClosePullAs(repo, other, "alice")

	tests := []struct {
		name string
		opts github.PullRequestListOptions
		want []int
	}{
		{"open by default", github.PullRequestListOptions{}, []int{pr.GetNumber()}},
		{"by head", github.PullRequestListOptions{Head: "ietf:response", State: "all"}, []int{pr.GetNumber()}},
		{"by another owner's head", github.PullRequestListOptions{Head: "someone:response", State: "all"}, nil},
		{"by base", github.PullRequestListOptions{Base: "main", State: "all"}, []int{other, pr.GetNumber()}},
		{"closed", github.PullRequestListOptions{State: "closed"}, []int{other}},
		{"all, oldest first", github.PullRequestListOptions{State: "all", Direction: "asc"}, []int{pr.GetNumber(), other}},
		{"one a page", github.PullRequestListOptions{State: "all", ListOptions: github.ListOptions{PerPage: 1, Page: 2}}, []int{pr.GetNumber()}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			list, resp, err := c.PullRequests.List(ctx, owner, name, &tc.opts)
			check(t, err)
			var got []int
			for _, p := range list {
				got = append(got, p.GetNumber())
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("numbers = %v, want %v", got, tc.want)
			}
			if tc.opts.PerPage == 1 && (resp.PrevPage != 1 || !strings.Contains(resp.Header.Get("Link"), s.URL())) {
				t.Errorf("Link = %q", resp.Header.Get("Link"))
			}
		})
	}

	files, _, err := c.PullRequests.ListFiles(ctx, owner, name, pr.GetNumber(), nil)
	check(t, err)
	type entry struct {
		name, status     string
		additions, dels  int
		patchHas, rawRef string
	}
	var got []entry
	for _, f := range files {
		got = append(got, entry{f.GetFilename(), f.GetStatus(), f.GetAdditions(), f.GetDeletions(), "", f.GetRawURL()})
		if f.GetChanges() != f.GetAdditions()+f.GetDeletions() || !strings.Contains(f.GetContentsURL(), "ref="+pr.GetHead().GetSHA()) {
			t.Errorf("%s: changes %d contents_url %s", f.GetFilename(), f.GetChanges(), f.GetContentsURL())
		}
	}
	want := []entry{
		{"liaison.yml", "modified", 1, 1, "", htmlRaw(pr, "liaison.yml")},
		{responsePath, "added", 2, 0, "", htmlRaw(pr, responsePath)},
	}
	if !slices.Equal(got, want) {
		t.Errorf("files = %+v, want %+v", got, want)
	}
	if p := files[0].GetPatch(); !strings.Contains(p, "-from: []") || !strings.Contains(p, "+from: [itu-t-sg13]") || !strings.Contains(p, " since: 2025-01-01") {
		t.Errorf("patch = %q", p)
	}
	page, resp, err := c.PullRequests.ListFiles(ctx, owner, name, pr.GetNumber(), &github.ListOptions{PerPage: 1})
	check(t, err)
	if len(page) != 1 || resp.NextPage != 2 {
		t.Errorf("ListFiles per_page 1: %d files, next page %d", len(page), resp.NextPage)
	}

	// A change on main after the branch point is not the pull request's.
	s.PutFile(repo, "", "NEWS.md", []byte("news\n"))
	files, _, err = c.PullRequests.ListFiles(ctx, owner, name, pr.GetNumber(), nil)
	check(t, err)
	if len(files) != 2 {
		t.Errorf("%d files after main moved on, want 2", len(files))
	}
}

func htmlRaw(pr *github.PullRequest, path string) string {
	return "https://github.com/ietf/liaisons/raw/" + pr.GetHead().GetSHA() + "/" + path
}

func TestRequestReviewers(t *testing.T) {
	s, rc := hooked(t)
	s.AddCollaborator(repo, "carol", githubtest.RoleTriage)
	s.AddTeam(owner, "iab", "carol")
	c := installationClient(t, s, instID)
	pr := responsePull(t, s, c)
	n := pr.GetNumber()

	got, resp, err := c.PullRequests.RequestReviewers(ctx, owner, name, n, github.ReviewersRequest{Reviewers: []string{"Alice"}, TeamReviewers: []string{"iab"}})
	check(t, err)
	if resp.StatusCode != http.StatusCreated || len(got.RequestedReviewers) != 1 || got.RequestedReviewers[0].GetLogin() != "alice" ||
		len(got.RequestedTeams) != 1 || got.RequestedTeams[0].GetSlug() != "iab" {
		t.Errorf("RequestReviewers: %d reviewers %v teams %v", resp.StatusCode, got.RequestedReviewers, got.RequestedTeams)
	}
	// Asking again adds no one.
	_, _, err = c.PullRequests.RequestReviewers(ctx, owner, name, n, github.ReviewersRequest{Reviewers: []string{"alice", "carol"}})
	check(t, err)
	snap, _ := s.PullRequest(repo, n)
	if !slices.Equal(snap.RequestedReviewers, []string{"alice", "carol"}) || !slices.Equal(snap.RequestedTeams, []string{"iab"}) {
		t.Errorf("requested %v teams %v", snap.RequestedReviewers, snap.RequestedTeams)
	}
	s.WaitDeliveries(t)
	var requested []string
	for _, d := range pullEvents(rc) {
		if d.action() != "pull_request.review_requested" {
			continue
		}
		ev := d.parsed.(*github.PullRequestEvent)
		requested = append(requested, ev.GetRequestedReviewer().GetLogin()+ev.GetRequestedTeam().GetSlug())
	}
	if !slices.Equal(requested, []string{"alice", "iab", "carol"}) {
		t.Errorf("review_requested for %v, want alice, iab, carol", requested)
	}

	tests := []struct {
		name, body, message string
	}{
		{"not a collaborator", `{"reviewers":["mallory"]}`, "Reviews may only be requested from collaborators"},
		{"unknown team", `{"team_reviewers":["nope"]}`, "Reviews may only be requested from collaborators"},
		{"empty", `{"reviewers":[]}`, "missing_field"},
		{"the author", `{"reviewers":["liaisonbot[bot]"]}`, "Review cannot be requested from pull request author."},
	}
	s.AddCollaborator(repo, "liaisonbot[bot]", githubtest.RoleWrite)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := rawRequest(t, s, "POST", "repos/ietf/liaisons/pulls/"+itoa(n)+"/requested_reviewers", s.IssueToken(instID), tc.body)
			if status != http.StatusUnprocessableEntity || !strings.Contains(string(b), tc.message) {
				t.Errorf("%d %s, want 422 %q", status, b, tc.message)
			}
		})
	}
	if snap, _ := s.PullRequest(repo, n); len(snap.RequestedReviewers) != 2 {
		t.Errorf("a refused request changed the reviewers: %v", snap.RequestedReviewers)
	}
}

func TestReviewsMergeAndClose(t *testing.T) {
	s, rc := hooked(t)
	c := installationClient(t, s, instID)
	pr := responsePull(t, s, c)
	n := pr.GetNumber()
	_, _, err := c.PullRequests.RequestReviewers(ctx, owner, name, n, github.ReviewersRequest{Reviewers: []string{"alice"}})
	check(t, err)

	// A push to the head branch moves the pull request and synchronizes it.
	before := s.HeadSHA(repo, "response")
	after := s.PushFileAs(repo, "response", "alice", "responses/annex.md", []byte("Annex\n"))
	if after == before || s.HeadSHA(repo, "response") != after {
		t.Fatalf("PushFileAs returned %s; head %s (was %s)", after, s.HeadSHA(repo, "response"), before)
	}
	bob := s.ReviewAs(repo, n, "bob", githubtest.ReviewCommented, "Looks fine.")
	alice := s.ReviewAs(repo, n, "alice", githubtest.ReviewApproved, "")

	reviews, _, err := c.PullRequests.ListReviews(ctx, owner, name, n, nil)
	check(t, err)
	if len(reviews) != 2 || reviews[0].GetID() != bob || reviews[0].GetState() != "COMMENTED" || reviews[0].GetBody() != "Looks fine." ||
		reviews[1].GetID() != alice || reviews[1].GetState() != "APPROVED" || reviews[1].GetCommitID() != after || reviews[1].GetUser().GetLogin() != "alice" {
		t.Errorf("reviews = %v", reviews)
	}
	if got := s.Reviews(repo, n); len(got) != 2 || got[1] != (githubtest.Review{ID: alice, User: "alice", State: "APPROVED", CommitID: after}) {
		t.Errorf("Reviews = %+v", got)
	}
	if snap, _ := s.PullRequest(repo, n); len(snap.RequestedReviewers) != 0 || snap.HeadSHA != after {
		t.Errorf("after alice's review: requested %v head %s", snap.RequestedReviewers, snap.HeadSHA)
	}

	s.MergeAs(repo, n, "alice")
	if got, ok := s.File(repo, "main", responsePath); !ok || string(got) != "Dear SG13,\nThank you.\n" {
		t.Errorf("main after the merge: %q, %v", got, ok)
	}
	if got, _ := s.File(repo, "", "liaison.yml"); string(got) != "since: 2025-01-01\nfrom: [itu-t-sg13]\n" {
		t.Errorf("liaison.yml on main after the merge: %q", got)
	}
	merged, _, err := c.PullRequests.Get(ctx, owner, name, n)
	check(t, err)
	if merged.GetState() != "closed" || !merged.GetMerged() || merged.GetMergedBy().GetLogin() != "alice" || merged.MergedAt == nil ||
		merged.GetMergeCommitSHA() != s.HeadSHA(repo, "main") || merged.GetHead().GetSHA() != after {
		t.Errorf("merged pull request: state %s merged %v by %s at %v commit %s", merged.GetState(), merged.GetMerged(),
			merged.GetMergedBy().GetLogin(), merged.MergedAt, merged.GetMergeCommitSHA())
	}
	if files, _, err := c.PullRequests.ListFiles(ctx, owner, name, n, nil); err != nil || len(files) != 3 {
		t.Errorf("files of the merged pull request: %d, %v; want 3", len(files), err)
	}
	// The branch is in main now: nothing left to propose.
	if _, _, err := c.PullRequests.Create(ctx, owner, name, &github.NewPullRequest{Title: github.String("again"), Head: github.String("response"), Base: github.String("main")}); statusOf(err) != http.StatusUnprocessableEntity {
		t.Errorf("a pull request of a merged branch: %v, want 422", err)
	}

	// A second pull request, closed unmerged and reopened.
	s.PutFile(repo, "second", "b.md", []byte("b\n"))
	second := s.OpenPullAs(repo, "bob", "second", "main", "Second", "")
	s.ClosePullAs(repo, second, "bob")
	s.ReopenPullAs(repo, second, "bob")
	s.WaitDeliveries(t)

	var got []string
	for _, d := range pullEvents(rc) {
		ev := d.parsed
		switch e := ev.(type) {
		case *github.PullRequestEvent:
			p := e.GetPullRequest()
			got = append(got, d.action()+" #"+itoa(e.GetNumber())+" by "+e.GetSender().GetLogin())
			switch {
			case e.GetAction() == "synchronize" && (e.GetBefore() != before || e.GetAfter() != after || p.GetHead().GetSHA() != after):
				t.Errorf("synchronize: before %s after %s head %s", e.GetBefore(), e.GetAfter(), p.GetHead().GetSHA())
			case e.GetAction() == "closed" && e.GetNumber() == n && (!p.GetMerged() || p.MergedAt == nil || p.GetMergedBy().GetLogin() != "alice"):
				t.Errorf("closed by merge: merged %v at %v", p.GetMerged(), p.MergedAt)
			case e.GetAction() == "closed" && e.GetNumber() == second && (p.GetMerged() || p.MergedAt != nil):
				t.Errorf("closed unmerged: merged %v at %v", p.GetMerged(), p.MergedAt)
			}
		case *github.PullRequestReviewEvent:
			got = append(got, d.action()+" #"+itoa(e.GetPullRequest().GetNumber())+" by "+e.GetSender().GetLogin()+" "+e.GetReview().GetState())
		default:
			t.Errorf("%s parsed as %T", d.action(), ev)
		}
	}
	want := []string{
		"pull_request.opened #" + itoa(n) + " by liaisonbot[bot]",
		"pull_request.review_requested #" + itoa(n) + " by liaisonbot[bot]",
		"pull_request.synchronize #" + itoa(n) + " by alice",
		"pull_request_review.submitted #" + itoa(n) + " by bob commented",
		"pull_request_review.submitted #" + itoa(n) + " by alice approved",
		"pull_request.closed #" + itoa(n) + " by alice",
		"pull_request.opened #" + itoa(second) + " by bob",
		"pull_request.closed #" + itoa(second) + " by bob",
		"pull_request.reopened #" + itoa(second) + " by bob",
	}
	if !slices.Equal(got, want) {
		t.Errorf("deliveries:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	prs := s.PullRequests(repo)
	if len(prs) != 2 || !prs[0].Merged || prs[0].State != "closed" || prs[1].Merged || prs[1].State != "open" {
		t.Errorf("PullRequests = %+v", prs)
	}
}

// Changing a pull request through the issue endpoints changes it, with
// pull_request webhooks rather than issues ones.
func TestPullRequestChangedThroughTheIssue(t *testing.T) {
	s, rc := hooked(t)
	c := installationClient(t, s, instID)
	pr := responsePull(t, s, c)
	s.LabelAs(repo, pr.GetNumber(), "alice", "response")
	_, _, err := c.Issues.Edit(ctx, owner, name, pr.GetNumber(), &github.IssueRequest{
		Title: github.String("Response to SG13"), State: github.String("closed"), Labels: &[]string{}, Assignees: &[]string{"alice"},
	})
	check(t, err)
	got, _, err := c.PullRequests.Get(ctx, owner, name, pr.GetNumber())
	check(t, err)
	if got.GetState() != "closed" || got.GetMerged() || got.GetTitle() != "Response to SG13" || got.GetAssignee().GetLogin() != "alice" {
		t.Errorf("state %s merged %v title %q assignee %q", got.GetState(), got.GetMerged(), got.GetTitle(), got.GetAssignee().GetLogin())
	}
	s.ReopenAs(repo, pr.GetNumber(), "alice")
	s.WaitDeliveries(t)
	var acts []string
	for _, d := range pullEvents(rc) {
		acts = append(acts, d.action())
	}
	want := []string{
		"pull_request.opened", "pull_request.labeled", "pull_request.edited", "pull_request.closed",
		"pull_request.unlabeled", "pull_request.assigned", "pull_request.reopened",
	}
	if !slices.Equal(acts, want) {
		t.Errorf("pull_request deliveries %v, want %v", acts, want)
	}
	for _, a := range rc.actions() {
		if strings.HasPrefix(a, "issues.") {
			t.Errorf("a pull request sent %s", a)
		}
	}
}

func TestPeopleMayOnlyDoWhatGitHubAllowsWithPullRequests(t *testing.T) {
	rec := &fatalTB{recordingTB: recordingTB{TB: t}}
	s := fixtureOn(rec)
	s.PutFile(repo, "", "a.md", []byte("a\n"))
	s.PutFile(repo, "feature", "b.md", []byte("b\n"))
	s.PutFile(repo, "draft", "c.md", []byte("c\n"))
	n := s.OpenPullAs(repo, "bob", "feature", "main", "Feature", "")
	seeded := s.AddPullRequest(repo, "alice", "seeded")

	tests := []struct {
		name string
		do   func()
		want string
	}{
		{"push without write", func() { s.PushFileAs(repo, "feature", "bob", "x", []byte("x")) }, "write"},
		{"push to a missing branch", func() { s.PushFileAs(repo, "nope", "alice", "x", []byte("x")) }, "no branch"},
		{"review with an unknown state", func() { s.ReviewAs(repo, n, "alice", "APPROVE", "") }, "not a review state"},
		{"approve one's own", func() { s.ReviewAs(repo, n, "bob", githubtest.ReviewApproved, "") }, "own pull request"},
		{"request changes without a body", func() { s.ReviewAs(repo, n, "alice", githubtest.ReviewChangesRequested, "") }, "needs a body"},
		{"review a seeded pull request", func() { s.ReviewAs(repo, seeded, "alice", githubtest.ReviewApproved, "") }, "not a pull request with branches"},
		{"merge without write", func() { s.MergeAs(repo, n, "bob") }, "write"},
		{"close someone else's", func() { s.ClosePullAs(repo, n, "mallory") }, "author"},
		{"reopen an open one", func() { s.ReopenPullAs(repo, n, "bob") }, "already open"},
		{"open a duplicate", func() { s.OpenPullAs(repo, "alice", "feature", "main", "again", "") }, "already exists"},
		{"open without commits", func() { s.OpenPullAs(repo, "alice", "main", "feature", "back", "") }, "No commits"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := rec.fatalOf(tc.do)
			if !strings.Contains(got, tc.want) {
				t.Errorf("Fatalf %q, want one containing %q", got, tc.want)
			}
		})
	}
	if got := rec.fatalOf(func() { s.MergeAs(repo, n, "alice") }); got != "" {
		t.Fatalf("merge: %s", got)
	}
	if got := rec.fatalOf(func() { s.MergeAs(repo, n, "alice") }); !strings.Contains(got, "closed") {
		t.Errorf("merging twice: %q", got)
	}
	if got := rec.fatalOf(func() { s.ReopenPullAs(repo, n, "alice") }); !strings.Contains(got, "merged") {
		t.Errorf("reopening a merged one: %q", got)
	}
	if errs := rec.recorded(); len(errs) != 0 {
		t.Errorf("errors: %q", errs)
	}
}
