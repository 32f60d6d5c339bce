package githubtest

import (
	"cmp"
	"slices"
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
// key) and returns its number. The pulls endpoints are not served yet.
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
