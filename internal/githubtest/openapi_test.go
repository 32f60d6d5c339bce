package githubtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

func TestInvalidRequestIsRefusedAndFailsTheTest(t *testing.T) {
	realworld.Require(t, "github-openapi/api.github.com.json")
	tests := []struct {
		name, method, path, body, query string
	}{
		{"title is an object", "POST", "repos/ietf/liaisons/issues", `{"title":{"x":1}}`, ""},
		{"comment without body", "POST", "repos/ietf/liaisons/issues/1/comments", `{"text":"x"}`, ""},
		{"bad state filter", "GET", "repos/ietf/liaisons/issues", "", "?state=merged"},
		{"labels not a list", "POST", "repos/ietf/liaisons/issues/1/labels", `{"labels":"x"}`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recordingTB{TB: t}
			s := githubtest.New(rec)
			s.AddInstallation(instID, owner, repo)
			s.AddIssue(repo, githubtest.Issue{Title: "existing"})
			status, _, body := rawRequest(t, s, tc.method, tc.path+tc.query, s.IssueToken(instID), tc.body)
			if status != http.StatusBadRequest {
				t.Errorf("status = %d %s, want 400", status, body)
			}
			errs := rec.recorded()
			if len(errs) != 1 || !strings.Contains(errs[0], tc.method+" /"+tc.path) {
				t.Fatalf("recorded errors = %q, want one naming %s /%s", errs, tc.method, tc.path)
			}
			if n := len(s.Issues(repo)); n != 1 || len(s.Comments(repo, 1)) != 0 || len(s.Labels(repo)) != 0 {
				t.Errorf("an invalid request changed state")
			}
			if s.Counts().Invalid != 1 {
				t.Errorf("Invalid = %d, want 1", s.Counts().Invalid)
			}
		})
	}
}

// The app's legitimate requests must not be reported, including the two the
// description gets wrong: a null token body and PUT labels with [].
func TestDocumentedMismatchesAreBridged(t *testing.T) {
	realworld.Require(t, "github-openapi/api.github.com.json")
	rec := &recordingTB{TB: t}
	s := githubtest.New(rec)
	s.AddInstallation(instID, owner, repo)
	s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"a"}})
	c := installationClient(t, s, instID) // ghinstallation mints with a null body
	if _, _, err := c.Issues.ReplaceLabelsForIssue(ctx, owner, name, 1, []string{}); err != nil {
		t.Fatal(err)
	}
	status, _, body := rawRequest(t, s, "PUT", "repos/ietf/liaisons/issues/1/labels", s.IssueToken(instID), `{"labels":[]}`)
	if status != http.StatusOK {
		t.Errorf(`PUT {"labels":[]}: %d %s`, status, body)
	}
	if errs := rec.recorded(); len(errs) != 0 {
		t.Errorf("valid requests were reported: %q", errs)
	}
}
