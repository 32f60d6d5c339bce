package githubtest_test

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"
)

// errorMessage is the message of a go-github error response.
func errorMessage(err error) string {
	if er, ok := err.(*github.ErrorResponse); ok {
		msg := er.Message
		for _, e := range er.Errors {
			msg += " " + e.Message + " " + e.Field + " " + e.Code
		}
		return msg
	}
	return ""
}

func TestGitRefs(t *testing.T) {
	s := fixture(t)
	s.PutFile(repo, "", "README.md", []byte("hello\n"))
	main := s.HeadSHA(repo, "main")
	if len(main) != 40 {
		t.Fatalf("HeadSHA(main) = %q, want 40 hex digits", main)
	}
	c := installationClient(t, s, instID)

	ref, _, err := c.Git.GetRef(ctx, owner, name, "heads/main")
	check(t, err)
	if ref.GetRef() != "refs/heads/main" || ref.GetObject().GetSHA() != main || ref.GetObject().GetType() != "commit" || ref.GetNodeID() == "" {
		t.Errorf("GetRef = %+v, want refs/heads/main at %s", ref, main)
	}

	created, resp, err := c.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/feature/x"), Object: &github.GitObject{SHA: github.String(main)}})
	check(t, err)
	if resp.StatusCode != http.StatusCreated || created.GetRef() != "refs/heads/feature/x" ||
		resp.Header.Get("Location") != s.URL()+"repos/ietf/liaisons/git/refs/heads/feature/x" {
		t.Errorf("CreateRef: %d %+v Location %q", resp.StatusCode, created, resp.Header.Get("Location"))
	}
	if got := s.Branches(repo); !slices.Equal(got, []string{"feature/x", "main"}) {
		t.Errorf("Branches = %v", got)
	}
	if ref, _, err := c.Git.GetRef(ctx, owner, name, "refs/heads/feature/x"); err != nil || ref.GetObject().GetSHA() != main {
		t.Errorf("GetRef(feature/x) = %+v, %v", ref, err)
	}
	if s.Counts().ContentCreating != 0 {
		t.Errorf("creating a ref counted as content creation")
	}

	tests := []struct {
		name, ref, sha string
		raw            bool // send ref as is, not through go-github (which prefixes refs/)
		status         int
		message        string
	}{
		{"duplicate", "refs/heads/main", main, false, 422, "Reference already exists"},
		{"too few slashes", "refs/main", main, false, 422, "at least three slash-separated components"},
		{"not under refs/", "heads/feature/y", main, true, 422, "is not a valid ref name"},
		{"invalid name", "refs/heads/a..b", main, false, 422, "is not a valid ref name"},
		{"unknown sha", "refs/heads/y", strings.Repeat("a", 40), false, 422, "Object does not exist"},
		{"clashes with feature/x", "refs/heads/feature", main, false, 422, "Reference update failed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.raw {
				body, _ := json.Marshal(map[string]string{"ref": tc.ref, "sha": tc.sha})
				status, _, b := rawRequest(t, s, "POST", "repos/ietf/liaisons/git/refs", s.IssueToken(instID), string(body))
				if status != tc.status || !strings.Contains(string(b), tc.message) {
					t.Errorf("POST git/refs %s: %d %s, want %d %q", tc.ref, status, b, tc.status, tc.message)
				}
				return
			}
			_, _, err := c.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String(tc.ref), Object: &github.GitObject{SHA: github.String(tc.sha)}})
			if statusOf(err) != tc.status || !strings.Contains(errorMessage(err), tc.message) {
				t.Errorf("CreateRef %s: %v, want %d %q", tc.ref, err, tc.status, tc.message)
			}
		})
	}

	for _, missing := range []string{"heads/nope", "heads/feature", "tags/v1"} {
		if _, _, err := c.Git.GetRef(ctx, owner, name, missing); statusOf(err) != http.StatusNotFound {
			t.Errorf("GetRef(%s): %v, want 404", missing, err)
		}
	}
	s.AddRepo("ietf/empty")
	s.AddInstallation(instID, owner, "ietf/empty")
	if _, _, err := c.Git.GetRef(ctx, owner, "empty", "heads/main"); statusOf(err) != http.StatusConflict {
		t.Errorf("GetRef in an empty repository: %v, want 409", err)
	}
	if _, _, err := anonymousClient(t, s).Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/anon"), Object: &github.GitObject{SHA: github.String(main)}}); statusOf(err) != http.StatusUnauthorized {
		t.Errorf("anonymous CreateRef: %v, want 401", err)
	}
}

func TestPutContents(t *testing.T) {
	s := fixture(t)
	s.PutFile(repo, "", "README.md", []byte("hello\n"))
	c := installationClient(t, s, instID)
	_, _, err := c.Git.CreateRef(ctx, owner, name, &github.Reference{Ref: github.String("refs/heads/response"), Object: &github.GitObject{SHA: github.String(s.HeadSHA(repo, "main"))}})
	check(t, err)
	path := "responses/2025-01 reply.md"
	s.ResetCounts()

	created, resp, err := c.Repositories.CreateFile(ctx, owner, name, path, &github.RepositoryContentFileOptions{
		Message: github.String("Draft the response"), Content: []byte("Dear SG13,\n"), Branch: github.String("response"),
		Committer: &github.CommitAuthor{Name: github.String("Liaison Manager"), Email: github.String("lm@example.org")},
	})
	check(t, err)
	commitSHA := created.Commit.GetSHA()
	if resp.StatusCode != http.StatusCreated || created.Content.GetSHA() != githubtestBlob("Dear SG13,\n") ||
		created.Content.GetPath() != path || commitSHA != s.HeadSHA(repo, "response") || created.Commit.GetMessage() != "Draft the response" ||
		created.Commit.GetCommitter().GetName() != "Liaison Manager" || len(created.Commit.Parents) != 1 {
		t.Fatalf("CreateFile: %d content %+v commit %+v", resp.StatusCode, created.Content, created.Commit)
	}
	if n := s.Counts().ContentCreating; n != 1 {
		t.Errorf("ContentCreating = %d, want 1", n)
	}

	// Visible on the branch, however it is named, and at the commit; not on main.
	for _, ref := range []string{"response", "heads/response", "refs/heads/response", commitSHA, commitSHA[:7]} {
		file, _, _, err := c.Repositories.GetContents(ctx, owner, name, path, &github.RepositoryContentGetOptions{Ref: ref})
		if content, _ := file.GetContent(); err != nil || content != "Dear SG13,\n" {
			t.Errorf("GetContents at %s: %q, %v", ref, content, err)
		}
	}
	if _, _, _, err := c.Repositories.GetContents(ctx, owner, name, path, nil); statusOf(err) != http.StatusNotFound {
		t.Errorf("the file is on main: %v", err)
	}
	if _, ok := s.File(repo, "", path); ok {
		t.Errorf("File(main) found the branch's file")
	}
	if got, ok := s.File(repo, commitSHA, path); !ok || string(got) != "Dear SG13,\n" {
		t.Errorf("File(commit) = %q, %v", got, ok)
	}
	if got, ok := s.File(repo, "response", "README.md"); !ok || string(got) != "hello\n" {
		t.Errorf("the branch lost main's README: %q, %v", got, ok)
	}

	updated, resp, err := c.Repositories.UpdateFile(ctx, owner, name, path, &github.RepositoryContentFileOptions{
		Message: github.String("Revise"), Content: []byte("Dear SG13,\nThanks.\n"), Branch: github.String("response"), SHA: created.Content.SHA,
	})
	check(t, err)
	if resp.StatusCode != http.StatusOK || updated.Commit.Parents[0].GetSHA() != commitSHA || updated.Commit.GetAuthor().GetName() != "liaisonbot[bot]" {
		t.Errorf("UpdateFile: %d commit %+v", resp.StatusCode, updated.Commit)
	}
	if old, _ := s.File(repo, commitSHA, path); string(old) != "Dear SG13,\n" {
		t.Errorf("the old commit changed: %q", old)
	}

	tests := []struct {
		name    string
		body    string
		status  int
		message string
	}{
		{"update without sha", `{"message":"m","content":"eA==","branch":"response"}`, 422, `\"sha\" wasn't supplied.`},
		{"stale sha", `{"message":"m","content":"eA==","branch":"response","sha":"` + created.Content.GetSHA() + `"}`, 409, path + " does not match " + created.Content.GetSHA()},
		{"bad base64", `{"message":"m","content":"not base64!","branch":"response","sha":"` + updated.Content.GetSHA() + `"}`, 422, "content is not valid Base64"},
		{"unknown branch", `{"message":"m","content":"eA==","branch":"nope"}`, 404, "Branch nope not found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			head := s.HeadSHA(repo, "response")
			status, _, b := rawRequest(t, s, "PUT", "repos/ietf/liaisons/contents/responses/2025-01%20reply.md", s.IssueToken(instID), tc.body)
			if status != tc.status || !strings.Contains(string(b), tc.message) {
				t.Errorf("%d %s, want %d %q", status, b, tc.status, tc.message)
			}
			if s.HeadSHA(repo, "response") != head {
				t.Errorf("a refused PUT made a commit")
			}
		})
	}

	// The first file of an empty repository makes its default branch.
	s.AddRepo("ietf/empty")
	s.AddInstallation(instID, owner, "ietf/empty")
	if _, resp, err := c.Repositories.CreateFile(ctx, owner, "empty", "a.txt", &github.RepositoryContentFileOptions{Message: github.String("m"), Content: []byte("a")}); err != nil || resp.StatusCode != http.StatusCreated {
		t.Errorf("first file of an empty repository: %v", err)
	}
	if got := s.Branches("ietf/empty"); !slices.Equal(got, []string{"main"}) {
		t.Errorf("Branches = %v, want [main]", got)
	}
}

// githubtestBlob is `git hash-object` of content.
func githubtestBlob(content string) string {
	return fmt.Sprintf("%x", sha1.Sum([]byte(fmt.Sprintf("blob %d\x00%s", len(content), content))))
}
