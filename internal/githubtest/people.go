package githubtest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// This file lets a test act as a person on GitHub's web interface: each
// helper changes the fake's state as that person and queues the webhooks
// GitHub sends with them as sender (see SetWebhook). GitHub would refuse
// what the person may not do, so the helpers fail the test instead of
// producing events that could never happen: labels need triage, closing
// and reopening need triage or authorship, editing someone else's comment
// needs write, and a private repository needs a role to be seen at all.

// roleOf is login's role in r: a collaborator's role, admin for the
// repository's owner, "" for anyone else.
func (r *repo) roleOf(login string) string {
	if c, ok := r.collaborators[strings.ToLower(login)]; ok {
		return c.role
	}
	if strings.EqualFold(login, r.owner) {
		return RoleAdmin
	}
	return ""
}

// may reports whether login has at least role in r. The App's bot has what
// its installation grants: issues: write.
func (s *Server) may(r *repo, login, role string) bool {
	if strings.EqualFold(login, s.BotLogin()) {
		return roleRank[RoleWrite] >= roleRank[role]
	}
	return roleRank[r.roleOf(login)] >= roleRank[role]
}

// personRepo is the repository login acts in, failing the test when login
// cannot see it. Callers hold s.mu.
func (s *Server) personRepo(fullName, login string) *repo {
	r := s.mustRepo(fullName)
	if login == "" {
		s.tb.Fatalf("githubtest: acting in %s needs a login", fullName)
	}
	if r.private && !s.may(r, login, RoleRead) {
		s.tb.Fatalf("githubtest: %s cannot see the private repository %s; add them with AddCollaborator", login, fullName)
	}
	s.userID(login)
	return r
}

// personIssue is issue number n of the repository login acts in. Callers
// hold s.mu.
func (s *Server) personIssue(fullName string, n int, login string) (*repo, *issue) {
	r := s.personRepo(fullName, login)
	is := r.issue(n)
	if is == nil {
		s.tb.Fatalf("githubtest: %s has no issue #%d", fullName, n)
	}
	return r, is
}

// OpenIssueAs opens an issue as login, as from the web interface or an
// issue form, and returns its number. It queues issues opened and one
// issues labeled per label. The labels are applied whatever login's role,
// as an issue form's or template's labels are; unknown ones are created
// with colour ededed.
func (s *Server) OpenIssueAs(fullName, login, title, body string, labels ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.personRepo(fullName, login)
	if errs := textErrors(&title, &body); len(errs) > 0 {
		s.tb.Fatalf("githubtest: GitHub would refuse the issue %q by %s: %+v", title, login, errs)
	}
	now := s.now()
	is := &issue{
		id: s.newID(), number: r.nextNumber, title: title, body: body, user: login, state: "open",
		labels: s.resolveLabels(r, labels), createdAt: now, updatedAt: now,
	}
	r.nextNumber++
	r.issues = append(r.issues, is)
	s.emitOpened(r, is, login)
	return is.number
}

// CommentAs comments on issue (or pull request) n as login, returns the
// comment's id and queues issue_comment created with login as sender.
func (s *Server) CommentAs(fullName string, n int, login, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personIssue(fullName, n, login)
	if errs := commentErrors(&body); len(errs) > 0 {
		s.tb.Fatalf("githubtest: GitHub would refuse the comment by %s: %+v", login, errs)
	}
	now := s.now()
	cm := &comment{id: s.newID(), user: login, body: body, createdAt: now, updatedAt: now}
	is.comments = append(is.comments, cm)
	is.updatedAt = now
	s.emitComment(r, is, cm, login, "created", nil)
	return cm.id
}

// EditCommentAs replaces the body of comment commentID as login (its author,
// or someone with write access) and queues issue_comment edited with the
// old body in changes. An unchanged body queues nothing.
func (s *Server) EditCommentAs(fullName string, commentID int64, login, body string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.personRepo(fullName, login)
	for _, is := range r.issues {
		for _, cm := range is.comments {
			if cm.id != commentID {
				continue
			}
			if !strings.EqualFold(cm.user, login) && !s.may(r, login, RoleWrite) {
				s.tb.Fatalf("githubtest: %s may not edit %s's comment in %s: GitHub requires write access", login, cm.user, fullName)
			}
			if errs := commentErrors(&body); len(errs) > 0 {
				s.tb.Fatalf("githubtest: GitHub would refuse the edit by %s: %+v", login, errs)
			}
			old := cm.body
			cm.body = body
			cm.updatedAt = s.now()
			s.emitCommentEdit(r, is, cm, login, old)
			return
		}
	}
	s.tb.Fatalf("githubtest: %s has no comment %d", fullName, commentID)
}

// LabelAs adds labels to issue n as login (who needs triage or more),
// creating unknown ones, and queues issues labeled for each label the issue
// did not have yet.
func (s *Server) LabelAs(fullName string, n int, login string, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personIssue(fullName, n, login)
	s.needTriage(r, login, "label")
	before := slices.Clone(is.labels)
	for _, l := range s.resolveLabels(r, labels) {
		if !slices.Contains(is.labels, l) {
			is.labels = append(is.labels, l)
		}
	}
	s.touched(is, len(before) != len(is.labels))
	s.emitLabels(r, is, login, before)
}

// UnlabelAs removes labels from issue n as login (who needs triage or
// more) and queues issues unlabeled for each. A label the issue does not
// have fails the test: the web interface cannot remove it.
func (s *Server) UnlabelAs(fullName string, n int, login string, labels ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personIssue(fullName, n, login)
	s.needTriage(r, login, "unlabel")
	before := slices.Clone(is.labels)
	for _, name := range labels {
		if !is.hasLabel(name) {
			s.tb.Fatalf("githubtest: %s#%d has no label %q to remove", fullName, n, name)
		}
		is.labels = slices.DeleteFunc(is.labels, func(l *label) bool { return strings.EqualFold(l.name, name) })
	}
	s.touched(is, len(labels) > 0)
	s.emitLabels(r, is, login, before)
}

// CloseAs closes issue n as login (its author, or triage or more) with
// reason "completed" (""), "not_planned" or "duplicate", and queues issues
// closed.
func (s *Server) CloseAs(fullName string, n int, login, reason string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personIssue(fullName, n, login)
	s.needAuthorOrTriage(r, is, login, "close")
	reason = cmp.Or(reason, "completed")
	if !slices.Contains([]string{"completed", "not_planned", "duplicate"}, reason) {
		s.tb.Fatalf("githubtest: %q is not a reason to close an issue (want completed, not_planned or duplicate)", reason)
	}
	if is.state == "closed" {
		s.tb.Fatalf("githubtest: %s#%d is already closed", fullName, n)
	}
	before := captureIssue(is)
	now := s.now()
	is.state, is.stateReason, is.closedAt, is.closedBy, is.updatedAt = "closed", reason, now, login, now
	s.emitChanges(r, is, login, before)
}

// ReopenAs reopens issue n as login (its author, or triage or more) and
// queues issues reopened.
func (s *Server) ReopenAs(fullName string, n int, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personIssue(fullName, n, login)
	s.needAuthorOrTriage(r, is, login, "reopen")
	if is.state == "open" {
		s.tb.Fatalf("githubtest: %s#%d is already open", fullName, n)
	}
	before := captureIssue(is)
	r.reopen(is)
	is.updatedAt = s.now()
	s.emitChanges(r, is, login, before)
}

func (s *Server) needTriage(r *repo, login, what string) {
	if !s.may(r, login, RoleTriage) {
		s.tb.Fatalf("githubtest: %s (role %q) may not %s issues in %s: GitHub requires triage or more", login, r.roleOf(login), what, r.fullName())
	}
}

func (s *Server) needAuthorOrTriage(r *repo, is *issue, login, what string) {
	if !strings.EqualFold(is.user, login) && !s.may(r, login, RoleTriage) {
		s.tb.Fatalf("githubtest: %s (role %q) may not %s %s#%d: GitHub requires its author or triage or more", login, r.roleOf(login), what, r.fullName(), is.number)
	}
}

// touched moves an issue's updated_at when something changed.
func (s *Server) touched(is *issue, changed bool) {
	if changed {
		is.updatedAt = s.now()
	}
}

// personPull is pull request number n, with branches, of the repository
// login acts in. Callers hold s.mu.
func (s *Server) personPull(fullName string, n int, login string) (*repo, *issue) {
	r, is := s.personIssue(fullName, n, login)
	if is.pull == nil {
		s.tb.Fatalf("githubtest: %s#%d is not a pull request with branches (AddPullRequest seeds one without)", fullName, n)
	}
	return r, is
}

func (s *Server) needWrite(r *repo, login, what string) {
	if !s.may(r, login, RoleWrite) {
		s.tb.Fatalf("githubtest: %s (role %q) may not %s in %s: GitHub requires write or more", login, r.roleOf(login), what, r.fullName())
	}
}

// OpenPullAs opens a pull request of head ("branch" or "owner:branch")
// into base as login, as from the web interface, returns its number and
// queues pull_request opened. Anyone who can see the repository may open
// one; GitHub's refusals (unknown branches, no commits between them, an
// open pull request for the same branches) fail the test.
func (s *Server) OpenPullAs(fullName, login, head, base, title, body string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.personRepo(fullName, login)
	req := openPullRequest{head: head, base: base, title: title, body: body, titleSet: strings.TrimSpace(title) != ""}
	h, b, errs := r.pullErrors(req)
	if len(errs) > 0 {
		s.tb.Fatalf("githubtest: GitHub would refuse the pull request of %s into %s by %s: %+v", head, base, login, errs)
	}
	return s.openPullAs(r, login, req, h, b).number
}

// PushFileAs pushes a commit that puts content at path on branch (which
// must exist) as login, who needs write access, and returns the branch's
// new head sha. Each open pull request whose head is branch moves to the
// commit and gets pull_request synchronize with before and after.
func (s *Server) PushFileAs(fullName, branch, login, path string, content []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.personRepo(fullName, login)
	s.needWrite(r, login, "push")
	branch = r.shortRef(branch)
	if r.branchHead(branch) == nil {
		s.tb.Fatalf("githubtest: %s has no branch %q to push to", fullName, branch)
	}
	p := strings.Trim(path, "/")
	if p == "" {
		s.tb.Fatalf("githubtest: PushFileAs needs a path")
	}
	cm := s.commitFile(r, branch, p, append([]byte{}, content...), "", s.personSignature(login), login)
	return cm.sha
}

// Review states ReviewAs takes, as GitHub's REST API spells them.
const (
	ReviewApproved         = "APPROVED"
	ReviewChangesRequested = "CHANGES_REQUESTED"
	ReviewCommented        = "COMMENTED"
)

// ReviewAs submits a review of open pull request n as login with state
// ReviewApproved, ReviewChangesRequested or ReviewCommented, on the pull
// request's head commit, and returns its id. It queues
// pull_request_review submitted (whose review.state GitHub writes in
// lower case) and withdraws the request for login's review, as GitHub
// does. As on GitHub, the author may only comment, and requesting changes
// or commenting needs a body.
func (s *Server) ReviewAs(fullName string, n int, login, state, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personPull(fullName, n, login)
	if !slices.Contains([]string{ReviewApproved, ReviewChangesRequested, ReviewCommented}, state) {
		s.tb.Fatalf("githubtest: %q is not a review state (want APPROVED, CHANGES_REQUESTED or COMMENTED)", state)
	}
	if is.state != "open" {
		s.tb.Fatalf("githubtest: %s#%d is %s; GitHub takes reviews of open pull requests", fullName, n, is.state)
	}
	if state != ReviewCommented && strings.EqualFold(login, is.user) {
		s.tb.Fatalf("githubtest: %s may not %s their own pull request %s#%d", login, strings.ToLower(state), fullName, n)
	}
	if state != ReviewApproved && strings.TrimSpace(body) == "" {
		s.tb.Fatalf("githubtest: GitHub needs a body for a %s review", state)
	}
	now := s.now()
	rv := &review{id: s.newID(), user: login, state: state, body: body, commitID: is.pull.headSHA, submittedAt: now}
	pr := is.pull
	pr.reviews = append(pr.reviews, rv)
	pr.reviewers = slices.DeleteFunc(pr.reviewers, func(l string) bool { return strings.EqualFold(l, login) })
	is.updatedAt = now
	s.emitReview(r, is, rv)
	return rv.id
}

// MergeAs merges open pull request n as login, who needs write access: the
// base branch gets a merge commit with the head's changes since the merge
// base, and the pull request becomes closed and merged (merged_at,
// merged_by, merge_commit_sha). It queues pull_request closed with merged
// true. Drafts, and changes to a file on both branches (a conflict), fail
// the test, as GitHub would refuse the merge.
func (s *Server) MergeAs(fullName string, n int, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personPull(fullName, n, login)
	s.needWrite(r, login, "merge pull requests")
	pr := is.pull
	switch {
	case is.state != "open":
		s.tb.Fatalf("githubtest: %s#%d is %s; only an open pull request can be merged", fullName, n, is.state)
	case pr.draft:
		s.tb.Fatalf("githubtest: %s#%d is a draft; GitHub does not merge drafts", fullName, n)
	}
	baseHead := r.commits[pr.baseSHA]
	head := r.commits[pr.headSHA]
	ancestor := r.filesAt(r.mergeBase(pr.headSHA, pr.baseSHA))
	changes := map[string][]byte{}
	for _, d := range diffFiles(ancestor, head.files) {
		if theirs, ours := baseHead.files[d.path], ancestor[d.path]; !sameFile(theirs, ours) && !sameFile(theirs, d.after) {
			s.tb.Fatalf("githubtest: %s#%d cannot be merged: %s changed on both %s and %s", fullName, n, d.path, pr.head, pr.base)
		}
		changes[d.path] = d.after
	}
	message := fmt.Sprintf("Merge pull request #%d from %s/%s\n\n%s", n, r.owner, pr.head, is.title)
	cm := s.newCommit(r, baseHead, changes, message, s.personSignature(login), webFlowSignature, head.sha)
	now := s.now()
	pr.merged, pr.mergedAt, pr.mergedBy, pr.mergeCommit = true, now, login, cm.sha
	is.state, is.closedAt, is.closedBy, is.updatedAt = "closed", now, login, now
	// The base moves after the pull request is closed, so its baseSHA
	// stays the commit it was merged into.
	s.setBranch(r, pr.base, cm.sha, login, true)
	s.emitPull(r, is, login, "closed", nil)
}

// ClosePullAs closes open pull request n without merging as login (its
// author, or triage or more) and queues pull_request closed with merged
// false.
func (s *Server) ClosePullAs(fullName string, n int, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personPull(fullName, n, login)
	s.needAuthorOrTriage(r, is, login, "close")
	if is.state != "open" {
		s.tb.Fatalf("githubtest: %s#%d is already closed", fullName, n)
	}
	now := s.now()
	is.state, is.closedAt, is.closedBy, is.updatedAt = "closed", now, login, now
	s.emitPull(r, is, login, "closed", nil)
}

// ReopenPullAs reopens closed, unmerged pull request n as login (its
// author, or triage or more) and queues pull_request reopened. Its
// branches must still be there with commits between them, and no other
// pull request may be open for them, or GitHub would refuse.
func (s *Server) ReopenPullAs(fullName string, n int, login string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, is := s.personPull(fullName, n, login)
	s.needAuthorOrTriage(r, is, login, "reopen")
	pr := is.pull
	switch {
	case is.state == "open":
		s.tb.Fatalf("githubtest: %s#%d is already open", fullName, n)
	case pr.merged:
		s.tb.Fatalf("githubtest: %s#%d was merged; GitHub does not reopen merged pull requests", fullName, n)
	case r.branchHead(pr.head) == nil || r.branchHead(pr.base) == nil:
		s.tb.Fatalf("githubtest: %s#%d cannot be reopened: a branch is gone", fullName, n)
	case r.commitsBetween(r.refs[branchRef(pr.base)], r.refs[branchRef(pr.head)]) == 0:
		s.tb.Fatalf("githubtest: %s#%d cannot be reopened: there are no commits between %s and %s", fullName, n, pr.base, pr.head)
	case r.openPull(pr.head, pr.base) != nil:
		s.tb.Fatalf("githubtest: %s#%d cannot be reopened: another pull request is open for %s", fullName, n, pr.head)
	}
	r.reopen(is)
	is.updatedAt = s.now()
	s.emitPull(r, is, login, "reopened", nil)
}
