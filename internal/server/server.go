// Package server wires liaisonbot together: configuration, store, GitHub
// clients, datatracker client, templates, the sync pass, and the HTTP
// server for health and metrics. All construction happens here, so every
// dependency can be read in one place.
package server

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/gregjones/httpcache"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/datatracker"
	"github.com/liaisonbot/liaisonbot/internal/identity"
	"github.com/liaisonbot/liaisonbot/internal/inbox"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/mail"
	"github.com/liaisonbot/liaisonbot/internal/schedule"
	"github.com/liaisonbot/liaisonbot/internal/server/handler"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/templates"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
	"github.com/liaisonbot/liaisonbot/internal/version"
)

// Server is a configured liaisonbot.
type Server struct {
	cfg         *config.Config
	log         zerolog.Logger
	store       *store.Store
	datatracker *datatracker.Client
	clients     githubapp.ClientCreator // nil without GitHub App credentials
	app         *identity.App
	inbox       *inbox.Inbox // nil without GitHub App credentials
	mail        *mail.Sender // nil without smtp.addr
	handlers    []githubapp.EventHandler
	poke        chan struct{}
	repos       schedule.RepoSource
	syncer      *schedule.Syncer
	metrics     *metrics
	httpClient  *http.Client
	state       healthState
}

// Options adjust what New builds.
type Options struct {
	// DryRun builds a server that needs no GitHub credentials and writes
	// nothing: an in-memory store and one imaginary repository whose
	// configuration is RepoConfig.
	DryRun     bool
	RepoConfig *config.RepoConfig
	// DryRunRepo names the imaginary repository in plans; DryRunSince is
	// the date it wants statements from.
	DryRunRepo  string
	DryRunSince liaison.Date
	// HTTPClient is used for every outside call (tests pass loopback ones).
	HTTPClient *http.Client
	Now        func() time.Time
	// DatatrackerRetries is how often a failed datatracker request is
	// tried (default 4); one-shot commands use fewer to fail fast offline.
	DatatrackerRetries int
}

func transportOf(c *http.Client) http.RoundTripper {
	if c.Transport != nil {
		return c.Transport
	}
	return http.DefaultTransport
}

// New builds a server from cfg.
func New(ctx context.Context, cfg *config.Config, log zerolog.Logger, opt Options) (*Server, error) {
	s := &Server{cfg: cfg, log: log, metrics: newMetrics(), httpClient: opt.HTTPClient, poke: make(chan struct{}, 1)}
	if s.httpClient == nil {
		s.httpClient = &http.Client{Timeout: 30 * time.Second}
	}
	dsn := cfg.Store.DSN
	if opt.DryRun {
		dsn = "sqlite::memory:"
	}
	st, err := store.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	s.store = st

	retries := opt.DatatrackerRetries
	if retries == 0 {
		retries = 4
	}
	s.datatracker, err = datatracker.New(cfg.Datatracker.URL,
		datatracker.WithHTTPClient(s.instrument("datatracker", s.httpClient)),
		datatracker.WithRetry(retries, time.Second, 30*time.Second),
		datatracker.WithUserAgent(version.UserAgent()),
		datatracker.WithPageSize(cfg.Datatracker.PageSize),
		datatracker.WithAttachmentBaseURL(cfg.Datatracker.AttachmentURL),
	)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("failed to configure the datatracker client: %w", err)
	}

	switch {
	case opt.DryRun:
		rc := opt.RepoConfig
		if rc == nil {
			rc = config.DefaultRepoConfig()
		}
		name := opt.DryRunRepo
		if name == "" {
			name = "(dry-run)"
		}
		s.repos = staticRepos{{FullName: name, Config: rc, Since: opt.DryRunSince}}
	case cfg.HasGitHubApp():
		s.clients, err = githubapp.NewDefaultCachingClientCreator(cfg.Github,
			githubapp.WithClientUserAgent(version.UserAgent()),
			githubapp.WithClientTimeout(30*time.Second),
			githubapp.WithClientCaching(true, func() httpcache.Cache { return httpcache.NewMemoryCache() }),
			githubapp.WithTransport(transportOf(s.httpClient)),
			githubapp.WithClientMiddleware(s.metrics.githubMiddleware),
		)
		if err != nil {
			st.Close()
			return nil, fmt.Errorf("failed to create GitHub clients: %w", err)
		}
		s.app = &identity.App{Clients: s.clients}
		repos := &schedule.GitHubRepos{Clients: s.clients, Store: st, App: s.app, Log: log, Now: opt.Now, DefaultSince: cfg.Sync.Since.Date}
		s.repos = repos
		base := &handler.Base{ClientCreator: s.clients, App: s.app, Store: st, ReposChanged: repos.Forget}
		s.handlers = []githubapp.EventHandler{
			&handler.Installation{Base: base},
			&handler.Issues{Base: base, Configs: repos, Drafts: s},
			&handler.IssueComment{Base: base, Configs: repos, Acks: s, Links: s, Deadlines: s, Responses: s},
			&handler.PullRequest{Base: base, Pulls: s},
			&handler.PullRequestReview{Base: base, Configs: repos, Pulls: s},
			&handler.Push{Base: base, ConfigChanged: s.Poke},
		}
		s.inbox = inbox.New(st, log, s.handlers...)
		if cfg.SMTP.Addr != "" {
			s.mail, err = mail.NewSender(st, mail.Config{
				Addr: cfg.SMTP.Addr, Username: cfg.SMTP.Username, Password: cfg.SMTP.Password,
				StartTLS: cfg.SMTP.StartTLS, HeloName: cfg.SMTP.HeloName, Timeout: cfg.SMTP.Timeout,
			})
			if err != nil {
				st.Close()
				return nil, err
			}
			s.mail.OnResult = s.reportMail
		}
	default:
		st.Close()
		return nil, errors.New("no GitHub App credentials (github.app.integration_id and a private key): use --dry-run to try liaisonbot without them")
	}

	pacer := tracker.NewPacer(cfg.GitHubLimits.ContentPerMinute, cfg.GitHubLimits.ContentPerHour)
	s.syncer = &schedule.Syncer{
		Puller:         &schedule.Puller{Datatracker: s.datatracker, Store: st, Log: log},
		Store:          st,
		Repos:          s.repos,
		Templates:      s.readTemplates,
		DatatrackerURL: cfg.Datatracker.URL,
		Pacer:          pacer,
		Log:            log,
		Now:            opt.Now,
	}
	if !opt.DryRun {
		s.syncer.Holder = holderName()
		s.syncer.Created = s.autoAck
		s.syncer.Settle = s.recordReplies
	}
	log.Debug().Str("store", st.String()).Bool("dry_run", opt.DryRun).Msg("server configured")
	return s, nil
}

// Close releases the store.
func (s *Server) Close() error { return s.store.Close() }

// Syncer is the sync pass, for the sync and import commands.
func (s *Server) Syncer() *schedule.Syncer { return s.syncer }

// readTemplates reads the five liaison templates for a pass through the
// contents API: with an installation token when the app has one (5,000
// requests an hour, free 304s), else anonymously (60 an hour), which is
// why cached copies are revalidated at most every templates.refresh.
func (s *Server) readTemplates(ctx context.Context) (map[string]templates.Template, error) {
	client, err := s.templatesClient(ctx)
	if err != nil {
		return nil, err
	}
	src, err := templates.NewSource(client, s.cfg.Templates.Repo, s.cfg.Templates.Ref, templateCache{s.store},
		templates.WithRefresh(s.cfg.Templates.Refresh))
	if err != nil {
		return nil, err
	}
	return src.All(s.log.WithContext(ctx))
}

func (s *Server) templatesClient(ctx context.Context) (*github.Client, error) {
	if s.clients != nil {
		if id, ok := s.installationFor(ctx); ok {
			return s.clients.NewInstallationClient(id)
		}
	}
	c := github.NewClient(s.instrument("github-anonymous", s.httpClient))
	c.UserAgent = version.UserAgent()
	base := s.cfg.Github.V3APIURL
	if !strings.HasSuffix(base, "/") {
		base += "/"
	}
	u, err := c.BaseURL.Parse(base)
	if err != nil {
		return nil, fmt.Errorf("github.v3_api_url %q: %w", s.cfg.Github.V3APIURL, err)
	}
	c.BaseURL = u
	return c, nil
}

// installationFor finds an installation of the app whose token reads the
// templates: any installation token reads a public repository.
func (s *Server) installationFor(ctx context.Context) (int64, bool) {
	if gr, ok := s.repos.(*schedule.GitHubRepos); ok {
		return gr.AnyInstallation(ctx)
	}
	return 0, false
}

// Serve runs the HTTP server and the poller until ctx ends, then shuts down
// gracefully: the pass in flight finishes its current request and records
// what it did.
func (s *Server) Serve(ctx context.Context) error {
	ln, err := net.Listen("tcp", s.cfg.Server.Address)
	if err != nil {
		return fmt.Errorf("failed to listen on %s: %w", s.cfg.Server.Address, err)
	}
	return s.ServeListener(ctx, ln)
}

// Handler serves the app's HTTP endpoints.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/health", s.health)
	mux.Handle("GET /api/metrics", s.metrics)
	if s.inbox != nil {
		mux.Handle("POST "+WebhookRoute, webhookHandler(s.cfg.Github.App.WebhookSecret, s.inbox, s.handlers, s.metrics.webhookRefused))
	}
	return mux
}

// ServeListener is Serve on a listener the caller opened.
func (s *Server) ServeListener(ctx context.Context, ln net.Listener) error {
	if s.cfg.Github.App.WebhookSecret == "" {
		// go-githubapp's dispatcher checks no signature when the secret is
		// empty: anyone could send events. Refuse rather than run open.
		ln.Close()
		return errors.New("github.app.webhook_secret is empty: set it (or GITHUB_APP_WEBHOOK_SECRET) to the app's webhook secret before serving")
	}
	// A slow client cannot hold a connection (and a buffered body) open.
	srv := &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, IdleTimeout: 2 * time.Minute}
	// Any part failing stops the whole: a server whose inbox cannot record
	// must not go on answering GitHub.
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	var err error
	s.log.Info().Str("address", ln.Addr().String()).Str("version", version.String()).Msg("liaisonbot serving")

	var wg sync.WaitGroup
	errc := make(chan error, 2)
	wg.Add(1)
	go func() {
		defer wg.Done()
		if err := srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errc <- err
		}
	}()
	// The inbox outlives the HTTP server: requests being answered wait for
	// their commit, then the workers finish the deliveries they started.
	inboxCtx, stopInbox := context.WithCancel(context.WithoutCancel(ctx))
	defer stopInbox()
	var inboxDone sync.WaitGroup
	if s.mail != nil {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := s.mail.Run(ctx); err != nil && ctx.Err() == nil {
				s.log.Error().Err(err).Msg("mail sender stopped")
			}
		}()
	}
	if s.inbox != nil {
		inboxDone.Add(1)
		go func() {
			defer inboxDone.Done()
			if err := s.inbox.Run(inboxCtx); err != nil {
				errc <- fmt.Errorf("webhook inbox: %w", err)
			}
		}()
		wg.Add(1)
		go func() {
			defer wg.Done()
			s.recoverDeliveries(ctx)
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		s.poll(ctx)
	}()
	select {
	case <-ctx.Done():
	case err = <-errc:
		stop()
	}
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	serr := srv.Shutdown(shutdownCtx)
	stopInbox()
	inboxDone.Wait()
	wg.Wait()
	return errors.Join(err, serr)
}

// recoverDeliveries asks GitHub, at start-up and hourly, to redeliver the
// webhooks it failed to deliver: GitHub never retries by itself. It also
// drops handled deliveries once GitHub has forgotten them too.
func (s *Server) recoverDeliveries(ctx context.Context) {
	for {
		if n, err := s.store.PurgeDeliveries(ctx, time.Now().Add(-inbox.RecoverWindow-24*time.Hour)); err != nil {
			s.log.Warn().Err(err).Msg("failed to purge old webhook deliveries")
		} else if n > 0 {
			s.log.Info().Int("deliveries", n).Msg("purged handled webhook deliveries")
		}
		app, err := s.clients.NewAppClient()
		if err == nil {
			var res inbox.RecoverResult
			res, err = s.inbox.Recover(ctx, app, time.Now())
			if err == nil && res.Redelivered > 0 {
				s.log.Info().Int("redelivered", res.Redelivered).Int("seen", res.Seen).Msg("asked GitHub to redeliver missed webhooks")
			}
		}
		if err != nil && ctx.Err() == nil {
			s.log.Warn().Err(err).Msg("missed-webhook recovery failed; trying again in an hour")
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Hour):
		}
	}
}

// poll runs a pass every poll interval, backing off exponentially (up to
// an hour) while passes fail.
func (s *Server) poll(ctx context.Context) {
	interval := s.cfg.Datatracker.PollInterval
	wait := time.Duration(0)
	failures := 0
	for {
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		case <-s.poke:
		}
		rep, err := s.Pass(ctx, schedule.Options{})
		for _, e := range rep.ItemErrors {
			s.log.Warn().Err(e).Msg("statement not synced; the next pass retries it")
		}
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			failures++
			wait = min(interval<<min(failures, 6), time.Hour)
			s.log.Error().Err(err).Dur("retry_in", wait).Msg("sync pass failed")
		default:
			failures = 0
			wait = interval
		}
	}
}

// Poke runs the next pass now rather than at the end of the interval: a
// repository's configuration changed.
func (s *Server) Poke() {
	select {
	case s.poke <- struct{}{}:
	default:
	}
}

// Pass runs one sync pass and records it in the metrics.
func (s *Server) Pass(ctx context.Context, opt schedule.Options) (schedule.Report, error) {
	start := time.Now()
	rep, err := s.syncer.Pass(ctx, opt)
	s.metrics.observePass(rep, err, time.Since(start))
	s.state.record(err)
	return rep, err
}

// healthState remembers the last pass for /api/health.
type healthState struct {
	mu      sync.Mutex
	lastRun time.Time
	lastOK  time.Time
	lastErr string
}

func (h *healthState) record(err error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.lastRun = time.Now().UTC()
	if err != nil {
		h.lastErr = err.Error()
		return
	}
	h.lastOK, h.lastErr = h.lastRun, ""
}

// health answers 200 while the process serves; the body says how the last
// pass went, so an operator sees a failing datatracker or GitHub without
// the process being restarted for it.
func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	s.state.mu.Lock()
	body := map[string]any{"status": "ok", "version": version.String()}
	if !s.state.lastRun.IsZero() {
		body["last_pass"] = s.state.lastRun
	}
	if !s.state.lastOK.IsZero() {
		body["last_successful_pass"] = s.state.lastOK
	}
	if s.state.lastErr != "" {
		body["status"] = "degraded"
		body["last_error"] = s.state.lastErr
	}
	s.state.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(body)
}

// holderName identifies this process in the store's leases.
func holderName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown-host"
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s:%d:%x", host, os.Getpid(), b)
}

// staticRepos is the dry run's imaginary repository.
type staticRepos []schedule.TrackingRepo

func (r staticRepos) TrackingRepos(context.Context) ([]schedule.TrackingRepo, error) { return r, nil }

// templateCache keeps the templates' ETag cache in the store, so a restart
// does not spend the anonymous hourly budget again.
type templateCache struct{ st *store.Store }

func (c templateCache) Get(ctx context.Context, key string) (templates.Cached, bool, error) {
	content, sha, etag, at, ok, err := c.st.TemplateCache(ctx, key)
	return templates.Cached{Content: content, SHA: sha, ETag: etag, CheckedAt: at}, ok, err
}

func (c templateCache) Put(ctx context.Context, key string, v templates.Cached) error {
	return c.st.PutTemplateCache(ctx, key, v.Content, v.SHA, v.ETag, v.CheckedAt)
}

// Render drafts the issue of one statement, fetched from the datatracker,
// for the first tracking repository (a dry-run server's imaginary one).
func (s *Server) Render(ctx context.Context, id int) (tracker.Draft, error) {
	st, err := s.datatracker.Statement(ctx, id)
	if err != nil {
		return tracker.Draft{}, err
	}
	repos, err := s.repos.TrackingRepos(ctx)
	if err != nil {
		return tracker.Draft{}, err
	}
	if len(repos) == 0 {
		return tracker.Draft{}, errors.New("no tracking repository to render for")
	}
	return s.Draft(ctx, &st, schedule.TargetFor(repos[0], &st)), nil
}

// RepoLabels is the outcome of syncing one repository's labels.
type RepoLabels struct {
	Repo string
	tracker.LabelSyncResult
}

// SyncLabels creates and updates the app's labels in every tracking
// repository.
func (s *Server) SyncLabels(ctx context.Context) ([]RepoLabels, error) {
	repos, err := s.repos.TrackingRepos(ctx)
	if err != nil {
		return nil, err
	}
	var out []RepoLabels
	var errs []error
	for _, r := range repos {
		gi, ok := r.Issues.(*tracker.GitHubIssues)
		if !ok {
			continue
		}
		res, err := tracker.SyncLabels(ctx, gi.Client, r.FullName)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		out = append(out, RepoLabels{Repo: r.FullName, LabelSyncResult: res})
	}
	return out, errors.Join(errs...)
}

// Draft renders a statement's issue with the templates as they are now.
func (s *Server) Draft(ctx context.Context, st *liaison.Statement, tg tracker.Target) tracker.Draft {
	tpls, tplErr := s.readTemplates(ctx)
	return (&tracker.Renderer{DatatrackerURL: s.cfg.Datatracker.URL, Templates: tpls, TemplatesErr: tplErr}).Render(st, tg)
}
