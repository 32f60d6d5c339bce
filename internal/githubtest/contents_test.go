package githubtest_test

import (
	"net/http"
	"strconv"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

// helloSHA is `git hash-object` of "hello\n".
const helloSHA = "ce013625030ba8dba906f756967f9e9ca394464a"

func remaining(t *testing.T, h http.Header) int {
	t.Helper()
	n, err := strconv.Atoi(h.Get("X-RateLimit-Remaining"))
	if err != nil {
		t.Fatalf("X-RateLimit-Remaining = %q", h.Get("X-RateLimit-Remaining"))
	}
	return n
}

// conditionalGet sends a GET with If-None-Match through a go-github client.
func conditionalGet(t *testing.T, c *github.Client, path, etag string) *github.Response {
	t.Helper()
	req, err := c.NewRequest("GET", path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("If-None-Match", etag)
	resp, err := c.Do(ctx, req, nil)
	// go-github reports a 304 as an *ErrorResponse; the status is what counts.
	if resp == nil {
		t.Fatalf("conditional GET %s: %v", path, err)
	}
	return resp
}

func TestContentsAndConditionalRequests(t *testing.T) {
	s := fixture(t)
	s.PutFile(repo, "", "docs/guide/hello.txt", []byte("hello\n"))
	c := installationClient(t, s, instID)
	path := "repos/ietf/liaisons/contents/docs/guide/hello.txt"

	file, _, resp, err := c.Repositories.GetContents(ctx, owner, name, "docs/guide/hello.txt", &github.RepositoryContentGetOptions{Ref: "main"})
	if err != nil {
		t.Fatalf("GetContents: %v", err)
	}
	content, err := file.GetContent()
	if err != nil || content != "hello\n" || file.GetSHA() != helloSHA || file.GetSize() != 6 || file.GetName() != "hello.txt" {
		t.Errorf("file = %q sha %s size %d name %s (%v)", content, file.GetSHA(), file.GetSize(), file.GetName(), err)
	}
	etag := resp.Header.Get("ETag")
	if len(etag) < 4 || etag[:3] != `W/"` {
		t.Fatalf("ETag = %q, want a weak tag", etag)
	}
	if resp.Header.Get("Cache-Control") != "private, max-age=60, s-maxage=60" || resp.Header.Get("Vary") == "" {
		t.Errorf("caching headers: %v", resp.Header)
	}
	before := remaining(t, resp.Header)

	s.ResetCounts()
	resp = conditionalGet(t, c, path+"?ref=main", etag)
	if resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional GET: %d, want 304", resp.StatusCode)
	}
	if got := remaining(t, resp.Header); got != before {
		t.Errorf("an authenticated 304 cost a request: remaining %d → %d", before, got)
	}
	if s.Counts().NotModified != 1 {
		t.Errorf("NotModified = %d, want 1", s.Counts().NotModified)
	}

	// Anonymous 304s are not free.
	anon := anonymousClient(t, s)
	_, _, resp, err = anon.Repositories.GetContents(ctx, owner, name, "docs/guide/hello.txt", nil)
	if err != nil {
		t.Fatalf("anonymous GetContents: %v", err)
	}
	if resp.Header.Get("X-RateLimit-Limit") != "60" || remaining(t, resp.Header) != 59 {
		t.Errorf("anonymous limit %s remaining %s, want 60 and 59", resp.Header.Get("X-RateLimit-Limit"), resp.Header.Get("X-RateLimit-Remaining"))
	}
	resp = conditionalGet(t, anon, path, resp.Header.Get("ETag"))
	if resp.StatusCode != http.StatusNotModified || remaining(t, resp.Header) != 58 {
		t.Errorf("anonymous conditional GET: %d remaining %d, want 304 and 58", resp.StatusCode, remaining(t, resp.Header))
	}

	// A change makes the old tag stale.
	s.PutFile(repo, "main", "docs/guide/hello.txt", []byte("hello again\n"))
	if resp = conditionalGet(t, c, path, etag); resp.StatusCode != http.StatusOK {
		t.Errorf("conditional GET after a change: %d, want 200", resp.StatusCode)
	}
}

func TestContentsDirectoriesAndMisses(t *testing.T) {
	s := fixture(t)
	s.PutFile(repo, "", "docs/a.md", []byte("a"))
	s.PutFile(repo, "", "docs/sub/b.md", []byte("b"))
	s.PutFile(repo, "feature", "docs/a.md", []byte("feature a"))
	c := installationClient(t, s, instID)

	_, dir, _, err := c.Repositories.GetContents(ctx, owner, name, "docs", nil)
	if err != nil || len(dir) != 2 || dir[0].GetType() != "file" || dir[1].GetType() != "dir" || dir[1].GetPath() != "docs/sub" {
		t.Fatalf("directory = %v, %v", dir, err)
	}
	file, _, _, err := c.Repositories.GetContents(ctx, owner, name, "docs/a.md", &github.RepositoryContentGetOptions{Ref: "feature"})
	if content, _ := file.GetContent(); err != nil || content != "feature a" {
		t.Errorf("ref feature: %q, %v", content, err)
	}
	for _, p := range []string{"docs/missing.md", "nothing"} {
		if _, _, _, err := c.Repositories.GetContents(ctx, owner, name, p, nil); statusOf(err) != http.StatusNotFound {
			t.Errorf("%s: err = %v, want 404", p, err)
		}
	}
	if _, _, _, err := c.Repositories.GetContents(ctx, owner, name, "docs/a.md", &github.RepositoryContentGetOptions{Ref: "nope"}); statusOf(err) != http.StatusNotFound {
		t.Errorf("unknown ref: err = %v, want 404", err)
	}
	s.AddRepo("ietf/private", githubtest.Private())
	s.PutFile("ietf/private", "", "x", []byte("x"))
	if _, _, _, err := anonymousClient(t, s).Repositories.GetContents(ctx, "ietf", "private", "x", nil); statusOf(err) != http.StatusNotFound {
		t.Errorf("private file anonymously: err = %v, want 404", err)
	}
}

// go-githubapp's response cache (httpcache) must work against the fake's
// ETag, Cache-Control and Vary headers: with alwaysValidate every GET is
// revalidated and a 304 is answered from the cache.
func TestGoGithubappCachingRevalidates(t *testing.T) {
	s := fixture(t)
	s.PutFile(repo, "", "liaison.yml", []byte("managers: []\n"))
	cc := githubapp.NewClientCreator(s.URL(), s.URL(), s.AppID(), s.PrivateKeyPEM(),
		githubapp.WithClientCaching(true, func() httpcache.Cache { return httpcache.NewMemoryCache() }))
	c, err := cc.NewInstallationClient(instID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		file, _, resp, err := c.Repositories.GetContents(ctx, owner, name, "liaison.yml", nil)
		if err != nil {
			t.Fatalf("GET %d: %v", i+1, err)
		}
		if content, _ := file.GetContent(); content != "managers: []\n" {
			t.Errorf("GET %d: content %q", i+1, content)
		}
		if cached := resp.Header.Get(httpcache.XFromCache) != ""; cached != (i == 1) {
			t.Errorf("GET %d: from cache %v", i+1, cached)
		}
	}
	if got := s.Counts().NotModified; got != 1 {
		t.Errorf("NotModified = %d, want 1 (the revalidation)", got)
	}
}
