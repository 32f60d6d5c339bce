package server

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/mail"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// ackKey is the outbox key of an issue's acknowledgement: one per issue,
// so it is never sent twice.
func ackKey(repo string, number int) string { return fmt.Sprintf("ack:%s#%d", repo, number) }

// SendAck renders the acknowledgement from the issue's current labels and
// the templates, and queues it in the outbox. The state moves to
// acknowledged when the mail is sent (reportMail).
func (s *Server) SendAck(ctx context.Context, repo *github.Repository, is *github.Issue, rc *config.RepoConfig) (string, error) {
	if s.mail == nil {
		return "No mail server is configured for liaisonbot (`smtp.addr`): send the acknowledgement by hand and record it with `/ack sent`.", nil
	}
	key := ackKey(repo.GetFullName(), is.GetNumber())
	if m, ok, err := s.store.Mail(ctx, key); err != nil {
		return "", err
	} else if ok {
		return fmt.Sprintf("The acknowledgement was queued before (%s, Message-ID %s): it is sent once only.", m.Status, markdown.CodeSpan(m.MessageID)), nil
	}
	id, ok := tracker.StatementIDOf(is.GetBody())
	if !ok {
		return "This issue is not tied to a datatracker statement, so there is no acknowledgement to send.", nil
	}
	st, ok, err := s.store.Statement(ctx, id)
	if err != nil {
		return "", err
	}
	if !ok {
		return fmt.Sprintf("LS %d is not in liaisonbot's store yet; try again after the next sync.", id), nil
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	// The labels are the triage's word on purpose and addressee.
	labels := make([]string, 0, len(is.Labels))
	for _, l := range is.Labels {
		labels = append(labels, l.GetName())
	}
	if p := liaison.PurposeOf(labels); p != "" {
		st.Purpose = p
	}
	tg := schedule.TargetFor(schedule.TrackingRepo{FullName: repo.GetFullName(), Config: rc}, &st)
	if f := liaison.FamilyOf(labels); f != "" {
		tg.Family = f
	}
	tpls, tplErr := s.readTemplates(ctx)
	ack := (&tracker.Renderer{DatatrackerURL: s.cfg.Datatracker.URL, Templates: tpls, TemplatesErr: tplErr}).Render(&st, tg).Ack
	if ack == nil {
		return "The IETF sent this statement: there is nothing to acknowledge.", nil
	}
	if !ack.Sendable {
		return "The acknowledgement cannot be sent as it is: " + markdown.Inline(ack.Problem), nil
	}
	from := rc.Ack.From
	if from == "" {
		from = s.cfg.SMTP.From
	}
	if from == "" {
		return "No sender is configured: set `ack.from` in `.github/liaison.yml` (or `smtp.from` for the server).", nil
	}
	replyTo := rc.Ack.ReplyTo
	if replyTo == "" {
		replyTo = from
	}
	m, _, err := s.store.EnqueueMail(ctx, store.Mail{
		Key: key, Repo: repo.GetFullName(), Issue: is.GetNumber(),
		From: from, ReplyTo: replyTo, To: ack.To, Cc: ack.Cc,
		Subject: ack.Subject, Body: ack.Body,
	})
	if err != nil {
		return "", err
	}
	s.mail.Wake()
	return fmt.Sprintf("Queued the acknowledgement to %s (Message-ID %s); I will say here when it has gone.",
		markdown.Inline(strings.Join(ack.To, ", ")), markdown.CodeSpan(m.MessageID)), nil
}

// reportMail says on the issue what became of its mail; a sent
// acknowledgement moves the state to acknowledged.
func (s *Server) reportMail(ctx context.Context, m store.Mail, r mail.Result) error {
	if r.Outcome == mail.Retrying {
		s.log.Warn().Str("mail", m.Key).Str("reason", r.Reason).Time("next", r.Next).Msg("mail not sent yet; retrying")
		return nil
	}
	rec, ok, err := s.store.Repo(ctx, m.Repo)
	if err != nil || !ok {
		return fmt.Errorf("failed to find the installation of %s: %v", m.Repo, err)
	}
	client, err := s.clients.NewInstallationClient(rec.InstallationID)
	if err != nil {
		return err
	}
	owner, name, _ := strings.Cut(m.Repo, "/")
	var body string
	switch r.Outcome {
	case mail.Sent:
		body = fmt.Sprintf("Sent the acknowledgement to %s on %s, Message-ID %s.",
			markdown.Inline(strings.Join(m.To, ", ")), r.At.UTC().Format(time.RFC1123), markdown.CodeSpan(m.MessageID))
		is, _, err := client.Issues.Get(ctx, owner, name, m.Issue)
		if err != nil {
			return fmt.Errorf("failed to get %s#%d: %w", m.Repo, m.Issue, err)
		}
		labels := make([]string, 0, len(is.Labels))
		for _, l := range is.Labels {
			labels = append(labels, l.GetName())
		}
		if st := liaison.StateOf(labels); st == "" || st == liaison.StateNew {
			if st == liaison.StateNew {
				if _, err := client.Issues.RemoveLabelForIssue(ctx, owner, name, m.Issue, url.PathEscape(liaison.StateNew.Label())); err != nil {
					return fmt.Errorf("failed to relabel %s#%d: %w", m.Repo, m.Issue, err)
				}
			}
			if _, _, err := client.Issues.AddLabelsToIssue(ctx, owner, name, m.Issue, []string{liaison.StateAcknowledged.Label()}); err != nil {
				return fmt.Errorf("failed to relabel %s#%d: %w", m.Repo, m.Issue, err)
			}
		}
	case mail.Unknown:
		body = fmt.Sprintf("> [!WARNING]\n> The mail server did not confirm the acknowledgement (Message-ID %s): %s. It may or may not have arrived, so it is not sent again automatically. Check with the sender; record a copy sent by hand with `/ack sent`.",
			markdown.CodeSpan(m.MessageID), markdown.Inline(r.Reason))
	case mail.Failed:
		body = fmt.Sprintf("> [!WARNING]\n> The acknowledgement could not be sent: %s. Send it by hand and record it with `/ack sent`.", markdown.Inline(r.Reason))
	}
	if _, _, err := client.Issues.CreateComment(ctx, owner, name, m.Issue, &github.IssueComment{Body: github.String(body)}); err != nil {
		return fmt.Errorf("failed to comment on %s#%d: %w", m.Repo, m.Issue, err)
	}
	return nil
}
