package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
)

// This file is the fake's git: commits with full snapshots of the files,
// and refs pointing at them. A branch is the ref "refs/heads/<name>"; every
// change to a branch (PutFile, PUT contents, PushFileAs, a merge) is a new
// commit whose parent is the branch's head, so a commit sha names the
// files as they were, as on GitHub.

// commit is one git commit. Its files are a snapshot that is never changed
// after the commit is made; new commits copy it.
type commit struct {
	sha       string
	parents   []string
	files     map[string][]byte
	tree      string
	message   string
	author    signature
	committer signature
	date      time.Time
}

// signature is a commit's author or committer.
type signature struct{ name, email string }

// branchRef is the full ref of a branch.
func branchRef(name string) string { return "refs/heads/" + name }

// isEmpty reports whether the repository has no commits at all, as one
// just created without a README.
func (r *repo) isEmpty() bool { return len(r.commits) == 0 }

// branchHead is the commit at the head of branch, or nil.
func (r *repo) branchHead(branch string) *commit {
	sha, ok := r.refs[branchRef(branch)]
	if !ok {
		return nil
	}
	return r.commits[sha]
}

// branches lists the repository's branch names, sorted.
func (r *repo) branches() []string {
	var out []string
	for ref := range r.refs {
		if name, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

// shortRef is how GitHub shows a ref given to ?ref= in links: a branch by
// its name, "" as the default branch.
func (r *repo) shortRef(ref string) string {
	ref = strings.TrimPrefix(ref, "refs/")
	ref = strings.TrimPrefix(ref, "heads/")
	if ref == "" {
		return r.defaultBranch
	}
	return ref
}

// resolve finds the commit a ref names: "" for the default branch, a
// branch name, "heads/<name>" or "refs/heads/<name>", a tag the same
// ways, or a commit sha (full, or an unambiguous prefix of at least 7 hex
// digits), as ?ref= accepts on GitHub.
func (r *repo) resolve(ref string) *commit {
	if ref == "" {
		return r.branchHead(r.defaultBranch)
	}
	full := ref
	if !strings.HasPrefix(full, "refs/") {
		full = "refs/" + full
	}
	for _, candidate := range []string{full, branchRef(ref), "refs/tags/" + ref} {
		if sha, ok := r.refs[candidate]; ok {
			return r.commits[sha]
		}
	}
	return r.commitByPrefix(ref)
}

// commitByPrefix finds a commit by its sha or an unambiguous prefix of at
// least 7 hex digits.
func (r *repo) commitByPrefix(sha string) *commit {
	sha = strings.ToLower(sha)
	if len(sha) < 7 || len(sha) > 40 || !isHex(sha) {
		return nil
	}
	if cm, ok := r.commits[sha]; ok {
		return cm
	}
	var found *commit
	for full, cm := range r.commits {
		if strings.HasPrefix(full, sha) {
			if found != nil {
				return nil
			}
			found = cm
		}
	}
	return found
}

func isHex(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return s != ""
}

// walk visits sha and the commits reachable from it, each once, breadth
// first (nearest first), until visit returns false.
func (r *repo) walk(sha string, visit func(sha string) bool) {
	seen := map[string]bool{}
	queue := []string{sha}
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		if cur == "" || seen[cur] {
			continue
		}
		seen[cur] = true
		if !visit(cur) {
			return
		}
		if cm := r.commits[cur]; cm != nil {
			queue = append(queue, cm.parents...)
		}
	}
}

// ancestors is every commit reachable from sha, sha included.
func (r *repo) ancestors(sha string) map[string]bool {
	seen := map[string]bool{}
	r.walk(sha, func(cur string) bool {
		seen[cur] = true
		return true
	})
	return seen
}

// mergeBase is the nearest commit reachable from both head and base (git
// merge-base), or "" when their histories are unrelated.
func (r *repo) mergeBase(head, base string) string {
	inBase := r.ancestors(base)
	found := ""
	r.walk(head, func(cur string) bool {
		if inBase[cur] {
			found = cur
		}
		return found == ""
	})
	return found
}

// filesAt is the snapshot of commit sha, or nil when there is no such
// commit (as for the merge base of unrelated histories).
func (r *repo) filesAt(sha string) map[string][]byte {
	if cm := r.commits[sha]; cm != nil {
		return cm.files
	}
	return nil
}

// commitsBetween counts the commits reachable from head but not from base
// (git rev-list base..head): what a pull request of head into base adds.
func (r *repo) commitsBetween(base, head string) int {
	inBase := r.ancestors(base)
	n := 0
	for sha := range r.ancestors(head) {
		if !inBase[sha] {
			n++
		}
	}
	return n
}

// snapshotTree is a stand-in for the tree id of a whole snapshot.
func snapshotTree(files map[string][]byte) string {
	return treeSHA(files, slices.Collect(maps.Keys(files)))
}

// newCommit records a commit whose files are parent's (none for a root
// commit) with changes applied: a nil content deletes the path. Further
// parents make it a merge commit. It does not move any ref. Callers hold
// s.mu.
func (s *Server) newCommit(r *repo, parent *commit, changes map[string][]byte, message string, author, committer signature, extraParents ...string) *commit {
	files := map[string][]byte{}
	var parents []string
	if parent != nil {
		files = maps.Clone(parent.files)
		parents = append(parents, parent.sha)
	}
	parents = append(parents, extraParents...)
	for p, content := range changes {
		if content == nil {
			delete(files, p)
			continue
		}
		files[p] = content
	}
	r.commitSeq++
	now := s.now()
	tree := snapshotTree(files)
	h := sha1.New()
	fmt.Fprintf(h, "tree %s\nparent %s\nauthor %s <%s> %d\nrepo %d seq %d\n\n%s",
		tree, strings.Join(parents, " "), author.name, author.email, now.Unix(), r.id, r.commitSeq, message)
	cm := &commit{
		sha: hex.EncodeToString(h.Sum(nil)), parents: parents, files: files, tree: tree,
		message: message, author: author, committer: committer, date: now,
	}
	r.commits[cm.sha] = cm
	return cm
}

// personSignature is the author GitHub records for a change login makes
// on the web or through the API: their noreply address.
func (s *Server) personSignature(login string) signature {
	return signature{name: login, email: fmt.Sprintf("%d+%s@users.noreply.github.com", s.userID(login), login)}
}

// webFlowSignature is the committer of commits GitHub makes itself (web
// edits, merges).
var webFlowSignature = signature{name: "GitHub", email: "noreply@github.com"}

// setBranch points branch at sha and brings the pull requests on it up to
// date: an open pull request whose head is branch moves to the new commit,
// and with emit GitHub's pull_request synchronize is queued with sender as
// its sender; one whose base is branch gets the new base commit. Callers
// hold s.mu.
func (s *Server) setBranch(r *repo, branch, sha, sender string, emit bool) {
	r.refs[branchRef(branch)] = sha
	for _, is := range r.issues {
		pr := is.pull
		if pr == nil || is.state != "open" {
			continue
		}
		if pr.base == branch {
			pr.baseSHA = sha
		}
		if pr.head == branch && pr.headSHA != sha {
			before := pr.headSHA
			pr.headSHA = sha
			is.updatedAt = s.now()
			if emit {
				s.emitPull(r, is, sender, "synchronize", map[string]any{"before": before, "after": sha})
			}
		}
	}
}

// commitFile commits content at path to branch as login (a seed when
// sender is ""), creating the branch when it does not exist: from the
// default branch's head, or as the first commit of an empty repository.
// Callers hold s.mu.
func (s *Server) commitFile(r *repo, branch, path string, content []byte, message string, author signature, sender string) *commit {
	parent := r.branchHead(branch)
	if parent == nil && branch != r.defaultBranch {
		parent = r.branchHead(r.defaultBranch)
	}
	if message == "" {
		verb := "Create"
		if parent != nil && parent.files[path] != nil {
			verb = "Update"
		}
		message = verb + " " + path
	}
	cm := s.newCommit(r, parent, map[string][]byte{path: content}, message, author, author)
	s.setBranch(r, branch, cm.sha, sender, sender != "")
	return cm
}

// refJSON renders a git-ref.
func (s *Server) refJSON(r *repo, ref, sha string) map[string]any {
	sum := sha1.Sum([]byte(fmt.Sprintf("%d:%s", r.id, ref)))
	return map[string]any{
		"ref":     ref,
		"node_id": "REF_" + hex.EncodeToString(sum[:8]),
		"url":     s.apiURL("repos/%s/%s/git/%s", r.owner, r.name, escapeRef(ref)),
		"object": map[string]any{
			"type": "commit",
			"sha":  sha,
			"url":  s.apiURL("repos/%s/%s/git/commits/%s", r.owner, r.name, sha),
		},
	}
}

// escapeRef escapes each segment of a ref for a URL path, as go-github does.
func escapeRef(ref string) string {
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// commitJSON renders a git commit as the contents API's file-commit
// carries it.
func (s *Server) commitJSON(r *repo, cm *commit) map[string]any {
	parents := make([]map[string]any, 0, len(cm.parents))
	for _, p := range cm.parents {
		parents = append(parents, map[string]any{
			"url":      s.apiURL("repos/%s/%s/git/commits/%s", r.owner, r.name, p),
			"html_url": htmlBase + r.fullName() + "/commit/" + p,
			"sha":      p,
		})
	}
	date := timestamp(cm.date)
	return map[string]any{
		"sha":       cm.sha,
		"node_id":   "C_" + cm.sha,
		"url":       s.apiURL("repos/%s/%s/git/commits/%s", r.owner, r.name, cm.sha),
		"html_url":  htmlBase + r.fullName() + "/commit/" + cm.sha,
		"author":    map[string]any{"date": date, "name": cm.author.name, "email": cm.author.email},
		"committer": map[string]any{"date": date, "name": cm.committer.name, "email": cm.committer.email},
		"message":   cm.message,
		"tree": map[string]any{
			"url": s.apiURL("repos/%s/%s/git/trees/%s", r.owner, r.name, cm.tree),
			"sha": cm.tree,
		},
		"parents": parents,
		"verification": map[string]any{
			"verified": false, "reason": "unsigned", "signature": nil, "payload": nil, "verified_at": nil,
		},
	}
}

// GET /repos/{owner}/{repo}/git/ref/{ref}: ref is "heads/<branch>" or
// "tags/<tag>", matched exactly (prefixes are for matching-refs).
func (c *call) getRef() {
	r, ok := c.repo()
	if !ok {
		return
	}
	if r.isEmpty() {
		c.error(http.StatusConflict, "Git Repository is empty.")
		return
	}
	full := "refs/" + c.params["ref"]
	sha, ok := r.refs[full]
	if !ok {
		c.notFound()
		return
	}
	c.json(http.StatusOK, c.s.refJSON(r, full, sha))
}

// validRefName applies git check-ref-format's rules to a full ref name.
func validRefName(ref string) bool {
	if !strings.HasPrefix(ref, "refs/") || strings.HasSuffix(ref, "/") || strings.HasSuffix(ref, ".") ||
		strings.Contains(ref, "..") || strings.Contains(ref, "//") || strings.Contains(ref, "@{") {
		return false
	}
	for _, part := range strings.Split(ref, "/") {
		if part == "" || strings.HasPrefix(part, ".") || strings.HasSuffix(part, ".lock") {
			return false
		}
	}
	for _, c := range ref {
		if c < 0x20 || c == 0x7f || strings.ContainsRune(" ~^:?*[\\", c) {
			return false
		}
	}
	return true
}

// POST /repos/{owner}/{repo}/git/refs {ref, sha}: 201 with the ref; 422
// for a malformed name, an unknown sha, a ref that exists or one that
// would clash with an existing ref's path (git cannot have both
// refs/heads/a and refs/heads/a/b); 409 in an empty repository. The
// messages are GitHub's.
func (c *call) createRef() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req struct {
		Ref *string `json:"ref"`
		SHA *string `json:"sha"`
	}
	if !c.decode(&req) {
		return
	}
	if c.missing("ref", req.Ref == nil) || c.missing("sha", req.SHA == nil) {
		return
	}
	ref, sha := *req.Ref, strings.ToLower(*req.SHA)
	if strings.Count(ref, "/") < 2 {
		c.unprocessableMessage("Reference name must contain at least three slash-separated components.")
		return
	}
	if !validRefName(ref) {
		c.unprocessableMessage(ref + " is not a valid ref name.")
		return
	}
	if r.isEmpty() {
		c.error(http.StatusConflict, "Git Repository is empty.")
		return
	}
	if len(sha) != 40 || r.commits[sha] == nil {
		c.unprocessableMessage("Object does not exist")
		return
	}
	if _, exists := r.refs[ref]; exists {
		c.unprocessableMessage("Reference already exists")
		return
	}
	for other := range r.refs {
		if strings.HasPrefix(other, ref+"/") || strings.HasPrefix(ref, other+"/") {
			c.unprocessableMessage("Reference update failed")
			return
		}
	}
	if branch, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		c.s.setBranch(r, branch, sha, c.actor(), true)
	} else {
		r.refs[ref] = sha
	}
	c.resp.header.Set("Location", c.s.apiURL("repos/%s/%s/git/%s", r.owner, r.name, escapeRef(ref)))
	c.json(http.StatusCreated, c.s.refJSON(r, ref, sha))
}
