package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/responses"
)

// ResponsePulls follows response pull requests.
type ResponsePulls interface {
	// PullRequestChanged checks a response pull request's head and moves
	// its issue's state when it closes.
	PullRequestChanged(ctx context.Context, client *github.Client, repo *github.Repository, pr *github.PullRequest, action string) error
	// ReviewSubmitted says on the issue when the response is agreed.
	ReviewSubmitted(ctx context.Context, client *github.Client, repo *github.Repository, pr *github.PullRequest, rc *config.RepoConfig) error
}

// PullRequest follows the response pull requests the app opened. The
// app's own events count here: the check runs on the head it pushed.
type PullRequest struct {
	*Base
	Pulls ResponsePulls
}

// Handles names the event.
func (h *PullRequest) Handles() []string { return []string{"pull_request"} }

// Handle checks a response pull request on every new head and follows it
// when it closes.
// https://docs.github.com/webhooks/webhook-events-and-payloads#pull_request
func (h *PullRequest) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.PullRequestEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse pull_request event payload: %w", err)
	}
	switch ev.GetAction() {
	case "opened", "reopened", "synchronize", "ready_for_review", "closed":
	default:
		return nil
	}
	repo, pr := ev.GetRepo(), ev.GetPullRequest()
	ctx, _ = githubapp.PreparePRContext(ctx, githubapp.GetInstallationIDFromEvent(&ev), repo, pr.GetNumber())
	client, err := h.client(&ev)
	if err != nil {
		return err
	}
	if err := h.Pulls.PullRequestChanged(ctx, client, repo, pr, ev.GetAction()); err != nil {
		return fmt.Errorf("failed to follow %s#%d: %w", repo.GetFullName(), pr.GetNumber(), err)
	}
	return nil
}

// PullRequestReview follows the reviews of response pull requests.
type PullRequestReview struct {
	*Base
	Configs RepoConfigs
	Pulls   ResponsePulls
}

// Handles names the event.
func (h *PullRequestReview) Handles() []string { return []string{"pull_request_review"} }

// Handle reads a submitted review.
// https://docs.github.com/webhooks/webhook-events-and-payloads#pull_request_review
func (h *PullRequestReview) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.PullRequestReviewEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse pull_request_review event payload: %w", err)
	}
	if ev.GetAction() != "submitted" && ev.GetAction() != "dismissed" {
		return nil
	}
	repo, pr := ev.GetRepo(), ev.GetPullRequest()
	if !strings.HasPrefix(pr.GetHead().GetRef(), responses.BranchPrefix) {
		return nil // not a response pull request: no config to read
	}
	ctx, _ = githubapp.PreparePRContext(ctx, githubapp.GetInstallationIDFromEvent(&ev), repo, pr.GetNumber())
	client, err := h.client(&ev)
	if err != nil {
		return err
	}
	rc, err := h.Configs.RepoConfig(ctx, client, repo.GetFullName(), repo.GetDefaultBranch())
	if err != nil {
		return fmt.Errorf("failed to read the configuration of %s: %w", repo.GetFullName(), err)
	}
	if err := h.Pulls.ReviewSubmitted(ctx, client, repo, pr, rc); err != nil {
		return fmt.Errorf("failed to read the reviews of %s#%d: %w", repo.GetFullName(), pr.GetNumber(), err)
	}
	return nil
}

var (
	_ githubapp.EventHandler = (*PullRequest)(nil)
	_ githubapp.EventHandler = (*PullRequestReview)(nil)
)
