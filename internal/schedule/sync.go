package schedule

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// TrackingRepo is a repository whose default branch has .github/liaison.yml.
type TrackingRepo struct {
	FullName string
	// Config is the repository's configuration merged over its org's defaults.
	Config *config.RepoConfig
	// Since is the date from which the repository wants statements: its
	// configured since, else the day the app first saw it.
	Since liaison.Date
	// Issues writes to the repository; nil in a dry run.
	Issues tracker.Issues
}

// RepoSource lists the tracking repositories.
type RepoSource interface {
	TrackingRepos(ctx context.Context) ([]TrackingRepo, error)
}

// TemplateReader reads the five liaison templates for one pass.
type TemplateReader func(ctx context.Context) (map[string]templates.Template, error)

// Syncer runs one pass: pull from the datatracker, then plan and apply per
// tracking repository.
type Syncer struct {
	Puller         *Puller
	Store          *store.Store
	Repos          RepoSource
	Templates      TemplateReader
	DatatrackerURL string
	Pacer          *tracker.Pacer
	Log            zerolog.Logger
	Now            func() time.Time
	// Created, when set, is told of every issue a pass created (the
	// server mails acknowledgements from it when a repository asks for
	// ack.send: auto).
	Created func(ctx context.Context, r TrackingRepo, p tracker.Plan)
	// Settle, when set, runs at the end of every pass that is not a dry
	// run, inside the pass's lease, with the statements the pass read
	// (the server closes the issues of statements that got a posted
	// reply).
	Settle func(ctx context.Context, statements []liaison.Statement) error
	// Holder names this process in the store's sync lease, so that two
	// processes sharing a store (serve, and a sync run by hand) never run
	// passes at once; empty skips the lease (a dry run's private store).
	Holder string
}

// The sync lease: held for a pass, renewed while it runs, expiring soon
// after a holder dies.
const (
	syncLease      = "sync"
	syncLeaseTTL   = 2 * time.Minute
	syncLeaseRenew = 30 * time.Second
)

// Options shape one pass.
type Options struct {
	// Backfill, when set, extends every repository back to this date:
	// statements before the repository's own since get issues with labels
	// but without assignees.
	Backfill liaison.Date
	// DryRun plans without writing to GitHub.
	DryRun bool
	// Emit receives every plan, in order, for printing.
	Emit func(tracker.Plan) error
	// Only, when set, limits the pass to these statements and ignores the
	// repositories' since dates for them (an explicit import).
	Only map[int]bool
	// NoPull skips reading the datatracker (the caller has stored what it
	// wants synced).
	NoPull bool
}

// Report sums up a pass.
type Report struct {
	Pull   PullResult
	Repos  int
	Result tracker.Result
	Plans  int
	// ItemErrors are the failures of single statements in single
	// repositories (GitHub refused or lost one request). They do not stop
	// the pass, and the next pass retries them.
	ItemErrors []error
}

// Pass runs one sync pass. The returned error is a failure of the pass as
// a whole — listing repositories, reading the datatracker, the store — on
// which a poller should back off; the failures of single statements are in
// the report's ItemErrors. A datatracker that cannot be read does not keep
// the statements already stored from reaching their repositories.
func (s *Syncer) Pass(ctx context.Context, opt Options) (Report, error) {
	if s.Holder != "" {
		if err := s.Store.AcquireLease(ctx, syncLease, s.Holder, syncLeaseTTL); err != nil {
			return Report{}, fmt.Errorf("another liaisonbot is syncing this store: %w", err)
		}
		var cancel context.CancelFunc
		ctx, cancel = s.keepLease(ctx)
		defer cancel()
	}
	return s.pass(ctx, opt)
}

// keepLease renews the sync lease while the pass runs and ends the pass if
// the lease is lost; the returned cancel also gives the lease up.
func (s *Syncer) keepLease(parent context.Context) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(syncLeaseRenew)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := s.Store.AcquireLease(ctx, syncLease, s.Holder, syncLeaseTTL); err != nil && ctx.Err() == nil {
					s.Log.Error().Err(err).Msg("sync lease lost: ending the pass")
					cancel()
					return
				}
			}
		}
	}()
	return ctx, func() {
		cancel()
		<-done
		if err := s.Store.ReleaseLease(context.WithoutCancel(parent), syncLease, s.Holder); err != nil {
			s.Log.Warn().Err(err).Msg("sync lease not released; it expires by itself")
		}
	}
}

func (s *Syncer) pass(ctx context.Context, opt Options) (Report, error) {
	var rep Report
	repos, err := s.Repos.TrackingRepos(ctx)
	if err != nil {
		return rep, err
	}
	rep.Repos = len(repos)
	if len(repos) == 0 {
		s.Log.Info().Msg("no tracking repository (none has .github/liaison.yml): nothing to pull")
		return rep, nil
	}
	from := opt.Backfill
	for _, r := range repos {
		if from.IsZero() || (!r.Since.IsZero() && r.Since.Before(from)) {
			from = r.Since
		}
	}
	var errs []error
	if !opt.NoPull {
		rep.Pull, err = s.Puller.Pull(ctx, from)
		if err != nil {
			if ctx.Err() != nil {
				return rep, err
			}
			s.Log.Error().Err(err).Msg("datatracker pull failed: syncing the statements already stored")
			errs = append(errs, err)
		}
	}
	statements, err := s.Store.Statements(ctx)
	if err != nil {
		return rep, err
	}
	tpls, tplErr := s.Templates(ctx)
	if tplErr != nil {
		s.Log.Warn().Err(tplErr).Msg("liaison templates unavailable: drafts will say so")
	}
	renderer := &tracker.Renderer{DatatrackerURL: s.DatatrackerURL, Templates: tpls, TemplatesErr: tplErr}

	for _, r := range repos {
		res, n, err := s.repoPass(ctx, r, statements, renderer, opt)
		rep.Plans += n
		rep.Result.Created += res.Created
		rep.Result.Updated += res.Updated
		rep.Result.Skipped += res.Skipped
		rep.Result.Failed += res.Failed
		for _, e := range res.Errors {
			rep.ItemErrors = append(rep.ItemErrors, fmt.Errorf("%s: %w", r.FullName, e))
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.FullName, err))
			if ctx.Err() != nil {
				break
			}
		}
	}
	if s.Settle != nil && !opt.DryRun && ctx.Err() == nil {
		if err := s.Settle(ctx, statements); err != nil {
			errs = append(errs, err)
		}
	}
	return rep, errors.Join(errs...)
}

func (s *Syncer) repoPass(ctx context.Context, r TrackingRepo, statements []liaison.Statement, renderer *tracker.Renderer, opt Options) (tracker.Result, int, error) {
	var wanted []tracker.Wanted
	for _, st := range statements {
		if opt.Only != nil && !opt.Only[st.ID] {
			continue
		}
		backfill := opt.Backfill
		if opt.Only != nil {
			backfill = liaison.Date{Year: 1}
		}
		w, ok := want(r, st, backfill)
		if ok {
			wanted = append(wanted, w)
		}
	}
	deadlines, err := s.Store.Deadlines(ctx, r.FullName)
	if err != nil {
		return tracker.Result{}, 0, err
	}
	tr := &tracker.Tracker{Records: s.Store, Renderer: renderer, Pacer: s.Pacer, Now: s.Now, Deadlines: deadlines}
	if !opt.DryRun {
		tr.Issues = r.Issues
	}
	plans, err := tr.Plan(ctx, r.FullName, wanted)
	if err != nil {
		return tracker.Result{}, 0, err
	}
	var res tracker.Result
	if opt.DryRun || r.Issues == nil {
		err = tr.Render(ctx, plans)
	} else {
		res, err = tr.Apply(ctx, plans)
	}
	if s.Created != nil && !opt.DryRun {
		for _, p := range plans {
			if p.Action == tracker.ActionCreate && p.Number != 0 {
				s.Created(ctx, r, p)
			}
		}
	}
	if opt.Emit != nil {
		for _, p := range plans {
			if eerr := opt.Emit(p); eerr != nil {
				return res, len(plans), eerr
			}
		}
	}
	ev := s.Log.Info()
	if err != nil || res.Failed > 0 {
		ev = s.Log.Error().Err(errors.Join(append(res.Errors, err)...))
	}
	ev.Str("repo", r.FullName).Int("wanted", len(wanted)).
		Int("created", res.Created).Int("updated", res.Updated).Int("failed", res.Failed).Msg("repository synced")
	return res, len(plans), err
}

// Import fetches one statement from the datatracker, stores it and syncs
// it to every repository that wants it, whatever their since dates say.
func (s *Syncer) Import(ctx context.Context, id int, opt Options) (Report, error) {
	st, err := s.Puller.Datatracker.Statement(ctx, id)
	if err != nil {
		return Report{}, err
	}
	if st.State != liaison.StatePosted {
		return Report{}, fmt.Errorf("LS %d is %q on the datatracker, not posted: only posted statements are tracked", id, st.State)
	}
	if _, err := s.Store.PutStatement(ctx, st); err != nil {
		return Report{}, err
	}
	opt.Only, opt.NoPull = map[int]bool{id: true}, true
	return s.Pass(ctx, opt)
}

// want decides whether a repository wants an issue for st and how.
func want(r TrackingRepo, st liaison.Statement, backfill liaison.Date) (tracker.Wanted, bool) {
	if st.State != liaison.StatePosted && st.State != liaison.StateDead {
		return tracker.Wanted{}, false
	}
	since := r.Since
	older := false
	if !backfill.IsZero() && backfill.Before(since) {
		older = !st.Day().IsZero() && st.Day().Before(since)
		since = backfill
	}
	if !r.Config.Wants(&st, since) {
		return tracker.Wanted{}, false
	}
	tg := TargetFor(r, &st)
	if older {
		tg.Assignees = nil
	}
	return tracker.Wanted{Statement: st, Target: tg, Hash: store.Hash(st)}, true
}

// TargetFor is what a repository's configuration decides for st.
func TargetFor(r TrackingRepo, st *liaison.Statement) tracker.Target {
	return tracker.Target{
		Repo:      r.FullName,
		Family:    r.Config.FamilyFor(st),
		Assignees: r.Config.AssigneesFor(st),
		Signoff:   r.Config.Signoff,
	}
}
