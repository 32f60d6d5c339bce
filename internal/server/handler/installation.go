package handler

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/go-github/v62/github"
	"github.com/palantir/go-githubapp/githubapp"
	"github.com/rs/zerolog"

	"github.com/liaisonbot/liaisonbot/internal/tracker"
)

// Installation handles installation and installation_repositories events:
// the app's labels are created in every repository it gets, and the
// repository listing is refreshed.
type Installation struct {
	*Base
}

// Handles names the events.
func (h *Installation) Handles() []string {
	return []string{"installation", "installation_repositories"}
}

// Handle syncs the labels of the repositories an installation added.
// https://docs.github.com/webhooks/webhook-events-and-payloads#installation
func (h *Installation) Handle(ctx context.Context, eventType, deliveryID string, payload []byte) error {
	var ev struct {
		Action       string               `json:"action"`
		Installation *github.Installation `json:"installation"`
		Repositories []*github.Repository `json:"repositories"`
		Added        []*github.Repository `json:"repositories_added"`
	}
	if err := json.Unmarshal(payload, &ev); err != nil {
		return fmt.Errorf("failed to parse %s event payload: %w", eventType, err)
	}
	if h.ReposChanged != nil {
		h.ReposChanged()
	}
	repos := ev.Added
	if eventType == "installation" {
		if ev.Action != "created" && ev.Action != "new_permissions_accepted" && ev.Action != "unsuspend" {
			return nil
		}
		repos = ev.Repositories
	}
	if len(repos) == 0 || ev.Installation.GetID() == 0 {
		return nil
	}
	client, err := h.NewInstallationClient(ev.Installation.GetID())
	if err != nil {
		return fmt.Errorf("failed to create a client for installation %d: %w", ev.Installation.GetID(), err)
	}
	log := zerolog.Ctx(ctx).With().Int64(githubapp.LogKeyInstallationID, ev.Installation.GetID()).Logger()
	var errs []error
	for _, r := range repos {
		res, err := tracker.SyncLabels(ctx, client, r.GetFullName())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		log.Info().Str("repo", r.GetFullName()).Int("created", res.Created).Int("updated", res.Updated).Msg("labels synced")
	}
	return errors.Join(errs...)
}

var _ githubapp.EventHandler = (*Installation)(nil)
