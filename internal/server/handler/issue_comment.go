package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/commands"
	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
	"github.com/liaisonbot/liaisonbot/internal/triage"
)

// Acknowledger queues the acknowledgement mail of a statement's issue and
// says, in a sentence for the reply, what it did.
type Acknowledger interface {
	DraftAck(ctx context.Context, repo *github.Repository, issue *github.Issue, rc *config.RepoConfig) (string, error)
	SendAck(ctx context.Context, repo *github.Repository, issue *github.Issue, rc *config.RepoConfig) (string, error)
}

// Linker ties an issue to its datatracker statement ("/link") and says
// what it did.
type Linker interface {
	Link(ctx context.Context, client *github.Client, repo *github.Repository, issue *github.Issue, statementID int, rc *config.RepoConfig) (string, error)
}

// Deadliner records a deadline a person set ("/deadline") and says what
// it did.
type Deadliner interface {
	SetDeadline(ctx context.Context, client *github.Client, repo *github.Repository, issue *github.Issue, date liaison.Date, actor string) (string, error)
}

// Responder opens response pull requests ("/respond") and involves
// reviewers ("/involve"), and says what it did.
type Responder interface {
	Respond(ctx context.Context, client *github.Client, repo *github.Repository, issue *github.Issue, kind string, rc *config.RepoConfig) (string, error)
	Involve(ctx context.Context, client *github.Client, repo *github.Repository, issue *github.Issue, who []string) (string, error)
}

// RepoConfigs reads a repository's effective liaison.yml.
type RepoConfigs interface {
	RepoConfig(ctx context.Context, client *github.Client, fullName, branch string) (*config.RepoConfig, error)
}

// maxReply keeps a reply under GitHub's 65,536 characters per comment.
const maxReply = 60000

// IssueComment runs the slash-commands of new comments on statement
// issues.
type IssueComment struct {
	*Base
	Configs   RepoConfigs
	Acks      Acknowledger
	Links     Linker
	Deadlines Deadliner
	Responses Responder
}

// Handles names the event.
func (h *IssueComment) Handles() []string { return []string{"issue_comment"} }

// Handle parses the commands of a created comment, authorizes, plans and
// writes the effect, answering once.
// https://docs.github.com/webhooks/webhook-events-and-payloads#issue_comment
func (h *IssueComment) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.IssueCommentEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse issue_comment event payload: %w", err)
	}
	// Only new comments count: an edit must not run a command twice.
	if ev.GetAction() != "created" || ev.GetIssue().IsPullRequest() {
		return nil
	}
	repo, is, cm := ev.GetRepo(), ev.GetIssue(), ev.GetComment()
	ctx, log := githubapp.PreparePRContext(ctx, githubapp.GetInstallationIDFromEvent(&ev), repo, is.GetNumber())
	if self, err := h.self(ctx, ev.GetSender()); err != nil || self {
		return err
	}
	labels := tracker.LabelNames(is.Labels)
	if !containsFold(labels, liaison.LabelLiaison) {
		log.Debug().Msg("not a statement issue")
		return nil
	}
	res := commands.Parse(cm.GetBody())
	if len(res.Commands) == 0 && res.Err == nil {
		return nil
	}
	client, err := h.client(&ev)
	if err != nil {
		return err
	}
	rc, err := h.Configs.RepoConfig(ctx, client, repo.GetFullName(), repo.GetDefaultBranch())
	if err != nil {
		return fmt.Errorf("failed to read the configuration of %s: %w", repo.GetFullName(), err)
	}
	if rc == nil {
		// No .github/liaison.yml: the repository tracks nothing, and a
		// "liaison" label there is someone else's.
		log.Debug().Msg("not a tracking repository")
		return nil
	}
	actor := ev.GetSender().GetLogin()
	w := writer{client: client, repo: repo, number: is.GetNumber()}
	if res.Err != nil {
		return w.comment(ctx, mention(actor)+"I did not read this comment for commands: "+markdown.Inline(res.Err.Error()))
	}

	tc := triage.Context{Actor: actor, Routes: rc.Routes}
	needsAuth := false
	for _, c := range res.Commands {
		needsAuth = needsAuth || c.StateChanging()
	}
	if needsAuth {
		if tc.Authorized, err = h.authorized(ctx, client, repo, actor, rc); err != nil {
			return err
		}
	}
	// Plan against the issue as it is now, not as the payload saw it: a
	// delivery may be retried after some of its writes were made.
	cur, _, err := client.Issues.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber())
	if err != nil {
		return fmt.Errorf("failed to get %s#%d: %w", repo.GetFullName(), is.GetNumber(), err)
	}
	eff := triage.Plan(res.Commands, triage.Issue{
		Open:      cur.GetState() == "open",
		Labels:    tracker.LabelNames(cur.Labels),
		Assignees: assigneeLogins(cur.Assignees),
	}, tc)

	// The reaction says the command was seen; the reply comes last, so a
	// retried delivery finds the writes done and only answers.
	if err := w.reaction(ctx, cm.GetID(), "eyes"); err != nil {
		return err
	}
	notes, err := w.apply(ctx, eff)
	if err != nil {
		return err
	}
	eff.Reply = append(eff.Reply, notes...)
	// These act on the issue as the comment's other commands left it: a
	// "/purpose action" before "/ack send" picks the action template.
	// They run in this order: tie the statement, set the deadline, show,
	// send, involve (so a "/respond" below asks them too), respond.
	steps := []struct {
		on bool
		do func(*github.Issue) (string, error)
	}{
		{eff.Link != 0, func(is *github.Issue) (string, error) { return h.Links.Link(ctx, client, repo, is, eff.Link, rc) }},
		{eff.SetDeadline, func(is *github.Issue) (string, error) {
			return h.Deadlines.SetDeadline(ctx, client, repo, is, eff.Deadline, actor)
		}},
		{eff.ShowAck, func(is *github.Issue) (string, error) { return h.Acks.DraftAck(ctx, repo, is, rc) }},
		{eff.SendAck, func(is *github.Issue) (string, error) { return h.Acks.SendAck(ctx, repo, is, rc) }},
		{len(eff.Involve) > 0, func(is *github.Issue) (string, error) { return h.Responses.Involve(ctx, client, repo, is, eff.Involve) }},
		{eff.Respond != "", func(is *github.Issue) (string, error) {
			return h.Responses.Respond(ctx, client, repo, is, eff.Respond, rc)
		}},
	}
	for _, st := range steps {
		if !st.on {
			continue
		}
		if cur, _, err = client.Issues.Get(ctx, repo.GetOwner().GetLogin(), repo.GetName(), is.GetNumber()); err != nil {
			return fmt.Errorf("failed to get %s#%d: %w", repo.GetFullName(), is.GetNumber(), err)
		}
		msg, err := st.do(cur)
		if err != nil {
			return err
		}
		eff.Reply = append(eff.Reply, msg)
	}
	if len(eff.Reply) > 0 {
		// Bounded: a comment of many commands must not make a reply GitHub
		// refuses (and the delivery retry for nothing).
		reply := markdown.Truncate(mention(actor)+strings.Join(eff.Reply, "\n\n"), maxReply)
		if err := w.comment(ctx, reply); err != nil {
			return err
		}
	}
	log.Info().Str("actor", actor).Int("commands", len(res.Commands)).Int("ran", eff.Ran).Msg("commands handled")
	return nil
}

func assigneeLogins(us []*github.User) []string {
	out := make([]string, 0, len(us))
	for _, u := range us {
		out = append(out, u.GetLogin())
	}
	return out
}

// writer writes an Effect to one issue.
type writer struct {
	client *github.Client
	repo   *github.Repository
	number int
}

func (w writer) where() string { return fmt.Sprintf("%s#%d", w.repo.GetFullName(), w.number) }

// apply writes the effect and returns sentences for the reply about what
// GitHub did not do as asked.
func (w writer) apply(ctx context.Context, e triage.Effect) (notes []string, err error) {
	owner, name := w.repo.GetOwner().GetLogin(), w.repo.GetName()
	if err := tracker.Relabel(ctx, w.client, w.repo.GetFullName(), w.number, e.RemoveLabels, e.AddLabels); err != nil {
		return nil, err
	}
	if len(e.Assign) > 0 {
		is, _, err := w.client.Issues.AddAssignees(ctx, owner, name, w.number, e.Assign)
		if err != nil {
			return nil, fmt.Errorf("failed to assign %s: %w", w.where(), err)
		}
		// GitHub skips, without an error, people it cannot assign here.
		got := assigneeLogins(is.Assignees)
		for _, a := range e.Assign {
			if !containsFold(got, a) {
				notes = append(notes, fmt.Sprintf("%s cannot be assigned here: GitHub assigns only people with access to this repository.", markdown.CodeSpan(a)))
			}
		}
	}
	if len(e.Unassign) > 0 {
		if _, _, err := w.client.Issues.RemoveAssignees(ctx, owner, name, w.number, e.Unassign); err != nil {
			return notes, fmt.Errorf("failed to unassign %s: %w", w.where(), err)
		}
	}
	switch {
	case e.Close != "":
		return notes, (&tracker.GitHubIssues{Client: w.client}).Close(ctx, w.repo.GetFullName(), w.number, e.Close)
	case e.Reopen:
		if _, _, err := w.client.Issues.Edit(ctx, owner, name, w.number, &github.IssueRequest{State: github.String("open")}); err != nil {
			return notes, fmt.Errorf("failed to reopen %s: %w", w.where(), err)
		}
	}
	return notes, nil
}

func (w writer) comment(ctx context.Context, body string) error {
	return (&tracker.GitHubIssues{Client: w.client}).Comment(ctx, w.repo.GetFullName(), w.number, body)
}

func (w writer) reaction(ctx context.Context, commentID int64, content string) error {
	owner, name := w.repo.GetOwner().GetLogin(), w.repo.GetName()
	if _, _, err := w.client.Reactions.CreateIssueCommentReaction(ctx, owner, name, commentID, content); err != nil {
		return fmt.Errorf("failed to react to a comment on %s: %w", w.where(), err)
	}
	return nil
}

var _ githubapp.EventHandler = (*IssueComment)(nil)
