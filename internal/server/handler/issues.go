package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/intake"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// Drafter renders a statement's issue with the current templates.
type Drafter interface {
	Draft(ctx context.Context, st *liaison.Statement, tg tracker.Target) tracker.Draft
}

// Issues handles issues events. A person changing a label is a command:
// the app keeps one state, one purpose and one addressee label on a
// statement's issue and says so when it corrects a combination. An issue
// opened from the "Incoming liaison" form is normalised.
type Issues struct {
	*Base
	Configs RepoConfigs
	Drafts  Drafter
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
	if ev.GetAction() == "opened" {
		return h.intake(ctx, &ev)
	}
	if ev.GetAction() != "labeled" && ev.GetAction() != "unlabeled" {
		return nil
	}
	repo, is := ev.GetRepo(), ev.GetIssue()
	ctx, log := githubapp.PrepareRepoContext(ctx, githubapp.GetInstallationIDFromEvent(&ev), repo)
	labels := tracker.LabelNames(is.Labels)
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
	// Only issues the app keeps: a statement's, or an intake it normalised.
	if !kept(cur.GetBody()) {
		log.Debug().Msg("not an issue the app keeps")
		return nil
	}
	labels = tracker.LabelNames(cur.Labels)
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
	full, number := ev.GetRepo().GetFullName(), ev.GetIssue().GetNumber()
	if err := tracker.Relabel(ctx, client, full, number, fix.Remove, fix.Add); err != nil {
		return err
	}
	body := mention(ev.GetSender().GetLogin()) + "I " + strings.Join(fix.Notes, "; ") + "."
	if err := (&tracker.GitHubIssues{Client: client}).Comment(ctx, full, number, body); err != nil {
		return err
	}
	log.Info().Int(githubapp.LogKeyPRNum, number).Strs("removed", fix.Remove).Strs("added", fix.Add).Msg("labels corrected")
	return nil
}

// kept reports whether an issue body is one the app keeps: a statement's
// (its marker), or an intake it normalised. A "liaison" label alone is not
// enough: it is a common label name, and the app may be installed on
// repositories that track nothing.
func kept(body string) bool {
	_, tied := tracker.StatementIDOf(body)
	return tied || strings.Contains(body, tracker.ManualMarker)
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

// intake normalises an issue opened from the "Incoming liaison" form by
// someone with triage permission: labels, the metadata table and the
// acknowledgement draft (its link is the issue until the statement is
// posted), with what was entered kept below.
func (h *Issues) intake(ctx context.Context, ev *github.IssuesEvent) error {
	repo, is := ev.GetRepo(), ev.GetIssue()
	ctx, log := githubapp.PrepareRepoContext(ctx, githubapp.GetInstallationIDFromEvent(ev), repo)
	if !containsFold(tracker.LabelNames(is.Labels), liaison.LabelLiaison) || strings.Contains(is.GetBody(), tracker.ManualMarker) {
		return nil
	}
	if _, tied := tracker.StatementIDOf(is.GetBody()); tied {
		return nil
	}
	form, ok, perr := intake.Parse(is.GetBody())
	if !ok {
		return nil
	}
	if self, err := h.self(ctx, ev.GetSender()); err != nil || self {
		return err
	}
	client, err := h.client(ev)
	if err != nil {
		return err
	}
	w := writer{client: client, repo: repo, number: is.GetNumber()}
	opener := ev.GetSender().GetLogin()
	rc, err := h.Configs.RepoConfig(ctx, client, repo.GetFullName(), repo.GetDefaultBranch())
	if err != nil {
		return fmt.Errorf("failed to read the configuration of %s: %w", repo.GetFullName(), err)
	}
	allowed, err := h.authorized(ctx, client, repo, opener, rc)
	if err != nil {
		return err
	}
	if !allowed {
		return w.comment(ctx, mention(opener)+"Thanks: someone with triage access to this repository, or a liaison manager, will look at this statement. (Only they can have liaisonbot record it.)")
	}
	if perr != nil {
		return w.comment(ctx, mention(opener)+"I could not record this statement from the form: "+markdown.Inline(perr.Error())+". Edit the issue, then open a new one from the form.")
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	st := form.Statement()
	d := h.Drafts.Draft(ctx, &st, tracker.Target{
		Repo: repo.GetFullName(), Family: form.Family, Signoff: rc.Signoff, Page: is.GetHTMLURL(),
		Assignees: rc.AssigneesFor(&st),
	})
	body := tracker.WithPeoplesText(d.Issue.Body, "As entered in the form", is.GetBody())
	owner, name := repo.GetOwner().GetLogin(), repo.GetName()
	if _, _, err := client.Issues.Edit(ctx, owner, name, is.GetNumber(), &github.IssueRequest{Body: github.String(body)}); err != nil {
		return fmt.Errorf("failed to edit %s#%d: %w", repo.GetFullName(), is.GetNumber(), err)
	}
	// The opener's own state, purpose or addressee label stays.
	add := tracker.LinkedLabels(d.Issue.Labels, tracker.LabelNames(is.Labels))
	if err := tracker.Relabel(ctx, client, repo.GetFullName(), is.GetNumber(), nil, add); err != nil {
		return err
	}
	log.Info().Int(githubapp.LogKeyPRNum, is.GetNumber()).Msg("statement entered by hand normalised")
	return nil
}
