// Package handler holds one webhook handler per event type. Each follows
// the same rhythm: parse the payload, return early when the event is not
// the app's business (including events the app caused itself), look up
// what it needs, call the domain, write the result to GitHub.
package handler

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"

	"github.com/liaisonbot/liaisonbot/internal/identity"
	"github.com/liaisonbot/liaisonbot/internal/store"
	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// Base is what every handler shares.
type Base struct {
	githubapp.ClientCreator
	App   *identity.App
	Store *store.Store
	// ReposChanged is called when the app's installations or their
	// repositories change, so the repository listing is refreshed.
	ReposChanged func()
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

func removeLabel(ctx context.Context, c *github.Client, repo *github.Repository, number int, label string) error {
	return tracker.RemoveLabel(ctx, c, repo.GetFullName(), number, label)
}

func labelNames(ls []*github.Label) []string {
	out := make([]string, 0, len(ls))
	for _, l := range ls {
		out = append(out, l.GetName())
	}
	return out
}

// mention is how a reply addresses a person.
func mention(login string) string {
	if login == "" || strings.ContainsAny(login, " \n") {
		return ""
	}
	return "@" + login + " "
}
