package githubtest_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

func labelNames(ls []*github.Label) []string {
	var out []string
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}

func TestRemoveLabelNeedsAnEscapedName(t *testing.T) {
	s := fixture(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"purpose/action", "needs triage"}})
	c := installationClient(t, s, instID)

	// go-github v62 puts the name in the path as it is: the slash splits it.
	_, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, n, "purpose/action")
	if statusOf(err) != http.StatusNotFound {
		t.Fatalf("unescaped removal: err = %v, want 404", err)
	}
	if is, _ := s.Issue(repo, n); !slices.Contains(is.Labels, "purpose/action") {
		t.Fatalf("the unescaped removal removed the label: %v", is.Labels)
	}
	if got := s.Counts().ByRoute["DELETE (unmatched)"]; got != 1 {
		t.Errorf("unmatched DELETEs = %d, want 1", got)
	}

	resp, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, n, url.PathEscape("purpose/action"))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("escaped removal: %v", err)
	}
	// A space is escaped by net/url on the way out.
	if _, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, n, "needs triage"); err != nil {
		t.Fatalf("removal of a name with a space: %v", err)
	}
	if is, _ := s.Issue(repo, n); len(is.Labels) != 0 {
		t.Errorf("labels left: %v", is.Labels)
	}
	if _, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, n, "needs triage"); statusOf(err) != http.StatusNotFound {
		t.Errorf("removing an absent label: err = %v, want 404", err)
	}
	if len(s.Labels(repo)) != 2 {
		t.Errorf("removing labels from an issue must keep them in the repository: %v", s.Labels(repo))
	}
}

func TestIssueLabelBodies(t *testing.T) {
	s := fixture(t)
	n := s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"a"}})
	c := installationClient(t, s, instID)
	token := s.IssueToken(instID)
	path := "repos/ietf/liaisons/issues/1/labels"

	got, _, err := c.Issues.AddLabelsToIssue(ctx, owner, name, n, []string{"b", "A"})
	if err != nil || !slices.Equal(labelNames(got), []string{"a", "b"}) {
		t.Fatalf("AddLabelsToIssue (bare array) = %v, %v; want the full set a, b", labelNames(got), err)
	}
	for _, body := range []string{`{"labels":["c"]}`, `[{"name":"d"}]`, `{"labels":[{"name":"e"}]}`} {
		if status, _, b := rawRequest(t, s, "POST", path, token, body); status != http.StatusOK {
			t.Errorf("POST %s: %d %s", body, status, b)
		}
	}
	if is, _ := s.Issue(repo, n); !slices.Equal(is.Labels, []string{"a", "b", "c", "d", "e"}) {
		t.Errorf("labels = %v", is.Labels)
	}
	got, _, err = c.Issues.ReplaceLabelsForIssue(ctx, owner, name, n, []string{"z"})
	if err != nil || !slices.Equal(labelNames(got), []string{"z"}) {
		t.Errorf("ReplaceLabelsForIssue = %v, %v", labelNames(got), err)
	}
	if status, _, b := rawRequest(t, s, "PUT", path, token, `"single"`); status != http.StatusOK {
		t.Errorf("PUT a single name: %d %s", status, b)
	}
	got, _, err = c.Issues.ReplaceLabelsForIssue(ctx, owner, name, n, []string{})
	if err != nil || len(got) != 0 {
		t.Errorf("ReplaceLabelsForIssue([]) = %v, %v; want cleared", labelNames(got), err)
	}
}

// Without validation (or where the description is absent) the fake's own
// checks still refuse malformed bodies.
func TestMalformedBodiesWithoutValidation(t *testing.T) {
	s := fixture(t, githubtest.WithoutValidation())
	s.AddIssue(repo, githubtest.Issue{Title: "t"})
	token := s.IssueToken(instID)
	tests := []struct {
		method, path, body string
		status             int
	}{
		{"POST", "repos/ietf/liaisons/issues/1/labels", `{"labels":"x"}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues/1/labels", `[1]`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues/1/labels", `[`, http.StatusBadRequest},
		{"POST", "repos/ietf/liaisons/issues", `{"title":{"x":1}}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues", `{"title":"t","labels":"x"}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues", `{"title":"t","body":5}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues", `not json`, http.StatusBadRequest},
		{"PATCH", "repos/ietf/liaisons/issues/1", `{"state":"merged"}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/labels", `{"name":"x","color":"red"}`, http.StatusUnprocessableEntity},
		{"POST", "repos/ietf/liaisons/issues/1/comments", `{}`, http.StatusUnprocessableEntity},
	}
	for _, tc := range tests {
		status, _, body := rawRequest(t, s, tc.method, tc.path, token, tc.body)
		if status != tc.status {
			t.Errorf("%s %s %s: %d %s, want %d", tc.method, tc.path, tc.body, status, body, tc.status)
		}
	}
	if is, _ := s.Issue(repo, 1); len(is.Labels) != 0 || is.State != "open" || len(s.Issues(repo)) != 1 {
		t.Errorf("refused requests changed state: %+v", s.Issues(repo))
	}
}

func TestRepositoryLabels(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)

	l, resp, err := c.Issues.CreateLabel(ctx, owner, name, &github.Label{Name: github.String("purpose/action"), Color: github.String("#FF0000"), Description: github.String("needs a reply")})
	if err != nil || resp.StatusCode != http.StatusCreated || l.GetColor() != "ff0000" {
		t.Fatalf("CreateLabel = %v, %v", l, err)
	}
	_, _, err = c.Issues.CreateLabel(ctx, owner, name, &github.Label{Name: github.String("PURPOSE/ACTION")})
	var er *github.ErrorResponse
	if e, ok := err.(*github.ErrorResponse); ok {
		er = e
	}
	if er == nil || er.Response.StatusCode != http.StatusUnprocessableEntity || len(er.Errors) != 1 || er.Errors[0].Code != "already_exists" {
		t.Fatalf("duplicate CreateLabel: err = %v, want 422 already_exists", err)
	}
	if _, _, err := c.Issues.GetLabel(ctx, owner, name, url.PathEscape("purpose/action")); err != nil {
		t.Errorf("GetLabel escaped: %v", err)
	}
	if _, _, err := c.Issues.GetLabel(ctx, owner, name, "purpose/action"); statusOf(err) != http.StatusNotFound {
		t.Errorf("GetLabel unescaped: err = %v, want 404", err)
	}
	if _, _, err := c.Issues.EditLabel(ctx, owner, name, url.PathEscape("purpose/action"), &github.Label{Name: github.String("purpose/reply"), Color: github.String("00ff00")}); err != nil {
		t.Errorf("EditLabel: %v", err)
	}
	n := s.AddIssue(repo, githubtest.Issue{Title: "t", Labels: []string{"purpose/reply"}})
	if _, err := c.Issues.DeleteLabel(ctx, owner, name, url.PathEscape("purpose/reply")); err != nil {
		t.Errorf("DeleteLabel: %v", err)
	}
	if is, _ := s.Issue(repo, n); len(is.Labels) != 0 || len(s.Labels(repo)) != 0 {
		t.Errorf("after DeleteLabel: issue labels %v, repository labels %v", is.Labels, s.Labels(repo))
	}
}

func TestAssigneesAndPermissions(t *testing.T) {
	s := fixture(t)
	for login, role := range map[string]string{"tri": githubtest.RoleTriage, "main": githubtest.RoleMaintain, "adm": githubtest.RoleAdmin} {
		s.AddCollaborator(repo, login, role)
	}
	c := installationClient(t, s, instID)
	tests := []struct {
		login, permission, role string
		assignable              bool
	}{
		{"bob", "read", "read", false},
		{"tri", "read", "triage", true},
		{"alice", "write", "write", true},
		{"main", "write", "maintain", true},
		{"adm", "admin", "admin", true},
		{"stranger", "read", "read", false},
	}
	for _, tc := range tests {
		t.Run(tc.login, func(t *testing.T) {
			ok, _, err := c.Issues.IsAssignee(ctx, owner, name, tc.login)
			if err != nil || ok != tc.assignable {
				t.Errorf("IsAssignee = %v, %v; want %v", ok, err, tc.assignable)
			}
			p, _, err := c.Repositories.GetPermissionLevel(ctx, owner, name, tc.login)
			if err != nil {
				t.Fatal(err)
			}
			if p.GetPermission() != tc.permission || p.GetUser().GetRoleName() != tc.role {
				t.Errorf("permission %q role %q, want %q %q", p.GetPermission(), p.GetUser().GetRoleName(), tc.permission, tc.role)
			}
			if got := p.GetUser().Permissions["triage"]; got != tc.assignable {
				t.Errorf("permissions[triage] = %v, want %v", got, tc.assignable)
			}
		})
	}
}
