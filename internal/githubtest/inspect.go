package githubtest

import (
	"bytes"
	"cmp"
	"slices"
	"strings"
	"time"
)

// Issue is a snapshot of an issue (or pull request) in the fake, for
// assertions and for seeding with AddIssue.
type Issue struct {
	Number      int
	Title       string
	Body        string
	Labels      []string // names, in the order they were applied
	Assignees   []string
	State       string // "open" or "closed"
	StateReason string // "", "completed", "not_planned", "duplicate" or "reopened"
	User        string // creator's login; the App's issues have BotLogin()
	Comments    []Comment
	PullRequest bool
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ClosedAt    time.Time // zero while open
}

// Comment is a snapshot of an issue comment.
type Comment struct {
	ID        int64
	User      string
	Body      string
	CreatedAt time.Time
	UpdatedAt time.Time
	Reactions []Reaction // oldest first
}

// Reaction is a snapshot of a reaction to a comment.
type Reaction struct {
	User    string
	Content string // "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket" or "eyes"
}

// Label is a snapshot of a repository label.
type Label struct {
	Name        string
	Color       string
	Description string
}

func snapshotIssue(is *issue) Issue {
	out := Issue{
		Number: is.number, Title: is.title, Body: is.body, State: is.state, StateReason: is.stateReason,
		User: is.user, PullRequest: is.pullRequest, CreatedAt: is.createdAt, UpdatedAt: is.updatedAt,
		ClosedAt: is.closedAt, Assignees: slices.Clone(is.assignees),
	}
	for _, l := range is.labels {
		out.Labels = append(out.Labels, l.name)
	}
	for _, cm := range is.comments {
		out.Comments = append(out.Comments, snapshotComment(cm))
	}
	return out
}

func snapshotComment(cm *comment) Comment {
	out := Comment{ID: cm.id, User: cm.user, Body: cm.body, CreatedAt: cm.createdAt, UpdatedAt: cm.updatedAt}
	for _, rc := range cm.reactions {
		out.Reactions = append(out.Reactions, Reaction{User: rc.user, Content: rc.content})
	}
	return out
}

// Issues returns every issue and pull request of the repository, by number.
func (s *Server) Issues(fullName string) []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	out := make([]Issue, 0, len(r.issues))
	for _, is := range r.issues {
		out = append(out, snapshotIssue(is))
	}
	slices.SortFunc(out, func(a, b Issue) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

// Issue returns issue number n of the repository, and whether it exists.
func (s *Server) Issue(fullName string, n int) (Issue, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).issue(n)
	if is == nil {
		return Issue{}, false
	}
	return snapshotIssue(is), true
}

// Comments returns the comments on issue n, oldest first (nil when the
// issue does not exist).
func (s *Server) Comments(fullName string, n int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).issue(n)
	if is == nil {
		return nil
	}
	out := make([]Comment, 0, len(is.comments))
	for _, cm := range is.comments {
		out = append(out, snapshotComment(cm))
	}
	return out
}

// Labels returns the repository's labels in creation order.
func (s *Server) Labels(fullName string) []Label {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	out := make([]Label, 0, len(r.labels))
	for _, l := range r.labels {
		out = append(out, Label{Name: l.name, Color: l.color, Description: l.description})
	}
	return out
}

// AddLabel creates a label as a maintainer would; color "" means ededed.
func (s *Server) AddLabel(fullName string, l Label) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	if r.label(l.Name) != nil {
		s.tb.Fatalf("githubtest: label %q already exists in %s", l.Name, fullName)
	}
	r.labels = append(r.labels, &label{id: s.newID(), name: l.Name, color: cmp.Or(l.Color, AutoLabelColor), description: l.Description})
}

// AddIssue seeds an issue as someone other than the App would have opened it
// (a manual intake, say) and returns its number. Number, Comments and the
// timestamps are ignored; User defaults to the repository owner, State to
// "open". Labels are created as needed; assignees are not checked. Seeding
// sends no webhook; OpenIssueAs opens an issue as a person and sends what
// GitHub sends.
func (s *Server) AddIssue(fullName string, in Issue) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	now := s.now()
	is := &issue{
		id: s.newID(), number: r.nextNumber, title: in.Title, body: in.Body,
		user: cmp.Or(in.User, r.owner), state: cmp.Or(in.State, "open"), stateReason: in.StateReason,
		labels: s.resolveLabels(r, in.Labels), assignees: slices.Clone(in.Assignees),
		pullRequest: in.PullRequest, createdAt: now, updatedAt: now,
	}
	if is.state == "closed" {
		is.closedAt = now
		is.stateReason = cmp.Or(is.stateReason, "completed")
	}
	s.userID(is.user)
	r.nextNumber++
	r.issues = append(r.issues, is)
	return is.number
}

// AddPullRequest seeds a pull request as the issue endpoints see it (it
// shares the issue numbers and shows in issue lists with a pull_request
// key) and returns its number. It has no branches, so the pulls endpoints
// answer 404 for it and it sends no pull_request webhooks; OpenPullAs (or
// the App's POST /pulls) opens a pull request with branches.
func (s *Server) AddPullRequest(fullName, user, title string) int {
	return s.AddIssue(fullName, Issue{Title: title, User: user, PullRequest: true})
}

// AddComment seeds a comment by user on issue n and returns its id. Seeding
// sends no webhook; CommentAs comments as a person and sends
// issue_comment created.
func (s *Server) AddComment(fullName string, n int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).issue(n)
	if is == nil {
		s.tb.Fatalf("githubtest: %s has no issue #%d", fullName, n)
	}
	now := s.now()
	cm := &comment{id: s.newID(), user: user, body: body, createdAt: now, updatedAt: now}
	s.userID(user)
	is.comments = append(is.comments, cm)
	is.updatedAt = now
	return cm.id
}

// PullRequest is a snapshot of a pull request with branches (opened
// through the API or with OpenPullAs), for assertions.
type PullRequest struct {
	Number                             int
	Title, Body, User, Head, Base      string
	HeadSHA, State                     string
	Draft, Merged                      bool
	RequestedReviewers, RequestedTeams []string
	Labels                             []string
}

// Review is a snapshot of a submitted pull request review; State is
// APPROVED, CHANGES_REQUESTED or COMMENTED, as the REST API spells it.
type Review struct {
	ID                          int64
	User, State, Body, CommitID string
}

// CheckRun is a snapshot of a check run.
type CheckRun struct {
	ID                                int64
	Name, HeadSHA, Status, Conclusion string
	Title, Summary, Text              string
	Annotations                       []Annotation
}

// Annotation is one annotation of a check run.
type Annotation struct {
	Path               string
	StartLine, EndLine int
	Level, Message     string
}

func snapshotPull(is *issue) PullRequest {
	pr := is.pull
	out := PullRequest{
		Number: is.number, Title: is.title, Body: is.body, User: is.user, Head: pr.head, Base: pr.base,
		HeadSHA: pr.headSHA, State: is.state, Draft: pr.draft, Merged: pr.merged,
		RequestedReviewers: slices.Clone(pr.reviewers), RequestedTeams: slices.Clone(pr.teams),
	}
	for _, l := range is.labels {
		out.Labels = append(out.Labels, l.name)
	}
	return out
}

// PullRequests returns the repository's pull requests with branches, by
// number (those seeded with AddPullRequest are only in Issues).
func (s *Server) PullRequests(fullName string) []PullRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []PullRequest
	for _, is := range s.mustRepo(fullName).issues {
		if is.pull != nil {
			out = append(out, snapshotPull(is))
		}
	}
	slices.SortFunc(out, func(a, b PullRequest) int { return cmp.Compare(a.Number, b.Number) })
	return out
}

// PullRequest returns pull request number n of the repository, and
// whether it exists (with branches).
func (s *Server) PullRequest(fullName string, n int) (PullRequest, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).pullIssue(n)
	if is == nil {
		return PullRequest{}, false
	}
	return snapshotPull(is), true
}

// Reviews returns the reviews of pull request n in the order they were
// submitted (nil when there is no such pull request).
func (s *Server) Reviews(fullName string, n int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.mustRepo(fullName).pullIssue(n)
	if is == nil {
		return nil
	}
	out := make([]Review, 0, len(is.pull.reviews))
	for _, rv := range is.pull.reviews {
		out = append(out, Review{ID: rv.id, User: rv.user, State: rv.state, Body: rv.body, CommitID: rv.commitID})
	}
	return out
}

// File returns the content of path at ref — a branch name ("heads/…" and
// "refs/heads/…" too), a tag or a commit sha; "" is the default branch —
// and whether it exists there.
func (s *Server) File(fullName, ref, path string) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cm := s.mustRepo(fullName).resolve(ref)
	if cm == nil {
		return nil, false
	}
	content, ok := cm.files[strings.Trim(path, "/")]
	return bytes.Clone(content), ok
}

// Branches returns the repository's branch names, sorted.
func (s *Server) Branches(fullName string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.mustRepo(fullName).branches()
}

// HeadSHA returns the sha of branch's head commit, or "" when there is no
// such branch.
func (s *Server) HeadSHA(fullName, branch string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	return r.refs[branchRef(r.shortRef(branch))]
}

// CheckRuns returns the repository's check runs in the order they were
// created, with their current state.
func (s *Server) CheckRuns(fullName string) []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	out := make([]CheckRun, 0, len(r.checkRuns))
	for _, run := range r.checkRuns {
		cr := CheckRun{
			ID: run.id, Name: run.name, HeadSHA: run.headSHA, Status: run.status, Conclusion: run.conclusion,
			Title: run.title, Summary: run.summary, Text: run.text,
		}
		for _, a := range run.annotations {
			cr.Annotations = append(cr.Annotations, Annotation{
				Path: a.path, StartLine: a.startLine, EndLine: a.endLine, Level: a.level, Message: a.message,
			})
		}
		out = append(out, cr)
	}
	return out
}
