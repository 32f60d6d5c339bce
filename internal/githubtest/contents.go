package githubtest

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// maxInlineContent is the largest file GitHub returns with its content in
// the JSON object; larger ones come back with encoding "none" and no content.
const maxInlineContent = 1 << 20

// GET /repos/{owner}/{repo}/contents/{path}?ref=: a file as an object with
// base64 content and its blob sha, a directory as an array, 404 otherwise.
func (c *call) getContents() {
	r, ok := c.repo()
	if !ok {
		return
	}
	given := c.r.URL.Query().Get("ref")
	ref := r.shortRef(given)
	cm := r.resolve(given)
	if cm == nil {
		if r.isEmpty() && ref == r.defaultBranch {
			c.error(http.StatusNotFound, "This repository is empty.")
		} else {
			c.error(http.StatusNotFound, "No commit found for the ref "+ref)
		}
		return
	}
	files := cm.files
	p := strings.Trim(c.params["path"], "/")
	if content, ok := files[p]; ok {
		c.json(http.StatusOK, c.fileJSON(r, ref, p, content))
		return
	}
	entries := c.directory(r, ref, files, p)
	if len(entries) == 0 {
		c.notFound()
		return
	}
	c.json(http.StatusOK, entries)
}

// contentLinks are a content entry's url, git_url and html_url.
func (c *call) contentLinks(r *repo, ref, p, kind, sha string) (self, git, html string) {
	escaped := (&url.URL{Path: p}).EscapedPath()
	self = c.s.apiURL("repos/%s/%s/contents/%s?ref=%s", r.owner, r.name, escaped, url.QueryEscape(ref))
	if kind == "dir" {
		git = c.s.apiURL("repos/%s/%s/git/trees/%s", r.owner, r.name, sha)
		html = htmlBase + r.fullName() + "/tree/" + ref + "/" + escaped
	} else {
		git = c.s.apiURL("repos/%s/%s/git/blobs/%s", r.owner, r.name, sha)
		html = htmlBase + r.fullName() + "/blob/" + ref + "/" + escaped
	}
	return self, git, html
}

// fileEntryJSON renders a file without its content, as a directory
// listing and PUT contents answer it.
func (c *call) fileEntryJSON(r *repo, ref, p string, content []byte) map[string]any {
	m := c.fileJSON(r, ref, p, content)
	delete(m, "content")
	delete(m, "encoding")
	return m
}

func (c *call) fileJSON(r *repo, ref, p string, content []byte) map[string]any {
	sha := blobSHA(content)
	self, git, html := c.contentLinks(r, ref, p, "file", sha)
	encoding, encoded := "base64", contentBase64(content)
	if len(content) > maxInlineContent {
		encoding, encoded = "none", ""
	}
	return map[string]any{
		"type":         "file",
		"encoding":     encoding,
		"size":         len(content),
		"name":         path.Base(p),
		"path":         p,
		"content":      encoded,
		"sha":          sha,
		"url":          self,
		"git_url":      git,
		"html_url":     html,
		"download_url": "https://raw.githubusercontent.com/" + r.fullName() + "/" + ref + "/" + (&url.URL{Path: p}).EscapedPath(),
		"_links":       map[string]any{"self": self, "git": git, "html": html},
	}
}

// directory lists the entries directly under dir ("" for the root), files
// and subdirectories, sorted by name as GitHub does.
func (c *call) directory(r *repo, ref string, files map[string][]byte, dir string) []map[string]any {
	prefix := ""
	if dir != "" {
		prefix = dir + "/"
	}
	children := map[string][]string{} // name → file paths beneath it
	for p := range files {
		rest, ok := strings.CutPrefix(p, prefix)
		if !ok || rest == "" {
			continue
		}
		name, _, _ := strings.Cut(rest, "/")
		children[name] = append(children[name], p)
	}
	names := make([]string, 0, len(children))
	for n := range children {
		names = append(names, n)
	}
	slices.Sort(names)
	out := make([]map[string]any, 0, len(names))
	for _, name := range names {
		p := prefix + name
		if content, ok := files[p]; ok {
			out = append(out, c.fileEntryJSON(r, ref, p, content))
			continue
		}
		sha := treeSHA(files, children[name])
		self, git, html := c.contentLinks(r, ref, p, "dir", sha)
		out = append(out, map[string]any{
			"type": "dir", "size": 0, "name": name, "path": p, "sha": sha,
			"url": self, "git_url": git, "html_url": html, "download_url": nil,
			"_links": map[string]any{"self": self, "git": git, "html": html},
		})
	}
	return out
}

// treeSHA is a stand-in for a git tree id: stable, and different whenever
// anything beneath the directory changes.
func treeSHA(files map[string][]byte, paths []string) string {
	slices.Sort(paths)
	h := sha1.New()
	for _, p := range paths {
		h.Write([]byte(p + "\x00" + blobSHA(files[p]) + "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// putSignature is a committer or author given to PUT contents.
type putSignature struct {
	Name  *string `json:"name"`
	Email *string `json:"email"`
}

// PUT /repos/{owner}/{repo}/contents/{path}: creates (201) or updates (200)
// a file with a new commit on branch (default: the default branch) and
// answers {content, commit}. An update needs the blob sha of the file it
// replaces: without it 422, with a stale one 409. An empty repository gets
// its first commit on the default branch; any other missing branch is 404.
// Open pull requests whose head is the branch get pull_request
// synchronize.
func (c *call) putContents() {
	r, ok := c.repo()
	if !ok {
		return
	}
	var req struct {
		Message   *string       `json:"message"`
		Content   *string       `json:"content"`
		SHA       *string       `json:"sha"`
		Branch    *string       `json:"branch"`
		Committer *putSignature `json:"committer"`
		Author    *putSignature `json:"author"`
	}
	if !c.decode(&req) {
		return
	}
	if c.missing("message", req.Message == nil) || c.missing("content", req.Content == nil) {
		return
	}
	for _, sig := range []struct {
		name string
		sig  *putSignature
	}{{"committer", req.Committer}, {"author", req.Author}} {
		if sig.sig != nil && (sig.sig.Name == nil || sig.sig.Email == nil) {
			c.invalidRequest(fmt.Sprintf(`For 'properties/%s', "name" and "email" are required.`, sig.name))
			return
		}
	}
	p := strings.Trim(c.params["path"], "/")
	branch := r.defaultBranch
	if req.Branch != nil && *req.Branch != "" {
		branch = r.shortRef(*req.Branch)
	}
	parent := r.branchHead(branch)
	if parent == nil && !(r.isEmpty() && branch == r.defaultBranch) {
		c.error(http.StatusNotFound, "Branch "+branch+" not found")
		return
	}
	content, err := base64.StdEncoding.DecodeString(strings.NewReplacer("\n", "", "\r", "").Replace(*req.Content))
	if err != nil {
		c.unprocessableMessage("content is not valid Base64")
		return
	}
	var existing []byte
	if parent != nil {
		existing = parent.files[p]
		if existing == nil && pathClashes(parent.files, p) {
			c.unprocessableMessage(fmt.Sprintf("Invalid path: %s is a directory, or a file is in the way", p))
			return
		}
	}
	if c.missing("sha", existing != nil && (req.SHA == nil || *req.SHA == "")) {
		return
	}
	if req.SHA != nil && *req.SHA != "" && (existing == nil || !strings.EqualFold(*req.SHA, blobSHA(existing))) {
		c.error(http.StatusConflict, fmt.Sprintf("%s does not match %s", p, *req.SHA))
		return
	}
	bot := c.s.personSignature(c.actor())
	committer, author := bot, bot
	if req.Committer != nil {
		committer = signature{name: *req.Committer.Name, email: *req.Committer.Email}
		author = committer
	}
	if req.Author != nil {
		author = signature{name: *req.Author.Name, email: *req.Author.Email}
	}
	cm := c.s.newCommit(r, parent, map[string][]byte{p: append([]byte{}, content...)}, *req.Message, author, committer)
	c.s.setBranch(r, branch, cm.sha, c.actor(), true)
	file := c.fileEntryJSON(r, branch, p, content)
	status := http.StatusCreated
	if existing != nil {
		status = http.StatusOK
	}
	c.json(status, map[string]any{"content": file, "commit": c.s.commitJSON(r, cm)})
}

// pathClashes reports whether a new file at p would be a directory that
// holds files, or lie under a path that is a file.
func pathClashes(files map[string][]byte, p string) bool {
	for other := range files {
		if strings.HasPrefix(other, p+"/") || strings.HasPrefix(p, other+"/") {
			return true
		}
	}
	return false
}
