// Package identity knows who the app is on GitHub: its slug and the bot
// login its issues, comments and label changes carry. The app must know it
// to find its own issues and to ignore the events it caused itself.
package identity

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/palantir/go-githubapp/githubapp"
)

// App is the app's identity, asked of GitHub (GET /app) once and kept. It
// is resolved on first use, not at start-up, so the server can record
// webhooks while GitHub is unreachable.
type App struct {
	Clients githubapp.ClientCreator

	mu   sync.Mutex
	slug string
}

// Slug is the app's slug ("liaisonbot").
func (a *App) Slug(ctx context.Context) (string, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.slug != "" {
		return a.slug, nil
	}
	if a.Clients == nil {
		return "", errors.New("the app's identity is unknown: no GitHub App credentials")
	}
	client, err := a.Clients.NewAppClient()
	if err != nil {
		return "", fmt.Errorf("failed to create the GitHub app client: %w", err)
	}
	app, _, err := client.Apps.Get(ctx, "")
	if err != nil {
		return "", fmt.Errorf("failed to read the GitHub app (GET /app): %w", err)
	}
	if app.GetSlug() == "" {
		return "", errors.New("GET /app returned no slug")
	}
	a.slug = app.GetSlug()
	return a.slug, nil
}

// BotLogin is the login of the app's bot user ("liaisonbot[bot]").
func (a *App) BotLogin(ctx context.Context) (string, error) {
	slug, err := a.Slug(ctx)
	if err != nil {
		return "", err
	}
	return slug + "[bot]", nil
}

// IsSelf reports whether login is the app's bot user.
func (a *App) IsSelf(ctx context.Context, login string) (bool, error) {
	bot, err := a.BotLogin(ctx)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(login, bot), nil
}
