package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// Issues handles issues events. A person changing a label is a command:
// the app keeps one state, one purpose and one addressee label on a
// statement's issue and says so when it corrects a combination.
type Issues struct {
	*Base
}

// Handles names the event.
func (h *Issues) Handles() []string { return []string{"issues"} }

// Handle reacts to label changes on statement issues.
// https://docs.github.com/webhooks/webhook-events-and-payloads#issues
func (h *Issues) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.IssuesEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse issues event payload: %w", err)
	}
	if ev.GetAction() != "labeled" && ev.GetAction() != "unlabeled" {
		return nil
	}
	repo, is := ev.GetRepo(), ev.GetIssue()
	ctx, log := githubapp.PrepareRepoContext(ctx, githubapp.GetInstallationIDFromEvent(&ev), repo)
	labels := labelNames(is.Labels)
	if !containsFold(labels, liaison.LabelLiaison) {
		log.Debug().Msg("not a statement issue")
		return nil
	}
	if self, err := h.self(ctx, ev.GetSender()); err != nil || self {
		return err
	}
	// Decide on the labels as they are now: one person's change can fire
	// several events, each with a snapshot that is stale by the next.
	client, err := h.client(&ev)
	if err != nil {
		return err
	}
	cur, _, err := client.Issues.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
	if err != nil {
		return fmt.Errorf("failed to get %s#%d: %w", repo.GetFullName(), is.GetNumber(), err)
	}
	labels = labelNames(cur.Labels)
	preferred := ""
	if ev.GetAction() == "labeled" {
		preferred = ev.GetLabel().GetName()
		if !containsFold(labels, preferred) {
			return nil // removed again since: nothing to prefer
		}
	}
	fix := liaison.Consistent(labels, preferred)
	if fix.Empty() {
		return nil
	}
	return h.correct(ctx, log, client, &ev, fix)
}

func (h *Issues) correct(ctx context.Context, log zerolog.Logger, client *github.Client, ev *github.IssuesEvent, fix liaison.Correction) error {
	repo, number := ev.GetRepo(), ev.GetIssue().GetNumber()
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	for _, l := range fix.Remove {
		if err := removeLabel(ctx, client, repo, number, l); err != nil {
			return err
		}
	}
	if len(fix.Add) > 0 {
		if _, _, err := client.Issues.AddLabelsToIssue(ctx, owner, name, number, fix.Add); err != nil {
			return fmt.Errorf("failed to label %s#%d: %w", repo.GetFullName(), number, err)
		}
	}
	body := mention(ev.GetSender().GetLogin()) + "I " + strings.Join(fix.Notes, "; ") + "."
	if _, _, err := client.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: github.String(body)}); err != nil {
		return fmt.Errorf("failed to comment on %s#%d: %w", repo.GetFullName(), number, err)
	}
	log.Info().Int(githubapp.LogKeyPRNum, number).Strs("removed", fix.Remove).Strs("added", fix.Add).Msg("labels corrected")
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

var _ githubapp.EventHandler = (*Issues)(nil)
