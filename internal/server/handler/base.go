// Package handler holds one webhook handler per event type. Each follows
// the same rhythm: parse the payload, return early when the event is not
// the app's business (including events the app caused itself), look up
// what it needs, call the domain, write the result to GitHub.
package handler

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/config"
	"github.com/liaisonbot/liaisonbot/internal/identity"
	"github.com/liaisonbot/liaisonbot/internal/store"
)

// Base is what every handler shares.
type Base struct {
	githubapp.ClientCreator
	App   *identity.App
	Store *store.Store
	// ReposChanged is called when the app's installations or their
	// repositories change, so the repository listing is refreshed.
	ReposChanged func()

	mu    sync.Mutex
	perms map[string]permission
}

// permissionTTL is how long a person's permission is trusted without
// asking GitHub again.
const permissionTTL = time.Minute

type permission struct {
	ok      bool
	expires time.Time
}

// authorized: triage, write, maintain or admin on the repository, or a
// configured manager. go-github v62's Permission field reports triage as
// "read" and maintain as "write", so the role name decides.
func (h *Base) authorized(ctx context.Context, client *github.Client, repo *github.Repository, login string, rc *config.RepoConfig) (bool, error) {
	if rc != nil && containsFold(rc.Managers, login) {
		return true, nil
	}
	key := strings.ToLower(repo.GetFullName() + "\x00" + login)
	h.mu.Lock()
	p, ok := h.perms[key]
	h.mu.Unlock()
	if ok && time.Now().Before(p.expires) {
		return p.ok, nil
	}
	lvl, resp, err := client.Repositories.GetPermissionLevel(ctx, repo.GetOwner().GetLogin(), repo.GetName(), login)
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return false, nil // not a collaborator, or not a user GitHub knows here
	}
	if err != nil {
		return false, fmt.Errorf("failed to read the permission of %s on %s: %w", login, repo.GetFullName(), err)
	}
	allowed := false
	switch strings.ToLower(lvl.GetUser().GetRoleName()) {
	case "triage", "write", "maintain", "admin":
		allowed = true
	}
	for _, k := range []string{"triage", "push", "maintain", "admin"} {
		allowed = allowed || lvl.GetUser().GetPermissions()[k]
	}
	allowed = allowed || lvl.GetPermission() == "write" || lvl.GetPermission() == "admin"
	h.mu.Lock()
	if h.perms == nil {
		h.perms = map[string]permission{}
	}
	h.perms[key] = permission{ok: allowed, expires: time.Now().Add(permissionTTL)}
	h.mu.Unlock()
	return allowed, nil
}

// self reports whether the event was caused by the app itself: GitHub
// sends the app its own label changes and comments, and acting on them
// would loop.
func (b *Base) self(ctx context.Context, sender *github.User) (bool, error) {
	return b.App.IsSelf(ctx, sender.GetLogin())
}

// client is the installation client for an event.
func (b *Base) client(ev githubapp.InstallationSource) (*github.Client, error) {
	id := githubapp.GetInstallationIDFromEvent(ev)
	if id == 0 {
		return nil, fmt.Errorf("the event carries no installation")
	}
	c, err := b.NewInstallationClient(id)
	if err != nil {
		return nil, fmt.Errorf("failed to create a client for installation %d: %w", id, err)
	}
	return c, nil
}

// mention is how a reply addresses a person.
func mention(login string) string {
	if login == "" || strings.ContainsAny(login, " \n") {
		return ""
	}
	return "@" + login + " "
}
