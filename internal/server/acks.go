package server

import (
	"cmp"
	"context"
	"fmt"
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

// ackKey is the outbox key of a statement's acknowledgement: one per
// statement, whichever repositories track it, so it is never sent twice.
func ackKey(statementID int) string { return fmt.Sprintf("ack:LS%d", statementID) }

// acknowledgement renders the acknowledgement of an issue's statement from
// its current labels (purpose, addressee) and the templates, as both
// "/ack" shows it and "/ack send" mails it. When there is none to render,
// why is a sentence for the reply.
func (s *Server) acknowledgement(ctx context.Context, repo *github.Repository, is *github.Issue, rc *config.RepoConfig) (ack *tracker.Acknowledgement, id int, why string, err error) {
	id, ok := tracker.StatementIDOf(is.GetBody())
	if !ok {
		return nil, 0, "This issue is not tied to a datatracker statement (`/link` ties it), so there is no acknowledgement to render.", nil
	}
	st, ok, err := s.store.Statement(ctx, id)
	if err != nil {
		return nil, id, "", err
	}
	if !ok {
		return nil, id, fmt.Sprintf("LS %d is not in liaisonbot's store yet; try again after the next sync.", id), nil
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	labels := tracker.LabelNames(is.Labels)
	if p := liaison.PurposeOf(labels); p != "" {
		st.Purpose = p
	}
	tg := schedule.TargetFor(schedule.TrackingRepo{FullName: repo.GetFullName(), Config: rc}, &st)
	if f := liaison.FamilyOf(labels); f != "" {
		tg.Family = f
	}
	ack = s.Draft(ctx, &st, tg).Ack
	if ack == nil {
		return nil, id, "The IETF sent this statement: there is nothing to acknowledge.", nil
	}
	return ack, id, "", nil
}

// DraftAck shows the acknowledgement as "/ack send" would mail it now.
func (s *Server) DraftAck(ctx context.Context, repo *github.Repository, is *github.Issue, rc *config.RepoConfig) (string, error) {
	ack, _, why, err := s.acknowledgement(ctx, repo, is, rc)
	if err != nil || ack == nil {
		return why, err
	}
	if !ack.Sendable {
		return "The acknowledgement cannot be sent as it is: " + markdown.Inline(ack.Problem), nil
	}
	return "The acknowledgement, as `/ack send` would mail it now:\n\n" + tracker.AckText(ack), nil
}

// SendAck queues the acknowledgement in the outbox, once per statement;
// the state moves to acknowledged when the mail has gone (reportMail).
func (s *Server) SendAck(ctx context.Context, repo *github.Repository, is *github.Issue, rc *config.RepoConfig) (string, error) {
	if s.mail == nil {
		return "No mail server is configured for liaisonbot (`smtp.addr`): send the acknowledgement by hand and record it with `/ack sent`.", nil
	}
	if st := liaison.StateOf(tracker.LabelNames(is.Labels)); st != "" && st != liaison.StateNew {
		return fmt.Sprintf("This statement is %s already: nothing is sent twice.", markdown.CodeSpan(st.Label())), nil
	}
	ack, id, why, err := s.acknowledgement(ctx, repo, is, rc)
	if err != nil || ack == nil {
		return why, err
	}
	key := ackKey(id)
	if m, ok, err := s.store.Mail(ctx, key); err != nil {
		return "", err
	} else if ok {
		return fmt.Sprintf("The acknowledgement of LS %d was queued before, from %s#%d (%s, Message-ID %s): it is sent once only.",
			id, markdown.Inline(m.Repo), m.Issue, m.Status, markdown.CodeSpan(m.MessageID)), nil
	}
	if !ack.Sendable {
		return "The acknowledgement cannot be sent as it is: " + markdown.Inline(ack.Problem), nil
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	from := cmp.Or(rc.Ack.From, s.cfg.SMTP.From)
	if from == "" {
		return "No sender is configured: set `ack.from` in `.github/liaison.yml` (or `smtp.from` for the server).", nil
	}
	m, _, err := s.store.EnqueueMail(ctx, store.Mail{
		Key: key, Repo: repo.GetFullName(), Issue: is.GetNumber(),
		From: from, ReplyTo: cmp.Or(rc.Ack.ReplyTo, from), To: ack.To, Cc: ack.Cc,
		Subject: ack.Subject, Body: ack.Body,
	})
	if err != nil {
		// An address the outbox refuses will not improve on a retry.
		return "The acknowledgement could not be queued: " + markdown.Inline(err.Error()), nil
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
	if err != nil {
		return err
	}
	if !ok {
		return fmt.Errorf("failed to report mail %s: repository %s is not recorded, so its installation is unknown", m.Key, m.Repo)
	}
	client, err := s.clients.NewInstallationClient(rec.InstallationID)
	if err != nil {
		return err
	}
	issues := &tracker.GitHubIssues{Client: client}
	var body string
	switch r.Outcome {
	case mail.Sent:
		body = fmt.Sprintf("Sent the acknowledgement to %s on %s, Message-ID %s.",
			markdown.Inline(strings.Join(m.To, ", ")), r.At.UTC().Format(time.RFC1123), markdown.CodeSpan(m.MessageID))
		is, err := issues.Get(ctx, m.Repo, m.Issue)
		if err != nil {
			return err
		}
		if st := liaison.StateOf(is.Labels); st == "" || st == liaison.StateNew {
			if err := tracker.MoveState(ctx, client, m.Repo, m.Issue, is.Labels, liaison.StateAcknowledged); err != nil {
				return err
			}
		}
	case mail.Unknown:
		body = fmt.Sprintf("> [!WARNING]\n> The mail server did not confirm the acknowledgement (Message-ID %s): %s. It may or may not have arrived, so it is not sent again automatically. Check with the sender; record a copy sent by hand with `/ack sent`.",
			markdown.CodeSpan(m.MessageID), markdown.Inline(r.Reason))
	case mail.Failed:
		body = fmt.Sprintf("> [!WARNING]\n> The acknowledgement could not be sent: %s. Send it by hand and record it with `/ack sent`.", markdown.Inline(r.Reason))
	}
	return issues.Comment(ctx, m.Repo, m.Issue, body)
}

// autoAck queues the acknowledgement of a statement whose issue a pass
// just created, when the repository asks for ack.send: auto. It is the
// same outbox entry "/ack send" would make, so it is sent once whichever
// comes first.
func (s *Server) autoAck(ctx context.Context, r schedule.TrackingRepo, p tracker.Plan) {
	if s.mail == nil || r.Config.Ack.Send != config.AckAuto {
		return
	}
	log := s.log.With().Str("repo", r.FullName).Int("statement", p.StatementID).Logger()
	ack := p.Acknowledgement
	if ack == nil || !ack.Sendable {
		log.Info().Msg("acknowledgement not sent automatically: the issue says why")
		return
	}
	from := cmp.Or(r.Config.Ack.From, s.cfg.SMTP.From)
	if from == "" {
		log.Warn().Msg("ack.send is auto but no sender is configured (ack.from or smtp.from)")
		return
	}
	_, created, err := s.store.EnqueueMail(ctx, store.Mail{
		Key: ackKey(p.StatementID), Repo: r.FullName, Issue: p.Number,
		From: from, ReplyTo: cmp.Or(r.Config.Ack.ReplyTo, from), To: ack.To, Cc: ack.Cc,
		Subject: ack.Subject, Body: ack.Body,
	})
	if err != nil {
		log.Error().Err(err).Msg("acknowledgement not queued")
		return
	}
	if created {
		s.mail.Wake()
	}
}
