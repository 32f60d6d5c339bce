package githubtest

import (
	"crypto/sha1"
	"encoding/hex"
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
	ref := r.normalizeRef(c.r.URL.Query().Get("ref"))
	files, ok := r.files[ref]
	if !ok {
		if ref == r.defaultBranch {
			c.error(http.StatusNotFound, "This repository is empty.")
		} else {
			c.error(http.StatusNotFound, "No commit found for the ref "+ref)
		}
		return
	}
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
			entry := c.fileJSON(r, ref, p, content)
			delete(entry, "content")
			delete(entry, "encoding")
			out = append(out, entry)
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
