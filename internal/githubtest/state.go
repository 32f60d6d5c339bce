package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"slices"
	"strings"
	"time"
)

// installation is one installation of the App on an account.
type installation struct {
	id          int64
	account     string
	repos       []string // lower-case full names, in the order added
	createdAt   time.Time
	suspendedAt time.Time
}

func (in *installation) has(fullName string) bool {
	return slices.Contains(in.repos, strings.ToLower(fullName))
}

// repo is one repository and everything in it.
type repo struct {
	id            int64
	owner, name   string
	private       bool
	defaultBranch string
	createdAt     time.Time
	// refs maps full ref names ("refs/heads/main") to commit shas, and
	// commits holds every commit by sha (see git.go).
	refs      map[string]string
	commits   map[string]*commit
	commitSeq int
	checkRuns []*checkRun
	// labels in creation order; GitHub matches label names case-insensitively.
	labels        []*label
	issues        []*issue // by number-1 is not guaranteed; use issue()
	nextNumber    int
	collaborators map[string]collaborator // by lower-case login
}

type collaborator struct {
	login string
	role  string
}

func (r *repo) fullName() string { return r.owner + "/" + r.name }

func (r *repo) label(name string) *label {
	for _, l := range r.labels {
		if strings.EqualFold(l.name, name) {
			return l
		}
	}
	return nil
}

func (r *repo) issue(number int) *issue {
	for _, is := range r.issues {
		if is.number == number {
			return is
		}
	}
	return nil
}

type label struct {
	id          int64
	name        string
	color       string
	description string
}

type issue struct {
	id          int64
	number      int
	title       string
	body        string
	user        string
	labels      []*label
	assignees   []string
	state       string
	stateReason string
	closedBy    string
	pullRequest bool
	// pull is the pull request's git side (branches, reviews); nil for an
	// issue and for a pull request seeded with AddPullRequest.
	pull      *pull
	comments  []*comment
	createdAt time.Time
	updatedAt time.Time
	closedAt  time.Time
}

func (is *issue) hasLabel(name string) bool {
	return slices.ContainsFunc(is.labels, func(l *label) bool { return strings.EqualFold(l.name, name) })
}

type comment struct {
	id        int64
	user      string
	body      string
	createdAt time.Time
	updatedAt time.Time
	reactions []*reaction
}

type reaction struct {
	id        int64
	user      string
	content   string
	createdAt time.Time
}

// reactionContents are the reactions GitHub offers, in its order.
var reactionContents = []string{"+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"}

// team is a team of an organisation, for team-based authorization.
type team struct {
	id        int64
	org, slug string
	members   []string // logins as given
}

func (t *team) has(login string) bool {
	return slices.ContainsFunc(t.members, func(m string) bool { return strings.EqualFold(m, login) })
}

// Roles a collaborator can have, weakest first, as GitHub names them.
const (
	RoleRead     = "read"
	RoleTriage   = "triage"
	RoleWrite    = "write"
	RoleMaintain = "maintain"
	RoleAdmin    = "admin"
)

var roleRank = map[string]int{RoleRead: 1, RoleTriage: 2, RoleWrite: 3, RoleMaintain: 4, RoleAdmin: 5}

// RepoOption configures a repository added with AddRepo.
type RepoOption func(*repo)

// Private makes the repository private: anonymous requests and tokens of
// installations without it get 404, as on GitHub.
func Private() RepoOption { return func(r *repo) { r.private = true } }

// Public makes the repository public (the default).
func Public() RepoOption { return func(r *repo) { r.private = false } }

// DefaultBranch sets the default branch (default "main").
func DefaultBranch(name string) RepoOption { return func(r *repo) { r.defaultBranch = name } }

// AddRepo adds the repository "owner/name", or applies opts to it when it
// exists already. New repositories are public with default branch "main".
func (s *Server) AddRepo(fullName string, opts ...RepoOption) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.ensureRepo(fullName)
	for _, o := range opts {
		o(r)
	}
}

func (s *Server) ensureRepo(fullName string) *repo {
	key := strings.ToLower(fullName)
	if r, ok := s.repos[key]; ok {
		return r
	}
	owner, name, ok := strings.Cut(fullName, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		s.tb.Fatalf("githubtest: repository %q is not of the form owner/name", fullName)
	}
	r := &repo{
		id: s.newID(), owner: owner, name: name, defaultBranch: "main", createdAt: s.now(),
		refs: map[string]string{}, commits: map[string]*commit{}, nextNumber: 1, collaborators: map[string]collaborator{},
	}
	s.repos[key] = r
	return r
}

// mustRepo returns an existing repository or fails the test: setup and
// inspection calls name repositories the test created.
func (s *Server) mustRepo(fullName string) *repo {
	r, ok := s.repos[strings.ToLower(fullName)]
	if !ok {
		s.tb.Fatalf("githubtest: repository %q was never added", fullName)
	}
	return r
}

// AddInstallation installs the App on account with access to repos. A repo
// given without an owner is taken to be account's; repositories that do not
// exist yet are added with the defaults of AddRepo. Calling it again for the
// same id adds repositories.
func (s *Server) AddInstallation(id int64, account string, repos ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.installations[id]
	if !ok {
		in = &installation{id: id, account: account, createdAt: s.now()}
		s.installations[id] = in
	}
	for _, name := range repos {
		if !strings.Contains(name, "/") {
			name = account + "/" + name
		}
		s.ensureRepo(name)
		if !in.has(name) {
			in.repos = append(in.repos, strings.ToLower(name))
		}
	}
}

// SetSuspended suspends an installation: it can no longer mint tokens, and
// its existing tokens get 403, as on GitHub.
func (s *Server) SetSuspended(installationID int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	in, ok := s.installations[installationID]
	if !ok {
		s.tb.Fatalf("githubtest: installation %d was never added", installationID)
	}
	in.suspendedAt = s.now()
}

// PutFile commits content at path to ref (a branch name, or "refs/heads/"
// and one; "" means the repository's default branch), creating the branch
// when it does not exist: from the default branch's head when there is
// one, else as the repository's first commit. Its sha is the git blob sha
// of content. Seeding sends no webhook, but open pull requests whose head
// is the branch move to the new commit; PushFileAs pushes as a person and
// sends pull_request synchronize.
func (s *Server) PutFile(fullName, ref, path string, content []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.mustRepo(fullName)
	branch := r.shortRef(ref)
	p := strings.Trim(path, "/")
	if p == "" {
		s.tb.Fatalf("githubtest: PutFile needs a path")
	}
	s.commitFile(r, branch, p, append([]byte{}, content...), "", s.personSignature(r.owner), "")
}

// blobSHA is git's object id for a blob: sha1("blob <len>\x00" + content).
func blobSHA(content []byte) string {
	h := sha1.New()
	fmt.Fprintf(h, "blob %d\x00", len(content))
	h.Write(content)
	return hex.EncodeToString(h.Sum(nil))
}

// AddCollaborator gives login a role (RoleRead … RoleAdmin) on the
// repository. Users with triage or above are assignable. GitHub documents
// assignees as users with push access, members with read access to an
// organisation repository, and commenters; the fake draws the line at triage
// so tests can tell "may be assigned" from "may only read".
func (s *Server) AddCollaborator(fullName, login, role string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := roleRank[role]; !ok {
		s.tb.Fatalf("githubtest: unknown role %q for %s (want read, triage, write, maintain or admin)", role, login)
	}
	r := s.mustRepo(fullName)
	r.collaborators[strings.ToLower(login)] = collaborator{login: login, role: role}
	s.userID(login)
}

// assignable reports whether login may be assigned issues in r.
func (r *repo) assignable(login string) bool {
	c, ok := r.collaborators[strings.ToLower(login)]
	return ok && roleRank[c.role] >= roleRank[RoleTriage]
}

// userID returns a stable id for a login, making one up on first sight.
func (s *Server) userID(login string) int64 {
	key := strings.ToLower(login)
	if id, ok := s.users[key]; ok {
		return id
	}
	id := s.newID()
	s.users[key] = id
	return id
}
