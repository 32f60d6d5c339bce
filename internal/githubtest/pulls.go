package githubtest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// pull is the git side of a pull request; the issue it belongs to holds
// its number, title, body, author, state, labels, assignees and comments,
// so the issue endpoints work on it as on GitHub.
type pull struct {
	id   int64
	head string // branch names in the same repository
	base string
	// headSHA and baseSHA follow the branches while the pull request is
	// open and stay where they were when it was closed; once merged,
	// baseSHA is the base's commit before the merge.
	headSHA, baseSHA    string
	draft               bool
	maintainerCanModify bool
	merged              bool
	mergedAt            time.Time
	mergedBy            string
	mergeCommit         string
	reviewers           []string // requested reviewers' logins
	teams               []string // requested teams' slugs
	reviews             []*review
}

// review is a submitted pull request review.
type review struct {
	id          int64
	user        string
	state       string // APPROVED, CHANGES_REQUESTED, COMMENTED or DISMISSED
	body        string
	commitID    string
	submittedAt time.Time
}

// openPullRequest is what opening a pull request takes, from the API or
// from OpenPullAs.
type openPullRequest struct {
	title, body, head, base string
	titleSet                bool
	draft, maintainerCanMod bool
}

// pullErrors checks a pull request about to be opened in r, as GitHub
// does, and returns its head and base branches (head without "owner:").
func (r *repo) pullErrors(req openPullRequest) (head, base string, errs []fieldError) {
	field := func(name, code string) fieldError {
		return fieldError{Resource: "PullRequest", Field: name, Code: code}
	}
	switch {
	case !req.titleSet:
		errs = append(errs, field("title", "missing_field"))
	case utf8.RuneCountInString(req.title) > MaxTitleLength:
		errs = append(errs, fieldError{Resource: "PullRequest", Field: "title", Code: "custom",
			Message: fmt.Sprintf("title is too long (maximum is %d characters)", MaxTitleLength)})
	}
	if utf8.RuneCountInString(req.body) > MaxBodyLength {
		errs = append(errs, fieldError{Resource: "PullRequest", Field: "body", Code: "custom",
			Message: fmt.Sprintf("body is too long (maximum is %d characters)", MaxBodyLength)})
	}
	head, _ = r.ownBranch(req.head) // another owner's branch is unknown: ""
	base = req.base
	switch {
	case req.head == "":
		errs = append(errs, field("head", "missing_field"))
	case head == "" || r.branchHead(head) == nil:
		errs = append(errs, field("head", "invalid"))
	}
	switch {
	case req.base == "":
		errs = append(errs, field("base", "missing_field"))
	case r.branchHead(base) == nil:
		errs = append(errs, field("base", "invalid"))
	}
	if len(errs) > 0 {
		return head, base, errs
	}
	headSHA, baseSHA := r.refs[branchRef(head)], r.refs[branchRef(base)]
	if r.commitsBetween(baseSHA, headSHA) == 0 {
		return head, base, []fieldError{{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("No commits between %s and %s", base, head)}}
	}
	if r.openPull(head, base) != nil {
		return head, base, []fieldError{{Resource: "PullRequest", Code: "custom",
			Message: fmt.Sprintf("A pull request already exists for %s:%s.", r.owner, head)}}
	}
	return head, base, nil
}

// ownBranch is the branch of r that head, "branch" or "owner:branch",
// names; ok is false for another owner's branch, as forks are not
// modelled.
func (r *repo) ownBranch(head string) (branch string, ok bool) {
	owner, branch, found := strings.Cut(head, ":")
	if !found {
		return head, true
	}
	if !strings.EqualFold(owner, r.owner) {
		return "", false
	}
	return branch, true
}

// pullIssue is pull request number n with branches, or nil for an issue
// or a pull request seeded without branches (AddPullRequest).
func (r *repo) pullIssue(n int) *issue {
	if is := r.issue(n); is != nil && is.pull != nil {
		return is
	}
	return nil
}

// openPull is the open pull request of head into base, or nil.
func (r *repo) openPull(head, base string) *issue {
	for _, is := range r.issues {
		if is.pull != nil && is.state == "open" && is.pull.head == head && is.pull.base == base {
			return is
		}
	}
	return nil
}

// reopen reopens a closed issue or pull request, leaving its updated_at to
// the caller.
func (r *repo) reopen(is *issue) {
	is.state, is.stateReason, is.closedAt, is.closedBy = "open", "reopened", time.Time{}, ""
	r.refreshPull(is)
}

// refreshPull brings a reopened pull request's commits up to its
// branches, which may have moved while it was closed.
func (r *repo) refreshPull(is *issue) {
	if pr := is.pull; pr != nil && !pr.merged {
		if sha, ok := r.refs[branchRef(pr.head)]; ok {
			pr.headSHA = sha
		}
		if sha, ok := r.refs[branchRef(pr.base)]; ok {
			pr.baseSHA = sha
		}
	}
}

// openPullAs opens a pull request as login after pullErrors passed, and
// queues pull_request opened. Callers hold s.mu.
func (s *Server) openPullAs(r *repo, login string, req openPullRequest, head, base string) *issue {
	now := s.now()
	is := &issue{
		id: s.newID(), number: r.nextNumber, title: req.title, body: req.body, user: login, state: "open",
		pullRequest: true, createdAt: now, updatedAt: now,
		pull: &pull{
			id: s.newID(), head: head, base: base, headSHA: r.refs[branchRef(head)], baseSHA: r.refs[branchRef(base)],
			draft: req.draft, maintainerCanModify: req.maintainerCanMod,
		},
	}
	s.userID(login)
	r.nextNumber++
	r.issues = append(r.issues, is)
	s.emitPull(r, is, login, "opened", nil)
	return is
}

// POST /repos/{owner}/{repo}/pulls: 201 with the pull request, which is
// also issue #number. head is "branch" or "owner:branch" of this
// repository (forks are not modelled). 422 for a missing or unknown head
// or base, no commits between them, an open pull request for the same
// branches, or an overlong title or body; converting an issue ("issue")
// is not supported.
func (c *call) createPull() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req struct {
		Title               *string `json:"title"`
		Head                *string `json:"head"`
		Base                *string `json:"base"`
		Body                *string `json:"body"`
		Draft               *bool   `json:"draft"`
		MaintainerCanModify *bool   `json:"maintainer_can_modify"`
		Issue               *int64  `json:"issue"`
	}
	if !c.decode(&req) {
		return
	}
	if req.Issue != nil {
		c.s.tb.Logf("githubtest: POST /repos/%s/pulls with \"issue\" (converting an issue) is not modelled; answering 422", r.fullName())
		c.unprocessable(fieldError{Resource: "PullRequest", Field: "issue", Code: "invalid", Value: *req.Issue})
		return
	}
	open := openPullRequest{
		head: deref(req.Head), base: deref(req.Base), title: deref(req.Title), body: deref(req.Body),
		titleSet: req.Title != nil && strings.TrimSpace(*req.Title) != "",
		draft:    req.Draft != nil && *req.Draft, maintainerCanMod: req.MaintainerCanModify != nil && *req.MaintainerCanModify,
	}
	head, base, errs := r.pullErrors(open)
	if len(errs) > 0 {
		c.unprocessable(errs...)
		return
	}
	is := c.s.openPullAs(r, c.actor(), open, head, base)
	c.resp.header.Set("Location", c.s.apiURL("repos/%s/%s/pulls/%d", r.owner, r.name, is.number))
	c.json(http.StatusCreated, c.s.pullJSON(r, is, pullFull))
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

// pullRequest finds the {pull_number} of the request's repository,
// answering 404 when it is missing, an issue, or a pull request seeded
// without branches (AddPullRequest).
func (c *call) pullRequest() (*repo, *issue, bool) {
	return c.numbered("pull_number", (*repo).pullIssue)
}

// GET /repos/{owner}/{repo}/pulls/{pull_number}
func (c *call) getPull() {
	if r, is, ok := c.pullRequest(); ok {
		c.json(http.StatusOK, c.s.pullJSON(r, is, pullFull))
	}
}

// GET /repos/{owner}/{repo}/pulls: filtered by state (default open), head
// ("owner:branch", or a bare branch) and base; sorted by created (default,
// newest first), updated, popularity (comments) or long-running; paginated.
func (c *call) listPulls() {
	r, ok := c.repo()
	if !ok {
		return
	}
	q := c.r.URL.Query()
	state := cmp.Or(q.Get("state"), "open")
	head, ok := r.ownBranch(q.Get("head"))
	if !ok {
		c.json(http.StatusOK, []map[string]any{})
		return
	}
	base := q.Get("base")
	var matched []*issue
	for _, is := range r.issues {
		if is.pull == nil || (state != "all" && is.state != state) ||
			(head != "" && is.pull.head != head) || (base != "" && is.pull.base != base) {
			continue
		}
		matched = append(matched, is)
	}
	sortBy := cmp.Or(q.Get("sort"), "created")
	key := func(is *issue) int64 {
		switch sortBy {
		case "updated":
			return is.updatedAt.UnixNano()
		case "popularity":
			return int64(len(is.comments))
		}
		return is.createdAt.UnixNano()
	}
	desc := sortBy == "created"
	if d := q.Get("direction"); d != "" {
		desc = d == "desc"
	}
	slices.SortStableFunc(matched, func(a, b *issue) int {
		o := cmp.Or(cmp.Compare(key(a), key(b)), cmp.Compare(a.number, b.number))
		if desc {
			return -o
		}
		return o
	})
	c.json(http.StatusOK, renderPage(c, matched, func(is *issue) map[string]any { return c.s.pullJSON(r, is, pullSimple) }))
}

// GET /repos/{owner}/{repo}/pulls/{pull_number}/files: the files that
// differ between the merge base and the head, by path, paginated.
func (c *call) listPullFiles() {
	r, is, ok := c.pullRequest()
	if !ok {
		return
	}
	c.json(http.StatusOK, renderPage(c, r.pullDiff(is.pull), func(d fileDiff) map[string]any {
		return c.s.diffEntryJSON(r, is.pull.headSHA, d)
	}))
}

// pullDiff is what a pull request changes: its head against the merge
// base of head and base.
func (r *repo) pullDiff(pr *pull) []fileDiff {
	return diffFiles(r.filesAt(r.mergeBase(pr.headSHA, pr.baseSHA)), r.filesAt(pr.headSHA))
}

// POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers: 201
// with the pull request. Reviewers must be collaborators other than the
// author and teams must be the owner's; one that is not fails the whole
// request with 422, as does a request naming no one. Each new request
// queues pull_request review_requested.
func (c *call) requestReviewers() {
	r, is, ok := c.pullRequest()
	if !ok {
		return
	}
	var req struct {
		Reviewers     []string `json:"reviewers"`
		TeamReviewers []string `json:"team_reviewers"`
	}
	if !c.decode(&req) {
		return
	}
	if len(req.Reviewers) == 0 && len(req.TeamReviewers) == 0 {
		c.unprocessable(fieldError{Resource: "PullRequest", Field: "reviewers", Code: "missing_field"})
		return
	}
	var users []string
	for _, login := range req.Reviewers {
		if strings.EqualFold(login, is.user) {
			c.unprocessableMessage("Review cannot be requested from pull request author.")
			return
		}
		col, ok := r.collaborators[strings.ToLower(login)]
		if !ok {
			c.unprocessableMessage(notCollaborator(r))
			return
		}
		users = append(users, col.login)
	}
	var teams []*team
	for _, slug := range req.TeamReviewers {
		t := c.s.teams[strings.ToLower(r.owner+"/"+slug)]
		if t == nil {
			c.unprocessableMessage(notCollaborator(r))
			return
		}
		teams = append(teams, t)
	}
	pr := is.pull
	var addedUsers []string
	var addedTeams []*team
	for _, login := range users {
		if !slices.ContainsFunc(pr.reviewers, func(l string) bool { return strings.EqualFold(l, login) }) {
			pr.reviewers = append(pr.reviewers, login)
			addedUsers = append(addedUsers, login)
		}
	}
	for _, t := range teams {
		if !slices.ContainsFunc(pr.teams, func(s string) bool { return strings.EqualFold(s, t.slug) }) {
			pr.teams = append(pr.teams, t.slug)
			addedTeams = append(addedTeams, t)
		}
	}
	if len(addedUsers)+len(addedTeams) > 0 {
		is.updatedAt = c.s.now()
	}
	c.json(http.StatusCreated, c.s.pullJSON(r, is, pullSimple))
	for _, login := range addedUsers {
		c.s.emitPull(r, is, c.actor(), "review_requested", map[string]any{"requested_reviewer": c.s.user(login)})
	}
	for _, t := range addedTeams {
		c.s.emitPull(r, is, c.actor(), "review_requested", map[string]any{"requested_team": c.s.teamJSON(t)})
	}
}

func notCollaborator(r *repo) string {
	return "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the " +
		r.fullName() + " repository."
}

// GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews: in the order
// they were submitted, paginated.
func (c *call) listReviews() {
	r, is, ok := c.pullRequest()
	if !ok {
		return
	}
	c.json(http.StatusOK, renderPage(c, is.pull.reviews, func(rv *review) map[string]any { return c.s.reviewJSON(r, is, rv, false) }))
}

// pullForm says which of GitHub's renderings of a pull request to make.
type pullForm int

const (
	// pullFull is the pull-request object of GET and POST /pulls and of
	// pull_request webhooks.
	pullFull pullForm = iota
	// pullSimple is pull-request-simple, of lists and of
	// pull_request_review webhooks: without the merge state and counts.
	pullSimple
)

// pullJSON renders a pull request.
func (s *Server) pullJSON(r *repo, is *issue, form pullForm) map[string]any {
	pr := is.pull
	repoAPI := s.apiURL("repos/%s/%s", r.owner, r.name)
	api := fmt.Sprintf("%s/pulls/%d", repoAPI, is.number)
	issueAPI := fmt.Sprintf("%s/issues/%d", repoAPI, is.number)
	html := fmt.Sprintf("%s%s/pull/%d", htmlBase, r.fullName(), is.number)
	statuses := repoAPI + "/statuses/" + pr.headSHA
	assignee, assignees := s.assigneesJSON(is)
	reviewers := make([]map[string]any, 0, len(pr.reviewers))
	for _, login := range pr.reviewers {
		reviewers = append(reviewers, s.user(login))
	}
	teams := make([]map[string]any, 0, len(pr.teams))
	for _, slug := range pr.teams {
		if t := s.teams[strings.ToLower(r.owner+"/"+slug)]; t != nil {
			teams = append(teams, s.teamJSON(t))
		}
	}
	labels := s.labelsJSON(r, is.labels)
	if form == pullSimple {
		// pull-request-simple types a label's description as a string,
		// not null; an empty one is the closest.
		for _, l := range labels {
			if l["description"] == nil {
				l["description"] = ""
			}
		}
	}
	branch := func(name, sha string) map[string]any {
		return map[string]any{
			"label": r.owner + ":" + name, "ref": name, "sha": sha,
			"user": s.user(r.owner), "repo": s.repository(r, false),
		}
	}
	link := func(href string) map[string]any { return map[string]any{"href": href} }
	m := map[string]any{
		"url":                 api,
		"id":                  pr.id,
		"node_id":             fmt.Sprintf("PR_%d", pr.id),
		"html_url":            html,
		"diff_url":            html + ".diff",
		"patch_url":           html + ".patch",
		"issue_url":           issueAPI,
		"commits_url":         api + "/commits",
		"review_comments_url": api + "/comments",
		"review_comment_url":  repoAPI + "/pulls/comments{/number}",
		"comments_url":        issueAPI + "/comments",
		"statuses_url":        statuses,
		"number":              is.number,
		"state":               is.state,
		"locked":              false,
		"title":               is.title,
		"user":                s.user(is.user),
		"body":                nullableString(is.body),
		"labels":              labels,
		"milestone":           nil,
		"active_lock_reason":  nil,
		"created_at":          timestamp(is.createdAt),
		"updated_at":          timestamp(is.updatedAt),
		"closed_at":           nullableTime(is.closedAt),
		"merged_at":           nullableTime(pr.mergedAt),
		"merge_commit_sha":    nullableString(pr.mergeCommit),
		"assignee":            assignee,
		"assignees":           assignees,
		"requested_reviewers": reviewers,
		"requested_teams":     teams,
		"head":                branch(pr.head, pr.headSHA),
		"base":                branch(pr.base, pr.baseSHA),
		"_links": map[string]any{
			"self":            link(api),
			"html":            link(html),
			"issue":           link(issueAPI),
			"comments":        link(issueAPI + "/comments"),
			"review_comments": link(api + "/comments"),
			"review_comment":  link(repoAPI + "/pulls/comments{/number}"),
			"commits":         link(api + "/commits"),
			"statuses":        link(statuses),
		},
		"author_association": s.association(r, is.user),
		"auto_merge":         nil,
		"draft":              pr.draft,
	}
	if form == pullSimple {
		return m
	}
	var mergeable any
	mergeableState := "unknown"
	if is.state == "open" {
		mergeable, mergeableState = true, "clean"
		if pr.draft {
			mergeableState = "draft"
		}
	}
	additions, deletions := 0, 0
	diff := r.pullDiff(pr)
	for _, d := range diff {
		additions += d.additions
		deletions += d.deletions
	}
	m["merged"] = pr.merged
	m["mergeable"] = mergeable
	m["rebaseable"] = mergeable
	m["mergeable_state"] = mergeableState
	m["merged_by"] = s.nullableUser(pr.mergedBy)
	m["comments"] = len(is.comments)
	m["review_comments"] = 0
	m["maintainer_can_modify"] = pr.maintainerCanModify
	m["commits"] = r.commitsBetween(pr.baseSHA, pr.headSHA)
	m["additions"] = additions
	m["deletions"] = deletions
	m["changed_files"] = len(diff)
	return m
}

// reviewJSON renders a review: the REST pull-request-review, or with
// webhook set the review of a pull_request_review payload, whose state
// GitHub writes in lower case.
func (s *Server) reviewJSON(r *repo, is *issue, rv *review, webhook bool) map[string]any {
	html := fmt.Sprintf("%s%s/pull/%d#pullrequestreview-%d", htmlBase, r.fullName(), is.number, rv.id)
	api := s.apiURL("repos/%s/%s/pulls/%d", r.owner, r.name, is.number)
	state := rv.state
	body := any(rv.body)
	if webhook {
		state = strings.ToLower(state)
		body = nullableString(rv.body)
	}
	return map[string]any{
		"id":                 rv.id,
		"node_id":            fmt.Sprintf("PRR_%d", rv.id),
		"user":               s.user(rv.user),
		"body":               body,
		"state":              state,
		"html_url":           html,
		"pull_request_url":   api,
		"submitted_at":       timestamp(rv.submittedAt),
		"commit_id":          rv.commitID,
		"author_association": s.association(r, rv.user),
		"_links": map[string]any{
			"html":         map[string]any{"href": html},
			"pull_request": map[string]any{"href": api},
		},
	}
}

// teamJSON renders a team; it satisfies both team and team-simple.
func (s *Server) teamJSON(t *team) map[string]any {
	orgID := s.userID(t.org)
	api := s.apiURL("organizations/%d/team/%d", orgID, t.id)
	return map[string]any{
		"id":                   t.id,
		"node_id":              fmt.Sprintf("T_%d", t.id),
		"url":                  api,
		"html_url":             fmt.Sprintf("%sorgs/%s/teams/%s", htmlBase, t.org, t.slug),
		"name":                 t.slug,
		"slug":                 t.slug,
		"description":          nil,
		"privacy":              "closed",
		"notification_setting": "notifications_enabled",
		"permission":           "pull",
		"members_url":          api + "/members{/member}",
		"repositories_url":     api + "/repos",
		"parent":               nil,
		"type":                 "organization",
		"organization_id":      orgID,
	}
}
