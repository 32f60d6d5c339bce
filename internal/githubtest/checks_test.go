package githubtest_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/githubtest"
)

func TestCheckRuns(t *testing.T) {
	s := fixture(t)
	c := installationClient(t, s, instID)
	pr := responsePull(t, s, c)
	head := pr.GetHead().GetSHA()
	s.ResetCounts()

	run, resp, err := c.Checks.CreateCheckRun(ctx, owner, name, github.CreateCheckRunOptions{
		Name: "liaison-response", HeadSHA: head, Status: github.String("in_progress"), ExternalID: github.String("ls-2025-01"),
		Output: &github.CheckRunOutput{
			Title: github.String("Checking the response"), Summary: github.String("1 problem"),
			Annotations: []*github.CheckRunAnnotation{{
				Path: github.String(responsePath), StartLine: github.Int(1), EndLine: github.Int(1),
				AnnotationLevel: github.String("warning"), Message: github.String("No subject line"),
			}},
		},
	})
	check(t, err)
	if resp.StatusCode != http.StatusCreated || run.GetHeadSHA() != head || run.GetStatus() != "in_progress" || run.Conclusion != nil ||
		run.GetOutput().GetAnnotationsCount() != 1 || run.GetApp().GetSlug() != s.AppSlug() || run.GetExternalID() != "ls-2025-01" ||
		len(run.PullRequests) != 1 || run.PullRequests[0].GetNumber() != pr.GetNumber() || run.GetCheckSuite().GetID() == 0 {
		t.Errorf("CreateCheckRun: %d %+v", resp.StatusCode, run)
	}
	if s.Counts().ContentCreating != 0 {
		t.Errorf("a check run counted as content creation")
	}

	updated, resp, err := c.Checks.UpdateCheckRun(ctx, owner, name, run.GetID(), github.UpdateCheckRunOptions{
		Name: "liaison-response", Conclusion: github.String("failure"),
		Output: &github.CheckRunOutput{
			Title: github.String("Response checked"), Summary: github.String("2 problems"), Text: github.String("Details"),
			Annotations: []*github.CheckRunAnnotation{{
				Path: github.String(responsePath), StartLine: github.Int(2), EndLine: github.Int(3),
				AnnotationLevel: github.String("failure"), Message: github.String("No signature"),
			}},
		},
	})
	check(t, err)
	if resp.StatusCode != http.StatusOK || updated.GetStatus() != "completed" || updated.GetConclusion() != "failure" || updated.CompletedAt == nil ||
		updated.GetOutput().GetAnnotationsCount() != 2 || updated.GetOutput().GetTitle() != "Response checked" {
		t.Errorf("UpdateCheckRun: %d %+v", resp.StatusCode, updated)
	}
	runs := s.CheckRuns(repo)
	want := githubtest.CheckRun{
		ID: run.GetID(), Name: "liaison-response", HeadSHA: head, Status: "completed", Conclusion: "failure",
		Title: "Response checked", Summary: "2 problems", Text: "Details",
		Annotations: []githubtest.Annotation{
			{Path: responsePath, StartLine: 1, EndLine: 1, Level: "warning", Message: "No subject line"},
			{Path: responsePath, StartLine: 2, EndLine: 3, Level: "failure", Message: "No signature"},
		},
	}
	if len(runs) != 1 || runs[0].ID != want.ID || runs[0].Title != want.Title || runs[0].Status != want.Status ||
		runs[0].Conclusion != want.Conclusion || runs[0].Text != want.Text || !slices.Equal(runs[0].Annotations, want.Annotations) {
		t.Errorf("CheckRuns = %+v\nwant %+v", runs, want)
	}

	// A conclusion alone completes a run.
	done, _, err := c.Checks.CreateCheckRun(ctx, owner, name, github.CreateCheckRunOptions{
		Name: "lint", HeadSHA: head, Conclusion: github.String("success"),
	})
	check(t, err)
	if done.GetStatus() != "completed" || done.GetConclusion() != "success" || done.GetCheckSuite().GetID() != run.GetCheckSuite().GetID() {
		t.Errorf("created with a conclusion: status %s conclusion %s suite %d", done.GetStatus(), done.GetConclusion(), done.GetCheckSuite().GetID())
	}

	token := s.IssueToken(instID)
	tests := []struct {
		name, method, path, token, body string
		status                          int
		message                         string
	}{
		{"unknown head_sha", "POST", "repos/ietf/liaisons/check-runs", token, `{"name":"x","head_sha":"` + strings.Repeat("0", 40) + `"}`, 422, "No commit found for SHA"},
		{"completed without a conclusion", "POST", "repos/ietf/liaisons/check-runs", token, `{"name":"x","head_sha":"` + head + `","status":"completed"}`, 422, "conclusion"},
		{"stale is GitHub's", "POST", "repos/ietf/liaisons/check-runs", token, `{"name":"x","head_sha":"` + head + `","conclusion":"stale"}`, 422, "invalid"},
		{"anonymous", "POST", "repos/ietf/liaisons/check-runs", "", `{"name":"x","head_sha":"` + head + `"}`, 401, "Requires authentication"},
		{"unknown run", "PATCH", "repos/ietf/liaisons/check-runs/1", token, `{"name":"x"}`, 404, "Not Found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			status, _, b := rawRequest(t, s, tc.method, tc.path, tc.token, tc.body)
			if status != tc.status || !strings.Contains(string(b), tc.message) {
				t.Errorf("%d %s, want %d %q", status, b, tc.status, tc.message)
			}
		})
	}
	if n := len(s.CheckRuns(repo)); n != 2 {
		t.Errorf("%d check runs, want 2", n)
	}
}
