package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/realworld"
)

type pullsRecorder struct{ calls []string }

func (p *pullsRecorder) PullRequestChanged(_ context.Context, _ *github.Client, repo *github.Repository, pr *github.PullRequest, action string) error {
	p.calls = append(p.calls, fmt.Sprintf("%s %s#%d merged=%v head=%v", action, repo.GetFullName(), pr.GetNumber(), pr.GetMerged(), pr.GetHead().GetSHA() != ""))
	return nil
}

func (p *pullsRecorder) ReviewSubmitted(_ context.Context, _ *github.Client, repo *github.Repository, pr *github.PullRequest, rc *config.RepoConfig) error {
	p.calls = append(p.calls, fmt.Sprintf("review %s#%d approvals=%d", repo.GetFullName(), pr.GetNumber(), rc.Responses.RequiredApprovals))
	return nil
}

type stubClients struct{ githubapp.ClientCreator }

func (stubClients) NewInstallationClient(int64) (*github.Client, error) {
	return github.NewClient(nil), nil
}

type stubConfigs struct{}

func (stubConfigs) RepoConfig(context.Context, *github.Client, string, string) (*config.RepoConfig, error) {
	return config.DefaultRepoConfig(), nil
}

// TestPullRequestHandlersReadGitHubsPayloads feeds GitHub's own example
// payloads (including a 2020 merged pull request in an older shape) to the
// handlers: each reaches the domain with its action, number and merge
// state.
func TestPullRequestHandlersReadGitHubsPayloads(t *testing.T) {
	for _, tc := range []struct {
		file, event string
		// branch, when set, replaces the pull request's head branch.
		branch string
		want   string
	}{
		{"pull_request.opened.json", "pull_request", "", "opened Codertocat/Hello-World#2 merged=false head=true"},
		{"pull_request.closed.json", "pull_request", "", "closed Codertocat/Hello-World#2 merged=false head=true"},
		{"pull_request.closed.merged.json", "pull_request", "", "closed robvanderleek/create-issue-branch#117 merged=true head=true"},
		{"pull_request_review.submitted.json", "pull_request_review", "liaisonbot/response-ls-1", "review Codertocat/Hello-World#2 approvals=1"},
		// A review of any other pull request is not read further.
		{"pull_request_review.submitted.json", "pull_request_review", "", ""},
	} {
		t.Run(tc.file, func(t *testing.T) {
			raw, err := os.ReadFile(realworld.Require(t, "webhooks/"+tc.file))
			if err != nil {
				t.Fatal(err)
			}
			// An App's deliveries always name the installation; some of the
			// examples were captured from a repository webhook.
			var m map[string]any
			if err := json.Unmarshal(raw, &m); err != nil {
				t.Fatal(err)
			}
			if m["installation"] == nil {
				m["installation"] = map[string]any{"id": 1}
			}
			if tc.branch != "" {
				m["pull_request"].(map[string]any)["head"].(map[string]any)["ref"] = tc.branch
			}
			payload, _ := json.Marshal(m)
			rec := &pullsRecorder{}
			base := &Base{ClientCreator: stubClients{}}
			var h githubapp.EventHandler = &PullRequest{Base: base, Pulls: rec}
			if tc.event == "pull_request_review" {
				h = &PullRequestReview{Base: base, Configs: stubConfigs{}, Pulls: rec}
			}
			if err := h.Handle(context.Background(), tc.event, "d", payload); err != nil {
				t.Fatal(err)
			}
			if tc.want == "" {
				if len(rec.calls) != 0 {
					t.Errorf("calls = %q, want none", rec.calls)
				}
				return
			}
			if len(rec.calls) != 1 || rec.calls[0] != tc.want {
				t.Errorf("calls = %q, want [%q]", rec.calls, tc.want)
			}
		})
	}
}

func TestPullRequestHandlersIgnoreOtherActions(t *testing.T) {
	rec := &pullsRecorder{}
	base := &Base{ClientCreator: stubClients{}}
	for _, tc := range []struct {
		h       githubapp.EventHandler
		payload string
	}{
		{&PullRequest{Base: base, Pulls: rec}, `{"action":"labeled","number":1,"pull_request":{"number":1},"repository":{"full_name":"o/r"},"installation":{"id":1}}`},
		{&PullRequestReview{Base: base, Configs: stubConfigs{}, Pulls: rec}, `{"action":"edited","pull_request":{"number":1},"repository":{"full_name":"o/r"},"installation":{"id":1}}`},
	} {
		if err := tc.h.Handle(context.Background(), "x", "d", []byte(tc.payload)); err != nil {
			t.Fatal(err)
		}
	}
	if len(rec.calls) != 0 {
		t.Errorf("calls = %q, want none", rec.calls)
	}
	if err := (&PullRequest{Base: base, Pulls: rec}).Handle(context.Background(), "pull_request", "d", []byte("{")); err == nil {
		t.Error("a broken payload was accepted")
	}
}
