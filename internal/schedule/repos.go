package schedule

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/identity"
	"github.com/liaisonbot/liaisonbot/internal/liaison"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// Where repository configuration lives: the tracking repository's own file
// on its default branch, and the org-wide defaults in the org's .github
// repository.
const (
	RepoConfigPath  = ".github/liaison.yml"
	OrgConfigRepo   = ".github"
	OrgConfigPath   = "liaison.yml"
	installsRefresh = time.Hour
)

type installedRepo struct {
	installation int64
	fullName     string
	branch       string
}

// GitHubRepos finds tracking repositories through the app's installations.
// Installations and their repositories are listed at most hourly (the
// listing is not cached by go-githubapp); the configuration files are read
// every pass through the caching client, so an unchanged file costs a free
// 304.
type GitHubRepos struct {
	Clients githubapp.ClientCreator
	Store   *store.Store
	// App is the app's identity: its bot user created its issues.
	App *identity.App
	Log zerolog.Logger
	Now func() time.Time
	// DefaultSince applies to repositories whose liaison.yml has no since
	// (the server's sync.since); without it, the day a repository was first
	// seen.
	DefaultSince liaison.Date

	mu        sync.Mutex
	installed []installedRepo
	listedAt  time.Time
	// noOrgDefaults remembers owners without an org-wide liaison.yml until
	// the next hourly listing: a 404 is never a free 304, so an idle pass
	// would otherwise pay for it every time.
	noOrgDefaults map[string]time.Time
}

// TrackingRepos lists the repositories that have a valid liaison.yml. A
// repository with an invalid file is skipped with an error in the log; one
// without a file is not tracked.
func (g *GitHubRepos) TrackingRepos(ctx context.Context) ([]TrackingRepo, error) {
	installed, err := g.installations(ctx)
	if err != nil {
		return nil, err
	}
	bot, err := g.App.BotLogin(ctx)
	if err != nil {
		return nil, err
	}
	var out []TrackingRepo
	for _, ir := range installed {
		client, err := g.Clients.NewInstallationClient(ir.installation)
		if err != nil {
			return nil, fmt.Errorf("failed to create a client for installation %d: %w", ir.installation, err)
		}
		rc, err := g.RepoConfig(ctx, client, ir.fullName, ir.branch)
		if err != nil {
			g.Log.Error().Err(err).Str("repo", ir.fullName).Msg("repository skipped until its configuration can be read")
			continue
		}
		if rc == nil {
			continue
		}
		rec, err := g.Store.TouchRepo(ctx, ir.fullName, ir.installation, g.now())
		if err != nil {
			return nil, err
		}
		since := rc.Since.Date
		if since.IsZero() {
			since = g.DefaultSince
		}
		if since.IsZero() {
			since = liaison.DateOf(rec.FirstSeen.UTC())
		}
		out = append(out, TrackingRepo{
			FullName: ir.fullName,
			Config:   rc,
			Since:    since,
			Issues:   &tracker.GitHubIssues{Client: client, Creator: bot},
		})
	}
	return out, nil
}

func (g *GitHubRepos) now() time.Time {
	if g.Now != nil {
		return g.Now()
	}
	return time.Now()
}

// RepoConfig is a repository's liaison.yml on branch (its default
// branch), merged over its org's defaults; nil when the repository has
// none and so is not tracked. An unreadable or invalid file — its own or
// its org's — is an error: without its org's defaults a repository could
// want more statements, or assign other people, than intended.
func (g *GitHubRepos) RepoConfig(ctx context.Context, client *github.Client, fullName, branch string) (*config.RepoConfig, error) {
	owner, name, _ := strings.Cut(fullName, "/")
	if name == OrgConfigRepo {
		return nil, nil
	}
	data, found, err := readFile(ctx, client, owner, name, RepoConfigPath, branch)
	if err != nil || !found {
		return nil, err
	}
	rc, err := config.ParseRepo(fullName+":"+RepoConfigPath, data)
	if err != nil {
		return nil, err
	}
	org, err := g.orgDefaults(ctx, client, owner)
	if err != nil {
		return nil, fmt.Errorf("org defaults of %s: %w", owner, err)
	}
	if org != nil {
		rc = config.MergeRepo(org, rc)
	}
	return rc, nil
}

// Forget drops the installation listing so the next pass lists again; the
// installation and installation_repositories webhooks call it.
func (g *GitHubRepos) Forget() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.installed, g.listedAt, g.noOrgDefaults = nil, time.Time{}, nil
}

func (g *GitHubRepos) installations(ctx context.Context) ([]installedRepo, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.listedAt.IsZero() && g.now().Sub(g.listedAt) < installsRefresh {
		return g.installed, nil
	}
	app, err := g.Clients.NewAppClient()
	if err != nil {
		return nil, fmt.Errorf("failed to create the app client: %w", err)
	}
	var list []installedRepo
	opt := &github.ListOptions{PerPage: 100}
	for {
		insts, resp, err := app.Apps.ListInstallations(ctx, opt)
		if err != nil {
			return nil, fmt.Errorf("failed to list installations: %w", err)
		}
		for _, in := range insts {
			if in.SuspendedAt != nil {
				continue
			}
			repos, err := g.installationRepos(ctx, in.GetID())
			if err != nil {
				return nil, err
			}
			list = append(list, repos...)
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	g.installed, g.listedAt = list, g.now()
	return list, nil
}

func (g *GitHubRepos) installationRepos(ctx context.Context, id int64) ([]installedRepo, error) {
	client, err := g.Clients.NewInstallationClient(id)
	if err != nil {
		return nil, fmt.Errorf("failed to create a client for installation %d: %w", id, err)
	}
	var out []installedRepo
	opt := &github.ListOptions{PerPage: 100}
	for {
		repos, resp, err := client.Apps.ListRepos(ctx, opt)
		if err != nil {
			return nil, fmt.Errorf("failed to list the repositories of installation %d: %w", id, err)
		}
		for _, r := range repos.Repositories {
			if r.GetArchived() {
				continue
			}
			out = append(out, installedRepo{installation: id, fullName: r.GetFullName(), branch: r.GetDefaultBranch()})
		}
		if resp.NextPage == 0 {
			return out, nil
		}
		opt.Page = resp.NextPage
	}
}

func (g *GitHubRepos) orgDefaults(ctx context.Context, client *github.Client, owner string) (*config.RepoConfig, error) {
	g.mu.Lock()
	at, absent := g.noOrgDefaults[owner]
	g.mu.Unlock()
	if absent && g.now().Sub(at) < installsRefresh {
		return nil, nil
	}
	data, found, err := readFile(ctx, client, owner, OrgConfigRepo, OrgConfigPath, "")
	if err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.noOrgDefaults == nil {
		g.noOrgDefaults = map[string]time.Time{}
	}
	if !found {
		g.noOrgDefaults[owner] = g.now()
		return nil, nil
	}
	delete(g.noOrgDefaults, owner)
	return config.ParseRepo(owner+"/"+OrgConfigRepo+":"+OrgConfigPath, data)
}

// readFile reads a file's content; found is false when it does not exist
// (or the installation cannot see it: GitHub answers 404 for both).
func readFile(ctx context.Context, client *github.Client, owner, repo, path, ref string) ([]byte, bool, error) {
	var opt *github.RepositoryContentGetOptions
	if ref != "" {
		opt = &github.RepositoryContentGetOptions{Ref: ref}
	}
	fc, _, resp, err := client.Repositories.GetContents(ctx, owner, repo, path, opt)
	if err != nil {
		var er *github.ErrorResponse
		if errors.As(err, &er) && resp != nil && resp.StatusCode == http.StatusNotFound {
			return nil, false, nil
		}
		return nil, false, fmt.Errorf("failed to read %s/%s:%s: %w", owner, repo, path, err)
	}
	if fc == nil {
		return nil, false, fmt.Errorf("%s/%s:%s is a directory, not a file", owner, repo, path)
	}
	s, err := fc.GetContent()
	if err != nil {
		return nil, false, fmt.Errorf("failed to decode %s/%s:%s: %w", owner, repo, path, err)
	}
	return []byte(s), true, nil
}

// AnyInstallation is an installation of the app, for reads any
// installation may make (a public repository's files).
func (g *GitHubRepos) AnyInstallation(ctx context.Context) (int64, bool) {
	installed, err := g.installations(ctx)
	if err != nil || len(installed) == 0 {
		return 0, false
	}
	return installed[0].installation, true
}
