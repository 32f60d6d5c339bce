package handler

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"
)

// configFiles are the files whose change on a default branch can change
// which statements a repository wants.
var configFiles = []string{".github/liaison.yml", "liaison.yml"}

// Push handles push events: a change to .github/liaison.yml (or to the
// org's defaults) on a default branch runs the next sync pass at once, so
// a fixed configuration takes effect without waiting for the poll.
type Push struct {
	*Base
	ConfigChanged func()
}

// Handles names the event.
func (h *Push) Handles() []string { return []string{"push"} }

// Handle looks for a configuration change.
// https://docs.github.com/webhooks/webhook-events-and-payloads#push
func (h *Push) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev github.PushEvent
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse push event payload: %w", err)
	}
	repo := ev.GetRepo()
	if ev.GetRef() != "refs/heads/"+repo.GetDefaultBranch() {
		return nil
	}
	for _, c := range ev.Commits {
		for _, files := range [][]string{c.Added, c.Modified, c.Removed} {
			if slices.ContainsFunc(files, isConfigFile) {
				zerolog.Ctx(ctx).Info().Str(githubapp.LogKeyRepositoryName, repo.GetFullName()).Msg("liaison configuration changed: syncing now")
				if h.ReposChanged != nil {
					h.ReposChanged()
				}
				if h.ConfigChanged != nil {
					h.ConfigChanged()
				}
				return nil
			}
		}
	}
	return nil
}

func isConfigFile(path string) bool {
	return slices.ContainsFunc(configFiles, func(f string) bool { return strings.EqualFold(path, f) })
}

var _ githubapp.EventHandler = (*Push)(nil)
