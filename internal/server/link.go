package server

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// Link ties an issue to its statement in the datatracker ("/link"): the
// statement is stored, the issue is recorded as the statement's issue in
// this repository (so the poller updates it and never opens another), and
// its body becomes the statement's, with what was entered by hand kept
// below.
func (s *Server) Link(ctx context.Context, client *github.Client, repo *github.Repository, is *github.Issue, id int, rc *config.RepoConfig) (string, error) {
	full, number := repo.GetFullName(), is.GetNumber()
	if cur, ok := tracker.StatementIDOf(is.GetBody()); ok {
		if cur == id {
			return fmt.Sprintf("This issue is already tied to LS %d.", id), nil
		}
		return fmt.Sprintf("This issue is tied to LS %d; it cannot be tied to another statement.", cur), nil
	}
	if rec, ok, err := s.store.Issue(ctx, full, id); err != nil {
		return "", err
	} else if ok && rec.Number != number {
		return fmt.Sprintf("LS %d already has an issue here: #%d.", id, rec.Number), nil
	}
	st, err := s.datatracker.Statement(ctx, id)
	if errors.Is(err, datatracker.ErrNotFound) {
		return fmt.Sprintf("LS %d is not on the datatracker.", id), nil
	}
	if err != nil {
		return "", err
	}
	if st.State != liaison.StatePosted {
		return fmt.Sprintf("LS %d is %s on the datatracker, not posted: link it once it is posted.", id, markdown.Inline(st.State)), nil
	}
	if _, err := s.store.PutStatement(ctx, st); err != nil {
		return "", err
	}
	if rc == nil {
		rc = config.DefaultRepoConfig()
	}
	tg := schedule.TargetFor(schedule.TrackingRepo{FullName: full, Config: rc}, &st)
	tg.Assignees = nil // the people already on the issue stay
	d := s.Draft(ctx, &st, tg)

	issues := &tracker.GitHubIssues{Client: client}
	dls, err := s.store.Deadlines(ctx, full)
	if err != nil {
		return "", err
	}
	var set *store.Deadline
	if d, ok := dls[number]; ok {
		set = &d
	}
	if err := tracker.Tie(ctx, issues, s.store, full, number, &st, set, store.Hash(st), d.Issue, is.GetBody(), tracker.LabelNames(is.Labels)); err != nil {
		return "", err
	}
	return fmt.Sprintf("Tied this issue to [LS %d](%s): its body now follows the datatracker's record, and the text entered by hand is kept below it.",
		id, st.URL(s.cfg.Datatracker.URL)), nil
}

// SetDeadline records a deadline a person set ("/deadline") and shows it
// in the issue's metadata; it wins over the statement's from now on, also
// when the datatracker's record changes.
func (s *Server) SetDeadline(ctx context.Context, client *github.Client, repo *github.Repository, is *github.Issue, date liaison.Date, actor string) (string, error) {
	full, number := repo.GetFullName(), is.GetNumber()
	set := store.Deadline{Date: date, SetBy: actor}
	if err := s.store.SetDeadline(ctx, full, number, set); err != nil {
		return "", err
	}
	var st *liaison.Statement
	if id, ok := tracker.StatementIDOf(is.GetBody()); ok {
		if got, found, err := s.store.Statement(ctx, id); err != nil {
			return "", err
		} else if found {
			st = &got
		}
	}
	body := tracker.SetDeadlineRow(is.GetBody(), tracker.DeadlineCell(st, &set))
	if body != is.GetBody() {
		owner, name := repo.GetOwner().GetLogin(), repo.GetName()
		if _, _, err := client.Issues.Edit(ctx, owner, name, number, &github.IssueRequest{Body: github.String(body)}); err != nil {
			return "", fmt.Errorf("failed to edit %s#%d: %w", full, number, err)
		}
	}
	if date.IsZero() {
		return "Recorded: this statement has no deadline.", nil
	}
	return fmt.Sprintf("Recorded the deadline %s.", date), nil
}
