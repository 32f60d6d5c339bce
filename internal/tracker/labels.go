package tracker

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/google/go-github/v62/github"

	"github.com/liaisonbot/liaisonbot/internal/liaison"
)

// LabelSyncResult counts what SyncLabels changed.
type LabelSyncResult struct {
	Created, Updated, Unchanged int
}

// SyncLabels makes repo's labels match the app's catalog: missing labels
// are created with their colour and description, ones that differ are
// edited; labels the app does not know are left alone. Label names hold
// "/", which go-github v62 puts into URL paths unescaped, so names in
// paths are escaped here.
func SyncLabels(ctx context.Context, client *github.Client, repo string) (LabelSyncResult, error) {
	var res LabelSyncResult
	owner, name := splitRepo(repo)
	have := map[string]*github.Label{}
	opt := &github.ListOptions{PerPage: 100}
	for {
		page, resp, err := client.Issues.ListLabels(ctx, owner, name, opt)
		if err != nil {
			return res, fmt.Errorf("failed to list the labels of %s: %w", repo, err)
		}
		for _, l := range page {
			have[strings.ToLower(l.GetName())] = l
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	for _, spec := range liaison.Catalog {
		want := &github.Label{Name: github.String(spec.Name), Color: github.String(spec.Color), Description: github.String(spec.Description)}
		cur, ok := have[strings.ToLower(spec.Name)]
		switch {
		case !ok:
			if _, _, err := client.Issues.CreateLabel(ctx, owner, name, want); err != nil {
				return res, fmt.Errorf("failed to create label %s in %s: %w", spec.Name, repo, err)
			}
			res.Created++
		case !strings.EqualFold(cur.GetColor(), spec.Color) || cur.GetDescription() != spec.Description:
			if _, _, err := client.Issues.EditLabel(ctx, owner, name, url.PathEscape(cur.GetName()), want); err != nil {
				return res, fmt.Errorf("failed to update label %s in %s: %w", spec.Name, repo, err)
			}
			res.Updated++
		default:
			res.Unchanged++
		}
	}
	return res, nil
}

// RemoveLabel removes a label from an issue, escaping its name: go-github
// v62 puts it into the path as it is, and "purpose/action" would 404. A
// label already gone (GitHub answers 404) counts as removed.
func RemoveLabel(ctx context.Context, c *github.Client, repo string, number int, label string) error {
	owner, name := splitRepo(repo)
	resp, err := c.Issues.RemoveLabelForIssue(ctx, owner, name, number, url.PathEscape(label))
	if resp != nil && resp.StatusCode == http.StatusNotFound {
		return nil
	}
	if err != nil {
		return fmt.Errorf("failed to remove label %s from %s#%d: %w", label, repo, number, err)
	}
	return nil
}

// Relabel removes and adds labels on an issue without touching the
// others: a removal per label, then one request for all the additions.
// Handlers whose events can run beside a command on the same issue use it
// rather than replacing the whole set, which could undo a label set
// meanwhile.
func Relabel(ctx context.Context, c *github.Client, repo string, number int, remove, add []string) error {
	for _, l := range remove {
		if err := RemoveLabel(ctx, c, repo, number, l); err != nil {
			return err
		}
	}
	if len(add) == 0 {
		return nil
	}
	return (&GitHubIssues{Client: c}).AddLabels(ctx, repo, number, add)
}

// MoveState makes state the issue's one state/* label, given its current
// labels: the others are removed, state added when it is missing.
func MoveState(ctx context.Context, c *github.Client, repo string, number int, labels []string, state liaison.TriageState) error {
	var remove, add []string
	for _, l := range labels {
		if strings.HasPrefix(l, liaison.PrefixState) && l != state.Label() {
			remove = append(remove, l)
		}
	}
	if !slices.Contains(labels, state.Label()) {
		add = []string{state.Label()}
	}
	return Relabel(ctx, c, repo, number, remove, add)
}
