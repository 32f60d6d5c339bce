package server

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/markdown"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// repliesByTarget reads, from the stored statements, the posted replies
// to each statement: on the datatracker a reply is the source of a
// relation whose target is the statement it answers (refold), sent the
// other way — the IETF answering an outside body, or the other way
// round. A statement of the same side that refers to an earlier one (a
// body following up its own statement) is not a reply. Either end may
// carry the relation, depending on which the poller resolved last.
func repliesByTarget(sts []liaison.Statement) map[int][]int {
	byID := map[int]*liaison.Statement{}
	for i := range sts {
		byID[sts[i].ID] = &sts[i]
	}
	out := map[int][]int{}
	add := func(target, reply int) {
		t, r := byID[target], byID[reply]
		if t == nil || r == nil || target == reply || r.State != liaison.StatePosted || t.Incoming() == r.Incoming() {
			return
		}
		if !slices.Contains(out[target], reply) {
			out[target] = append(out[target], reply)
		}
	}
	for _, st := range sts {
		for _, r := range st.Related {
			if r.ReferedBy {
				add(st.ID, r.ID)
			} else {
				add(r.ID, st.ID)
			}
		}
	}
	for _, ids := range out {
		slices.Sort(ids)
	}
	return out
}

// recordReplies closes the issues whose statements got a posted reply on
// the datatracker: state/responded, a comment linking the reply, closed.
// It runs at the end of a pass, inside its lease, with the statements the
// pass read. Each reply is recorded once per issue; the store is read,
// and GitHub written to only when there is a new reply.
func (s *Server) recordReplies(ctx context.Context, sts []liaison.Statement) error {
	if s.clients == nil {
		return nil
	}
	replies := repliesByTarget(sts)
	if len(replies) == 0 {
		return nil
	}
	repos, err := s.store.Repos(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for _, repo := range repos {
		recs, err := s.store.IssuesByRepo(ctx, repo.FullName)
		if err != nil {
			return err
		}
		var client *github.Client
		for _, rec := range recs {
			if rec.Number == 0 {
				continue
			}
			for _, reply := range replies[rec.StatementID] {
				done, err := s.store.ReplyRecorded(ctx, repo.FullName, rec.Number, reply)
				if err != nil {
					return err
				}
				if done {
					continue
				}
				if client == nil {
					if client, err = s.clients.NewInstallationClient(repo.InstallationID); err != nil {
						return fmt.Errorf("failed to create a client for %s: %w", repo.FullName, err)
					}
				}
				if err := s.recordReply(ctx, client, repo.FullName, rec.Number, rec.StatementID, reply); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Server) recordReply(ctx context.Context, client *github.Client, full string, number, target, reply int) error {
	issues := &tracker.GitHubIssues{Client: client}
	is, err := issues.Get(ctx, full, number)
	if err != nil {
		return err
	}
	if st := liaison.StateOf(is.Labels); is.State != "open" || st == liaison.StateResponded || st == liaison.StateNoResponse {
		// Closed, or settled by hand (/sent, /no-response): remembered,
		// not said.
		_, err := s.store.RecordReply(ctx, full, number, reply)
		return err
	}
	// The state and the close first, recorded next, the comment last: a
	// failure part-way is finished by the next pass without a second
	// comment.
	if err := tracker.MoveState(ctx, client, full, number, is.Labels, liaison.StateResponded); err != nil {
		return err
	}
	if err := issues.Close(ctx, full, number, "completed"); err != nil {
		return err
	}
	if first, err := s.store.RecordReply(ctx, full, number, reply); err != nil || !first {
		return err // recorded by another process meanwhile: it says so
	}
	st := liaison.Statement{ID: reply}
	title := ""
	if stored, ok, err := s.store.Statement(ctx, reply); err == nil && ok {
		title = ", " + markdown.Inline(stored.Title) + ","
	}
	note := fmt.Sprintf("LS %d%s the reply to LS %d, is posted on the datatracker: %s. Recorded as %s and closed.",
		reply, title, target, st.URL(s.cfg.Datatracker.URL), markdown.CodeSpan(liaison.StateResponded.Label()))
	return s.syncer.Pacer.Do(ctx, func() error { return issues.Comment(ctx, full, number, note) })
}
